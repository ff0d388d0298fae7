// epoll basics: level- vs edge-triggered reporting (pipes and UNIX stream
// sockets), EPOLLONESHOT and re-arming, EPOLLRDHUP, EPOLLHUP/EPOLLERR
// reported without being requested, epoll_create/epoll_create1/epoll_ctl/
// epoll_wait argument errors, epoll_pwait signal masks, epoll_pwait2
// timespec timeouts, and timeout timing.
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>

#include "conformance.h"

namespace {

int64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

int add(int ep, int fd, uint32_t events, uint64_t data) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = data;
  return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

int mod(int ep, int fd, uint32_t events, uint64_t data) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = data;
  return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

// epoll_wait with a zero timeout, returning the count and the first event.
int wait0(int ep, epoll_event* first = nullptr, int timeout = 0) {
  epoll_event evs[8];
  int n = epoll_wait(ep, evs, 8, timeout);
  if (n > 0 && first != nullptr) *first = evs[0];
  return n;
}

void drain(int fd) {
  char buf[256];
  while (read(fd, buf, sizeof buf) > 0) {
  }
}

// A pair of fds: [0] read end, [1] write end. Non-blocking read end.
void make_pair(bool socket_pair, int fds[2]) {
  if (socket_pair) {
    CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, fds));
  } else {
    CHECK_OK(pipe(fds));
  }
  CHECK_OK(fcntl(fds[0], F_SETFL, O_NONBLOCK));
}

void test_level_vs_edge() {
  for (bool sp : {false, true}) {
    // Level-triggered: reported on every call until drained.
    int fds[2];
    make_pair(sp, fds);
    int ep = epoll_create1(0);
    CHECK(ep >= 0);
    CHECK_OK(add(ep, fds[0], EPOLLIN, 0x1234567890abcdefull));
    CHECK(wait0(ep) == 0);
    CHECK(write(fds[1], "abc", 3) == 3);
    for (int i = 0; i < 3; ++i) {
      epoll_event ev{};
      CHECK(wait0(ep, &ev) == 1);
      CHECK(ev.events == EPOLLIN);
      CHECK(ev.data.u64 == 0x1234567890abcdefull);
    }
    char b;
    CHECK(read(fds[0], &b, 1) == 1);  // partially drained: still reported
    CHECK(wait0(ep) == 1);
    drain(fds[0]);
    CHECK(wait0(ep) == 0);
    close(ep);

    // Edge-triggered: one event per edge; a new write is a new edge even if
    // the data was not drained.
    ep = epoll_create1(0);
    CHECK_OK(add(ep, fds[0], EPOLLIN | EPOLLET, 7));
    CHECK(wait0(ep) == 0);
    CHECK(write(fds[1], "x", 1) == 1);
    epoll_event ev{};
    CHECK(wait0(ep, &ev) == 1);
    CHECK(ev.events == EPOLLIN);
    CHECK(ev.data.u64 == 7);
    CHECK(wait0(ep) == 0);
    CHECK(wait0(ep) == 0);
    CHECK(write(fds[1], "y", 1) == 1);
    CHECK(wait0(ep, &ev) == 1);
    CHECK(ev.events == EPOLLIN);
    CHECK(wait0(ep) == 0);
    // Reading does not create an edge.
    CHECK(read(fds[0], &b, 1) == 1);
    CHECK(wait0(ep) == 0);
    drain(fds[0]);
    CHECK(wait0(ep) == 0);
    // Neither does EPOLL_CTL_MOD with nothing readable; with data readable,
    // MOD re-checks readiness and reports it once.
    CHECK_OK(mod(ep, fds[0], EPOLLIN | EPOLLET, 8));
    CHECK(wait0(ep) == 0);
    CHECK(write(fds[1], "z", 1) == 1);
    CHECK(wait0(ep) == 1);
    CHECK(wait0(ep) == 0);
    CHECK_OK(mod(ep, fds[0], EPOLLIN | EPOLLET, 9));
    CHECK(wait0(ep, &ev) == 1);
    CHECK(ev.data.u64 == 9);
    CHECK(wait0(ep) == 0);
    drain(fds[0]);
    close(ep);

    // ADD while data is already there: reported once (ET) right away.
    CHECK(write(fds[1], "q", 1) == 1);
    ep = epoll_create1(0);
    CHECK_OK(add(ep, fds[0], EPOLLIN | EPOLLET, 1));
    CHECK(wait0(ep) == 1);
    CHECK(wait0(ep) == 0);
    drain(fds[0]);
    close(ep);
    close(fds[0]);
    close(fds[1]);
  }
}

