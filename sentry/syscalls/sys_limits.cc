// Resource limits: prlimit64, getrlimit, setrlimit. Limits are per thread
// group (ThreadGroup::limits); reads answer from the model. A change the
// model accepts (Linux's rules, kernel::ResourceLimits) must also bind the
// host process, which enforces most limits (NOFILE, STACK, CORE, AS, CPU,
// NPROC, ...):
//   1. sentry applies it with the host's prlimit(target tid, ...). If the
//      host refuses (e.g. sentry, root without CAP_SYS_RESOURCE, cannot raise
//      a hard limit) the guest gets the host's errno and the model is left
//      unchanged.
//   2. If sentry has no authority over the target at all (the target's ids
//      differ from sentry's and sentry lacks CAP_SYS_RESOURCE: a guest that
//      switched to another uid), the model is updated and the guest's own call
//      runs on the host (continue_on_host), where the guest's own credentials
//      decide exactly as they would without sentry.
// Pids name guest tasks only: a pid outside the sandbox is ESRCH.
#include <sys/resource.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdint>

#include "sentry/kernel/credentials.h"
#include "sentry/kernel/resource_limits.h"
#include "sentry/syscalls/registry.h"

namespace sentry::syscalls {

namespace {

using kernel::Limit;

constexpr int kCapSysResource = 24;

// struct rlimit / struct rlimit64 on x86-64: two u64.
struct GuestRlimit {
  std::uint64_t cur, max;
};

enum class HostApply { kApplied, kContinue, kRefused };

HostApply apply_on_host(pid_t target, int resource, const Limit& nw, int* err) {
  struct rlimit64 r {nw.cur, nw.max};
  if (prlimit64(target, static_cast<__rlimit_resource>(resource), &r, nullptr) == 0)
    return HostApply::kApplied;
  *err = errno;
  if (*err == EPERM) {
    // Refused for the change, or no authority over the target at all?
    struct rlimit64 probe {};
    if (prlimit64(target, static_cast<__rlimit_resource>(resource), nullptr, &probe) != 0 &&
        errno == EPERM)
      return HostApply::kContinue;
  }
  return HostApply::kRefused;
}

// The common part of prlimit64 and setrlimit once the target is known and
// permitted: validates and applies `nw` (if any) and writes the old value to
// `old_addr` (if nonzero).
void do_prlimit(kernel::Kernel& k, const SyscallPtr& call, const kernel::Credentials& caller,
                pid_t target_tid, std::uint64_t resource, const Limit* nw, std::uint64_t old_addr) {
  kernel::ThreadGroup* g = k.tree.group_of(target_tid);
  if (g == nullptr) {
    call->fail(ESRCH);
    return;
  }
  if (!kernel::ResourceLimits::valid_resource(resource)) {
    call->fail(EINVAL);
    return;
  }
  const int res = static_cast<int>(resource);
  const Limit old = g->limits.get(res);
  if (nw != nullptr) {
    // Raising a hard limit takes CAP_SYS_RESOURCE in the host's user
    // namespace (capable(), not ns_capable()), which a guest in a user
    // namespace of its own never has; sentry, which applies the limit, must
    // not lend it its own.
    const bool may_raise = caller.has_capability(kCapSysResource) && !k.guest_in_user_namespace;
    int rc = g->limits.check_set(resource, *nw, may_raise, kernel::host_nr_open());
    if (rc != 0) {
      call->complete(rc);
      return;
    }
    int err = 0;
    switch (apply_on_host(target_tid, res, *nw, &err)) {
      case HostApply::kApplied:
        break;
      case HostApply::kContinue:
        g->limits.limits[static_cast<std::size_t>(res)] = *nw;
        call->continue_on_host();
        return;
      case HostApply::kRefused:
        spdlog::debug("tid {}: host refused limit {} = {{{}, {}}} for {}: errno {}", call->tid(), res,
                      nw->cur, nw->max, target_tid, err);
        call->fail(err);
        return;
    }
    g->limits.limits[static_cast<std::size_t>(res)] = *nw;
  }
  if (old_addr != 0) {
    GuestRlimit out{old.cur, old.max};
    if (!call->memory().write_value(old_addr, out)) {
      call->fail(EFAULT);
      return;
    }
  }
  call->complete(0);
}

kernel::Task* caller_task(kernel::Kernel& k, const SyscallPtr& call) {
  kernel::Task* t = k.tree.task(call->tid());
  if (t == nullptr) {
    spdlog::warn("tid {}: limits call {} from a task sentry does not know; run on the host",
                 call->tid(), call->nr());
    call->continue_on_host();
  }
  return t;
}

// prlimit64(pid, resource, new, old): EFAULT reading new, then ESRCH, then
// EPERM (check_prlimit_permission), then do_prlimit's EINVAL/EPERM, then
// EFAULT writing old (the new limit is in place by then, as on Linux).
void sys_prlimit64(kernel::Kernel& k, const SyscallPtr& call) {
  kernel::Task* self = caller_task(k, call);
  if (self == nullptr) return;
  const auto pid = static_cast<pid_t>(call->arg(0));
  const auto resource = static_cast<std::uint32_t>(call->arg(1));
  Limit nw;
  const bool has_new = call->arg(2) != 0;
  if (has_new) {
    GuestRlimit in{};
    if (!call->memory().read_value(call->arg(2), &in)) {
      call->fail(EFAULT);
      return;
    }
    nw = Limit{in.cur, in.max};
  }
  const pid_t target_tid = pid == 0 ? call->tid() : k.tree.host_tid(pid);
  const kernel::Task* target = pid < 0 ? nullptr : k.tree.task(target_tid);
  if (target == nullptr) {
    call->fail(ESRCH);
    return;
  }
  const bool self_target = target_tid == call->tid();
  if (int rc = kernel::prlimit_permission(self->creds, target->creds, self_target); rc != 0) {
    call->complete(rc);
    return;
  }
  do_prlimit(k, call, self->creds, target_tid, resource, has_new ? &nw : nullptr, call->arg(3));
}

void sys_getrlimit(kernel::Kernel& k, const SyscallPtr& call) {
  kernel::Task* self = caller_task(k, call);
  if (self == nullptr) return;
  const auto resource = static_cast<std::uint32_t>(call->arg(0));
  if (!kernel::ResourceLimits::valid_resource(resource)) {
    call->fail(EINVAL);
    return;
  }
  kernel::ThreadGroup* g = k.tree.group_of(call->tid());
  if (g == nullptr) {
    call->fail(ESRCH);
    return;
  }
  const Limit& l = g->limits.get(static_cast<int>(resource));
  const GuestRlimit out{l.cur, l.max};
  // A NULL pointer is EFAULT too (copy_to_user).
  if (call->arg(1) == 0 || !call->memory().write_value(call->arg(1), out)) {
    call->fail(EFAULT);
    return;
  }
  call->complete(0);
}

void sys_setrlimit(kernel::Kernel& k, const SyscallPtr& call) {
  kernel::Task* self = caller_task(k, call);
  if (self == nullptr) return;
  GuestRlimit in{};
  if (!call->memory().read_value(call->arg(1), &in)) {
    call->fail(EFAULT);
    return;
  }
  const Limit nw{in.cur, in.max};
  do_prlimit(k, call, self->creds, call->tid(), static_cast<std::uint32_t>(call->arg(0)), &nw, 0);
}

}  // namespace

void register_limits(Registry& r) {
  r.add("prlimit64", sys_prlimit64);
  r.add("getrlimit", sys_getrlimit);
  r.add("setrlimit", sys_setrlimit);
}

}  // namespace sentry::syscalls
