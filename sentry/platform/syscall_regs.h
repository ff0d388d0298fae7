// The six x86-64 syscall argument registers of a stopped tracee.
#pragma once

#include <sys/user.h>

#include "sentry/supervisor/syscall.h"

namespace sentry::platform {

inline SyscallArgs args_of(const user_regs_struct& r) { return {r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9}; }

inline void set_args(user_regs_struct& r, const SyscallArgs& a) {
  r.rdi = a[0];
  r.rsi = a[1];
  r.rdx = a[2];
  r.r10 = a[3];
  r.r8 = a[4];
  r.r9 = a[5];
}

}  // namespace sentry::platform
