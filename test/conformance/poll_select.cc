// poll/ppoll/select/pselect6 on pipes and sockets: readiness bits
// (POLLIN/POLLOUT/POLLHUP/POLLERR/POLLNVAL), ignored negative fds, duplicate
// entries, nfds limits, timeouts (and which calls write the remaining time
// back), signal masks of ppoll/pselect6, and interruption by a signal whose
// handler has SA_RESTART: poll, select and epoll_wait still fail with EINTR
// while a blocking read is restarted.
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

#include "conformance.h"
#include "thread_state.h"

namespace {

using namespace conformance;

int64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

pid_t gettid_() { return static_cast<pid_t>(syscall(SYS_gettid)); }

short poll1(int fd, short events, int ms = 0) {
  pollfd p{fd, events, 0};
  int r = poll(&p, 1, ms);
  if (r < 0) return -1;
  return p.revents;
}

void test_poll_pipes() {
  int p[2];
  CHECK_OK(pipe(p));
  CHECK(poll1(p[0], POLLIN | POLLOUT) == 0);
  CHECK(poll1(p[1], POLLIN | POLLOUT) == POLLOUT);
  CHECK(write(p[1], "ab", 2) == 2);
  CHECK(poll1(p[0], POLLIN | POLLOUT) == POLLIN);
  CHECK(poll1(p[0], POLLRDNORM) == POLLRDNORM);
  // Writer gone: POLLHUP even when not asked for, together with POLLIN while
  // data remains.
  close(p[1]);
  CHECK(poll1(p[0], POLLIN) == (POLLIN | POLLHUP));
  CHECK(poll1(p[0], 0) == POLLHUP);
  char buf[4];
  CHECK(read(p[0], buf, sizeof buf) == 2);
  CHECK(poll1(p[0], POLLIN) == POLLHUP);
  close(p[0]);
  // Reader gone: the write end reports POLLERR (plus POLLOUT if asked).
  CHECK_OK(pipe(p));
  close(p[0]);
  CHECK(poll1(p[1], POLLOUT) == (POLLOUT | POLLERR));
  CHECK(poll1(p[1], 0) == POLLERR);
  close(p[1]);

  // Closed fd: POLLNVAL, counted; negative fd: ignored, revents cleared;
  // the same fd twice: both entries filled in and counted.
  CHECK_OK(pipe(p));
  CHECK(write(p[1], "x", 1) == 1);
  int closed = dup(p[0]);
  close(closed);
  pollfd fds[5] = {{p[0], POLLIN, 0x7f},
                   {closed, POLLIN, 0x7f},
                   {-1, POLLIN, 0x7f},
                   {-p[0], POLLIN, 0x7f},
                   {p[0], POLLIN | POLLOUT, 0x7f}};
  CHECK(poll(fds, 5, 0) == 3);
  CHECK(fds[0].revents == POLLIN);
  CHECK(fds[1].revents == POLLNVAL);
  CHECK(fds[2].revents == 0);
  CHECK(fds[3].revents == 0);
  CHECK(fds[4].revents == POLLIN);
  // POLLNVAL alone makes poll return at once even with a long timeout.
  pollfd bad{closed, POLLIN, 0};
  int64_t t0 = mono_ns();
  CHECK(poll(&bad, 1, 5000) == 1);
  CHECK(bad.revents == POLLNVAL);
  CHECK(mono_ns() - t0 < 1000000000);
  // Only negative fds: it just times out.
  pollfd neg{-1, POLLIN, 0};
  CHECK(poll(&neg, 1, 0) == 0);
  // nfds 0 with a null array: a plain sleep.
  t0 = mono_ns();
  CHECK(poll(nullptr, 0, 20) == 0);
  CHECK(mono_ns() - t0 >= 20000000);
  close(p[0]);
  close(p[1]);
}

void test_poll_sockets() {
  int sv[2];
  CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
  CHECK(poll1(sv[0], POLLIN | POLLOUT | POLLRDHUP) == POLLOUT);
  CHECK(write(sv[1], "x", 1) == 1);
  CHECK(poll1(sv[0], POLLIN | POLLOUT) == (POLLIN | POLLOUT));
  CHECK_OK(shutdown(sv[1], SHUT_WR));
  CHECK(poll1(sv[0], POLLIN | POLLOUT | POLLRDHUP) == (POLLIN | POLLOUT | POLLRDHUP));
  CHECK(poll1(sv[0], POLLIN | POLLOUT) == (POLLIN | POLLOUT));
  close(sv[1]);
  CHECK(poll1(sv[0], POLLIN | POLLOUT | POLLRDHUP) ==
        (POLLIN | POLLOUT | POLLRDHUP | POLLHUP));
  close(sv[0]);
  // Datagram socketpair: writable, readable once something is queued.
  CHECK_OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
  CHECK(poll1(sv[0], POLLIN | POLLOUT) == POLLOUT);
  CHECK(send(sv[1], "d", 1, 0) == 1);
  CHECK(poll1(sv[0], POLLIN | POLLOUT) == (POLLIN | POLLOUT));
  close(sv[0]);
  close(sv[1]);
}

void test_limits_and_timeouts() {
  rlimit old{};
  CHECK_OK(getrlimit(RLIMIT_NOFILE, &old));
  rlimit low = old;
  low.rlim_cur = 64;
  CHECK_OK(setrlimit(RLIMIT_NOFILE, &low));
  pollfd many[65];
  for (auto& x : many) x = {-1, POLLIN, 0};
  CHECK_ERR(poll(many, 65, 0), EINVAL);
  CHECK(poll(many, 64, 0) == 0);
  timespec zero{0, 0};
  CHECK_ERR(ppoll(many, 65, &zero, nullptr), EINVAL);
  CHECK_OK(setrlimit(RLIMIT_NOFILE, &old));
  // The check is against the limit, not the array: EINVAL before EFAULT.
  CHECK_ERR(syscall(SYS_poll, nullptr, old.rlim_cur + 1, 0), EINVAL);
  CHECK_ERR(syscall(SYS_poll, 0xffff800000000000ull, 1, 0), EFAULT);

  int p[2];
  CHECK_OK(pipe(p));
  pollfd pf{p[0], POLLIN, 0};
  int64_t t0 = mono_ns();
  CHECK(poll(&pf, 1, 0) == 0);
  CHECK(mono_ns() - t0 < 20000000);
  t0 = mono_ns();
  CHECK(poll(&pf, 1, 20) == 0);
  int64_t dt = mono_ns() - t0;
  CHECK(dt >= 20000000 && dt < 1000000000);

  // The raw ppoll and select/pselect6 syscalls write the remaining time
  // back (zero after a timeout); poll takes milliseconds by value.
  timespec ts{0, 20000000};
  t0 = mono_ns();
  CHECK(syscall(SYS_ppoll, &pf, 1, &ts, nullptr, 8) == 0);
  CHECK(mono_ns() - t0 >= 20000000);
  CHECK(ts.tv_sec == 0 && ts.tv_nsec == 0);
  timespec badts{0, 1000000000};
  CHECK_ERR(syscall(SYS_ppoll, &pf, 1, &badts, nullptr, 8), EINVAL);
  timespec negts{-1, 0};
  CHECK_ERR(syscall(SYS_ppoll, &pf, 1, &negts, nullptr, 8), EINVAL);

  fd_set rs;
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  timeval tv{0, 20000};
  t0 = mono_ns();
  CHECK(syscall(SYS_select, p[0] + 1, &rs, nullptr, nullptr, &tv) == 0);
  CHECK(mono_ns() - t0 >= 20000000);
  CHECK(tv.tv_sec == 0 && tv.tv_usec == 0);
  CHECK(!FD_ISSET(p[0], &rs));  // sets are rewritten: nothing ready
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  ts = {0, 20000000};
  CHECK(syscall(SYS_pselect6, p[0] + 1, &rs, nullptr, nullptr, &ts, nullptr) == 0);
  CHECK(ts.tv_sec == 0 && ts.tv_nsec == 0);
  // When something is ready at once, the remaining time is (nearly) all.
  CHECK(write(p[1], "x", 1) == 1);
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  tv = {5, 0};
  CHECK(syscall(SYS_select, p[0] + 1, &rs, nullptr, nullptr, &tv) == 1);
  CHECK(FD_ISSET(p[0], &rs));
  CHECK(tv.tv_sec == 4 || tv.tv_sec == 5);
  // select: read/write/except sets.
  fd_set r2, w2, e2;
  FD_ZERO(&r2);
  FD_ZERO(&w2);
  FD_ZERO(&e2);
  FD_SET(p[0], &r2);
  FD_SET(p[1], &r2);
  FD_SET(p[0], &w2);
  FD_SET(p[1], &w2);
  FD_SET(p[0], &e2);
  FD_SET(p[1], &e2);
  timeval tz{0, 0};
  CHECK(select(p[1] + 1, &r2, &w2, &e2, &tz) == 2);
  CHECK(FD_ISSET(p[0], &r2) && !FD_ISSET(p[1], &r2));
  CHECK(!FD_ISSET(p[0], &w2) && FD_ISSET(p[1], &w2));
  CHECK(!FD_ISSET(p[0], &e2) && !FD_ISSET(p[1], &e2));
  // A closed fd in a set: EBADF. Negative nfds: EINVAL. A negative timeval
  // field: EINVAL.
  int closed = dup(p[0]);
  close(closed);
  FD_ZERO(&rs);
  FD_SET(closed, &rs);
  tz = {0, 0};
  CHECK_ERR(select(closed + 1, &rs, nullptr, nullptr, &tz), EBADF);
  CHECK_ERR(syscall(SYS_select, -1, nullptr, nullptr, nullptr, &tz), EINVAL);
  timeval badtv{0, -1};
  CHECK_ERR(syscall(SYS_select, 0, nullptr, nullptr, nullptr, &badtv), EINVAL);
  badtv = {-1, 0};
  CHECK_ERR(syscall(SYS_select, 0, nullptr, nullptr, nullptr, &badtv), EINVAL);
  // select accepts tv_usec >= 1000000 and normalizes it (unlike the
  // timespec calls): {0, 1500000} is 1.5 s, written back normalized.
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  timeval big{0, 1500000};
  CHECK(syscall(SYS_select, p[0] + 1, &rs, nullptr, nullptr, &big) == 1);
  CHECK(big.tv_sec == 1 && big.tv_usec > 400000 && big.tv_usec <= 500000);
  // pselect6 rejects tv_nsec >= 1e9.
  timespec badts2{0, 1000000000};
  CHECK_ERR(syscall(SYS_pselect6, 0, nullptr, nullptr, nullptr, &badts2, nullptr),
            EINVAL);
  // nfds 0 with a timeout: a plain sleep.
  tv = {0, 20000};
  t0 = mono_ns();
  CHECK(select(0, nullptr, nullptr, nullptr, &tv) == 0);
  CHECK(mono_ns() - t0 >= 20000000);
  close(p[0]);
  close(p[1]);
}

volatile sig_atomic_t g_usr1 = 0;
void on_usr1(int) { g_usr1 = g_usr1 + 1; }

void test_sigmask_calls() {
  struct sigaction act {};
  act.sa_handler = on_usr1;
  sigemptyset(&act.sa_mask);
  CHECK_OK(sigaction(SIGUSR1, &act, nullptr));
  sigset_t block, old, empty;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigemptyset(&empty);
  CHECK_OK(sigprocmask(SIG_BLOCK, &block, &old));
  g_usr1 = 0;

  int p[2];
  CHECK_OK(pipe(p));
  pollfd pf{p[0], POLLIN, 0};
  CHECK_OK(raise(SIGUSR1));
  // Blocked: ppoll with the same mask times out normally.
  timespec ts{0, 1000000};
  CHECK(ppoll(&pf, 1, &ts, &block) == 0);
  CHECK(g_usr1 == 0);
  // A mask that unblocks it: EINTR at once, handler ran, mask restored.
  ts = {2, 0};
  int64_t t0 = mono_ns();
  CHECK_ERR(ppoll(&pf, 1, &ts, &empty), EINTR);
  CHECK(mono_ns() - t0 < 1000000000);
  CHECK(g_usr1 == 1);
  sigset_t now;
  CHECK_OK(sigprocmask(SIG_SETMASK, nullptr, &now));
  CHECK(sigismember(&now, SIGUSR1) == 1);
  // A zero timeout still notices the pending signal (unlike epoll_pwait).
  CHECK_OK(raise(SIGUSR1));
  timespec z{0, 0};
  CHECK_ERR(ppoll(&pf, 1, &z, &empty), EINTR);
  CHECK(g_usr1 == 2);
  // Ready fds: ppoll returns them; the signal stays pending (mask restored
  // before delivery).
  CHECK(write(p[1], "x", 1) == 1);
  CHECK_OK(raise(SIGUSR1));
  ts = {2, 0};
  CHECK(ppoll(&pf, 1, &ts, &empty) == 1);
  CHECK(g_usr1 == 2);
  char c;
  CHECK(read(p[0], &c, 1) == 1);
  // pselect6 likewise (raw: the 6th argument is {sigset*, size}).
  struct {
    const sigset_t* set;
    size_t size;
  } sm{&empty, 8};
  fd_set rs;
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  ts = {2, 0};
  CHECK_ERR(syscall(SYS_pselect6, p[0] + 1, &rs, nullptr, nullptr, &ts, &sm), EINTR);
  CHECK(g_usr1 == 3);
  // A wrong sigset size: EINVAL.
  sm.size = 4;
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  z = {0, 0};
  CHECK_ERR(syscall(SYS_pselect6, p[0] + 1, &rs, nullptr, nullptr, &z, &sm), EINVAL);
  CHECK_ERR(syscall(SYS_ppoll, &pf, 1, &z, &empty, 4), EINVAL);
  // glibc's pselect with the unblocking mask.
  CHECK_OK(raise(SIGUSR1));
  FD_ZERO(&rs);
  FD_SET(p[0], &rs);
  ts = {2, 0};
  CHECK_ERR(pselect(p[0] + 1, &rs, nullptr, nullptr, &ts, &empty), EINTR);
  CHECK(g_usr1 == 4);

  close(p[0]);
  close(p[1]);
  CHECK_OK(sigprocmask(SIG_SETMASK, &old, nullptr));
  signal(SIGUSR1, SIG_DFL);
}

// A helper thread that signals the main thread once it is asleep, and again
// every 100 ms until the main thread reports that its call returned (so a
// signal that raced ahead of the call cannot leave it blocked).
struct Kicker {
  pid_t target = 0;
  int write_fd = -1;  // >= 0: after the signal, wait until asleep again, write
  std::atomic<bool> sent{false};
  std::atomic<bool> done{false};
  pthread_t thread{};
};

void* kicker_main(void* arg) {
  auto* k = static_cast<Kicker*>(arg);
  if (k->write_fd < 0) {
    for (int round = 0; round < 30 && !k->done; ++round) {
      wait_until_sleeping(k->target, 3000);  // signal even if never seen asleep: no hang
      syscall(SYS_tgkill, getpid(), k->target, SIGUSR1);
      k->sent = true;
      for (int i = 0; i < 100 && !k->done; ++i) sleep_ms(1);
    }
    return nullptr;
  }
  wait_until_sleeping(k->target, 3000);
  syscall(SYS_tgkill, getpid(), k->target, SIGUSR1);
  k->sent = true;
  {
    // The handler runs, then the restarted read sleeps again.
    for (int i = 0; i < 3000 && g_usr1 == 0; ++i) sleep_ms(1);
    sleep_ms(5);
    wait_until_sleeping(k->target, 3000);
    if (write(k->write_fd, "r", 1) != 1) std::abort();
  }
  return nullptr;
}

void start_kicker(Kicker& k, int write_fd = -1) {
  k.target = gettid_();
  k.write_fd = write_fd;
  k.sent = false;
  g_usr1 = 0;
  CHECK(pthread_create(&k.thread, nullptr, kicker_main, &k) == 0);
}

void test_sa_restart() {
  struct sigaction act {};
  act.sa_handler = on_usr1;
  act.sa_flags = SA_RESTART;
  sigemptyset(&act.sa_mask);
  struct sigaction prev {};
  CHECK_OK(sigaction(SIGUSR1, &act, &prev));
  int p[2];
  CHECK_OK(pipe(p));

  // poll, with a timeout and without: EINTR despite SA_RESTART.
  for (int timeout : {3000, -1}) {
    Kicker k;
    start_kicker(k);
    pollfd pf{p[0], POLLIN, 0};
    CHECK_ERR(poll(&pf, 1, timeout), EINTR);
    k.done = true;
    CHECK(pthread_join(k.thread, nullptr) == 0);
    CHECK(k.sent);
    CHECK(g_usr1 >= 1);
  }
  // ppoll, select (with and without a timeout), epoll_wait: EINTR as well.
  {
    Kicker k;
    start_kicker(k);
    pollfd pf{p[0], POLLIN, 0};
    timespec ts{3, 0};
    CHECK_ERR(ppoll(&pf, 1, &ts, nullptr), EINTR);
    k.done = true;
    CHECK(pthread_join(k.thread, nullptr) == 0);
    CHECK(g_usr1 >= 1);
  }
  {
    Kicker k;
    start_kicker(k);
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    timeval tv{3, 0};
    CHECK_ERR(select(p[0] + 1, &rs, nullptr, nullptr, &tv), EINTR);
    k.done = true;
    CHECK(pthread_join(k.thread, nullptr) == 0);
    CHECK(g_usr1 >= 1);
  }
  {
    Kicker k;
    start_kicker(k);
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    CHECK_ERR(select(p[0] + 1, &rs, nullptr, nullptr, nullptr), EINTR);
    k.done = true;
    CHECK(pthread_join(k.thread, nullptr) == 0);
    CHECK(g_usr1 >= 1);
  }
  {
    int ep = epoll_create1(0);
    epoll_event ev{};
    ev.events = EPOLLIN;
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    Kicker k;
    start_kicker(k);
    epoll_event out;
    CHECK_ERR(epoll_wait(ep, &out, 1, 3000), EINTR);
    k.done = true;
    CHECK(pthread_join(k.thread, nullptr) == 0);
    CHECK(g_usr1 >= 1);
    close(ep);
  }
  // Control: a blocking read on the pipe IS restarted, and returns the data
  // written after the signal.
  {
    Kicker k;
    start_kicker(k, p[1]);
    char c = 0;
    CHECK(read(p[0], &c, 1) == 1);
    CHECK(c == 'r');
    k.done = true;
    CHECK(pthread_join(k.thread, nullptr) == 0);
    CHECK(g_usr1 == 1);
  }
  close(p[0]);
  close(p[1]);
  CHECK_OK(sigaction(SIGUSR1, &prev, nullptr));
}

}  // namespace

int main() {
  test_poll_pipes();
  test_poll_sockets();
  test_limits_and_timeouts();
  test_sigmask_calls();
  test_sa_restart();
  return conformance::finish();
}
