// A guest thread blocked in a futex wait, as the futex model sees it: something
// that is given a result exactly once. The syscall layer implements it over a
// pending seccomp notification.
#pragma once

#include <cstdint>

namespace sentry::kernel::futex {

class Waiter {
 public:
  virtual ~Waiter() = default;

  // Delivers the final result of the wait: 0 (woken by FUTEX_WAKE & co.), the
  // index of the woken futex (futex_waitv), -ETIMEDOUT, -EINTR, ... Returns
  // false if the thread can no longer be answered (interrupted by a signal,
  // killed: the kernel rejected the answer); the waiter is discarded either
  // way and is never called again.
  //
  // Must not call back into the FutexManager: it is invoked in the middle of
  // a futex operation.
  virtual bool deliver(std::int64_t result) = 0;
};

// Names a queued waiter, for cancel() (timeouts, signals). Never 0.
using WaiterId = std::uint64_t;

}  // namespace sentry::kernel::futex
