// NetlinkRouteResponder's answers, parsed with the standard NLMSG_*/RTA_*
// macros the way glibc's getifaddrs (sysdeps/unix/sysv/linux/ifaddrs.c) and
// if_nameindex (if_index.c) do: messages filtered by nlmsg_pid and
// nlmsg_seq, read until NLMSG_DONE, NLMSG_ERROR turned into errno. The
// framing (which messages share a datagram) is the one Linux 6.18 uses.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "netstack/netlink_route.h"

using namespace sentry::netstack;

namespace {

using Bytes = std::vector<std::uint8_t>;
constexpr std::uint32_t kPortid = 4242;

Bytes request(std::uint16_t type, std::uint16_t flags, std::uint32_t seq, Bytes payload) {
  Bytes b(NLMSG_LENGTH(payload.size()));
  nlmsghdr h{};
  h.nlmsg_len = static_cast<std::uint32_t>(b.size());
  h.nlmsg_type = type;
  h.nlmsg_flags = flags;
  h.nlmsg_seq = seq;
  std::memcpy(b.data(), &h, sizeof h);
  if (!payload.empty()) std::memcpy(b.data() + NLMSG_HDRLEN, payload.data(), payload.size());
  return b;
}

// glibc's __netlink_request: struct { nlmsghdr; rtgenmsg; char pad[3]; }.
Bytes glibc_request(std::uint16_t type, std::uint32_t seq) {
  return request(type, NLM_F_ROOT | NLM_F_MATCH | NLM_F_REQUEST, seq, {AF_UNSPEC, 0, 0, 0});
}

std::vector<Bytes> ask(const NetlinkRouteResponder& r, const Bytes& req) {
  return r.handle(req.data(), req.size(), kPortid);
}

struct Link {
  int index = 0;
  unsigned short type = 0;
  unsigned flags = 0;
  std::string name;
  Bytes address, broadcast;
  std::uint32_t mtu = 0;
  std::size_t stats_size = 0;
};

struct Addr {
  int family = 0;
  unsigned prefixlen = 0, scope = 0, flags = 0;
  int index = 0;
  std::string address, local, broadcast, label;
};

std::string ntop(int family, const void* p) {
  char buf[INET6_ADDRSTRLEN];
  return inet_ntop(family, p, buf, sizeof buf) ? buf : "?";
}

// glibc's receive loop. Checks the framing invariants on the way: every
// message NLMSG_ALIGNed and wholly inside its datagram, NLM_F_MULTI on dump
// parts, nothing after NLMSG_DONE. Returns 0 or the errno of an NLMSG_ERROR.
struct Parsed {
  std::vector<Link> links;
  std::vector<Addr> addrs;
  int error = 0;
  bool done = false;
};

Parsed parse(const std::vector<Bytes>& datagrams, std::uint32_t seq) {
  Parsed p;
  for (const Bytes& d : datagrams) {
    REQUIRE_FALSE(p.done);
    REQUIRE(d.size() % NLMSG_ALIGNTO == 0);
    int len = static_cast<int>(d.size());
    std::size_t seen = 0;
    const nlmsghdr* last = nullptr;
    for (auto* nh = reinterpret_cast<const nlmsghdr*>(d.data()); NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
      seen += NLMSG_ALIGN(nh->nlmsg_len);
      last = nh;
      REQUIRE(nh->nlmsg_pid == kPortid);
      REQUIRE(nh->nlmsg_seq == seq);
      if (nh->nlmsg_type == NLMSG_DONE) {
        REQUIRE(nh->nlmsg_len == NLMSG_LENGTH(sizeof(int)));
        REQUIRE((nh->nlmsg_flags & NLM_F_MULTI) != 0);
        int status;
        std::memcpy(&status, NLMSG_DATA(nh), sizeof status);
        REQUIRE(status == 0);
        p.done = true;
        break;
      }
      if (nh->nlmsg_type == NLMSG_ERROR) {
        REQUIRE(nh->nlmsg_len >= NLMSG_LENGTH(sizeof(nlmsgerr)));
        auto* e = static_cast<const nlmsgerr*>(NLMSG_DATA(nh));
        p.error = -e->error;
        p.done = true;
        break;
      }
      if (nh->nlmsg_type == RTM_NEWLINK) {
        auto* ifim = static_cast<const ifinfomsg*>(NLMSG_DATA(nh));
        Link l;
        l.index = ifim->ifi_index;
        l.type = ifim->ifi_type;
        l.flags = ifim->ifi_flags;
        int rtasize = IFLA_PAYLOAD(nh);
        for (auto* rta = IFLA_RTA(ifim); RTA_OK(rta, rtasize); rta = RTA_NEXT(rta, rtasize)) {
          const auto* data = static_cast<const std::uint8_t*>(RTA_DATA(rta));
          std::size_t n = RTA_PAYLOAD(rta);
          switch (rta->rta_type) {
            case IFLA_IFNAME: l.name = reinterpret_cast<const char*>(data); break;
            case IFLA_ADDRESS: l.address.assign(data, data + n); break;
            case IFLA_BROADCAST: l.broadcast.assign(data, data + n); break;
            case IFLA_MTU: std::memcpy(&l.mtu, data, 4); break;
            case IFLA_STATS: l.stats_size = n; break;
          }
        }
        REQUIRE(rtasize == 0);  // attributes fill the message exactly
        p.links.push_back(l);
      } else if (nh->nlmsg_type == RTM_NEWADDR) {
        auto* ifam = static_cast<const ifaddrmsg*>(NLMSG_DATA(nh));
        Addr a;
        a.family = ifam->ifa_family;
        a.prefixlen = ifam->ifa_prefixlen;
        a.scope = ifam->ifa_scope;
        a.flags = ifam->ifa_flags;
        a.index = static_cast<int>(ifam->ifa_index);
        int rtasize = IFA_PAYLOAD(nh);
        for (auto* rta = IFA_RTA(ifam); RTA_OK(rta, rtasize); rta = RTA_NEXT(rta, rtasize)) {
          const void* data = RTA_DATA(rta);
          switch (rta->rta_type) {
            case IFA_ADDRESS: a.address = ntop(a.family, data); break;
            case IFA_LOCAL: a.local = ntop(a.family, data); break;
            case IFA_BROADCAST: a.broadcast = ntop(a.family, data); break;
            case IFA_LABEL: a.label = static_cast<const char*>(data); break;
          }
        }
        REQUIRE(rtasize == 0);
        p.addrs.push_back(a);
      } else {
        FAIL("unexpected message type " << nh->nlmsg_type);
      }
    }
    if (p.done) {  // the loop stopped at DONE/ERROR: it must end the datagram
      REQUIRE(last != nullptr);
      REQUIRE(static_cast<std::size_t>(len) == NLMSG_ALIGN(last->nlmsg_len));
    } else {
      REQUIRE(len == 0);  // no trailing bytes
    }
    REQUIRE(seen == d.size());
  }
  return p;
}

const nlmsghdr& header(const Bytes& d) { return *reinterpret_cast<const nlmsghdr*>(d.data()); }

Interface eth0() {
  Interface e;
  e.index = 2;
  e.name = "eth0";
  e.flags = IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST | kIffLowerUp;
  e.mac = {0x02, 0x42, 0xac, 0x11, 0x00, 0x02};
  e.mtu = 1500;
  Ipv4Addr a;
  inet_pton(AF_INET, "172.17.0.2", &a.addr);
  a.prefixlen = 16;
  e.v4.push_back(a);
  Ipv6Addr ll;
  inet_pton(AF_INET6, "fe80::42:acff:fe11:2", &ll.addr);
  ll.prefixlen = 64;
  e.v6.push_back(ll);
  return e;
}

}  // namespace

