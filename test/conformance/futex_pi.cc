// Priority-inheritance futexes: LOCK_PI / TRYLOCK_PI / UNLOCK_PI / LOCK_PI2,
// the futex word protocol (owner tid, FUTEX_WAITERS, FUTEX_OWNER_DIED),
// timeouts, and WAIT_REQUEUE_PI + CMP_REQUEUE_PI.
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
long futex2(void* uaddr, int op, uint32_t val, uintptr_t val2, void* uaddr2,
            uint32_t val3) {
  return syscall(SYS_futex, uaddr, op, val, val2, uaddr2, val3);
}

uint32_t tid() { return static_cast<uint32_t>(syscall(SYS_gettid)); }

uint32_t load(const uint32_t* p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }

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

[[maybe_unused]] bool until(const std::atomic<bool>& flag) {
  for (int i = 0; i < 5000; ++i) {
    if (flag.load()) return true;
    sleep_ms(1);
  }
  return false;
}

// Runs fn on a new thread and joins it.
template <typename F>
void on_thread(F fn) {
  struct Box {
    F* f;
  } box{&fn};
  pthread_t t;
  CHECK(pthread_create(
            &t, nullptr,
            [](void* a) -> void* {
              (*static_cast<Box*>(a)->f)();
              return nullptr;
            },
            &box) == 0);
  CHECK(pthread_join(t, nullptr) == 0);
}

// A thread that blocks in some PI operation and records what it saw.
struct Blocker {
  uint32_t* word = nullptr;
  uint32_t* word2 = nullptr;
  int op = 0;
  uint32_t val = 0;
  std::atomic<uint32_t> tid{0};
  std::atomic<bool> done{false};
  long ret = -2;
  int err = 0;
  uint32_t seen = 0;       // *word2 (or *word) right after the call returned
  long unlock_ret = -2;    // result of the UNLOCK_PI that follows success
  uint32_t after_unlock = 0;
  bool unlock_after = true;
  pthread_t thread{};
};

void* blocker_main(void* arg) {
  auto* b = static_cast<Blocker*>(arg);
  b->tid.store(tid());
  errno = 0;
  b->ret = futex(b->word, b->op, b->val, nullptr, b->word2, 0);
  b->err = errno;
  uint32_t* lock = b->word2 != nullptr ? b->word2 : b->word;
  b->seen = load(lock);
  if (b->ret == 0 && b->unlock_after) {
    b->unlock_ret = futex(lock, FUTEX_UNLOCK_PI_PRIVATE, 0);
    b->after_unlock = load(lock);
  }
  b->done.store(true);
  return nullptr;
}

void start(Blocker& b) {
  CHECK(pthread_create(&b.thread, nullptr, blocker_main, &b) == 0);
}

void join(Blocker& b) { CHECK(pthread_join(b.thread, nullptr) == 0); }

