#include "sentry/platform/tracer.h"

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <sched.h>
#include <sys/syscall.h>
#include <string>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "abi/syscall_table.h"
#include "proc_synth/host_parse.h"
#include "proc_synth/kernel_view.h"
#include "sentry/memory/process_memory.h"
#include "sentry/platform/ptrace_syscall.h"
#include "sentry/platform/seccomp_policy.h"
#include "sentry/platform/syscall_regs.h"

namespace sentry::platform {

namespace {

constexpr long kSeizeOptions = PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
                               PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_TRACESECCOMP |
                               PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL;

std::shared_ptr<spdlog::logger> log() {
  static auto l = [] {
    auto existing = spdlog::get("platform");
    return existing ? existing : spdlog::default_logger()->clone("platform");
  }();
  return l;
}

std::string exe_of(pid_t pid) {
  char buf[4096];
  std::string link = "/proc/" + std::to_string(pid) + "/exe";
  ssize_t n = readlink(link.c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string("?");
}

// How `parent` created its new task, from the clone/clone3/fork/vfork it is
// stopped in (PTRACE_EVENT_CLONE/FORK/VFORK stops are inside that syscall).
kernel::CloneInfo clone_info_of(pid_t parent, int event) {
  kernel::CloneInfo how;
  user_regs_struct regs;
  std::uint64_t flags = 0;
  if (ptrace(PTRACE_GETREGS, parent, nullptr, &regs) == 0) {
    if (regs.orig_rax == SYS_clone) {
      flags = regs.rdi;
    } else if (regs.orig_rax == SYS_clone3) {
      ProcessMemory(parent).read_value(regs.rdi, &flags);  // clone_args.flags comes first
    } else if (regs.orig_rax == SYS_vfork) {
      flags = CLONE_VM | CLONE_VFORK;
    }
  } else if (event == PTRACE_EVENT_VFORK) {
    flags = CLONE_VM | CLONE_VFORK;
  }
  how.thread = (flags & CLONE_THREAD) != 0;
  how.share_vm = (flags & CLONE_VM) != 0;
  return how;
}

// The process whose event announces new task `tid`: its own thread group's
// for a thread, its parent (PPid) for a process; -1 if unknown.
pid_t parent_of(pid_t tid) {
  const auto status = proc_synth::parse_status(proc_synth::read_host_file("/proc/" + std::to_string(tid) + "/status"));
  const auto number = [&status](std::string_view key) {
    const std::optional<std::string> v = proc_synth::status_value(status, key);
    return v ? static_cast<pid_t>(std::strtol(v->c_str(), nullptr, 10)) : -1;
  };
  const pid_t tgid = number("Tgid");
  return tgid > 0 && tgid != tid ? tgid : number("PPid");
}

bool get_syscall_info(pid_t tid, __ptrace_syscall_info* info) {
  return ptrace(PTRACE_GET_SYSCALL_INFO, tid, sizeof *info, info) > 0;
}

}  // namespace

int Tracer::seize(pid_t pid) {
  if (ptrace(PTRACE_SEIZE, pid, nullptr, kSeizeOptions) != 0) return -errno;
  return 0;
}

void Tracer::release(pid_t tid) {
  auto h = held_.find(tid);
  if (h == held_.end()) return;
  const std::optional<int> sig = h->second;
  held_.erase(h);
  if (sig) resume(tid, *sig);
}

void Tracer::resume(pid_t tid, int sig) {
  if (auto h = held_.find(tid); h != held_.end()) {
    h->second = sig;
    return;
  }
  auto it = state_.find(tid);
  bool syscall_exit = it != state_.end() && it->second.awaiting_exit();
  if (ptrace(syscall_exit ? PTRACE_SYSCALL : PTRACE_CONT, tid, nullptr, sig) != 0 && errno != ESRCH) {
    log()->warn("tid {}: resume failed: {}", tid, std::strerror(errno));
  }
}

// In rounds: every stop waiting now is collected first, then handled. A
// tracee stops at most once per round, so one whose calls stop it again at
// once cannot keep another waiting (waitpid(-1) hands out the newest
// tracees first: a busy new thread would starve the older ones).
void Tracer::drain() {
  std::vector<std::pair<pid_t, int>> round;
  for (;;) {
    bool gone = false;
    for (;;) {
      int status = 0;
      const pid_t tid = waitpid(-1, &status, WNOHANG | __WALL);
      if (tid > 0) {
        round.emplace_back(tid, status);
        continue;
      }
      if (tid < 0 && errno == EINTR) continue;
      gone = tid < 0 && errno == ECHILD;
      break;
    }
    for (const auto& [tid, status] : round) handle(tid, status);
    if (gone) finished_ = true;
    if (round.empty() || gone) return;
    round.clear();
  }
}

void Tracer::handle(pid_t tid, int status) {
  if (WIFEXITED(status) || WIFSIGNALED(status)) {
    handle_gone(tid, status);
    return;
  }
  if (!WIFSTOPPED(status)) return;
  int sig = WSTOPSIG(status);
  int event = (status >> 16) & 0xff;
  if (event != 0) {
    handle_event(tid, event, sig);
  } else if (sig == (SIGTRAP | 0x80)) {
    handle_syscall_exit(tid);
  } else {
    // Signal-delivery stop: let the supervisor end an emulated wait the
    // signal interrupted, then deliver the signal as the kernel would have.
    hooks_.on_signal_stop(tid, sig);
    resume(tid, sig);
  }
}

void Tracer::handle_event(pid_t tid, int event, int sig) {
  unsigned long msg = 0;
  switch (event) {
    case PTRACE_EVENT_STOP:
      if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU) {
        // Group-stop: stay stopped with job-control semantics until SIGCONT.
        // A thread that did not dequeue the signal itself comes here straight
        // from a call the stop interrupted, with no signal-delivery stop:
        // the same hook puts back an answer the stop made the kernel drop
        // and ends a wait the model parked, or the call is redone after
        // SIGCONT (a second epoll_ctl ADD: EEXIST).
        hooks_.on_signal_stop(tid, sig);
        ptrace(PTRACE_LISTEN, tid, nullptr, nullptr);
        return;
      }
      // An interrupt sentry asked for (interrupt()).
      if (auto it = state_.find(tid); it != state_.end() && it->second.on_interrupt) {
        InterruptStop at_stop = std::move(it->second.on_interrupt);
        it->second.on_interrupt = nullptr;
        user_regs_struct regs;
        if (ptrace(PTRACE_GETREGS, tid, nullptr, &regs) != 0) return;  // gone
        at_stop(regs);
        return;
      }
      // The initial stop of an auto-attached task, or an interrupt. A new
      // task waits here until its parent's clone event has put it in the
      // model, so none of its calls reaches a handler before that.
      if (tree_.task(tid) == nullptr) {
        const pid_t parent = parent_of(tid);
        if (parent > 0 && tree_.group(parent) == nullptr) {
          // Its parent was reaped before it reported the fork (killed
          // inside it): nothing to inherit the model's state from.
          log()->warn("tid {}: a process whose parent was killed while forking it is killed too", tid);
          kill(tid, SIGKILL);
          resume(tid);
          return;
        }
        unannounced_[tid] = parent;
        return;
      }
      resume(tid);
      return;
    case PTRACE_EVENT_CLONE:
    case PTRACE_EVENT_FORK:
    case PTRACE_EVENT_VFORK: {
      ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &msg);
      pid_t child = static_cast<pid_t>(msg);
      tree_.add_task(tid, child, clone_info_of(tid, event));
      hooks_.on_new_task(tid, child);
      if (unannounced_.erase(child)) resume(child);
      resume(tid);
      return;
    }
    case PTRACE_EVENT_EXEC: {
      ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &msg);
      pid_t former = static_cast<pid_t>(msg);
      // A served execve succeeded: answer it now. Its exit stop (if any)
      // belongs to the new image, whose registers must not be touched.
      if (auto it = state_.find(former); it != state_.end() && it->second.fixup) {
        ExitFixup fixup = std::move(it->second.fixup);
        it->second.fixup = nullptr;
        fixup(0);
      }
      if (former != tid) state_.erase(former);
      // A new address space: a stack page it was made to touch may need it again.
      if (auto st = state_.find(tid); st != state_.end()) st->second.grown_page = 0;
      tree_.exec(tid, former, exe_of(tid));
      // execve recomputes credentials (set-ID bits, capabilities, keepcaps).
      if (kernel::Task* t = tree_.task(tid)) t->creds.after_exec(tid, real_identity_);
      resume(tid);
      return;
    }
    case PTRACE_EVENT_EXIT:
      resume(tid);
      return;
    case PTRACE_EVENT_SECCOMP:
      handle_seccomp_stop(tid);
      return;
    default:
      resume(tid);
      return;
  }
}

