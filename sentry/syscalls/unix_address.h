// AF_UNIX socket addresses that name a path (bind, connect, sendto): the
// path is walked in the guest's tree like any other. bind creates the socket
// file, so it follows creating calls' rules (EADDRINUSE for an existing name,
// EROFS on a read-only mount); connect and sendto need an existing socket
// (ENOENT, ECONNREFUSED for a non-socket). Where the guest's path is the
// host's, the call then runs as issued; elsewhere (--root, --bind) it runs
// with the walked host path in sun_path, so getsockname() shows that path.
// Abstract (sun_path[0] == '\0') and unnamed addresses are not paths.
#pragma once

#include <cstdint>

#include "sentry/kernel/kernel.h"
#include "sentry/supervisor/syscall.h"

namespace sentry::syscalls {

enum class UnixUse { kBind, kConnect };

// Serves the call if argument `addr_arg` (length in `len_arg`) is an AF_UNIX
// pathname address and returns true; false leaves the call untouched.
bool serve_unix_path_address(const kernel::Kernel& k, const SyscallPtr& call, int addr_arg, int len_arg, UnixUse use);

}  // namespace sentry::syscalls
