// The control messages of a datagram received by the guest's AF_INET6
// socket, from the IPv4 ones the host wrote (netstack/ancillary.h).
#include "netstack/ancillary.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>
#include <cstring>
#include <vector>

using sentry::netstack::AncillaryWants;
using sentry::netstack::GuestControl;
using sentry::netstack::to_guest_control;

namespace {

void add(std::vector<std::uint8_t>& buf, int level, int type, const void* data, std::size_t len) {
  const std::size_t at = buf.size();
  buf.resize(at + CMSG_SPACE(len), 0);
  cmsghdr h{};
  h.cmsg_len = CMSG_LEN(len);
  h.cmsg_level = level;
  h.cmsg_type = type;
  std::memcpy(buf.data() + at, &h, sizeof h);
  std::memcpy(buf.data() + at + CMSG_LEN(0), data, len);
}

struct Msg {
  int level, type;
  std::vector<std::uint8_t> data;
};

std::vector<Msg> parse(const GuestControl& g) {
  std::vector<std::uint8_t> copy = g.bytes;
  msghdr m{};
  m.msg_control = copy.data();
  m.msg_controllen = copy.size();
  std::vector<Msg> out;
  for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c))
    out.push_back({c->cmsg_level, c->cmsg_type,
                   std::vector<std::uint8_t>(CMSG_DATA(c), CMSG_DATA(c) + (c->cmsg_len - CMSG_LEN(0)))});
  return out;
}

std::vector<std::uint8_t> host_control(std::uint32_t dst_host_order) {
  std::vector<std::uint8_t> host;
  in_pktinfo pi{};
  pi.ipi_ifindex = 1;
  pi.ipi_addr.s_addr = htonl(dst_host_order);
  add(host, IPPROTO_IP, IP_PKTINFO, &pi, sizeof pi);
  const int ttl = 7;
  add(host, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
  const std::uint8_t tos = 0x20;
  add(host, IPPROTO_IP, IP_TOS, &tos, 1);
  const int other = 5;
  add(host, SOL_SOCKET, SO_MARK, &other, sizeof other);  // any other message passes
  return host;
}

}  // namespace

TEST_CASE("ancillary: a datagram from ::1 gets IPv6 pktinfo, hop limit and traffic class") {
  const auto host = host_control(0x7f060601);
  AncillaryWants all{true, true, true};
  GuestControl g = to_guest_control(host.data(), host.size(), true, all, 1024);
  CHECK_FALSE(g.truncated);
  auto msgs = parse(g);
  REQUIRE(msgs.size() == 4);
  CHECK(msgs[0].level == IPPROTO_IPV6);
  CHECK(msgs[0].type == IPV6_PKTINFO);
  REQUIRE(msgs[0].data.size() == sizeof(in6_pktinfo));
  in6_pktinfo p6;
  std::memcpy(&p6, msgs[0].data.data(), sizeof p6);
  CHECK(IN6_IS_ADDR_LOOPBACK(&p6.ipi6_addr));
  CHECK(p6.ipi6_ifindex == 1u);
  CHECK(msgs[1].type == IPV6_HOPLIMIT);
  int v = 0;
  std::memcpy(&v, msgs[1].data.data(), sizeof v);
  CHECK(v == 7);
  CHECK(msgs[2].type == IPV6_TCLASS);
  REQUIRE(msgs[2].data.size() == sizeof(int));
  std::memcpy(&v, msgs[2].data.data(), sizeof v);
  CHECK(v == 0x20);
  CHECK((msgs[3].level == SOL_SOCKET && msgs[3].type == SO_MARK));
}

TEST_CASE("ancillary: an IPv4 datagram gets only the mapped pktinfo, as udpv6_recvmsg gives") {
  const auto host = host_control(0x7f000001);
  GuestControl g = to_guest_control(host.data(), host.size(), false, AncillaryWants{true, true, true}, 1024);
  auto msgs = parse(g);
  REQUIRE(msgs.size() == 2);
  in6_pktinfo p6;
  std::memcpy(&p6, msgs[0].data.data(), sizeof p6);
  CHECK(IN6_IS_ADDR_V4MAPPED(&p6.ipi6_addr));
  CHECK(msgs[1].type == SO_MARK);
}

TEST_CASE("ancillary: what was not asked for is dropped; what does not fit truncates") {
  const auto host = host_control(0x7f060601);
  GuestControl none = to_guest_control(host.data(), host.size(), true, AncillaryWants{false, true, false}, 1024);
  auto msgs = parse(none);
  // IP_PKTINFO and IP_TOS pass as the host wrote them (the guest asked for
  // them at IPPROTO_IP); the TTL is the hop limit it asked for.
  REQUIRE(msgs.size() == 4);
  CHECK((msgs[0].level == IPPROTO_IP && msgs[0].type == IP_PKTINFO));
  CHECK((msgs[1].level == IPPROTO_IPV6 && msgs[1].type == IPV6_HOPLIMIT));
  CHECK((msgs[2].level == IPPROTO_IP && msgs[2].type == IP_TOS));
  GuestControl small = to_guest_control(host.data(), host.size(), true, AncillaryWants{true, true, true},
                                        CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_LEN(sizeof(int)));
  CHECK(small.truncated);
  CHECK(parse(small).size() == 2);
  CHECK(small.bytes.size() <= CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_LEN(sizeof(int)));
}
