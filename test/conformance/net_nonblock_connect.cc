// TCP over AF_INET6 sockets talking to v4-mapped loopback: non-blocking
// connect (success and refusal, SO_ERROR consumption), EISCONN, EPIPE with
// and without MSG_NOSIGNAL after the peer's RST, ECONNRESET, MSG_DONTWAIT,
// shutdown (EOF, ENOTCONN quirks, listeners), poll masks of unconnected
// sockets, and socket option round trips (buffer doubling, SO_LINGER,
// TCP_NODELAY, SO_REUSEADDR, IPV6_UNICAST_HOPS, IPV6_TCLASS).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include "conformance.h"
#include "file_util.h"
#include "net_util.h"

namespace {

using namespace conformance;

int v6tcp() {
  return dual_stack_socket(SOCK_STREAM);
}

short poll1(int fd, short events, int ms) {
  pollfd p{fd, events, 0};
  if (poll(&p, 1, ms) < 0) return -1;
  return p.revents;
}

// A dual-stack listener on `::` port 0.
int make_listener(uint16_t* port) {
  int l = v6tcp();
  sockaddr_in6 any = v6addr(in6addr_any, 0);
  CHECK_OK(bind(l, sa(&any), sizeof any));
  CHECK_OK(listen(l, 16));
  *port = port_of(l);
  return l;
}

// Connected pair: client (AF_INET6, to ::ffff:127.0.0.1) and accepted end.
void make_pair(int lst, uint16_t port, int* client, int* server) {
  *client = v6tcp();
  sockaddr_in6 dst = v6addr(kMappedLoopback, port);
  CHECK_OK(connect(*client, sa(&dst), sizeof dst));
  *server = accept(lst, nullptr, nullptr);
  CHECK(*server >= 0);
}

volatile sig_atomic_t g_sigpipes = 0;
void on_sigpipe(int) { g_sigpipes = g_sigpipes + 1; }

void test_nonblocking_connect() {
  uint16_t port;
  int lst = make_listener(&port);

  int c = v6tcp();
  CHECK_OK(fcntl(c, F_SETFL, O_NONBLOCK));
  // Before the connect: an unconnected TCP socket polls POLLOUT|POLLHUP.
  CHECK(poll1(c, POLLIN | POLLOUT, 0) == (POLLOUT | POLLHUP));
  sockaddr_in6 dst = v6addr(kMappedLoopback, port);
  errno = 0;
  int r = connect(c, sa(&dst), sizeof dst);
  int e = errno;
  CHECK(r == 0 || e == EINPROGRESS);
  CHECK(poll1(c, POLLOUT, 1000) == POLLOUT);
  CHECK(get_int(c, SOL_SOCKET, SO_ERROR) == 0);
  // After EINPROGRESS, the first connect() once the handshake is complete
  // returns 0 (it moves the socket to "connected"); the next is EISCONN.
  if (r != 0) CHECK_OK(connect(c, sa(&dst), sizeof dst));
  sockaddr_in6 peer{};
  socklen_t plen = sizeof peer;
  CHECK_OK(getpeername(c, sa(&peer), &plen));
  CHECK(plen == 28);
  CHECK(std::memcmp(&peer.sin6_addr, &kMappedLoopback, 16) == 0);
  CHECK(peer.sin6_port == port);
  // Connecting again: EISCONN (also to another address, also blocking).
  CHECK_ERR(connect(c, sa(&dst), sizeof dst), EISCONN);
  CHECK_OK(fcntl(c, F_SETFL, 0));
  CHECK_ERR(connect(c, sa(&dst), sizeof dst), EISCONN);
  sockaddr_in6 other = v6addr(in6addr_loopback, port);
  CHECK_ERR(connect(c, sa(&other), sizeof other), EISCONN);

  int a = accept(lst, nullptr, nullptr);
  CHECK(a >= 0);
  // MSG_DONTWAIT on an empty (blocking) socket: EAGAIN.
  char b;
  CHECK_ERR(recv(a, &b, 1, MSG_DONTWAIT), EAGAIN);
  CHECK_ERR(recv(c, &b, 1, MSG_DONTWAIT), EAGAIN);
  CHECK(poll1(c, POLLIN | POLLOUT, 0) == POLLOUT);

  // shutdown(SHUT_WR): the peer reads EOF; the other direction still works.
  CHECK(send(c, "ab", 2, 0) == 2);
  CHECK_OK(shutdown(c, SHUT_WR));
  char buf[8];
  size_t got = 0;
  for (int i = 0; i < 10 && got < 2; ++i) {
    ssize_t n = recv(a, buf + got, sizeof buf - got, 0);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  CHECK(got == 2);
  CHECK(poll1(a, POLLIN | POLLRDHUP, 1000) == (POLLIN | POLLRDHUP));
  CHECK(recv(a, buf, sizeof buf, 0) == 0);
  CHECK(recv(a, buf, sizeof buf, 0) == 0);
  CHECK(send(a, "cd", 2, 0) == 2);
  CHECK(poll1(c, POLLIN, 1000) == POLLIN);
  CHECK(recv(c, buf, sizeof buf, 0) == 2);
  // Writing after SHUT_WR: EPIPE (MSG_NOSIGNAL, so no signal).
  CHECK_ERR(send(c, "x", 1, MSG_NOSIGNAL), EPIPE);
  // shutdown with a bad `how`: EINVAL.
  CHECK_ERR(shutdown(c, 3), EINVAL);
  CHECK_ERR(shutdown(c, -1), EINVAL);
  close(a);
  close(c);

  // A refused non-blocking connect: a port bound by a socket that does not
  // listen answers with RST.
  int holder = v6tcp();
  sockaddr_in6 any = v6addr(in6addr_any, 0);
  CHECK_OK(bind(holder, sa(&any), sizeof any));
  const uint16_t closed_port = port_of(holder);
  c = v6tcp();
  CHECK_OK(fcntl(c, F_SETFL, O_NONBLOCK));
  sockaddr_in6 refused = v6addr(kMappedLoopback, closed_port);
  errno = 0;
  r = connect(c, sa(&refused), sizeof refused);
  e = errno;
  CHECK(r == -1);
  CHECK(e == EINPROGRESS || e == ECONNREFUSED);
  if (e == EINPROGRESS) {
    short rev = poll1(c, POLLIN | POLLOUT, 1000);
    CHECK((rev & POLLERR) != 0);
    CHECK((rev & POLLHUP) != 0);
    CHECK(get_int(c, SOL_SOCKET, SO_ERROR) == ECONNREFUSED);
  }
  // Reading SO_ERROR clears it.
  CHECK(get_int(c, SOL_SOCKET, SO_ERROR) == 0);
  plen = sizeof peer;
  CHECK_ERR(getpeername(c, sa(&peer), &plen), ENOTCONN);
  // The socket may try again (after a failure it is unconnected).
  sockaddr_in6 good = v6addr(kMappedLoopback, port);
  errno = 0;
  r = connect(c, sa(&good), sizeof good);
  e = errno;
  // The first retry reports the (already consumed) failure of the previous
  // attempt: sk_err is 0, so ECONNABORTED, and resets the socket...
  CHECK(r == -1 && e == ECONNABORTED);
  // ...so that the second retry really connects.
  errno = 0;
  r = connect(c, sa(&good), sizeof good);
  e = errno;
  CHECK(r == 0 || e == EINPROGRESS);
  CHECK(poll1(c, POLLOUT, 1000) == POLLOUT);
  CHECK(get_int(c, SOL_SOCKET, SO_ERROR) == 0);
  a = accept(lst, nullptr, nullptr);
  CHECK(a >= 0);
  close(a);
  close(c);
  // A blocking connect to the closed port: ECONNREFUSED directly.
  c = v6tcp();
  CHECK_ERR(connect(c, sa(&refused), sizeof refused), ECONNREFUSED);
  CHECK(get_int(c, SOL_SOCKET, SO_ERROR) == 0);
  close(c);
  close(holder);
  close(lst);
}

// A background connect that failed leaves the socket "connecting" at the
// socket layer until a connect() reports it: the next connect() answers the
// socket's error before it looks at the address (__inet_stream_connect), and
// ECONNABORTED when another call took the error first. An unconnected socket
// checks the address: short (EINVAL), another family (EAFNOSUPPORT),
// multicast (ENETUNREACH).
void test_failed_connect_state_first() {
  uint16_t port;
  int lst = make_listener(&port);
  close(lst);  // nobody listens on `port` now: the SYN gets a RST
  const sockaddr_in6 dst = v6addr(kMappedLoopback, port);
  sockaddr_storage bad{};
  bad.ss_family = 0xfff0;
  sockaddr_in6 mcast = v6addr(in6addr_any, port);
  mcast.sin6_addr.s6_addr[0] = 0xff;
  mcast.sin6_addr.s6_addr[1] = 0x02;
  mcast.sin6_addr.s6_addr[15] = 1;

  // The error is still pending: any address gets it.
  int c = v6tcp();
  CHECK_OK(fcntl(c, F_SETFL, O_NONBLOCK));
  CHECK_ERR(connect(c, sa(const_cast<sockaddr_in6*>(&dst)), sizeof dst), EINPROGRESS);
  CHECK(poll1(c, POLLOUT, 1000) & POLLOUT);
  CHECK_ERR(connect(c, sa(&bad), 16), ECONNREFUSED);
  // Reported: the socket is unconnected, the address is checked again.
  CHECK_ERR(connect(c, sa(&bad), sizeof(sockaddr_in6)), EAFNOSUPPORT);
  close(c);

  // Another call took the error: the next connect() finds no error left.
  for (int which = 0; which < 3; ++which) {
    c = v6tcp();
    CHECK_OK(fcntl(c, F_SETFL, O_NONBLOCK));
    CHECK_ERR(connect(c, sa(const_cast<sockaddr_in6*>(&dst)), sizeof dst), EINPROGRESS);
    CHECK(poll1(c, POLLOUT, 1000) & POLLOUT);
    char b;
    CHECK_ERR(recv(c, &b, 1, 0), ECONNREFUSED);
    if (which == 0) CHECK_ERR(connect(c, sa(&bad), 16), ECONNABORTED);
    if (which == 1) CHECK_ERR(connect(c, sa(&mcast), sizeof mcast), ECONNABORTED);
    if (which == 2) CHECK_ERR(sendto(c, "x", 1, MSG_FASTOPEN, sa(const_cast<sockaddr_in6*>(&dst)), sizeof dst),
                              ECONNABORTED);
    close(c);
  }
  // A length too short for any family is refused before the state.
  c = v6tcp();
  CHECK_OK(fcntl(c, F_SETFL, O_NONBLOCK));
  CHECK_ERR(connect(c, sa(const_cast<sockaddr_in6*>(&dst)), sizeof dst), EINPROGRESS);
  CHECK(poll1(c, POLLOUT, 1000) & POLLOUT);
  CHECK_ERR(connect(c, sa(&bad), 1), EINVAL);
  CHECK_ERR(connect(c, sa(&bad), 16), ECONNREFUSED);
  close(c);

  // Unconnected: the address decides.
  c = v6tcp();
  CHECK_ERR(connect(c, sa(&bad), 16), EINVAL);  // shorter than a sockaddr_in6 (24)
  CHECK_ERR(connect(c, sa(&bad), sizeof(sockaddr_in6)), EAFNOSUPPORT);
  CHECK_ERR(connect(c, sa(&mcast), sizeof mcast), ENETUNREACH);
  close(c);
}

void test_epipe_sigpipe() {
  struct sigaction act {};
  act.sa_handler = on_sigpipe;
  sigemptyset(&act.sa_mask);
  struct sigaction old {};
  CHECK_OK(sigaction(SIGPIPE, &act, &old));

  uint16_t port;
  int lst = make_listener(&port);
  int c, a;
  make_pair(lst, port, &c, &a);
  // The peer closes (FIN): we read EOF, a write still succeeds (half-closed
  // peer), and the peer's dead socket answers with RST.
  CHECK_OK(close(a));
  CHECK(poll1(c, POLLIN, 1000) & POLLIN);
  char b;
  CHECK(recv(c, &b, 1, 0) == 0);
  CHECK(send(c, "x", 1, MSG_NOSIGNAL) == 1);
  short rev = 0;
  for (int i = 0; i < 100 && (rev & POLLHUP) == 0; ++i)
    rev = poll1(c, POLLIN | POLLOUT, 10);
  CHECK((rev & POLLHUP) != 0);
  CHECK((rev & POLLERR) != 0);
  // An RST received in CLOSE_WAIT records EPIPE (not ECONNRESET).
  CHECK(get_int(c, SOL_SOCKET, SO_ERROR) == EPIPE);
  CHECK(get_int(c, SOL_SOCKET, SO_ERROR) == 0);
  CHECK(g_sigpipes == 0);
  CHECK_ERR(send(c, "y", 1, MSG_NOSIGNAL), EPIPE);
  CHECK(g_sigpipes == 0);
  CHECK_ERR(send(c, "y", 1, 0), EPIPE);
  CHECK(g_sigpipes == 1);
  CHECK_ERR(write(c, "y", 1), EPIPE);
  CHECK(g_sigpipes == 2);
  CHECK(recv(c, &b, 1, 0) == 0);
  close(c);

  // The pending error itself is reported by send, once: RST in CLOSE_WAIT,
  // then send (MSG_NOSIGNAL) gets EPIPE from sk_err; then EPIPE again.
  make_pair(lst, port, &c, &a);
  CHECK_OK(close(a));
  CHECK(poll1(c, POLLIN, 1000) & POLLIN);
  CHECK(recv(c, &b, 1, 0) == 0);
  CHECK(send(c, "x", 1, MSG_NOSIGNAL) == 1);
  rev = 0;
  for (int i = 0; i < 100 && (rev & POLLHUP) == 0; ++i)
    rev = poll1(c, POLLIN | POLLOUT, 10);
  CHECK_ERR(send(c, "y", 1, MSG_NOSIGNAL), EPIPE);
  CHECK(get_int(c, SOL_SOCKET, SO_ERROR) == 0);
  CHECK(g_sigpipes == 2);
  close(c);

  // An abortive close (SO_LINGER {1,0}) of an established peer: RST, the
  // next recv fails with ECONNRESET once, then reads EOF; send -> EPIPE.
  make_pair(lst, port, &c, &a);
  linger lg{1, 0};
  CHECK_OK(setsockopt(a, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
  CHECK_OK(close(a));
  rev = 0;
  for (int i = 0; i < 100 && (rev & POLLHUP) == 0; ++i)
    rev = poll1(c, POLLIN | POLLOUT, 10);
  CHECK(rev == (POLLIN | POLLOUT | POLLERR | POLLHUP));
  CHECK_ERR(recv(c, &b, 1, 0), ECONNRESET);
  CHECK(recv(c, &b, 1, 0) == 0);
  CHECK(get_int(c, SOL_SOCKET, SO_ERROR) == 0);
  CHECK_ERR(send(c, "z", 1, MSG_NOSIGNAL), EPIPE);
  CHECK(g_sigpipes == 2);
  close(c);

  close(lst);
  CHECK_OK(sigaction(SIGPIPE, &old, nullptr));
}

void test_shutdown_quirks() {
  // An unconnected TCP socket: ENOTCONN, yet the shutdown bits are set and
  // poll reports them.
  int t = v6tcp();
  CHECK_ERR(shutdown(t, SHUT_RDWR), ENOTCONN);
  CHECK(poll1(t, POLLIN | POLLOUT | POLLRDHUP, 0) ==
        (POLLIN | POLLOUT | POLLHUP | POLLRDHUP));
  close(t);
  // An unconnected UDP socket likewise (the "wake up other listeners" hack).
  int u = socket(AF_INET6, SOCK_DGRAM, 0);
  sockaddr_in6 any = v6addr(in6addr_any, 0);
  CHECK_OK(bind(u, sa(&any), sizeof any));
  CHECK(poll1(u, POLLIN | POLLOUT | POLLRDHUP, 0) == POLLOUT);
  CHECK_ERR(shutdown(u, SHUT_RD), ENOTCONN);
  CHECK(poll1(u, POLLIN | POLLOUT | POLLRDHUP, 0) ==
        (POLLIN | POLLOUT | POLLRDHUP));
  char b;
  CHECK_ERR(recv(u, &b, 1, MSG_DONTWAIT), EAGAIN);
  CHECK_ERR(shutdown(u, SHUT_WR), ENOTCONN);
  CHECK(poll1(u, POLLIN | POLLOUT | POLLRDHUP, 0) ==
        (POLLIN | POLLOUT | POLLHUP | POLLRDHUP));
  sockaddr_in6 self = v6addr(kMappedLoopback, port_of(u));
  CHECK_ERR(sendto(u, "x", 1, 0, sa(&self), sizeof self), EPIPE);
  close(u);

  // A listener: SHUT_WR does nothing; SHUT_RD stops it (accept -> EINVAL),
  // and it can listen again.
  uint16_t port;
  int l = make_listener(&port);
  CHECK_OK(shutdown(l, SHUT_WR));
  CHECK(get_int(l, SOL_SOCKET, SO_ACCEPTCONN) == 1);
  CHECK_OK(shutdown(l, SHUT_RD));
  CHECK(get_int(l, SOL_SOCKET, SO_ACCEPTCONN) == 0);
  CHECK(poll1(l, POLLIN | POLLOUT, 0) == (POLLOUT | POLLHUP));
  CHECK_ERR(accept(l, nullptr, nullptr), EINVAL);
  // The autobound port was released (a new listen() picks a fresh one), but
  // getsockname still shows the old port until then.
  CHECK(port_of(l) == port);
  int taker = v6tcp();
  sockaddr_in6 at = v6addr(in6addr_any, port);
  CHECK_OK(bind(taker, sa(&at), sizeof at));
  CHECK_OK(listen(l, 4));
  CHECK(port_of(l) != 0);
  CHECK(port_of(l) != port);
  close(taker);
  close(l);
}

void test_options() {
  int s = v6tcp();
  // Buffer sizes are doubled on the way in (capped by net.core.*mem_max).
  const int wmax = read_proc_int("/proc/sys/net/core/wmem_max", 212992);
  const int rmax = read_proc_int("/proc/sys/net/core/rmem_max", 212992);
  CHECK_OK(set_int(s, SOL_SOCKET, SO_SNDBUF, 65536));
  CHECK(get_int(s, SOL_SOCKET, SO_SNDBUF) == 131072);
  CHECK_OK(set_int(s, SOL_SOCKET, SO_RCVBUF, 65536));
  CHECK(get_int(s, SOL_SOCKET, SO_RCVBUF) == 131072);
  CHECK_OK(set_int(s, SOL_SOCKET, SO_SNDBUF, 262144));
  CHECK(get_int(s, SOL_SOCKET, SO_SNDBUF) == 2 * (262144 < wmax ? 262144 : wmax));
  CHECK_OK(set_int(s, SOL_SOCKET, SO_RCVBUF, 262144));
  CHECK(get_int(s, SOL_SOCKET, SO_RCVBUF) == 2 * (262144 < rmax ? 262144 : rmax));
  // Short option length: EINVAL.
  char c1 = 1;
  CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &c1, 1), EINVAL);

  // SO_LINGER: round trip; l_onoff = 0 leaves the stored time alone.
  linger lg{};
  socklen_t len = sizeof lg;
  CHECK_OK(getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &len));
  CHECK(len == sizeof lg && lg.l_onoff == 0 && lg.l_linger == 0);
  lg = {0, 0};
  CHECK_OK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
  lg = {9, 9};
  len = sizeof lg;
  CHECK_OK(getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &len));
  CHECK(lg.l_onoff == 0 && lg.l_linger == 0);
  lg = {1, 7};
  CHECK_OK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
  len = sizeof lg;
  CHECK_OK(getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &len));
  CHECK(lg.l_onoff == 1 && lg.l_linger == 7);
  lg = {0, 5};
  CHECK_OK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
  len = sizeof lg;
  CHECK_OK(getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &len));
  CHECK(lg.l_onoff == 0 && lg.l_linger == 7);
  lg = {3, 2};  // any non-zero l_onoff reads back as 1
  CHECK_OK(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
  len = sizeof lg;
  CHECK_OK(getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &len));
  CHECK(lg.l_onoff == 1 && lg.l_linger == 2);
  CHECK_ERR(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg - 1), EINVAL);

  // TCP_NODELAY and SO_REUSEADDR are booleans.
  CHECK(get_int(s, IPPROTO_TCP, TCP_NODELAY) == 0);
  CHECK_OK(set_int(s, IPPROTO_TCP, TCP_NODELAY, 1));
  CHECK(get_int(s, IPPROTO_TCP, TCP_NODELAY) == 1);
  CHECK_OK(set_int(s, IPPROTO_TCP, TCP_NODELAY, 5));
  CHECK(get_int(s, IPPROTO_TCP, TCP_NODELAY) == 1);
  CHECK_OK(set_int(s, IPPROTO_TCP, TCP_NODELAY, 0));
  CHECK(get_int(s, IPPROTO_TCP, TCP_NODELAY) == 0);
  CHECK(get_int(s, SOL_SOCKET, SO_REUSEADDR) == 0);
  CHECK_OK(set_int(s, SOL_SOCKET, SO_REUSEADDR, 1));
  CHECK(get_int(s, SOL_SOCKET, SO_REUSEADDR) == 1);
  CHECK_OK(set_int(s, SOL_SOCKET, SO_REUSEADDR, 9));
  CHECK(get_int(s, SOL_SOCKET, SO_REUSEADDR) == 1);
  CHECK_OK(set_int(s, SOL_SOCKET, SO_REUSEADDR, 0));
  CHECK(get_int(s, SOL_SOCKET, SO_REUSEADDR) == 0);

  // IPV6_UNICAST_HOPS: default (-1) reads as the interface default 64;
  // range -1..255, anything else EINVAL.
  CHECK(get_int(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS) == 64);
  CHECK_OK(set_int(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 10));
  CHECK(get_int(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS) == 10);
  CHECK_OK(set_int(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 255));
  CHECK(get_int(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS) == 255);
  CHECK_OK(set_int(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 0));
  CHECK(get_int(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS) == 0);
  CHECK_OK(set_int(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, -1));
  CHECK(get_int(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS) == 64);
  CHECK_ERR(set_int(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 256), EINVAL);
  CHECK_ERR(set_int(s, IPPROTO_IPV6, IPV6_UNICAST_HOPS, -2), EINVAL);
  // IPV6_TCLASS: default 0, range -1..255 (-1 = default 0).
  CHECK(get_int(s, IPPROTO_IPV6, IPV6_TCLASS) == 0);
  CHECK_OK(set_int(s, IPPROTO_IPV6, IPV6_TCLASS, 0x28));
  CHECK(get_int(s, IPPROTO_IPV6, IPV6_TCLASS) == 0x28);
  CHECK_OK(set_int(s, IPPROTO_IPV6, IPV6_TCLASS, -1));
  CHECK(get_int(s, IPPROTO_IPV6, IPV6_TCLASS) == 0);
  CHECK_ERR(set_int(s, IPPROTO_IPV6, IPV6_TCLASS, 256), EINVAL);
  CHECK_ERR(set_int(s, IPPROTO_IPV6, IPV6_TCLASS, -2), EINVAL);
  // IPV6_MULTICAST_HOPS defaults to 1.
  CHECK(get_int(s, IPPROTO_IPV6, IPV6_MULTICAST_HOPS) == 1);
  close(s);
}

}  // namespace

int main() {
  test_nonblocking_connect();
  test_failed_connect_state_first();
  test_epipe_sigpipe();
  test_shutdown_quirks();
  test_options();
  return conformance::finish();
}
