// AF_NETLINK NETLINK_ROUTE sockets served by sentry (sys_netlink.cc).
#pragma once

#include "sentry/kernel/kernel.h"
#include "sentry/supervisor/syscall.h"

namespace sentry::syscalls {

// socket(AF_NETLINK, type, protocol).
void netlink_socket(kernel::Kernel& k, const SyscallPtr& call, int type, int protocol);
// Serves `call` if its fd (argument 0) is a guest netlink socket; false if not.
bool serve_netlink(kernel::Kernel& k, const SyscallPtr& call);

}  // namespace sentry::syscalls
