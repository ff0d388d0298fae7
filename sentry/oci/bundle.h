// An OCI bundle (a directory with config.json and a root filesystem), read
// into what sentry's launcher and model take: the process, the guest's tree,
// the machine it sees and the tree's limits. Fields sentry cannot honour are
// a clear error; fields it leaves to its own policy (a seccomp profile,
// capabilities, AppArmor/SELinux labels, masked paths) are ignored with a
// reason the runtime logs (docs/oci.md lists each).
#pragma once

#include <sys/resource.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace sentry::oci {

enum class NetworkMode {
  kHost,     // no network namespace in the config: the host's network
  kPrivate,  // a new one: loopback only
  kJoin,     // a namespace the engine made (netns path): the runtime enters it
};

struct Rlimit {
  int resource = 0;
  rlim_t soft = 0, hard = 0;
};

struct ContainerSpec {
  std::string bundle;  // absolute
  // process
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string cwd = "/";
  std::uint32_t uid = 0, gid = 0;
  bool terminal = false;
  std::vector<Rlimit> rlimits;
  // root and mounts
  std::string root;  // absolute host path
  bool root_readonly = false;
  std::vector<std::string> binds;  // "HOST:GUEST:ro|rw", sentry run's --bind syntax
  std::vector<std::string> tmpfs;  // "GUEST:mode=..,size=..": new tmpfs mounts
  // namespaces and machine
  std::string hostname;
  NetworkMode network = NetworkMode::kHost;
  std::string netns_path;
  std::optional<std::uint32_t> host_uid_base;  // linux.uidMappings for container id 0
  std::optional<std::uint32_t> host_gid_base;
  std::optional<std::uint32_t> id_count;
  std::optional<int> cpus;                     // from cpu quota/period or cpuset
  std::optional<std::uint64_t> memory_limit;   // linux.resources.memory.limit
  std::optional<std::uint64_t> pids_limit;     // linux.resources.pids.limit
  std::optional<std::uint64_t> cpu_quota_us;   // linux.resources.cpu quota/period, per 100 ms (the tree's cpu cgroup)
  std::map<std::string, std::string> annotations;
  // What was ignored, and why (logged by the runtime).
  std::vector<std::string> ignored;
};

// Reads BUNDLE/config.json. nullopt with *error set for the user.
std::optional<ContainerSpec> load_bundle(const std::string& bundle, std::string* error);
// The same from parsed JSON (unit tests); `bundle` resolves a relative root.
std::optional<ContainerSpec> parse_config(const nlohmann::json& config, const std::string& bundle,
                                          std::string* error);

// The config.json `sentry spec` writes: runc's default, running `sh`.
nlohmann::json default_config(bool rootless);

// Sentry's own options, as annotations (dev.sentry.report, ...).
inline constexpr const char* kAnnotationReport = "dev.sentry.report";
inline constexpr const char* kAnnotationTrace = "dev.sentry.trace";
inline constexpr const char* kAnnotationPlatform = "dev.sentry.platform";
inline constexpr const char* kAnnotationCpus = "dev.sentry.cpus";

}  // namespace sentry::oci
