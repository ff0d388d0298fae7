// epoll registrations and file lifetime: a registration is keyed by (file,
// fd number) and lives as long as the open file description, not the fd.
// Closing the last fd drops it; closing one fd of a dup'd pair keeps it alive
// and reporting under the old number (which can then no longer be used to
// delete it). Also nested epoll instances (readiness propagation, ELOOP for
// cycles and nesting deeper than 4 levels) and epoll fds in poll/select.
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <ctime>

#include "conformance.h"

namespace {

int add(int ep, int fd, uint32_t events, uint64_t data) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = data;
  return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

int wait0(int ep, epoll_event* out, int max) { return epoll_wait(ep, out, max, 0); }

void drain(int fd) {
  char buf[64];
  while (recv(fd, buf, sizeof buf, MSG_DONTWAIT) > 0) {
  }
}

void test_close_only_fd() {
  int sv[2];
  CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
  int ep = epoll_create1(0);
  CHECK_OK(add(ep, sv[0], EPOLLIN, 100));
  CHECK(send(sv[1], "a", 1, 0) == 1);
  epoll_event out[4];
  CHECK(wait0(ep, out, 4) == 1);
  // Closing the only fd removes the registration, ready or not.
  const int old = sv[0];
  CHECK_OK(close(sv[0]));
  CHECK(wait0(ep, out, 4) == 0);
  CHECK_ERR(send(sv[1], "b", 1, MSG_NOSIGNAL), EPIPE);
  CHECK(wait0(ep, out, 4) == 0);
  // Its number is free and not registered.
  CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, old, nullptr), EBADF);
  int p[2];
  CHECK_OK(pipe(p));
  CHECK(p[0] == old);  // lowest free number
  CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], nullptr), ENOENT);
  CHECK_OK(add(ep, p[0], EPOLLIN, 101));
  close(p[0]);
  close(p[1]);
  close(sv[1]);
  close(ep);
}

void test_close_with_dup() {
  int sv[2];
  CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
  int ep = epoll_create1(0);
  const int a = sv[0];
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = a;
  CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev));
  const int b = dup(a);
  CHECK(b >= 0);
  // Closing `a` while `b` keeps the file open: the registration survives and
  // keeps reporting with the data given for `a`.
  CHECK_OK(close(a));
  CHECK(send(sv[1], "x", 1, 0) == 1);
  epoll_event out[4] = {};
  CHECK(wait0(ep, out, 4) == 1);
  CHECK(out[0].events == EPOLLIN);
  CHECK(out[0].data.fd == a);
  // The stale registration cannot be reached: `a` is closed (EBADF), and
  // `b` is a different key (ENOENT).
  CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, a, nullptr), EBADF);
  CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, b, nullptr), ENOENT);
  ev.data.fd = b;
  CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, b, &ev), ENOENT);
  // `b` can be added as well: now the same file is reported twice.
  CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, b, &ev));
  int n = wait0(ep, out, 4);
  CHECK(n == 2);
  if (n == 2) {
    CHECK(out[0].data.fd + out[1].data.fd == a + b);
    CHECK(out[0].data.fd != out[1].data.fd);
  }
  // A different file under the old number: still ENOENT for DEL.
  int p[2];
  CHECK_OK(pipe(p));
  CHECK(p[0] == a);
  CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, a, nullptr), ENOENT);
  close(p[0]);
  close(p[1]);
  // The same file under the old number again (dup2): DEL finds it.
  CHECK(dup2(b, a) == a);
  CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, a, nullptr));
  CHECK_OK(close(a));
  CHECK(wait0(ep, out, 4) == 1);
  CHECK(out[0].data.fd == b);
  // Closing the last fd removes the remaining registration.
  CHECK_OK(close(b));
  CHECK(wait0(ep, out, 4) == 0);
  close(sv[1]);

  // A registration made through the dup (the other way round): closing the
  // registered dup leaves it alive as long as the original fd is open.
  CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
  const int c = dup(sv[0]);
  CHECK_OK(add(ep, c, EPOLLIN, 7));
  CHECK_OK(close(c));
  CHECK(send(sv[1], "y", 1, 0) == 1);
  CHECK(wait0(ep, out, 4) == 1);
  CHECK(out[0].data.u64 == 7);
  drain(sv[0]);
  CHECK(wait0(ep, out, 4) == 0);
  CHECK_OK(close(sv[0]));
  CHECK(send(sv[1], "z", 1, MSG_NOSIGNAL) == -1);
  CHECK(wait0(ep, out, 4) == 0);
  close(sv[1]);
  close(ep);
}

void* write_later(void* arg) {
  timespec ts{0, 10 * 1000000L};
  nanosleep(&ts, nullptr);
  if (write(*static_cast<int*>(arg), "w", 1) != 1) std::abort();
  return nullptr;
}

