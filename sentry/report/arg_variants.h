// Argument variants: the few argument values of a call that change what the
// kernel does (futex op, socket domain and type, fcntl command, open flags,
// paths under /proc, /sys and /dev, ...). The coverage report counts calls per
// variant so it can say which ones a workload used and which sentry served.
// Variants follow from the argument kinds of a row in the syscall list, so a
// new row gets them without code here.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "abi/syscall_entry.h"
#include "sentry/memory/guest_memory.h"
#include "sentry/trace/arg_format.h"

namespace sentry::report {

struct ArgVariant {
  std::string category;  // the argument names, e.g. "domain,type"
  std::string value;     // their values, e.g. "AF_INET6, SOCK_STREAM|SOCK_CLOEXEC"

  bool operator==(const ArgVariant&) const = default;
};

// The variants of one call. All "interesting" scalar arguments of the call are
// joined into one variant (categories by ",", values by ", "):
//   futex        -> {"op", "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME"}
//   socket       -> {"domain,type", "AF_INET6, SOCK_STREAM|SOCK_CLOEXEC"}
//   setsockopt   -> {"level,name", "SOL_IPV6, IPV6_V6ONLY"}
//   epoll_ctl    -> {"op,events", "EPOLL_CTL_ADD, EPOLLIN|EPOLLET"}
// and each path under /proc, /sys or /dev is its own {"path", "/proc/self/exe"}
// (numeric components such as pids and fd numbers become "<n>"); other paths
// give no variant. Arguments that are data (fds, sizes, addresses) never count.
// `mem` may be nullptr: then paths and in-memory values (epoll events,
// clone3 flags) are not read. Never throws (returns what it has, or nothing).
// "/proc/1234/fd/3" -> "/proc/<n>/fd/<n>": pids and fd numbers would make
// every run's variants different.
std::string normalize_numbers(std::string_view path);

std::vector<ArgVariant> arg_variants(const abi::SyscallEntry& e, const trace::SyscallArgs& args,
                                     GuestMemory* mem);

}  // namespace sentry::report
