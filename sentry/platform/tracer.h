// Process lifecycle through ptrace: every guest task is a tracee (PTRACE_SEIZE
// on the root; the kernel auto-attaches clones, forks and vforks). Only event
// stops are requested, never per-syscall stops, except:
//   * PTRACE_EVENT_SECCOMP stops of calls the filter sends to the tracer
//     (execve always; forwarded calls when the run observes them; every served
//     call on the ptrace platform), and
//   * the syscall-exit stop of an observed forwarded call, to learn its result.
// PTRACE_O_EXITKILL makes the kernel SIGKILL every tracee if sentry dies.
//
// CAUTION: ptrace requests must come from the thread that attached; the whole
// supervisor runs on one thread for that reason.
#pragma once

#include <sys/types.h>
#include <sys/user.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include "sentry/kernel/process_tree.h"
#include "sentry/supervisor/syscall.h"
#include "sentry/trace/call_observer.h"

namespace sentry::platform {

class Tracer {
 public:
  struct Hooks {
    virtual ~Hooks() = default;
    // A served call stopped in PTRACE_EVENT_SECCOMP (ptrace platform).
    virtual void on_served_call(SyscallPtr call) = 0;
    // The root's first execve is about to run: its seccomp filter is in place.
    virtual void on_launch_exec(pid_t pid) = 0;
    // The root thread group is gone with this wait status.
    virtual void on_root_exit(int wait_status) = 0;
    // `tid` is in a signal-delivery stop for `sig` (registers may be changed
    // before it resumes), or it is gone (sig = 0).
    virtual void on_signal_stop(pid_t tid, int sig) = 0;
    // `parent` made task `child`, which is in the model now; both are
    // stopped (the hook may hold() them).
    virtual void on_new_task(pid_t parent, pid_t child) = 0;
    // Thread group `tgid` (its leader) is gone with this wait status.
    virtual void on_group_exit(pid_t /*tgid*/, int /*wait_status*/) {}
  };

  Tracer(kernel::ProcessTree& tree, const trace::CallObserver& observer, Hooks& hooks)
      : tree_(tree), observer_(observer), hooks_(hooks) {}

  // Whether the guest runs with the invoking user's identity (no --uid/--gid):
  // then the host's credentials after an execve are the model's.
  void set_real_identity(bool real) { real_identity_ = real; }

  // PTRACE_SEIZE with sentry's options. Returns 0 or -errno.
  static int seize(pid_t pid);
  // `pid`, seized after the launch (a program started in the running
  // sandbox), starts with an exec of the launcher's too.
  void expect_launch(pid_t pid) { awaiting_launch_.insert(pid); }

  // Handles every pending wait status (call when SIGCHLD arrives).
  void drain();
  // True once no tracee or child is left.
  bool finished() const { return finished_; }
  // SIGKILLs every known guest process.
  void kill_all();

  // Resumes a stopped tracee, keeping syscall-exit tracing when it owes one.
  // A held tracee is resumed only at its release().
  void resume(pid_t tid, int sig = 0);
  // Keeps `tid` stopped, at its current or next stop, until release(tid).
  void hold(pid_t tid) { held_.try_emplace(tid); }
  void release(pid_t tid);

  // `tid`, stopped at a call's entry, will run it on the host: at its exit
  // stop, `fixup` turns the host's result into the guest's, and the argument
  // registers of `entry_regs` are restored.
  using ExitFixup = std::function<std::int64_t(std::int64_t host_result)>;
  void expect_exit(pid_t tid, const user_regs_struct& entry_regs, ExitFixup fixup);
  // `tid` runs an injected call now; at its exit stop the registers become
  // `again` (the interrupted call's, pointing back at its syscall
  // instruction), so the thread issues that call once more.
  void expect_restart(pid_t tid, const user_regs_struct& again);
  // Records that `tid` is made to touch stack page `page`; false if it was
  // already made to touch that very page since its last exec (it could not
  // be mapped).
  bool note_stack_growth(pid_t tid, std::uint64_t page);

  // Stops `tid`, which waits in a seccomp notification, with
  // PTRACE_INTERRUPT (the kernel abandons the notification: its call ends in
  // -ERESTARTSYS unless something else ends it first) and calls `at_stop`
  // with the thread's registers at the interrupt stop. `at_stop` resumes it
  // (resume() or inject()).
  using InterruptStop = std::function<void(const user_regs_struct& regs)>;
  void interrupt(pid_t tid, InterruptStop at_stop);
  // Runs system call `nr` with `args` in `tid`, stopped right after a
  // `syscall` instruction with registers `at` (an interrupt stop). When the
  // call returns, `done` gets its result with the thread stopped, and
  // returns the registers it resumes with, or nullopt when it injected
  // another call. False (nothing done) when the instruction before `at.rip`
  // is not a `syscall`.
  using InjectDone = std::function<std::optional<user_regs_struct>(std::int64_t result)>;
  bool inject(pid_t tid, const user_regs_struct& at, long nr, const SyscallArgs& args, InjectDone done);
  // Whether call `nr(args)` of `tid` is the call inject() is running there:
  // a notification of it is sentry's own call, which the host runs as it
  // is. (A signal handler that runs before the injected call, while it is
  // pending, makes calls of its own: those are the guest's.)
  bool is_injected(pid_t tid, long nr, const SyscallArgs& args) const {
    auto it = state_.find(tid);
    return it != state_.end() && it->second.injected && it->second.injected_nr == nr &&
           it->second.injected_args == args;
  }

 private:
  struct TaskState {
    bool observing = false;  // an observed forwarded call is in flight
    trace::CallRecord pending;
    ExitFixup fixup;         // a translated call is in flight
    user_regs_struct entry_regs{};
    std::optional<user_regs_struct> restart;  // an injected call is in flight
    std::uint64_t grown_page = 0;             // the last stack page it was made to touch
    InterruptStop on_interrupt;               // interrupt() waits for its stop
    InjectDone injected;                      // an inject()ed call is in flight
    long injected_nr = -1;
    SyscallArgs injected_args{};
    std::uint64_t injected_rip = 0;  // where the injected call returns
    bool awaiting_exit() const { return observing || fixup || restart || injected; }
  };

  void handle(pid_t tid, int status);
  void handle_event(pid_t tid, int event, int sig);
  void handle_seccomp_stop(pid_t tid);
  void handle_syscall_exit(pid_t tid);
  void handle_gone(pid_t tid, int status);

  kernel::ProcessTree& tree_;
  const trace::CallObserver& observer_;
  Hooks& hooks_;
  std::unordered_map<pid_t, TaskState> state_;
  // New tasks held until their parent's clone event, with the process whose
  // event that is (their thread group, or for a process its PPid, at their
  // first stop).
  std::unordered_map<pid_t, pid_t> unannounced_;
  // A process killed inside fork never reports its event: its child is
  // announced when the process is reaped, as a process of its own.
  void announce_orphans_of(pid_t tgid, pid_t last_tid);
  std::unordered_map<pid_t, std::optional<int>> held_;  // hold(): the signal of a resume asked for
  bool launched_ = false;
  std::unordered_set<pid_t> awaiting_launch_;
  bool finished_ = false;
  bool real_identity_ = true;
};

}  // namespace sentry::platform