TEST_CASE("RTM_GETLINK dump: lo, then NLMSG_DONE alone", "[netlink]") {
  NetlinkRouteResponder r;
  auto out = ask(r, glibc_request(RTM_GETLINK, 7));
  REQUIRE(out.size() == 2);
  CHECK(header(out[0]).nlmsg_type == RTM_NEWLINK);
  CHECK(header(out[0]).nlmsg_flags == NLM_F_MULTI);
  CHECK(out[1].size() == NLMSG_LENGTH(sizeof(int)));
  CHECK(header(out[1]).nlmsg_type == NLMSG_DONE);
  CHECK(header(out[1]).nlmsg_flags == NLM_F_MULTI);

  Parsed p = parse(out, 7);
  CHECK(p.done);
  CHECK(p.error == 0);
  REQUIRE(p.links.size() == 1);
  const Link& lo = p.links[0];
  CHECK(lo.index == 1);
  CHECK(lo.name == "lo");
  CHECK(lo.type == ARPHRD_LOOPBACK);
  CHECK(lo.flags == (IFF_UP | IFF_LOOPBACK | IFF_RUNNING | kIffLowerUp));
  CHECK(lo.flags == 0x10049);
  CHECK(lo.mtu == 65536);
  CHECK(lo.address == Bytes(6, 0));
  CHECK(lo.broadcast == Bytes(6, 0));
  CHECK(lo.stats_size == 96);  // struct rtnl_link_stats, glibc's ifa_data
}

