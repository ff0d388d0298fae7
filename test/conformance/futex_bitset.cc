// FUTEX_WAIT_BITSET / FUTEX_WAKE_BITSET: absolute timeouts on
// CLOCK_MONOTONIC (or CLOCK_REALTIME with FUTEX_CLOCK_REALTIME), bitset
// validation, and selective wakes.
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

constexpr int64_t kMs = 1000000;

long futex(void* uaddr, int op, uint32_t val, const void* timeout = nullptr,
           void* uaddr2 = nullptr, uint32_t val3 = 0) {
  return syscall(SYS_futex, uaddr, op, val, timeout, uaddr2, val3);
}

pid_t tid() { return static_cast<pid_t>(syscall(SYS_gettid)); }

int64_t now_ns(clockid_t clk) {
  timespec ts{};
  clock_gettime(clk, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

timespec to_ts(int64_t ns) {
  timespec ts{};
  ts.tv_sec = static_cast<time_t>(ns / 1000000000);
  ts.tv_nsec = static_cast<long>(ns % 1000000000);
  return ts;
}

struct Waiter {
  uint32_t* word = nullptr;
  int op = FUTEX_WAIT_BITSET_PRIVATE;
  uint32_t bitset = FUTEX_BITSET_MATCH_ANY;
  std::atomic<pid_t> tid{0};
  std::atomic<bool> done{false};
  long ret = 0;
  int err = 0;
  pthread_t thread{};
};

void* waiter_main(void* arg) {
  auto* w = static_cast<Waiter*>(arg);
  w->tid.store(tid());
  errno = 0;
  w->ret = futex(w->word, w->op, 0, nullptr, nullptr, w->bitset);
  w->err = errno;
  w->done.store(true);
  return nullptr;
}

void start(Waiter& w, uint32_t* word, int op, uint32_t bitset) {
  w.word = word;
  w.op = op;
  w.bitset = bitset;
  CHECK(pthread_create(&w.thread, nullptr, waiter_main, &w) == 0);
}

void join(Waiter& w) { CHECK(pthread_join(w.thread, nullptr) == 0); }

void test_absolute_monotonic() {
  uint32_t word = 0;
  for (int op : {FUTEX_WAIT_BITSET, FUTEX_WAIT_BITSET_PRIVATE}) {
    // Deadline already past: immediate ETIMEDOUT (even a deadline of 0).
    timespec past = to_ts(now_ns(CLOCK_MONOTONIC) - 10 * kMs);
    int64_t t0 = now_ns(CLOCK_MONOTONIC);
    CHECK_ERR(futex(&word, op, 0, &past, nullptr, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
    timespec epoch{0, 0};
    CHECK_ERR(futex(&word, op, 0, &epoch, nullptr, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
    CHECK(now_ns(CLOCK_MONOTONIC) - t0 < 500 * kMs);

    // Deadline 50 ms ahead: returns at or after the deadline.
    int64_t deadline = now_ns(CLOCK_MONOTONIC) + 50 * kMs;
    timespec abs = to_ts(deadline);
    CHECK_ERR(futex(&word, op, 0, &abs, nullptr, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
    int64_t after = now_ns(CLOCK_MONOTONIC);
    CHECK(after >= deadline);
    CHECK(after - deadline < 1000 * kMs);

    // A small "relative-looking" value is an absolute time long past.
    timespec rel_looking{0, 100 * kMs};
    t0 = now_ns(CLOCK_MONOTONIC);
    CHECK_ERR(futex(&word, op, 0, &rel_looking, nullptr, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
    CHECK(now_ns(CLOCK_MONOTONIC) - t0 < 90 * kMs);
  }
}

void test_absolute_realtime() {
  uint32_t word = 0;
  for (int op : {FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME,
                 FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME}) {
    int64_t deadline = now_ns(CLOCK_REALTIME) + 50 * kMs;
    timespec abs = to_ts(deadline);
    int64_t m0 = now_ns(CLOCK_MONOTONIC);
    CHECK_ERR(futex(&word, op, 0, &abs, nullptr, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
    CHECK(now_ns(CLOCK_REALTIME) >= deadline);
    CHECK(now_ns(CLOCK_MONOTONIC) - m0 < 1000 * kMs);

    // A CLOCK_MONOTONIC-based deadline is decades in the past on
    // CLOCK_REALTIME: immediate timeout.
    timespec mono_deadline = to_ts(now_ns(CLOCK_MONOTONIC) + 100 * kMs);
    m0 = now_ns(CLOCK_MONOTONIC);
    CHECK_ERR(futex(&word, op, 0, &mono_deadline, nullptr, FUTEX_BITSET_MATCH_ANY),
              ETIMEDOUT);
    CHECK(now_ns(CLOCK_MONOTONIC) - m0 < 90 * kMs);
  }
}

void test_clock_realtime_flag_rules() {
  uint32_t word = 0;
  timespec rel{0, 20 * kMs};
  // Linux 6.18: FUTEX_CLOCK_REALTIME is accepted only with WAIT_BITSET,
  // WAIT_REQUEUE_PI and LOCK_PI2; plain FUTEX_WAIT rejects it with ENOSYS
  // (before even looking at the value or the timeout).
  CHECK_ERR(futex(&word, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 0, &rel), ENOSYS);
  CHECK_ERR(futex(&word, FUTEX_WAIT_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &rel), ENOSYS);
  CHECK_ERR(futex(&word, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 1, nullptr), ENOSYS);
  CHECK_ERR(futex(&word, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1), ENOSYS);
  CHECK_ERR(futex(&word, FUTEX_WAKE_BITSET | FUTEX_CLOCK_REALTIME, 1, nullptr,
                  nullptr, FUTEX_BITSET_MATCH_ANY),
            ENOSYS);
  CHECK_ERR(futex(&word, FUTEX_LOCK_PI | FUTEX_CLOCK_REALTIME, 0), ENOSYS);
  CHECK(word == 0);
}

void test_bitset_zero() {
  uint32_t word = 0;
  CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, nullptr, nullptr, 0), EINVAL);
  CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET, 0, nullptr, nullptr, 0), EINVAL);
  // Checked before the value comparison.
  CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 1, nullptr, nullptr, 0), EINVAL);
  CHECK_ERR(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, nullptr, nullptr, 0), EINVAL);
  CHECK_ERR(futex(&word, FUTEX_WAKE_BITSET, 1, nullptr, nullptr, 0), EINVAL);
  // Nonzero bitsets with no waiters: fine.
  CHECK(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, 1, nullptr, nullptr, 0x10) == 0);
  // Value mismatch with a nonzero bitset: EAGAIN.
  CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 1, nullptr, nullptr, 1), EAGAIN);
  // Invalid absolute timespec: EINVAL.
  timespec bad{0, 1000000000L};
  CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &bad, nullptr, 1), EINVAL);
  timespec neg{-1, 0};
  CHECK_ERR(futex(&word, FUTEX_WAIT_BITSET_PRIVATE, 0, &neg, nullptr, 1), EINVAL);
}

