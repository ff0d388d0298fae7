// sched_getaffinity / sched_setaffinity: the raw syscall's return value (the
// kernel cpumask size in bytes), the length and mask validation, per-thread
// masks, inheritance by new threads and by fork, ESRCH for missing tasks, and
// that the online CPU count agrees with the mask (under `sentry run --cpus N`
// both are N). The CPU count is never hard-coded.
#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstring>

#include "conformance.h"

namespace {

constexpr size_t kBigBytes = 128;  // a 1024-bit buffer

long raw_getaffinity(pid_t pid, size_t len, void* mask) {
  return syscall(SYS_sched_getaffinity, pid, len, mask);
}

long raw_setaffinity(pid_t pid, size_t len, const void* mask) {
  return syscall(SYS_sched_setaffinity, pid, len, mask);
}

pid_t gettid_raw() { return static_cast<pid_t>(syscall(SYS_gettid)); }

bool get_mask(pid_t tid, cpu_set_t* set) {
  CPU_ZERO(set);
  return sched_getaffinity(tid, sizeof(*set), set) == 0;
}

bool set_single(pid_t tid, int cpu) {
  cpu_set_t s;
  CPU_ZERO(&s);
  CPU_SET(cpu, &s);
  return sched_setaffinity(tid, sizeof(s), &s) == 0;
}

bool is_single(const cpu_set_t& s, int cpu) {
  return CPU_COUNT(&s) == 1 && CPU_ISSET(cpu, &s);
}

int first_cpu(const cpu_set_t& s) {
  for (int i = 0; i < CPU_SETSIZE; ++i)
    if (CPU_ISSET(i, &s)) return i;
  return -1;
}

int last_cpu(const cpu_set_t& s) {
  for (int i = CPU_SETSIZE - 1; i >= 0; --i)
    if (CPU_ISSET(i, &s)) return i;
  return -1;
}

// A thread that publishes its tid, then waits until told to finish.
struct Parked {
  pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
  pid_t tid = 0;
  bool release = false;
  int set_cpu = -1;  // if >= 0, the thread pins itself to this CPU first
  bool set_ok = false;
};

void* parked_main(void* arg) {
  auto* p = static_cast<Parked*>(arg);
  bool ok = true;
  if (p->set_cpu >= 0) ok = set_single(0, p->set_cpu);
  pthread_mutex_lock(&p->mu);
  p->set_ok = ok;
  p->tid = gettid_raw();
  pthread_cond_broadcast(&p->cv);
  while (!p->release) pthread_cond_wait(&p->cv, &p->mu);
  pthread_mutex_unlock(&p->mu);
  return nullptr;
}

void park_wait_tid(Parked* p) {
  pthread_mutex_lock(&p->mu);
  while (p->tid == 0) pthread_cond_wait(&p->cv, &p->mu);
  pthread_mutex_unlock(&p->mu);
}

void park_release(Parked* p) {
  pthread_mutex_lock(&p->mu);
  p->release = true;
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
}

void* read_own_mask(void* arg) {
  auto* out = static_cast<cpu_set_t*>(arg);
  if (!get_mask(0, out)) CPU_ZERO(out);
  return nullptr;
}

}  // namespace

