#include "sentry/syscalls/registry.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "abi/syscall_table.h"

namespace sentry::syscalls {

void Registry::add(std::string_view name, SyscallHandler h) {
  const abi::SyscallEntry* e = abi::syscall_by_name(name);
  if (e == nullptr || e->nr_x86_64 < 0 || e->nr_x86_64 >= size_) {
    std::fprintf(stderr, "sentry: internal error: handler for unknown syscall '%s'\n",
                 std::string(name).c_str());
    std::abort();
  }
  slots_[e->nr_x86_64] = h;
}

void register_all(Registry& r) {
  register_futex(r);
  register_identity(r);
  register_limits(r);
  register_prctl(r);
  register_system_info(r);
  register_sched(r);
  register_socket(r);
  register_fd(r);
  register_open(r);
  register_splice(r);
  register_epoll(r);
  register_namespaces(r);
}

}  // namespace sentry::syscalls
