// The simplest program tree: a thread, a fork, an exec, a wait. It proves the
// harness and that sentry follows a tree and reports its exit status.
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conformance.h"

static void* thread_main(void* arg) { return arg; }

int main() {
  pthread_t t;
  int value = 42;
  void* out = nullptr;
  CHECK(pthread_create(&t, nullptr, thread_main, &value) == 0);
  CHECK(pthread_join(t, &out) == 0);
  CHECK(out == &value);

  pid_t child = fork();
  CHECK_OK(child);
  if (child == 0) {
    execl("/bin/sh", "sh", "-c", "exit 7", static_cast<char*>(nullptr));
    _exit(99);
  }
  int status = 0;
  CHECK(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
  return conformance::finish();
}
