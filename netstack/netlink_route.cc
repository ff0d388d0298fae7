// NETLINK_ROUTE responder; see netlink_route.h. Layouts and orders follow
// Linux 6.18, checked against a real kernel in a fresh network namespace.
#include "netstack/netlink_route.h"

#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace sentry::netstack {

namespace {

using Bytes = std::vector<std::uint8_t>;

// include/uapi/linux/if_addr.h IFAPROT_KERNEL_LO / IFAPROT_KERNEL_LL.
constexpr std::uint8_t kIfaProtKernelLo = 1;
constexpr std::uint8_t kIfaProtKernelLl = 2;
constexpr std::uint32_t kInfinityLifeTime = 0xFFFFFFFFu;
constexpr std::uint32_t kGsoMaxSegs = 65535;  // GSO_MAX_SEGS
constexpr std::uint32_t kGsoMaxSize = 65536;  // GSO_LEGACY_MAX_SIZE

// Sizes of the 6.18 structures (rtnl_link_stats: 24 __u32; rtnl_link_stats64:
// 25 __u64, ending with rx_otherhost_dropped; rtnl_link_ifmap: 32 bytes).
constexpr std::size_t kLinkStatsSize = 96;
constexpr std::size_t kLinkStats64Size = 200;
constexpr std::size_t kLinkIfmapSize = 32;

// One netlink message under construction: header, fixed payload, rtattrs.
// Every attribute is padded to RTA_ALIGNTO and nlmsg_len counts that padding,
// as the kernel's nlmsg_end() (tail - header) does.
class Message {
 public:
  Message(std::uint16_t type, std::uint16_t flags, std::uint32_t seq, std::uint32_t pid) {
    nlmsghdr h{};
    h.nlmsg_type = type;
    h.nlmsg_flags = flags;
    h.nlmsg_seq = seq;
    h.nlmsg_pid = pid;
    append(&h, sizeof h);
  }
  void payload(const void* p, std::size_t n) {
    append(p, n);
    pad(NLMSG_ALIGN(b_.size()));
  }
  void attr(std::uint16_t type, const void* p, std::size_t n) {
    rtattr a{};
    a.rta_len = static_cast<unsigned short>(RTA_LENGTH(n));
    a.rta_type = type;
    append(&a, sizeof a);
    append(p, n);
    pad(RTA_ALIGN(b_.size()));
  }
  void attr_u8(std::uint16_t type, std::uint8_t v) { attr(type, &v, 1); }
  void attr_u32(std::uint16_t type, std::uint32_t v) { attr(type, &v, 4); }
  void attr_str(std::uint16_t type, const std::string& s) { attr(type, s.c_str(), s.size() + 1); }
  void attr_zero(std::uint16_t type, std::size_t n) {
    Bytes z(n, 0);
    attr(type, z.data(), n);
  }
  Bytes finish() {
    std::uint32_t len = static_cast<std::uint32_t>(b_.size());
    std::memcpy(b_.data() + offsetof(nlmsghdr, nlmsg_len), &len, sizeof len);
    return std::move(b_);
  }

