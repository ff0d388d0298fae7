// A guest address space for unit tests: named regions of bytes at fixed
// addresses; everything else faults, as unmapped memory would.
#pragma once

#include <cstring>
#include <map>
#include <vector>

#include "sentry/memory/guest_memory.h"

namespace sentry::testing {

class FakeGuestMemory : public GuestMemory {
 public:
  // Maps `size` zero bytes at `addr`. Regions must not overlap.
  void map(std::uint64_t addr, std::size_t size) { regions_[addr].assign(size, 0); }

  // Maps a region holding `bytes` at `addr`.
  void map_bytes(std::uint64_t addr, const void* bytes, std::size_t size) {
    auto& r = regions_[addr];
    r.assign(static_cast<const unsigned char*>(bytes), static_cast<const unsigned char*>(bytes) + size);
  }
  void map_string(std::uint64_t addr, const std::string& s) { map_bytes(addr, s.c_str(), s.size() + 1); }

  bool read(std::uint64_t addr, void* out, std::size_t len) override {
    unsigned char* p = locate(addr, len);
    if (p == nullptr) return false;
    std::memcpy(out, p, len);
    return true;
  }
  bool write(std::uint64_t addr, const void* in, std::size_t len) override {
    unsigned char* p = locate(addr, len);
    if (p == nullptr) return false;
    std::memcpy(p, in, len);
    return true;
  }
  std::optional<std::string> read_cstring(std::uint64_t addr, std::size_t max) override {
    std::string s;
    for (std::size_t i = 0; i <= max; ++i) {
      unsigned char* p = locate(addr + i, 1);
      if (p == nullptr) return std::nullopt;
      if (*p == 0) return s;
      if (i == max) break;
      s.push_back(static_cast<char>(*p));
    }
    return std::nullopt;
  }

 private:
  unsigned char* locate(std::uint64_t addr, std::size_t len) {
    auto it = regions_.upper_bound(addr);
    if (it == regions_.begin()) return nullptr;
    --it;
    std::uint64_t off = addr - it->first;
    if (off + len > it->second.size() || off + len < off) return nullptr;
    return it->second.data() + off;
  }
  std::map<std::uint64_t, std::vector<unsigned char>> regions_;
};

}  // namespace sentry::testing
