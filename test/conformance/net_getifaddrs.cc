// Interface discovery restricted to the loopback interface: getifaddrs()
// (lo with 127.0.0.1/8, ::1/128 when IPv6 loopback works, and its link
// entry), if_nameindex()/if_nametoindex()/if_indextoname(), the SIOCGIF*
// ioctls on lo, and which netlink protocols socket() accepts.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "conformance.h"

namespace {

bool ipv6_loopback_works() {
  int s = socket(AF_INET6, SOCK_DGRAM, 0);
  if (s < 0) return false;
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  bool ok = bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(s);
  return ok;
}

void test_getifaddrs() {
  ifaddrs* list = nullptr;
  CHECK_OK(getifaddrs(&list));
  bool v4 = false, v6 = false, link = false;
  for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_name == nullptr || std::strcmp(i->ifa_name, "lo") != 0) continue;
    CHECK((i->ifa_flags & (IFF_UP | IFF_LOOPBACK)) == (IFF_UP | IFF_LOOPBACK));
    if (i->ifa_addr == nullptr) continue;
    if (i->ifa_addr->sa_family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
      if (a->sin_addr.s_addr != htonl(INADDR_LOOPBACK)) continue;
      v4 = true;
      CHECK(i->ifa_netmask != nullptr);
      if (i->ifa_netmask != nullptr) {
        auto* m = reinterpret_cast<sockaddr_in*>(i->ifa_netmask);
        CHECK(m->sin_family == AF_INET);
        CHECK(m->sin_addr.s_addr == htonl(0xff000000u));
      }
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(i->ifa_addr);
      if (!IN6_IS_ADDR_LOOPBACK(&a->sin6_addr)) continue;
      v6 = true;
      CHECK(a->sin6_scope_id == 0);
      CHECK(i->ifa_netmask != nullptr);
      if (i->ifa_netmask != nullptr) {
        auto* m = reinterpret_cast<sockaddr_in6*>(i->ifa_netmask);
        CHECK(m->sin6_family == AF_INET6);
        for (int k = 0; k < 16; ++k) CHECK(m->sin6_addr.s6_addr[k] == 0xff);
      }
    } else if (i->ifa_addr->sa_family == AF_PACKET) {
      link = true;
    }
  }
  CHECK(v4);
  CHECK(link);
  if (ipv6_loopback_works()) CHECK(v6);
  freeifaddrs(list);
}

void test_nameindex() {
  struct if_nameindex* names = if_nameindex();
  CHECK(names != nullptr);
  unsigned lo_index = 0;
  for (struct if_nameindex* p = names; p != nullptr && p->if_index != 0; ++p) {
    CHECK(p->if_name != nullptr);
    if (p->if_name != nullptr && std::strcmp(p->if_name, "lo") == 0)
      lo_index = p->if_index;
  }
  if (names != nullptr) if_freenameindex(names);
  CHECK(lo_index >= 1);
  CHECK(if_nametoindex("lo") == lo_index);
  char buf[IF_NAMESIZE] = {};
  CHECK(if_indextoname(lo_index, buf) != nullptr);
  CHECK(std::strcmp(buf, "lo") == 0);
  errno = 0;
  CHECK(if_nametoindex("nosuchif0") == 0);
  // Index 0 never names an interface.
  CHECK_ERR(if_indextoname(0, buf) == nullptr ? -1 : 0, ENXIO);
}

