#include "proc_synth/kernel_agreement.h"

#include <sched.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstdlib>
#include <string>

#include "proc_synth/kernel_view.h"

namespace sentry::proc_synth {

KernelBaseline kernel_baseline(int virtual_cpus, const kernel::HostCpuMap& map, int host_possible,
                               int policy, int nice) {
  KernelBaseline b;
  b.cpus_as_host = map.known() && virtual_cpus == host_possible &&
                   static_cast<int>(map.host_cpus().size()) == host_possible;
  for (int v = 0; b.cpus_as_host && v < virtual_cpus; ++v) b.cpus_as_host = map.host_cpu_of(v) == v;
  b.sched_default = policy == kernel::kSchedNormal && nice == 0;
  return b;
}

KernelBaseline kernel_baseline_here(int virtual_cpus) {
  // nr_cpu_ids: one past the highest possible CPU ("0-1" -> 2).
  int possible = -1;
  const std::string list = read_host_file("/sys/devices/system/cpu/possible");
  const std::size_t end = list.find_last_of("0123456789");
  if (end != std::string::npos) {
    const std::size_t start = list.find_last_not_of("0123456789", end);
    possible = std::atoi(list.c_str() + (start == std::string::npos ? 0 : start + 1)) + 1;
  }
  errno = 0;
  const int nice = getpriority(PRIO_PROCESS, 0);
  const int policy = sched_getscheduler(0);
  return kernel_baseline(virtual_cpus, kernel::HostCpuMap::current(), possible, policy,
                         errno != 0 ? 1 : nice);
}

bool kernel_shows(const KernelBaseline& b, const kernel::SchedState& s) {
  return b.any_task_agrees() && s.policy == kernel::kSchedNormal && s.rt_priority == 0 && s.nice == 0;
}

}  // namespace sentry::proc_synth
