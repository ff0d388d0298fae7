#include "sentry/sandbox/id_map.h"

#include <cstdint>

namespace sentry::sandbox {

IdMap IdMap::rootless_for(std::uint32_t uid, std::uint32_t gid) {
  IdMap m;
  m.host_base = uid;
  m.host_gid_base = gid;
  m.count = 1;
  m.rootless = true;
  return m;
}

std::string IdMap::map_line() const {
  return "0 " + std::to_string(host_base) + " " + std::to_string(count) + "\n";
}

std::string IdMap::gid_map_line() const {
  return "0 " + std::to_string(host_gid_base) + " " + std::to_string(count) + "\n";
}

std::optional<std::uint32_t> IdMap::to_host(std::uint32_t id) const {
  if (id >= count) return std::nullopt;
  return host_base + id;
}

std::optional<std::uint32_t> IdMap::to_guest(std::uint32_t id) const {
  if (id < host_base || id - host_base >= count) return std::nullopt;
  return id - host_base;
}

std::optional<IdMap> parse_id_map(const std::string& text, std::string* error) {
  IdMap m;
  std::size_t colon = text.find(':');
  try {
    std::size_t used = 0;
    unsigned long long base = std::stoull(text.substr(0, colon), &used);
    if (used != text.substr(0, colon).size()) throw 0;
    unsigned long long count = IdMap::kCount;
    if (colon != std::string::npos) {
      std::string c = text.substr(colon + 1);
      count = std::stoull(c, &used);
      if (used != c.size()) throw 0;
    }
    if (base == 0) {
      *error = "--host-ids: base 0 would map the guest's root to the host's root";
      return std::nullopt;
    }
    if (count < 1 || base + count > 0xfffffffeull) {
      *error = "--host-ids: the range must hold at least one id and end below 4294967294";
      return std::nullopt;
    }
    m.host_base = static_cast<std::uint32_t>(base);
    m.host_gid_base = static_cast<std::uint32_t>(base);
    m.count = static_cast<std::uint32_t>(count);
  } catch (...) {
    *error = "--host-ids: expected BASE[:COUNT], got '" + text + "'";
    return std::nullopt;
  }
  return m;
}

}  // namespace sentry::sandbox
