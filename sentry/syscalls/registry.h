// How sys_<family>.cc files contribute their handlers.
#pragma once

#include <string_view>

#include "sentry/syscalls/handler_table.h"

namespace sentry::syscalls {

class Registry {
 public:
  Registry(SyscallHandler* slots, int size) : slots_(slots), size_(size) {}
  // Registers `h` for the syscall named `name` in abi/ (aborts loudly on a
  // name abi/ does not know: a typo must not ship).
  void add(std::string_view name, SyscallHandler h);

 private:
  SyscallHandler* slots_;
  int size_;
};

// Every family below.
void register_all(Registry& r);

// One per family file, sys_<family>.cc.
void register_futex(Registry& r);
void register_identity(Registry& r);
void register_limits(Registry& r);
void register_prctl(Registry& r);
void register_system_info(Registry& r);
void register_sched(Registry& r);
void register_socket(Registry& r);
void register_fd(Registry& r);
void register_open(Registry& r);
void register_splice(Registry& r);
void register_epoll(Registry& r);
void register_namespaces(Registry& r);

}  // namespace sentry::syscalls
