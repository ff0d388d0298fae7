// The AF_INET6-on-AF_INET address model: every guest->host row per call kind
// (bind, connect, sendto) and socket type, the errnos Linux 6.x gives for
// addresses the model cannot carry (each checked against a real kernel in a
// lo-only network namespace), and host->guest translation.
#include <catch2/catch.hpp>

#include <arpa/inet.h>

#include <cstring>
#include <string>

#include "netstack/inet6_mapping.h"

using namespace sentry::netstack;

namespace {

struct Guest {
  unsigned char bytes[128] = {};
  std::size_t len = sizeof(sockaddr_in6);
};

Guest v6(const char* addr, std::uint16_t port = 5555, std::uint32_t scope = 0,
         std::size_t len = sizeof(sockaddr_in6)) {
  Guest g;
  sockaddr_in6 s{};
  s.sin6_family = AF_INET6;
  s.sin6_port = htons(port);
  REQUIRE(inet_pton(AF_INET6, addr, &s.sin6_addr) == 1);
  s.sin6_scope_id = scope;
  std::memcpy(g.bytes, &s, sizeof s);
  g.len = len;
  return g;
}

Guest v4(const char* addr, std::uint16_t port = 5555, std::size_t len = sizeof(sockaddr_in)) {
  Guest g;
  sockaddr_in s{};
  s.sin_family = AF_INET;
  s.sin_port = htons(port);
  REQUIRE(inet_pton(AF_INET, addr, &s.sin_addr) == 1);
  std::memcpy(g.bytes, &s, sizeof s);
  g.len = len;
  return g;
}

Guest family(sa_family_t f, std::size_t len) {
  Guest g;
  std::memcpy(g.bytes, &f, sizeof f);
  g.len = len;
  return g;
}

SocketView sock(int type, bool v6only = false) {
  SocketView s;
  s.type = type;
  s.v6only = v6only;
  return s;
}

std::variant<HostAddress, int> map(const Guest& g, AddrUse use, const SocketView& s) {
  return to_host(g.bytes, g.len, use, s);
}

int err(const std::variant<HostAddress, int>& r) {
  const int* e = std::get_if<int>(&r);
  return e ? *e : 0;
}

// The host address as "a.b.c.d:port"; "" if the result is not kInet.
std::string host(const std::variant<HostAddress, int>& r) {
  const HostAddress* h = std::get_if<HostAddress>(&r);
  if (!h || h->kind != HostAddrKind::kInet) return "";
  REQUIRE(h->sin.sin_family == AF_INET);
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &h->sin.sin_addr, buf, sizeof buf);
  return std::string(buf) + ":" + std::to_string(ntohs(h->sin.sin_port));
}

HostAddrKind kind(const std::variant<HostAddress, int>& r) {
  REQUIRE(std::holds_alternative<HostAddress>(r));
  return std::get<HostAddress>(r).kind;
}

std::string guest(const sockaddr_in6& g) {
  char buf[INET6_ADDRSTRLEN];
  inet_ntop(AF_INET6, &g.sin6_addr, buf, sizeof buf);
  return "[" + std::string(buf) + "]:" + std::to_string(ntohs(g.sin6_port));
}

sockaddr_in hostaddr(const char* a, std::uint16_t port) {
  sockaddr_in s{};
  s.sin_family = AF_INET;
  s.sin_port = htons(port);
  REQUIRE(inet_pton(AF_INET, a, &s.sin_addr) == 1);
  return s;
}

}  // namespace

TEST_CASE("127.6.6.1 is the guest's ::1 on the host", "[inet6]") {
  CHECK(kGuestIpv6LoopbackOnHost == 0x7f060601u);
  CHECK(kSin6LenRfc2133 == 24);
}

