#include "sentry/memory/process_memory.h"

#include <sys/uio.h>

#include <algorithm>
#include <cstring>

namespace sentry {

namespace {
constexpr std::uint64_t kPage = 4096;
}

bool ProcessMemory::read(std::uint64_t addr, void* out, std::size_t len) {
  if (len == 0) return true;
  iovec local{out, len};
  iovec remote{reinterpret_cast<void*>(addr), len};
  ssize_t n = process_vm_readv(tid_, &local, 1, &remote, 1, 0);
  return n == static_cast<ssize_t>(len);
}

bool ProcessMemory::write(std::uint64_t addr, const void* in, std::size_t len) {
  if (len == 0) return true;
  iovec local{const_cast<void*>(in), len};
  iovec remote{reinterpret_cast<void*>(addr), len};
  ssize_t n = process_vm_writev(tid_, &local, 1, &remote, 1, 0);
  return n == static_cast<ssize_t>(len);
}

std::optional<std::string> ProcessMemory::read_cstring(std::uint64_t addr, std::size_t max) {
  // Read page by page so a string that ends just before an unmapped page is
  // still readable, as the kernel's strncpy_from_user would manage.
  // The first read is short: most strings (paths) are, and copying a whole
  // page costs more than a second call for the rare long one.
  constexpr std::size_t kFirst = 256;
  std::string out;
  char buf[kPage];
  bool first = true;
  while (out.size() <= max) {
    std::size_t chunk = kPage - (addr % kPage);
    if (first) chunk = std::min(chunk, kFirst);
    first = false;
    chunk = std::min<std::size_t>(chunk, max + 1 - out.size());
    iovec local{buf, chunk};
    iovec remote{reinterpret_cast<void*>(addr), chunk};
    ssize_t n = process_vm_readv(tid_, &local, 1, &remote, 1, 0);
    if (n <= 0) return std::nullopt;
    const char* nul = static_cast<const char*>(std::memchr(buf, 0, static_cast<std::size_t>(n)));
    if (nul != nullptr) {
      out.append(buf, static_cast<std::size_t>(nul - buf));
      return out.size() <= max ? std::optional<std::string>(out) : std::nullopt;
    }
    out.append(buf, static_cast<std::size_t>(n));
    addr += static_cast<std::uint64_t>(n);
  }
  return std::nullopt;
}

}  // namespace sentry
