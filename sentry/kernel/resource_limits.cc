#include "sentry/kernel/resource_limits.h"

#include <cerrno>
#include <cstdio>

#include "sentry/kernel/credentials.h"

namespace sentry::kernel {

namespace {
constexpr int kCapSysResource = 24;
}

ResourceLimits ResourceLimits::from_host(pid_t pid) {
  ResourceLimits r;
  for (int res = 0; res < RLIM_NLIMITS; ++res) {
    struct rlimit64 old {};
    if (prlimit64(pid, static_cast<__rlimit_resource>(res), nullptr, &old) == 0)
      r.limits[static_cast<std::size_t>(res)] = Limit{old.rlim_cur, old.rlim_max};
  }
  return r;
}

int ResourceLimits::check_set(std::uint64_t resource, const Limit& nw, bool cap_sys_resource,
                              std::uint64_t nr_open) const {
  if (!valid_resource(resource)) return -EINVAL;
  if (nw.cur > nw.max) return -EINVAL;
  if (resource == RLIMIT_NOFILE && nw.max > nr_open) return -EPERM;
  if (nw.max > get(static_cast<int>(resource)).max && !cap_sys_resource) return -EPERM;
  return 0;
}

int ResourceLimits::set(std::uint64_t resource, const Limit& nw, bool cap_sys_resource,
                        std::uint64_t nr_open, Limit* old) {
  int rc = check_set(resource, nw, cap_sys_resource, nr_open);
  if (rc != 0) return rc;
  Limit& slot = limits[static_cast<std::size_t>(resource)];
  if (old != nullptr) *old = slot;
  slot = nw;
  return 0;
}

int prlimit_permission(const Credentials& caller, const Credentials& target, bool same_task) {
  if (same_task) return 0;
  const bool id_match = caller.ruid == target.euid && caller.ruid == target.suid &&
                        caller.ruid == target.ruid && caller.rgid == target.egid &&
                        caller.rgid == target.sgid && caller.rgid == target.rgid;
  if (!id_match && !caller.has_capability(kCapSysResource)) return -EPERM;
  return 0;
}

std::uint64_t host_nr_open() {
  unsigned long long v = 1048576;
  if (std::FILE* f = std::fopen("/proc/sys/fs/nr_open", "r")) {
    if (std::fscanf(f, "%llu", &v) != 1) v = 1048576;
    std::fclose(f);
  }
  return v;
}

}  // namespace sentry::kernel
