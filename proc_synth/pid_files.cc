// /proc/<pid>/{status,stat} and the same
// files under /proc/<pid>/task/<tid>/ (fs/proc/array.c, fs/proc/base.c).
#include <sys/resource.h>

#include <cinttypes>
#include <cstdio>
#include <string>
#include <vector>

#include "proc_synth/format.h"
#include "proc_synth/generators.h"

namespace sentry::proc_synth {

namespace {

// Mems_allowed of node 0 alone over MAX_NUMNODES = 1024 bits (NODES_SHIFT 10,
// the x86-64 distribution default): 31 zero chunks, then "00000001".
const std::string kMemsAllowed = [] {
  std::string s;
  for (int i = 0; i < 31; ++i) s += "00000000,";
  return s + "00000001";
}();

// The status lines of Linux 6.18 on x86-64 in its order, with neutral values;
// used when the host's lines are unknown.
const std::vector<StatusLine>& default_status() {
  static const std::vector<StatusLine> lines = {
      {"Name", ""},
      {"Umask", "0022"},
      {"State", ""},
      {"Tgid", ""},
      {"Ngid", "0"},
      {"Pid", ""},
      {"PPid", ""},
      {"TracerPid", "0"},
      {"Uid", ""},
      {"Gid", ""},
      {"FDSize", "64"},
      {"Groups", ""},
      {"NStgid", ""},
      {"NSpid", ""},
      {"NSpgid", "0"},
      {"NSsid", "0"},
      {"Kthread", "0"},
      {"VmPeak", "       0 kB"},
      {"VmSize", "       0 kB"},
      {"VmLck", "       0 kB"},
      {"VmPin", "       0 kB"},
      {"VmHWM", "       0 kB"},
      {"VmRSS", "       0 kB"},
      {"RssAnon", "       0 kB"},
      {"RssFile", "       0 kB"},
      {"RssShmem", "       0 kB"},
      {"VmData", "       0 kB"},
      {"VmStk", "       0 kB"},
      {"VmExe", "       0 kB"},
      {"VmLib", "       0 kB"},
      {"VmPTE", "       0 kB"},
      {"VmSwap", "       0 kB"},
      {"HugetlbPages", "       0 kB"},
      {"CoreDumping", "0"},
      {"THP_enabled", "1"},
      {"untag_mask", "0xffffffffffffffff"},
      {"Threads", ""},
      {"SigQ", "0/0"},
      {"SigPnd", "0000000000000000"},
      {"ShdPnd", "0000000000000000"},
      {"SigBlk", "0000000000000000"},
      {"SigIgn", "0000000000000000"},
      {"SigCgt", "0000000000000000"},
      {"CapInh", ""},
      {"CapPrm", ""},
      {"CapEff", ""},
      {"CapBnd", ""},
      {"CapAmb", ""},
      {"NoNewPrivs", ""},
      {"Seccomp", ""},
      {"Seccomp_filters", ""},
      {"Speculation_Store_Bypass", "vulnerable"},
      {"SpeculationIndirectBranch", "always enabled"},
      {"Cpus_allowed", ""},
      {"Cpus_allowed_list", ""},
      {"Mems_allowed", kMemsAllowed},
      {"Mems_allowed_list", "0"},
      {"voluntary_ctxt_switches", "0"},
      {"nonvoluntary_ctxt_switches", "0"},
  };
  return lines;
}

std::string hex16(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, v);
  return buf;
}

std::string ids4(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
  return std::to_string(a) + "\t" + std::to_string(b) + "\t" + std::to_string(c) + "\t" +
         std::to_string(d);
}

// The value the model owns for status key `key`, or nullopt to keep the
// host's.
std::optional<std::string> model_status_value(const std::string& key, const std::string& host_value,
                                              const ProcessView& p, const TaskView& t, int cpus) {
  const kernel::Credentials& c = t.creds;
  if (key == "Name") return escape_comm(t.comm);
  if (key == "State") return task_state_name(t.state);
  if (key == "Tgid" || key == "NStgid") return std::to_string(p.tgid);
  if (key == "Pid" || key == "NSpid") return std::to_string(t.tid);
  if (key == "PPid") return std::to_string(p.ppid);
  if (key == "TracerPid") return "0";  // sentry's ptrace is invisible; guests cannot ptrace
  if (key == "Uid") return ids4(c.ruid, c.euid, c.suid, c.fsuid);
  if (key == "Gid") return ids4(c.rgid, c.egid, c.sgid, c.fsgid);
  if (key == "Groups") {
    // task_state(): each group, space-separated, then a trailing space.
    std::string s;
    for (std::size_t i = 0; i < c.groups.size(); ++i) {
      if (i) s += ' ';
      s += std::to_string(c.groups[i]);
    }
    return s + " ";
  }
  if (key == "Kthread") return "0";
  if (key == "Threads") return std::to_string(p.live_threads ? p.live_threads : p.tasks.size());
  if (key == "SigQ") {
    // queued/RLIMIT_SIGPENDING: the host's count, the model's limit.
    const std::size_t slash = host_value.find('/');
    const std::string queued = slash == std::string::npos ? "0" : host_value.substr(0, slash);
    return queued + "/" + std::to_string(p.limits.get(RLIMIT_SIGPENDING).cur);
  }
  if (key == "CapInh") return hex16(c.cap_inheritable);
  if (key == "CapPrm") return hex16(c.cap_permitted);
  if (key == "CapEff") return hex16(c.cap_effective);
  if (key == "CapBnd") return hex16(c.cap_bounding);
  if (key == "CapAmb") return hex16(c.cap_ambient);
  if (key == "NoNewPrivs") return c.no_new_privs ? "1" : "0";
  if (key == "Seccomp") return std::to_string(c.seccomp_mode);
  if (key == "Seccomp_filters") return std::to_string(t.seccomp_filters);
  if (key == "Cpus_allowed") return cpu_mask_hex(t.affinity, cpus);
  if (key == "Cpus_allowed_list") return cpu_list(t.affinity);
  return std::nullopt;
}

// Field indexes in a stat line counted from field 3 ("state").
constexpr std::size_t kStatFields = 50;  // fields 3..52
constexpr std::size_t kStatState = 0;       // field 3
constexpr std::size_t kStatPpid = 1;        // field 4
constexpr std::size_t kStatPgrp = 2;        // field 5
constexpr std::size_t kStatSession = 3;     // field 6
constexpr std::size_t kStatTpgid = 5;       // field 8
constexpr std::size_t kStatPriority = 15;   // field 18
constexpr std::size_t kStatNice = 16;       // field 19
constexpr std::size_t kStatThreads = 17;    // field 20
constexpr std::size_t kStatRsslim = 22;     // field 25
constexpr std::size_t kStatExitSignal = 35;  // field 38
constexpr std::size_t kStatProcessor = 36;  // field 39
constexpr std::size_t kStatRtPriority = 37;  // field 40
constexpr std::size_t kStatPolicy = 38;     // field 41

}  // namespace

