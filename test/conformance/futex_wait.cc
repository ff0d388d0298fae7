// FUTEX_WAIT / FUTEX_WAKE basics: value mismatch, relative timeouts, wake
// counts, argument validation, and private vs shared keys (also across fork).
#include <linux/futex.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cinttypes>
#include <climits>
#include <cstdint>

#include "conformance.h"
#include "thread_state.h"

namespace {

using namespace conformance;

long futex(void* uaddr, int op, uint32_t val, const void* timeout = nullptr,
           void* uaddr2 = nullptr, uint32_t val3 = 0) {
  return syscall(SYS_futex, uaddr, op, val, timeout, uaddr2, val3);
}

pid_t tid() { return static_cast<pid_t>(syscall(SYS_gettid)); }

int64_t mono_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

// Retry a wake until it reports one woken waiter (bounded). Returns the
// number of attempts that woke nobody, or -1 if it never woke anyone.
int wake_one_eventually(void* uaddr, int op) {
  for (int i = 0; i < 5000; ++i) {
    long r = futex(uaddr, op, 1);
    if (r == 1) return i;
    if (r != 0) return -1;
    sleep_ms(1);
  }
  return -1;
}

struct Waiter {
  uint32_t* word = nullptr;
  uint32_t expect = 0;
  int op = FUTEX_WAIT_PRIVATE;
  std::atomic<pid_t> tid{0};
  long ret = 0;
  int err = 0;
  pthread_t thread{};
};

void* waiter_main(void* arg) {
  auto* w = static_cast<Waiter*>(arg);
  w->tid.store(tid());
  errno = 0;
  w->ret = futex(w->word, w->op, w->expect);
  w->err = errno;
  return nullptr;
}

void start(Waiter& w, uint32_t* word, uint32_t expect, int op) {
  w.word = word;
  w.expect = expect;
  w.op = op;
  CHECK(pthread_create(&w.thread, nullptr, waiter_main, &w) == 0);
}

void join(Waiter& w) { CHECK(pthread_join(w.thread, nullptr) == 0); }

void test_mismatch() {
  uint32_t word = 1;
  CHECK_ERR(futex(&word, FUTEX_WAIT, 0), EAGAIN);
  CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 0), EAGAIN);
  CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 2), EAGAIN);
  // The comparison is on the full 32 bits.
  word = 0x80000001u;
  CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 1), EAGAIN);
  CHECK(word == 0x80000001u);
}

void test_timeout() {
  uint32_t word = 7;
  // Relative 50 ms timeout: ETIMEDOUT after at least 50 ms of CLOCK_MONOTONIC.
  for (int op : {FUTEX_WAIT, FUTEX_WAIT_PRIVATE}) {
    timespec rel{0, 50 * 1000000L};
    int64_t t0 = mono_ns();
    CHECK_ERR(futex(&word, op, 7, &rel), ETIMEDOUT);
    int64_t dt = mono_ns() - t0;
    CHECK(dt >= 50 * 1000000LL);
    CHECK(dt < 1000 * 1000000LL);
    // The kernel does not write back the remaining time.
    CHECK(rel.tv_sec == 0 && rel.tv_nsec == 50 * 1000000L);
  }
  // A zero timeout with a matching value times out at once.
  timespec zero{0, 0};
  int64_t t0 = mono_ns();
  CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 7, &zero), ETIMEDOUT);
  CHECK(mono_ns() - t0 < 500 * 1000000LL);
  // A value mismatch wins over the timeout.
  CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE, 8, &zero), EAGAIN);
}

void test_wake_from_thread() {
  for (int op : {FUTEX_WAIT_PRIVATE, FUTEX_WAIT}) {
    uint32_t word = 0;
    Waiter w;
    start(w, &word, 0, op);
    int wake_op = op == FUTEX_WAIT ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE;
    CHECK(wake_one_eventually(&word, wake_op) >= 0);
    join(w);
    CHECK(w.ret == 0);
    // Nobody left.
    CHECK(futex(&word, wake_op, INT_MAX) == 0);
  }
}

