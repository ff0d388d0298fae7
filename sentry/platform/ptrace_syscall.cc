#include "sentry/platform/ptrace_syscall.h"

#include <linux/audit.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

#include <cerrno>

#include "sentry/platform/syscall_regs.h"
#include "sentry/platform/tracer.h"

namespace sentry::platform {

namespace {
// The x86-64 ABI lets leaf code use 128 bytes below rsp without moving it.
constexpr std::uint64_t kRedZone = 128;
}  // namespace

PtraceSyscall::PtraceSyscall(Tracer& tracer, pid_t tid, const user_regs_struct& regs,
                             const abi::SyscallEntry* entry)
    : Syscall(tid, static_cast<int>(regs.orig_rax), AUDIT_ARCH_X86_64, args_of(regs), regs.rip, entry),
      tracer_(tracer),
      regs_(regs),
      memory_(tid),
      scratch_top_(regs.rsp - kRedZone) {}

ReplyStatus PtraceSyscall::send_value(std::int64_t value) {
  regs_.orig_rax = static_cast<unsigned long long>(-1);  // skip the syscall
  regs_.rax = static_cast<unsigned long long>(value);
  if (ptrace(PTRACE_SETREGS, tid(), nullptr, &regs_) != 0) return ReplyStatus::kGone;
  tracer_.resume(tid());
  return ReplyStatus::kDelivered;
}

ReplyStatus PtraceSyscall::send_continue() {
  // When the call is being observed, learn its result at the exit stop.
  if (observed()) return continue_rewritten(args(), nullptr);
  finish(0, true);
  tracer_.resume(tid());
  return ReplyStatus::kDelivered;
}

ReplyStatus PtraceSyscall::continue_rewritten(const SyscallArgs& a, ExitFixup on_exit) {
  return continue_as(static_cast<long>(regs_.orig_rax), a, std::move(on_exit));
}

ReplyStatus PtraceSyscall::continue_as(long nr, const SyscallArgs& a, ExitFixup on_exit) {
  if (answered()) return ReplyStatus::kGone;
  if (grow_at_ != 0) return continue_on_host();  // taken over: the call runs again
  user_regs_struct r = regs_;
  set_args(r, a);
  r.orig_rax = static_cast<unsigned long long>(nr);
  const bool changed = a != args() || r.orig_rax != regs_.orig_rax;
  if (changed && ptrace(PTRACE_SETREGS, tid(), nullptr, &r) != 0) return ReplyStatus::kGone;
  auto self = std::static_pointer_cast<PtraceSyscall>(shared_from_this());
  tracer_.expect_exit(tid(), regs_, [self, fix = std::move(on_exit)](std::int64_t host_result) {
    std::int64_t result = fix ? fix(host_result) : host_result;
    self->finish(result, false);
    return result;
  });
  tracer_.resume(tid());
  return ReplyStatus::kDelivered;
}

std::uint64_t PtraceSyscall::scratch_area(std::size_t size) {
  // Below the red zone nothing of the guest's is live: a signal frame would be
  // built there too. The kernel copies arguments in when the call starts.
  scratch_top_ = (scratch_top_ - size) & ~std::uint64_t{15};
  if (grow_at_ != 0) return 0;
  // The page the stack pointer is on is mapped: most areas lie there, and
  // need no probe (this is every translated call's path).
  constexpr std::uint64_t kPageMask = ~std::uint64_t{4095};
  if ((scratch_top_ & kPageMask) >= (regs_.rsp & kPageMask)) return scratch_top_;
  char probe;
  if (memory_.read(scratch_top_, &probe, 1)) return scratch_top_;
  // Not mapped yet. Once per page: if the thread's own write did not map it
  // either (the stack limit), the handler's fallback answer stands.
  const std::uint64_t page = scratch_top_ & ~std::uint64_t{4095};
  if (!tracer_.note_stack_growth(tid(), page)) return 0;
  grow_at_ = scratch_top_ & ~std::uint64_t{7};
  return 0;
}

bool PtraceSyscall::take_over_answer() {
  if (grow_at_ == 0) return false;
  user_regs_struct touch = regs_;
  touch.orig_rax = SYS_rt_sigprocmask;
  touch.rdi = SIG_BLOCK;
  touch.rsi = 0;  // no new mask: only the old one is stored, at grow_at_
  touch.rdx = grow_at_;
  touch.r10 = 8;
  user_regs_struct again = regs_;
  again.rip -= 2;               // back onto the syscall instruction
  again.rax = regs_.orig_rax;   // which takes the call's number in rax
  if (ptrace(PTRACE_SETREGS, tid(), nullptr, &touch) != 0) return true;  // the thread is gone
  tracer_.expect_restart(tid(), again);
  tracer_.resume(tid());
  return true;
}

ReplyStatus PtraceSyscall::complete_with_fd(int host_fd, bool, int) {
  close(host_fd);
  // Installing a descriptor in a stopped tracee needs syscall injection, which
  // the ptrace platform does not do yet: the caller gets ENOSYS.
  return complete(-ENOSYS);
}

int PtraceSyscall::install_fd(int host_fd, bool, int) {
  close(host_fd);
  return -ENOSYS;
}

bool PtraceSyscall::still_waiting() {
  user_regs_struct r;
  return !answered() && ptrace(PTRACE_GETREGS, tid(), nullptr, &r) == 0;
}

}  // namespace sentry::platform