void Tracer::handle_seccomp_stop(pid_t tid) {
  __ptrace_syscall_info info{};
  unsigned long data = 0;
  ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &data);
  if (!get_syscall_info(tid, &info) || info.op != PTRACE_SYSCALL_INFO_SECCOMP) {
    resume(tid);
    return;
  }
  int nr = static_cast<int>(info.seccomp.nr);
  const abi::SyscallEntry* entry = abi::syscall_by_nr(nr);
  // An injected call stopped for observation: it is sentry's, not the guest's.
  SyscallArgs call_args;
  for (int i = 0; i < 6; ++i) call_args[i] = info.seccomp.args[i];
  if (is_injected(tid, nr, call_args)) {
    resume(tid);
    return;
  }

  // The launcher's exec is the program's start; every later exec is served
  // (its path is walked in the guest's tree).
  bool launch = false;
  if (data == kTraceExec && !launched_) {
    launched_ = launch = true;
  } else if (data == kTraceExec && awaiting_launch_.erase(tid) != 0) {
    launch = true;
  }
  if (launch) hooks_.on_launch_exec(tid);
  if (data == kTraceServe || data == kTraceTranslate || (data == kTraceExec && !launch)) {
    user_regs_struct regs;
    if (ptrace(PTRACE_GETREGS, tid, nullptr, &regs) != 0) return;
    hooks_.on_served_call(std::make_shared<PtraceSyscall>(*this, tid, regs, entry));
    return;
  }
  if ((data == kTraceObserve || data == kTraceExec) && observer_.enabled()) {
    SyscallArgs args;
    for (int i = 0; i < 6; ++i) args[i] = info.seccomp.args[i];
    ProcessMemory mem(tid);
    TaskState& st = state_[tid];
    st.pending = observer_.begin(tid, nr, entry, args, &mem, abi::Serve::kForward);
    st.observing = true;
  }
  resume(tid);
}

