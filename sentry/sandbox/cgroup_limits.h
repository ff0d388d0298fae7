// Hard limits on the whole guest tree, from the host's cgroups: a pids limit
// against fork bombs, a memory limit against runaway allocation and a CPU
// limit against a guest that would take the host's CPUs (`sentry run
// --pids-limit N --memory-limit SIZE --cpu-limit CPUS`). sentry makes a group
// of its own below the cgroup it runs in, for each controller (cgroup v1:
// pids, memory and cpu hierarchies; v2: one group with all), and the sandbox's
// first process is born in it (sentry steps in for the fork and back out), so
// the init, the program and everything they start are counted, while the
// guest's cgroup namespace makes that group its "/".
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sentry::sandbox {

inline constexpr std::uint64_t kCpuPeriodUs = 100000;  // the kernel's default CFS period

struct TreeLimits {
  std::optional<std::uint64_t> pids;          // tasks (threads count, as in pids.max)
  std::optional<std::uint64_t> memory_bytes;  // memory.max / memory.limit_in_bytes
  // CPU time per kCpuPeriodUs of wall time (cpu.max / cpu.cfs_quota_us):
  // --cpu-limit 1.5 is 150000.
  std::optional<std::uint64_t> cpu_quota_us;
  bool any() const { return pids || memory_bytes || cpu_quota_us; }
};

class CgroupLimits {
 public:
  // Makes the groups and writes the limits; nullopt with *error naming what
  // is missing (no writable cgroup hierarchy with the controller).
  static std::optional<CgroupLimits> create(const TreeLimits& limits, std::string* error);
  CgroupLimits(CgroupLimits&& o) noexcept : groups_(std::move(o.groups_)) { o.groups_.clear(); }
  CgroupLimits& operator=(CgroupLimits&& o) noexcept {
    std::swap(groups_, o.groups_);
    return *this;
  }
  CgroupLimits(const CgroupLimits&) = delete;
  CgroupLimits& operator=(const CgroupLimits&) = delete;
  // Removes the groups (they must be empty: call once the tree is gone).
  ~CgroupLimits();

  // The groups a sentry with pid `pid` (this process) has made, read from
  // the hierarchy: what a runtime removes after that sentry was killed.
  static std::vector<std::string> made_by(pid_t pid);

  // Moves sentry into the groups (for the fork of the sandbox) and back.
  bool enter(std::string* error);
  void leave();

 private:
  CgroupLimits() = default;
  struct Group {
    std::string dir;       // the group sentry made
    std::string original;  // the group sentry came from
  };
  std::vector<Group> groups_;
};

}  // namespace sentry::sandbox