std::string task_state_name(char state) {
  switch (state) {
    case 'R': return "R (running)";
    case 'S': return "S (sleeping)";
    case 'D': return "D (disk sleep)";
    case 'T': return "T (stopped)";
    case 't': return "t (tracing stop)";
    case 'X': return "X (dead)";
    case 'Z': return "Z (zombie)";
    case 'P': return "P (parked)";
    case 'I': return "I (idle)";
    default: return std::string(1, state) + " (unknown)";
  }
}

std::string pid_status(const ProcessView& p, const TaskView& t, int cpus) {
  const std::vector<StatusLine>& lines = t.host_status.empty() ? default_status() : t.host_status;
  std::string out;
  for (const auto& [key, host_value] : lines) {
    std::optional<std::string> value = model_status_value(key, host_value, p, t, cpus);
    out += key;
    out += ":\t";
    out += value ? *value : host_value;
    out += '\n';
  }
  return out;
}

std::string pid_stat(const ProcessView& p, const TaskView& t, bool whole) {
  std::vector<std::string> f = whole ? p.host_stat : t.host_stat;
  if (f.size() < kStatFields) {
    const std::size_t had = f.size();
    f.resize(kStatFields, "0");
    if (had <= kStatPgrp) f[kStatPgrp] = std::to_string(p.tgid);
    if (had <= kStatSession) f[kStatSession] = std::to_string(p.tgid);
    if (had <= kStatTpgid) f[kStatTpgid] = "-1";
    if (had <= kStatExitSignal) f[kStatExitSignal] = "17";  // SIGCHLD
  }
  f[kStatState] = std::string(1, t.state);
  f[kStatPpid] = std::to_string(p.ppid);
  // task_prio(): prio - MAX_RT_PRIO, i.e. -1 - rt_priority under FIFO/RR and
  // 20 + nice otherwise; task_nice() is the nice value under every policy.
  const bool rt = t.policy == 1 || t.policy == 2;
  f[kStatPriority] = std::to_string(rt ? -1 - static_cast<int>(t.rt_priority) : 20 + t.nice);
  f[kStatNice] = std::to_string(t.nice);
  f[kStatThreads] = std::to_string(p.live_threads ? p.live_threads : p.tasks.size());
  f[kStatRsslim] = std::to_string(p.limits.get(RLIMIT_RSS).cur);
  f[kStatProcessor] = std::to_string(t.cpu);
  f[kStatRtPriority] = std::to_string(t.rt_priority);
  f[kStatPolicy] = std::to_string(t.policy);
  std::string out = std::to_string(t.tid) + " (" + t.comm + ")";
  for (const std::string& field : f) {
    out += ' ';
    out += field;
  }
  out += '\n';
  return out;
}



namespace {

}  // namespace

}  // namespace sentry::proc_synth