TEST_CASE("RTM_GETADDR dump: 127.0.0.1/8 and ::1/128 as the kernel reports them", "[netlink]") {
  NetlinkRouteResponder r;
  auto out = ask(r, glibc_request(RTM_GETADDR, 8));
  REQUIRE(out.size() == 2);  // both families in one datagram, DONE alone
  Parsed p = parse(out, 8);
  CHECK(p.done);
  REQUIRE(p.addrs.size() == 2);
  const Addr& a4 = p.addrs[0];
  CHECK(a4.family == AF_INET);
  CHECK(a4.prefixlen == 8);
  CHECK(a4.index == 1);
  CHECK(a4.scope == RT_SCOPE_HOST);
  CHECK(a4.flags == IFA_F_PERMANENT);
  CHECK(a4.address == "127.0.0.1");
  CHECK(a4.local == "127.0.0.1");
  CHECK(a4.label == "lo");
  CHECK(a4.broadcast.empty());  // no broadcast on loopback
  const Addr& a6 = p.addrs[1];
  CHECK(a6.family == AF_INET6);
  CHECK(a6.prefixlen == 128);
  CHECK(a6.scope == RT_SCOPE_HOST);
  CHECK(a6.address == "::1");
  CHECK(a6.local.empty());  // IFA_LOCAL only for point-to-point v6 addresses
  CHECK(a6.label.empty());
}

TEST_CASE("RTM_GETADDR dump per family and its DONE framing", "[netlink]") {
  NetlinkRouteResponder r;
  auto v4 = ask(r, request(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 1, Bytes{AF_INET, 0, 0, 0, 0, 0, 0, 0}));
  REQUIRE(v4.size() == 2);
  Parsed p4 = parse(v4, 1);
  REQUIRE(p4.addrs.size() == 1);
  CHECK(p4.addrs[0].family == AF_INET);

  // inet6_dump_ifaddr is not "split": NLMSG_DONE follows in the same datagram.
  auto v6 = ask(r, request(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 2, Bytes{AF_INET6, 0, 0, 0, 0, 0, 0, 0}));
  REQUIRE(v6.size() == 1);
  Parsed p6 = parse(v6, 2);
  CHECK(p6.done);
  REQUIRE(p6.addrs.size() == 1);
  CHECK(p6.addrs[0].family == AF_INET6);

  // An interface list with no addresses: DONE only.
  std::vector<Interface> bare = default_interfaces();
  bare[0].v4.clear();
  bare[0].v6.clear();
  NetlinkRouteResponder empty(bare);
  auto none = ask(empty, glibc_request(RTM_GETADDR, 3));
  REQUIRE(none.size() == 1);
  CHECK(header(none[0]).nlmsg_type == NLMSG_DONE);
}