int main() {
  const long onln = sysconf(_SC_NPROCESSORS_ONLN);
  CHECK(onln >= 1);

  // --- Raw return value: the kernel's cpumask size in bytes. ---
  unsigned char big[kBigBytes];
  std::memset(big, 0xA5, sizeof(big));
  long ksize = raw_getaffinity(0, sizeof(big), big);
  CHECK(ksize > 0);
  CHECK(ksize % static_cast<long>(sizeof(long)) == 0);
  CHECK(ksize <= static_cast<long>(kBigBytes));
  if (ksize <= 0 || ksize > static_cast<long>(kBigBytes)) ksize = sizeof(long);
  // Only ksize bytes are written; the rest of the user buffer is untouched.
  bool tail_untouched = true;
  for (size_t i = static_cast<size_t>(ksize); i < sizeof(big); ++i)
    if (big[i] != 0xA5) tail_untouched = false;
  CHECK(tail_untouched);
  // The same answer for an exact-size buffer and for another thread / pid.
  {
    unsigned char exact[kBigBytes];
    CHECK(raw_getaffinity(0, static_cast<size_t>(ksize), exact) == ksize);
    CHECK(std::memcmp(exact, big, static_cast<size_t>(ksize)) == 0);
    CHECK(raw_getaffinity(getpid(), sizeof(exact), exact) == ksize);
  }

  // --- Length validation. ---
  // Zero bytes is fewer bits than nr_cpu_ids: EINVAL.
  CHECK_ERR(raw_getaffinity(0, 0, big), EINVAL);
  // Not a multiple of sizeof(long): EINVAL (even though it is big enough).
  CHECK_ERR(raw_getaffinity(0, sizeof(big) - 1, big), EINVAL);
  CHECK_ERR(raw_getaffinity(0, 4, big), EINVAL);
  CHECK_ERR(raw_getaffinity(0, static_cast<size_t>(ksize) + 4, big), EINVAL);
  // Invalid user pointer: EFAULT.
  CHECK_ERR(raw_getaffinity(0, sizeof(big), nullptr), EFAULT);

  // --- Initial mask vs online CPUs. ---
  cpu_set_t initial;
  CHECK(get_mask(0, &initial));
  const int initial_count = CPU_COUNT(&initial);
  CHECK(initial_count >= 1);
  CHECK(initial_count <= onln);
  // glibc's sched_getaffinity zeroes the part of cpu_set_t past ksize.
  CHECK(first_cpu(initial) >= 0 && last_cpu(initial) < ksize * 8);

  // In a child: an all-ones mask is accepted and clipped to exactly the online
  // CPUs, so its count equals sysconf(_SC_NPROCESSORS_ONLN). (The inherited
  // mask may be narrower, e.g. under `taskset`; when it is not, it is the
  // online set too.)
  {
    pid_t pid = fork();
    if (pid == 0) {
      int bad = 0;
      unsigned char ones[kBigBytes];
      std::memset(ones, 0xff, sizeof(ones));
      if (raw_setaffinity(0, sizeof(ones), ones) != 0) bad |= 1;
      cpu_set_t all;
      if (!get_mask(0, &all)) bad |= 2;
      if (CPU_COUNT(&all) != onln) bad |= 4;
      cpu_set_t both;
      CPU_AND(&both, &all, &initial);
      if (!CPU_EQUAL(&both, &initial)) bad |= 8;  // initial is a subset
      _exit(bad);
    }
    CHECK(pid > 0);
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }

  // --- sched_setaffinity validation. ---
  {
    unsigned char zero[kBigBytes];
    std::memset(zero, 0, sizeof(zero));
    CHECK_ERR(raw_setaffinity(0, sizeof(zero), zero), EINVAL);
    cpu_set_t empty;
    CPU_ZERO(&empty);
    CHECK_ERR(sched_setaffinity(0, sizeof(empty), &empty), EINVAL);

    // Only an out-of-range CPU (1000) set: EINVAL.
    cpu_set_t far;
    CPU_ZERO(&far);
    CPU_SET(1000, &far);
    CHECK_ERR(sched_setaffinity(0, sizeof(far), &far), EINVAL);
    CHECK_ERR(raw_setaffinity(0, sizeof(far), &far), EINVAL);

    // The failed calls did not change the mask.
    cpu_set_t now;
    CHECK(get_mask(0, &now));
    CHECK(CPU_EQUAL(&now, &initial));

    // A set that includes an online CPU plus an out-of-range one is accepted
    // and the out-of-range bit is dropped.
    const int c = first_cpu(initial);
    cpu_set_t mix;
    CPU_ZERO(&mix);
    CPU_SET(c, &mix);
    CPU_SET(1000, &mix);
    CHECK(sched_setaffinity(0, sizeof(mix), &mix) == 0);
    CHECK(get_mask(0, &now));
    CHECK(is_single(now, c));
    CHECK(sched_setaffinity(0, sizeof(initial), &initial) == 0);
  }

  // --- Nonexistent tasks: ESRCH (including a negative pid). ---
  {
    cpu_set_t s;
    CHECK_ERR(sched_getaffinity(INT_MAX, sizeof(s), &s), ESRCH);
    CHECK_ERR(raw_getaffinity(INT_MAX, sizeof(big), big), ESRCH);
    CHECK(get_mask(0, &s));
    CHECK_ERR(sched_setaffinity(INT_MAX, sizeof(s), &s), ESRCH);
    CHECK_ERR(raw_getaffinity(-1, sizeof(big), big), ESRCH);
    // A reaped child's pid.
    pid_t pid = fork();
    if (pid == 0) _exit(0);
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid);
    CHECK_ERR(raw_getaffinity(pid, sizeof(big), big), ESRCH);
  }

  // --- Per-thread masks. ---
  const int cpu_a = first_cpu(initial);  // cpu0 unless restricted
  const int cpu_b = last_cpu(initial);   // == cpu_a on a single-CPU mask
  const pid_t main_tid = gettid_raw();
  CHECK(main_tid == getpid());
  {
    // A parked sibling thread pins itself to cpu_b; the main thread's mask is
    // unchanged, and the main thread can read the sibling's mask by tid.
    Parked p;
    p.set_cpu = cpu_b;
    pthread_t t;
    CHECK(pthread_create(&t, nullptr, parked_main, &p) == 0);
    park_wait_tid(&p);
    CHECK(p.set_ok);
    cpu_set_t s;
    CHECK(get_mask(p.tid, &s));
    CHECK(is_single(s, cpu_b));
    CHECK(get_mask(0, &s));
    CHECK(CPU_EQUAL(&s, &initial));
    CHECK(get_mask(main_tid, &s));
    CHECK(CPU_EQUAL(&s, &initial));
    // getpid() as the pid argument names the main thread, not the process.
    CHECK(get_mask(getpid(), &s));
    CHECK(CPU_EQUAL(&s, &initial));

    // The main thread can set the sibling's mask by tid.
    CHECK(set_single(p.tid, cpu_a));
    CHECK(get_mask(p.tid, &s));
    CHECK(is_single(s, cpu_a));
    CHECK(get_mask(0, &s));
    CHECK(CPU_EQUAL(&s, &initial));

    park_release(&p);
    CHECK(pthread_join(t, nullptr) == 0);
  }
  {
    // A sibling created before the main thread narrows its mask keeps its own.
    Parked p;
    pthread_t t;
    CHECK(pthread_create(&t, nullptr, parked_main, &p) == 0);
    park_wait_tid(&p);

    // Main thread: {cpu_a} (cpu0 normally), read back exactly {cpu_a}.
    CHECK(set_single(0, cpu_a));
    cpu_set_t s;
    CHECK(get_mask(0, &s));
    CHECK(is_single(s, cpu_a));
    CHECK(raw_getaffinity(0, sizeof(big), big) == ksize);

    CHECK(get_mask(p.tid, &s));
    CHECK(CPU_EQUAL(&s, &initial));
    park_release(&p);
    CHECK(pthread_join(t, nullptr) == 0);

    // Inherited by a new pthread.
    cpu_set_t child_mask;
    CPU_ZERO(&child_mask);
    pthread_t t2;
    CHECK(pthread_create(&t2, nullptr, read_own_mask, &child_mask) == 0);
    CHECK(pthread_join(t2, nullptr) == 0);
    CHECK(is_single(child_mask, cpu_a));

    // Inherited by fork, and the child's change does not affect the parent.
    pid_t pid = fork();
    if (pid == 0) {
      int bad = 0;
      cpu_set_t m;
      if (!get_mask(0, &m) || !is_single(m, cpu_a)) bad |= 1;
      if (sched_setaffinity(0, sizeof(initial), &initial) != 0) bad |= 2;
      _exit(bad);
    }
    CHECK(pid > 0);
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK(get_mask(0, &s));
    CHECK(is_single(s, cpu_a));

    // The calling thread actually runs on the only CPU it is allowed.
    unsigned cpu = ~0u;
    CHECK(syscall(SYS_getcpu, &cpu, nullptr, nullptr) == 0);
    CHECK(cpu == static_cast<unsigned>(cpu_a));
    CHECK(sched_getcpu() == cpu_a);

    // Restore.
    CHECK(sched_setaffinity(0, sizeof(initial), &initial) == 0);
    CHECK(get_mask(0, &s));
    CHECK(CPU_EQUAL(&s, &initial));
  }

  return conformance::finish();
}