void test_uncontended() {
  const uint32_t me = tid();
  uint32_t word = 0;
  CHECK(futex(&word, FUTEX_LOCK_PI_PRIVATE, 0) == 0);
  CHECK(word == me);  // no FUTEX_WAITERS bit
  // Relocking a lock we own: EDEADLK (also for trylock).
  CHECK_ERR(futex(&word, FUTEX_LOCK_PI_PRIVATE, 0), EDEADLK);
  CHECK_ERR(futex(&word, FUTEX_TRYLOCK_PI_PRIVATE, 0), EDEADLK);
  CHECK(word == me);
  CHECK(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0) == 0);
  CHECK(word == 0);
  // Unlocking an unowned lock: EPERM.
  CHECK_ERR(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0), EPERM);
  CHECK(word == 0);
  // TRYLOCK_PI on a free lock takes it.
  CHECK(futex(&word, FUTEX_TRYLOCK_PI_PRIVATE, 0) == 0);
  CHECK(word == me);
  CHECK(futex(&word, FUTEX_UNLOCK_PI, 0) == 0);  // shared flavour also fine
  CHECK(word == 0);
  // LOCK_PI2 (no timeout) behaves like LOCK_PI.
  CHECK(futex(&word, FUTEX_LOCK_PI2_PRIVATE, 0) == 0);
  CHECK(word == me);
  CHECK(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0) == 0);

  // A word with FUTEX_OWNER_DIED and no owner is taken over; the OWNER_DIED
  // bit is preserved.
  word = FUTEX_OWNER_DIED;
  CHECK(futex(&word, FUTEX_LOCK_PI_PRIVATE, 0) == 0);
  CHECK(word == (FUTEX_OWNER_DIED | me));
  CHECK(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0) == 0);
  CHECK(word == 0);
  // A stale FUTEX_WAITERS bit with no owner: taken over, bit dropped.
  word = FUTEX_WAITERS;
  CHECK(futex(&word, FUTEX_LOCK_PI_PRIVATE, 0) == 0);
  CHECK(word == me);
  CHECK(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0) == 0);

  // An owner tid that does not exist: ESRCH.
  word = 0x3ffffff0u;
  CHECK_ERR(futex(&word, FUTEX_LOCK_PI_PRIVATE, 0), ESRCH);
  CHECK_ERR(futex(&word, FUTEX_TRYLOCK_PI_PRIVATE, 0), ESRCH);

  // Unaligned / bad addresses.
  alignas(8) uint32_t pair[2] = {0, 0};
  auto* odd = reinterpret_cast<uint32_t*>(reinterpret_cast<char*>(pair) + 2);
  CHECK_ERR(futex(odd, FUTEX_LOCK_PI_PRIVATE, 0), EINVAL);
  CHECK_ERR(futex(reinterpret_cast<uint32_t*>(16), FUTEX_LOCK_PI_PRIVATE, 0), EFAULT);
  CHECK_ERR(futex(reinterpret_cast<uint32_t*>(16), FUTEX_UNLOCK_PI_PRIVATE, 0), EFAULT);
}

void test_owned_by_other() {
  uint32_t word = 0;
  CHECK(futex(&word, FUTEX_LOCK_PI_PRIVATE, 0) == 0);
  const uint32_t me = tid();
  on_thread([&] {
    // Trylock on a lock owned by someone else: EWOULDBLOCK (== EAGAIN).
    CHECK_ERR(futex(&word, FUTEX_TRYLOCK_PI_PRIVATE, 0), EWOULDBLOCK);
    CHECK_ERR(futex(&word, FUTEX_TRYLOCK_PI_PRIVATE, 0), EAGAIN);
    // Unlock by a non-owner: EPERM, word untouched.
    uint32_t before = load(&word);
    CHECK_ERR(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0), EPERM);
    CHECK(load(&word) == before);
  });
  // The failed trylock left FUTEX_WAITERS set: it attached to the owner
  // before finding it could not take the lock.
  CHECK(word == (me | FUTEX_WAITERS));
  // The owner's UNLOCK_PI with no kernel waiters clears the word.
  CHECK(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0) == 0);
  CHECK(word == 0);

  // A lock taken purely in user space (cmpxchg 0 -> tid) is owned too.
  word = me;
  on_thread([&] {
    CHECK_ERR(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0), EPERM);
    CHECK_ERR(futex(&word, FUTEX_TRYLOCK_PI_PRIVATE, 0), EAGAIN);
  });
  CHECK(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0) == 0);
  CHECK(word == 0);
}

