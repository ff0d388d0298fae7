// Futex stress: N threads x M increments under a contended pthread mutex,
// interleaved with a condition-variable ping-pong between thread pairs, then
// the same with a minimal raw-futex mutex. Every count must be exact.
//
// usage: futex_stress [M=100000] [N=8] [R=M/10 ping-pong rounds per thread]
#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdint>
#include <vector>

#include "conformance.h"

namespace {

long futex(void* uaddr, int op, uint32_t val) {
  return syscall(SYS_futex, uaddr, op, val, nullptr, nullptr, 0);
}

struct Pair {
  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
  uint64_t turn = 0;        // whose turn: even -> role 0, odd -> role 1
  uint64_t out_of_turn = 0;  // must stay 0
};

// Drepper's "futexes are tricky" mutex 3: 0 free, 1 locked, 2 contended.
struct RawMutex {
  uint32_t v = 0;
  void lock() {
    uint32_t c = 0;
    if (__atomic_compare_exchange_n(&v, &c, 1, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED))
      return;
    if (c != 2) c = __atomic_exchange_n(&v, 2, __ATOMIC_ACQUIRE);
    while (c != 0) {
      futex(&v, FUTEX_WAIT_PRIVATE, 2);
      c = __atomic_exchange_n(&v, 2, __ATOMIC_ACQUIRE);
    }
  }
  void unlock() {
    if (__atomic_fetch_sub(&v, 1, __ATOMIC_RELEASE) != 1) {
      __atomic_store_n(&v, 0, __ATOMIC_RELEASE);
      futex(&v, FUTEX_WAKE_PRIVATE, 1);
    }
  }
};

struct Shared {
  long m = 0;
  int n = 0;
  long rounds = 0;
  pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
  uint64_t counter = 0;
  RawMutex raw;
  uint64_t raw_counter = 0;
  std::vector<Pair> pairs;
  std::atomic<int> start_line{0};
};

struct Arg {
  Shared* s;
  int index;
  long pingpongs = 0;
  int lock_errors = 0;
};

void pingpong_step(Pair& p, int role, Arg* a) {
  if (pthread_mutex_lock(&p.m) != 0) ++a->lock_errors;
  while (static_cast<int>(p.turn % 2) != role) {
    if (pthread_cond_wait(&p.cv, &p.m) != 0) ++a->lock_errors;
  }
  // This thread's k-th step must see turn == 2k + role exactly.
  if (p.turn != 2 * static_cast<uint64_t>(a->pingpongs) + static_cast<uint64_t>(role))
    ++p.out_of_turn;
  ++p.turn;
  pthread_cond_signal(&p.cv);
  if (pthread_mutex_unlock(&p.m) != 0) ++a->lock_errors;
  ++a->pingpongs;
}

void* worker(void* arg) {
  auto* a = static_cast<Arg*>(arg);
  Shared& s = *a->s;
  // Start together to maximise contention.
  s.start_line.fetch_add(1);
  while (s.start_line.load() < s.n) {
    sched_yield();
  }
  const bool paired = (a->index / 2) < static_cast<int>(s.pairs.size());
  Pair* p = paired ? &s.pairs[static_cast<size_t>(a->index / 2)] : nullptr;
  const int role = a->index % 2;
  const long every = s.rounds > 0 ? (s.m / s.rounds > 0 ? s.m / s.rounds : 1) : 0;
  for (long k = 0; k < s.m; ++k) {
    if (pthread_mutex_lock(&s.lock) != 0) ++a->lock_errors;
    ++s.counter;
    if (pthread_mutex_unlock(&s.lock) != 0) ++a->lock_errors;
    if (p != nullptr && every > 0 && k % every == 0 && a->pingpongs < s.rounds) {
      pingpong_step(*p, role, a);
    }
  }
  while (p != nullptr && a->pingpongs < s.rounds) pingpong_step(*p, role, a);
  // Phase 2: raw futex mutex (a tenth of the operations).
  for (long k = 0; k < s.m / 10; ++k) {
    s.raw.lock();
    ++s.raw_counter;
    s.raw.unlock();
  }
  return nullptr;
}

long arg_or(int argc, char** argv, int i, long dflt) {
  if (argc <= i) return dflt;
  char* end = nullptr;
  long v = std::strtol(argv[i], &end, 10);
  return (end != argv[i] && *end == '\0' && v >= 0) ? v : dflt;
}

}  // namespace

int main(int argc, char** argv) {
  Shared s;
  s.m = arg_or(argc, argv, 1, 100000);
  s.n = static_cast<int>(arg_or(argc, argv, 2, 8));
  s.rounds = arg_or(argc, argv, 3, s.m / 10);
  if (s.n < 1) s.n = 1;
  s.pairs = std::vector<Pair>(static_cast<size_t>(s.n / 2));

  std::vector<Arg> args(static_cast<size_t>(s.n));
  std::vector<pthread_t> threads(static_cast<size_t>(s.n));
  for (int i = 0; i < s.n; ++i) {
    args[static_cast<size_t>(i)] = Arg{&s, i};
    CHECK(pthread_create(&threads[static_cast<size_t>(i)], nullptr, worker,
                         &args[static_cast<size_t>(i)]) == 0);
  }
  for (auto& t : threads) CHECK(pthread_join(t, nullptr) == 0);

  CHECK(s.counter == static_cast<uint64_t>(s.n) * static_cast<uint64_t>(s.m));
  CHECK(s.raw_counter == static_cast<uint64_t>(s.n) * static_cast<uint64_t>(s.m / 10));
  CHECK(s.raw.v == 0);
  for (auto& p : s.pairs) {
    CHECK(p.turn == 2 * static_cast<uint64_t>(s.rounds));
    CHECK(p.out_of_turn == 0);
  }
  for (int i = 0; i < s.n; ++i) {
    const Arg& a = args[static_cast<size_t>(i)];
    CHECK(a.lock_errors == 0);
    const bool paired = (i / 2) < static_cast<int>(s.pairs.size());
    CHECK(a.pingpongs == (paired ? s.rounds : 0));
  }
  // The mutex and condvars are idle and can be destroyed.
  CHECK(pthread_mutex_destroy(&s.lock) == 0);
  for (auto& p : s.pairs) {
    CHECK(pthread_cond_destroy(&p.cv) == 0);
    CHECK(pthread_mutex_destroy(&p.m) == 0);
  }
  if (conformance::failures() != 0) {
    std::fprintf(stderr, "counter=%llu raw=%llu (N=%d M=%ld R=%ld)\n",
                 static_cast<unsigned long long>(s.counter),
                 static_cast<unsigned long long>(s.raw_counter), s.n, s.m, s.rounds);
  }
  return conformance::finish();
}
