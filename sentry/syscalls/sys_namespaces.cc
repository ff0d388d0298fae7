// unshare(2) and setns(2).
//
// unshare: the guest may give up sharing its descriptor table, filesystem
// attributes and SysV semaphore undo list (CLONE_FILES, CLONE_FS,
// CLONE_SYSVSEM), and may make UTS and IPC namespaces of its own
// (CLONE_NEWUTS, CLONE_NEWIPC: owned by its user namespace, they hold
// nothing of the host's). Its own thread does that on the host, whose
// capability checks are the guest's. Linux's order (kernel/fork.c
// ksys_unshare, check_unshare_flags): the implied flags, EINVAL for unknown
// flags and for CLONE_THREAD/CLONE_SIGHAND/CLONE_VM in a process with more
// than one thread (a no-op in a single-threaded one). Other namespaces (mount,
// network, PID, user, cgroup, time) are not modelled yet: EPERM, as for a
// process without the capability.
//
// setns: into a UTS or IPC namespace (an nsfs fd of that type, or a pidfd
// with only those flags), on the host with the guest's own capabilities
// (the sandbox's own namespaces are owned by the host's user namespace, so
// the host answers EPERM for those). Other types: EPERM. An fd that is
// neither: EINVAL, as Linux. sentry's look at the fd is not the boundary
// (another thread may put another namespace at that number before the host
// joins it): the kernel's rule is, which lets the guest join only
// namespaces its user namespace owns (hostile.* race_setns).
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "sentry/kernel/guest_fd.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/registry.h"

namespace sentry::syscalls {

namespace {

constexpr std::uint64_t kNamespaces = CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUSER |
                                      CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME;
constexpr std::uint64_t kOwnNamespaces = CLONE_NEWUTS | CLONE_NEWIPC;  // the guest may make and join these
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
  if (flags & kNamespaces & ~kOwnNamespaces) return (void)call->fail(EPERM);
  call->continue_on_host();
}

void sys_setns(kernel::Kernel& k, const SyscallPtr& call) {
  const int fd = static_cast<int>(call->arg(0));
  const auto nstype = static_cast<std::int32_t>(call->arg(1));
  kernel::GuestFdCopy copy(k.tree.tgid_of(call->tid()), fd);
  if (!copy.valid()) return (void)call->fail(copy.error());
  const int type = ioctl(copy.get(), NS_GET_NSTYPE);
  if (type >= 0) {  // an nsfs fd
    if (nstype != 0 && nstype != type) return (void)call->fail(EINVAL);
    if (!(static_cast<std::uint64_t>(type) & kOwnNamespaces)) return (void)call->fail(EPERM);
    return (void)call->continue_on_host();
  }
  if (syscall(SYS_pidfd_send_signal, copy.get(), 0, nullptr, 0) == 0 || errno == ESRCH || errno == EPERM) {
    // A pidfd: only the flags of the namespaces the guest may join.
    if (nstype == 0 || (static_cast<std::uint64_t>(nstype) & ~kNamespaces)) return (void)call->fail(EINVAL);
    if (static_cast<std::uint64_t>(nstype) & ~kOwnNamespaces) return (void)call->fail(EPERM);
    return (void)call->continue_on_host();
  }
  call->fail(EINVAL);
}

}  // namespace

void register_namespaces(Registry& r) {
  r.add("unshare", sys_unshare);
  r.add("setns", sys_setns);
}

}  // namespace sentry::syscalls
