// Calls with side effects under a storm of signals, with and without
// SA_RESTART: epoll_ctl ADD/MOD/DEL, dup, dup2, socket(AF_INET6), prctl
// PR_SET_NAME, setsockopt. None of these ever fails with EINTR on Linux, and
// none runs twice (a second ADD would answer EEXIST, a second dup would leak
// an fd). Under sentry they are served at notifications, and a signal that
// arrives while sentry acts must not turn a done call into an interrupted or
// repeated one (platform/sent_answers.h).
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
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
  auto check = [t](bool ok, int err, const char* what) {
    if (ok) return;
    if (err == EINTR) {
      ++t->eintr;
    } else {
      if (t->wrong < 5) std::fprintf(stderr, "%s: unexpected answer (errno %d, %s)\n", what, err, std::strerror(err));
      ++t->wrong;
    }
  };
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = 7;
  check(epoll_ctl(ep, EPOLL_CTL_ADD, pfd, &ev) == 0, errno, "epoll_ctl ADD");
  ev.events = EPOLLIN | EPOLLET;
  check(epoll_ctl(ep, EPOLL_CTL_MOD, pfd, &ev) == 0, errno, "epoll_ctl MOD");
  check(epoll_ctl(ep, EPOLL_CTL_DEL, pfd, nullptr) == 0, errno, "epoll_ctl DEL");
  const int d = dup(pfd);
  check(d >= 0, errno, "dup");
  if (d >= 0) close(d);
  errno = 0;
  const int d2 = dup2(pfd, 900);
  check(d2 == 900, errno, "dup2");
  close(900);
  const int s = socket(AF_INET6, SOCK_STREAM, 0);
  check(s >= 0, errno, "socket");
  if (s >= 0) {
    int one = 1;
    errno = 0;
    const int r = setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (r != 0 && r != -1) std::fprintf(stderr, "setsockopt returned %d\n", r);
    check(r == 0, errno, "setsockopt");
    close(s);
  }
  check(prctl(PR_SET_NAME, "storm", 0, 0, 0) == 0, errno, "prctl");
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

}  // namespace

int main() {
  storm(false);
  storm(true);
  return conformance::finish();
}
