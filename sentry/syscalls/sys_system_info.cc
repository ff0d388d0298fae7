// uname and sysinfo: the host's answers, adjusted to the machine the guest
// is configured to see (MachineConfig).
//   uname:   the host's, with `release` replaced by --uname-release when set.
//            nodename and domainname are the guest's UTS namespace's (sentry
//            joins it at launch; an OCI bundle's hostname).
//   sysinfo: the host's uptime, loads and swap; totalram = --memory when set
//            (the host's otherwise), freeram/sharedram/bufferram clipped to
//            totalram; procs = the number of guest tasks (threads, as Linux
//            counts); all sizes in bytes (mem_unit 1).
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <limits>

#include "sentry/kernel/kernel.h"
#include "sentry/kernel/namespaces.h"
#include "sentry/syscalls/registry.h"

namespace sentry::syscalls {

namespace {

void sys_uname(kernel::Kernel& k, const SyscallPtr& call) {
  // A caller in a UTS namespace of its own: the host answers from there.
  if (k.in_guest_uts && !kernel::in_sentry_namespace(call->tid(), "uts")) return (void)call->continue_on_host();
  struct utsname u {};
  if (::uname(&u) != 0) {
    call->fail(errno);
    return;
  }
  if (!k.config.uname_release.empty()) {
    std::memset(u.release, 0, sizeof u.release);
    std::memcpy(u.release, k.config.uname_release.data(),
                std::min(k.config.uname_release.size(), sizeof u.release - 1));
  }
  if (!k.config.nodename.empty()) {
    std::memset(u.nodename, 0, sizeof u.nodename);
    std::memcpy(u.nodename, k.config.nodename.data(), std::min(k.config.nodename.size(), sizeof u.nodename - 1));
  }
  if (!call->memory().write(call->arg(0), &u, sizeof u)) {
    call->fail(EFAULT);
    return;
  }
  call->complete(0);
}

std::uint64_t scaled(std::uint64_t v, std::uint64_t unit) {
  if (unit > 1 && v > std::numeric_limits<std::uint64_t>::max() / unit)
    return std::numeric_limits<std::uint64_t>::max();
  return v * unit;
}

void sys_sysinfo(kernel::Kernel& k, const SyscallPtr& call) {
  struct sysinfo host {};
  if (::sysinfo(&host) != 0) {
    call->fail(errno);
    return;
  }
  const std::uint64_t unit = host.mem_unit == 0 ? 1 : host.mem_unit;
  struct sysinfo si {};
  si.uptime = host.uptime;
  std::copy(std::begin(host.loads), std::end(host.loads), std::begin(si.loads));
  const std::uint64_t total =
      k.config.memory_bytes != 0 ? k.config.memory_bytes : scaled(host.totalram, unit);
  si.totalram = total;
  si.freeram = std::min(scaled(host.freeram, unit), total);
  si.sharedram = std::min(scaled(host.sharedram, unit), total);
  si.bufferram = std::min(scaled(host.bufferram, unit), total);
  si.totalswap = scaled(host.totalswap, unit);
  si.freeswap = scaled(host.freeswap, unit);
  si.procs = static_cast<decltype(si.procs)>(
      std::min<std::size_t>(k.tree.task_count(), std::numeric_limits<decltype(si.procs)>::max()));
  si.totalhigh = 0;  // no highmem on x86-64
  si.freehigh = 0;
  si.mem_unit = 1;
  if (!call->memory().write(call->arg(0), &si, sizeof si)) {
    call->fail(EFAULT);
    return;
  }
  call->complete(0);
}

}  // namespace

// sethostname(2) and setdomainname(2): in the guest's own UTS namespace,
// which sentry lives in (Kernel::in_guest_uts), for a caller with
// CAP_SYS_ADMIN, as the guest's root has over a namespace of its own.
// Linux's order (kernel/sys.c): the capability, the length, the copy.
// Where sentry could not join it (a rootless run), EPERM: it could only
// rename the host.
constexpr int kCapSysAdmin = 21;  // CAP_SYS_ADMIN

void set_uts_name(kernel::Kernel& k, const SyscallPtr& call, int (*set)(const char*, std::size_t)) {
  // A caller in a UTS namespace of its own (unshare, clone): the host acts
  // there, with the caller's own capabilities over it.
  if (k.in_guest_uts && !kernel::in_sentry_namespace(call->tid(), "uts")) return (void)call->continue_on_host();
  const kernel::Task* t = k.tree.task(call->tid());
  if (!k.in_guest_uts || t == nullptr || !t->creds.has_capability(kCapSysAdmin)) return (void)call->fail(EPERM);
  const auto len = static_cast<std::int32_t>(call->arg(1));
  if (len < 0 || len > 64 /* __NEW_UTS_LEN */) return (void)call->fail(EINVAL);
  char name[65] = {};
  if (len > 0 && !call->memory().read(call->arg(0), name, static_cast<std::size_t>(len)))
    return (void)call->fail(EFAULT);
  if (set(name, static_cast<std::size_t>(len)) != 0) return (void)call->fail(errno);
  call->complete(0);
}

void sys_sethostname(kernel::Kernel& k, const SyscallPtr& call) {
  set_uts_name(k, call, [](const char* n, std::size_t l) { return ::sethostname(n, l); });
}
void sys_setdomainname(kernel::Kernel& k, const SyscallPtr& call) {
  set_uts_name(k, call, [](const char* n, std::size_t l) { return ::setdomainname(n, l); });
}

void register_system_info(Registry& r) {
  r.add("uname", sys_uname);
  r.add("sethostname", sys_sethostname);
  r.add("setdomainname", sys_setdomainname);
  r.add("sysinfo", sys_sysinfo);
}

}  // namespace sentry::syscalls
