// futex_waitv(2) (Linux 5.16+): wait on up to 128 futexes at once; returns
// the index of the futex that was woken. Documents Linux's behaviour.
#include <linux/futex.h>
#include <pthread.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdint>

#include "conformance.h"
#include "thread_state.h"

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif

namespace {

using namespace conformance;

constexpr uint32_t kSizeU32 = 2;     // FUTEX2_SIZE_U32
constexpr uint32_t kPrivate = 128;   // FUTEX2_PRIVATE
constexpr int64_t kMs = 1000000;

long waitv(futex_waitv* w, unsigned n, unsigned flags = 0, const timespec* ts = nullptr,
           clockid_t clk = CLOCK_MONOTONIC) {
  return syscall(SYS_futex_waitv, w, n, flags, ts, clk);
}

long futex(void* uaddr, int op, uint32_t val) {
  return syscall(SYS_futex, uaddr, op, val, nullptr, nullptr, 0);
}

uint32_t tid() { return static_cast<uint32_t>(syscall(SYS_gettid)); }

futex_waitv entry(uint32_t* addr, uint64_t val, uint32_t flags = kSizeU32 | kPrivate) {
  futex_waitv w{};
  w.val = val;
  w.uaddr = reinterpret_cast<uintptr_t>(addr);
  w.flags = flags;
  return w;
}

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
  futex_waitv vec[3]{};
  unsigned n = 0;
  std::atomic<uint32_t> tid{0};
  std::atomic<bool> done{false};
  long ret = -2;
  int err = 0;
  pthread_t thread{};
};

void* waiter_main(void* arg) {
  auto* w = static_cast<Waiter*>(arg);
  w->tid.store(tid());
  errno = 0;
  w->ret = waitv(w->vec, w->n);
  w->err = errno;
  w->done.store(true);
  return nullptr;
}

void start(Waiter& w) {
  CHECK(pthread_create(&w.thread, nullptr, waiter_main, &w) == 0);
  CHECK(wait_until_sleeping(w.tid));
}

void join(Waiter& w) { CHECK(pthread_join(w.thread, nullptr) == 0); }

void test_wake_index() {
  uint32_t a = 0, b = 0, c = 0;
  // Woken through the second futex: returns 1.
  {
    Waiter w;
    w.vec[0] = entry(&a, 0);
    w.vec[1] = entry(&b, 0);
    w.n = 2;
    start(w);
    CHECK(futex(&b, FUTEX_WAKE, INT_MAX) == 0);  // private waiters: shared wake misses
    CHECK(futex(&b, FUTEX_WAKE_PRIVATE, 1) == 1);
    join(w);
    CHECK(w.ret == 1);
    // Both entries were dequeued.
    CHECK(futex(&a, FUTEX_WAKE_PRIVATE, INT_MAX) == 0);
    CHECK(futex(&b, FUTEX_WAKE_PRIVATE, INT_MAX) == 0);
  }
  // Through the first: 0; through the third: 2.
  for (int which = 0; which < 3; ++which) {
    uint32_t* addrs[3] = {&a, &b, &c};
    Waiter w;
    for (int i = 0; i < 3; ++i) w.vec[i] = entry(addrs[i], 0);
    w.n = 3;
    start(w);
    CHECK(futex(addrs[which], FUTEX_WAKE_PRIVATE, INT_MAX) == 1);
    join(w);
    CHECK(w.ret == which);
    for (auto* p : addrs) CHECK(futex(p, FUTEX_WAKE_PRIVATE, INT_MAX) == 0);
  }
  // Shared entries are found by a shared FUTEX_WAKE only.
  {
    Waiter w;
    w.vec[0] = entry(&a, 0, kSizeU32);
    w.vec[1] = entry(&b, 0, kSizeU32);
    w.n = 2;
    start(w);
    CHECK(futex(&b, FUTEX_WAKE_PRIVATE, INT_MAX) == 0);
    CHECK(futex(&b, FUTEX_WAKE, 1) == 1);
    join(w);
    CHECK(w.ret == 1);
  }
  // A plain FUTEX_WAIT waiter and a waitv waiter on the same word are both
  // counted by one wake-all.
  {
    Waiter w;
    w.vec[0] = entry(&c, 0);
    w.vec[1] = entry(&a, 0);
    w.n = 2;
    start(w);
    struct Ctx {
      uint32_t* word;
      std::atomic<uint32_t> tid{0};
      long ret = -2;
    } ctx{&c};
    pthread_t t;
    CHECK(pthread_create(
              &t, nullptr,
              [](void* p) -> void* {
                auto* x = static_cast<Ctx*>(p);
                x->tid.store(tid());
                x->ret = futex(x->word, FUTEX_WAIT_PRIVATE, 0);
                return nullptr;
              },
              &ctx) == 0);
    CHECK(wait_until_sleeping(ctx.tid));
    CHECK(futex(&c, FUTEX_WAKE_PRIVATE, INT_MAX) == 2);
    join(w);
    CHECK(pthread_join(t, nullptr) == 0);
    CHECK(w.ret == 0);
    CHECK(ctx.ret == 0);
  }
}

