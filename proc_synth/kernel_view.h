// Filling the views from the kernel model and the host: what the model knows
// comes from the ProcessTree and MachineConfig, the rest is read from the
// host's /proc by host pid. KernelModelSource speaks the guest's PID
// namespace ids (the guest's paths and the content it reads), translating
// through ProcessTree::guest_tid/host_tid; process_view_from takes host ids.
//
// Model-owned: CPU count (and every CPU number shown: affinity, "processor"
// of stat), memory total, release, credentials, capabilities, no_new_privs,
// seccomp mode, scheduling policy/nice/priority, resource limits, thread
// list, exe path.
// Host-owned: PPid (the guest's getppid(); orphans go to the sandbox's
// init, pid 1), comm (writes to
// /proc/<pid>/comm and pthread_setname_np change the host's name directly),
// state ('t' — a ptrace stop of sentry's own making — shows as 'S'), memory
// use, times, faults, signal masks, fd table size, load, uptime.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "proc_synth/model_view.h"
#include "proc_synth/registry.h"
#include "sentry/kernel/blocked_calls.h"
#include "sentry/kernel/process_tree.h"
#include "sentry/kernel/virtual_cpus.h"

namespace sentry::vfs {
class MountTable;
}  // namespace sentry::vfs

namespace sentry::kernel {
struct Kernel;
struct MachineConfig;
}  // namespace sentry::kernel

namespace sentry::proc_synth {

// seccomp filters sentry itself installs on every guest task (subtracted
// from the host's Seccomp_filters).
inline constexpr int kSentrySeccompFilters = 1;

// The whole content of a host file ("" if unreadable).
std::string read_host_file(const std::string& path);

// The machine as the guest sees it. `guest_tasks` is the number of guest
// threads (loadavg's total, the clip of procs_running).
MachineView machine_view_from_host(const kernel::MachineConfig& config,
                                   const kernel::HostCpuMap& cpu_map, unsigned guest_tasks);

// Guest thread group `tgid`; nullopt if the model has no such live group.
// Host files are read for every task, or only for `detail_tid` when it is
// not 0 (see ModelSource::process).
// `parked`: the tasks whose emulated call sentry holds (kernel::BlockedCalls);
// null when unknown.
std::optional<ProcessView> process_view_from(const kernel::ProcessTree& tree,
                                             const kernel::MachineConfig& config,
                                             const kernel::HostCpuMap& cpu_map, pid_t tgid,
                                             pid_t detail_tid = 0,
                                             const kernel::BlockedCalls* parked = nullptr);
std::optional<ProcessView> process_view_from(const kernel::Kernel& k, pid_t tgid,
                                             pid_t detail_tid = 0);

// ModelSource over a live Kernel (or its tree and configuration).
class KernelModelSource : public ModelSource {
 public:
  explicit KernelModelSource(const kernel::Kernel& k);
  KernelModelSource(const kernel::ProcessTree& tree, const kernel::MachineConfig& config,
                    const kernel::HostCpuMap& cpu_map = kernel::HostCpuMap::current());

  int cpus() const override;
  MachineView machine() const override;
  std::optional<pid_t> tgid_of(pid_t tid) const override;
  std::vector<pid_t> tgids() const override;
  std::optional<ProcessView> process(pid_t tgid, pid_t detail_tid = 0) const override;
  std::vector<DirEntry> host_entries(const std::string& dir) const override;

 private:
  const kernel::ProcessTree& tree_;
  const kernel::MachineConfig& config_;
  const kernel::BlockedCalls* parked_ = nullptr;
  kernel::HostCpuMap cpu_map_;  // by value: callers may pass a temporary
};

}  // namespace sentry::proc_synth
