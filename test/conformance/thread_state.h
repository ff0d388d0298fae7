// Waiting until another thread or process is blocked in the kernel, read from
// the state letter of /proc/.../stat ('S' sleeping, '?' unreadable or gone).
#pragma once

#include <sys/types.h>
#include <time.h>

#include <atomic>
#include <cstdio>
#include <cstring>

namespace conformance {

inline void sleep_ms(int ms) {
  timespec ts{0, ms * 1000000L};
  nanosleep(&ts, nullptr);
}

// Checks done() up to `tries` times, sleeping 1 ms after each false answer
// (so `tries` is roughly a timeout in ms). True as soon as done() is.
template <typename Pred>
bool poll_until(Pred done, int tries) {
  for (int i = 0; i < tries; ++i) {
    if (done()) return true;
    sleep_ms(1);
  }
  return false;
}

// The state letter of a /proc/<pid>/stat or /proc/self/task/<tid>/stat file
// (the field after the parenthesised comm), or '?' if it cannot be read.
inline char stat_state(const char* path) {
  FILE* f = std::fopen(path, "r");
  if (f == nullptr) return '?';
  char buf[512];
  size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  const char* p = std::strrchr(buf, ')');
  return (p != nullptr && p[1] == ' ') ? p[2] : '?';
}

// State of thread `tid` of this process; '?' once the thread is gone.
inline char task_state(pid_t tid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
  return stat_state(path);
}

// State of process `pid` (its main thread), e.g. a forked child.
inline char proc_state(pid_t pid) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/stat", pid);
  return stat_state(path);
}

// Until thread `tid` is seen sleeping ('S'), for up to `tries` checks 1 ms apart.
inline bool wait_until_sleeping(pid_t tid, int tries = 5000) {
  return poll_until([&] { return task_state(tid) == 'S'; }, tries);
}

// The same for a thread that publishes its tid in `who` (0 until it has run)
// right before it blocks: once seen sleeping after publishing, it is blocked
// in the call that follows.
template <typename T>
bool wait_until_sleeping(const std::atomic<T>& who, int tries = 5000) {
  return poll_until(
      [&] {
        const T t = who.load();
        return t != 0 && task_state(static_cast<pid_t>(t)) == 'S';
      },
      tries);
}

}  // namespace conformance