void test_oneshot() {
  int fds[2];
  make_pair(true, fds);
  int ep = epoll_create1(0);
  CHECK_OK(add(ep, fds[0], EPOLLIN | EPOLLONESHOT, 5));
  CHECK(write(fds[1], "a", 1) == 1);
  epoll_event ev{};
  CHECK(wait0(ep, &ev) == 1);
  CHECK(ev.events == EPOLLIN);
  CHECK(ev.data.u64 == 5);
  // Disabled: nothing although data is still readable, even after new data.
  CHECK(wait0(ep) == 0);
  CHECK(write(fds[1], "b", 1) == 1);
  CHECK(wait0(ep) == 0);
  // Still registered.
  CHECK_ERR(add(ep, fds[0], EPOLLIN, 0), EEXIST);
  // Re-arming with MOD reports the pending data once more.
  CHECK_OK(mod(ep, fds[0], EPOLLIN | EPOLLONESHOT, 6));
  CHECK(wait0(ep, &ev) == 1);
  CHECK(ev.data.u64 == 6);
  CHECK(wait0(ep) == 0);
  // Disabled also for HUP/ERR: the peer closing is not reported...
  close(fds[1]);
  CHECK(wait0(ep) == 0);
  // ...until re-armed (MOD without any event bits still gets HUP).
  CHECK_OK(mod(ep, fds[0], EPOLLONESHOT, 7));
  CHECK(wait0(ep, &ev) == 1);
  CHECK(ev.events == (EPOLLHUP));
  CHECK(wait0(ep) == 0);
  CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, fds[0], nullptr));
  close(ep);
  close(fds[0]);
}

void test_rdhup_hup_err() {
  // EPOLLRDHUP on the peer's shutdown(SHUT_WR), only when requested.
  int sv[2];
  CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
  int ep = epoll_create1(0);
  CHECK_OK(add(ep, sv[0], EPOLLIN | EPOLLRDHUP, 1));
  int ep2 = epoll_create1(0);
  CHECK_OK(add(ep2, sv[0], EPOLLIN, 2));
  CHECK(wait0(ep) == 0);
  CHECK_OK(shutdown(sv[1], SHUT_WR));
  epoll_event ev{};
  CHECK(wait0(ep, &ev) == 1);
  CHECK(ev.events == (EPOLLIN | EPOLLRDHUP));
  CHECK(wait0(ep2, &ev) == 1);
  CHECK(ev.events == EPOLLIN);
  // The peer closing entirely adds EPOLLHUP (not requested, always given).
  close(sv[1]);
  CHECK(wait0(ep, &ev) == 1);
  CHECK(ev.events == (EPOLLIN | EPOLLRDHUP | EPOLLHUP));
  CHECK(wait0(ep2, &ev) == 1);
  CHECK(ev.events == (EPOLLIN | EPOLLHUP));
  close(ep2);
  close(ep);
  close(sv[0]);

  // A pipe read end registered for nothing at all: EPOLLHUP when the writer
  // goes away.
  int p[2];
  CHECK_OK(pipe(p));
  ep = epoll_create1(0);
  CHECK_OK(add(ep, p[0], 0, 3));
  CHECK(wait0(ep) == 0);
  close(p[1]);
  CHECK(wait0(ep, &ev) == 1);
  CHECK(ev.events == EPOLLHUP);
  CHECK(ev.data.u64 == 3);
  close(ep);
  close(p[0]);
  // A pipe write end registered for EPOLLIN only: EPOLLERR when the reader
  // goes away.
  CHECK_OK(pipe(p));
  ep = epoll_create1(0);
  CHECK_OK(add(ep, p[1], EPOLLIN, 4));
  CHECK(wait0(ep) == 0);
  close(p[0]);
  CHECK(wait0(ep, &ev) == 1);
  CHECK(ev.events == EPOLLERR);
  close(ep);
  close(p[1]);
}