void test_ioctls() {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  CHECK(s >= 0);
  ifreq r{};
  std::strcpy(r.ifr_name, "lo");
  CHECK_OK(ioctl(s, SIOCGIFINDEX, &r));
  CHECK(static_cast<unsigned>(r.ifr_ifindex) == if_nametoindex("lo"));
  r = {};
  std::strcpy(r.ifr_name, "lo");
  CHECK_OK(ioctl(s, SIOCGIFFLAGS, &r));
  CHECK((r.ifr_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING)) ==
        (IFF_UP | IFF_LOOPBACK | IFF_RUNNING));
  r = {};
  std::strcpy(r.ifr_name, "lo");
  CHECK_OK(ioctl(s, SIOCGIFADDR, &r));
  auto* a = reinterpret_cast<sockaddr_in*>(&r.ifr_addr);
  CHECK(a->sin_family == AF_INET);
  CHECK(a->sin_addr.s_addr == htonl(INADDR_LOOPBACK));
  r = {};
  std::strcpy(r.ifr_name, "lo");
  CHECK_OK(ioctl(s, SIOCGIFNETMASK, &r));
  CHECK(reinterpret_cast<sockaddr_in*>(&r.ifr_netmask)->sin_addr.s_addr ==
        htonl(0xff000000u));
  r = {};
  std::strcpy(r.ifr_name, "lo");
  CHECK_OK(ioctl(s, SIOCGIFMTU, &r));
  CHECK(r.ifr_mtu > 0);
  // SIOCGIFNAME: index -> name.
  r = {};
  r.ifr_ifindex = static_cast<int>(if_nametoindex("lo"));
  CHECK_OK(ioctl(s, SIOCGIFNAME, &r));
  CHECK(std::strcmp(r.ifr_name, "lo") == 0);
  // An unknown interface: ENODEV.
  r = {};
  std::strcpy(r.ifr_name, "nosuchif0");
  CHECK_ERR(ioctl(s, SIOCGIFINDEX, &r), ENODEV);
  CHECK_ERR(ioctl(s, SIOCGIFFLAGS, &r), ENODEV);
  // SIOCGIFCONF lists lo with 127.0.0.1 (IPv4 addresses only).
  ifreq reqs[64];
  ifconf conf{};
  conf.ifc_len = sizeof reqs;
  conf.ifc_req = reqs;
  CHECK_OK(ioctl(s, SIOCGIFCONF, &conf));
  CHECK(conf.ifc_len > 0 && conf.ifc_len % static_cast<int>(sizeof(ifreq)) == 0);
  bool found = false;
  for (int i = 0; i < conf.ifc_len / static_cast<int>(sizeof(ifreq)); ++i) {
    auto* ia = reinterpret_cast<sockaddr_in*>(&reqs[i].ifr_addr);
    CHECK(ia->sin_family == AF_INET);
    if (std::strcmp(reqs[i].ifr_name, "lo") == 0 &&
        ia->sin_addr.s_addr == htonl(INADDR_LOOPBACK))
      found = true;
  }
  CHECK(found);
  // With a null buffer, SIOCGIFCONF reports the needed length.
  ifconf probe{};
  probe.ifc_len = 0;
  probe.ifc_req = nullptr;
  CHECK_OK(ioctl(s, SIOCGIFCONF, &probe));
  CHECK(probe.ifc_len == conf.ifc_len);
  close(s);
}

void test_netlink_sockets() {
  int r = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
  CHECK(r >= 0);
  int d = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE);
  CHECK(d >= 0);
  int dom = -1;
  socklen_t len = sizeof dom;
  CHECK_OK(getsockopt(r, SOL_SOCKET, SO_DOMAIN, &dom, &len));
  CHECK(dom == AF_NETLINK);
  // Binding with pid 0 gets an automatic port id, the process id for the
  // first netlink socket of the process.
  sockaddr_nl nl{};
  nl.nl_family = AF_NETLINK;
  CHECK_OK(bind(r, reinterpret_cast<sockaddr*>(&nl), sizeof nl));
  sockaddr_nl got{};
  socklen_t glen = sizeof got;
  CHECK_OK(getsockname(r, reinterpret_cast<sockaddr*>(&got), &glen));
  CHECK(glen == sizeof(sockaddr_nl));
  CHECK(got.nl_family == AF_NETLINK);
  CHECK(got.nl_pid == static_cast<unsigned>(getpid()));
  // SOL_NETLINK options are ints that read back as 0/1; a short optlen is
  // not an error but sets 0 (netlink_setsockopt only reads a whole int).
  int ext_ack = -1;
  socklen_t olen = sizeof ext_ack;
  CHECK_OK(getsockopt(r, SOL_NETLINK, NETLINK_EXT_ACK, &ext_ack, &olen));
  CHECK(ext_ack == 0);
  int five = 5;
  CHECK_OK(setsockopt(r, SOL_NETLINK, NETLINK_EXT_ACK, &five, sizeof five));
  olen = sizeof ext_ack;
  CHECK_OK(getsockopt(r, SOL_NETLINK, NETLINK_EXT_ACK, &ext_ack, &olen));
  CHECK(ext_ack == 1);
  CHECK_OK(setsockopt(r, SOL_NETLINK, NETLINK_EXT_ACK, &five, 2));
  olen = sizeof ext_ack;
  CHECK_OK(getsockopt(r, SOL_NETLINK, NETLINK_EXT_ACK, &ext_ack, &olen));
  CHECK(ext_ack == 0);
  close(d);
  close(r);
  // Netlink sockets are SOCK_RAW or SOCK_DGRAM only.
  CHECK_ERR(socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE), ESOCKTNOSUPPORT);
  CHECK_ERR(socket(AF_NETLINK, SOCK_SEQPACKET, NETLINK_ROUTE), ESOCKTNOSUPPORT);
  // Protocol numbers with no kernel user (31) and out of range (32, -1).
  CHECK_ERR(socket(AF_NETLINK, SOCK_RAW, 31), EPROTONOSUPPORT);
  CHECK_ERR(socket(AF_NETLINK, SOCK_RAW, 32), EPROTONOSUPPORT);
  CHECK_ERR(socket(AF_NETLINK, SOCK_RAW, -1), EPROTONOSUPPORT);
}

}  // namespace

int main() {
  test_getifaddrs();
  test_nameindex();
  test_ioctls();
  test_netlink_sockets();
  return conformance::finish();
}
