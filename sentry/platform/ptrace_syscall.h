// A served call on the ptrace platform: the thread sits in a
// PTRACE_EVENT_SECCOMP stop until answered. Answering with a value skips the
// syscall (orig_rax = -1) and sets rax; continuing resumes it unchanged.
#pragma once

#include <sys/user.h>

#include "sentry/memory/process_memory.h"
#include "sentry/supervisor/syscall.h"

namespace sentry::platform {

class Tracer;

class PtraceSyscall final : public Syscall {
 public:
  PtraceSyscall(Tracer& tracer, pid_t tid, const user_regs_struct& regs, const abi::SyscallEntry* entry);

  GuestMemory& memory() override { return memory_; }
  ReplyStatus complete_with_fd(int host_fd, bool cloexec, int target_fd = -1) override;
  int install_fd(int host_fd, bool, int) override;
  bool can_install_fds() const override { return false; }
  bool still_waiting() override;
  ReplyStatus continue_rewritten(const SyscallArgs& args, ExitFixup on_exit) override;
  ReplyStatus continue_as(long nr, const SyscallArgs& args, ExitFixup on_exit) override;
  std::uint64_t scratch_area(std::size_t size) override;

 private:
  ReplyStatus send_value(std::int64_t value) override;
  ReplyStatus send_continue() override;
  bool take_over_answer() override;

  Tracer& tracer_;
  user_regs_struct regs_;
  ProcessMemory memory_;
  std::uint64_t scratch_top_;  // next free byte below the red zone (grows down)
  // A scratch area on a stack page the thread has not touched yet: Linux
  // (6.5+) grows a stack only for the thread's own accesses, never for
  // sentry's remote write. The call is then run again after the thread
  // itself wrote there (an injected rt_sigprocmask storing its mask at that
  // address), whatever the handler answered.
  std::uint64_t grow_at_ = 0;
};

}  // namespace sentry::platform
