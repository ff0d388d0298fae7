// Answers sentry sent to a notification that the guest may still drop.
//
// A signal can wake a thread parked in a seccomp notification after sentry's
// SECCOMP_IOCTL_NOTIF_SEND succeeded but before the thread read the answer;
// the kernel then drops the answer and the call ends with -ERESTART*, to be
// restarted (SA_RESTART, an ignored signal) or to fail with EINTR. For a futex
// wait that was just woken, that loses the wake-up (the waker counted it), and
// a served call that already acted (mkdir, an installed fd) would be redone
// or reported as interrupted. Linux itself gives the completed result
// precedence: a woken futex wait returns 0 and the handler runs after.
//
// The same holds when the signal comes while sentry is still acting: the
// kernel abandons the notification, and NOTIF_SEND fails with ENOENT after
// sentry has installed an fd, registered an epoll item or set a thread's
// name. Only a parked call (a futex wait, Syscall::set_parked) is then truly
// abandoned: its wake-up goes to another waiter.
//
// So every answer is remembered per thread until the thread's next
// notification (undelivered ones too, unless parked); at a signal-delivery
// stop, if the thread's registers still show the same call ending in
// -ERESTART*, the supervisor puts the answer in place (rax) before the
// kernel's restart logic looks at it.
//
// A thread can also leave its notification with no stop at all: a SIGCONT
// (or a group stop) makes the kernel set JOBCTL_TRAP_NOTIFY on every thread
// of a PTRACE_SEIZEd process and wake it, which ends the wait; when the trap
// is gone by the time the thread looks for signals, nothing is delivered and
// the kernel restarts the call at once (-ERESTARTSYS, no handler). sentry's
// answer then fails (ENOENT) after it acted, and the same call arrives again
// as a new notification. An undelivered answer that no stop has taken can
// only belong to that restart: no guest code ran in between (any signal
// delivery is a stop that takes it; any other call is a new notification
// or stop that forgets it). So a new notification of the same call (number,
// arguments, instruction pointer) gets that answer without being run again
// (replay()). Found by fault.injection's stop-cont mode: an epoll_ctl ADD
// done twice, answering EEXIST.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <unordered_map>

#include "sentry/supervisor/syscall.h"

namespace sentry::platform {

class SentAnswers {
 public:
  struct Answer {
    int nr = -1;
    SyscallArgs args{};
    std::int64_t value = 0;  // what rax must hold: the result or -errno
    // The host ran the call (CONTINUE was delivered): a signal that
    // interrupts it is the host's business, and its -ERESTART* stays.
    bool continued = false;
    // NOTIF_SEND failed: the thread had left the notification already.
    bool undelivered = false;
    std::uint64_t ip = 0;  // where the call was made
  };

  void record(pid_t tid, const Answer& a) { answers_[tid] = a; }
  // `tid` made a new call (or the host ran its call): the last answer is
  // no longer pending.
  void forget(pid_t tid) { answers_.erase(tid); }
  // The undelivered answer of `tid` if its new call (nr, args, ip) is the
  // same call, restarted (see above); the answer is forgotten either way.
  std::optional<Answer> replay(pid_t tid, int nr, const SyscallArgs& args, std::uint64_t ip) {
    std::optional<Answer> a = take(tid);
    if (!a || !a->undelivered || a->continued || a->nr != nr || a->args != args || a->ip != ip) return std::nullopt;
    return a;
  }
  std::optional<Answer> take(pid_t tid) {
    auto it = answers_.find(tid);
    if (it == answers_.end()) return std::nullopt;
    Answer a = it->second;
    answers_.erase(it);
    return a;
  }

 private:
  std::unordered_map<pid_t, Answer> answers_;
};

}  // namespace sentry::platform