void test_wake_counts() {
  uint32_t word = 0;
  Waiter w[3];
  for (auto& x : w) start(x, &word, 0, FUTEX_WAIT_PRIVATE);
  for (auto& x : w) CHECK(wait_until_sleeping(x.tid));
  CHECK(futex(&word, FUTEX_WAKE_PRIVATE, 1) == 1);
  CHECK(futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX) == 2);
  CHECK(futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX) == 0);
  for (auto& x : w) join(x);
  for (auto& x : w) CHECK(x.ret == 0);

  // nr_wake of 0 (or negative) still wakes one waiter: the kernel loop checks
  // the count only after waking.
  Waiter v[2];
  for (auto& x : v) start(x, &word, 0, FUTEX_WAIT_PRIVATE);
  for (auto& x : v) CHECK(wait_until_sleeping(x.tid));
  CHECK(futex(&word, FUTEX_WAKE_PRIVATE, 0) == 1);
  CHECK(futex(&word, FUTEX_WAKE_PRIVATE, static_cast<uint32_t>(-1)) == 1);
  CHECK(futex(&word, FUTEX_WAKE_PRIVATE, 0) == 0);
  for (auto& x : v) join(x);
  for (auto& x : v) CHECK(x.ret == 0);

  // Waking an address nobody waits on returns 0.
  uint32_t other = 0;
  CHECK(futex(&other, FUTEX_WAKE_PRIVATE, 1) == 0);
  CHECK(futex(&other, FUTEX_WAKE, 1) == 0);
}