TEST_CASE("ipv6_addr_type classifies as the kernel does", "[inet6]") {
  auto type = [](const char* a) {
    in6_addr x{};
    REQUIRE(inet_pton(AF_INET6, a, &x) == 1);
    return ipv6_addr_type(x);
  };
  using namespace addr_type;
  CHECK(type("::") == kAny);
  CHECK(type("::1") == (kLoopback | kUnicast));
  CHECK(type("::ffff:1.2.3.4") == kMapped);
  CHECK(type("::ffff:0.0.0.0") == kMapped);
  CHECK(type("::2") == (kCompatV4 | kUnicast));
  CHECK(type("fe80::1") == (kLinkLocal | kUnicast));
  CHECK(type("fec0::1") == (kSiteLocal | kUnicast));
  CHECK(type("fd00::1") == kUnicast);
  CHECK(type("2001:db8::1") == kUnicast);
  CHECK(type("ff01::1") == (kMulticast | kLoopback));
  CHECK(type("ff02::1") == (kMulticast | kLinkLocal));
  CHECK(type("ff05::1") == (kMulticast | kSiteLocal));
  CHECK(type("ff0e::1") == kMulticast);
  CHECK(ipv6_addr_needs_scope_id(type("fe80::1")));
  CHECK(ipv6_addr_needs_scope_id(type("ff02::1")));
  CHECK(ipv6_addr_needs_scope_id(type("ff01::1")));
  CHECK_FALSE(ipv6_addr_needs_scope_id(type("ff05::1")));
  CHECK_FALSE(ipv6_addr_needs_scope_id(type("::1")));
  CHECK_FALSE(ipv6_addr_needs_scope_id(type("fec0::1")));
}

TEST_CASE("bind: the mapping rows", "[inet6][bind]") {
  for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
    INFO("type " << type);
    SocketView dual = sock(type), only = sock(type, true);

    // :: is INADDR_ANY on a dual-stack socket; on a v6-only one it can only
    // ever mean ::1, and getsockname must keep saying ::.
    auto r = map(v6("::", 8080), AddrUse::kBind, dual);
    CHECK(host(r) == "0.0.0.0:8080");
    CHECK_FALSE(std::get<HostAddress>(r).guest_bound_any);
    CHECK_FALSE(std::get<HostAddress>(r).sets_v6only);
    r = map(v6("::", 8080), AddrUse::kBind, only);
    CHECK(host(r) == "127.6.6.1:8080");
    CHECK(std::get<HostAddress>(r).guest_bound_any);

    // ::1 on either; Linux then makes the socket v6-only.
    for (const SocketView& s : {dual, only}) {
      r = map(v6("::1", 8080), AddrUse::kBind, s);
      CHECK(host(r) == "127.6.6.1:8080");
      CHECK(std::get<HostAddress>(r).sets_v6only);
    }

    // v4-mapped: the IPv4 address on a dual-stack socket ("Binding to
    // v4-mapped address on a v6-only socket makes no sense": EINVAL).
    CHECK(host(map(v6("::ffff:10.1.2.3", 80), AddrUse::kBind, dual)) == "10.1.2.3:80");
    CHECK(host(map(v6("::ffff:0.0.0.0", 80), AddrUse::kBind, dual)) == "0.0.0.0:80");
    CHECK(err(map(v6("::ffff:10.1.2.3"), AddrUse::kBind, only)) == EINVAL);
    CHECK(err(map(v6("::ffff:127.0.0.1"), AddrUse::kBind, only)) == EINVAL);

    // No other IPv6 address is local.
    for (const char* a : {"2001:db8::1", "fd00::1", "fec0::1", "::2", "64:ff9b::1.2.3.4"}) {
      INFO(a);
      CHECK(err(map(v6(a), AddrUse::kBind, dual)) == EADDRNOTAVAIL);
      CHECK(err(map(v6(a), AddrUse::kBind, only)) == EADDRNOTAVAIL);
    }
    // Link-local needs an interface; lo has no link-local address; an
    // unknown interface is ENODEV. A 24-byte address has no scope id.
    CHECK(err(map(v6("fe80::1"), AddrUse::kBind, dual)) == EINVAL);
    CHECK(err(map(v6("fe80::1", 0, 1, 24), AddrUse::kBind, dual)) == EINVAL);
    CHECK(err(map(v6("fe80::1", 0, 1), AddrUse::kBind, dual)) == EADDRNOTAVAIL);
    CHECK(err(map(v6("fe80::1", 0, 99), AddrUse::kBind, dual)) == ENODEV);
    // The scope id is ignored where none is needed.
    CHECK(host(map(v6("::1", 0, 99), AddrUse::kBind, dual)) == "127.6.6.1:0");
  }
}

