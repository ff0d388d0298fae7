// The futex family served by sentry's FutexManager: futex(2) for private
// futexes, futex_waitv(2), and the futex2 calls futex_wait(2) / futex_wake(2) /
// futex_requeue(2). Shared and PI operations never get here: the seccomp filter
// forwards them to the host (abi/forward_rules_x86_64.def explains why that is
// exact); a call that arrives anyway (ptrace platform, a rule that did not
// apply) is continued on the host for the same reason.
//
// A wait parks the calling thread's Syscall in the manager and answers it
// later: from a wake, from a timer (ETIMEDOUT), or never (a signal or the
// thread's death drops it; see kernel/blocked_calls.h).
#include <linux/futex.h>
#include <sys/syscall.h>

#include <cerrno>
#include <chrono>
#include <ctime>
#include <memory>
#include <optional>
#include <variant>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/system_timer.hpp>

#include "sentry/kernel/futex/futex_manager.h"
#include "sentry/syscalls/registry.h"

namespace sentry::syscalls {

namespace {

using kernel::futex::FutexKey;
using kernel::futex::FutexManager;

constexpr int kFutexCmdMask = ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
// The highest user address on x86-64 with 4-level paging: beyond it a futex
// address is a kernel address and even a private wake fails with EFAULT.
constexpr std::uint64_t kTaskSizeMax = 0x00007ffffffff000ull;
// futex2 flags (include/uapi/linux/futex.h, Linux 6.7; Debian 12's headers
// predate them).
constexpr std::uint32_t kFutex2SizeMask = 0x03;
constexpr std::uint32_t kFutex2SizeU32 = 0x02;
constexpr std::uint32_t kFutex2Numa = 0x04;
constexpr std::uint32_t kFutex2Private = FUTEX_PRIVATE_FLAG;
constexpr std::uint32_t kFutexWaitvMax = 128;

// A deadline on one of the two clocks futexes use, or none (wait forever).
struct Deadline {
  bool realtime = false;
  std::chrono::nanoseconds since_epoch{};  // of CLOCK_MONOTONIC or CLOCK_REALTIME
};

std::chrono::nanoseconds now(bool realtime) {
  timespec ts;
  clock_gettime(realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC, &ts);
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// Reads a timespec argument: nullopt + *err set on EFAULT / EINVAL.
std::optional<std::chrono::nanoseconds> read_timespec(GuestMemory& mem, std::uint64_t addr, int* err) {
  timespec ts;
  if (!mem.read_value(addr, &ts)) {
    *err = EFAULT;
    return std::nullopt;
  }
  if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L) {
    *err = EINVAL;
    return std::nullopt;
  }
  return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

// Answers a parked wait exactly once; ends its timer and its BlockedCalls entry.
class SyscallWaiter final : public kernel::futex::Waiter {
 public:
  SyscallWaiter(kernel::Kernel& k, SyscallPtr call) : kernel_(k), call_(std::move(call)) {}
  ~SyscallWaiter() override { cancel_timer(); }

  bool deliver(std::int64_t result) override {
    cancel_timer();
    kernel_.blocked.unblock(call_->tid());
    return call_->complete(result) == ReplyStatus::kDelivered;
  }
  void set_timer(std::shared_ptr<void> timer, void (*cancel)(void*)) {
    timer_ = std::move(timer);
    cancel_ = cancel;
  }

 private:
  void cancel_timer() {
    if (timer_ && cancel_) cancel_(timer_.get());
    timer_.reset();
  }
  kernel::Kernel& kernel_;
  SyscallPtr call_;
  std::shared_ptr<void> timer_;
  void (*cancel_)(void*) = nullptr;
};

FutexManager& manager(kernel::Kernel& k) { return k.futexes; }

// Parks `call` as waiter `queued` (or answers it at once), arming `deadline`.
void park(kernel::Kernel& k, const SyscallPtr& call, const kernel::futex::WaitResult& r,
          SyscallWaiter* waiter, const std::optional<Deadline>& deadline) {
  if (r.immediate) {
    call->complete(*r.immediate);
    return;
  }
  kernel::futex::WaiterId id = r.id;
  call->set_parked();
  // Linux: an untimed wait is restarted after a handler with SA_RESTART; a
  // timed one fails with EINTR whenever a handler runs (futex_signal.cc).
  k.blocked.block(call->tid(), deadline ? kernel::OnSignal::kEintr : kernel::OnSignal::kRestart,
                  [&k, id] { manager(k).cancel(id, -EINTR); });
  if (!deadline) return;
  auto expire = [&k, id](const boost::system::error_code& ec) {
    if (!ec) manager(k).cancel(id, -ETIMEDOUT);
  };
  std::chrono::nanoseconds left = deadline->since_epoch - now(deadline->realtime);
  if (left <= std::chrono::nanoseconds::zero()) {
    manager(k).cancel(id, -ETIMEDOUT);
    return;
  }
  if (deadline->realtime) {
    auto t = std::make_shared<boost::asio::system_timer>(k.io);
    t->expires_at(std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(deadline->since_epoch)));
    t->async_wait(expire);
    waiter->set_timer(t, [](void* p) { static_cast<boost::asio::system_timer*>(p)->cancel(); });
  } else {
    auto t = std::make_shared<boost::asio::steady_timer>(k.io);
    t->expires_after(left);
    t->async_wait(expire);
    waiter->set_timer(t, [](void* p) { static_cast<boost::asio::steady_timer*>(p)->cancel(); });
  }
}

// The private key of `addr` in the caller's address space.
std::optional<FutexKey> key_of(kernel::Kernel& k, const SyscallPtr& call, std::uint64_t addr) {
  const kernel::ThreadGroup* g = k.tree.group_of(call->tid());
  if (g == nullptr) return std::nullopt;
  return FutexKey{g->mm, addr};
}

void wait(kernel::Kernel& k, const SyscallPtr& call, std::uint64_t uaddr, std::uint32_t expected,
          std::uint32_t bitset, const std::optional<Deadline>& deadline) {
  auto key = key_of(k, call, uaddr);
  if (!key) {
    call->fail(ESRCH);
    return;
  }
  auto waiter = std::make_unique<SyscallWaiter>(k, call);
  SyscallWaiter* raw = waiter.get();
  auto r = manager(k).wait(call->memory(), *key, expected, bitset, std::move(waiter));
  park(k, call, r, raw, deadline);
}

// A wake-side operation on a key with no waiter in sentry is continued on the
// host, which then gives exactly Linux's answer: it has no private non-PI
// waiter (those are all sentry's), so it returns 0 -- or EINVAL when PI or
// requeue-PI waiters sit on the word, EAGAIN for a CMP_REQUEUE mismatch, and
// it performs FUTEX_WAKE_OP's update of *uaddr2 atomically. Returns true if
// the call was handed to the host.
bool nobody_waits(kernel::Kernel& k, const SyscallPtr& call, const FutexKey& key) {
  if (manager(k).queued_on(key) != 0) return false;
  call->set_served_as(abi::Serve::kForward);
  call->continue_on_host();
  return true;
}

bool is_pi(int cmd) {
  return cmd == FUTEX_LOCK_PI || cmd == FUTEX_UNLOCK_PI || cmd == FUTEX_TRYLOCK_PI ||
         cmd == FUTEX_WAIT_REQUEUE_PI || cmd == FUTEX_CMP_REQUEUE_PI || cmd == 13 /*FUTEX_LOCK_PI2*/;
}

// Implements futex(2) for private, non-PI operations.
void sys_futex(kernel::Kernel& k, const SyscallPtr& call) {
  std::uint64_t uaddr = call->arg(0);
  int op = static_cast<int>(call->arg(1));
  auto val = static_cast<std::uint32_t>(call->arg(2));
  std::uint64_t utime = call->arg(3);
  std::uint64_t uaddr2 = call->arg(4);
  auto val3 = static_cast<std::uint32_t>(call->arg(5));
  int cmd = op & kFutexCmdMask;
  if (!(op & FUTEX_PRIVATE_FLAG) || is_pi(cmd)) {
    call->continue_on_host();
    return;
  }
  bool clock_realtime = (op & FUTEX_CLOCK_REALTIME) != 0;
  // kernel/futex/syscalls.c: only these take FUTEX_CLOCK_REALTIME.
  if (clock_realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT_REQUEUE_PI) {
    call->fail(ENOSYS);
    return;
  }
  std::optional<Deadline> deadline;
  if ((cmd == FUTEX_WAIT || cmd == FUTEX_WAIT_BITSET) && utime != 0) {
    int err = 0;
    auto ts = read_timespec(call->memory(), utime, &err);
    if (!ts) {
      call->fail(err);
      return;
    }
    // FUTEX_WAIT's timeout is relative (to CLOCK_MONOTONIC); WAIT_BITSET's is
    // absolute on CLOCK_MONOTONIC, or CLOCK_REALTIME with the flag.
    deadline = cmd == FUTEX_WAIT ? Deadline{false, now(false) + *ts} : Deadline{clock_realtime, *ts};
  }
  if ((cmd == FUTEX_WAKE || cmd == FUTEX_WAKE_BITSET) && uaddr + sizeof(std::uint32_t) > kTaskSizeMax) {
    call->fail(EFAULT);
    return;
  }
  auto key = key_of(k, call, uaddr);
  if (!key) {
    call->fail(ESRCH);
    return;
  }
  switch (cmd) {
    case FUTEX_WAIT:
      wait(k, call, uaddr, val, FUTEX_BITSET_MATCH_ANY, deadline);
      return;
    case FUTEX_WAIT_BITSET:
      wait(k, call, uaddr, val, val3, deadline);
      return;
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
      if (nobody_waits(k, call, *key)) return;
      call->complete(manager(k).wake(*key, static_cast<int>(val),
                                     cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : val3));
      return;
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE: {
      if (nobody_waits(k, call, *key)) return;
      std::optional<std::uint32_t> cmp;
      if (cmd == FUTEX_CMP_REQUEUE) cmp = val3;
      FutexKey to{key->mm, uaddr2};
      call->complete(manager(k).requeue(call->memory(), *key, to, static_cast<int>(val),
                                        static_cast<int>(utime), cmp));
      return;
    }
    case FUTEX_WAKE_OP: {
      FutexKey key2{key->mm, uaddr2};
      if (manager(k).queued_on(key2) == 0 && nobody_waits(k, call, *key)) return;
      call->complete(manager(k).wake_op(call->memory(), *key, key2, static_cast<int>(val),
                                        static_cast<int>(utime), val3));
      return;
    }
    default:
      call->fail(ENOSYS);
      return;
  }
}

// struct futex_waitv (include/uapi/linux/futex.h, Linux 5.16).
struct FutexWaitv {
  std::uint64_t val;
  std::uint64_t uaddr;
  std::uint32_t flags;
  std::uint32_t reserved;
};

// Reads an absolute futex2 timeout on `clockid`; nullopt + *err on failure.
std::optional<Deadline> read_futex2_deadline(GuestMemory& mem, std::uint64_t addr, std::uint64_t clockid,
                                             int* err) {
  if (clockid != CLOCK_MONOTONIC && clockid != CLOCK_REALTIME) {
    *err = EINVAL;
    return std::nullopt;
  }
  auto ts = read_timespec(mem, addr, err);
  if (!ts) return std::nullopt;
  return Deadline{clockid == CLOCK_REALTIME, *ts};
}

// Checks futex2 flags: 32-bit size only (as Linux 6.18), no NUMA.
bool futex2_flags_valid(std::uint64_t flags) {
  return (flags & ~(kFutex2SizeMask | kFutex2Private)) == 0 && (flags & kFutex2SizeMask) == kFutex2SizeU32 &&
         (flags & kFutex2Numa) == 0;
}

// Implements futex_waitv(2).
void sys_futex_waitv(kernel::Kernel& k, const SyscallPtr& call) {
  std::uint64_t waiters = call->arg(0);
  std::uint64_t nr = call->arg(1);
  std::uint64_t flags = call->arg(2);
  std::uint64_t timeout = call->arg(3);
  std::uint64_t clockid = call->arg(4);
  if (flags != 0 || waiters == 0 || nr == 0 || nr > kFutexWaitvMax) {
    call->fail(EINVAL);
    return;
  }
  std::optional<Deadline> deadline;
  if (timeout != 0) {
    int err = 0;
    deadline = read_futex2_deadline(call->memory(), timeout, clockid, &err);
    if (!deadline) {
      call->fail(err);
      return;
    }
  }
  std::vector<FutexWaitv> v(nr);
  if (!call->memory().read(waiters, v.data(), v.size() * sizeof(FutexWaitv))) {
    call->fail(EFAULT);
    return;
  }
  auto base = key_of(k, call, 0);
  if (!base) {
    call->fail(ESRCH);
    return;
  }
  std::vector<std::pair<FutexKey, std::uint32_t>> keys;
  bool any_shared = false;
  for (const FutexWaitv& w : v) {
    if (!futex2_flags_valid(w.flags) || w.reserved != 0 || (w.val >> 32) != 0) {
      call->fail(EINVAL);
      return;
    }
    if (!(w.flags & kFutex2Private)) any_shared = true;
    keys.emplace_back(FutexKey{base->mm, w.uaddr}, static_cast<std::uint32_t>(w.val));
  }
  if (any_shared) {
    // Shared futexes are the host's (see the file comment). A vector that
    // mixes shared and private entries would need both queues at once; the
    // host serves the whole call, so its private entries only wake from a
    // shared wake: a documented limitation (docs/decisions.md).
    call->continue_on_host();
    return;
  }
  auto waiter = std::make_unique<SyscallWaiter>(k, call);
  SyscallWaiter* raw = waiter.get();
  auto r = manager(k).wait_multiple(call->memory(), keys, std::move(waiter));
  park(k, call, r, raw, deadline);
}

// Implements futex_wait(2) (futex2) for private futexes.
void sys_futex_wait(kernel::Kernel& k, const SyscallPtr& call) {
  std::uint64_t uaddr = call->arg(0), val = call->arg(1), mask = call->arg(2), flags = call->arg(3);
  if (!(flags & kFutex2Private)) {
    call->continue_on_host();
    return;
  }
  if (!futex2_flags_valid(flags) || (val >> 32) != 0 || (mask >> 32) != 0) {
    call->fail(EINVAL);
    return;
  }
  std::optional<Deadline> deadline;
  if (call->arg(4) != 0) {
    int err = 0;
    deadline = read_futex2_deadline(call->memory(), call->arg(4), call->arg(5), &err);
    if (!deadline) {
      call->fail(err);
      return;
    }
  }
  wait(k, call, uaddr, static_cast<std::uint32_t>(val), static_cast<std::uint32_t>(mask), deadline);
}

// Implements futex_wake(2) (futex2) for private futexes.
void sys_futex_wake(kernel::Kernel& k, const SyscallPtr& call) {
  std::uint64_t uaddr = call->arg(0), mask = call->arg(1), flags = call->arg(3);
  int nr = static_cast<int>(call->arg(2));
  if (!(flags & kFutex2Private)) {
    call->continue_on_host();
    return;
  }
  if (!futex2_flags_valid(flags) || (mask >> 32) != 0) {
    call->fail(EINVAL);
    return;
  }
  auto key = key_of(k, call, uaddr);
  if (!key) {
    call->fail(ESRCH);
    return;
  }
  // futex2 is strict (FLAGS_STRICT): waking nobody is 0, not one (after
  // the alignment check, which the host does when it gets the call).
  if (nr == 0 && uaddr % 4 == 0) {
    call->complete(0);
    return;
  }
  if (nobody_waits(k, call, *key)) return;
  call->complete(manager(k).wake(*key, nr, static_cast<std::uint32_t>(mask)));
}

// Implements futex_requeue(2) (futex2) for private futexes.
void sys_futex_requeue(kernel::Kernel& k, const SyscallPtr& call) {
  std::uint64_t waiters = call->arg(0), flags = call->arg(1);
  int nr_wake = static_cast<int>(call->arg(2)), nr_requeue = static_cast<int>(call->arg(3));
  FutexWaitv v[2];
  if (flags != 0) {
    call->fail(EINVAL);
    return;
  }
  if (!call->memory().read(waiters, v, sizeof v)) {
    call->fail(EFAULT);
    return;
  }
  for (const FutexWaitv& w : v) {
    if (!futex2_flags_valid(w.flags) || w.reserved != 0) {
      call->fail(EINVAL);
      return;
    }
  }
  if (!(v[0].flags & kFutex2Private) || !(v[1].flags & kFutex2Private)) {
    call->continue_on_host();
    return;
  }
  auto from = key_of(k, call, v[0].uaddr);
  if (!from) {
    call->fail(ESRCH);
    return;
  }
  if (nobody_waits(k, call, *from)) return;
  call->complete(manager(k).requeue(call->memory(), *from, FutexKey{from->mm, v[1].uaddr}, nr_wake, nr_requeue,
                                    static_cast<std::uint32_t>(v[0].val)));
}

}  // namespace

void register_futex(Registry& r) {
  r.add("futex", sys_futex);
  r.add("futex_waitv", sys_futex_waitv);
  r.add("futex_wait", sys_futex_wait);
  r.add("futex_wake", sys_futex_wake);
  r.add("futex_requeue", sys_futex_requeue);
}

}  // namespace sentry::syscalls
