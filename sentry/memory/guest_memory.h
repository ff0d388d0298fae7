// The narrow interface through which every part of sentry reaches a guest's
// memory. The real implementation (ProcessMemory) uses process_vm_readv/writev;
// unit tests use FakeGuestMemory (test/unit/fake_guest_memory.h), so model
// components (futex, decoders, sockets) are tested without a process.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace sentry {

class GuestMemory {
 public:
  virtual ~GuestMemory() = default;

  // Reads exactly `len` bytes at guest address `addr`. False if any byte is
  // unreadable (the guest would get EFAULT).
  virtual bool read(std::uint64_t addr, void* out, std::size_t len) = 0;

  // Writes exactly `len` bytes. False if any byte is unwritable (EFAULT).
  virtual bool write(std::uint64_t addr, const void* in, std::size_t len) = 0;

  // Reads a NUL-terminated string of at most `max` bytes (NUL excluded).
  // nullopt on a fault or when no NUL is found within `max` bytes.
  virtual std::optional<std::string> read_cstring(std::uint64_t addr, std::size_t max) = 0;

  template <typename T>
  bool read_value(std::uint64_t addr, T* out) { return read(addr, out, sizeof(T)); }
  template <typename T>
  bool write_value(std::uint64_t addr, const T& in) { return write(addr, &in, sizeof(T)); }
};

}  // namespace sentry
