// The guest's AF_INET6 sockets are host AF_INET sockets. This file translates
// their addresses at the syscall boundary, as pure functions:
//
//   guest -> host (bind, connect, sendto/sendmsg destinations): to_host()
//   host -> guest (accept, getsockname, getpeername, recvfrom/recvmsg): to_guest()
//
// The address model: the guest's IPv6 world has exactly one address of its
// own, loopback ::1, carried on the host as 127.6.6.1 (any 127/8 address is
// local on Linux). Everything else reachable over IPv6 is IPv4 in v4-mapped
// form (::ffff:a.b.c.d). Every other IPv6 address (global, ULA, link-local,
// site-local, v4-compatible, multicast) has no path, as in a network
// namespace whose only interface is `lo`.
//
// to_host() replicates, in the kernel's order, the address checks Linux 6.x
// makes on an AF_INET6 TCP or UDP socket before the protocol acts on the
// address (file:function references at each step in inet6_mapping.cc):
//   bind     net/ipv6/af_inet6.c inet6_bind, __inet6_bind
//   connect  net/ipv4/af_inet.c __inet_stream_connect / inet_dgram_connect,
//            then net/ipv6/tcp_ipv6.c tcp_v6_connect or
//            net/ipv6/datagram.c __ip6_datagram_connect
//   sendto   net/ipv6/udp.c udpv6_sendmsg (TCP ignores the address:
//            net/ipv4/tcp.c tcp_sendmsg_locked, except with MSG_FASTOPEN)
// Checks that depend on the socket's state are taken from SocketView; checks
// that only the host can make (is a.b.c.d local? is the port free?) are left
// to the host call made with the translated address, which then fails the
// same way an IPv6 socket would.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <variant>