TEST_CASE("messages and attributes are aligned", "[netlink]") {
  NetlinkRouteResponder r({default_interfaces()[0], eth0()});
  for (std::uint16_t type : {RTM_GETLINK, RTM_GETADDR}) {
    for (const Bytes& d : ask(r, glibc_request(type, 1))) {
      std::size_t off = 0;
      while (off < d.size()) {
        nlmsghdr h;
        std::memcpy(&h, d.data() + off, sizeof h);
        REQUIRE(h.nlmsg_len % NLMSG_ALIGNTO == 0);  // includes the last attribute's padding
        REQUIRE(off + h.nlmsg_len <= d.size());
        if (h.nlmsg_type != NLMSG_DONE) {
          std::size_t hdr = type == RTM_GETLINK ? sizeof(ifinfomsg) : sizeof(ifaddrmsg);
          std::size_t a = off + NLMSG_HDRLEN + NLMSG_ALIGN(hdr);
          while (a < off + h.nlmsg_len) {
            rtattr ra;
            std::memcpy(&ra, d.data() + a, sizeof ra);
            REQUIRE(ra.rta_len >= sizeof(rtattr));
            a += RTA_ALIGN(ra.rta_len);
          }
          REQUIRE(a == off + h.nlmsg_len);
        }
        off += NLMSG_ALIGN(h.nlmsg_len);
      }
      REQUIRE(off == d.size());
    }
  }
}

TEST_CASE("more interfaces: order, broadcast, link-local scope", "[netlink]") {
  NetlinkRouteResponder r({default_interfaces()[0], eth0()});
  Parsed links = parse(ask(r, glibc_request(RTM_GETLINK, 5)), 5);
  REQUIRE(links.links.size() == 2);
  CHECK(links.links[1].name == "eth0");
  CHECK(links.links[1].type == ARPHRD_ETHER);
  CHECK(links.links[1].address == Bytes{0x02, 0x42, 0xac, 0x11, 0x00, 0x02});
  CHECK(links.links[1].broadcast == Bytes(6, 0xff));

  Parsed addrs = parse(ask(r, glibc_request(RTM_GETADDR, 6)), 6);
  REQUIRE(addrs.addrs.size() == 4);
  // All IPv4 first (rtnl_dump_all runs AF_INET before AF_INET6).
  CHECK(addrs.addrs[0].address == "127.0.0.1");
  CHECK(addrs.addrs[1].address == "172.17.0.2");
  CHECK(addrs.addrs[1].broadcast == "172.17.255.255");
  CHECK(addrs.addrs[1].label == "eth0");
  CHECK(addrs.addrs[1].scope == RT_SCOPE_UNIVERSE);
  CHECK(addrs.addrs[2].address == "::1");
  CHECK(addrs.addrs[3].address == "fe80::42:acff:fe11:2");
  CHECK(addrs.addrs[3].scope == RT_SCOPE_LINK);
  CHECK(addrs.addrs[3].index == 2);
}

TEST_CASE("a dump larger than a datagram continues in the next", "[netlink]") {
  std::vector<Interface> many;
  for (int i = 1; i <= 12; ++i) {
    Interface e = eth0();
    e.index = i;
    e.name = "eth" + std::to_string(i);
    many.push_back(e);
  }
  NetlinkRouteResponder r(many);
  auto out = ask(r, glibc_request(RTM_GETLINK, 9));
  REQUIRE(out.size() > 2);
  for (const Bytes& d : out) CHECK(d.size() <= kNlmsgGoodSize);
  CHECK(header(out.back()).nlmsg_type == NLMSG_DONE);
  Parsed p = parse(out, 9);
  REQUIRE(p.links.size() == 12);
  for (int i = 0; i < 12; ++i) CHECK(p.links[static_cast<std::size_t>(i)].index == i + 1);

  // A smaller limit, and if_nameindex's view: names by index.
  NetlinkRouteResponder small(many, 1024);
  auto tiny = ask(small, glibc_request(RTM_GETLINK, 10));
  CHECK(tiny.size() == 13);  // one NEWLINK a datagram, then DONE
  Parsed q = parse(tiny, 10);
  REQUIRE(q.links.size() == 12);
  CHECK(q.links[11].name == "eth12");
}

