// A Syscall for handler unit tests: no process, memory from FakeGuestMemory,
// and the answer captured for assertions.
#pragma once

#include <optional>

#include <memory>

#include <catch2/catch.hpp>

#include "fake_guest_memory.h"
#include "abi/syscall_table.h"
#include "sentry/kernel/kernel.h"
#include "sentry/supervisor/syscall.h"
#include "sentry/syscalls/handler_table.h"

namespace sentry::testing {

class FakeSyscall final : public Syscall {
 public:
  FakeSyscall(pid_t tid, std::string_view name, SyscallArgs args, FakeGuestMemory& mem)
      : Syscall(tid, abi::syscall_by_name(name)->nr_x86_64, 0xc000003e /*AUDIT_ARCH_X86_64*/, args, 0,
                abi::syscall_by_name(name)),
        mem_(mem) {}

  GuestMemory& memory() override { return mem_; }
  // Unlike the real mechanisms the fake keeps `host_fd` open: the test may
  // look at what was installed.
  ReplyStatus complete_with_fd(int host_fd, bool cloexec, int target_fd = -1) override {
    finish(target_fd >= 0 ? target_fd : host_fd, false);
    value = target_fd >= 0 ? target_fd : host_fd;
    return ReplyStatus::kDelivered;
  }
  int install_fd(int host_fd, bool, int target_fd = -1) override { return target_fd >= 0 ? target_fd : host_fd; }
  bool still_waiting() override { return !answered() && alive; }

  std::optional<std::int64_t> value;  // the answer, once given
  bool continued = false;
  bool alive = true;  // false: replies fail as for a thread that went away

 private:
  ReplyStatus send_value(std::int64_t v) override {
    if (!alive) return ReplyStatus::kGone;
    value = v;
    return ReplyStatus::kDelivered;
  }
  ReplyStatus send_continue() override {
    continued = true;
    return alive ? ReplyStatus::kDelivered : ReplyStatus::kGone;
  }
  FakeGuestMemory& mem_;
};

// Runs sentry's handler for syscall `name` on a FakeSyscall from thread `tid`
// and returns the call (its answer is in ->value / ->continued).
inline std::shared_ptr<FakeSyscall> run_handler(kernel::Kernel& k, FakeGuestMemory& mem, pid_t tid,
                                                std::string_view name, SyscallArgs args) {
  auto call = std::make_shared<FakeSyscall>(tid, name, args, mem);
  syscalls::SyscallHandler h = syscalls::handler_for(call->nr());
  REQUIRE(h != nullptr);
  h(k, call);
  return call;
}

}  // namespace sentry::testing
