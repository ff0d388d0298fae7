// FUTEX_REQUEUE, FUTEX_CMP_REQUEUE and FUTEX_WAKE_OP.
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdint>

#include "conformance.h"
#include "thread_state.h"

namespace {

using namespace conformance;

long futex(void* uaddr, int op, uint32_t val, uintptr_t val2 = 0,
           void* uaddr2 = nullptr, uint32_t val3 = 0) {
  return syscall(SYS_futex, uaddr, op, val, val2, uaddr2, val3);
}

pid_t tid() { return static_cast<pid_t>(syscall(SYS_gettid)); }

struct Waiter {
  uint32_t* word = nullptr;
  uint32_t expect = 0;
  int op = FUTEX_WAIT_PRIVATE;
  std::atomic<pid_t> tid{0};
  std::atomic<bool> done{false};
  long ret = -2;
  int err = 0;
  pthread_t thread{};
};

void* waiter_main(void* arg) {
  auto* w = static_cast<Waiter*>(arg);
  w->tid.store(tid());
  errno = 0;
  w->ret = futex(w->word, w->op, w->expect);
  w->err = errno;
  w->done.store(true);
  return nullptr;
}

// Starts n waiters on word (expected value *word) and waits until all sleep.
void start_all(Waiter* w, int n, uint32_t* word, int op = FUTEX_WAIT_PRIVATE) {
  for (int i = 0; i < n; ++i) {
    w[i].word = word;
    w[i].expect = *word;
    w[i].op = op;
    CHECK(pthread_create(&w[i].thread, nullptr, waiter_main, &w[i]) == 0);
  }
  for (int i = 0; i < n; ++i) CHECK(wait_until_sleeping(w[i].tid));
}

int count_done(Waiter* w, int n) {
  int c = 0;
  for (int i = 0; i < n; ++i) c += w[i].done.load() ? 1 : 0;
  return c;
}

// Waits (bounded) until exactly `want` of the waiters have returned.
bool until_done(Waiter* w, int n, int want) {
  for (int i = 0; i < 5000; ++i) {
    if (count_done(w, n) >= want) return count_done(w, n) == want;
    sleep_ms(1);
  }
  return false;
}

void join_all(Waiter* w, int n) {
  for (int i = 0; i < n; ++i) {
    CHECK(pthread_join(w[i].thread, nullptr) == 0);
    CHECK(w[i].ret == 0);
  }
}

void test_requeue() {
  uint32_t a = 0, b = 0;
  Waiter w[3];
  start_all(w, 3, &a);
  // Wake 1, requeue the rest (val2 = INT_MAX). FUTEX_REQUEUE returns the
  // number woken plus the number requeued (same code path as CMP_REQUEUE).
  CHECK(futex(&a, FUTEX_REQUEUE_PRIVATE, 1, INT_MAX, &b) == 3);
  CHECK(until_done(w, 3, 1));
  // Nobody is left on a; the two requeued waiters are on b.
  CHECK(futex(&a, FUTEX_WAKE_PRIVATE, INT_MAX) == 0);
  CHECK(futex(&b, FUTEX_WAKE_PRIVATE, INT_MAX) == 2);
  join_all(w, 3);

  // Requeue limit: wake 0, requeue 1 of 2.
  Waiter v[2];
  start_all(v, 2, &a);
  CHECK(futex(&a, FUTEX_REQUEUE_PRIVATE, 0, 1, &b) == 1);
  CHECK(count_done(v, 2) == 0);
  CHECK(futex(&b, FUTEX_WAKE_PRIVATE, INT_MAX) == 1);
  CHECK(futex(&a, FUTEX_WAKE_PRIVATE, INT_MAX) == 1);
  join_all(v, 2);

  // Negative counts: EINVAL.
  CHECK_ERR(futex(&a, FUTEX_REQUEUE_PRIVATE, static_cast<uint32_t>(-1), 1, &b), EINVAL);
  CHECK_ERR(futex(&a, FUTEX_REQUEUE_PRIVATE, 1, static_cast<uintptr_t>(-1), &b), EINVAL);
  CHECK_ERR(futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, static_cast<uintptr_t>(-1), &b, 0),
            EINVAL);
  // No waiters: 0.
  CHECK(futex(&a, FUTEX_REQUEUE_PRIVATE, 1, 1, &b) == 0);
  CHECK(futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &b, 0) == 0);
  // Unaligned second address: EINVAL.
  auto* odd = reinterpret_cast<uint32_t*>(reinterpret_cast<char*>(&b) + 1);
  CHECK_ERR(futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, odd, 0), EINVAL);
}

