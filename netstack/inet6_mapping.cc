// Address translation for the guest's AF_INET6 sockets; see inet6_mapping.h.
// Each check cites the Linux 6.x function it reproduces. The order matters:
// it decides which errno a guest sees when an address is wrong in two ways.
#include "netstack/inet6_mapping.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace sentry::netstack {

namespace {

using namespace addr_type;

sockaddr_in make_sin(std::uint32_t addr_net, std::uint16_t port_net) {
  sockaddr_in s{};
  s.sin_family = AF_INET;
  s.sin_port = port_net;
  s.sin_addr.s_addr = addr_net;
  return s;
}

HostAddress inet(std::uint32_t addr_net, std::uint16_t port_net) {
  HostAddress h;
  h.kind = HostAddrKind::kInet;
  h.sin = make_sin(addr_net, port_net);
  return h;
}

HostAddress loopback6(std::uint16_t port_net) { return inet(htonl(kGuestIpv6LoopbackOnHost), port_net); }

std::uint32_t mapped_v4(const in6_addr& a) {
  std::uint32_t v;
  std::memcpy(&v, &a.s6_addr[12], 4);
  return v;  // network order
}

bool is_any(const in6_addr& a) { return ipv6_addr_type(a) == kAny; }
bool is_loopback(const in6_addr& a) { return ipv6_addr_type(a) == (kLoopback | kUnicast); }

// SO_BINDTODEVICE / SO_BINDTOIFINDEX named a device other than lo, which
// holds the one IPv6 route, to ::1.
bool bound_off_loopback(const SocketView& s) { return s.bound_dev_if != 0 && s.bound_dev_if != kGuestLoopbackIfindex; }

bool ifindex_exists(const SocketView& s, int index) {
  return std::find(s.ifindexes.begin(), s.ifindexes.end(), index) != s.ifindexes.end();
}

// The guest's bytes in a zeroed sockaddr_in6 (the kernel reads the fields of
// its sockaddr_storage whatever addr_len says; sentry's copy is zero-filled).
sockaddr_in6 load6(const void* p, std::size_t len) {
  sockaddr_in6 a{};
  std::memcpy(&a, p, std::min(len, sizeof a));
  return a;
}

sa_family_t family_of(const void* p, std::size_t len) {
  sa_family_t f = 0;
  std::memcpy(&f, p, std::min(len, sizeof f));
  return f;
}

// "connect() to INADDR_ANY means loopback (BSD'ism)": tcp_v6_connect and
// __ip6_datagram_connect rewrite :: to ::ffff:127.0.0.1 when the local
// address is v4-mapped, else to ::1; udpv6_sendmsg does the same (the ::1
// case via `if (ipv6_addr_any(&fl6->daddr)) fl6->daddr.s6_addr[15] = 0x1`).
void any_means_loopback(in6_addr* a, const SocketView& s) {
  if (!is_any(*a)) return;
  *a = in6addr_loopback;
  if (s.local_v4mapped) {
    std::memset(a->s6_addr, 0, 10);
    a->s6_addr[10] = a->s6_addr[11] = 0xff;
    std::uint32_t lo = htonl(INADDR_LOOPBACK);
    std::memcpy(&a->s6_addr[12], &lo, 4);
  }
}

// A native (not v4-mapped) IPv6 destination after the per-call checks:
// net/ipv6/ip6_output.c ip6_dst_lookup_flow -> ip6_dst_lookup_tail. The only
// IPv6 route is to ::1, so every other destination is -ENETUNREACH; a route
// found from a v4-mapped source is -EAFNOSUPPORT ("if
// (ipv6_addr_v4mapped(&fl6->saddr) && !(ipv6_addr_v4mapped(&fl6->daddr) ||
// ipv6_addr_any(&fl6->daddr)))"), the route error coming first. A socket
// bound to another device (SO_BINDTOIFINDEX takes any index, existing or
// not) has no route to ::1 either; the host's IPv4 lookup would answer
// ENODEV for an index that does not exist.
std::variant<HostAddress, int> native6(const sockaddr_in6& a, const SocketView& s) {
  if (!is_loopback(a.sin6_addr)) return ENETUNREACH;
  if (bound_off_loopback(s)) return ENETUNREACH;
  if (s.local_v4mapped) return EAFNOSUPPORT;
  return loopback6(a.sin6_port);
}

// net/ipv6/af_inet6.c inet6_bind + __inet6_bind.
std::variant<HostAddress, int> bind6(const void* p, std::size_t len, const SocketView& s) {
  if (len < kSin6LenRfc2133) return EINVAL;  // inet6_bind
  sockaddr_in6 a = load6(p, len);
  if (a.sin6_family != AF_INET6) return EAFNOSUPPORT;  // __inet6_bind: no AF_INET, no AF_UNSPEC
  unsigned type = ipv6_addr_type(a.sin6_addr);
  if ((type & kMulticast) && s.type == SOCK_STREAM) return EINVAL;
  std::uint16_t snum = ntohs(a.sin6_port);
  if (snum != 0 && snum < s.unprivileged_port_start && !s.can_bind_privileged) return EACCES;
  if (s.already_bound) return EINVAL;  // "Check these errors (active socket, double bind)"

  if (type == kMapped) {
    // "Binding to v4-mapped address on a v6-only socket makes no sense"
    if (s.v6only) return EINVAL;
    if (s.bound_dev_if != 0 && !ifindex_exists(s, s.bound_dev_if)) return ENODEV;
    // inet_addr_valid_or_nonlocal (EADDRNOTAVAIL) is the host's AF_INET bind's check.
    return inet(mapped_v4(a.sin6_addr), a.sin6_port);
  }
  if (type == kAny) {
    if (!s.v6only) return inet(htonl(INADDR_ANY), a.sin6_port);
    // A v6-only :: can only ever receive on ::1, the one IPv6 address there is.
    HostAddress h = loopback6(a.sin6_port);
    h.guest_bound_any = true;
    return h;
  }

  int dev = s.bound_dev_if;
  if (ipv6_addr_needs_scope_id(type)) {
    // "Override any existing binding" (Linux keeps the new sk_bound_dev_if
    // even when the bind then fails; not modelled).
    if (len >= sizeof(sockaddr_in6) && a.sin6_scope_id != 0) dev = static_cast<int>(a.sin6_scope_id);
    if (dev == 0) return EINVAL;  // "Binding to link-local address requires an interface"
  }
  if (dev != 0 && !ifindex_exists(s, dev)) return ENODEV;
  // Multicast on UDP: Linux binds without an address check. No IPv6 multicast
  // can reach the guest, so sentry refuses it as a non-local address (a
  // documented deviation). Unicast: ipv6_chk_addr; ::1 lives on lo only
  // (IFA_HOST scope: no match on another device).
  if ((type & kMulticast) || !is_loopback(a.sin6_addr) ||
      (dev != 0 && dev != kGuestLoopbackIfindex))
    return EADDRNOTAVAIL;
  HostAddress h = loopback6(a.sin6_port);
  h.sets_v6only = true;  // addr_type != IPV6_ADDR_ANY && != IPV6_ADDR_MAPPED
  return h;
}

// net/ipv6/tcp_ipv6.c tcp_v6_connect (after __inet_stream_connect's
// addr_len and AF_UNSPEC checks).
std::variant<HostAddress, int> connect_stream(const void* p, std::size_t len, const SocketView& s) {
  if (len < kSin6LenRfc2133) return EINVAL;
  sockaddr_in6 a = load6(p, len);
  if (a.sin6_family != AF_INET6) return EAFNOSUPPORT;  // AF_INET too: no v4 fallback on TCP
  any_means_loopback(&a.sin6_addr, s);
  unsigned type = ipv6_addr_type(a.sin6_addr);
  if (type & kMulticast) return ENETUNREACH;
  if (type & kLinkLocal) {
    int dev = s.bound_dev_if;
    if (len >= sizeof(sockaddr_in6) && a.sin6_scope_id != 0) {
      // "If interface is set while binding, indices must coincide."
      if (s.bound_dev_if != 0 && s.bound_dev_if != static_cast<int>(a.sin6_scope_id)) return EINVAL;
      dev = static_cast<int>(a.sin6_scope_id);
    }
    if (dev == 0) return EINVAL;  // "Connect to link-local address requires an interface"
  }
  if (type & kMapped) {
    if (s.v6only) return ENETUNREACH;
    return inet(mapped_v4(a.sin6_addr), a.sin6_port);  // tcp_v4_connect on the host
  }
  return native6(a, s);
}

// net/ipv6/datagram.c __ip6_datagram_connect (after inet_dgram_connect's
// addr_len and AF_UNSPEC checks).
std::variant<HostAddress, int> connect_dgram(const void* p, std::size_t len, const SocketView& s) {
  if (family_of(p, len) == AF_INET) {
    if (s.v6only) return EAFNOSUPPORT;
    // __ip4_datagram_connect's own checks.
    if (len < sizeof(sockaddr_in)) return EINVAL;
    sockaddr_in v4{};
    std::memcpy(&v4, p, sizeof v4);
    return inet(v4.sin_addr.s_addr, v4.sin_port);
  }
  if (len < kSin6LenRfc2133) return EINVAL;
  sockaddr_in6 a = load6(p, len);
  if (a.sin6_family != AF_INET6) return EAFNOSUPPORT;
  any_means_loopback(&a.sin6_addr, s);
  unsigned type = ipv6_addr_type(a.sin6_addr);
  if (type & kMapped) {
    if (s.v6only) return ENETUNREACH;
    return inet(mapped_v4(a.sin6_addr), a.sin6_port);
  }
  if (ipv6_addr_needs_scope_id(type)) {
    int dev = s.bound_dev_if;
    if (len >= sizeof(sockaddr_in6) && a.sin6_scope_id != 0) {
      if (s.bound_dev_if != 0 && s.bound_dev_if != static_cast<int>(a.sin6_scope_id)) return EINVAL;
      dev = static_cast<int>(a.sin6_scope_id);
    }
    if (dev == 0 && (type & kMulticast)) dev = s.mcast_oif;
    if (dev == 0) return EINVAL;
  }
  return native6(a, s);  // ip6_datagram_dst_update
}

// net/ipv6/udp.c udpv6_sendmsg's destination checks.
std::variant<HostAddress, int> sendto_dgram(const void* p, std::size_t len, const SocketView& s) {
  if (len < offsetof(sockaddr, sa_data)) return EINVAL;
  switch (family_of(p, len)) {
    case AF_INET6:
      break;
    case AF_INET: {
      // do_udp_sendmsg: ipv6_only_sock ? -ENETUNREACH : udp_sendmsg(...)
      if (s.v6only) return ENETUNREACH;
      if (len < sizeof(sockaddr_in)) return EINVAL;  // udp_sendmsg
      sockaddr_in v4{};
      std::memcpy(&v4, p, sizeof v4);
      return inet(v4.sin_addr.s_addr, v4.sin_port);  // dport 0: the host's EINVAL
    }
    case AF_UNSPEC: {
      HostAddress h;
      h.kind = HostAddrKind::kNone;  // "msg->msg_name = sin6 = NULL": the connected peer
      return h;
    }
    default:
      return EINVAL;
  }
  if (len < kSin6LenRfc2133) return EINVAL;
  sockaddr_in6 a = load6(p, len);
  any_means_loopback(&a.sin6_addr, s);
  unsigned type = ipv6_addr_type(a.sin6_addr);
  if (type & kMapped) {
    if (s.v6only) return ENETUNREACH;
    return inet(mapped_v4(a.sin6_addr), a.sin6_port);
  }
  if (a.sin6_port == 0) return EINVAL;
  return native6(a, s);  // ip6_sk_dst_lookup_flow
}

}  // namespace

