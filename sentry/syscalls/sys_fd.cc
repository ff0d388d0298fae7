// The descriptor-table calls: dup(2), dup2(2), dup3(2), and the fcntl(2)
// and ioctl(2) commands that act on the descriptor or its open file
// description (F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD, F_GETFL, F_SETFL,
// FIONBIO, TCGETS).
//
// Every guest fd is a real host fd, and the guest's host fd table is the
// table (docs/decisions.md, "Per-object state is keyed by inode"). sentry
// serves these calls on it from outside: it takes its own copy of the open
// file description (pidfd_getfd) and installs it with seccomp's ADDFD, at
// the lowest free number (dup, with the guest's RLIMIT_NOFILE: EMFILE) or at
// exactly newfd, replacing it atomically as dup2 does (EBADF at or above
// RLIMIT_NOFILE). Flags of the description (O_NONBLOCK, O_APPEND...) are read
// and set on sentry's copy, which is the same description.
//
// Left to the host, where only the owner of the table can do them exactly:
// F_DUPFD with a minimum above 0 (no atomic "lowest free >= N" from outside),
// F_SETFD (changing close-on-exec from outside would race with a close in
// another guest thread), record locks and owners (they belong to the calling
// process), close and close_range (sentry cannot close a guest's fd), O_PATH
// descriptors (ADDFD cannot install them), every other ioctl, and the ptrace
// platform, which cannot install descriptors.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "sentry/kernel/guest_fd.h"
#include "sentry/syscalls/registry.h"
#include "sentry/syscalls/routed_fd.h"

