// Futex waits and signals: EINTR vs transparent restart (SA_RESTART, timed
// vs untimed waits, stop/continue), blocked and ignored signals, and waiters
// that leave (signal, SIGKILL) without swallowing later wake-ups.
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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
           uint32_t val3 = 0) {
  return syscall(SYS_futex, uaddr, op, val, timeout, nullptr, val3);
}

uint32_t tid() { return static_cast<uint32_t>(syscall(SYS_gettid)); }

int64_t now_ns(clockid_t clk = CLOCK_MONOTONIC) {
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

// Child process: the word is set to 1 by the child right before it waits.
bool wait_child_sleeping(pid_t pid, const uint32_t* armed) {
  return poll_until(
      [&] { return __atomic_load_n(armed, __ATOMIC_SEQ_CST) != 0 && proc_state(pid) == 'S'; },
      5000);
}

std::atomic<int> g_handled{0};
void on_signal(int) { g_handled.fetch_add(1); }

void install(int sig, bool restart) {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = restart ? SA_RESTART : 0;
  CHECK_OK(sigaction(sig, &sa, nullptr));
}

enum class Kind { kUntimed, kRelative, kAbsoluteBitset };

struct Waiter {
  uint32_t* word = nullptr;
  Kind kind = Kind::kUntimed;
  int64_t timeout_ns = 0;
  bool block_sigusr1 = false;
  std::atomic<uint32_t> tid{0};
  std::atomic<bool> done{false};
  long ret = -2;
  int err = 0;
  int handled_at_return = -1;
  int64_t elapsed = 0;
  pthread_t thread{};
};

void* waiter_main(void* arg) {
  auto* w = static_cast<Waiter*>(arg);
  if (w->block_sigusr1) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
  }
  int64_t t0 = now_ns();
  timespec ts{};
  const timespec* tp = nullptr;
  int op = FUTEX_WAIT_PRIVATE;
  uint32_t val3 = 0;
  if (w->kind == Kind::kRelative) {
    ts = to_ts(w->timeout_ns);
    tp = &ts;
  } else if (w->kind == Kind::kAbsoluteBitset) {
    ts = to_ts(t0 + w->timeout_ns);
    tp = &ts;
    op = FUTEX_WAIT_BITSET_PRIVATE;
    val3 = FUTEX_BITSET_MATCH_ANY;
  }
  w->tid.store(tid());
  errno = 0;
  w->ret = futex(w->word, op, 0, tp, val3);
  w->err = errno;
  w->handled_at_return = g_handled.load();
  w->elapsed = now_ns() - t0;
  w->done.store(true);
  if (w->block_sigusr1) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);  // the pending signal runs now
  }
  return nullptr;
}

void start(Waiter& w, uint32_t* word, Kind kind = Kind::kUntimed, int64_t timeout_ns = 0) {
  w.word = word;
  w.kind = kind;
  w.timeout_ns = timeout_ns;
  CHECK(pthread_create(&w.thread, nullptr, waiter_main, &w) == 0);
  CHECK(wait_until_sleeping(w.tid));
}

void join(Waiter& w) { CHECK(pthread_join(w.thread, nullptr) == 0); }

bool until_handled(int n) {
  for (int i = 0; i < 5000; ++i) {
    if (g_handled.load() >= n) return true;
    sleep_ms(1);
  }
  return false;
}

// Retries a wake until it wakes one waiter; gives up early if `w` returned.
bool wake_one_eventually(uint32_t* word, int op, const Waiter* w) {
  for (int i = 0; i < 5000; ++i) {
    long r = futex(word, op, 1);
    if (r == 1) return true;
    if (r != 0 || (w != nullptr && w->done.load())) return false;
    sleep_ms(1);
  }
  return false;
}

void test_eintr_without_restart() {
  install(SIGUSR1, false);
  uint32_t word = 0;
  g_handled.store(0);
  Waiter w;
  start(w, &word);
  CHECK(pthread_kill(w.thread, SIGUSR1) == 0);
  join(w);
  CHECK(w.ret == -1 && w.err == EINTR);
  CHECK(g_handled.load() == 1);
  CHECK(w.handled_at_return == 1);  // the handler ran before the call returned
}