void test_errors() {
  uint32_t a = 0, b = 5;
  futex_waitv v[2] = {entry(&a, 0), entry(&b, 5)};
  // Value mismatch on any entry: EAGAIN.
  futex_waitv m0[2] = {entry(&a, 1), entry(&b, 5)};
  CHECK_ERR(waitv(m0, 2), EAGAIN);
  futex_waitv m1[2] = {entry(&a, 0), entry(&b, 4)};
  CHECK_ERR(waitv(m1, 2), EAGAIN);
  // Count: 0 or > 128 -> EINVAL; NULL array -> EINVAL.
  CHECK_ERR(waitv(v, 0), EINVAL);
  CHECK_ERR(waitv(v, FUTEX_WAITV_MAX + 1), EINVAL);
  CHECK_ERR(waitv(nullptr, 1), EINVAL);
  // Syscall flags must be 0.
  CHECK_ERR(waitv(v, 2, 1), EINVAL);
  CHECK_ERR(waitv(v, 2, kPrivate), EINVAL);
  // Per-entry flags: size must be U32, no unknown bits, reserved 0.
  futex_waitv bad = entry(&a, 0, kPrivate);  // size U8
  CHECK_ERR(waitv(&bad, 1), EINVAL);
  bad = entry(&a, 0, 3 | kPrivate);  // size U64
  CHECK_ERR(waitv(&bad, 1), EINVAL);
  bad = entry(&a, 0, kSizeU32 | 0x40);
  CHECK_ERR(waitv(&bad, 1), EINVAL);
  bad = entry(&a, 0);
  bad.__reserved = 1;
  CHECK_ERR(waitv(&bad, 1), EINVAL);
  // Value wider than 32 bits: EINVAL (even though *a would match the low half).
  bad = entry(&a, 1ull << 32);
  CHECK_ERR(waitv(&bad, 1), EINVAL);
  // Unaligned address: EINVAL.
  bad = entry(reinterpret_cast<uint32_t*>(reinterpret_cast<char*>(&a) + 1), 0);
  CHECK_ERR(waitv(&bad, 1), EINVAL);
  // Unmapped futex word or array: EFAULT.
  long page = sysconf(_SC_PAGESIZE);
  void* gone = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(gone != MAP_FAILED);
  CHECK_OK(munmap(gone, page));
  bad = entry(static_cast<uint32_t*>(gone), 0);
  CHECK_ERR(waitv(&bad, 1), EFAULT);
  CHECK_ERR(waitv(static_cast<futex_waitv*>(gone), 1), EFAULT);
  // An invalid entry after a valid one still fails the whole call.
  futex_waitv mixed[2] = {entry(&a, 0), entry(&b, 5, 0)};
  CHECK_ERR(waitv(mixed, 2), EINVAL);
}

void test_timeouts() {
  uint32_t a = 0, b = 0;
  futex_waitv v[2] = {entry(&a, 0), entry(&b, 0)};
  // Absolute CLOCK_MONOTONIC: past -> ETIMEDOUT at once; +50 ms -> waits.
  timespec past = to_ts(now_ns(CLOCK_MONOTONIC) - kMs);
  int64_t t0 = now_ns(CLOCK_MONOTONIC);
  CHECK_ERR(waitv(v, 2, 0, &past, CLOCK_MONOTONIC), ETIMEDOUT);
  CHECK(now_ns(CLOCK_MONOTONIC) - t0 < 500 * kMs);
  int64_t deadline = now_ns(CLOCK_MONOTONIC) + 50 * kMs;
  timespec abs = to_ts(deadline);
  CHECK_ERR(waitv(v, 2, 0, &abs, CLOCK_MONOTONIC), ETIMEDOUT);
  CHECK(now_ns(CLOCK_MONOTONIC) >= deadline);
  // Absolute CLOCK_REALTIME.
  int64_t rdeadline = now_ns(CLOCK_REALTIME) + 50 * kMs;
  timespec rabs = to_ts(rdeadline);
  CHECK_ERR(waitv(v, 2, 0, &rabs, CLOCK_REALTIME), ETIMEDOUT);
  CHECK(now_ns(CLOCK_REALTIME) >= rdeadline);
  // A monotonic-sized deadline on CLOCK_REALTIME is long past.
  timespec mono_abs = to_ts(now_ns(CLOCK_MONOTONIC) + 100 * kMs);
  t0 = now_ns(CLOCK_MONOTONIC);
  CHECK_ERR(waitv(v, 2, 0, &mono_abs, CLOCK_REALTIME), ETIMEDOUT);
  CHECK(now_ns(CLOCK_MONOTONIC) - t0 < 90 * kMs);
  // Other clocks: EINVAL; invalid timespec: EINVAL.
  CHECK_ERR(waitv(v, 2, 0, &abs, CLOCK_BOOTTIME), EINVAL);
  CHECK_ERR(waitv(v, 2, 0, &abs, CLOCK_PROCESS_CPUTIME_ID), EINVAL);
  timespec bad{0, 1000000000L};
  CHECK_ERR(waitv(v, 2, 0, &bad, CLOCK_MONOTONIC), EINVAL);
  // Without a timeout the clock id is ignored.
  futex_waitv mism[1] = {entry(&a, 9)};
  CHECK_ERR(waitv(mism, 1, 0, nullptr, 12345), EAGAIN);
}

}  // namespace

int main() {
  test_wake_index();
  test_errors();
  test_timeouts();
  return conformance::finish();
}