void test_nested() {
  int inner = epoll_create1(0);
  int outer = epoll_create1(0);
  int p[2];
  CHECK_OK(pipe(p));
  CHECK_OK(add(inner, p[0], EPOLLIN, 1));
  CHECK_OK(add(outer, inner, EPOLLIN, 2));
  epoll_event out[4];
  CHECK(wait0(outer, out, 4) == 0);
  CHECK(write(p[1], "x", 1) == 1);
  CHECK(epoll_wait(outer, out, 4, 1000) == 1);
  CHECK(out[0].events == EPOLLIN);
  CHECK(out[0].data.u64 == 2);
  // Level-triggered all the way: still reported.
  CHECK(wait0(outer, out, 4) == 1);
  // The inner instance delivers the real event.
  CHECK(wait0(inner, out, 4) == 1);
  CHECK(out[0].data.u64 == 1);
  char c;
  CHECK(read(p[0], &c, 1) == 1);
  CHECK(wait0(outer, out, 4) == 0);
  // An epoll fd is never writable: asking for EPOLLOUT yields nothing more.
  int outer2 = epoll_create1(0);
  CHECK_OK(add(outer2, inner, EPOLLIN | EPOLLOUT, 3));
  CHECK(wait0(outer2, out, 4) == 0);
  CHECK(write(p[1], "y", 1) == 1);
  CHECK(wait0(outer2, out, 4) == 1);
  CHECK(out[0].events == EPOLLIN);

  // poll() and select() on an epoll fd: readable when it has events.
  pollfd pf{inner, POLLIN | POLLOUT, 0};
  CHECK(poll(&pf, 1, 0) == 1);
  CHECK(pf.revents == POLLIN);
  fd_set rs, ws;
  FD_ZERO(&rs);
  FD_ZERO(&ws);
  FD_SET(inner, &rs);
  FD_SET(inner, &ws);
  timeval tv{0, 0};
  CHECK(select(inner + 1, &rs, &ws, nullptr, &tv) == 1);
  CHECK(FD_ISSET(inner, &rs));
  CHECK(!FD_ISSET(inner, &ws));
  CHECK(read(p[0], &c, 1) == 1);
  pf = {inner, POLLIN, 0};
  CHECK(poll(&pf, 1, 0) == 0);
  FD_ZERO(&rs);
  FD_SET(inner, &rs);
  tv = {0, 0};
  CHECK(select(inner + 1, &rs, nullptr, nullptr, &tv) == 0);
  // A blocking poll on the epoll fd wakes when data arrives later (a thread
  // writes after 10 ms).
  pthread_t writer;
  CHECK(pthread_create(&writer, nullptr, write_later, &p[1]) == 0);
  pf = {inner, POLLIN, 0};
  CHECK(poll(&pf, 1, 2000) == 1);
  CHECK(pf.revents == POLLIN);
  CHECK(pthread_join(writer, nullptr) == 0);
  CHECK(read(p[0], &c, 1) == 1);
  // Likewise epoll_wait on the outer instance.
  CHECK(pthread_create(&writer, nullptr, write_later, &p[1]) == 0);
  CHECK(epoll_wait(outer, out, 4, 2000) == 1);
  CHECK(pthread_join(writer, nullptr) == 0);
  CHECK(read(p[0], &c, 1) == 1);

  // Closing the pipe read end (its only fd) empties the inner instance.
  close(p[0]);
  close(p[1]);
  CHECK(wait0(outer, out, 4) == 0);
  close(outer2);
  close(outer);
  close(inner);
}

void test_loops() {
  int e[6];
  for (int& x : e) x = epoll_create1(0);
  // A chain e0 in e1 in e2 in e3 in e4 is allowed; e4 into e5 would make the
  // nesting deeper than 4 levels: ELOOP.
  for (int i = 0; i < 4; ++i) CHECK_OK(add(e[i + 1], e[i], EPOLLIN, 0));
  CHECK_ERR(add(e[5], e[4], EPOLLIN, 0), ELOOP);
  // A cycle: ELOOP.
  CHECK_ERR(add(e[0], e[1], EPOLLIN, 0), ELOOP);
  CHECK_ERR(add(e[0], e[4], EPOLLIN, 0), ELOOP);
  for (int x : e) close(x);
  // The same depth limit when the chain is built from the top down.
  for (int& x : e) x = epoll_create1(0);
  for (int i = 4; i >= 1; --i) CHECK_OK(add(e[i], e[i - 1], EPOLLIN, 0));
  CHECK_ERR(add(e[5], e[4], EPOLLIN, 0), ELOOP);
  for (int x : e) close(x);
}

}  // namespace

int main() {
  test_close_only_fd();
  test_close_with_dup();
  test_nested();
  test_loops();
  return conformance::finish();
}