void test_restart_untimed() {
  // Untimed FUTEX_WAIT returns -ERESTARTSYS inside the kernel: with
  // SA_RESTART the wait is transparently restarted after the handler.
  install(SIGUSR1, true);
  uint32_t word = 0;
  g_handled.store(0);
  Waiter w;
  start(w, &word);
  CHECK(pthread_kill(w.thread, SIGUSR1) == 0);
  CHECK(until_handled(1));
  CHECK(wake_one_eventually(&word, FUTEX_WAKE_PRIVATE, &w));
  join(w);
  CHECK(w.ret == 0);
  CHECK(w.handled_at_return == 1);
}

void test_timed_never_restarts() {
  // Timed waits (relative FUTEX_WAIT and absolute WAIT_BITSET) use the
  // restart block (-ERESTART_RESTARTBLOCK), which becomes EINTR whenever a
  // handler runs, SA_RESTART or not.
  install(SIGUSR1, true);
  for (Kind kind : {Kind::kRelative, Kind::kAbsoluteBitset}) {
    bool decided = false;
    // A timeout racing the signal (machine stalled > 100 ms) is ambiguous;
    // retry a few times. A restarted wait would time out every time.
    for (int attempt = 0; attempt < 5 && !decided; ++attempt) {
      uint32_t word = 0;
      g_handled.store(0);
      Waiter w;
      start(w, &word, kind, 100 * kMs);
      CHECK(pthread_kill(w.thread, SIGUSR1) == 0);
      join(w);
      if (w.ret == -1 && w.err == ETIMEDOUT && w.elapsed >= 100 * kMs) {
        continue;  // the signal came after the timeout; try again
      }
      decided = true;
      CHECK(w.ret == -1 && w.err == EINTR);
      CHECK(g_handled.load() == 1);
    }
    CHECK(decided);
  }
}

void test_blocked_and_ignored() {
  // A blocked signal does not interrupt the wait; it is handled after.
  install(SIGUSR1, false);
  uint32_t word = 0;
  g_handled.store(0);
  Waiter w;
  w.block_sigusr1 = true;
  start(w, &word);
  CHECK(pthread_kill(w.thread, SIGUSR1) == 0);
  CHECK(wake_one_eventually(&word, FUTEX_WAKE_PRIVATE, &w));
  join(w);
  CHECK(w.ret == 0);
  CHECK(w.handled_at_return == 0);
  CHECK(g_handled.load() == 1);

  // An ignored signal is discarded and does not interrupt either.
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  CHECK_OK(sigaction(SIGUSR2, &ign, nullptr));
  Waiter v;
  start(v, &word);
  CHECK(pthread_kill(v.thread, SIGUSR2) == 0);
  CHECK(wake_one_eventually(&word, FUTEX_WAKE_PRIVATE, &v));
  join(v);
  CHECK(v.ret == 0);
}

void test_interrupted_waiter_leaves_queue() {
  install(SIGUSR1, false);
  uint32_t word = 0;
  g_handled.store(0);
  Waiter a, b;
  start(a, &word);
  start(b, &word);
  CHECK(pthread_kill(a.thread, SIGUSR1) == 0);
  join(a);
  CHECK(a.ret == -1 && a.err == EINTR);
  // The one wake goes to b, not to a's stale queue entry.
  CHECK(futex(&word, FUTEX_WAKE_PRIVATE, 1) == 1);
  join(b);
  CHECK(b.ret == 0);
  CHECK(futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX) == 0);
}

struct SharedPage {
  uint32_t word;
  uint32_t armed;
  uint32_t result;
  uint32_t pad;
  int64_t elapsed;
};

SharedPage* map_shared() {
  void* m = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  CHECK(m != MAP_FAILED);
  if (m == MAP_FAILED) return nullptr;
  return static_cast<SharedPage*>(m);
}