 private:
  void append(const void* p, std::size_t n) {
    auto* c = static_cast<const std::uint8_t*>(p);
    b_.insert(b_.end(), c, c + n);
  }
  void pad(std::size_t to) { b_.resize(to, 0); }
  Bytes b_;
};

// net/core/rtnetlink.c rtnl_fill_ifinfo, the attributes a consumer of
// getifaddrs/if_nameindex or `ip link` looks at, in the kernel's order.
Bytes newlink(const Interface& i, std::uint16_t flags, std::uint32_t seq, std::uint32_t pid) {
  Message m(RTM_NEWLINK, flags, seq, pid);
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_type = i.type;
  ifi.ifi_index = i.index;
  ifi.ifi_flags = i.flags;
  ifi.ifi_change = 0;
  m.payload(&ifi, sizeof ifi);
  m.attr_str(IFLA_IFNAME, i.name);
  m.attr_u32(IFLA_TXQLEN, i.txqlen);
  m.attr_u8(IFLA_OPERSTATE, i.operstate);
  m.attr_u8(IFLA_LINKMODE, 0);
  m.attr_u32(IFLA_MTU, static_cast<std::uint32_t>(i.mtu));
  m.attr_u32(IFLA_GROUP, 0);
  m.attr_u32(IFLA_PROMISCUITY, (i.flags & IFF_PROMISC) ? 1 : 0);
  m.attr_u32(IFLA_NUM_TX_QUEUES, 1);
  m.attr_u32(IFLA_GSO_MAX_SEGS, kGsoMaxSegs);
  m.attr_u32(IFLA_GSO_MAX_SIZE, kGsoMaxSize);
  m.attr_u32(IFLA_NUM_RX_QUEUES, 1);
  m.attr_u8(IFLA_CARRIER, (i.flags & IFF_RUNNING) ? 1 : 0);
  m.attr_u32(IFLA_CARRIER_CHANGES, 0);
  m.attr_u8(IFLA_PROTO_DOWN, 0);
  m.attr(IFLA_ADDRESS, i.mac.data(), i.mac.size());
  m.attr(IFLA_BROADCAST, i.broadcast.data(), i.broadcast.size());
  m.attr_zero(IFLA_STATS64, kLinkStats64Size);  // 8-aligned already on x86_64: no IFLA_PAD
  m.attr_zero(IFLA_STATS, kLinkStatsSize);
  m.attr_str(IFLA_QDISC, i.qdisc);
  m.attr_zero(IFLA_MAP, kLinkIfmapSize);
  return m.finish();
}

ifa_cacheinfo permanent_cacheinfo() {
  ifa_cacheinfo ci{};
  ci.ifa_prefered = kInfinityLifeTime;
  ci.ifa_valid = kInfinityLifeTime;
  ci.cstamp = 0;  // hundredths of a second since boot; the kernel's creation time
  ci.tstamp = 0;
  return ci;
}

// net/ipv4/devinet.c inet_fill_ifaddr.
Bytes newaddr4(const Interface& i, const Ipv4Addr& a, std::uint32_t seq, std::uint32_t pid) {
  Message m(RTM_NEWADDR, NLM_F_MULTI, seq, pid);
  const std::uint32_t host = ntohl(a.addr.s_addr);
  const bool loopback = (host >> 24) == 127;
  ifaddrmsg ifa{};
  ifa.ifa_family = AF_INET;
  ifa.ifa_prefixlen = static_cast<unsigned char>(a.prefixlen);
  ifa.ifa_flags = IFA_F_PERMANENT;
  ifa.ifa_scope = loopback ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
  ifa.ifa_index = static_cast<std::uint32_t>(i.index);
  m.payload(&ifa, sizeof ifa);
  m.attr(IFA_ADDRESS, &a.addr, 4);
  m.attr(IFA_LOCAL, &a.addr, 4);
  // `ip addr add a/len brd +`, what DHCP clients configure; none on loopback.
  if (!loopback && !(i.flags & IFF_LOOPBACK) && a.prefixlen < 31) {
    std::uint32_t mask = a.prefixlen == 0 ? 0 : ~0u << (32 - a.prefixlen);
    in_addr brd{htonl(host | ~mask)};
    m.attr(IFA_BROADCAST, &brd, 4);
  }
  m.attr_str(IFA_LABEL, a.label.empty() ? i.name : a.label);
  m.attr_u32(IFA_FLAGS, IFA_F_PERMANENT);
  ifa_cacheinfo ci = permanent_cacheinfo();
  m.attr(IFA_CACHEINFO, &ci, sizeof ci);
  return m.finish();
}

// net/ipv6/addrconf.c inet6_fill_ifaddr (no peer: IFA_ADDRESS only).
Bytes newaddr6(const Interface& i, const Ipv6Addr& a, std::uint32_t seq, std::uint32_t pid,
               std::uint16_t flags) {
  Message m(RTM_NEWADDR, flags, seq, pid);
  const bool loopback = IN6_IS_ADDR_LOOPBACK(&a.addr);
  const bool linklocal = IN6_IS_ADDR_LINKLOCAL(&a.addr);
  ifaddrmsg ifa{};
  ifa.ifa_family = AF_INET6;
  ifa.ifa_prefixlen = static_cast<unsigned char>(a.prefixlen);
  ifa.ifa_flags = IFA_F_PERMANENT;
  ifa.ifa_scope = loopback    ? RT_SCOPE_HOST
                  : linklocal ? RT_SCOPE_LINK
                  : IN6_IS_ADDR_SITELOCAL(&a.addr) ? RT_SCOPE_SITE
                                                   : RT_SCOPE_UNIVERSE;
  ifa.ifa_index = static_cast<std::uint32_t>(i.index);
  m.payload(&ifa, sizeof ifa);
  m.attr(IFA_ADDRESS, &a.addr, sizeof a.addr);
  ifa_cacheinfo ci = permanent_cacheinfo();
  m.attr(IFA_CACHEINFO, &ci, sizeof ci);
  m.attr_u32(IFA_FLAGS, IFA_F_PERMANENT);
  if (loopback) m.attr_u8(IFA_PROTO, kIfaProtKernelLo);
  else if (linklocal) m.attr_u8(IFA_PROTO, kIfaProtKernelLl);
  return m.finish();
}

// net/netlink/af_netlink.c netlink_dump_done: NLM_F_MULTI, payload the
// dump's final status (0).
Bytes done(std::uint32_t seq, std::uint32_t pid) {
  Message m(NLMSG_DONE, NLM_F_MULTI, seq, pid);
  std::int32_t status = 0;
  m.payload(&status, sizeof status);
  return m.finish();
}

// net/netlink/af_netlink.c netlink_ack. `req` points at the request's
// header and `req_len` is its nlmsg_len.
Bytes ack(const std::uint8_t* req, std::uint32_t req_len, int err, bool cap_ack, std::uint32_t pid) {
  nlmsghdr h;
  std::memcpy(&h, req, sizeof h);
  const bool capped = err == 0 || cap_ack;
  Message m(NLMSG_ERROR, capped ? NLM_F_CAPPED : 0, h.nlmsg_seq, pid);
  Bytes body(sizeof(nlmsgerr), 0);
  std::int32_t e = err;
  std::memcpy(body.data(), &e, sizeof e);
  std::memcpy(body.data() + offsetof(nlmsgerr, msg), &h, sizeof h);
  if (!capped) body.insert(body.end(), req + NLMSG_HDRLEN, req + req_len);  // nlmsg_append
  m.payload(body.data(), body.size());
  return m.finish();
}

// The datagrams of a dump: messages packed while they fit in `limit`, then
// NLMSG_DONE alone (`split_done`) or appended when it fits.
std::vector<Bytes> pack_dump(const std::vector<Bytes>& msgs, Bytes done_msg, bool split_done,
                             std::size_t limit) {
  std::vector<Bytes> out;
  Bytes cur;
  for (const Bytes& m : msgs) {
    if (!cur.empty() && cur.size() + m.size() > limit) out.push_back(std::exchange(cur, {}));
    cur.insert(cur.end(), m.begin(), m.end());
  }
  if (split_done || (!cur.empty() && cur.size() + done_msg.size() > limit)) {
    if (!cur.empty()) out.push_back(std::exchange(cur, {}));
  }
  cur.insert(cur.end(), done_msg.begin(), done_msg.end());
  out.push_back(std::move(cur));
  return out;
}

// The attributes after a fixed header of `hdrlen` bytes: the value of the
// first of type `type`, if any.
bool find_attr(const std::uint8_t* msg, std::uint32_t msg_len, std::size_t hdrlen, std::uint16_t type,
               std::string* out) {
  std::size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);
  while (off + sizeof(rtattr) <= msg_len) {
    rtattr a;
    std::memcpy(&a, msg + off, sizeof a);
    if (a.rta_len < sizeof(rtattr) || off + a.rta_len > msg_len) return false;
    if (a.rta_type == type) {
      const char* p = reinterpret_cast<const char*>(msg + off + RTA_LENGTH(0));
      std::size_t n = a.rta_len - RTA_LENGTH(0);
      *out = std::string(p, strnlen(p, n));
      return true;
    }
    off += RTA_ALIGN(a.rta_len);
  }
  return false;
}

}  // namespace

