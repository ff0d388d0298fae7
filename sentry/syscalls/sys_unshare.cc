// unshare(2): the guest may give up sharing its descriptor table, its
// filesystem attributes and its SysV semaphore undo list (CLONE_FILES,
// CLONE_FS, CLONE_SYSVSEM: done by its own thread on the host), and gets
// Linux's answers for the rest in Linux's order (kernel/fork.c
// ksys_unshare, check_unshare_flags): the implied flags, EINVAL for unknown
// flags and for CLONE_THREAD/CLONE_SIGHAND/CLONE_VM in a process with more
// than one thread (a no-op in a single-threaded one). New namespaces are
// not modelled yet: EPERM, as for a process without the capability.
#include <sched.h>

#include <cerrno>
#include <cstdint>

#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/registry.h"

namespace sentry::syscalls {

namespace {

constexpr std::uint64_t kNamespaces = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUSER |
                                      CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME;
constexpr std::uint64_t kKnown = CLONE_THREAD | CLONE_FS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES | CLONE_SYSVSEM |
                                 kNamespaces;

void sys_unshare(kernel::Kernel& k, const SyscallPtr& call) {
  std::uint64_t flags = static_cast<std::uint32_t>(call->arg(0));  // unsigned long, but CLONE_* fit 32 bits
  if (call->arg(0) >> 32) return (void)call->fail(EINVAL);
  if (flags & CLONE_NEWUSER) flags |= CLONE_THREAD | CLONE_FS;
  if (flags & CLONE_VM) flags |= CLONE_SIGHAND;
  if (flags & CLONE_SIGHAND) flags |= CLONE_THREAD;
  if (flags & CLONE_NEWNS) flags |= CLONE_FS;
  if (flags & ~kKnown) return (void)call->fail(EINVAL);
  if (flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)) {
    const kernel::ThreadGroup* g = k.tree.group_of(call->tid());
    if (g == nullptr || g->tids.size() > 1) return (void)call->fail(EINVAL);
  }
  if (flags & kNamespaces) return (void)call->fail(EPERM);
  call->continue_on_host();
}

}  // namespace

void register_unshare(Registry& r) { r.add("unshare", sys_unshare); }

}  // namespace sentry::syscalls