void Tracer::expect_exit(pid_t tid, const user_regs_struct& entry_regs, ExitFixup fixup) {
  TaskState& st = state_[tid];
  st.fixup = std::move(fixup);
  st.entry_regs = entry_regs;
}

void Tracer::expect_restart(pid_t tid, const user_regs_struct& again) { state_[tid].restart = again; }

bool Tracer::note_stack_growth(pid_t tid, std::uint64_t page) {
  TaskState& st = state_[tid];
  if (st.grown_page == page) return false;
  st.grown_page = page;
  return true;
}

void Tracer::interrupt(pid_t tid, InterruptStop at_stop) {
  state_[tid].on_interrupt = std::move(at_stop);
  if (ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr) != 0) state_[tid].on_interrupt = nullptr;
}

bool Tracer::inject(pid_t tid, const user_regs_struct& at, long nr, const SyscallArgs& args, InjectDone done) {
  std::uint16_t insn = 0;
  if (!ProcessMemory(tid).read_value(at.rip - 2, &insn) || insn != 0x050f) return false;  // syscall: 0f 05
  user_regs_struct r = at;
  r.rip = at.rip - 2;
  r.rax = static_cast<unsigned long long>(nr);
  // No syscall in progress: the kernel's restart logic leaves rax and rip alone.
  r.orig_rax = static_cast<unsigned long long>(-1);
  set_args(r, args);
  if (ptrace(PTRACE_SETREGS, tid, nullptr, &r) != 0) return false;
  TaskState& st = state_[tid];
  st.injected = std::move(done);
  st.injected_nr = nr;
  st.injected_args = args;
  st.injected_rip = at.rip;
  resume(tid);  // PTRACE_SYSCALL: the injected call's entry and exit stops
  return true;
}