std::vector<Interface> default_interfaces() {
  Interface lo;
  lo.index = 1;
  lo.name = "lo";
  lo.flags = IFF_UP | IFF_LOOPBACK | IFF_RUNNING | kIffLowerUp;
  lo.mac = {};
  lo.mtu = 65536;
  lo.type = ARPHRD_LOOPBACK;
  lo.broadcast = {};
  lo.txqlen = 1000;
  lo.operstate = kIfOperUnknown;
  lo.qdisc = "noqueue";
  Ipv4Addr v4;
  v4.addr.s_addr = htonl(INADDR_LOOPBACK);
  v4.prefixlen = 8;
  lo.v4.push_back(v4);
  Ipv6Addr v6;
  v6.addr = in6addr_loopback;
  v6.prefixlen = 128;
  lo.v6.push_back(v6);
  return {lo};
}

NetlinkRouteResponder::NetlinkRouteResponder(std::vector<Interface> interfaces,
                                             std::size_t max_datagram)
    : interfaces_(std::move(interfaces)), max_datagram_(max_datagram) {}

std::vector<std::vector<std::uint8_t>> NetlinkRouteResponder::handle(const std::uint8_t* req,
                                                                     std::size_t len,
                                                                     std::uint32_t pid) const {
  std::vector<Bytes> out;
  // netlink_rcv_skb: "while (skb->len >= nlmsg_total_size(0))".
  std::size_t off = 0;
  while (len - off >= NLMSG_HDRLEN) {
    const std::uint8_t* msg = req + off;
    nlmsghdr h;
    std::memcpy(&h, msg, sizeof h);
    if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len - off) break;
    const std::size_t payload = h.nlmsg_len - NLMSG_HDRLEN;
    int err = 0;
    bool dumped = false;

    // "Only requests are handled by the kernel"; control messages skipped.
    if ((h.nlmsg_flags & NLM_F_REQUEST) && h.nlmsg_type >= NLMSG_MIN_TYPE) {
      // rtnetlink_rcv_msg.
      if (h.nlmsg_type > RTM_MAX) {
        err = -EOPNOTSUPP;
      } else if (payload < sizeof(rtgenmsg)) {
        // "All the messages must have at least 1 byte length": return 0.
      } else {
        const int kind = (h.nlmsg_type - RTM_BASE) & 3;  // rtnl_msgtype_kind
        const std::uint8_t family = msg[NLMSG_HDRLEN];   // rtgen_family
        if (kind != 2) {
          err = -EPERM;  // RTNL_KIND_NEW/DEL/SET need CAP_NET_ADMIN
        } else if (h.nlmsg_flags & NLM_F_DUMP) {
          if (h.nlmsg_type == RTM_GETLINK) {
            // rtnl_dump_ifinfo (PF_UNSPEC); PF_BRIDGE has its own dumper,
            // rtnl_bridge_getlink, which lists bridge ports: none here.
            std::vector<Bytes> msgs;
            if (family != AF_BRIDGE)
              for (const Interface& i : interfaces_)
                msgs.push_back(newlink(i, NLM_F_MULTI, h.nlmsg_seq, pid));
            for (Bytes& d : pack_dump(msgs, done(h.nlmsg_seq, pid), true, max_datagram_))
              out.push_back(std::move(d));
            dumped = true;
          } else if (h.nlmsg_type == RTM_GETADDR) {
            // AF_INET: inet_dump_ifaddr; AF_INET6: inet6_dump_ifaddr; any
            // other family falls back to PF_UNSPEC's rtnl_dump_all, which
            // runs the families in order (AF_INET first).
            std::vector<Bytes> msgs;
            if (family != AF_INET6)
              for (const Interface& i : interfaces_)
                for (const Ipv4Addr& a : i.v4) msgs.push_back(newaddr4(i, a, h.nlmsg_seq, pid));
            if (family != AF_INET)
              for (const Interface& i : interfaces_)
                for (const Ipv6Addr& a : i.v6)
                  msgs.push_back(newaddr6(i, a, h.nlmsg_seq, pid, NLM_F_MULTI));
            // Only the AF_INET6 dumper is not registered with
            // RTNL_FLAG_DUMP_SPLIT_NLM_DONE.
            const bool split = family != AF_INET6;
            for (Bytes& d : pack_dump(msgs, done(h.nlmsg_seq, pid), split, max_datagram_))
              out.push_back(std::move(d));
            dumped = true;
          } else {
            err = -EOPNOTSUPP;  // no dumper modelled
          }
        } else if (h.nlmsg_type == RTM_GETLINK) {
          // rtnl_getlink via rtnl_valid_getlink_req (non-strict).
          if (payload < sizeof(ifinfomsg)) {
            err = -EINVAL;
          } else {
            ifinfomsg ifi;
            std::memcpy(&ifi, msg + NLMSG_HDRLEN, sizeof ifi);
            std::string name;
            const Interface* found = nullptr;
            if (ifi.ifi_index > 0) {
              for (const Interface& i : interfaces_)
                if (i.index == ifi.ifi_index) found = &i;
              if (!found) err = -ENODEV;
            } else if (find_attr(msg, h.nlmsg_len, sizeof(ifinfomsg), IFLA_IFNAME, &name) ||
                       find_attr(msg, h.nlmsg_len, sizeof(ifinfomsg), IFLA_ALT_IFNAME, &name)) {
              for (const Interface& i : interfaces_)
                if (i.name == name) found = &i;
              if (!found) err = -ENODEV;
            } else {
              err = -EINVAL;
            }
            if (found) out.push_back(newlink(*found, 0, h.nlmsg_seq, pid));
          }
        } else {
          err = -EOPNOTSUPP;  // no doit modelled (RTM_GETADDR has one only for AF_INET6)
        }
      }
    }
    // "if (nlh->nlmsg_flags & NLM_F_ACK || err) netlink_ack(...)"; a started
    // dump returns -EINTR, which skips the ack.
    if (!dumped && (err != 0 || (h.nlmsg_flags & NLM_F_ACK)))
      out.push_back(ack(msg, h.nlmsg_len, err, cap_ack_, pid));

    std::size_t step = NLMSG_ALIGN(h.nlmsg_len);
    if (step > len - off) step = len - off;
    off += step;
  }
  return out;
}

}  // namespace sentry::netstack