void test_contended_handoff() {
  const uint32_t me = tid();
  uint32_t word = 0;
  CHECK(futex(&word, FUTEX_LOCK_PI_PRIVATE, 0) == 0);
  Blocker b;
  b.word = &word;
  b.op = FUTEX_LOCK_PI_PRIVATE;
  start(b);
  CHECK(wait_until_sleeping(b.tid));
  // The blocked locker set FUTEX_WAITERS on our word.
  CHECK(word == (me | FUTEX_WAITERS));
  // FUTEX_WAKE on a futex with PI waiters: EINVAL.
  CHECK_ERR(futex(&word, FUTEX_WAKE_PRIVATE, 1), EINVAL);
  CHECK(!b.done.load());
  // Unlock hands the lock over: the word becomes the waiter's tid and keeps
  // FUTEX_WAITERS (always set while kernel PI state exists).
  CHECK(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0) == 0);
  join(b);
  CHECK(b.ret == 0);
  CHECK(b.seen == (b.tid.load() | FUTEX_WAITERS));
  // The new owner's unlock (no more waiters) clears the word.
  CHECK(b.unlock_ret == 0);
  CHECK(b.after_unlock == 0);
  CHECK(word == 0);

  // Two blocked lockers: handoff goes to one, then to the other.
  CHECK(futex(&word, FUTEX_LOCK_PI_PRIVATE, 0) == 0);
  Blocker c[2];
  for (auto& x : c) {
    x.word = &word;
    x.op = FUTEX_LOCK_PI_PRIVATE;
    start(x);
    CHECK(wait_until_sleeping(x.tid));
  }
  CHECK(word == (me | FUTEX_WAITERS));
  CHECK(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0) == 0);
  for (auto& x : c) join(x);
  for (auto& x : c) {
    CHECK(x.ret == 0);
    CHECK(x.seen == (x.tid.load() | FUTEX_WAITERS));
    CHECK(x.unlock_ret == 0);
  }
  CHECK(word == 0);
}

void test_timeouts() {
  const uint32_t me = tid();
  uint32_t word = 0;
  CHECK(futex(&word, FUTEX_LOCK_PI_PRIVATE, 0) == 0);
  on_thread([&] {
    // LOCK_PI: absolute CLOCK_REALTIME deadline.
    int64_t deadline = now_ns(CLOCK_REALTIME) + 50 * kMs;
    timespec abs = to_ts(deadline);
    int64_t m0 = now_ns(CLOCK_MONOTONIC);
    CHECK_ERR(futex(&word, FUTEX_LOCK_PI_PRIVATE, 0, &abs), ETIMEDOUT);
    CHECK(now_ns(CLOCK_REALTIME) >= deadline);
    CHECK(now_ns(CLOCK_MONOTONIC) - m0 < 1000 * kMs);
    // A CLOCK_MONOTONIC-sized deadline is long past on CLOCK_REALTIME.
    timespec mono_abs = to_ts(now_ns(CLOCK_MONOTONIC) + 100 * kMs);
    m0 = now_ns(CLOCK_MONOTONIC);
    CHECK_ERR(futex(&word, FUTEX_LOCK_PI_PRIVATE, 0, &mono_abs), ETIMEDOUT);
    CHECK(now_ns(CLOCK_MONOTONIC) - m0 < 90 * kMs);

    // LOCK_PI2: absolute CLOCK_MONOTONIC by default ...
    int64_t md = now_ns(CLOCK_MONOTONIC) + 50 * kMs;
    timespec mabs = to_ts(md);
    CHECK_ERR(futex(&word, FUTEX_LOCK_PI2_PRIVATE, 0, &mabs), ETIMEDOUT);
    CHECK(now_ns(CLOCK_MONOTONIC) >= md);
    // ... CLOCK_REALTIME with FUTEX_CLOCK_REALTIME.
    int64_t rd = now_ns(CLOCK_REALTIME) + 50 * kMs;
    timespec rabs = to_ts(rd);
    CHECK_ERR(futex(&word, FUTEX_LOCK_PI2_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &rabs),
              ETIMEDOUT);
    CHECK(now_ns(CLOCK_REALTIME) >= rd);

    // Invalid timespec: EINVAL.
    timespec bad{0, 1000000000L};
    CHECK_ERR(futex(&word, FUTEX_LOCK_PI_PRIVATE, 0, &bad), EINVAL);
  });
  // The timed-out lockers leave FUTEX_WAITERS behind; the owner still owns.
  CHECK(word == (me | FUTEX_WAITERS));
  CHECK(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0) == 0);
  CHECK(word == 0);

  // An expired deadline does not matter when the lock is free.
  timespec past = to_ts(now_ns(CLOCK_REALTIME) - 1000 * kMs);
  CHECK(futex(&word, FUTEX_LOCK_PI_PRIVATE, 0, &past) == 0);
  CHECK(word == me);
  CHECK(futex(&word, FUTEX_UNLOCK_PI_PRIVATE, 0) == 0);
}

