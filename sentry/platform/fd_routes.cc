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
  tracer_.interrupt(tid, [this, tid, nr, guest_fd](const user_regs_struct& at) { route_at_stop(tid, nr, guest_fd, at); });
}

void FdRoutes::route_at_stop(pid_t tid, int nr, int fd, const user_regs_struct& at) {
  // The interrupt abandoned the notification: the call ends in -ERESTART*.
  // Anything else means a signal ended it first (its handler is about to
  // run, or it restarts): the fd stays installed unnamed, as with any
  // install a signal interrupts, and a restarted call installs another.
  const auto rax = static_cast<long long>(at.rax);
  if (static_cast<int>(at.orig_rax) != nr || rax > -512 || rax < -516) {
    spdlog::debug("tid {}: interrupted before fd {} could be routed", tid, fd);
    tracer_.resume(tid);
    return;
  }
  user_regs_struct answered = at;
  answered.rax = static_cast<unsigned long long>(fd);
  auto finish = [this, tid, answered] {
    ptrace(PTRACE_SETREGS, tid, nullptr, &answered);
    tracer_.resume(tid);
  };
  const std::vector<std::uint8_t> program = route_layer(fd);
  // The layer and its sock_fprog go below the red zone, where nothing of
  // the guest's lives at this stop.
  const std::uint64_t program_at = (at.rsp - 128 - program.size()) & ~std::uint64_t{15};
  const std::uint64_t fprog_at = (program_at - sizeof(sock_fprog)) & ~std::uint64_t{15};
  sock_fprog fprog{};
  fprog.len = static_cast<unsigned short>(program.size() / sizeof(sock_filter));
  fprog.filter = reinterpret_cast<sock_filter*>(program_at);
  auto load = [this, tid, fd, at, answered, program_at, fprog_at] {
    const SyscallArgs args{SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, fprog_at, 0, 0, 0};
    return tracer_.inject(tid, at, SYS_seccomp, args, [this, tid, fd, answered](std::int64_t r) {
      if (r == 0) {
        if (kernel::ThreadGroup* g = tree_.group_of(tid)) g->routed_fds.insert(fd);
      } else {
        spdlog::warn("tid {}: the route of IPv6 datagram fd {} was not loaded ({}): its addresses go untranslated", tid,
                     fd, r);
      }
      return std::optional<user_regs_struct>(answered);
    });
  };
  ProcessMemory mem(tid);
  auto write_program = [mem, program, fprog, program_at, fprog_at]() mutable {
    return mem.write(program_at, program.data(), program.size()) && mem.write(fprog_at, &fprog, sizeof fprog);
  };
  if (program.empty()) {
    spdlog::error("tid {}: cannot build the route layer of fd {}", tid, fd);
    return finish();
  }
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
