// A minimal NETLINK_ROUTE peer: answers the requests glibc's getifaddrs(),
// if_nameindex() and getaddrinfo(AI_ADDRCONFIG) (__check_pf) make, from a
// fixed list of interfaces, with the message layout, flags and datagram
// framing Linux 6.18 uses (net/core/rtnetlink.c rtnetlink_rcv_msg,
// rtnl_fill_ifinfo; net/ipv4/devinet.c inet_fill_ifaddr; net/ipv6/addrconf.c
// inet6_fill_ifaddr; net/netlink/af_netlink.c netlink_rcv_skb, netlink_ack,
// netlink_dump_done). Pure: no sockets; the caller delivers the datagrams
// to the guest, from nl_pid 0 (the kernel), in order.
//
// Handled: RTM_GETLINK dump and by-index/by-name get, RTM_GETADDR dump
// (AF_UNSPEC, AF_INET, AF_INET6). Every other RTM_GET* type: -EOPNOTSUPP
// (a real kernel would dump routes, neighbours, rules...). RTM_NEW*/DEL*/SET*:
// -EPERM, as for a caller without CAP_NET_ADMIN. Request attributes that
// filter dumps (IFLA_MASTER, IFLA_LINKINFO, strict-check ifa_index) are
// ignored: the kernel ignores them too unless NETLINK_GET_STRICT_CHK is set.
#pragma once

#include <net/if_arp.h>
#include <netinet/in.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace sentry::netstack {

struct Ipv4Addr {
  in_addr addr{};          // network byte order
  unsigned prefixlen = 32;
  std::string label;       // IFA_LABEL; empty: the interface's name
};

struct Ipv6Addr {
  in6_addr addr{};
  unsigned prefixlen = 128;
};

// IFF_LOWER_UP and the operstates of <linux/if.h> (which clashes with <net/if.h>).
inline constexpr unsigned kIffLowerUp = 0x10000;
inline constexpr std::uint8_t kIfOperUnknown = 0;
inline constexpr std::uint8_t kIfOperDown = 2;
inline constexpr std::uint8_t kIfOperUp = 6;

struct Interface {
  int index = 0;
  std::string name;
  unsigned flags = 0;  // IFF_*, as SIOCGIFFLAGS / ifi_flags report them
  std::array<std::uint8_t, 6> mac{};
  int mtu = 1500;
  std::vector<Ipv4Addr> v4;
  std::vector<Ipv6Addr> v6;
  unsigned short type = ARPHRD_ETHER;                     // ifi_type
  std::array<std::uint8_t, 6> broadcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff};  // IFLA_BROADCAST
  std::uint32_t txqlen = 1000;
  std::uint8_t operstate = kIfOperUp;
  std::string qdisc = "noqueue";
};

// lo as a fresh network namespace has it once up: index 1,
// IFF_UP|IFF_LOOPBACK|IFF_RUNNING|IFF_LOWER_UP, mtu 65536, ARPHRD_LOOPBACK,
// all-zero address and broadcast, operstate UNKNOWN, 127.0.0.1/8 and ::1/128.
std::vector<Interface> default_interfaces();

// NLMSG_GOODSIZE on x86_64 with 4 KiB pages: SKB_WITH_OVERHEAD(4096) =
// 4096 - SKB_DATA_ALIGN(sizeof(struct skb_shared_info)) = 4096 - 320. The
// kernel's first dump datagram is at most this big (later ones may grow to
// the reader's buffer size, up to 32 KiB); glibc reads with an 8 KiB buffer.
inline constexpr std::size_t kNlmsgGoodSize = 3776;

class NetlinkRouteResponder {
 public:
  explicit NetlinkRouteResponder(std::vector<Interface> interfaces = default_interfaces(),
                                 std::size_t max_datagram = kNlmsgGoodSize);

  // One datagram the guest sent to the kernel (nl_pid 0): each netlink
  // message in it is handled in order, as netlink_rcv_skb does; returns the
  // datagrams the guest's socket would receive, each starting with a
  // message header, every message NLMSG_ALIGNed. Replies carry the
  // request's nlmsg_seq and nlmsg_pid = `guest_portid`.
  //  - a message without NLM_F_REQUEST, or of a control type (< 0x10): no
  //    answer, except an ack (NLMSG_ERROR, error 0) if NLM_F_ACK is set;
  //  - type > RTM_MAX: NLMSG_ERROR -EOPNOTSUPP;
  //  - payload shorter than struct rtgenmsg (1 byte): ignored (ack if asked);
  //  - a dump: its NLM_F_MULTI messages, packed up to max_datagram bytes a
  //    datagram, then NLMSG_DONE (flags NLM_F_MULTI, payload int 0) in its
  //    own datagram for RTM_GETLINK and RTM_GETADDR (AF_UNSPEC/AF_INET)
  //    (RTNL_FLAG_DUMP_SPLIT_NLM_DONE), appended to the last one for
  //    RTM_GETADDR AF_INET6; a dump is never acked;
  //  - a failed request: NLMSG_ERROR with -errno and, unless cap_ack, the
  //    whole request echoed; a successful non-dump request with NLM_F_ACK:
  //    NLMSG_ERROR 0 with only the request header, flags NLM_F_CAPPED.
  // A message whose nlmsg_len is below 16 or past the end of the datagram
  // stops processing silently.
  std::vector<std::vector<std::uint8_t>> handle(const std::uint8_t* req, std::size_t len,
                                                std::uint32_t guest_portid) const;

  // NETLINK_CAP_ACK on the guest's socket: error acks carry only the
  // request header (flags NLM_F_CAPPED).
  void set_cap_ack(bool on) { cap_ack_ = on; }

  const std::vector<Interface>& interfaces() const { return interfaces_; }

 private:
  std::vector<Interface> interfaces_;
  std::size_t max_datagram_;
  bool cap_ack_ = false;
};

}  // namespace sentry::netstack