TEST_CASE("errors and acks", "[netlink]") {
  NetlinkRouteResponder r;

  SECTION("an unmodelled dump: -EOPNOTSUPP with the request echoed") {
    Bytes req = request(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 11, Bytes(12, 0));
    auto out = ask(r, req);
    REQUIRE(out.size() == 1);
    const nlmsghdr& h = header(out[0]);
    CHECK(h.nlmsg_type == NLMSG_ERROR);
    CHECK(h.nlmsg_flags == 0);
    CHECK(h.nlmsg_seq == 11);
    CHECK(h.nlmsg_pid == kPortid);
    CHECK(h.nlmsg_len == NLMSG_LENGTH(sizeof(int)) + req.size());
    auto* e = static_cast<const nlmsgerr*>(NLMSG_DATA(&h));
    CHECK(e->error == -EOPNOTSUPP);
    CHECK(std::memcmp(&e->msg, req.data(), req.size()) == 0);
    CHECK(parse(out, 11).error == EOPNOTSUPP);
  }
  SECTION("a type beyond RTM_MAX") {
    auto out = ask(r, request(RTM_MAX + 1, NLM_F_REQUEST, 12, {0, 0, 0, 0}));
    REQUIRE(out.size() == 1);
    CHECK(parse(out, 12).error == EOPNOTSUPP);
  }
  SECTION("changes need CAP_NET_ADMIN") {
    for (std::uint16_t t : {RTM_NEWLINK, RTM_DELADDR, RTM_SETLINK, RTM_NEWROUTE})
      CHECK(parse(ask(r, request(t, NLM_F_REQUEST | NLM_F_ACK, 13, Bytes(16, 0))), 13).error == EPERM);
  }
  SECTION("NETLINK_CAP_ACK: the error carries the header only") {
    r.set_cap_ack(true);
    auto out = ask(r, request(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 14, Bytes(12, 0)));
    REQUIRE(out.size() == 1);
    CHECK(header(out[0]).nlmsg_flags == NLM_F_CAPPED);
    CHECK(header(out[0]).nlmsg_len == NLMSG_LENGTH(sizeof(nlmsgerr)));
  }
  SECTION("not a request: ignored, acked only if asked") {
    CHECK(ask(r, request(RTM_GETLINK, NLM_F_DUMP, 15, {0, 0, 0, 0})).empty());
    auto out = ask(r, request(RTM_GETLINK, NLM_F_ACK, 16, {0, 0, 0, 0}));
    REQUIRE(out.size() == 1);
    CHECK(header(out[0]).nlmsg_type == NLMSG_ERROR);
    CHECK(header(out[0]).nlmsg_flags == NLM_F_CAPPED);
    CHECK(header(out[0]).nlmsg_len == NLMSG_LENGTH(sizeof(nlmsgerr)));
    CHECK(static_cast<const nlmsgerr*>(NLMSG_DATA(&header(out[0])))->error == 0);
  }
  SECTION("an empty payload is ignored; control messages only acked") {
    CHECK(ask(r, request(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 17, {})).empty());
    CHECK(ask(r, request(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK, 17, {})).size() == 1);
    CHECK(ask(r, request(NLMSG_NOOP, NLM_F_REQUEST, 18, {})).empty());
    CHECK(ask(r, request(NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, 18, {})).size() == 1);
  }
  SECTION("a dump is never acked") {
    auto out = ask(r, request(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK, 19, {0, 0, 0, 0}));
    CHECK(out.size() == 2);
    CHECK(header(out.back()).nlmsg_type == NLMSG_DONE);
  }
  SECTION("a truncated message stops processing") {
    Bytes req = glibc_request(RTM_GETLINK, 20);
    CHECK(r.handle(req.data(), req.size() - 1, kPortid).empty());
    req[0] = 8;  // nlmsg_len below the header
    CHECK(ask(r, req).empty());
  }
}

