// Per-call costs, run natively and under sentry by tools/bench/run_bench.py,
// which prints the ratios. Raw syscalls (no libc caching or vDSO).
//
//   forwarded_getppid   a call the seccomp filter ALLOWs (fast path)
//   emulated_getuid     a call sentry's model answers (user notification)
//   futex_wake_empty    FUTEX_WAKE_PRIVATE with no waiter (handed to the host)
//   futex_pingpong      two threads passing a token through private futexes
//                       (one iteration = one round trip = 2 waits + 2 wakes)
#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <thread>

#include <benchmark/benchmark.h>

namespace {

long futex(std::atomic<std::uint32_t>* addr, int op, std::uint32_t val) {
  return syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(addr), op, val, nullptr, nullptr, 0);
}

void forwarded_getppid(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(syscall(SYS_getppid));
}
BENCHMARK(forwarded_getppid);

void emulated_getuid(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(syscall(SYS_getuid));
}
BENCHMARK(emulated_getuid);

void futex_wake_empty(benchmark::State& state) {
  std::atomic<std::uint32_t> word{0};
  for (auto _ : state) benchmark::DoNotOptimize(futex(&word, FUTEX_WAKE_PRIVATE, 1));
}
BENCHMARK(futex_wake_empty);

// The token is the value of `turn`: 0 = main's turn, 1 = the partner's.
void futex_pingpong(benchmark::State& state) {
  std::atomic<std::uint32_t> turn{0};
  std::atomic<bool> stop{false};
  auto pass = [&](std::uint32_t mine, std::uint32_t next) {
    while (turn.load(std::memory_order_acquire) != mine) {
      if (stop.load()) return false;
      futex(&turn, FUTEX_WAIT_PRIVATE, next);
    }
    turn.store(next, std::memory_order_release);
    futex(&turn, FUTEX_WAKE_PRIVATE, 1);
    return true;
  };
  std::thread partner([&] {
    while (pass(1, 0)) {
    }
  });
  for (auto _ : state) pass(0, 1);
  pass(0, 1);
  stop.store(true);
  turn.store(1);
  futex(&turn, FUTEX_WAKE_PRIVATE, 1);
  partner.join();
}
BENCHMARK(futex_pingpong)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
