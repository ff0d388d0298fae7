// The narrow view of the machine and of one guest process that the generators
// read. Generators are pure functions of these structs, so they are tested
// without a Kernel or a host; kernel_view.h fills them from the kernel model
// and the host.
//
// Who owns what:
//  * the kernel model: the CPU count, memory size and release (MachineConfig),
//    credentials, affinity and scheduling parameters, resource limits, comm
//    names set through prctl, the thread list;
//  * the host (copied, only re-formatted): everything sentry does not model:
//    memory use, CPU times, signal masks, VmRSS, fd table size, load
//    averages, uptime, the CPU model and flags. These arrive as the host's own
//    text (status lines, stat fields, cpuinfo/meminfo lines) so a newer host
//    kernel's extra fields come through in the host's order.
// Every host-derived member may be empty; generators then print the kernel's
// format with neutral values (zeros), which is what the unit tests use.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sentry/kernel/credentials.h"
#include "sentry/kernel/resource_limits.h"
#include "sentry/kernel/virtual_cpus.h"

namespace sentry::proc_synth {

// USER_HZ: the unit of every tick count in /proc (stat, uptime's sources).
inline constexpr std::uint64_t kUserHz = 100;

// One "Key:\tvalue" line of /proc/<pid>/status: key without the colon, value
// exactly as printed after the tab ("Groups" may be " ").
using StatusLine = std::pair<std::string, std::string>;

// One task (thread).
struct TaskView {
  pid_t tid = 0;
  std::string comm;           // at most 15 bytes
  char state = 'R';           // R S D T Z X I P (the glue reports ptrace stops as S)
  kernel::Credentials creds;  // the thread's own (Linux keeps them per thread)
  kernel::CpuMask affinity;   // as sched_getaffinity reports it
  int policy = 0;             // SCHED_* without SCHED_RESET_ON_FORK
  unsigned rt_priority = 0;
  int nice = 0;
  int cpu = 0;                // virtual CPU it last ran on (stat field 39)
  int seccomp_filters = 0;    // the guest's own filters (sentry's excluded)
  // The host's /proc/<tgid>/task/<tid>/status lines in the host's order
  // (fields the model owns are replaced), and its stat fields from field 3
  // ("state") to the last (exit_code): 50 fields on Linux >= 3.5.
  std::vector<StatusLine> host_status;
  std::vector<std::string> host_stat;
};

// One thread group (process).
struct ProcessView {
  pid_t tgid = 0;
  pid_t ppid = 0;              // as getppid() answers in the guest
  std::string exe_guest_path;  // what readlink(/proc/<tgid>/exe) shows the guest
  std::vector<TaskView> tasks;  // ascending tid; never empty for a live process
  // Threads that have not exited: a traced thread stays a zombie until sentry
  // reaps it, which a native kernel would already have done (0: unknown).
  std::size_t live_threads = 0;
  kernel::ResourceLimits limits;
  // The host's /proc/<tgid>/stat fields from field 3 on (process-wide sums of
  // faults and times).
  std::vector<std::string> host_stat;

  const TaskView* task(pid_t tid) const {
    for (const TaskView& t : tasks)
      if (t.tid == tid) return &t;
    return nullptr;
  }
  // The thread group leader's view (the first task if the leader is gone).
  const TaskView& leader() const {
    const TaskView* t = task(tgid);
    return t ? *t : tasks.front();
  }
};

// One cpuN line of /proc/stat, in USER_HZ ticks: user nice system idle iowait
// irq softirq steal guest guest_nice.
struct CpuTimes {
  std::array<std::uint64_t, 10> ticks{};
  CpuTimes& operator+=(const CpuTimes& o) {
    for (std::size_t i = 0; i < ticks.size(); ++i) ticks[i] += o.ticks[i];
    return *this;
  }
};

// One line of /proc/filesystems.
struct FilesystemType {
  bool nodev = false;
  std::string name;
};

struct MachineView {
  int cpus = 1;  // virtual CPUs 0..cpus-1, all online
  // Memory (bytes): total is --memory (the host's when unset); free and
  // available are the host's clipped to total.
  std::uint64_t mem_total_bytes = 0;
  std::uint64_t mem_free_bytes = 0;
  std::uint64_t mem_available_bytes = 0;
  // The host's /proc/meminfo lines (no '\n'): copied, with MemTotal, MemFree
  // and MemAvailable replaced and Buffers/Cached/Shmem... clipped to total.
  std::vector<std::string> host_meminfo;
  // The host's first /proc/cpuinfo block (its lines, no '\n', no blank line):
  // the template of every virtual CPU's block.
  std::vector<std::string> host_cpuinfo;
  // /proc/stat: one entry per virtual CPU (missing ones print zeros); the
  // aggregate "cpu" line is their sum.
  std::vector<CpuTimes> cpu_times;
  std::string intr = "0";  // after "intr ": the total then one count per IRQ
  std::uint64_t ctxt = 0;
  std::uint64_t btime = 0;  // boot time, seconds since the epoch
  std::uint64_t processes = 0;  // forks since boot
  unsigned procs_running = 1;
  unsigned procs_blocked = 0;
  std::string softirq = "0 0 0 0 0 0 0 0 0 0 0";  // after "softirq "
  // /proc/version and /proc/sys/kernel/{ostype,osrelease,version}: uname's
  // sysname, release (--uname-release or the host's) and version
  // ("#1 SMP PREEMPT_DYNAMIC ..."), and the builder part of /proc/version
  // ("(user@host) (gcc ...)").
  std::string sysname = "Linux";
  std::string kernel_release;
  std::string kernel_version;
  std::string kernel_build;
  // /proc/uptime: time since boot and the summed idle time of the virtual
  // CPUs (the kernel prints both truncated to centiseconds).
  std::uint64_t uptime_ns = 0;
  std::uint64_t idle_ns = 0;
  // /proc/loadavg: loads in hundredths, runnable and total guest tasks, the
  // last pid allocated.
  std::array<std::uint64_t, 3> loadavg_centi{};
  unsigned nr_running = 1;
  unsigned nr_threads = 1;
  pid_t last_pid = 0;
  // /proc/filesystems; empty: a fixed list of what a guest can mount.
  std::vector<FilesystemType> filesystems;
  std::uint64_t pid_max = 4194304;  // /proc/sys/kernel/pid_max (the host's)
};

}  // namespace sentry::proc_synth
