// fork() for the sandbox's processes, whose first acts are unshare() and
// setns().
//
// Under ThreadSanitizer the runtime's fork interceptor starts its background
// thread again in the child, which makes the child multithreaded:
// unshare(CLONE_NEWUSER), unshare(CLONE_NEWNS) and setns() into a user or
// mount namespace then fail with EINVAL, and no sandbox could be built.
// There the child is made by a raw clone the runtime does not see (it keeps
// the state the parent's runtime had, enough for processes that build
// namespaces, exec or wait). Everywhere else it is glibc's fork, whose atfork
// handlers keep malloc usable in the child of a multithreaded parent.
#pragma once

#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace sentry::sandbox {

inline pid_t sandbox_fork() {
#if defined(__SANITIZE_THREAD__)
  return static_cast<pid_t>(syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0));
#else
  return fork();
#endif
}

}  // namespace sentry::sandbox