void Tracer::handle_syscall_exit(pid_t tid) {
  auto it = state_.find(tid);
  if (it == state_.end() || !it->second.awaiting_exit()) {
    resume(tid);
    return;
  }
  TaskState& st = it->second;
  if (st.injected) {
    __ptrace_syscall_info info{};
    if (!get_syscall_info(tid, &info)) return;  // gone
    // The injected call's entry stop, or a call of a signal handler that
    // runs before it (a signal was pending when the thread left its stop).
    user_regs_struct now;
    if (info.op != PTRACE_SYSCALL_INFO_EXIT || ptrace(PTRACE_GETREGS, tid, nullptr, &now) != 0 ||
        static_cast<long>(now.orig_rax) != st.injected_nr || now.rip != st.injected_rip) {
      resume(tid);
      return;
    }
    InjectDone done = std::move(st.injected);
    st.injected = nullptr;
    std::optional<user_regs_struct> regs = done(info.exit.rval);
    if (!regs) return;  // `done` injected the next call
    ptrace(PTRACE_SETREGS, tid, nullptr, &*regs);
    resume(tid);
    return;
  }
  if (st.restart) {
    // The injected call is done: the thread goes back to its own call (an
    // observed injected call is not the guest's and is not reported).
    user_regs_struct again = *st.restart;
    st.restart.reset();
    st.observing = false;
    ptrace(PTRACE_SETREGS, tid, nullptr, &again);
    resume(tid);
    return;
  }
  if (st.fixup) {
    ExitFixup fixup = std::move(st.fixup);
    st.fixup = nullptr;
    user_regs_struct r;
    if (ptrace(PTRACE_GETREGS, tid, nullptr, &r) == 0) {
      std::int64_t result = fixup(static_cast<std::int64_t>(r.rax));
      set_args(r, args_of(st.entry_regs));
      r.rax = static_cast<unsigned long long>(result);
      ptrace(PTRACE_SETREGS, tid, nullptr, &r);
    }
  }
  if (st.observing) {
    st.observing = false;
    __ptrace_syscall_info info{};
    std::optional<std::int64_t> result;
    if (get_syscall_info(tid, &info) && info.op == PTRACE_SYSCALL_INFO_EXIT) result = info.exit.rval;
    ProcessMemory mem(tid);
    observer_.end(st.pending, result, &mem);
  }
  resume(tid);
}

void Tracer::handle_gone(pid_t tid, int status) {
  auto it = state_.find(tid);
  if (it != state_.end()) {
    // A call that never returned (exit, exit_group, or killed while blocked).
    if (it->second.observing) observer_.end(it->second.pending, std::nullopt);
    state_.erase(it);
  }
  unannounced_.erase(tid);
  held_.erase(tid);
  hooks_.on_signal_stop(tid, 0);
  if (tree_.task(tid) == nullptr && tid != tree_.root()) return;  // not a guest task (the sandbox's init)
  if (WIFEXITED(status)) {
    observer_.event(tid, "+++ exited with " + std::to_string(WEXITSTATUS(status)) + " +++");
  } else {
    observer_.event(tid, "+++ killed by signal " + std::to_string(WTERMSIG(status)) + " +++");
  }
  const kernel::ThreadGroup* group = tree_.group_of(tid);
  const bool leader = group != nullptr && group->tgid == tid;
  if (group != nullptr && group->tids.size() == 1) announce_orphans_of(group->tgid, tid);
  tree_.remove_task(tid);
  awaiting_launch_.erase(tid);
  // The leader's exit is reported once its whole thread group is gone.
  if (tid == tree_.root()) {
    hooks_.on_root_exit(status);
  }
  if (leader) hooks_.on_group_exit(tid, status);
}

void Tracer::announce_orphans_of(pid_t tgid, pid_t last_tid) {
  std::vector<pid_t> orphans;
  for (const auto& [child, parent] : unannounced_)
    if (parent == tgid) orphans.push_back(child);
  for (pid_t child : orphans) {
    log()->info("tid {}: its parent {} was killed while forking it: announced as its own process", child, tgid);
    unannounced_.erase(child);
    tree_.add_task(last_tid, child, kernel::CloneInfo{});
    hooks_.on_new_task(last_tid, child);
    resume(child);
  }
}

void Tracer::kill_all() {
  tree_.for_each_group([](const kernel::ThreadGroup& g) {
    if (!g.exited && !g.tids.empty()) kill(g.tgid, SIGKILL);
  });
}

}  // namespace sentry::platform