void test_selective_wake() {
  uint32_t word = 0;
  Waiter a, b;
  start(a, &word, FUTEX_WAIT_BITSET_PRIVATE, 1);
  start(b, &word, FUTEX_WAIT_BITSET_PRIVATE, 2);
  CHECK(wait_until_sleeping(a.tid));
  CHECK(wait_until_sleeping(b.tid));
  // Bitset 4 intersects neither.
  CHECK(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, nullptr, nullptr, 4) == 0);
  // Bitset 2 wakes exactly the second waiter.
  CHECK(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, nullptr, nullptr, 2) == 1);
  join(b);
  CHECK(b.ret == 0);
  CHECK(!a.done.load());
  CHECK(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, nullptr, nullptr, 2) == 0);
  // Bitset 3 intersects the first waiter's bitset 1.
  CHECK(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, nullptr, nullptr, 3) == 1);
  join(a);
  CHECK(a.ret == 0);

  // Plain FUTEX_WAKE (bitset all ones) wakes bitset waiters; plain FUTEX_WAIT
  // waiters (bitset all ones) are woken by any nonzero wake bitset.
  Waiter c, d;
  start(c, &word, FUTEX_WAIT_BITSET_PRIVATE, 0x80000000u);
  start(d, &word, FUTEX_WAIT_PRIVATE, 0);
  CHECK(wait_until_sleeping(c.tid));
  CHECK(wait_until_sleeping(d.tid));
  CHECK(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, nullptr, nullptr, 0x40) == 1);
  join(d);
  CHECK(d.ret == 0);
  CHECK(futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX) == 1);
  join(c);
  CHECK(c.ret == 0);

  // The wake count applies to matching waiters only: wake 1 with bitset 2
  // skips the non-matching first waiter and wakes the matching one.
  Waiter e, f, g;
  start(e, &word, FUTEX_WAIT_BITSET, 1);
  CHECK(wait_until_sleeping(e.tid));
  start(f, &word, FUTEX_WAIT_BITSET, 2);
  CHECK(wait_until_sleeping(f.tid));
  start(g, &word, FUTEX_WAIT_BITSET, 2);
  CHECK(wait_until_sleeping(g.tid));
  // Shared waiters are not seen by a private wake.
  CHECK(futex(&word, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, nullptr, nullptr, 3) == 0);
  CHECK(futex(&word, FUTEX_WAKE_BITSET, 1, nullptr, nullptr, 2) == 1);
  CHECK(!e.done.load());
  CHECK(futex(&word, FUTEX_WAKE_BITSET, INT_MAX, nullptr, nullptr, 2) == 1);
  join(f);
  join(g);
  CHECK(f.ret == 0 && g.ret == 0);
  CHECK(!e.done.load());
  CHECK(futex(&word, FUTEX_WAKE, INT_MAX) == 1);
  join(e);
  CHECK(e.ret == 0);
}

}  // namespace

int main() {
  test_absolute_monotonic();
  test_absolute_realtime();
  test_clock_realtime_flag_rules();
  test_bitset_zero();
  test_selective_wake();
  return conformance::finish();
}
