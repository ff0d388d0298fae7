// Per-thread-group resource limits (RLIMIT_*) as the guest sees them, and
// Linux's rules for changing them (kernel/sys.c do_prlimit and
// check_prlimit_permission) as pure functions returning 0 or -errno.
#pragma once

#include <sys/resource.h>
#include <sys/types.h>

#include <array>
#include <cstdint>

namespace sentry::kernel {

struct Credentials;

struct Limit {
  std::uint64_t cur = RLIM64_INFINITY;
  std::uint64_t max = RLIM64_INFINITY;
};

struct ResourceLimits {
  std::array<Limit, RLIM_NLIMITS> limits{};
  const Limit& get(int resource) const { return limits[static_cast<std::size_t>(resource)]; }

  // Every limit of host process `pid` (prlimit(pid, ...); 0: sentry itself).
  // A limit that cannot be read stays infinite.
  static ResourceLimits from_host(pid_t pid = 0);

  // Whether `resource` (an unsigned int in every limits syscall) names a limit.
  static bool valid_resource(std::uint64_t resource) { return resource < RLIM_NLIMITS; }

  // do_prlimit's checks for setting `resource` to `nw`, in the kernel's order:
  // -EINVAL for an unknown resource or cur > max; -EPERM for an RLIMIT_NOFILE
  // hard limit above `nr_open` (fs.nr_open; even with CAP_SYS_RESOURCE); -EPERM
  // for raising the hard limit without `cap_sys_resource` (the caller's
  // CAP_SYS_RESOURCE). 0: the change is allowed.
  int check_set(std::uint64_t resource, const Limit& nw, bool cap_sys_resource,
                std::uint64_t nr_open) const;
  // check_set, then store. `old` (optional) receives the previous value on success.
  int set(std::uint64_t resource, const Limit& nw, bool cap_sys_resource, std::uint64_t nr_open,
          Limit* old = nullptr);
};

// check_prlimit_permission: a task may always use prlimit64 on itself
// (`same_task`); on another task only if the caller's real uid equals the
// target's real, effective and saved uids and the caller's real gid the
// target's real, effective and saved gids, or with CAP_SYS_RESOURCE. 0 or -EPERM.
int prlimit_permission(const Credentials& caller, const Credentials& target, bool same_task);

// The host's fs.nr_open (/proc/sys/fs/nr_open; read at every call since the
// sysctl may change; 1048576 if unreadable).
std::uint64_t host_nr_open();

}  // namespace sentry::kernel
