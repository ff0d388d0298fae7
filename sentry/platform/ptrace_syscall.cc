#include "sentry/platform/ptrace_syscall.h"

#include <linux/audit.h>
#include <sys/ptrace.h>

#include <cerrno>

#include "sentry/platform/tracer.h"

namespace sentry::platform {

namespace {
SyscallArgs args_of(const user_regs_struct& r) {
  return {r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9};
}
}  // namespace

PtraceSyscall::PtraceSyscall(Tracer& tracer, pid_t tid, const user_regs_struct& regs,
                             const abi::SyscallEntry* entry)
    : Syscall(tid, static_cast<int>(regs.orig_rax), AUDIT_ARCH_X86_64, args_of(regs), regs.rip, entry),
      tracer_(tracer),
      regs_(regs),
      memory_(tid) {}

ReplyStatus PtraceSyscall::send_value(std::int64_t value) {
  regs_.orig_rax = static_cast<unsigned long long>(-1);  // skip the syscall
  regs_.rax = static_cast<unsigned long long>(value);
  if (ptrace(PTRACE_SETREGS, tid(), nullptr, &regs_) != 0) return ReplyStatus::kGone;
  tracer_.resume(tid());
  return ReplyStatus::kDelivered;
}

ReplyStatus PtraceSyscall::send_continue() {
  tracer_.resume(tid());
  return ReplyStatus::kDelivered;
}

ReplyStatus PtraceSyscall::complete_with_fd(int, bool) {
  // Installing a descriptor in a stopped tracee needs syscall injection, which
  // the ptrace platform does not do yet: the caller gets ENOSYS.
  return complete(-ENOSYS);
}

bool PtraceSyscall::still_waiting() {
  user_regs_struct r;
  return !answered() && ptrace(PTRACE_GETREGS, tid(), nullptr, &r) == 0;
}

}  // namespace sentry::platform
