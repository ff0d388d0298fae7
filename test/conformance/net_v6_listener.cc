// AF_INET6 TCP listener in dual-stack mode (IPV6_V6ONLY=0) bound to `::`:
// AF_INET clients are accepted with v4-mapped peer addresses (::ffff:a.b.c.d)
// in 28-byte sockaddr_in6 structures; accept/accept4 flag handling, address
// truncation, SO_DOMAIN, getsockname/getpeername on both ends, data in both
// directions; AF_INET6 clients connecting to ::ffff:127.0.0.1 and to ::1.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include "conformance.h"
#include "file_util.h"
#include "net_util.h"

namespace {

using namespace conformance;

// Write `n` bytes, read them back on the other side.
void round_trip(int from, int to, const char* msg) {
  size_t n = std::strlen(msg);
  CHECK(write(from, msg, n) == static_cast<ssize_t>(n));
  char buf[64] = {};
  size_t got = 0;
  for (int i = 0; i < 100 && got < n; ++i) {
    ssize_t r = read(to, buf + got, sizeof buf - 1 - got);
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  CHECK(got == n);
  CHECK(std::memcmp(buf, msg, n) == 0);
}

void test_dual_stack() {
  // The default of IPV6_V6ONLY comes from net.ipv6.bindv6only (0 by default).
  int lst = socket(AF_INET6, SOCK_STREAM, 0);
  CHECK(lst >= 0);
  const int sysdefault = read_proc_int("/proc/sys/net/ipv6/bindv6only", 0);
  CHECK(get_int(lst, IPPROTO_IPV6, IPV6_V6ONLY) == sysdefault);
  int zero = 0;
  CHECK_OK(setsockopt(lst, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero));
  CHECK(get_int(lst, IPPROTO_IPV6, IPV6_V6ONLY) == 0);
  CHECK(get_int(lst, SOL_SOCKET, SO_DOMAIN) == AF_INET6);
  CHECK(get_int(lst, SOL_SOCKET, SO_TYPE) == SOCK_STREAM);
  CHECK(get_int(lst, SOL_SOCKET, SO_PROTOCOL) == IPPROTO_TCP);

  sockaddr_in6 any = v6addr(in6addr_any, 0);
  CHECK_OK(bind(lst, reinterpret_cast<sockaddr*>(&any), sizeof any));
  CHECK(get_int(lst, SOL_SOCKET, SO_ACCEPTCONN) == 0);
  CHECK_OK(listen(lst, 16));
  CHECK(get_int(lst, SOL_SOCKET, SO_ACCEPTCONN) == 1);

  sockaddr_in6 bound{};
  socklen_t blen = sizeof bound;
  CHECK_OK(getsockname(lst, reinterpret_cast<sockaddr*>(&bound), &blen));
  CHECK(blen == sizeof(sockaddr_in6));
  CHECK(bound.sin6_family == AF_INET6);
  CHECK(IN6_IS_ADDR_UNSPECIFIED(&bound.sin6_addr));
  const uint16_t port = bound.sin6_port;
  CHECK(port != 0);

  // getpeername on a listener: ENOTCONN.
  sockaddr_in6 junk{};
  socklen_t jlen = sizeof junk;
  CHECK_ERR(getpeername(lst, reinterpret_cast<sockaddr*>(&junk), &jlen),
            ENOTCONN);

  // Make the listener non-blocking: an accepted socket does not inherit it.
  CHECK_OK(fcntl(lst, F_SETFL, O_NONBLOCK));
  {
    sockaddr_in6 p{};
    socklen_t plen = sizeof p;
    CHECK_ERR(accept(lst, reinterpret_cast<sockaddr*>(&p), &plen), EAGAIN);
  }

  // --- client 1: AF_INET to 127.0.0.1, accepted with plain accept().
  int c1 = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(c1 >= 0);
  sockaddr_in dst = v4addr(INADDR_LOOPBACK, port);
  CHECK_OK(connect(c1, reinterpret_cast<sockaddr*>(&dst), sizeof dst));
  sockaddr_in c1name{};
  socklen_t c1len = sizeof c1name;
  CHECK_OK(getsockname(c1, reinterpret_cast<sockaddr*>(&c1name), &c1len));
  CHECK(c1len == sizeof(sockaddr_in));
  CHECK(c1name.sin_family == AF_INET);
  CHECK(c1name.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
  sockaddr_in c1peer{};
  c1len = sizeof c1peer;
  CHECK_OK(getpeername(c1, reinterpret_cast<sockaddr*>(&c1peer), &c1len));
  CHECK(c1len == sizeof(sockaddr_in));
  CHECK(c1peer.sin_family == AF_INET);
  CHECK(c1peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK));
  CHECK(c1peer.sin_port == port);

  pollfd pfd{lst, POLLIN, 0};
  CHECK(poll(&pfd, 1, 1000) == 1);
  sockaddr_in6 peer;
  std::memset(&peer, 0xa5, sizeof peer);
  socklen_t plen = sizeof peer;
  int a1 = accept(lst, reinterpret_cast<sockaddr*>(&peer), &plen);
  CHECK(a1 >= 0);
  CHECK(plen == 28);
  CHECK(is_mapped_loopback(peer));
  CHECK(peer.sin6_port == c1name.sin_port);
  CHECK(peer.sin6_flowinfo == 0);
  CHECK(peer.sin6_scope_id == 0);
  // Plain accept: neither O_NONBLOCK (from the listener) nor FD_CLOEXEC.
  CHECK((fcntl(a1, F_GETFL) & O_NONBLOCK) == 0);
  CHECK((fcntl(a1, F_GETFD) & FD_CLOEXEC) == 0);
  CHECK(get_int(a1, SOL_SOCKET, SO_DOMAIN) == AF_INET6);
  CHECK(get_int(a1, SOL_SOCKET, SO_ACCEPTCONN) == 0);
  // The accepted socket stays dual-stack.
  CHECK(get_int(a1, IPPROTO_IPV6, IPV6_V6ONLY) == 0);

  sockaddr_in6 aname{};
  socklen_t alen = sizeof aname;
  CHECK_OK(getsockname(a1, reinterpret_cast<sockaddr*>(&aname), &alen));
  CHECK(alen == 28);
  CHECK(is_mapped_loopback(aname));
  CHECK(aname.sin6_port == port);
  sockaddr_in6 apeer{};
  alen = sizeof apeer;
  CHECK_OK(getpeername(a1, reinterpret_cast<sockaddr*>(&apeer), &alen));
  CHECK(alen == 28);
  CHECK(is_mapped_loopback(apeer));
  CHECK(apeer.sin6_port == c1name.sin_port);

  round_trip(c1, a1, "hello from v4");
  round_trip(a1, c1, "hello from v6");

  // --- client 2: accept4(SOCK_NONBLOCK|SOCK_CLOEXEC) sets both flags.
  int c2 = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(c2 >= 0);
  CHECK_OK(connect(c2, reinterpret_cast<sockaddr*>(&dst), sizeof dst));
  pfd = {lst, POLLIN, 0};
  CHECK(poll(&pfd, 1, 1000) == 1);
  int a2 = accept4(lst, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  CHECK(a2 >= 0);
  CHECK((fcntl(a2, F_GETFL) & O_NONBLOCK) != 0);
  CHECK((fcntl(a2, F_GETFD) & FD_CLOEXEC) != 0);
  CHECK(get_int(a2, SOL_SOCKET, SO_DOMAIN) == AF_INET6);
  char b;
  CHECK_ERR(read(a2, &b, 1), EAGAIN);
  round_trip(c2, a2, "x");
  // accept4 with an unknown flag: EINVAL.
  CHECK_ERR(accept4(lst, nullptr, nullptr, 0x1), EINVAL);

  // --- client 3: accept with a negative addrlen fails with EINVAL, but only
  // after the connection was dequeued: Linux copies the address out last and
  // drops the new socket on failure, so the client sees EOF and the queue is
  // empty afterwards.
  {
    int c3 = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(c3 >= 0);
    CHECK_OK(connect(c3, reinterpret_cast<sockaddr*>(&dst), sizeof dst));
    pfd = {lst, POLLIN, 0};
    CHECK(poll(&pfd, 1, 1000) == 1);
    unsigned char nbuf[32];
    socklen_t neg = static_cast<socklen_t>(-1);
    CHECK_ERR(accept(lst, reinterpret_cast<sockaddr*>(nbuf), &neg), EINVAL);
    CHECK_ERR(accept(lst, nullptr, nullptr), EAGAIN);
    pollfd cp{c3, POLLIN, 0};
    CHECK(poll(&cp, 1, 1000) == 1);
    char eof;
    CHECK(read(c3, &eof, 1) == 0);
    close(c3);
  }

  // --- client 3b: truncation. addrlen 16 gets 16 bytes, addrlen becomes 28.
  int c3 = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(c3 >= 0);
  CHECK_OK(connect(c3, reinterpret_cast<sockaddr*>(&dst), sizeof dst));
  sockaddr_in c3name{};
  socklen_t c3len = sizeof c3name;
  CHECK_OK(getsockname(c3, reinterpret_cast<sockaddr*>(&c3name), &c3len));
  pfd = {lst, POLLIN, 0};
  CHECK(poll(&pfd, 1, 1000) == 1);
  unsigned char buf[32];
  std::memset(buf, 0xa5, sizeof buf);
  socklen_t tlen = 16;
  int a3 = accept(lst, reinterpret_cast<sockaddr*>(buf), &tlen);
  CHECK(a3 >= 0);
  CHECK(tlen == 28);
  sockaddr_in6 full{};
  std::memcpy(&full, buf, 16);
  CHECK(full.sin6_family == AF_INET6);
  CHECK(full.sin6_port == c3name.sin_port);
  // bytes 8..15 are the first half of ::ffff:127.0.0.1, i.e. zeros.
  for (int i = 8; i < 16; ++i) CHECK(buf[i] == 0);
  for (int i = 16; i < 32; ++i) CHECK(buf[i] == 0xa5);
  // getsockname truncation behaves the same way.
  std::memset(buf, 0xa5, sizeof buf);
  tlen = 4;
  CHECK_OK(getsockname(a3, reinterpret_cast<sockaddr*>(buf), &tlen));
  CHECK(tlen == 28);
  CHECK(buf[4] == 0xa5);
  uint16_t fam;
  std::memcpy(&fam, buf, 2);
  CHECK(fam == AF_INET6);
  CHECK(std::memcmp(buf + 2, &port, 2) == 0);

  // --- client 4: an AF_INET6 socket connecting to ::ffff:127.0.0.1.
  int c4 = socket(AF_INET6, SOCK_STREAM, 0);
  CHECK(c4 >= 0);
  sockaddr_in6 mdst = v6addr(kMappedLoopback, port);
  CHECK_OK(connect(c4, reinterpret_cast<sockaddr*>(&mdst), sizeof mdst));
  sockaddr_in6 c4name{};
  socklen_t c4len = sizeof c4name;
  CHECK_OK(getsockname(c4, reinterpret_cast<sockaddr*>(&c4name), &c4len));
  CHECK(c4len == 28);
  CHECK(is_mapped_loopback(c4name));
  CHECK(c4name.sin6_port != 0);
  sockaddr_in6 c4peer{};
  c4len = sizeof c4peer;
  CHECK_OK(getpeername(c4, reinterpret_cast<sockaddr*>(&c4peer), &c4len));
  CHECK(c4len == 28);
  CHECK(is_mapped_loopback(c4peer));
  CHECK(c4peer.sin6_port == port);
  CHECK(get_int(c4, SOL_SOCKET, SO_DOMAIN) == AF_INET6);
  pfd = {lst, POLLIN, 0};
  CHECK(poll(&pfd, 1, 1000) == 1);
  sockaddr_in6 p4{};
  socklen_t p4len = sizeof p4;
  int a4 = accept(lst, reinterpret_cast<sockaddr*>(&p4), &p4len);
  CHECK(a4 >= 0);
  CHECK(p4len == 28);
  CHECK(is_mapped_loopback(p4));
  CHECK(p4.sin6_port == c4name.sin6_port);
  round_trip(c4, a4, "mapped client");
  round_trip(a4, c4, "mapped server");

  // --- client 5: AF_INET6 to ::1, if IPv6 loopback is available.
  if (ipv6_loopback_works()) {
    int c5 = socket(AF_INET6, SOCK_STREAM, 0);
    CHECK(c5 >= 0);
    sockaddr_in6 ldst = v6addr(in6addr_loopback, port);
    CHECK_OK(connect(c5, reinterpret_cast<sockaddr*>(&ldst), sizeof ldst));
    sockaddr_in6 c5name{};
    socklen_t c5len = sizeof c5name;
    CHECK_OK(getsockname(c5, reinterpret_cast<sockaddr*>(&c5name), &c5len));
    CHECK(c5len == 28);
    CHECK(IN6_IS_ADDR_LOOPBACK(&c5name.sin6_addr));
    pfd = {lst, POLLIN, 0};
    CHECK(poll(&pfd, 1, 1000) == 1);
    sockaddr_in6 p5{};
    socklen_t p5len = sizeof p5;
    int a5 = accept(lst, reinterpret_cast<sockaddr*>(&p5), &p5len);
    CHECK(a5 >= 0);
    CHECK(p5len == 28);
    CHECK(p5.sin6_family == AF_INET6);
    CHECK(IN6_IS_ADDR_LOOPBACK(&p5.sin6_addr));
    CHECK(p5.sin6_port == c5name.sin6_port);
    CHECK(p5.sin6_scope_id == 0);
    sockaddr_in6 a5name{};
    socklen_t a5len = sizeof a5name;
    CHECK_OK(getsockname(a5, reinterpret_cast<sockaddr*>(&a5name), &a5len));
    CHECK(IN6_IS_ADDR_LOOPBACK(&a5name.sin6_addr));
    CHECK(a5name.sin6_port == port);
    round_trip(c5, a5, "v6 loopback");
    round_trip(a5, c5, "v6 loopback back");
    close(a5);
    close(c5);
  } else {
    std::printf("note: IPv6 loopback unavailable, ::1 client not tested\n");
  }

  // An AF_INET TCP socket given a (large enough) sockaddr_in6: EAFNOSUPPORT.
  int c6 = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(c6 >= 0);
  CHECK_ERR(connect(c6, reinterpret_cast<sockaddr*>(&mdst), sizeof mdst),
            EAFNOSUPPORT);
  close(c6);

  close(a4);
  close(c4);
  close(a3);
  close(c3);
  close(a2);
  close(c2);
  close(a1);
  close(c1);
  close(lst);
}

}  // namespace

int main() {
  test_dual_stack();
  return conformance::finish();
}
