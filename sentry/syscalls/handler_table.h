// Handlers for the calls sentry serves (rows marked kEmulate or kSupervise in
// abi/). Every handler has the same signature, answers its Syscall exactly once
// (possibly later, from the loop) and never blocks. One file per family,
// sys_<family>.cc, each with a register_<family>() function listed in
// handler_table.cc.
#pragma once

#include "sentry/kernel/kernel.h"
#include "sentry/supervisor/syscall.h"

namespace sentry::syscalls {

using SyscallHandler = void (*)(kernel::Kernel& kernel, const SyscallPtr& call);

// The handler for a syscall number, or nullptr.
SyscallHandler handler_for(int nr);

// Every number that has a handler (for the table/handler consistency check).
std::vector<int> numbers_with_handlers();

}  // namespace sentry::syscalls
