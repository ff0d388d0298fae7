#include "sentry/sandbox/cgroup_limits.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "sentry/sandbox/write_file.h"

namespace sentry::sandbox {

namespace {

constexpr const char* kRoot = "/sys/fs/cgroup";

// The path of sentry's own group in hierarchy `controller` ("" for the v2
// unified one) from /proc/self/cgroup; nullopt when it has none.
std::optional<std::string> own_group(const std::string& controller) {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line)) {
    // "4:memory:/a/b", "0::/a/b"
    std::size_t c1 = line.find(':');
    std::size_t c2 = c1 == std::string::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string::npos) continue;
    std::string list = line.substr(c1 + 1, c2 - c1 - 1);
    bool match = controller.empty() ? list.empty() && line.compare(0, c1, "0") == 0 : false;
    std::size_t start = 0;
    while (!controller.empty() && start <= list.size()) {
      std::size_t end = list.find(',', start);
      if (end == std::string::npos) end = list.size();
      if (list.compare(start, end - start, controller) == 0) match = true;
      start = end + 1;
    }
    if (match) return line.substr(c2 + 1);
  }
  return std::nullopt;
}

bool exists(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}

}  // namespace

std::optional<CgroupLimits> CgroupLimits::create(const TreeLimits& limits, std::string* error) {
  CgroupLimits c;
  const std::string name = "/sentry-" + std::to_string(getpid());
  auto make = [&](const std::string& base, const std::string& parent) -> std::optional<std::string> {
    const std::string dir = base + parent + (parent == "/" ? name.substr(1) : name);
    if (mkdir(dir.c_str(), 0755) != 0) {
      *error = "cannot create the cgroup " + dir + ": " + std::strerror(errno);
      return std::nullopt;
    }
    c.groups_.push_back({dir, base + parent});
    return dir;
  };
  auto set = [&](const std::string& dir, const std::string& file, const std::string& value) {
    if (write_file(dir + "/" + file, value)) return true;
    *error = "cannot write " + dir + "/" + file + ": " + std::strerror(errno);
    return false;
  };
  const std::string period = std::to_string(kCpuPeriodUs);
  if (exists(std::string(kRoot) + "/cgroup.controllers")) {  // cgroup v2
    auto parent = own_group("");
    if (!parent) {
      *error = "sentry's cgroup v2 group is unknown (/proc/self/cgroup)";
      return std::nullopt;
    }
    auto dir = make(kRoot, *parent);
    if (!dir) return std::nullopt;
    if ((limits.pids && !set(*dir, "pids.max", std::to_string(*limits.pids))) ||
        (limits.memory_bytes && !set(*dir, "memory.max", std::to_string(*limits.memory_bytes))) ||
        (limits.cpu_quota_us && !set(*dir, "cpu.max", std::to_string(*limits.cpu_quota_us) + " " + period))) {
      *error += " (the parent group must delegate the pids, memory and cpu controllers)";
      return std::nullopt;
    }
    return c;
  }
  // cgroup v1: one hierarchy per controller, and the files to write there.
  struct Wanted {
    const char* controller;
    const char* option;
    std::vector<std::pair<std::string, std::string>> files;
  };
  std::vector<Wanted> wanted;
  if (limits.pids) wanted.push_back({"pids", "--pids-limit", {{"pids.max", std::to_string(*limits.pids)}}});
  if (limits.memory_bytes)
    wanted.push_back({"memory", "--memory-limit", {{"memory.limit_in_bytes", std::to_string(*limits.memory_bytes)}}});
  if (limits.cpu_quota_us)
    wanted.push_back({"cpu", "--cpu-limit",
                      {{"cpu.cfs_period_us", period}, {"cpu.cfs_quota_us", std::to_string(*limits.cpu_quota_us)}}});
  for (const Wanted& w : wanted) {
    const std::string base = std::string(kRoot) + "/" + w.controller;
    auto parent = own_group(w.controller);
    if (!parent || !exists(base)) {
      *error = std::string("no cgroup ") + w.controller + " hierarchy at " + base + " for " + w.option;
      return std::nullopt;
    }
    auto dir = make(base, *parent);
    if (!dir) return std::nullopt;
    for (const auto& [file, value] : w.files)
      if (!set(*dir, file, value)) return std::nullopt;
  }
  return c;
}

std::vector<std::string> CgroupLimits::made_by(pid_t pid) {
  std::vector<std::string> dirs;
  const std::string name = "sentry-" + std::to_string(pid);
  auto consider = [&](const std::string& base, const std::optional<std::string>& parent) {
    if (!parent) return;
    const std::string dir = base + *parent + (*parent == "/" ? "" : "/") + name;
    if (exists(dir)) dirs.push_back(dir);
  };
  if (exists(std::string(kRoot) + "/cgroup.controllers")) {
    consider(kRoot, own_group(""));
  } else {
    for (const char* controller : {"pids", "memory", "cpu"})
      consider(std::string(kRoot) + "/" + controller, own_group(controller));
  }
  return dirs;
}

CgroupLimits::~CgroupLimits() {
  for (const Group& g : groups_) rmdir(g.dir.c_str());
}

bool CgroupLimits::enter(std::string* error) {
  const std::string pid = std::to_string(getpid());
  for (const Group& g : groups_) {
    if (!write_file(g.dir + "/cgroup.procs", pid)) {
      *error = "cannot enter " + g.dir + ": " + std::strerror(errno);
      leave();
      return false;
    }
  }
  return true;
}

void CgroupLimits::leave() {
  const std::string pid = std::to_string(getpid());
  for (const Group& g : groups_) write_file(g.original + "/cgroup.procs", pid);
}

}  // namespace sentry::sandbox