TEST_CASE("RTM_GETLINK for one interface", "[netlink]") {
  NetlinkRouteResponder r({default_interfaces()[0], eth0()});
  auto by_index = [&](int index, std::uint16_t flags) {
    ifinfomsg ifi{};
    ifi.ifi_index = index;
    Bytes p(sizeof ifi);
    std::memcpy(p.data(), &ifi, sizeof ifi);
    return ask(r, request(RTM_GETLINK, flags, 30, p));
  };
  auto out = by_index(2, NLM_F_REQUEST);
  REQUIRE(out.size() == 1);
  CHECK(header(out[0]).nlmsg_type == RTM_NEWLINK);
  CHECK(header(out[0]).nlmsg_flags == 0);  // not part of a dump
  Parsed p = parse(out, 30);
  REQUIRE(p.links.size() == 1);
  CHECK(p.links[0].name == "eth0");

  out = by_index(2, NLM_F_REQUEST | NLM_F_ACK);  // the reply, then the ack
  REQUIRE(out.size() == 2);
  CHECK(header(out[1]).nlmsg_type == NLMSG_ERROR);
  CHECK(static_cast<const nlmsgerr*>(NLMSG_DATA(&header(out[1])))->error == 0);

  CHECK(parse(by_index(9, NLM_F_REQUEST), 30).error == ENODEV);
  CHECK(parse(by_index(0, NLM_F_REQUEST), 30).error == EINVAL);  // neither index nor name
  CHECK(parse(ask(r, request(RTM_GETLINK, NLM_F_REQUEST, 30, {0, 0, 0, 0})), 30).error == EINVAL);

  // By IFLA_IFNAME.
  auto by_name = [&](const std::string& name) {
    Bytes p(sizeof(ifinfomsg), 0);
    rtattr a{};
    a.rta_len = static_cast<unsigned short>(RTA_LENGTH(name.size() + 1));
    a.rta_type = IFLA_IFNAME;
    p.insert(p.end(), reinterpret_cast<std::uint8_t*>(&a), reinterpret_cast<std::uint8_t*>(&a) + sizeof a);
    p.insert(p.end(), name.begin(), name.end());
    p.push_back(0);
    p.resize(RTA_ALIGN(p.size()), 0);
    return ask(r, request(RTM_GETLINK, NLM_F_REQUEST, 31, p));
  };
  Parsed lo = parse(by_name("lo"), 31);
  REQUIRE(lo.links.size() == 1);
  CHECK(lo.links[0].index == 1);
  CHECK(parse(by_name("wlan0"), 31).error == ENODEV);

  // RTM_GETADDR without NLM_F_DUMP has no handler for AF_UNSPEC.
  CHECK(parse(ask(r, request(RTM_GETADDR, NLM_F_REQUEST, 32, Bytes(8, 0))), 32).error == EOPNOTSUPP);
}

TEST_CASE("several requests in one datagram are answered in order", "[netlink]") {
  NetlinkRouteResponder r;
  Bytes a = glibc_request(RTM_GETLINK, 40);
  Bytes b = request(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 41, Bytes(12, 0));
  Bytes both = a;
  both.insert(both.end(), b.begin(), b.end());
  auto out = ask(r, both);
  REQUIRE(out.size() == 3);
  CHECK(header(out[0]).nlmsg_seq == 40);
  CHECK(header(out[1]).nlmsg_type == NLMSG_DONE);
  CHECK(header(out[2]).nlmsg_type == NLMSG_ERROR);
  CHECK(header(out[2]).nlmsg_seq == 41);
}
