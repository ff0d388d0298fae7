// One generator per synthetic file: a pure function of the views in
// model_view.h returning the file's whole content, formatted exactly as
// Linux 6.x prints it (field order, tabs, padding, trailing newlines).
// registry.h maps guest paths to these.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "proc_synth/model_view.h"

namespace sentry::proc_synth {

// ---- CPUs: /proc/cpuinfo and /sys/devices/system/{cpu,node} (cpu_files.cc).
// The guest machine is one package of `cpus` cores, one thread per core,
// one NUMA node: CPU c has core id c, apicid c, physical id 0.

// One block per virtual CPU from the host's first block: processor, physical
// id, siblings, core id, cpu cores, apicid and initial apicid are the
// virtual machine's; model name, flags, MHz, bugs... are the host's.
std::string cpuinfo(const MachineView& m);
// /sys/devices/system/cpu/{online,possible,present,enabled}: "0-3\n".
std::string sys_cpu_all_list(const MachineView& m);
// /sys/devices/system/cpu/{offline,isolated}: "\n" (none).
std::string sys_cpu_none_list();
// /sys/devices/system/cpu/kernel_max: NR_CPUS - 1 of the model (kMaxCpus - 1).
std::string sys_cpu_kernel_max();
// /sys/devices/system/cpu/smt/{active,control}: no SMT ("0\n",
// "notsupported\n").
std::string sys_cpu_smt_active();
std::string sys_cpu_smt_control();
// /sys/devices/system/cpu/cpuN/online: "1\n".
std::string sys_cpu_online_flag();
// /sys/devices/system/cpu/cpuN/topology/<name>; nullopt for a name the
// kernel does not have (or a CPU that does not exist).
std::optional<std::string> sys_cpu_topology(const MachineView& m, int cpu, std::string_view name);
// The names in cpuN/topology/, in the kernel's (sysfs attribute) order.
const std::vector<std::string_view>& sys_cpu_topology_names();
// /sys/devices/system/node/{online,possible,has_cpu,has_memory,
// has_normal_memory}: "0\n"; node0/cpulist, node0/cpumap: every CPU.
std::string sys_node_list();
std::string sys_node0_cpulist(const MachineView& m);
std::string sys_node0_cpumap(const MachineView& m);

// ---- Machine-wide /proc files (system_files.cc).
std::string meminfo(const MachineView& m);
std::string proc_stat(const MachineView& m);
std::string uptime(const MachineView& m);
std::string loadavg(const MachineView& m);
std::string version(const MachineView& m);
std::string filesystems(const MachineView& m);
// /proc/sys values.
std::string sysctl_overcommit_memory();  // vm.overcommit_memory: "0\n" (heuristic)
std::string sysctl_pid_max(const MachineView& m);
std::string sysctl_bindv6only();  // net.ipv6.bindv6only: "0\n"
std::string sysctl_somaxconn();   // net.core.somaxconn: "4096\n" (the 5.4+ default)
std::string sysctl_ostype(const MachineView& m);
std::string sysctl_osrelease(const MachineView& m);
std::string sysctl_kernel_version(const MachineView& m);

// ---- Per process / per thread (pid_files.cc). `t` is the task the path
// names (/proc/<tid>/... or /proc/<tgid>/task/<tid>/...; the leader for
// /proc/<tgid>/...); `cpus` is nr_cpu_ids.
std::string pid_status(const ProcessView& p, const TaskView& t, int cpus);
// `whole`: /proc/<pid>/stat (faults and times summed over the thread group,
// from ProcessView::host_stat); otherwise /proc/<tgid>/task/<tid>/stat.
std::string pid_stat(const ProcessView& p, const TaskView& t, bool whole);
// /proc/<pid>/mounts and mountinfo: the guest's mount table (fs/proc_namespace.c
// formats; spaces, tabs, newlines and backslashes in paths as octal escapes).

// "R (running)" etc. for a task state letter.
std::string task_state_name(char state);


}  // namespace sentry::proc_synth