TEST_CASE("bind: multicast", "[inet6][bind]") {
  // TCP: EINVAL before anything else.
  for (const char* a : {"ff02::1", "ff0e::1", "ff01::1"})
    CHECK(err(map(v6(a, 0, 1), AddrUse::kBind, sock(SOCK_STREAM))) == EINVAL);
  // UDP: scoped groups need an interface (EINVAL / ENODEV as for link-local).
  CHECK(err(map(v6("ff02::1"), AddrUse::kBind, sock(SOCK_DGRAM))) == EINVAL);
  CHECK(err(map(v6("ff01::1"), AddrUse::kBind, sock(SOCK_DGRAM))) == EINVAL);
  CHECK(err(map(v6("ff02::1", 0, 99), AddrUse::kBind, sock(SOCK_DGRAM))) == ENODEV);
  // Linux binds UDP to any group; no IPv6 multicast can reach the guest, so
  // sentry refuses (documented deviation).
  CHECK(err(map(v6("ff0e::1"), AddrUse::kBind, sock(SOCK_DGRAM))) == EADDRNOTAVAIL);
  CHECK(err(map(v6("ff02::1", 0, 1), AddrUse::kBind, sock(SOCK_DGRAM))) == EADDRNOTAVAIL);
}

TEST_CASE("bind: lengths, families and check order", "[inet6][bind]") {
  for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
    for (bool only : {false, true}) {
      SocketView s = sock(type, only);
      for (std::size_t len : {0, 1, 2, 16, 23}) CHECK(err(map(v6("::1", 0, 0, len), AddrUse::kBind, s)) == EINVAL);
      CHECK(host(map(v6("::1", 0, 0, 24), AddrUse::kBind, s)) == "127.6.6.1:0");
      CHECK(host(map(v6("::1", 0, 0, 128), AddrUse::kBind, s)) == "127.6.6.1:0");
      // sockaddr_in: too short as a sockaddr_in6, or the wrong family.
      CHECK(err(map(v4("127.0.0.1"), AddrUse::kBind, s)) == EINVAL);
      CHECK(err(map(v4("127.0.0.1", 0, 28), AddrUse::kBind, s)) == EAFNOSUPPORT);
      CHECK(err(map(family(AF_UNSPEC, 28), AddrUse::kBind, s)) == EAFNOSUPPORT);
      CHECK(err(map(family(99, 28), AddrUse::kBind, s)) == EAFNOSUPPORT);
    }
  }
  // EACCES comes before "already bound" and before the address checks.
  SocketView s = sock(SOCK_STREAM, true);
  s.can_bind_privileged = false;
  CHECK(err(map(v6("::ffff:1.2.3.4", 80), AddrUse::kBind, s)) == EACCES);
  CHECK(err(map(v6("::1", 1023), AddrUse::kBind, s)) == EACCES);
  CHECK(host(map(v6("::1", 1024), AddrUse::kBind, s)) == "127.6.6.1:1024");
  CHECK(host(map(v6("::1", 0), AddrUse::kBind, s)) == "127.6.6.1:0");
  s.already_bound = true;
  CHECK(err(map(v6("::1", 80), AddrUse::kBind, s)) == EACCES);
  CHECK(err(map(v6("::1", 8080), AddrUse::kBind, s)) == EINVAL);
  CHECK(err(map(v6("2001:db8::1", 8080), AddrUse::kBind, s)) == EINVAL);
  // Multicast on TCP is EINVAL even before EACCES.
  CHECK(err(map(v6("ff0e::1", 80), AddrUse::kBind, s)) == EINVAL);
  // SO_BINDTODEVICE to a device that is gone.
  SocketView d = sock(SOCK_DGRAM);
  d.bound_dev_if = 7;
  CHECK(err(map(v6("::ffff:1.2.3.4"), AddrUse::kBind, d)) == ENODEV);
  CHECK(err(map(v6("::1"), AddrUse::kBind, d)) == ENODEV);
}