unsigned ipv6_addr_type(const in6_addr& a) {
  const std::uint8_t* b = a.s6_addr;
  std::uint32_t w[4];
  for (int i = 0; i < 4; ++i)
    w[i] = (std::uint32_t{b[4 * i]} << 24) | (std::uint32_t{b[4 * i + 1]} << 16) |
           (std::uint32_t{b[4 * i + 2]} << 8) | b[4 * i + 3];
  std::uint32_t st = w[0];
  // "Consider all addresses with the first three bits different of 000 and
  // 111 as unicasts."
  if ((st & 0xE0000000u) != 0 && (st & 0xE0000000u) != 0xE0000000u) return kUnicast;
  if ((st & 0xFF000000u) == 0xFF000000u) {
    // ipv6_addr_scope2type(IPV6_ADDR_MC_SCOPE(addr))
    switch (b[1] & 0x0f) {
      case 0x1: return kMulticast | kLoopback;   // interface-local
      case 0x2: return kMulticast | kLinkLocal;  // link-local
      case 0x5: return kMulticast | kSiteLocal;  // site-local
      default: return kMulticast;
    }
  }
  if ((st & 0xFFC00000u) == 0xFE800000u) return kLinkLocal | kUnicast;
  if ((st & 0xFFC00000u) == 0xFEC00000u) return kSiteLocal | kUnicast;
  if ((st & 0xFE000000u) == 0xFC000000u) return kUnicast;  // RFC 4193 ULA
  if ((w[0] | w[1]) == 0) {
    if (w[2] == 0) {
      if (w[3] == 0) return kAny;
      if (w[3] == 1) return kLoopback | kUnicast;
      return kCompatV4 | kUnicast;
    }
    if (w[2] == 0x0000ffffu) return kMapped;
  }
  return kUnicast;
}

