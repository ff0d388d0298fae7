// rseq: glibc (2.35+) registers a struct rseq for every thread. The kernel
// keeps cpu_id / cpu_id_start current; sched_getcpu() reads cpu_id. Also the
// errors of a second registration and of unregistration.
#include <pthread.h>
#include <sched.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "conformance.h"

namespace {

// glibc registers its per-thread area with this length (its struct rseq_area
// is 32 bytes, the original kernel ABI size); __rseq_size reports the size of
// the features in use, which need not equal it.
constexpr uint32_t kRegisteredLen = 32;

struct rseq* area() {
  return reinterpret_cast<struct rseq*>(static_cast<char*>(__builtin_thread_pointer()) +
                                        __rseq_offset);
}

long sys_rseq(void* r, uint32_t len, int flags, uint32_t sig) {
  return syscall(SYS_rseq, r, len, flags, sig);
}

int32_t cpu_id(const struct rseq* r) {
  return static_cast<int32_t>(__atomic_load_n(&r->cpu_id, __ATOMIC_RELAXED));
}

long ncpus() {
  long n = sysconf(_SC_NPROCESSORS_CONF);
  return n > 0 ? n : 1;
}

// Reads cpu_id, cpu_id_start, sched_getcpu(), getcpu(2) and cpu_id again
// until all agree; a migration in between only costs a retry. Bounded.
int stable_cpu(const struct rseq* r, bool* agree) {
  for (int i = 0; i < 1000; ++i) {
    int32_t a = cpu_id(r);
    uint32_t start = __atomic_load_n(&r->cpu_id_start, __ATOMIC_RELAXED);
    int b = sched_getcpu();
    unsigned c = ~0u;
    long rc = syscall(SYS_getcpu, &c, nullptr, nullptr);
    int32_t d = cpu_id(r);
    if (rc == 0 && a == d && b == a && static_cast<int32_t>(c) == a &&
        static_cast<int32_t>(start) == a) {
      *agree = true;
      return a;
    }
  }
  *agree = false;
  return -1;
}

void check_registered_here() {
  CHECK(__rseq_size >= 20);
  struct rseq* r = area();
  bool agree = false;
  int cpu = stable_cpu(r, &agree);
  CHECK(agree);
  CHECK(cpu >= 0 && cpu < ncpus());
  int s = sched_getcpu();
  CHECK(s >= 0 && s < ncpus());
  // glibc runs no critical section: rseq_cs is NULL, flags 0.
  CHECK(__atomic_load_n(&r->rseq_cs, __ATOMIC_RELAXED) == 0);
  CHECK(r->flags == 0);
  // The area is registered: a second registration with the same arguments
  // is EBUSY, with another signature EPERM, with another length or address
  // EINVAL.
  CHECK_ERR(sys_rseq(r, kRegisteredLen, 0, RSEQ_SIG), EBUSY);
  CHECK_ERR(sys_rseq(r, kRegisteredLen, 0, RSEQ_SIG + 1), EPERM);
  CHECK_ERR(sys_rseq(r, 2 * kRegisteredLen, 0, RSEQ_SIG), EINVAL);
  alignas(32) static thread_local char other[64];
  CHECK_ERR(sys_rseq(other, kRegisteredLen, 0, RSEQ_SIG), EINVAL);
  // Unknown flags: EINVAL.
  CHECK_ERR(sys_rseq(r, kRegisteredLen, 2, RSEQ_SIG), EINVAL);
  // Unregistration errors leave the registration in place.
  CHECK_ERR(sys_rseq(r, kRegisteredLen, RSEQ_FLAG_UNREGISTER, RSEQ_SIG + 1), EPERM);
  CHECK_ERR(sys_rseq(other, kRegisteredLen, RSEQ_FLAG_UNREGISTER, RSEQ_SIG), EINVAL);
  CHECK_ERR(sys_rseq(r, 2 * kRegisteredLen, RSEQ_FLAG_UNREGISTER, RSEQ_SIG), EINVAL);
  CHECK_ERR(sys_rseq(r, kRegisteredLen, RSEQ_FLAG_UNREGISTER | 2, RSEQ_SIG), EINVAL);
  CHECK_ERR(sys_rseq(r, kRegisteredLen, 0, RSEQ_SIG), EBUSY);
  CHECK(cpu_id(r) >= 0);
}

struct ThreadResult {
  std::atomic<uintptr_t> area{0};
};

void* thread_check(void* arg) {
  static_cast<ThreadResult*>(arg)->area.store(reinterpret_cast<uintptr_t>(area()));
  check_registered_here();
  return nullptr;
}

void* thread_unregister(void*) {
  struct rseq* r = area();
  CHECK(cpu_id(r) >= 0);
  // Correct unregistration: 0, and the kernel marks the area uninitialized.
  CHECK(sys_rseq(r, kRegisteredLen, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) == 0);
  CHECK(cpu_id(r) == RSEQ_CPU_ID_UNINITIALIZED);
  CHECK(r->cpu_id_start == 0);
  // A second unregistration: EINVAL (nothing registered).
  CHECK_ERR(sys_rseq(r, kRegisteredLen, RSEQ_FLAG_UNREGISTER, RSEQ_SIG), EINVAL);
  // sched_getcpu() still works (glibc falls back to getcpu).
  int s = sched_getcpu();
  CHECK(s >= 0 && s < ncpus());
  // Invalid registrations.
  CHECK_ERR(sys_rseq(reinterpret_cast<char*>(r) + 8, kRegisteredLen, 0, RSEQ_SIG), EINVAL);
  CHECK_ERR(sys_rseq(r, 16, 0, RSEQ_SIG), EINVAL);
  CHECK_ERR(sys_rseq(r, kRegisteredLen, 2, RSEQ_SIG), EINVAL);
  CHECK(cpu_id(r) == RSEQ_CPU_ID_UNINITIALIZED);
  // Register again: the kernel fills cpu_id before returning to user space.
  CHECK(sys_rseq(r, kRegisteredLen, 0, RSEQ_SIG) == 0);
  CHECK(cpu_id(r) >= 0 && cpu_id(r) < ncpus());
  check_registered_here();
  return nullptr;
}

}  // namespace