void test_cmp_requeue() {
  uint32_t a = 5, b = 0;
  Waiter w[3];
  start_all(w, 3, &a);
  // val3 mismatch: EAGAIN, nobody woken, nobody moved.
  CHECK_ERR(futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, INT_MAX, &b, 4), EAGAIN);
  CHECK(futex(&b, FUTEX_WAKE_PRIVATE, INT_MAX) == 0);
  CHECK(count_done(w, 3) == 0);
  // Match: returns woken + requeued (1 + 1); the third stays on a.
  CHECK(futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &b, 5) == 2);
  CHECK(until_done(w, 3, 1));
  CHECK(futex(&b, FUTEX_WAKE_PRIVATE, INT_MAX) == 1);
  CHECK(until_done(w, 3, 2));
  CHECK(futex(&a, FUTEX_WAKE_PRIVATE, INT_MAX) == 1);
  join_all(w, 3);

  // Shared waiters are moved by a shared requeue and not by a private one.
  Waiter s[2];
  start_all(s, 2, &a, FUTEX_WAIT);
  CHECK(futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 0, INT_MAX, &b, 5) == 0);
  CHECK(futex(&a, FUTEX_CMP_REQUEUE, 0, INT_MAX, &b, 5) == 2);
  CHECK(futex(&b, FUTEX_WAKE_PRIVATE, INT_MAX) == 0);
  CHECK(futex(&b, FUTEX_WAKE, INT_MAX) == 2);
  join_all(s, 2);

  // Requeue onto the same address is allowed for non-PI futexes.
  Waiter t[2];
  start_all(t, 2, &a);
  CHECK(futex(&a, FUTEX_CMP_REQUEUE_PRIVATE, 0, INT_MAX, &a, 5) == 2);
  CHECK(count_done(t, 2) == 0);
  CHECK(futex(&a, FUTEX_WAKE_PRIVATE, INT_MAX) == 2);
  join_all(t, 2);
}

void test_wake_op() {
  uint32_t a = 0, b = 0;
  const uint32_t add1_gt0 = FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_GT, 0);

  // Old *b == 0: not > 0, so only a's waiter wakes; *b becomes 1.
  Waiter wa[1], wb[1];
  start_all(wa, 1, &a);
  start_all(wb, 1, &b);
  CHECK(futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &b, add1_gt0) == 1);
  CHECK(b == 1);
  join_all(wa, 1);
  CHECK(!wb[0].done.load());

  // Old *b == 1 > 0: wakes on a and on b; returns the total (2).
  Waiter wa2[1];
  start_all(wa2, 1, &a);
  CHECK(futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &b, add1_gt0) == 2);
  CHECK(b == 2);
  join_all(wa2, 1);
  join_all(wb, 1);

  // No waiters anywhere: still modifies *b, returns 0.
  CHECK(futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &b, add1_gt0) == 0);
  CHECK(b == 3);

  // nr_wake2 bounds the second wake; nr_wake the first.
  Waiter many_a[2], many_b[2];
  start_all(many_a, 2, &a);
  start_all(many_b, 2, &b);
  CHECK(futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &b, add1_gt0) == 2);
  CHECK(b == 4);
  CHECK(until_done(many_a, 2, 1));
  CHECK(until_done(many_b, 2, 1));
  CHECK(futex(&a, FUTEX_WAKE_PRIVATE, INT_MAX) == 1);
  CHECK(futex(&b, FUTEX_WAKE_PRIVATE, INT_MAX) == 1);
  join_all(many_a, 2);
  join_all(many_b, 2);

  // The other operations.
  b = 0xf0;
  CHECK(futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &b,
              FUTEX_OP(FUTEX_OP_SET, 7, FUTEX_OP_CMP_EQ, 0xf0)) == 0);
  CHECK(b == 7);
  CHECK(futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &b,
              FUTEX_OP(FUTEX_OP_OR, 0x30, FUTEX_OP_CMP_NE, 0)) == 0);
  CHECK(b == 0x37);
  CHECK(futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &b,
              FUTEX_OP(FUTEX_OP_ANDN, 0x11, FUTEX_OP_CMP_LT, 0)) == 0);
  CHECK(b == 0x26);
  CHECK(futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &b,
              FUTEX_OP(FUTEX_OP_XOR, 0xff, FUTEX_OP_CMP_GE, 0)) == 0);
  CHECK(b == 0xd9);
  // FUTEX_OP_OPARG_SHIFT: the operand is 1 << oparg.
  CHECK(futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &b,
              FUTEX_OP(FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, 4, FUTEX_OP_CMP_LE, 0)) == 0);
  CHECK(b == 16);
  // oparg and cmparg are sign-extended 12-bit fields: ADD 0xfff adds -1.
  CHECK(futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &b,
              FUTEX_OP(FUTEX_OP_ADD, 0xfff, FUTEX_OP_CMP_GT, 0xfff)) == 0);
  CHECK(b == 15);

  // The comparison decides on the OLD value; a wake on b happens when true.
  Waiter wb3[1];
  b = 9;
  start_all(wb3, 1, &b);
  // old 9 > -1 (cmparg 0xfff sign-extended) -> wake b; b becomes 10.
  CHECK(futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &b,
              FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_GT, 0xfff)) == 1);
  CHECK(b == 10);
  join_all(wb3, 1);

  // Invalid op (5): ENOSYS and *b untouched.
  b = 3;
  CHECK_ERR(futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &b, (5u << 28) | (1u << 12)), ENOSYS);
  CHECK(b == 3);
  // Invalid cmp (6): ENOSYS, but the operation was already applied.
  CHECK_ERR(futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, &b,
                  (static_cast<uint32_t>(FUTEX_OP_ADD) << 28) | (6u << 24) | (1u << 12)),
            ENOSYS);
  CHECK(b == 4);
  // Unaligned uaddr2: EINVAL.
  auto* odd = reinterpret_cast<uint32_t*>(reinterpret_cast<char*>(&b) + 2);
  CHECK_ERR(futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, odd, add1_gt0), EINVAL);
  // Bad uaddr2: EFAULT.
  CHECK_ERR(futex(&a, FUTEX_WAKE_OP_PRIVATE, 1, 1, reinterpret_cast<uint32_t*>(8),
                  add1_gt0),
            EFAULT);
}

}  // namespace

int main() {
  test_requeue();
  test_cmp_requeue();
  test_wake_op();
  return conformance::finish();
}
