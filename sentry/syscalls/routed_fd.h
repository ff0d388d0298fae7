// Answering a call with an fd that may need a route (platform/fd_routes.h).
#pragma once

#include "sentry/kernel/kernel.h"
#include "sentry/supervisor/syscall.h"

namespace sentry::syscalls {

// Answers `call` with `host_fd` installed in the guest (complete_with_fd's
// contract). When the object is one whose data calls (sendto, recvfrom,
// sendmsg, recvmsg) sentry must serve -- the guest's IPv6 datagram socket,
// whose addresses need translating, or its NETLINK_ROUTE socket, which the
// model answers -- and the platform routes fds, the calling process routes
// the new number to sentry before the answer reaches it.
ReplyStatus complete_with_routed_fd(kernel::Kernel& k, const SyscallPtr& call, int host_fd, bool cloexec,
                                    int target_fd = -1);

// Whether guest fd `fd` of `tid` is such an object, and the platform routes
// fds (so a copy the guest makes itself must be routed too).
bool is_routed_kind(kernel::Kernel& k, pid_t tid, int fd);

}  // namespace sentry::syscalls