void test_ctl_errors() {
  int ep = epoll_create1(0);
  int p[2];
  CHECK_OK(pipe(p));
  epoll_event ev{};
  ev.events = EPOLLIN;
  CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
  CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
  CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev), ENOENT);
  CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], &ev), ENOENT);
  // DEL accepts a null event pointer; ADD/MOD do not.
  CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], nullptr), EFAULT);
  CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], nullptr), EFAULT);
  CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], nullptr));
  CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], nullptr), ENOENT);
  // An unknown op.
  CHECK_ERR(epoll_ctl(ep, 0, p[0], &ev), EINVAL);
  CHECK_ERR(epoll_ctl(ep, 4, p[0], &ev), EINVAL);
  // The epoll fd itself.
  CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
  // A regular file (and a directory) does not support poll: EPERM.
  char path[] = "/tmp/epoll_modes_XXXXXX";
  int f = mkstemp(path);
  CHECK(f >= 0);
  unlink(path);
  CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev), EPERM);
  close(f);
  int dir = open("/", O_RDONLY | O_DIRECTORY);
  CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, dir, &ev), EPERM);
  close(dir);
  // Bad descriptors: EBADF for either fd.
  CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, 9999, &ev), EBADF);
  CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, -1, &ev), EBADF);
  CHECK_ERR(epoll_ctl(9999, EPOLL_CTL_ADD, p[0], &ev), EBADF);
  // An epfd that is not an epoll instance: EINVAL.
  CHECK_ERR(epoll_ctl(p[1], EPOLL_CTL_ADD, p[0], &ev), EINVAL);
  epoll_event out[4];
  CHECK_ERR(epoll_wait(p[0], out, 4, 0), EINVAL);
  CHECK_ERR(epoll_wait(9999, out, 4, 0), EBADF);
  // maxevents must be in 1 .. INT_MAX / sizeof(epoll_event). (Raw syscalls:
  // glibc's prototype lets the compiler object to these arguments.)
  CHECK_ERR(syscall(SYS_epoll_wait, ep, out, 0, 0), EINVAL);
  CHECK_ERR(syscall(SYS_epoll_wait, ep, out, -1, 0), EINVAL);
  CHECK_ERR(syscall(SYS_epoll_wait, ep, out, INT_MAX, 0), EINVAL);
  CHECK_ERR(syscall(SYS_epoll_wait, ep, out, INT_MAX / 12 + 1, 0), EINVAL);
  // The buffer is range-checked up front (a kernel address: EFAULT even with
  // nothing to report); a null buffer passes that check and only matters
  // when there is something to copy.
  CHECK_ERR(syscall(SYS_epoll_wait, ep, 0xffff800000000000ull, 4, 0), EFAULT);
  CHECK(syscall(SYS_epoll_wait, ep, nullptr, 4, 0) == 0);
  CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
  CHECK(write(p[1], "x", 1) == 1);
  CHECK_ERR(syscall(SYS_epoll_wait, ep, nullptr, 4, 0), EFAULT);
  // The failed copy did not lose the (level-triggered) event.
  CHECK(epoll_wait(ep, out, 4, 0) == 1);
  close(p[0]);
  close(p[1]);
  close(ep);

  // epoll_create: size must be positive but is otherwise ignored.
  CHECK_ERR(epoll_create(0), EINVAL);
  CHECK_ERR(epoll_create(-1), EINVAL);
  int e1 = epoll_create(1024);
  CHECK(e1 >= 0);
  CHECK((fcntl(e1, F_GETFD) & FD_CLOEXEC) == 0);
  close(e1);
  e1 = epoll_create(1);
  CHECK(e1 >= 0);
  close(e1);
  // epoll_create1: only EPOLL_CLOEXEC.
  CHECK_ERR(epoll_create1(1), EINVAL);
  CHECK_ERR(epoll_create1(O_NONBLOCK), EINVAL);
  int e2 = epoll_create1(EPOLL_CLOEXEC);
  CHECK(e2 >= 0);
  CHECK((fcntl(e2, F_GETFD) & FD_CLOEXEC) != 0);
  close(e2);
  e2 = epoll_create1(0);
  CHECK((fcntl(e2, F_GETFD) & FD_CLOEXEC) == 0);
  close(e2);
}