TEST_CASE("connect: the mapping rows", "[inet6][connect]") {
  for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
    INFO("type " << type);
    SocketView dual = sock(type), only = sock(type, true);
    for (const SocketView& s : {dual, only}) {
      // ::1, and :: which connect() takes as loopback (BSD'ism).
      CHECK(host(map(v6("::1", 443), AddrUse::kConnect, s)) == "127.6.6.1:443");
      CHECK(host(map(v6("::", 443), AddrUse::kConnect, s)) == "127.6.6.1:443");
      // No route for any other IPv6 address.
      for (const char* a : {"2001:db8::1", "fd00::1", "fec0::1", "::2", "ff05::1", "ff0e::1"}) {
        INFO(a);
        CHECK(err(map(v6(a), AddrUse::kConnect, s)) == ENETUNREACH);
      }
      CHECK(err(map(v6("fe80::1"), AddrUse::kConnect, s)) == EINVAL);  // needs an interface
      CHECK(err(map(v6("fe80::1", 5555, 1), AddrUse::kConnect, s)) == ENETUNREACH);
      CHECK(err(map(v6("fe80::1", 5555, 99), AddrUse::kConnect, s)) == ENETUNREACH);
    }
    // v4-mapped: the IPv4 address, or ENETUNREACH on a v6-only socket.
    CHECK(host(map(v6("::ffff:93.184.216.34", 80), AddrUse::kConnect, dual)) == "93.184.216.34:80");
    CHECK(host(map(v6("::ffff:127.0.0.1", 80), AddrUse::kConnect, dual)) == "127.0.0.1:80");
    CHECK(host(map(v6("::ffff:0.0.0.0", 80), AddrUse::kConnect, dual)) == "0.0.0.0:80");
    CHECK(err(map(v6("::ffff:93.184.216.34"), AddrUse::kConnect, only)) == ENETUNREACH);
    CHECK(err(map(v6("::ffff:127.6.6.1"), AddrUse::kConnect, only)) == ENETUNREACH);
  }
}

TEST_CASE("connect: a socket bound to another device has no route to ::1", "[inet6][connect]") {
  for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
    INFO("type " << type);
    SocketView s = sock(type);
    s.bound_dev_if = kGuestLoopbackIfindex;
    CHECK(host(map(v6("::1", 443), AddrUse::kConnect, s)) == "127.6.6.1:443");
    // SO_BINDTOIFINDEX takes any index; IPv6 finds no route, where the
    // host's IPv4 lookup answers ENODEV for an index that does not exist.
    for (int dev : {2, 64, 65536}) {
      INFO("dev " << dev);
      s.bound_dev_if = dev;
      CHECK(err(map(v6("::1", 443), AddrUse::kConnect, s)) == ENETUNREACH);
      CHECK(host(map(v6("::ffff:127.0.0.1", 80), AddrUse::kConnect, s)) == "127.0.0.1:80");  // the host decides
    }
  }
}

TEST_CASE("connect: multicast differs between TCP and UDP", "[inet6][connect]") {
  // tcp_v6_connect: any multicast is ENETUNREACH before the scope check.
  CHECK(err(map(v6("ff02::1"), AddrUse::kConnect, sock(SOCK_STREAM))) == ENETUNREACH);
  CHECK(err(map(v6("ff01::1"), AddrUse::kConnect, sock(SOCK_STREAM))) == ENETUNREACH);
  // __ip6_datagram_connect: scoped groups need an interface first.
  CHECK(err(map(v6("ff02::1"), AddrUse::kConnect, sock(SOCK_DGRAM))) == EINVAL);
  CHECK(err(map(v6("ff01::1"), AddrUse::kConnect, sock(SOCK_DGRAM))) == EINVAL);
  CHECK(err(map(v6("ff02::1", 5555, 1), AddrUse::kConnect, sock(SOCK_DGRAM))) == ENETUNREACH);
  SocketView s = sock(SOCK_DGRAM);
  s.mcast_oif = 1;  // IPV6_MULTICAST_IF stands in for the scope id
  CHECK(err(map(v6("ff02::1"), AddrUse::kConnect, s)) == ENETUNREACH);
  // A scope id that contradicts SO_BINDTODEVICE.
  for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
    SocketView b = sock(type);
    b.bound_dev_if = 1;
    CHECK(err(map(v6("fe80::1", 5555, 2), AddrUse::kConnect, b)) == EINVAL);
    CHECK(err(map(v6("fe80::1", 5555, 0), AddrUse::kConnect, b)) == ENETUNREACH);
  }
}

