// Job control: a child that stops (SIGSTOP, SIGTSTP) is reported to its
// parent by wait4(WUNTRACED) and waitid(WSTOPPED), a continued one by
// WCONTINUED, and it can still be continued and reaped. Shells depend on it;
// under sentry the child is also traced, and its stops must still reach
// the real parent (issue 15: gVisor's exec tests hung there).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conformance.h"

namespace {

// A child that stops itself with `sig`, then, once continued, exits with 3
// when the parent closes `*go` (so its exit cannot beat the parent's look at
// the continue).
pid_t self_stopping_child(int sig, int* go) {
  int p[2];
  if (pipe(p) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    close(p[1]);
    // A process group of its own, whose parent is in another group of the
    // same session: not orphaned, so SIGTSTP stops it (Linux discards the
    // terminal stop signals in an orphaned group).
    setpgid(0, 0);
    raise(sig);
    char c;
    (void)!read(p[0], &c, 1);
    _exit(3);
  }
  close(p[0]);
  *go = p[1];
  return pid;
}

void wait4_untraced(int sig) {
  int go = -1;
  pid_t pid = self_stopping_child(sig, &go);
  CHECK(pid > 0);
  int status = 0;
  CHECK(waitpid(pid, &status, WUNTRACED) == pid);
  CHECK(WIFSTOPPED(status));
  CHECK(WSTOPSIG(status) == sig);
  // Reported once: a second WUNTRACED|WNOHANG finds nothing new.
  CHECK(waitpid(pid, &status, WUNTRACED | WNOHANG) == 0);
  CHECK_OK(kill(pid, SIGCONT));
  CHECK(waitpid(pid, &status, WCONTINUED) == pid);
  CHECK(WIFCONTINUED(status));
  close(go);
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 3);
}

void waitid_stopped() {
  int go = -1;
  pid_t pid = self_stopping_child(SIGSTOP, &go);
  CHECK(pid > 0);
  siginfo_t info{};
  CHECK_OK(waitid(P_PID, static_cast<id_t>(pid), &info, WSTOPPED));
  CHECK(info.si_pid == pid);
  CHECK(info.si_code == CLD_STOPPED);
  CHECK(info.si_status == SIGSTOP);
  // WNOWAIT leaves it reportable; waitid(WCONTINUED) then sees the continue.
  CHECK_OK(kill(pid, SIGCONT));
  info = {};
  CHECK_OK(waitid(P_PID, static_cast<id_t>(pid), &info, WCONTINUED | WNOWAIT));
  CHECK(info.si_code == CLD_CONTINUED);
  close(go);
  info = {};
  CHECK_OK(waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED));
  CHECK(info.si_code == CLD_EXITED && info.si_status == 3);
}

// The parent stops its child.
void parent_stops_child() {
  int ready[2];
  CHECK_OK(pipe(ready));
  pid_t pid = fork();
  if (pid == 0) {
    close(ready[0]);
    (void)!write(ready[1], "r", 1);
    for (;;) pause();
  }
  close(ready[1]);
  char c;
  CHECK(read(ready[0], &c, 1) == 1);
  close(ready[0]);
  CHECK_OK(kill(pid, SIGSTOP));
  int status = 0;
  CHECK(waitpid(pid, &status, WUNTRACED) == pid);
  CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
  CHECK_OK(kill(pid, SIGKILL));
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

}  // namespace

int main() {
  // SIGCHLD must not be ignored (an ignored SIGCHLD reaps children at once).
  signal(SIGCHLD, SIG_DFL);
  wait4_untraced(SIGSTOP);
  wait4_untraced(SIGTSTP);
  waitid_stopped();
  parent_stops_child();
  return conformance::finish();
}
