// Calls with side effects under a storm of signals, with and without
// SA_RESTART: epoll_ctl ADD/MOD/DEL, dup, dup2, socket(AF_INET6), prctl
// PR_SET_NAME, setsockopt. None of these ever fails with EINTR on Linux, and
// none runs twice (a second ADD would answer EEXIST, a second dup would leak
// an fd). Under sentry they are served at notifications, and a signal that
// arrives while sentry acts must not turn a done call into an interrupted or
// repeated one (platform/sent_answers.h). And a call sentry lets run on the
// host that blocks there (fcntl F_SETLKW on a lock another process holds) is
// interrupted as Linux interrupts it: EINTR without SA_RESTART.
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <dirent.h>

#include "conformance.h"

namespace {

std::atomic<long> g_signals{0};

void on_alarm(int) { g_signals.fetch_add(1, std::memory_order_relaxed); }

int open_fd_count() {
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) return -1;
  int n = 0;
  while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
  closedir(d);
  return n - 1;  // the directory's own fd
}

double now_s() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

struct Tally {
  long rounds = 0, eintr = 0, wrong = 0;
};

// One round of served calls; counts EINTR and any other unexpected answer.
void round_of_calls(int ep, int pfd, Tally* t) {
  // `r` is the call's result, `ok` whether it is the expected one; errno is
  // read right after the call.
  auto check = [t](long r, bool ok, const char* what) {
    const int err = errno;
    if (ok) return;
    if (r == -1 && err == EINTR) {
      ++t->eintr;
    } else {
      if (t->wrong < 5) std::fprintf(stderr, "%s: unexpected answer %ld (errno %d, %s)\n", what, r, err, std::strerror(err));
      ++t->wrong;
    }
  };
  long r;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = 7;
  r = epoll_ctl(ep, EPOLL_CTL_ADD, pfd, &ev);
  check(r, r == 0, "epoll_ctl ADD");
  ev.events = EPOLLIN | EPOLLET;
  r = epoll_ctl(ep, EPOLL_CTL_MOD, pfd, &ev);
  check(r, r == 0, "epoll_ctl MOD");
  r = epoll_ctl(ep, EPOLL_CTL_DEL, pfd, nullptr);
  check(r, r == 0, "epoll_ctl DEL");
  r = dup(pfd);
  check(r, r >= 0, "dup");
  if (r >= 0) close(static_cast<int>(r));
  r = dup2(pfd, 900);
  check(r, r == 900, "dup2");
  close(900);
  const int s = socket(AF_INET6, SOCK_STREAM, 0);
  check(s, s >= 0, "socket");
  if (s >= 0) {
    int one = 1;
    r = setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    check(r, r == 0, "setsockopt");
    close(s);
  }
  r = prctl(PR_SET_NAME, "storm", 0, 0, 0);
  check(r, r == 0, "prctl");
  ++t->rounds;
}

void storm(bool restart) {
  struct sigaction sa {};
  sa.sa_handler = on_alarm;
  sa.sa_flags = restart ? SA_RESTART : 0;
  sigemptyset(&sa.sa_mask);
  CHECK_OK(sigaction(SIGALRM, &sa, nullptr));
  int p[2];
  CHECK_OK(pipe(p));
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  CHECK(ep >= 0);
  const int fds_before = open_fd_count();
  g_signals = 0;
  itimerval it{};
  it.it_interval.tv_usec = 100;
  it.it_value.tv_usec = 100;
  CHECK_OK(setitimer(ITIMER_REAL, &it, nullptr));
  Tally t;
  const double end = now_s() + 1.5;
  while (now_s() < end) round_of_calls(ep, p[0], &t);
  itimerval off{};
  CHECK_OK(setitimer(ITIMER_REAL, &off, nullptr));
  std::printf("%s: %ld rounds, %ld signals, %ld EINTR, %ld wrong answers\n", restart ? "SA_RESTART" : "no SA_RESTART",
              t.rounds, g_signals.load(), t.eintr, t.wrong);
  // The storm must have hit the calls for the test to mean anything.
  CHECK(g_signals.load() > 100);
  CHECK(t.eintr == 0);
  CHECK(t.wrong == 0);
  CHECK(open_fd_count() == fds_before);  // no call ran twice and left an fd behind
  close(ep);
  close(p[0]);
  close(p[1]);
}

// fcntl(F_SETLKW) blocked by a lock a child holds, with a handler that has
// no SA_RESTART: the wait ends with EINTR once the handler ran.
void blocking_host_call_interrupted() {
  char path[] = "/tmp/served_calls_signals.XXXXXX";
  const int fd = mkstemp(path);
  CHECK(fd >= 0);
  unlink(path);
  int held[2], release[2];
  CHECK_OK(pipe(held));
  CHECK_OK(pipe(release));
  const pid_t child = fork();
  if (child == 0) {
    struct flock lk {};
    lk.l_type = F_WRLCK;
    lk.l_whence = SEEK_SET;
    char b = 0;
    if (fcntl(fd, F_SETLK, &lk) != 0) _exit(1);
    (void)!write(held[1], "x", 1);
    (void)!read(release[0], &b, 1);
    _exit(0);
  }
  char b = 0;
  CHECK(read(held[0], &b, 1) == 1);
  struct sigaction sa {};
  sa.sa_handler = on_alarm;
  sigemptyset(&sa.sa_mask);
  CHECK_OK(sigaction(SIGALRM, &sa, nullptr));
  g_signals = 0;
  itimerval once{};
  once.it_value.tv_usec = 100000;
  CHECK_OK(setitimer(ITIMER_REAL, &once, nullptr));
  struct flock lk {};
  lk.l_type = F_WRLCK;
  lk.l_whence = SEEK_SET;
  CHECK_ERR(fcntl(fd, F_SETLKW, &lk), EINTR);
  CHECK(g_signals.load() == 1);
  CHECK(write(release[1], "x", 1) == 1);
  int status = 0;
  CHECK(waitpid(child, &status, 0) == child);
  for (int f : {fd, held[0], held[1], release[0], release[1]}) close(f);
}

}  // namespace

int main() {
  blocking_host_call_interrupted();
  storm(false);
  storm(true);
  return conformance::finish();
}
