#include "sentry/platform/fd_routes.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>

#include <spdlog/spdlog.h>

#include "sentry/memory/process_memory.h"
#include "sentry/platform/seccomp_policy.h"

namespace sentry::platform {

std::vector<std::uint8_t> route_layer(int fd) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == nullptr) return {};
  std::vector<std::uint8_t> out;
  const std::uint32_t stop = SCMP_ACT_TRACE(kTraceTranslate);
  // The fd is an int: only the low 32 bits count.
  const scmp_arg_cmp on_fd = SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffu, static_cast<std::uint32_t>(fd));
  const scmp_arg_cmp with_address = SCMP_A4(SCMP_CMP_NE, 0);
  if (seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW) == 0 &&
      seccomp_rule_add(ctx, stop, SCMP_SYS(sendmsg), 1, on_fd) == 0 &&
      seccomp_rule_add(ctx, stop, SCMP_SYS(recvmsg), 1, on_fd) == 0 &&
      seccomp_rule_add(ctx, stop, SCMP_SYS(sendto), 2, on_fd, with_address) == 0 &&
      seccomp_rule_add(ctx, stop, SCMP_SYS(recvfrom), 2, on_fd, with_address) == 0)
    out = export_bpf(ctx);
  seccomp_release(ctx);
  return out;
}

void FdRoutes::answer_routed(const SyscallPtr& call, int guest_fd) {
  const kernel::ThreadGroup* g = tree_.group_of(call->tid());
  if (g == nullptr || g->routed_fds.count(guest_fd) != 0) {
    call->complete(guest_fd);
    return;
  }
  const pid_t tid = call->tid();
  const int nr = call->nr();
  call->settle(guest_fd);  // the answer travels in the thread's registers
  tracer_.interrupt(tid, [this, tid, nr, guest_fd](const user_regs_struct& at) {
    // Otherwise a signal ended the call first (its handler is about to run,
    // or it restarts): the fd stays installed unnamed, as with any install
    // a signal interrupts, and a restarted call installs another.
    if (!abandoned(nr, at)) return tracer_.resume(tid);
    user_regs_struct answered = at;
    answered.rax = static_cast<unsigned long long>(guest_fd);
    load_route(tid, guest_fd, at, answered);
  });
}

void FdRoutes::run_and_route(const SyscallPtr& call) {
  const pid_t tid = call->tid();
  tracer_.interrupt(tid, [this, tid, call](const user_regs_struct& at) {
    if (!abandoned(call->nr(), at)) {  // a signal came first; the call restarts or fails with EINTR
      call->settle(-EINTR);
      return tracer_.resume(tid);
    }
    const bool injected = tracer_.inject(tid, at, call->nr(), call->args(), [this, tid, call, at](std::int64_t r) {
      call->settle(r);
      user_regs_struct answered = at;
      answered.rax = static_cast<unsigned long long>(r);
      const kernel::ThreadGroup* g = tree_.group_of(tid);
      if (r < 0 || g == nullptr || g->routed_fds.count(static_cast<int>(r)) != 0)
        return std::optional<user_regs_struct>(answered);
      load_route(tid, static_cast<int>(r), at, answered);
      return std::optional<user_regs_struct>();
    });
    if (!injected) {
      call->settle(-EINTR);
      user_regs_struct interrupted = at;
      interrupted.rax = static_cast<unsigned long long>(-EINTR);
      ptrace(PTRACE_SETREGS, tid, nullptr, &interrupted);
      tracer_.resume(tid);
    }
  });
}

bool FdRoutes::abandoned(int nr, const user_regs_struct& at) {
  // An abandoned notification ends its call in -ERESTARTSYS..-ERESTART_RESTARTBLOCK.
  const auto rax = static_cast<long long>(at.rax);
  return static_cast<int>(at.orig_rax) == nr && rax <= -512 && rax >= -516;
}

void FdRoutes::load_route(pid_t tid, int fd, const user_regs_struct& at, const user_regs_struct& answered) {
  auto finish = [this, tid, answered] {
    ptrace(PTRACE_SETREGS, tid, nullptr, &answered);
    tracer_.resume(tid);
  };
  const std::vector<std::uint8_t> program = route_layer(fd);
  if (program.empty()) {
    spdlog::error("tid {}: cannot build the route layer of fd {}", tid, fd);
    return finish();
  }
  // The layer and its sock_fprog go below the red zone, where nothing of
  // the guest's lives at this stop.
  const std::uint64_t program_at = (at.rsp - 128 - program.size()) & ~std::uint64_t{15};
  const std::uint64_t fprog_at = (program_at - sizeof(sock_fprog)) & ~std::uint64_t{15};
  sock_fprog fprog{};
  fprog.len = static_cast<unsigned short>(program.size() / sizeof(sock_filter));
  fprog.filter = reinterpret_cast<sock_filter*>(program_at);
  auto load = [this, tid, fd, at, answered, fprog_at] {
    const SyscallArgs args{SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, fprog_at, 0, 0, 0};
    return tracer_.inject(tid, at, SYS_seccomp, args, [this, tid, fd, answered](std::int64_t r) {
      if (r == 0) {
        if (kernel::ThreadGroup* g = tree_.group_of(tid)) g->routed_fds.insert(fd);
      } else {
        spdlog::warn("tid {}: the route of fd {} was not loaded ({}): its data calls run on the host untranslated",
                     tid, fd, r);
      }
      return std::optional<user_regs_struct>(answered);
    });
  };
  ProcessMemory mem(tid);
  auto write_program = [mem, program, fprog, program_at, fprog_at]() mutable {
    return mem.write(program_at, program.data(), program.size()) && mem.write(fprog_at, &fprog, sizeof fprog);
  };
  if (write_program()) {
    if (!load()) finish();
    return;
  }
  // Linux (6.5+) grows a stack only for the thread's own accesses: let the
  // thread store its signal mask there first (rt_sigprocmask with no new
  // mask), then write again.
  const SyscallArgs touch{SIG_BLOCK, 0, fprog_at, 8, 0, 0};
  const bool injected = tracer_.inject(tid, at, SYS_rt_sigprocmask, touch,
                                       [tid, fd, write_program, load, answered](std::int64_t) mutable {
                                         if (write_program() && load()) return std::optional<user_regs_struct>();
                                         spdlog::warn("tid {}: no stack room for the route of fd {}", tid, fd);
                                         return std::optional<user_regs_struct>(answered);
                                       });
  if (!injected) finish();
}

}  // namespace sentry::platform