void test_stop_continue_restarts() {
  // SIGSTOP/SIGCONT run no handler: an untimed wait is restarted, and a timed
  // one is restarted with its original deadline (ETIMEDOUT, never EINTR).
  SharedPage* sh = map_shared();
  if (sh == nullptr) return;
  for (int timed = 0; timed < 2; ++timed) {
    std::memset(sh, 0, sizeof *sh);
    pid_t child = fork();
    CHECK_OK(child);
    if (child == 0) {
      timespec rel = to_ts(100 * kMs);
      int64_t t0 = now_ns();
      __atomic_store_n(&sh->armed, 1, __ATOMIC_SEQ_CST);
      errno = 0;
      long r = futex(&sh->word, FUTEX_WAIT, 0, timed ? &rel : nullptr);
      sh->elapsed = now_ns() - t0;
      sh->result = r == 0 ? 0 : static_cast<uint32_t>(errno);
      _exit(0);
    }
    CHECK(wait_child_sleeping(child, &sh->armed));
    CHECK_OK(kill(child, SIGSTOP));
    int status = 0;
    CHECK(waitpid(child, &status, WUNTRACED) == child);
    CHECK(WIFSTOPPED(status));
    CHECK_OK(kill(child, SIGCONT));
    CHECK(waitpid(child, &status, WCONTINUED) == child);
    CHECK(WIFCONTINUED(status));
    if (!timed) {
      // Still (again) waiting: a shared wake finds it.
      bool woke = false;
      for (int i = 0; i < 5000 && !woke; ++i) {
        long r = futex(&sh->word, FUTEX_WAKE, 1);
        if (r == 1) {
          woke = true;
        } else {
          if (waitpid(child, &status, WNOHANG) == child) break;
          sleep_ms(1);
        }
      }
      CHECK(woke);
      if (woke) CHECK(waitpid(child, &status, 0) == child);
      CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
      CHECK(sh->result == 0);
    } else {
      CHECK(waitpid(child, &status, 0) == child);
      CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
      CHECK(sh->result == ETIMEDOUT);
      CHECK(sh->elapsed >= 100 * kMs);
    }
  }
  munmap(sh, 4096);
}

void test_killed_process_waiter() {
  // A child process waiting on a shared futex is SIGKILLed; it must not
  // swallow the next FUTEX_WAKE meant for a live waiter.
  SharedPage* sh = map_shared();
  if (sh == nullptr) return;
  std::memset(sh, 0, sizeof *sh);
  pid_t child = fork();
  CHECK_OK(child);
  if (child == 0) {
    __atomic_store_n(&sh->armed, 1, __ATOMIC_SEQ_CST);
    futex(&sh->word, FUTEX_WAIT, 0);
    _exit(3);
  }
  CHECK(wait_child_sleeping(child, &sh->armed));
  CHECK_OK(kill(child, SIGKILL));
  int status = 0;
  CHECK(waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);

  // A shared waiter thread in this process.
  struct Ctx {
    uint32_t* word;
    std::atomic<uint32_t> tid{0};
    long ret = -2;
  } ctx{&sh->word};
  pthread_t t;
  CHECK(pthread_create(
            &t, nullptr,
            [](void* a) -> void* {
              auto* c = static_cast<Ctx*>(a);
              c->tid.store(tid());
              c->ret = futex(c->word, FUTEX_WAIT, 0);
              return nullptr;
            },
            &ctx) == 0);
  CHECK(wait_until_sleeping(ctx.tid));
  CHECK(futex(&sh->word, FUTEX_WAKE, 1) == 1);
  CHECK(pthread_join(t, nullptr) == 0);
  CHECK(ctx.ret == 0);
  CHECK(futex(&sh->word, FUTEX_WAKE, INT_MAX) == 0);
  munmap(sh, 4096);
}

}  // namespace

// A wake racing a signal that does not end the wait (ignored, or handled
// with SA_RESTART): the wake is never lost. On Linux the woken wait returns
// 0 (the handler, if any, runs after); a restarted wait would be a lost
// wake-up: the waker counted one woken thread that then waits again.
void test_wake_racing_signal() {
  install(SIGUSR1, true);
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  CHECK_OK(sigaction(SIGUSR2, &ign, nullptr));
  int lost = 0;
  for (int i = 0; i < 200 && lost == 0; ++i) {
    uint32_t word = 0;
    Waiter w;
    start(w, &word);
    CHECK(pthread_kill(w.thread, i % 2 ? SIGUSR1 : SIGUSR2) == 0);
    CHECK(wake_one_eventually(&word, FUTEX_WAKE_PRIVATE, &w));
    if (!poll_until([&] { return w.done.load(); }, 5000)) {
      ++lost;
      futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX);  // free it, so the test ends
    }
    join(w);
    CHECK(w.ret == 0);
  }
  CHECK(lost == 0);
}

int main() {
  test_eintr_without_restart();
  test_restart_untimed();
  test_timed_never_restarts();
  test_blocked_and_ignored();
  test_interrupted_waiter_leaves_queue();
  test_wake_racing_signal();
  test_stop_continue_restarts();
  test_killed_process_waiter();
  return conformance::finish();
}