bool ipv6_addr_needs_scope_id(unsigned type) {
  return (type & kLinkLocal) || ((type & kMulticast) && (type & (kLoopback | kLinkLocal)));
}

std::variant<HostAddress, int> to_host(const void* guest_addr, std::size_t len, AddrUse use,
                                       const SocketView& sock) {
  switch (use) {
    case AddrUse::kBind:
      return bind6(guest_addr, len, sock);
    case AddrUse::kConnect: {
      // __inet_stream_connect / inet_dgram_connect.
      if (len < sizeof(sa_family_t)) return EINVAL;
      if (family_of(guest_addr, len) == AF_UNSPEC) {
        HostAddress h;
        h.kind = HostAddrKind::kDisconnect;
        return h;
      }
      if (sock.type == SOCK_STREAM) return connect_stream(guest_addr, len, sock);
      return connect_dgram(guest_addr, len, sock);
    }
    case AddrUse::kSendTo:
      if (sock.type == SOCK_STREAM) {
        HostAddress h;
        h.kind = HostAddrKind::kNone;  // tcp_sendmsg never looks at msg_name
        return h;
      }
      return sendto_dgram(guest_addr, len, sock);
  }
  return EINVAL;
}

bool host_address_failing_with(int err, const SocketView& sock, sockaddr_in* addr, std::uint32_t* len) {
  *addr = sockaddr_in{};
  addr->sin_family = AF_INET;
  *len = sizeof(sockaddr_in);
  switch (err) {
    case EINVAL:  // tcp_v4_connect: "if (addr_len < sizeof(struct sockaddr_in))"
      *len = offsetof(sockaddr_in, sin_zero);
      return true;
    case EAFNOSUPPORT:  // tcp_v4_connect: "if (usin->sin_family != AF_INET)"
      addr->sin_family = AF_INET6;
      return true;
    case ENETUNREACH:  // tcp_v4_connect: RTCF_MULTICAST | RTCF_BROADCAST
      if (bound_off_loopback(sock)) return false;
      addr->sin_addr.s_addr = htonl(INADDR_ALLHOSTS_GROUP);
      addr->sin_port = htons(9);
      return true;
    default:
      return false;
  }
}

bool needs_guest_loopback_source(const sockaddr_in& dst, const sockaddr_in& host_local) {
  return ntohl(dst.sin_addr.s_addr) == kGuestIpv6LoopbackOnHost &&
         host_local.sin_addr.s_addr == htonl(INADDR_ANY);
}

sockaddr_in6 to_guest(const sockaddr_in& host) {
  sockaddr_in6 g{};
  g.sin6_family = AF_INET6;
  g.sin6_port = host.sin_port;
  std::uint32_t addr = ntohl(host.sin_addr.s_addr);
  if (addr == kGuestIpv6LoopbackOnHost) {
    g.sin6_addr = in6addr_loopback;
  } else if (addr != INADDR_ANY) {
    g.sin6_addr.s6_addr[10] = 0xff;
    g.sin6_addr.s6_addr[11] = 0xff;
    std::memcpy(&g.sin6_addr.s6_addr[12], &host.sin_addr.s_addr, 4);
  }
  return g;
}

}  // namespace sentry::netstack