TEST_CASE("connect: a socket bound to a v4-mapped address", "[inet6][connect]") {
  for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
    SocketView s = sock(type);
    s.local_v4mapped = true;
    // :: is ::ffff:127.0.0.1 then, not ::1.
    CHECK(host(map(v6("::", 22), AddrUse::kConnect, s)) == "127.0.0.1:22");
    // A routable IPv6 destination from a v4-mapped source: EAFNOSUPPORT
    // (ip6_dst_lookup_tail); an unroutable one fails on the route first.
    CHECK(err(map(v6("::1"), AddrUse::kConnect, s)) == EAFNOSUPPORT);
    CHECK(err(map(v6("fd00::1"), AddrUse::kConnect, s)) == ENETUNREACH);
    CHECK(host(map(v6("::ffff:127.0.0.1", 22), AddrUse::kConnect, s)) == "127.0.0.1:22");
  }
}

TEST_CASE("connect: lengths and families per socket type", "[inet6][connect]") {
  for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
    for (bool only : {false, true}) {
      SocketView s = sock(type, only);
      // __inet_stream_connect / inet_dgram_connect: shorter than sa_family.
      CHECK(err(map(v6("::1", 1, 0, 0), AddrUse::kConnect, s)) == EINVAL);
      CHECK(err(map(v6("::1", 1, 0, 1), AddrUse::kConnect, s)) == EINVAL);
      // AF_UNSPEC: disconnect, whatever the length (>= 2).
      for (std::size_t len : {2, 16, 28}) CHECK(kind(map(family(AF_UNSPEC, len), AddrUse::kConnect, s)) == HostAddrKind::kDisconnect);
      CHECK(err(map(v6("::1", 1, 0, 2), AddrUse::kConnect, s)) == EINVAL);
      CHECK(err(map(v6("::1", 1, 0, 23), AddrUse::kConnect, s)) == EINVAL);
      CHECK(host(map(v6("::1", 1, 0, 24), AddrUse::kConnect, s)) == "127.6.6.1:1");
      CHECK(err(map(family(99, 28), AddrUse::kConnect, s)) == EAFNOSUPPORT);
    }
  }
  // AF_INET: TCP wants a sockaddr_in6 (EINVAL by length, else EAFNOSUPPORT)...
  for (bool only : {false, true}) {
    CHECK(err(map(v4("127.0.0.1"), AddrUse::kConnect, sock(SOCK_STREAM, only))) == EINVAL);
    CHECK(err(map(v4("127.0.0.1", 1, 28), AddrUse::kConnect, sock(SOCK_STREAM, only))) == EAFNOSUPPORT);
  }
  // ...UDP takes it as IPv4 on a dual-stack socket (ip4_datagram_connect),
  // EAFNOSUPPORT on a v6-only one, before any length check.
  CHECK(host(map(v4("192.0.2.7", 53), AddrUse::kConnect, sock(SOCK_DGRAM))) == "192.0.2.7:53");
  CHECK(host(map(v4("192.0.2.7", 53, 28), AddrUse::kConnect, sock(SOCK_DGRAM))) == "192.0.2.7:53");
  CHECK(err(map(v4("192.0.2.7", 53, 8), AddrUse::kConnect, sock(SOCK_DGRAM))) == EINVAL);
  CHECK(err(map(v4("192.0.2.7"), AddrUse::kConnect, sock(SOCK_DGRAM, true))) == EAFNOSUPPORT);
  CHECK(err(map(v4("192.0.2.7", 53, 8), AddrUse::kConnect, sock(SOCK_DGRAM, true))) == EAFNOSUPPORT);
}

