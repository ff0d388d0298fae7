// Emulated calls that are waiting in sentry (futex waits) and what a signal
// does to them. (epoll_wait, accept and connect block in the guest's own
// thread as translated calls, where the host applies signal(7) itself.)
//
// A guest thread waiting in a seccomp notification is woken by any signal; the
// kernel abandons the notification and the syscall returns -ERESTARTSYS, which
// restarts it after a handler with SA_RESTART and fails it with EINTR after a
// handler without. That is right for untimed futex waits, but Linux fails other
// waits with EINTR whenever a handler runs (timed futex waits, epoll_wait,
// poll, select, nanosleep: signal(7)). sentry sees the signal-delivery stop
// (ptrace) before the kernel makes that decision and, for those calls, turns
// -ERESTARTSYS into -EINTR. Either way the model drops the wait (it would
// otherwise keep a waiter whose thread no longer waits).
#pragma once

#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>

namespace sentry::kernel {

// Whether call `nr` with these arguments, served by the model, can wait
// there (the futex waits): a signal that abandons it before sentry answers
// interrupts it as Linux's own wait would be. Every other served call
// completes at once.
inline bool waits_in_model(int nr, const std::uint64_t* args) {
  if (nr == SYS_futex) {
    const std::uint64_t op = args[1] & 0x7f;  // without FUTEX_PRIVATE_FLAG, FUTEX_CLOCK_REALTIME
    return op == 0 /*FUTEX_WAIT*/ || op == 9 /*FUTEX_WAIT_BITSET*/;
  }
  return nr == SYS_futex_waitv || nr == 455 /*futex_wait: newer than Debian 12's headers*/;
}

// Whether served call `nr` with these arguments can block on the host when
// sentry lets it continue there: fcntl's lock waits, opens (a FIFO, a
// device) and ioctls. A signal that ends such a call is the host's to
// report (EINTR or a restart), as on Linux; any other served call never
// blocks, so a signal that ends it means it never ran.
// An open that creates a new file (O_CREAT|O_EXCL, O_TMPFILE), asks not to
// block (O_NONBLOCK) or opens only a path (O_PATH) never waits.
inline bool may_block_on_host(int nr, const std::uint64_t* args) {
  if (nr == SYS_fcntl) return args[1] == F_SETLKW || args[1] == F_OFD_SETLKW;
  if (nr == SYS_ioctl) return true;
  std::uint64_t flags;
  if (nr == SYS_open) flags = args[1];
  else if (nr == SYS_openat) flags = args[2];
  else if (nr == SYS_creat) flags = O_CREAT | O_WRONLY | O_TRUNC;
  else if (nr == SYS_openat2) return true;  // its flags are in guest memory
  else return false;
  if ((flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL)) return false;
  if ((flags & O_TMPFILE) == O_TMPFILE) return false;
  return (flags & (O_NONBLOCK | O_PATH)) == 0;
}

enum class OnSignal {
  kRestart,  // -ERESTARTSYS: restarted after a handler with SA_RESTART
  kEintr,    // EINTR whenever a handler runs
};

class BlockedCalls {
 public:
  // `tid` waits in an emulated call. `drop` is called at most once, if a
  // signal or the thread's death ends the wait; it must release the wait
  // (queues, timers) without answering the call.
  void block(pid_t tid, OnSignal mode, std::function<void()> drop) {
    waits_[tid] = Wait{mode, std::move(drop)};
  }
  // The call was answered: forget it.
  void unblock(pid_t tid) { waits_.erase(tid); }
  bool is_blocked(pid_t tid) const { return waits_.count(tid) != 0; }

  // A signal is being delivered to `tid` (or `tid` died): drops its wait, and
  // returns how the interrupted call must end, or nullopt if it was not waiting.
  std::optional<OnSignal> interrupt(pid_t tid) {
    auto it = waits_.find(tid);
    if (it == waits_.end()) return std::nullopt;
    Wait w = std::move(it->second);
    waits_.erase(it);
    if (w.drop) w.drop();
    return w.mode;
  }

 private:
  struct Wait {
    OnSignal mode;
    std::function<void()> drop;
  };
  std::unordered_map<pid_t, Wait> waits_;
};

}  // namespace sentry::kernel
