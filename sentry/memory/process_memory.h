// GuestMemory over a live thread's address space, through process_vm_readv /
// process_vm_writev (no ptrace stop needed, works while the thread waits in a
// seccomp notification).
#pragma once

#include <sys/types.h>

#include "sentry/memory/guest_memory.h"

namespace sentry {

class ProcessMemory final : public GuestMemory {
 public:
  explicit ProcessMemory(pid_t tid) : tid_(tid) {}

  bool read(std::uint64_t addr, void* out, std::size_t len) override;
  bool write(std::uint64_t addr, const void* in, std::size_t len) override;
  std::optional<std::string> read_cstring(std::uint64_t addr, std::size_t max) override;

 private:
  pid_t tid_;
};

}  // namespace sentry