int main() {
  const char* tun = std::getenv("GLIBC_TUNABLES");
  if (tun != nullptr && std::strstr(tun, "rseq=0") != nullptr) {
    conformance::skip("rseq registration disabled by GLIBC_TUNABLES");
  }
  CHECK(__rseq_size != 0);
  CHECK(__rseq_offset != 0);
  CHECK(__rseq_flags == 0);
  if (__rseq_size == 0) return conformance::finish();

  check_registered_here();

  // Four new threads: each registered, each with its own area.
  ThreadResult res[4];
  pthread_t t[4];
  for (int i = 0; i < 4; ++i) {
    CHECK(pthread_create(&t[i], nullptr, thread_check, &res[i]) == 0);
  }
  for (auto& x : t) CHECK(pthread_join(x, nullptr) == 0);
  for (int i = 0; i < 4; ++i) {
    CHECK(res[i].area.load() != 0);
    CHECK(res[i].area.load() != reinterpret_cast<uintptr_t>(area()));
    for (int j = 0; j < i; ++j) CHECK(res[i].area.load() != res[j].area.load());
  }

  // Unregister and re-register on a thread of its own.
  pthread_t u;
  CHECK(pthread_create(&u, nullptr, thread_unregister, nullptr) == 0);
  CHECK(pthread_join(u, nullptr) == 0);

  // A forked child inherits the registration (same address).
  pid_t child = fork();
  CHECK_OK(child);
  if (child == 0) {
    struct rseq* r = area();
    bool ok = cpu_id(r) >= 0 &&
              sys_rseq(r, kRegisteredLen, 0, RSEQ_SIG) == -1 && errno == EBUSY;
    _exit(ok ? 0 : 1);
  }
  int status = 0;
  CHECK(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);

  check_registered_here();
  return conformance::finish();
}
