// /proc/cpuinfo and /sys/devices/system/{cpu,node}.
#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "proc_synth/format.h"
#include "proc_synth/generators.h"

namespace sentry::proc_synth {

namespace {

int clamp_cpus(int cpus) { return cpus < 1 ? 1 : (cpus > kernel::kMaxCpus ? kernel::kMaxCpus : cpus); }

kernel::CpuMask all_cpus(const MachineView& m) { return kernel::CpuMask::first_n(clamp_cpus(m.cpus)); }

kernel::CpuMask only(int cpu) {
  kernel::CpuMask mask;
  mask.set(cpu);
  return mask;
}

// The key of a cpuinfo line ("core id" for "core id\t\t: 0"), or "" when the
// line has no colon.
std::string_view cpuinfo_key(std::string_view line, std::size_t* colon) {
  *colon = line.find(':');
  if (*colon == std::string_view::npos) return {};
  std::string_view key = line.substr(0, *colon);
  while (!key.empty() && (key.back() == '\t' || key.back() == ' ')) key.remove_suffix(1);
  return key;
}

// Used when the host's block is unknown: the topology lines only, laid out as
// arch/x86/kernel/cpu/proc.c prints them.
const std::vector<std::string>& fallback_block() {
  static const std::vector<std::string> block = {
      "processor\t: 0", "physical id\t: 0", "siblings\t: 1",      "core id\t\t: 0",
      "cpu cores\t: 1", "apicid\t\t: 0",    "initial apicid\t: 0",
  };
  return block;
}

}  // namespace

std::string cpuinfo(const MachineView& m) {
  const int n = clamp_cpus(m.cpus);
  const std::vector<std::string>& tmpl = m.host_cpuinfo.empty() ? fallback_block() : m.host_cpuinfo;
  std::string out;
  for (int c = 0; c < n; ++c) {
    const std::string cs = std::to_string(c);
    const std::string ns = std::to_string(n);
    for (const std::string& line : tmpl) {
      std::size_t colon = 0;
      const std::string_view key = cpuinfo_key(line, &colon);
      const std::string* value = nullptr;
      static const std::string zero = "0";
      if (key == "processor" || key == "core id" || key == "apicid" || key == "initial apicid") {
        value = &cs;
      } else if (key == "siblings" || key == "cpu cores") {
        value = &ns;
      } else if (key == "physical id") {
        value = &zero;
      }
      if (value != nullptr) {
        out.append(line, 0, colon + 1);
        out += ' ';
        out += *value;
      } else {
        out += line;
      }
      out += '\n';
    }
    out += '\n';
  }
  return out;
}

std::string sys_cpu_all_list(const MachineView& m) { return cpu_list(all_cpus(m)) + "\n"; }
std::string sys_cpu_none_list() { return "\n"; }
std::string sys_cpu_kernel_max() { return std::to_string(kernel::kMaxCpus - 1) + "\n"; }
std::string sys_cpu_smt_active() { return "0\n"; }
std::string sys_cpu_smt_control() { return "notsupported\n"; }
std::string sys_cpu_online_flag() { return "1\n"; }

const std::vector<std::string_view>& sys_cpu_topology_names() {
  // drivers/base/topology.c default_attrs (x86: no book/drawer).
  static const std::vector<std::string_view> names = {
      "physical_package_id", "die_id",           "cluster_id",        "core_id",
      "core_cpus",           "core_cpus_list",   "thread_siblings",   "thread_siblings_list",
      "core_siblings",       "core_siblings_list", "cluster_cpus",    "cluster_cpus_list",
      "die_cpus",            "die_cpus_list",    "package_cpus",      "package_cpus_list",
  };
  return names;
}

std::optional<std::string> sys_cpu_topology(const MachineView& m, int cpu, std::string_view name) {
  const int n = clamp_cpus(m.cpus);
  if (cpu < 0 || cpu >= n) return std::nullopt;
  // Every core is its own thread group and its own cluster; all cores share
  // die 0 of package 0. cluster_id is what x86 prints without L2 cluster
  // ids (BAD_APICID, 0xffff), as on the reference host.
  if (name == "physical_package_id" || name == "die_id") return "0\n";
  if (name == "cluster_id") return "65535\n";
  if (name == "core_id") return std::to_string(cpu) + "\n";
  const bool self = name.starts_with("core_cpus") || name.starts_with("thread_siblings") ||
                    name.starts_with("cluster_cpus");
  const bool all = name.starts_with("core_siblings") || name.starts_with("die_cpus") ||
                   name.starts_with("package_cpus");
  if (!self && !all) return std::nullopt;
  const kernel::CpuMask mask = self ? only(cpu) : all_cpus(m);
  if (name.ends_with("_list")) return cpu_list(mask) + "\n";
  for (std::string_view known : sys_cpu_topology_names())
    if (known == name) return cpu_mask_hex(mask, n) + "\n";
  return std::nullopt;
}

std::string sys_node_list() { return "0\n"; }
std::string sys_node0_cpulist(const MachineView& m) { return cpu_list(all_cpus(m)) + "\n"; }
std::string sys_node0_cpumap(const MachineView& m) {
  return cpu_mask_hex(all_cpus(m), clamp_cpus(m.cpus)) + "\n";
}

}  // namespace sentry::proc_synth
