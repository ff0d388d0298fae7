// Answering getsockopt(2) with an int value, with Linux's length rules
// (sk_getsockopt / do_ipv6_getsockopt): a negative *optlen is EINVAL, a short
// buffer gets the low bytes, and *optlen is set to the bytes written.
#pragma once

#include <algorithm>
#include <cerrno>

#include "sentry/supervisor/syscall.h"

namespace sentry::syscalls {

inline void answer_int_option(const SyscallPtr& call, int value) {
  int len = 0;
  if (!call->memory().read_value(call->arg(4), &len)) {
    call->fail(EFAULT);
    return;
  }
  if (len < 0) {
    call->fail(EINVAL);
    return;
  }
  auto n = std::min<std::uint32_t>(static_cast<std::uint32_t>(len), sizeof value);
  if (!call->memory().write(call->arg(3), &value, n) ||
      !call->memory().write_value(call->arg(4), static_cast<int>(n))) {
    call->fail(EFAULT);
    return;
  }
  call->complete(0);
}

}  // namespace sentry::syscalls