namespace sentry::syscalls {

namespace {

// struct termios as the kernel's TCGETS writes it (asm/termbits.h), not
// glibc's larger one.
struct KernelTermios {
  std::uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
  std::uint8_t c_line;
  std::uint8_t c_cc[19];
};
static_assert(sizeof(KernelTermios) == 36);


// sentry's copy of guest fd `fd`, or nullopt after answering EBADF.
std::unique_ptr<kernel::GuestFdCopy> copy_of(const kernel::Kernel& k, const SyscallPtr& call, int fd) {
  auto copy = std::make_unique<kernel::GuestFdCopy>(k.tree.tgid_of(call->tid()), fd);
  if (!copy->valid()) {
    call->fail(EBADF);
    return nullptr;
  }
  return copy;
}

bool is_o_path(int fd) { return (fcntl(fd, F_GETFL) & O_PATH) != 0; }

// dup at the lowest free number (target < 0) or at exactly `target`.
void serve_dup(kernel::Kernel& k, const SyscallPtr& call, int oldfd, int target, bool cloexec) {
  if (!call->can_install_fds()) return (void)call->continue_on_host();
  auto copy = copy_of(k, call, oldfd);
  if (!copy) return;
  if (is_o_path(copy->get())) return (void)call->continue_on_host();
  complete_with_routed_fd(k, call, copy->release(), cloexec, target);
}

// Implements dup(2).
void sys_dup(kernel::Kernel& k, const SyscallPtr& call) { serve_dup(k, call, static_cast<int>(call->arg(0)), -1, false); }

// Implements dup2(2): the same fd twice is returned as is if it is open.
void sys_dup2(kernel::Kernel& k, const SyscallPtr& call) {
  const int oldfd = static_cast<int>(call->arg(0));
  const int newfd = static_cast<int>(call->arg(1));
  if (newfd < 0) return (void)call->fail(EBADF);  // an unsigned newfd above RLIMIT_NOFILE
  if (oldfd == newfd) {
    if (copy_of(k, call, oldfd)) call->complete(newfd);
    return;
  }
  serve_dup(k, call, oldfd, newfd, false);
}

// Implements dup3(2).
void sys_dup3(kernel::Kernel& k, const SyscallPtr& call) {
  const int oldfd = static_cast<int>(call->arg(0));
  const int newfd = static_cast<int>(call->arg(1));
  const auto flags = static_cast<int>(call->arg(2));
  if (flags & ~O_CLOEXEC) return (void)call->fail(EINVAL);
  if (oldfd == newfd) {
    // The carrier of a swap (kernel/fd_swaps.h); otherwise Linux's EINVAL.
    if (auto swap = flags == 0 && call->can_install_fds() ? k.fd_swaps.take(call->tid(), oldfd) : std::nullopt) {
      const int got = call->install_fd(swap->host_fd, swap->cloexec, oldfd);
      return (void)call->complete(got < 0 ? got : 0);
    }
    return (void)call->fail(EINVAL);
  }
  if (newfd < 0) return (void)call->fail(EBADF);
  serve_dup(k, call, oldfd, newfd, (flags & O_CLOEXEC) != 0);
}

// Implements fcntl(2) for the descriptor's own commands; the rest runs on
// the host (see the top of this file).
void sys_fcntl(kernel::Kernel& k, const SyscallPtr& call) {
  const int fd = static_cast<int>(call->arg(0));
  const auto cmd = static_cast<int>(call->arg(1));
  const std::uint64_t arg = call->arg(2);
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
      if (static_cast<int>(arg) != 0) {
        // Only the guest's own table can place a copy at "the lowest free
        // number >= arg": the host does it, in the guest's thread, and a
        // copy that needs a route gets one (platform/fd_routes.h).
        if (call->can_install_fds() && is_routed_kind(k, call->tid(), fd)) return k.fd_router->run_and_route(call);
        return (void)call->continue_on_host();
      }
      return serve_dup(k, call, fd, -1, cmd == F_DUPFD_CLOEXEC);
    case F_GETFD:
      return (void)call->complete(kernel::close_on_exec_flag(call->tid(), fd));
    case F_GETFL: {
      auto copy = copy_of(k, call, fd);
      if (copy) call->complete(fcntl(copy->get(), F_GETFL));
      return;
    }
    case F_SETFL: {
      auto copy = copy_of(k, call, fd);
      if (!copy) return;
      if (is_o_path(copy->get())) return (void)call->continue_on_host();  // EBADF there
      // Turning O_ASYNC on or off registers the descriptor for SIGIO under
      // its number (fasync: the signal's si_fd): only the guest's own
      // thread can name its fd.
      if ((static_cast<int>(arg) ^ fcntl(copy->get(), F_GETFL)) & O_ASYNC) return (void)call->continue_on_host();
      // The same open file description: O_APPEND, O_NONBLOCK, O_DIRECT and
      // O_NOATIME change for every descriptor sharing it.
      int rc = fcntl(copy->get(), F_SETFL, static_cast<int>(arg));
      call->complete(rc == 0 ? 0 : -errno);
      return;
    }
    default:
      call->continue_on_host();
  }
}

// Implements ioctl(2): FIONBIO and TCGETS here, every other request on the host.
void sys_ioctl(kernel::Kernel& k, const SyscallPtr& call) {
  const int fd = static_cast<int>(call->arg(0));
  const auto request = static_cast<unsigned long>(static_cast<std::uint32_t>(call->arg(1)));
  if (request != FIONBIO && request != TCGETS) return (void)call->continue_on_host();
  auto copy = copy_of(k, call, fd);
  if (!copy) return;
  if (is_o_path(copy->get())) return (void)call->continue_on_host();  // EBADF there
  if (request == FIONBIO) {
    int on = 0;
    if (!call->memory().read_value(call->arg(2), &on)) return (void)call->fail(EFAULT);
    const int flags = fcntl(copy->get(), F_GETFL);
    const int rc = fcntl(copy->get(), F_SETFL, on ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK));
    call->complete(rc == 0 ? 0 : -errno);
    return;
  }
  // The model's /proc and /sys files are no terminals (and sentry serves them).
  if (copy->on_model_fs()) return (void)call->fail(ENOTTY);
  KernelTermios t{};
  if (ioctl(copy->get(), TCGETS, &t) != 0) return (void)call->fail(errno);  // ENOTTY for a non-tty
  if (!call->memory().write(call->arg(2), &t, sizeof t)) return (void)call->fail(EFAULT);
  call->complete(0);
}

}  // namespace

void register_fd(Registry& r) {
  r.add("dup", sys_dup);
  r.add("dup2", sys_dup2);
  r.add("dup3", sys_dup3);
  r.add("fcntl", sys_fcntl);
  r.add("ioctl", sys_ioctl);
}

}  // namespace sentry::syscalls
