// Per-call costs, run natively and under sentry by tools/bench/run_bench.py,
// which prints the ratios. Raw syscalls (no libc caching or vDSO).
//
//   forwarded_getppid   a call the seccomp filter ALLOWs (fast path)
//   emulated_getuid     a call sentry's model answers (user notification)
//   futex_wake_empty    FUTEX_WAKE_PRIVATE with no waiter (handed to the host)
//   futex_pingpong      two threads passing a token through private futexes
//                       (one iteration = one round trip = 2 waits + 2 wakes)
//   epoll_wait_ready    epoll_wait with timeout 0 on an instance holding one
//                       ready level-triggered pipe (the wait does not block)
//   epoll_ctl_mod       EPOLL_CTL_MOD of one registration (pipe fd 3: a number
//                       sentry's own table uses too)
//   epoll_ctl_mod_high  the same on fd 100 (as a server's connections are)
//   epoll_pingpong      two threads passing a byte through two pipes, each
//                       blocking in epoll_wait on its own edge-triggered
//                       instance (one iteration = 2 blocking waits)
//   path_stat           newfstatat of a file in the host's read-only tree
//   path_open_close     openat + close of the same file
//   proc_open_close     openat + close of /proc/self/status (the model's)
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
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

// An epoll instance holding the read end of a pipe (level- or edge-triggered).
struct PipeEpoll {
  // `min_fd` > 0: the read end is moved to the lowest free number >= min_fd.
  explicit PipeEpoll(std::uint32_t events, int min_fd = 0) {
    if (pipe(fds) != 0) std::abort();
    if (min_fd > 0) {
      const int moved = fcntl(fds[0], F_DUPFD_CLOEXEC, min_fd);
      if (moved < 0) std::abort();
      close(fds[0]);
      fds[0] = moved;
    }
    ep = epoll_create1(0);
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = 42;
    if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fds[0], &ev) != 0) std::abort();
  }
  ~PipeEpoll() {
    close(ep);
    close(fds[0]);
    close(fds[1]);
  }
  int fds[2] = {-1, -1};
  int ep = -1;
};

void epoll_wait_ready(benchmark::State& state) {
  PipeEpoll p(EPOLLIN);
  if (write(p.fds[1], "x", 1) != 1) std::abort();
  epoll_event out{};
  for (auto _ : state) benchmark::DoNotOptimize(epoll_wait(p.ep, &out, 1, 0));
}
BENCHMARK(epoll_wait_ready);

void epoll_ctl_mod(benchmark::State& state) {
  PipeEpoll p(EPOLLIN);
  epoll_event ev{};
  ev.events = EPOLLIN;
  for (auto _ : state) benchmark::DoNotOptimize(epoll_ctl(p.ep, EPOLL_CTL_MOD, p.fds[0], &ev));
}
BENCHMARK(epoll_ctl_mod);

void epoll_ctl_mod_high(benchmark::State& state) {
  PipeEpoll p(EPOLLIN, 100);
  epoll_event ev{};
  ev.events = EPOLLIN;
  for (auto _ : state) benchmark::DoNotOptimize(epoll_ctl(p.ep, EPOLL_CTL_MOD, p.fds[0], &ev));
}
BENCHMARK(epoll_ctl_mod_high);

void epoll_pingpong(benchmark::State& state) {
  PipeEpoll to_partner(EPOLLIN | EPOLLET), to_main(EPOLLIN | EPOLLET);
  auto pass = [](PipeEpoll& in, PipeEpoll& out) {
    epoll_event ev{};
    while (epoll_wait(in.ep, &ev, 1, -1) != 1) {
    }
    char c;
    if (read(in.fds[0], &c, 1) != 1) std::abort();
    if (write(out.fds[1], &c, 1) != 1) std::abort();
    return c != 'q';
  };
  std::thread partner([&] {
    while (pass(to_partner, to_main)) {
    }
  });
  for (auto _ : state) {
    if (write(to_partner.fds[1], "x", 1) != 1) std::abort();
    epoll_event ev{};
    while (epoll_wait(to_main.ep, &ev, 1, -1) != 1) {
    }
    char c;
    if (read(to_main.fds[0], &c, 1) != 1) std::abort();
  }
  if (write(to_partner.fds[1], "q", 1) != 1) std::abort();
  partner.join();
}
BENCHMARK(epoll_pingpong)->UseRealTime();

}  // namespace

constexpr const char* kLibc = "/usr/lib/x86_64-linux-gnu/libc.so.6";

void path_stat(benchmark::State& state) {
  struct stat st;
  for (auto _ : state) benchmark::DoNotOptimize(syscall(SYS_newfstatat, AT_FDCWD, kLibc, &st, 0));
}
BENCHMARK(path_stat);

void path_open_close(benchmark::State& state) {
  for (auto _ : state) {
    long fd = syscall(SYS_openat, AT_FDCWD, kLibc, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      state.SkipWithError("openat failed");
      break;
    }
    syscall(SYS_close, fd);
  }
}
BENCHMARK(path_open_close);

void proc_open_close(benchmark::State& state) {
  for (auto _ : state) {
    long fd = syscall(SYS_openat, AT_FDCWD, "/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      state.SkipWithError("openat failed");
      break;
    }
    syscall(SYS_close, fd);
  }
}
BENCHMARK(proc_open_close);

// Creating a task costs under sentry what laying its /proc files costs
// (sentry/supervisor/model_views.h): measured per thread and per process.
void thread_create_join(benchmark::State& state) {
  for (auto _ : state) std::thread([] {}).join();
}
BENCHMARK(thread_create_join)->UseRealTime();

void fork_wait(benchmark::State& state) {
  for (auto _ : state) {
    const pid_t pid = fork();
    if (pid == 0) _exit(0);
    waitpid(pid, nullptr, 0);
  }
}
BENCHMARK(fork_wait)->UseRealTime();

BENCHMARK_MAIN();