TEST_CASE("sendto: UDP destinations", "[inet6][sendto]") {
  SocketView dual = sock(SOCK_DGRAM), only = sock(SOCK_DGRAM, true);
  for (const SocketView& s : {dual, only}) {
    CHECK(host(map(v6("::1", 53), AddrUse::kSendTo, s)) == "127.6.6.1:53");
    CHECK(host(map(v6("::", 53), AddrUse::kSendTo, s)) == "127.6.6.1:53");
    for (const char* a : {"2001:db8::1", "fd00::1", "fe80::1", "ff02::1", "ff0e::1", "::2"}) {
      INFO(a);
      CHECK(err(map(v6(a), AddrUse::kSendTo, s)) == ENETUNREACH);
      CHECK(err(map(v6(a, 53, 1), AddrUse::kSendTo, s)) == ENETUNREACH);
      // Port 0 is checked before the route.
      CHECK(err(map(v6(a, 0), AddrUse::kSendTo, s)) == EINVAL);
    }
    CHECK(err(map(v6("::1", 0), AddrUse::kSendTo, s)) == EINVAL);
    // Lengths and families (udpv6_sendmsg).
    CHECK(err(map(v6("::1", 53, 0, 0), AddrUse::kSendTo, s)) == EINVAL);
    CHECK(err(map(v6("::1", 53, 0, 1), AddrUse::kSendTo, s)) == EINVAL);
    CHECK(err(map(v6("::1", 53, 0, 2), AddrUse::kSendTo, s)) == EINVAL);
    CHECK(err(map(v6("::1", 53, 0, 23), AddrUse::kSendTo, s)) == EINVAL);
    CHECK(host(map(v6("::1", 53, 0, 128), AddrUse::kSendTo, s)) == "127.6.6.1:53");
    CHECK(err(map(family(99, 28), AddrUse::kSendTo, s)) == EINVAL);
    // AF_UNSPEC: as if no address were given (the connected peer).
    for (std::size_t len : {2, 16, 28}) CHECK(kind(map(family(AF_UNSPEC, len), AddrUse::kSendTo, s)) == HostAddrKind::kNone);
  }
  // v4-mapped and AF_INET: IPv4 on a dual-stack socket (port 0 is then the
  // host's EINVAL), ENETUNREACH on a v6-only one, before the length check.
  CHECK(host(map(v6("::ffff:8.8.8.8", 53), AddrUse::kSendTo, dual)) == "8.8.8.8:53");
  CHECK(host(map(v6("::ffff:8.8.8.8", 0), AddrUse::kSendTo, dual)) == "8.8.8.8:0");
  CHECK(err(map(v6("::ffff:8.8.8.8", 53), AddrUse::kSendTo, only)) == ENETUNREACH);
  CHECK(err(map(v6("::ffff:8.8.8.8", 0), AddrUse::kSendTo, only)) == ENETUNREACH);
  CHECK(host(map(v4("8.8.8.8", 53), AddrUse::kSendTo, dual)) == "8.8.8.8:53");
  CHECK(host(map(v4("8.8.8.8", 53, 28), AddrUse::kSendTo, dual)) == "8.8.8.8:53");
  CHECK(err(map(v4("8.8.8.8", 53, 8), AddrUse::kSendTo, dual)) == EINVAL);
  CHECK(err(map(v4("8.8.8.8", 53), AddrUse::kSendTo, only)) == ENETUNREACH);
  CHECK(err(map(v4("8.8.8.8", 53, 8), AddrUse::kSendTo, only)) == ENETUNREACH);
  // From a v4-mapped local address.
  SocketView m = sock(SOCK_DGRAM);
  m.local_v4mapped = true;
  CHECK(host(map(v6("::", 53), AddrUse::kSendTo, m)) == "127.0.0.1:53");
  CHECK(err(map(v6("::1", 53), AddrUse::kSendTo, m)) == EAFNOSUPPORT);
  CHECK(err(map(v6("fd00::1", 53), AddrUse::kSendTo, m)) == ENETUNREACH);
}

TEST_CASE("sendto: TCP ignores the address", "[inet6][sendto]") {
  for (bool only : {false, true}) {
    SocketView s = sock(SOCK_STREAM, only);
    CHECK(kind(map(v6("2001:db8::1"), AddrUse::kSendTo, s)) == HostAddrKind::kNone);
    CHECK(kind(map(family(99, 1), AddrUse::kSendTo, s)) == HostAddrKind::kNone);
    CHECK(kind(map(v4("1.2.3.4"), AddrUse::kSendTo, s)) == HostAddrKind::kNone);
  }
}