void test_bad_args() {
  // Unmapped page.
  long page = sysconf(_SC_PAGESIZE);
  void* m = mmap(nullptr, page, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(m != MAP_FAILED);
  CHECK_OK(munmap(m, page));
  auto* gone = static_cast<uint32_t*>(m);
  CHECK_ERR(futex(gone, FUTEX_WAIT, 0), EFAULT);
  CHECK_ERR(futex(gone, FUTEX_WAIT_PRIVATE, 0), EFAULT);
  CHECK_ERR(futex(nullptr, FUTEX_WAIT_PRIVATE, 0), EFAULT);
  // A private wake never touches memory: an unmapped user address is fine.
  CHECK(futex(gone, FUTEX_WAKE_PRIVATE, 1) == 0);
  CHECK(futex(nullptr, FUTEX_WAKE_PRIVATE, 1) == 0);
  // A shared wake must look the page up.
  CHECK_ERR(futex(gone, FUTEX_WAKE, 1), EFAULT);
  // A kernel address fails even for the private wake.
  auto* kaddr = reinterpret_cast<uint32_t*>(0xffff800000000000ull);
  CHECK_ERR(futex(kaddr, FUTEX_WAKE_PRIVATE, 1), EFAULT);
  // PROT_NONE page: EFAULT for the wait.
  void* none = mmap(nullptr, page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(none != MAP_FAILED);
  CHECK_ERR(futex(none, FUTEX_WAIT_PRIVATE, 0), EFAULT);
  CHECK_OK(munmap(none, page));
  // Read-only anonymous page: a private wait only reads, so it works
  // (mismatch -> EAGAIN); a shared wait refuses a read-only anonymous page
  // with EFAULT (it "will never change").
  void* ro = mmap(nullptr, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(ro != MAP_FAILED);
  CHECK_ERR(futex(ro, FUTEX_WAIT_PRIVATE, 1), EAGAIN);
  CHECK_ERR(futex(ro, FUTEX_WAIT, 1), EFAULT);
  CHECK_OK(munmap(ro, page));
  // A read-only file mapping is fine for a shared wait.
  FILE* tf = std::tmpfile();
  CHECK(tf != nullptr);
  if (tf != nullptr) {
    uint32_t v = 0x12345678u;
    CHECK(std::fwrite(&v, sizeof v, 1, tf) == 1);
    CHECK(std::fflush(tf) == 0);
    void* fm = mmap(nullptr, page, PROT_READ, MAP_SHARED, fileno(tf), 0);
    CHECK(fm != MAP_FAILED);
    if (fm != MAP_FAILED) {
      timespec zero{0, 0};
      CHECK_ERR(futex(fm, FUTEX_WAIT, 1), EAGAIN);
      CHECK_ERR(futex(fm, FUTEX_WAIT, 0x12345678u, &zero), ETIMEDOUT);
      CHECK(futex(fm, FUTEX_WAKE, 1) == 0);
      CHECK_OK(munmap(fm, page));
    }
    std::fclose(tf);
  }

  // Unaligned addresses: EINVAL, checked before the address is touched.
  alignas(8) uint32_t words[2] = {0, 0};
  auto* odd = reinterpret_cast<uint32_t*>(reinterpret_cast<char*>(words) + 1);
  auto* two = reinterpret_cast<uint32_t*>(reinterpret_cast<char*>(words) + 2);
  CHECK_ERR(futex(odd, FUTEX_WAIT_PRIVATE, 0), EINVAL);
  CHECK_ERR(futex(two, FUTEX_WAIT, 0), EINVAL);
  CHECK_ERR(futex(odd, FUTEX_WAKE_PRIVATE, 1), EINVAL);
  CHECK_ERR(futex(odd, FUTEX_WAKE, 1), EINVAL);
  CHECK_ERR(futex(reinterpret_cast<uint32_t*>(1), FUTEX_WAIT_PRIVATE, 0), EINVAL);

  // Unknown operations: ENOSYS.
  CHECK_ERR(futex(&words[0], 14, 0), ENOSYS);
  CHECK_ERR(futex(&words[0], 99, 0), ENOSYS);
  CHECK_ERR(futex(&words[0], 14 | FUTEX_PRIVATE_FLAG, 0), ENOSYS);
  // FUTEX_CLOCK_REALTIME with FUTEX_WAKE: ENOSYS.
  CHECK_ERR(futex(&words[0], FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1), ENOSYS);

  // Invalid timespecs: EINVAL, checked before the value comparison.
  timespec big{0, 1000000000L};
  timespec neg_ns{0, -1};
  timespec neg_s{-1, 0};
  for (int op : {FUTEX_WAIT, FUTEX_WAIT_PRIVATE}) {
    CHECK_ERR(futex(&words[0], op, 0, &big), EINVAL);
    CHECK_ERR(futex(&words[0], op, 0, &neg_ns), EINVAL);
    CHECK_ERR(futex(&words[0], op, 0, &neg_s), EINVAL);
    CHECK_ERR(futex(&words[0], op, 1, &big), EINVAL);  // value mismatches too
    // Unreadable timespec: EFAULT.
    CHECK_ERR(futex(&words[0], op, 0, gone), EFAULT);
  }
  // FUTEX_WAKE ignores the timeout argument (it is val2).
  CHECK(futex(&words[0], FUTEX_WAKE_PRIVATE, 1, &big) == 0);
}

// Keys: a private waiter is not found by a shared wake and vice versa, even
// within one process on ordinary private memory.
void test_private_vs_shared_same_process() {
  uint32_t word = 0;
  Waiter w;
  start(w, &word, 0, FUTEX_WAIT_PRIVATE);
  CHECK(wait_until_sleeping(w.tid));
  CHECK(futex(&word, FUTEX_WAKE, INT_MAX) == 0);
  CHECK(futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX) == 1);
  join(w);
  CHECK(w.ret == 0);

  Waiter s;
  start(s, &word, 0, FUTEX_WAIT);
  CHECK(wait_until_sleeping(s.tid));
  CHECK(futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX) == 0);
  CHECK(futex(&word, FUTEX_WAKE, INT_MAX) == 1);
  join(s);
  CHECK(s.ret == 0);
}

// Across fork on a MAP_SHARED page: the child's private wake finds nothing,
// its shared wake finds the parent's shared waiter.
void test_shared_across_fork() {
  long page = sysconf(_SC_PAGESIZE);
  void* m = mmap(nullptr, page, PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  CHECK(m != MAP_FAILED);
  if (m == MAP_FAILED) return;
  auto* word = static_cast<uint32_t*>(m);
  *word = 0;

  Waiter w;
  start(w, word, 0, FUTEX_WAIT);
  CHECK(wait_until_sleeping(w.tid));

  pid_t child = fork();
  CHECK_OK(child);
  if (child == 0) {
    int code = 0;
    if (futex(word, FUTEX_WAKE_PRIVATE, INT_MAX) != 0) code |= 1;
    if (futex(word, FUTEX_WAKE, INT_MAX) != 1) code |= 2;
    if (futex(word, FUTEX_WAKE, INT_MAX) != 0) code |= 4;
    _exit(code);
  }
  int status = 0;
  CHECK(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  if (WEXITSTATUS(status) & 1) std::fprintf(stderr, "child: private wake woke someone\n");
  if (WEXITSTATUS(status) & 2) std::fprintf(stderr, "child: shared wake did not return 1\n");
  if (WEXITSTATUS(status) != 0) {
    futex(word, FUTEX_WAKE, INT_MAX);  // do not hang the join below
  }
  join(w);
  CHECK(w.ret == 0);

  // And the other direction: the child waits, the parent wakes.
  pid_t child2 = fork();
  CHECK_OK(child2);
  if (child2 == 0) {
    long r = futex(word, FUTEX_WAIT, 0);
    _exit(r == 0 ? 0 : 1);
  }
  bool woke = false;
  for (int i = 0; i < 5000 && !woke; ++i) {
    CHECK(futex(word, FUTEX_WAKE_PRIVATE, INT_MAX) == 0);
    long r = futex(word, FUTEX_WAKE, 1);
    if (r == 1) woke = true;
    else sleep_ms(1);
  }
  CHECK(woke);
  CHECK(waitpid(child2, &status, 0) == child2);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CHECK_OK(munmap(m, page));
}

}  // namespace

int main() {
  test_mismatch();
  test_timeout();
  test_wake_from_thread();
  test_wake_counts();
  test_bad_args();
  test_private_vs_shared_same_process();
  test_shared_across_fork();
  return conformance::finish();
}