namespace sentry::netstack {

// 127.6.6.1, host byte order: where the guest's ::1 lives on the host.
inline constexpr std::uint32_t kGuestIpv6LoopbackOnHost = 0x7f060601;

// include/uapi/linux/in6.h SIN6_LEN_RFC2133: a sockaddr_in6 without
// sin6_scope_id, the shortest one Linux accepts.
inline constexpr std::size_t kSin6LenRfc2133 = 24;

// The guest's interfaces by index (netlink_route.h default_interfaces(): lo).
inline constexpr int kGuestLoopbackIfindex = 1;
inline constexpr int kDefaultGuestIfindexes[] = {kGuestLoopbackIfindex};

enum class AddrUse {
  kBind,     // bind(2)
  kConnect,  // connect(2); also sendto/sendmsg with MSG_FASTOPEN on SOCK_STREAM
  kSendTo,   // the destination of sendto(2) / sendmsg(2) (msg_name non-NULL, len > 0)
};

// What the caller knows about the guest socket. Only `type` and `v6only`
// matter for most calls; the rest reproduce Linux's rarer branches.
struct SocketView {
  int type = SOCK_STREAM;  // SOCK_STREAM or SOCK_DGRAM (SOCK_NONBLOCK/CLOEXEC stripped)
  // ipv6_only_sock(sk): IPV6_V6ONLY was set, OR the socket was bound to an
  // address other than :: or ::ffff:x (Linux __inet6_bind sets sk_ipv6only
  // then; HostAddress::sets_v6only reports it).
  bool v6only = false;
  // The socket's local address (sk_v6_rcv_saddr; np->saddr for sendto) is
  // v4-mapped: bound to ::ffff:x, or connected over IPv4. connect/sendto to
  // :: then means ::ffff:127.0.0.1 instead of ::1 (tcp_v6_connect,
  // __ip6_datagram_connect, udpv6_sendmsg: "connect() to INADDR_ANY means
  // loopback (BSD'ism)"). From the host socket: its local address is neither
  // 0.0.0.0 nor 127.6.6.1.
  bool local_v4mapped = false;
  // bind only: the socket already has a local port or is not TCP_CLOSE
  // (__inet6_bind: -EINVAL before any address check but after EACCES).
  bool already_bound = false;
  // bind only: whether the guest may bind ports below
  // `unprivileged_port_start` (CAP_NET_BIND_SERVICE in its user namespace;
  // net.ipv4.ip_unprivileged_port_start). Checked before the address, so a
  // v6-only refusal does not hide EACCES.
  bool can_bind_privileged = true;
  std::uint16_t unprivileged_port_start = 1024;
  // SO_BINDTODEVICE / a previous scoped bind or connect: sk_bound_dev_if.
  int bound_dev_if = 0;
  // IPV6_MULTICAST_IF (np->mcast_oif): UDP connect to a scoped multicast
  // address without sin6_scope_id uses it as the interface.
  int mcast_oif = 0;
  // The guest's interface indexes (an unknown scope id is ENODEV for bind).
  std::span<const int> ifindexes = kDefaultGuestIfindexes;
};

enum class HostAddrKind {
  kInet,        // use HostAddress::sin (AF_INET, 16 bytes)
  kDisconnect,  // connect(AF_UNSPEC): pass {sa_family = AF_UNSPEC} to the host connect
  kNone,        // pass no address to the host (sendto: AF_UNSPEC on UDP, or SOCK_STREAM)
};

struct HostAddress {
  HostAddrKind kind = HostAddrKind::kInet;
  sockaddr_in sin{};
  // The address length given to the host (shorter only for an address made
  // to fail, host_address_failing_with).
  std::uint32_t len = sizeof(sockaddr_in);
  // bind: Linux sets sk_ipv6only after binding an address other than :: and
  // ::ffff:x (i.e. after binding ::1); the caller must treat the socket as
  // v6-only from then on.
  bool sets_v6only = false;
  // bind: the guest bound :: on a v6-only socket, which the host carries as
  // 127.6.6.1; getsockname must still report :: until the socket connects.
  bool guest_bound_any = false;
};

// Translates a guest address for `use` on the guest AF_INET6 socket `sock`.
// `guest_addr` holds the `len` bytes the guest passed (after
// read_sockaddr()); bytes past `len` are taken as zero. Returns the host
// address, or the errno (positive) Linux gives for this address.
std::variant<HostAddress, int> to_host(const void* guest_addr, std::size_t len, AddrUse use,
                                       const SocketView& sock);

// The brief's form: default socket state apart from type and v6only.
inline std::variant<HostAddress, int> to_host(const void* guest_addr, std::size_t len,
                                              AddrUse use, bool v6only, int sock_type) {
  SocketView v;
  v.type = sock_type;
  v.v6only = v6only;
  return to_host(guest_addr, len, use, v);
}

// A host AF_INET address (and its length) that the host's tcp_v4_connect
// refuses with `err`, for each errno to_host() gives a stream connect's
// address: EINVAL (too short), EAFNOSUPPORT (not AF_INET), ENETUNREACH
// (multicast). Linux checks a stream socket's own state before the address:
// a socket still connecting at the socket layer (its background connect
// failed, and no connect() has reported that) answers its error, or
// ECONNABORTED when another call took it, whatever address it is given. Only
// the host knows that state, so the host is given an address that fails the
// same way rather than being skipped. False for any other errno, and for
// ENETUNREACH on a socket bound to a device other than lo (the host's route
// lookup would fail on the device first: ENODEV for a missing index).
bool host_address_failing_with(int err, const SocketView& sock, sockaddr_in* addr, std::uint32_t* len);

// The host's route to 127/8 says `src 127.0.0.1`, so a host socket whose
// local address is 0.0.0.0 talks to 127.6.6.1 from 127.0.0.1, and both ends
// would then see ::ffff:127.0.0.1 where Linux shows ::1. True when `dst` is
// 127.6.6.1 and `host_local` (the host socket's getsockname address) is
// 0.0.0.0: the caller must pin the source to 127.6.6.1 (bind to
// 127.6.6.1:0, or the socket's port, before a TCP or UDP connect; an
// IP_PKTINFO cmsg with ipi_spec_dst = 127.6.6.1 on an unconnected UDP send).
bool needs_guest_loopback_source(const sockaddr_in& dst, const sockaddr_in& host_local);

// A host AF_INET address as the guest's AF_INET6 socket reports it: always a
// full 28-byte sockaddr_in6 with sin6_flowinfo and sin6_scope_id 0.
// 127.6.6.1 -> ::1; 0.0.0.0 -> ::; any other a.b.c.d -> ::ffff:a.b.c.d.
// (inet6_getname / udpv6_recvmsg report v4 peers of a dual-stack socket as
// ::ffff:a.b.c.d; ::ffff:127.6.6.1 is indistinguishable from ::1 here.)
sockaddr_in6 to_guest(const sockaddr_in& host);

// include/net/ipv6.h IPV6_ADDR_* bits and net/ipv6/addrconf_core.c
// __ipv6_addr_type() & 0xffff (= ipv6_addr_type()), the classification every
// check above is made on.
namespace addr_type {
inline constexpr unsigned kAny = 0x0000;
inline constexpr unsigned kUnicast = 0x0001;
inline constexpr unsigned kMulticast = 0x0002;
inline constexpr unsigned kLoopback = 0x0010;
inline constexpr unsigned kLinkLocal = 0x0020;
inline constexpr unsigned kSiteLocal = 0x0040;
inline constexpr unsigned kCompatV4 = 0x0080;
inline constexpr unsigned kMapped = 0x1000;
}  // namespace addr_type
unsigned ipv6_addr_type(const in6_addr& a);

// include/net/ipv6.h __ipv6_addr_needs_scope_id(): link-local unicast, and
// link-local or interface-local multicast.
bool ipv6_addr_needs_scope_id(unsigned type);

}  // namespace sentry::netstack
