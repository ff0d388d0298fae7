// unshare(2) without new namespaces: what a process may stop sharing, and
// the EINVAL cases in Linux's order (a multithreaded process cannot unshare
// its thread group, signal handlers or memory; unknown flags). gVisor's
// unshare tests hung where sentry answered EPERM instead.
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

#include "conformance.h"

namespace {

std::atomic<bool> stop{false};
void* spin(void*) {
  while (!stop.load()) usleep(1000);
  return nullptr;
}

}  // namespace

int main() {
  CHECK_OK(unshare(0));
  // Single-threaded: these are no-ops.
  CHECK_OK(unshare(CLONE_THREAD));
  CHECK_OK(unshare(CLONE_SIGHAND));
  CHECK_OK(unshare(CLONE_VM));
  CHECK_OK(unshare(CLONE_FILES));
  CHECK_OK(unshare(CLONE_FS));
  CHECK_OK(unshare(CLONE_SYSVSEM));
  CHECK_OK(unshare(CLONE_FILES | CLONE_FS | CLONE_SYSVSEM));
  // The descriptor table still works after CLONE_FILES.
  int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  CHECK(fd >= 0);
  CHECK_OK(close(fd));
  // Flags unshare does not know (CLONE_PTRACE, CLONE_PARENT, high bits).
  CHECK_ERR(unshare(CLONE_PTRACE), EINVAL);
  CHECK_ERR(unshare(CLONE_PARENT), EINVAL);
  CHECK_ERR(syscall(SYS_unshare, 1ul << 40), EINVAL);
  // A second thread: CLONE_THREAD, CLONE_SIGHAND and CLONE_VM are EINVAL.
  pthread_t t;
  CHECK(pthread_create(&t, nullptr, spin, nullptr) == 0);
  CHECK_ERR(unshare(CLONE_THREAD), EINVAL);
  CHECK_ERR(unshare(CLONE_SIGHAND), EINVAL);
  CHECK_ERR(unshare(CLONE_VM), EINVAL);
  CHECK_ERR(unshare(CLONE_VM | CLONE_FILES), EINVAL);
  CHECK_OK(unshare(CLONE_FS));
  stop = true;
  pthread_join(t, nullptr);
  return conformance::finish();
}
