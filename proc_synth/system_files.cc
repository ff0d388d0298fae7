// Machine-wide /proc files and /proc/sys values.
#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <string>
#include <string_view>

#include "proc_synth/format.h"
#include "proc_synth/generators.h"

namespace sentry::proc_synth {

namespace {

// meminfo lines that measure RAM in use and so cannot exceed MemTotal.
bool ram_usage_field(std::string_view name) {
  static constexpr std::string_view kFields[] = {
      "Buffers",        "Cached",      "Active",       "Inactive",      "Active(anon)",
      "Inactive(anon)", "Active(file)", "Inactive(file)", "Unevictable", "Mlocked",
      "Dirty",          "Writeback",   "AnonPages",    "Mapped",        "Shmem",
      "KReclaimable",   "Slab",        "SReclaimable", "SUnreclaim",
  };
  return std::find(std::begin(kFields), std::end(kFields), name) != std::end(kFields);
}

// "Name:   123 kB" -> ("Name", 123); false for lines of another shape.
bool parse_kb_line(std::string_view line, std::string_view* name, std::uint64_t* kb) {
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || !line.ends_with(" kB")) return false;
  *name = line.substr(0, colon);
  std::string_view num = line.substr(colon + 1, line.size() - 3 - colon - 1);
  while (!num.empty() && num.front() == ' ') num.remove_prefix(1);
  if (num.empty()) return false;
  std::uint64_t v = 0;
  for (char c : num) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  *kb = v;
  return true;
}

std::string centi(std::uint64_t value_centi) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%" PRIu64 ".%02" PRIu64, value_centi / 100, value_centi % 100);
  return buf;
}

}  // namespace

std::string meminfo(const MachineView& m) {
  const std::uint64_t total = m.mem_total_bytes / 1024;
  const std::uint64_t free_kb = std::min(m.mem_free_bytes / 1024, total);
  const std::uint64_t avail_kb = std::min(m.mem_available_bytes / 1024, total);
  std::string out;
  if (m.host_meminfo.empty()) {
    out += kb_field("MemTotal:", total) + "\n";
    out += kb_field("MemFree:", free_kb) + "\n";
    out += kb_field("MemAvailable:", avail_kb) + "\n";
    for (const char* label : {"Buffers:", "Cached:", "SwapCached:", "SwapTotal:", "SwapFree:"})
      out += kb_field(label, 0) + "\n";
    return out;
  }
  for (const std::string& line : m.host_meminfo) {
    std::string_view name;
    std::uint64_t kb = 0;
    if (!parse_kb_line(line, &name, &kb)) {
      out += line;
    } else if (name == "MemTotal") {
      out += kb_field("MemTotal:", total);
    } else if (name == "MemFree") {
      out += kb_field("MemFree:", free_kb);
    } else if (name == "MemAvailable") {
      out += kb_field("MemAvailable:", avail_kb);
    } else if (ram_usage_field(name) && kb > total) {
      out += kb_field(std::string(name) + ":", total);
    } else {
      out += line;
    }
    out += '\n';
  }
  return out;
}

std::string proc_stat(const MachineView& m) {
  const int n = m.cpus < 1 ? 1 : (m.cpus > kernel::kMaxCpus ? kernel::kMaxCpus : m.cpus);
  CpuTimes sum;
  for (int c = 0; c < n && c < static_cast<int>(m.cpu_times.size()); ++c) sum += m.cpu_times[c];
  auto times = [](const CpuTimes& t) {
    std::string s;
    for (std::uint64_t v : t.ticks) {
      s += ' ';
      s += std::to_string(v);
    }
    return s;
  };
  std::string out = "cpu " + times(sum) + "\n";
  for (int c = 0; c < n; ++c) {
    const CpuTimes t = c < static_cast<int>(m.cpu_times.size()) ? m.cpu_times[c] : CpuTimes{};
    out += "cpu" + std::to_string(c) + times(t) + "\n";
  }
  out += "intr " + m.intr + "\n";
  out += "ctxt " + std::to_string(m.ctxt) + "\n";
  out += "btime " + std::to_string(m.btime) + "\n";
  out += "processes " + std::to_string(m.processes) + "\n";
  out += "procs_running " + std::to_string(m.procs_running) + "\n";
  out += "procs_blocked " + std::to_string(m.procs_blocked) + "\n";
  out += "softirq " + m.softirq + "\n";
  return out;
}

std::string uptime(const MachineView& m) {
  constexpr std::uint64_t kNsPerCenti = 10'000'000;
  return centi(m.uptime_ns / kNsPerCenti) + " " + centi(m.idle_ns / kNsPerCenti) + "\n";
}

std::string loadavg(const MachineView& m) {
  return centi(m.loadavg_centi[0]) + " " + centi(m.loadavg_centi[1]) + " " +
         centi(m.loadavg_centi[2]) + " " + std::to_string(m.nr_running) + "/" +
         std::to_string(m.nr_threads) + " " + std::to_string(m.last_pid) + "\n";
}

std::string version(const MachineView& m) {
  // init/version.c linux_proc_banner: "%s version %s (user@host) (compiler) %s\n".
  std::string out = m.sysname + " version " + m.kernel_release;
  if (!m.kernel_build.empty()) out += " " + m.kernel_build;
  out += " " + m.kernel_version + "\n";
  return out;
}

std::string filesystems(const MachineView& m) {
  static const std::vector<FilesystemType> kFixed = {
      {true, "sysfs"},   {true, "tmpfs"},  {true, "bdev"},   {true, "proc"},
      {true, "cgroup"},  {true, "cgroup2"}, {true, "devtmpfs"}, {true, "binfmt_misc"},
      {true, "sockfs"},  {true, "pipefs"}, {true, "ramfs"},  {true, "hugetlbfs"},
      {true, "devpts"},  {false, "ext3"},  {false, "ext2"},  {false, "ext4"},
      {true, "autofs"},  {true, "mqueue"}, {true, "overlay"},
  };
  const std::vector<FilesystemType>& list = m.filesystems.empty() ? kFixed : m.filesystems;
  std::string out;
  for (const FilesystemType& fs : list) {
    out += fs.nodev ? "nodev" : "";
    out += '\t';
    out += fs.name;
    out += '\n';
  }
  return out;
}

std::string sysctl_overcommit_memory() { return "0\n"; }
std::string sysctl_pid_max(const MachineView& m) { return std::to_string(m.pid_max) + "\n"; }
std::string sysctl_bindv6only() { return "0\n"; }
std::string sysctl_somaxconn() { return "4096\n"; }
std::string sysctl_ostype(const MachineView& m) { return m.sysname + "\n"; }
std::string sysctl_osrelease(const MachineView& m) { return m.kernel_release + "\n"; }
std::string sysctl_kernel_version(const MachineView& m) { return m.kernel_version + "\n"; }

}  // namespace sentry::proc_synth
