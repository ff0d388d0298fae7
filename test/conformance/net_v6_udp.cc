// AF_INET6 UDP socket in dual-stack mode bound to `::`: datagrams from
// AF_INET senders arrive with v4-mapped source addresses (recvfrom, recvmsg,
// recvmmsg, truncated names), replies to v4-mapped destinations reach the v4
// senders, an AF_INET destination address on the AF_INET6 socket (gVisor
// issue 1495), short address lengths, and a global IPv6 destination.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <string>

#include "conformance.h"
#include "net_util.h"

namespace {

using namespace conformance;

// Does the routing table (as /proc shows it) have an IPv6 default route that
// is not the kernel's reject entry? Without one, 2001:db8::1 is unreachable.
bool has_ipv6_default_route() {
  FILE* f = std::fopen("/proc/net/ipv6_route", "r");
  if (f == nullptr) return false;
  char line[512];
  bool found = false;
  while (std::fgets(line, sizeof line, f) != nullptr) {
    char dst[33], plen[3], src[33], splen[3], next[33];
    unsigned metric, ref, use, flags;
    if (std::sscanf(line, "%32s %2s %32s %2s %32s %x %x %x %x", dst, plen, src,
                    splen, next, &metric, &ref, &use, &flags) != 9)
      continue;
    const unsigned kRtfReject = 0x0200, kRtfUp = 0x0001;
    if (std::string(dst) == std::string(32, '0') && std::string(plen) == "00" &&
        (flags & kRtfUp) != 0 && (flags & kRtfReject) == 0)
      found = true;
  }
  std::fclose(f);
  return found;
}

void test_udp() {
  int srv = socket(AF_INET6, SOCK_DGRAM, 0);
  CHECK(srv >= 0);
  int zero = 0;
  CHECK_OK(setsockopt(srv, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero));
  sockaddr_in6 any = v6addr(in6addr_any, 0);
  CHECK_OK(bind(srv, sa(&any), sizeof any));
  sockaddr_in6 bound{};
  socklen_t blen = sizeof bound;
  CHECK_OK(getsockname(srv, sa(&bound), &blen));
  CHECK(blen == 28);
  const uint16_t port = bound.sin6_port;
  CHECK(port != 0);

  // Two AF_INET clients, implicitly bound by their first sendto.
  int ca = socket(AF_INET, SOCK_DGRAM, 0);
  int cb = socket(AF_INET, SOCK_DGRAM, 0);
  CHECK(ca >= 0 && cb >= 0);
  sockaddr_in dst = v4addr(INADDR_LOOPBACK, port);
  CHECK(sendto(ca, "a0", 2, 0, sa(&dst), sizeof dst) == 2);
  CHECK(sendto(cb, "b0", 2, 0, sa(&dst), sizeof dst) == 2);
  CHECK(sendto(ca, "a1", 2, 0, sa(&dst), sizeof dst) == 2);
  CHECK(sendto(cb, "b1", 2, 0, sa(&dst), sizeof dst) == 2);
  const uint16_t pa = port_of(ca), pb = port_of(cb);
  CHECK(pa != 0 && pb != 0 && pa != pb);

  // recvfrom: every datagram carries its own sender. Loopback keeps order.
  const char* expect_data[4] = {"a0", "b0", "a1", "b1"};
  const uint16_t expect_port[4] = {pa, pb, pa, pb};
  for (int i = 0; i < 2; ++i) {
    CHECK(readable(srv));
    char buf[16] = {};
    sockaddr_in6 from;
    std::memset(&from, 0xa5, sizeof from);
    socklen_t flen = sizeof from;
    CHECK(recvfrom(srv, buf, sizeof buf, 0, sa(&from), &flen) == 2);
    CHECK(flen == 28);
    CHECK(is_mapped_loopback(from));
    CHECK(from.sin6_port == expect_port[i]);
    CHECK(from.sin6_flowinfo == 0);
    CHECK(from.sin6_scope_id == 0);
    CHECK(std::memcmp(buf, expect_data[i], 2) == 0);
  }
  // recvmsg: msg_name likewise, msg_namelen becomes 28.
  {
    char buf[16] = {};
    sockaddr_in6 from;
    std::memset(&from, 0xa5, sizeof from);
    iovec iov{buf, sizeof buf};
    msghdr mh{};
    mh.msg_name = &from;
    mh.msg_namelen = 64;  // larger than needed: shrunk to 28
    mh.msg_iov = &iov;
    mh.msg_iovlen = 1;
    CHECK(recvmsg(srv, &mh, 0) == 2);
    CHECK(mh.msg_namelen == 28);
    CHECK(is_mapped_loopback(from));
    CHECK(from.sin6_port == expect_port[2]);
    CHECK(std::memcmp(buf, expect_data[2], 2) == 0);
    CHECK(mh.msg_flags == 0);
  }
  // recvfrom with a 16-byte buffer: 16 bytes copied, length reports 28.
  {
    unsigned char name[32];
    std::memset(name, 0xa5, sizeof name);
    char buf[16] = {};
    socklen_t flen = 16;
    CHECK(recvfrom(srv, buf, sizeof buf, 0, sa(name), &flen) == 2);
    CHECK(flen == 28);
    sockaddr_in6 part{};
    std::memcpy(&part, name, 16);
    CHECK(part.sin6_family == AF_INET6);
    CHECK(part.sin6_port == expect_port[3]);
    CHECK(name[16] == 0xa5);
    CHECK(std::memcmp(buf, expect_data[3], 2) == 0);
  }

  // Replies to v4-mapped destinations reach the v4 clients, which see the
  // server as AF_INET 127.0.0.1:port.
  for (int i = 0; i < 2; ++i) {
    int c = i == 0 ? ca : cb;
    sockaddr_in6 to = v6addr(kMappedLoopback, i == 0 ? pa : pb);
    CHECK(sendto(srv, i == 0 ? "ra" : "rb", 2, 0, sa(&to), sizeof to) == 2);
    CHECK(readable(c));
    char buf[16] = {};
    sockaddr_in from{};
    socklen_t flen = sizeof from;
    CHECK(recvfrom(c, buf, sizeof buf, 0, sa(&from), &flen) == 2);
    CHECK(flen == sizeof(sockaddr_in));
    CHECK(from.sin_family == AF_INET);
    CHECK(from.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
    CHECK(from.sin_port == port);
    CHECK(std::memcmp(buf, i == 0 ? "ra" : "rb", 2) == 0);
  }
  // A sockaddr_in6 of the old RFC 2133 size (24, no scope id) is accepted;
  // anything shorter is EINVAL.
  {
    sockaddr_in6 to = v6addr(kMappedLoopback, pa);
    CHECK(sendto(srv, "r24", 3, 0, sa(&to), 24) == 3);
    CHECK(readable(ca));
    char buf[16];
    CHECK(recv(ca, buf, sizeof buf, 0) == 3);
    CHECK_ERR(sendto(srv, "r", 1, 0, sa(&to), 23), EINVAL);
    CHECK_ERR(sendto(srv, "r", 1, 0, sa(&to), 1), EINVAL);
  }

  // recvmmsg with two queued datagrams from two senders.
  CHECK(sendto(cb, "B", 1, 0, sa(&dst), sizeof dst) == 1);
  CHECK(sendto(ca, "AA", 2, 0, sa(&dst), sizeof dst) == 2);
  {
    CHECK(readable(srv));
    sockaddr_in6 names[2];
    std::memset(names, 0xa5, sizeof names);
    char bufs[2][16] = {};
    iovec iovs[2] = {{bufs[0], 16}, {bufs[1], 16}};
    mmsghdr msgs[2]{};
    for (int i = 0; i < 2; ++i) {
      msgs[i].msg_hdr.msg_name = &names[i];
      msgs[i].msg_hdr.msg_namelen = sizeof names[i];
      msgs[i].msg_hdr.msg_iov = &iovs[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    int got = 0;
    for (int tries = 0; tries < 100 && got < 2; ++tries) {
      int r = recvmmsg(srv, msgs + got, 2 - got, MSG_DONTWAIT, nullptr);
      if (r > 0) got += r;
      else readable(srv, 10);
    }
    CHECK(got == 2);
    CHECK(msgs[0].msg_len == 1 && bufs[0][0] == 'B');
    CHECK(msgs[1].msg_len == 2 && bufs[1][0] == 'A');
    for (int i = 0; i < 2; ++i) {
      CHECK(msgs[i].msg_hdr.msg_namelen == 28);
      CHECK(is_mapped_loopback(names[i]));
    }
    CHECK(names[0].sin6_port == pb);
    CHECK(names[1].sin6_port == pa);
  }

  // An AF_INET destination address on a dual-stack AF_INET6 socket: Linux
  // hands it to the IPv4 path and the datagram is sent (gVisor issue 1495).
  // The previously unbound socket is autobound to a port; its local address
  // stays the IPv6 wildcard `::`.
  {
    int s6 = socket(AF_INET6, SOCK_DGRAM, 0);
    CHECK(s6 >= 0);
    CHECK_OK(setsockopt(s6, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero));
    sockaddr_in to4 = v4addr(INADDR_LOOPBACK, port);
    CHECK(sendto(s6, "v4dst", 5, 0, sa(&to4), sizeof to4) == 5);
    sockaddr_in6 name{};
    socklen_t nlen = sizeof name;
    CHECK_OK(getsockname(s6, sa(&name), &nlen));
    CHECK(nlen == 28);
    CHECK(name.sin6_family == AF_INET6);
    CHECK(IN6_IS_ADDR_UNSPECIFIED(&name.sin6_addr));
    CHECK(name.sin6_port != 0);
    CHECK(readable(srv));
    char buf[16] = {};
    sockaddr_in6 from{};
    socklen_t flen = sizeof from;
    CHECK(recvfrom(srv, buf, sizeof buf, 0, sa(&from), &flen) == 5);
    CHECK(std::memcmp(buf, "v4dst", 5) == 0);
    CHECK(is_mapped_loopback(from));
    CHECK(from.sin6_port == name.sin6_port);
    // A reply comes back to the v6 socket as a v4-mapped sender.
    CHECK(sendto(srv, "back", 4, 0, sa(&from), flen) == 4);
    CHECK(readable(s6));
    sockaddr_in6 from2{};
    socklen_t f2len = sizeof from2;
    CHECK(recvfrom(s6, buf, sizeof buf, 0, sa(&from2), &f2len) == 4);
    CHECK(f2len == 28);
    CHECK(is_mapped_loopback(from2));
    CHECK(from2.sin6_port == port);
    // A sockaddr_in that is too short: EINVAL.
    CHECK_ERR(sendto(s6, "x", 1, 0, sa(&to4), 8), EINVAL);
    // With IPV6_V6ONLY the AF_INET destination is refused: ENETUNREACH.
    int s6only = socket(AF_INET6, SOCK_DGRAM, 0);
    int one = 1;
    CHECK_OK(setsockopt(s6only, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one));
    CHECK_ERR(sendto(s6only, "x", 1, 0, sa(&to4), sizeof to4), ENETUNREACH);
    sockaddr_in6 tom = v6addr(kMappedLoopback, port);
    CHECK_ERR(sendto(s6only, "x", 1, 0, sa(&tom), sizeof tom), ENETUNREACH);
    close(s6only);
    close(s6);
  }

  // A global IPv6 destination (2001:db8::1, documentation prefix): without an
  // IPv6 default route it is ENETUNREACH. If the host has a default route we
  // only check that connect() (route lookup, nothing is sent) succeeds.
  {
    int s6 = socket(AF_INET6, SOCK_DGRAM, 0);
    CHECK(s6 >= 0);
    sockaddr_in6 g{};
    g.sin6_family = AF_INET6;
    CHECK(inet_pton(AF_INET6, "2001:db8::1", &g.sin6_addr) == 1);
    g.sin6_port = htons(9);
    if (has_ipv6_default_route()) {
      CHECK_OK(connect(s6, sa(&g), sizeof g));
    } else {
      CHECK_ERR(sendto(s6, "x", 1, 0, sa(&g), sizeof g), ENETUNREACH);
      CHECK_ERR(connect(s6, sa(&g), sizeof g), ENETUNREACH);
    }
    close(s6);
  }

  // Nothing left anywhere.
  char b;
  CHECK_ERR(recv(srv, &b, 1, MSG_DONTWAIT), EAGAIN);
  CHECK_ERR(recv(ca, &b, 1, MSG_DONTWAIT), EAGAIN);
  CHECK_ERR(recv(cb, &b, 1, MSG_DONTWAIT), EAGAIN);
  close(ca);
  close(cb);
  close(srv);
}

}  // namespace

int main() {
  test_udp();
  return conformance::finish();
}
