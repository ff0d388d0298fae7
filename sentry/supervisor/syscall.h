// One intercepted system call awaiting its answer. Both platforms (seccomp user
// notification and ptrace) hand the supervisor a Syscall; handlers answer it
// exactly once, either at once or later (a futex wait, a blocking accept), and
// never block the supervisor loop while doing so.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "abi/syscall_entry.h"
#include "sentry/memory/guest_memory.h"

namespace sentry {

using SyscallArgs = std::array<std::uint64_t, 6>;

// What became of an answer.
enum class ReplyStatus {
  kDelivered,  // the guest got the answer
  kGone,       // the calling thread was interrupted or died first (ENOENT from
               // the kernel); the answer was dropped, which is never an error
};

class Syscall : public std::enable_shared_from_this<Syscall> {
 public:
  virtual ~Syscall() = default;

  pid_t tid() const { return tid_; }
  int nr() const { return nr_; }
  std::uint32_t arch() const { return arch_; }
  std::uint64_t arg(int i) const { return args_[i]; }
  const SyscallArgs& args() const { return args_; }
  std::uint64_t instruction_pointer() const { return ip_; }
  // The row of abi/ for this call, or nullptr for a number Linux does not have.
  const abi::SyscallEntry* entry() const { return entry_; }
  bool answered() const { return answered_; }

  // The calling thread's memory.
  virtual GuestMemory& memory() = 0;

  // Answers with a return value: >= 0 for success, -errno for failure.
  ReplyStatus complete(std::int64_t value);
  ReplyStatus fail(int err) { return complete(-static_cast<std::int64_t>(err)); }
  // Lets the host kernel run the call as the guest issued it.
  ReplyStatus continue_on_host();
  // Lets the host run the call with `args` instead of the guest's, in the
  // guest's own thread (so it blocks and is interrupted as on Linux). When it
  // returns, `on_exit` (if set) gets the host's result and returns the one the
  // guest sees (it may also rewrite guest memory); the guest's argument
  // registers are restored. Only calls stopped by ptrace can do this (rows
  // served as kTranslate); others answer ENOSYS.
  using ExitFixup = std::function<std::int64_t(std::int64_t host_result)>;
  virtual ReplyStatus continue_rewritten(const SyscallArgs& args, ExitFixup on_exit);
  // As continue_rewritten, but the thread makes call `nr` instead. Linux runs
  // the guest's filter again on a call a tracer changed (the changed call is
  // notified where the filter says so; SECCOMP_RET_TRACE then allows it), so
  // on the unotify platform a call stopped by ptrace can hand its work to a
  // notification (kernel/fd_swaps.h). Others answer ENOSYS.
  virtual ReplyStatus continue_as(long nr, const SyscallArgs& args, ExitFixup on_exit);
  // Guest stack memory below the red zone that a rewritten call may point its
  // arguments at: `size` bytes, 16-byte aligned; 0 when the mechanism has no
  // access to the guest's registers. Successive calls return disjoint areas.
  virtual std::uint64_t scratch_area(std::size_t size) { return 0; }
  // Installs `host_fd` into the guest and answers with the new guest fd
  // number. `cloexec` sets FD_CLOEXEC. The call takes `host_fd` and closes it
  // before the guest resumes, so sentry never holds a reference the guest's
  // next close would not drop (EOF, EPIPE and epoll's removal on the last
  // close are then exactly Linux's).
  // `target_fd` >= 0 installs at exactly that number, replacing what is
  // there atomically (dup2's semantics; EBADF at or above RLIMIT_NOFILE);
  // otherwise the lowest free number (EMFILE when none is left).
  // kDelivered once the fd is installed: a signal that beats the answer does
  // not undo the install, and the answer is then put in place at the
  // thread's signal-delivery stop; kGone when nothing was installed.
  virtual ReplyStatus complete_with_fd(int host_fd, bool cloexec, int target_fd = -1) = 0;
  // Installs `host_fd` like complete_with_fd (taking it), but does not
  // answer: returns the guest's fd number, or -errno (-ENOENT: the thread
  // went away). Where fds cannot be installed, -ENOSYS.
  virtual int install_fd(int host_fd, bool cloexec, int target_fd = -1) = 0;
  // The answer reaches the thread another way (the platform sets its
  // registers): marks the call answered and reports `value`.
  void settle(std::int64_t value) { finish(value, false); }
  // Whether complete_with_fd works here (seccomp user notification). Where it
  // does not (ptrace platform), handlers let the host create the object in the
  // guest's thread with continue_rewritten() instead.
  virtual bool can_install_fds() const { return true; }

  // True while the calling thread still waits for this answer. Checked before a
  // handler acts on memory it read (a time-of-check/time-of-use guard) and by
  // long waits that want to drop a waiter whose thread went away.
  virtual bool still_waiting() = 0;

  // The call waits in sentry's model (a futex wait) and is answered later. A
  // parked call whose thread a signal interrupted first is simply dropped
  // (its wake-up goes to another waiter); any other answer that a signal
  // beats is still the call's result, put in place at the thread's
  // signal-delivery stop (platform/sent_answers.h): Linux never reports a
  // call that completed as interrupted, nor runs it twice.
  void set_parked() { parked_ = true; }
  bool parked() const { return parked_; }

  // How the answer was produced, for traces and reports.
  abi::Serve served_as() const { return served_as_; }
  void set_served_as(abi::Serve s) { served_as_ = s; }

  // What a handler learned that the call's arguments and result do not show
  // (which fds epoll_wait's events belong to); a trace prints it after the
  // result. Set it before answering.
  void set_trace_note(std::string note) { trace_note_ = std::move(note); }
  const std::string& trace_note() const { return trace_note_; }

  // Called once, just before the answer is sent, with the result (or with
  // continued=true when the host runs the call).
  using AnswerObserver = std::function<void(Syscall& call, std::int64_t value, bool continued)>;
  void set_answer_observer(AnswerObserver fn) { on_answer_ = std::move(fn); }

 protected:
  Syscall(pid_t tid, int nr, std::uint32_t arch, const SyscallArgs& args, std::uint64_t ip,
          const abi::SyscallEntry* entry)
      : tid_(tid), nr_(nr), arch_(arch), args_(args), ip_(ip), entry_(entry) {}

  virtual ReplyStatus send_value(std::int64_t value) = 0;
  // A mechanism that must run the call again instead of answering it (the
  // ptrace platform, when a rewritten call needs stack that is not mapped
  // yet) takes the answer over here and returns true; nothing is reported.
  virtual bool take_over_answer() { return false; }
  // Runs the call on the host. Implementations call finish(): at once with
  // continued=true, or later with the result when they learn it.
  virtual ReplyStatus send_continue() = 0;
  bool observed() const { return static_cast<bool>(on_answer_); }
  // Marks the call answered and tells the observer the result. complete() and
  // continue_on_host() call it; complete_with_fd implementations call it too.
  void finish(std::int64_t value, bool continued);

 private:
  pid_t tid_;
  int nr_;
  std::uint32_t arch_;
  SyscallArgs args_;
  std::uint64_t ip_;
  const abi::SyscallEntry* entry_;
  bool answered_ = false;
  bool parked_ = false;
  abi::Serve served_as_ = abi::Serve::kEmulate;
  AnswerObserver on_answer_;
  std::string trace_note_;
};

using SyscallPtr = std::shared_ptr<Syscall>;

}  // namespace sentry
