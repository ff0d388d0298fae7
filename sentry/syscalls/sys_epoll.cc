// epoll(7): epoll_create and epoll_create1 and epoll_ctl are served by the
// kernel model; the waits (epoll_wait, epoll_pwait, epoll_pwait2) are
// forwarded by the filter and run on the host at native cost.
//
// An epoll instance is a host epoll instance that sentry creates and
// installs in the guest; its registrations are made by sentry
// (EpollRegistrar, with the guest's own fd numbers as keys) and carry the
// guest's own events and data, so the host instance is the guest's instance
// in every respect: readiness, wake-ups (EPOLLEXCLUSIVE's one-waiter rule
// included), level and edge triggering, EPOLLONESHOT, the removal of a
// registration when its file's last reference closes, a wait's timeout,
// signal mask and interruption, and /proc/<pid>/fdinfo are Linux's own.
// docs/decisions.md ("epoll: sentry registers, the host waits") says why.
#include <sys/epoll.h>

#include <cerrno>

#include "sentry/kernel/epoll/epoll_registrar.h"
#include "sentry/syscalls/registry.h"

namespace sentry::syscalls {

namespace {

// struct epoll_event is packed on x86-64: 12 bytes.
static_assert(sizeof(epoll_event) == 12);

void create(const SyscallPtr& call, bool cloexec) {
  // The ptrace platform cannot install fds: the guest's thread creates the
  // instance; the model needs nothing from it until epoll_ctl.
  if (!call->can_install_fds()) return (void)call->continue_on_host();
  const int fd = epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) return (void)call->fail(errno);  // ENFILE, ENOMEM
  call->complete_with_fd(fd, cloexec);
}

// Implements epoll_create(2): `size` is only checked.
void sys_epoll_create(kernel::Kernel&, const SyscallPtr& call) {
  if (static_cast<int>(call->arg(0)) <= 0) return (void)call->fail(EINVAL);
  create(call, false);
}

// Implements epoll_create1(2).
void sys_epoll_create1(kernel::Kernel&, const SyscallPtr& call) {
  const auto flags = static_cast<int>(call->arg(0));
  if (flags & ~EPOLL_CLOEXEC) return (void)call->fail(EINVAL);
  create(call, (flags & EPOLL_CLOEXEC) != 0);
}

// Implements epoll_ctl(2). The event is read first (EFAULT), as Linux does;
// then the registrar's EBADF for epfd and fd; every other check (EPERM for a
// file without poll, EINVAL for a non-epoll epfd, fd == epfd or a bad
// EPOLLEXCLUSIVE use, EEXIST, ENOENT, ELOOP, ENOSPC) is the host's, on the
// same files, so it comes in Linux's order.
void sys_epoll_ctl(kernel::Kernel& k, const SyscallPtr& call) {
  const int epfd = static_cast<int>(call->arg(0));
  const int op = static_cast<int>(call->arg(1));
  const int fd = static_cast<int>(call->arg(2));
  epoll_event event{};
  if (op != EPOLL_CTL_DEL && !call->memory().read(call->arg(3), &event, sizeof event))
    return (void)call->fail(EFAULT);
  if (!k.epoll_registrar) k.epoll_registrar = std::make_unique<kernel::epoll::EpollRegistrar>();
  const int r = k.epoll_registrar->ctl(k.tree.tgid_of(call->tid()), epfd, op, fd, event);
  // sentry out of descriptors for its copies: Linux's epoll_ctl has no
  // EMFILE; its answer to exhaustion is ENOMEM.
  call->complete(r == -EMFILE || r == -ENFILE ? -ENOMEM : r);
}

}  // namespace

void register_epoll(Registry& r) {
  r.add("epoll_create", sys_epoll_create);
  r.add("epoll_create1", sys_epoll_create1);
  r.add("epoll_ctl", sys_epoll_ctl);
}

}  // namespace sentry::syscalls