TEST_CASE("bytes past the length read as zero", "[inet6]") {
  // A 24-byte link-local address has no sin6_scope_id even if the guest's
  // buffer holds one past the length.
  Guest g = v6("fe80::1", 0, 1, 24);
  CHECK(err(map(g, AddrUse::kBind, sock(SOCK_DGRAM))) == EINVAL);
  g.len = 28;
  CHECK(err(map(g, AddrUse::kBind, sock(SOCK_DGRAM))) == EADDRNOTAVAIL);
}

TEST_CASE("to_guest: host addresses as the guest sees them", "[inet6][to_guest]") {
  sockaddr_in6 g = to_guest(hostaddr("127.6.6.1", 8080));
  CHECK(g.sin6_family == AF_INET6);
  CHECK(guest(g) == "[::1]:8080");
  CHECK(g.sin6_flowinfo == 0);
  CHECK(g.sin6_scope_id == 0);
  CHECK(guest(to_guest(hostaddr("0.0.0.0", 0))) == "[::]:0");
  CHECK(guest(to_guest(hostaddr("0.0.0.0", 1234))) == "[::]:1234");
  CHECK(guest(to_guest(hostaddr("127.0.0.1", 22))) == "[::ffff:127.0.0.1]:22");
  CHECK(guest(to_guest(hostaddr("93.184.216.34", 443))) == "[::ffff:93.184.216.34]:443");
  CHECK(guest(to_guest(hostaddr("255.255.255.255", 1))) == "[::ffff:255.255.255.255]:1");
  CHECK(sizeof(to_guest(hostaddr("1.2.3.4", 1))) == 28);
}

TEST_CASE("guest -> host -> guest round trips", "[inet6][to_guest]") {
  for (const char* a : {"::1", "::ffff:10.0.0.1", "::ffff:127.0.0.1", "::ffff:8.8.4.4"}) {
    INFO(a);
    auto r = map(v6(a, 4242), AddrUse::kConnect, sock(SOCK_STREAM));
    REQUIRE(std::holds_alternative<HostAddress>(r));
    sockaddr_in6 back = to_guest(std::get<HostAddress>(r).sin);
    sockaddr_in6 orig{};
    std::memcpy(&orig, v6(a, 4242).bytes, sizeof orig);
    CHECK(std::memcmp(&back, &orig, sizeof back) == 0);
  }
  // bind(::) on a dual-stack socket reports :: again.
  auto r = map(v6("::", 7), AddrUse::kBind, sock(SOCK_DGRAM));
  CHECK(guest(to_guest(std::get<HostAddress>(r).sin)) == "[::]:7");
}

TEST_CASE("talking to ::1 needs 127.6.6.1 as the source", "[inet6]") {
  sockaddr_in dst = hostaddr("127.6.6.1", 80);
  CHECK(needs_guest_loopback_source(dst, hostaddr("0.0.0.0", 0)));
  CHECK(needs_guest_loopback_source(dst, hostaddr("0.0.0.0", 4000)));
  CHECK_FALSE(needs_guest_loopback_source(dst, hostaddr("127.6.6.1", 4000)));
  CHECK_FALSE(needs_guest_loopback_source(dst, hostaddr("127.0.0.1", 4000)));
  CHECK_FALSE(needs_guest_loopback_source(hostaddr("127.0.0.1", 80), hostaddr("0.0.0.0", 0)));
  CHECK_FALSE(needs_guest_loopback_source(hostaddr("10.0.0.1", 80), hostaddr("0.0.0.0", 0)));
}

TEST_CASE("the brief's overload", "[inet6]") {
  Guest g = v6("::ffff:1.2.3.4", 9);
  CHECK(host(to_host(g.bytes, g.len, AddrUse::kConnect, false, SOCK_STREAM)) == "1.2.3.4:9");
  CHECK(err(to_host(g.bytes, g.len, AddrUse::kConnect, true, SOCK_STREAM)) == ENETUNREACH);
  CHECK(err(to_host(g.bytes, g.len, AddrUse::kBind, true, SOCK_DGRAM)) == EINVAL);
}
