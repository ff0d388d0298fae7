// Signal-driven I/O (O_ASYNC, F_SETOWN, F_SETSIG): the queued signal names
// the guest's own descriptor in si_fd, with the band of the event, and
// clearing O_ASYNC stops the signals.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <ctime>

#include "conformance.h"

namespace {

bool wait_signal(int sig, siginfo_t* info) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  timespec ts{2, 0};
  return sigtimedwait(&set, info, &ts) == sig;
}

}  // namespace

int main() {
  const int sig = SIGRTMIN + 1;
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, sig);
  sigaddset(&block, SIGIO);
  CHECK_OK(sigprocmask(SIG_BLOCK, &block, nullptr));
  int p[2];
  CHECK_OK(pipe(p));
  // A higher number than the pipe's, so that a wrong si_fd cannot match by chance.
  const int rd = fcntl(p[0], F_DUPFD, 20);
  CHECK(rd >= 20);
  CHECK_OK(fcntl(rd, F_SETOWN, getpid()));
  CHECK(fcntl(rd, F_GETOWN) == getpid());
  CHECK_OK(fcntl(rd, F_SETSIG, sig));
  CHECK(fcntl(rd, F_GETSIG) == sig);
  CHECK_OK(fcntl(rd, F_SETFL, O_ASYNC | O_NONBLOCK));
  CHECK((fcntl(rd, F_GETFL) & (O_ASYNC | O_NONBLOCK)) == (O_ASYNC | O_NONBLOCK));
  CHECK(write(p[1], "x", 1) == 1);
  siginfo_t info{};
  CHECK(wait_signal(sig, &info));
  CHECK(info.si_fd == rd);
  CHECK(info.si_code == POLL_IN);
  CHECK((info.si_band & POLLIN) != 0);
  // O_NONBLOCK alone can change without touching the registration.
  CHECK_OK(fcntl(rd, F_SETFL, O_ASYNC));
  CHECK(write(p[1], "y", 1) == 1);
  info = {};
  CHECK(wait_signal(sig, &info));
  CHECK(info.si_fd == rd);
  // Off: no more signals.
  CHECK_OK(fcntl(rd, F_SETFL, 0));
  CHECK(write(p[1], "z", 1) == 1);
  sigset_t pending;
  CHECK_OK(sigpending(&pending));
  CHECK(!sigismember(&pending, sig));
  return conformance::finish();
}
