// The guest's identity on the host: one contiguous range of host uids and
// gids that own nothing, mapped to guest ids 0..count-1 by the guest's user
// namespace. Guest root is host uid `host_base`, an unprivileged id: every
// forwarded call then carries no host privilege (docs/security.md).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

namespace sentry::sandbox {

struct IdMap {
  // Default base: far above the ids distributions hand out (useradd's
  // SUB_UID range ends at 600100000; systemd's dynamic users stay below
  // 2^31 - 1 - 65536 with their own prefixes), and 65536-aligned like the
  // ranges podman and runsc use.
  static constexpr std::uint32_t kDefaultBase = 2000000000u;
  static constexpr std::uint32_t kCount = 65536;

  std::uint32_t host_base = kDefaultBase;      // host uid of guest uid 0
  std::uint32_t host_gid_base = kDefaultBase;  // host gid of guest gid 0
  std::uint32_t count = kCount;
  // sentry runs as an ordinary user: guest root is that user (one id), as in
  // podman's and runsc's rootless mode.
  bool rootless = false;

  // The map of an ordinary user's sandbox: guest 0 = `uid` / `gid`.
  static IdMap rootless_for(std::uint32_t uid, std::uint32_t gid);

  // "0 <base> <count>\n", the line /proc/<pid>/uid_map takes (gid_map_line:
  // the same for gid_map).
  std::string map_line() const;
  std::string gid_map_line() const;
  // Host id of guest id `id`; nullopt if the namespace does not map it.
  std::optional<std::uint32_t> to_host(std::uint32_t id) const;
  // Guest id of host id `id`; nullopt if unmapped (the guest sees 65534).
  std::optional<std::uint32_t> to_guest(std::uint32_t id) const;
};

// Parses --host-ids BASE[:COUNT]; nullopt with *error set on bad input
// (base 0, a range reaching past 2^32-2, a count below 1).
std::optional<IdMap> parse_id_map(const std::string& text, std::string* error);

}  // namespace sentry::sandbox