volatile sig_atomic_t g_usr1 = 0;
void on_usr1(int) { g_usr1 = g_usr1 + 1; }

long epoll_pwait2_raw(int ep, epoll_event* evs, int max, const timespec* ts,
                      const sigset_t* mask) {
  return syscall(441, ep, evs, max, ts, mask, sizeof(uint64_t));
}

void test_pwait_and_timeouts() {
  struct sigaction act {};
  act.sa_handler = on_usr1;
  sigemptyset(&act.sa_mask);
  CHECK_OK(sigaction(SIGUSR1, &act, nullptr));
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  CHECK_OK(sigprocmask(SIG_BLOCK, &block, &old));

  int ep = epoll_create1(0);
  int p[2];
  CHECK_OK(pipe(p));
  CHECK_OK(add(ep, p[0], EPOLLIN, 1));
  epoll_event out[4];

  // A pending blocked signal does not disturb epoll_wait/epoll_pwait with
  // the blocking mask...
  CHECK_OK(raise(SIGUSR1));
  CHECK(g_usr1 == 0);
  CHECK(epoll_pwait(ep, out, 4, 0, &block) == 0);
  CHECK(epoll_wait(ep, out, 4, 0) == 0);
  // ...but a mask that unblocks it: EINTR at once, the handler ran, and the
  // old mask is back afterwards.
  sigset_t empty;
  sigemptyset(&empty);
  int64_t t0 = mono_ns();
  CHECK_ERR(epoll_pwait(ep, out, 4, 1000, &empty), EINTR);
  CHECK(mono_ns() - t0 < 500000000);
  CHECK(g_usr1 == 1);
  sigset_t now;
  CHECK_OK(sigprocmask(SIG_SETMASK, nullptr, &now));
  CHECK(sigismember(&now, SIGUSR1) == 1);
  // Same with epoll_pwait2.
  CHECK_OK(raise(SIGUSR1));
  timespec ts{1, 0};
  CHECK_ERR(epoll_pwait2_raw(ep, out, 4, &ts, &empty), EINTR);
  CHECK(g_usr1 == 2);
  // Ready events win over a pending signal that the mask unblocks: the
  // events are returned, the original mask is restored before the signal is
  // delivered, so it stays pending.
  CHECK(write(p[1], "r", 1) == 1);
  CHECK_OK(raise(SIGUSR1));
  CHECK(epoll_pwait(ep, out, 4, 1000, &empty) == 1);
  CHECK(g_usr1 == 2);
  sigset_t pend;
  CHECK_OK(sigpending(&pend));
  CHECK(sigismember(&pend, SIGUSR1) == 1);
  char c;
  CHECK(read(p[0], &c, 1) == 1);
  // A zero timeout returns 0 without looking at signals: still pending.
  CHECK(epoll_pwait(ep, out, 4, 0, &empty) == 0);
  timespec z{0, 0};
  CHECK(epoll_pwait2_raw(ep, out, 4, &z, &empty) == 0);
  CHECK(g_usr1 == 2);
  CHECK_OK(sigpending(&pend));
  CHECK(sigismember(&pend, SIGUSR1) == 1);
  // With a non-zero timeout: EINTR and the handler runs.
  CHECK_ERR(epoll_pwait(ep, out, 4, 1, &empty), EINTR);
  CHECK(g_usr1 == 3);
  CHECK_OK(sigpending(&pend));
  CHECK(sigismember(&pend, SIGUSR1) == 0);

  // Timeouts: 0 returns at once; 20 ms waits at least 20 ms.
  t0 = mono_ns();
  CHECK(epoll_wait(ep, out, 4, 0) == 0);
  CHECK(mono_ns() - t0 < 20000000);
  t0 = mono_ns();
  CHECK(epoll_wait(ep, out, 4, 20) == 0);
  int64_t dt = mono_ns() - t0;
  CHECK(dt >= 20000000 && dt < 1000000000);
  // epoll_pwait2: a timespec (nanosecond resolution).
  timespec t20{0, 20000000};
  t0 = mono_ns();
  CHECK(epoll_pwait2_raw(ep, out, 4, &t20, nullptr) == 0);
  dt = mono_ns() - t0;
  CHECK(dt >= 20000000 && dt < 1000000000);
  // The timespec is not written back.
  CHECK(t20.tv_sec == 0 && t20.tv_nsec == 20000000);
  timespec zero{0, 0};
  CHECK(epoll_pwait2_raw(ep, out, 4, &zero, nullptr) == 0);
  timespec bad{0, 1000000000};
  CHECK_ERR(epoll_pwait2_raw(ep, out, 4, &bad, nullptr), EINVAL);
  timespec neg{-1, 0};
  CHECK_ERR(epoll_pwait2_raw(ep, out, 4, &neg, nullptr), EINVAL);
  // A wrong sigset size: EINVAL.
  CHECK_ERR(syscall(441, ep, out, 4, &zero, &empty, 4), EINVAL);
  CHECK_ERR(syscall(SYS_epoll_pwait, ep, out, 4, 0, &empty, 4), EINVAL);
  // NULL timespec: infinite, but ready data returns at once.
  CHECK(write(p[1], "r", 1) == 1);
  CHECK(epoll_pwait2_raw(ep, out, 4, nullptr, nullptr) == 1);
  CHECK(out[0].events == EPOLLIN && out[0].data.u64 == 1);
  // A negative epoll_wait timeout is infinite too.
  CHECK(epoll_wait(ep, out, 4, -1) == 1);
  CHECK(epoll_wait(ep, out, 4, -7) == 1);

  close(p[0]);
  close(p[1]);
  close(ep);
  CHECK_OK(sigprocmask(SIG_SETMASK, &old, nullptr));
  signal(SIGUSR1, SIG_DFL);
}

// maxevents smaller than the ready list: the rest is returned next time,
// and level-triggered items rotate (no starvation).
void test_maxevents_rotation() {
  int ep = epoll_create1(0);
  int p[3][2];
  for (int i = 0; i < 3; ++i) {
    CHECK_OK(pipe(p[i]));
    CHECK_OK(add(ep, p[i][0], EPOLLIN, static_cast<uint64_t>(i)));
    CHECK(write(p[i][1], "x", 1) == 1);
  }
  bool seen[3] = {};
  for (int round = 0; round < 3; ++round) {
    epoll_event ev{};
    CHECK(epoll_wait(ep, &ev, 1, 0) == 1);
    if (ev.data.u64 < 3) seen[ev.data.u64] = true;
  }
  CHECK(seen[0] && seen[1] && seen[2]);
  epoll_event evs[8];
  CHECK(epoll_wait(ep, evs, 8, 0) == 3);
  for (auto& pp : p) {
    close(pp[0]);
    close(pp[1]);
  }
  close(ep);
}

}  // namespace

int main() {
  test_level_vs_edge();
  test_oneshot();
  test_rdhup_hup_err();
  test_ctl_errors();
  test_pwait_and_timeouts();
  test_maxevents_rotation();
  return conformance::finish();
}