void test_requeue_pi() {
  const uint32_t me = tid();
  uint32_t cond = 7, mutex = 0;

  // Argument checks.
  CHECK_ERR(futex(&cond, FUTEX_WAIT_REQUEUE_PI_PRIVATE, 7, nullptr, &cond), EINVAL);
  CHECK_ERR(futex(&cond, FUTEX_WAIT_REQUEUE_PI_PRIVATE, 6, nullptr, &mutex), EAGAIN);
  timespec past = to_ts(now_ns(CLOCK_MONOTONIC) - kMs);
  CHECK_ERR(futex(&cond, FUTEX_WAIT_REQUEUE_PI_PRIVATE, 7, &past, &mutex), ETIMEDOUT);
  timespec rpast = to_ts(now_ns(CLOCK_MONOTONIC) + 50 * kMs);  // past on REALTIME
  CHECK_ERR(futex(&cond, FUTEX_WAIT_REQUEUE_PI_PRIVATE | FUTEX_CLOCK_REALTIME, 7, &rpast,
                  &mutex),
            ETIMEDOUT);
  CHECK(mutex == 0);
  // CMP_REQUEUE_PI: nr_wake must be 1, addresses must differ.
  CHECK_ERR(futex2(&cond, FUTEX_CMP_REQUEUE_PI_PRIVATE, 2, 1, &mutex, 7), EINVAL);
  CHECK_ERR(futex2(&cond, FUTEX_CMP_REQUEUE_PI_PRIVATE, 0, 1, &mutex, 7), EINVAL);
  CHECK_ERR(futex2(&cond, FUTEX_CMP_REQUEUE_PI_PRIVATE, 1, 1, &cond, 7), EINVAL);
  CHECK_ERR(futex2(&cond, FUTEX_CMP_REQUEUE_PI_PRIVATE, 1, 1, &mutex, 8), EAGAIN);
  CHECK(futex2(&cond, FUTEX_CMP_REQUEUE_PI_PRIVATE, 1, 1, &mutex, 7) == 0);
  CHECK(mutex == 0);

  // (a) Mutex free: CMP_REQUEUE_PI acquires it on behalf of the top waiter
  // and wakes it. With nr_requeue == 0 the word is just the waiter's tid;
  // with nr_requeue > 0 FUTEX_WAITERS is forced on even with no other waiter.
  for (uint32_t nr_requeue : {0u, 1u}) {
    Blocker w;
    w.word = &cond;
    w.word2 = &mutex;
    w.op = FUTEX_WAIT_REQUEUE_PI_PRIVATE;
    w.val = 7;
    start(w);
    CHECK(wait_until_sleeping(w.tid));
    // The waiter is special: a plain wake or a non-PI requeue is EINVAL.
    CHECK_ERR(futex(&cond, FUTEX_WAKE_PRIVATE, 1), EINVAL);
    uint32_t other = 0;
    CHECK_ERR(futex2(&cond, FUTEX_CMP_REQUEUE_PRIVATE, 1, 1, &other, 7), EINVAL);
    CHECK(!w.done.load());
    CHECK_ERR(futex2(&cond, FUTEX_CMP_REQUEUE_PI_PRIVATE, 1, 0, &mutex, 8), EAGAIN);
    CHECK(futex2(&cond, FUTEX_CMP_REQUEUE_PI_PRIVATE, 1, nr_requeue, &mutex, 7) == 1);
    join(w);
    CHECK(w.ret == 0);
    CHECK(w.seen == (w.tid.load() | (nr_requeue != 0 ? FUTEX_WAITERS : 0)));
    CHECK(w.unlock_ret == 0);
    CHECK(w.after_unlock == 0);
  }

  // (b) Mutex held by us: the waiter is requeued onto it (returns 1), then
  // our UNLOCK_PI hands it the mutex.
  {
    CHECK(futex(&mutex, FUTEX_LOCK_PI_PRIVATE, 0) == 0);
    Blocker w;
    w.word = &cond;
    w.word2 = &mutex;
    w.op = FUTEX_WAIT_REQUEUE_PI_PRIVATE;
    w.val = 7;
    start(w);
    CHECK(wait_until_sleeping(w.tid));
    CHECK(futex2(&cond, FUTEX_CMP_REQUEUE_PI_PRIVATE, 1, INT_MAX, &mutex, 7) == 1);
    CHECK(mutex == (me | FUTEX_WAITERS));
    CHECK(futex(&cond, FUTEX_WAKE_PRIVATE, INT_MAX) == 0);  // no longer on cond
    CHECK(!w.done.load());
    CHECK(futex(&mutex, FUTEX_UNLOCK_PI_PRIVATE, 0) == 0);
    join(w);
    CHECK(w.ret == 0);
    CHECK(w.seen == (w.tid.load() | FUTEX_WAITERS));
    CHECK(w.unlock_ret == 0);
    CHECK(mutex == 0);
  }

  // (c) Mutex free, two waiters: one acquires, one is requeued; returns 2.
  // The first unlocks, handing the mutex to the second.
  {
    Blocker w[2];
    for (auto& x : w) {
      x.word = &cond;
      x.word2 = &mutex;
      x.op = FUTEX_WAIT_REQUEUE_PI_PRIVATE;
      x.val = 7;
      start(x);
      CHECK(wait_until_sleeping(x.tid));
    }
    CHECK(futex2(&cond, FUTEX_CMP_REQUEUE_PI_PRIVATE, 1, INT_MAX, &mutex, 7) == 2);
    for (auto& x : w) join(x);
    for (auto& x : w) {
      CHECK(x.ret == 0);
      CHECK(x.seen == (x.tid.load() | FUTEX_WAITERS));
      CHECK(x.unlock_ret == 0);
    }
    CHECK(mutex == 0);
  }

  // (d) Mutex held, two waiters, nr_requeue 0: Linux still requeues one
  // waiter (the requeue limit is checked as requeued - nr_wake >= nr_requeue
  // and nobody was woken), so the call returns 1 and one waiter stays on cond.
  {
    CHECK(futex(&mutex, FUTEX_LOCK_PI_PRIVATE, 0) == 0);
    Blocker w[2];
    for (auto& x : w) {
      x.word = &cond;
      x.word2 = &mutex;
      x.op = FUTEX_WAIT_REQUEUE_PI_PRIVATE;
      x.val = 7;
      start(x);
      CHECK(wait_until_sleeping(x.tid));
    }
    CHECK(futex2(&cond, FUTEX_CMP_REQUEUE_PI_PRIVATE, 1, 0, &mutex, 7) == 1);
    CHECK(mutex == (me | FUTEX_WAITERS));
    CHECK(futex2(&cond, FUTEX_CMP_REQUEUE_PI_PRIVATE, 1, 0, &mutex, 7) == 1);
    CHECK(futex2(&cond, FUTEX_CMP_REQUEUE_PI_PRIVATE, 1, 0, &mutex, 7) == 0);
    CHECK(!w[0].done.load() && !w[1].done.load());
    // Our unlock hands the mutex down the chain: each waiter takes it and
    // unlocks it again.
    CHECK(futex(&mutex, FUTEX_UNLOCK_PI_PRIVATE, 0) == 0);
    for (auto& x : w) join(x);
    for (auto& x : w) {
      CHECK(x.ret == 0);
      CHECK(x.seen == (x.tid.load() | FUTEX_WAITERS));
      CHECK(x.unlock_ret == 0);
    }
    CHECK(mutex == 0);
  }
}

}  // namespace

int main() {
  test_uncontended();
  test_owned_by_other();
  test_contended_handoff();
  test_timeouts();
  test_requeue_pi();
  return conformance::finish();
}
