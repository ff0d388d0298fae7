#include "proc_synth/kernel_view.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <cerrno>

#include "proc_synth/format.h"
#include "proc_synth/host_parse.h"
#include "sentry/kernel/kernel.h"
#include "vfs/mount_table.h"

namespace sentry::proc_synth {

namespace {

std::string proc_path(pid_t pid, const char* leaf) {
  return "/proc/" + std::to_string(pid) + "/" + leaf;
}

std::string task_path(pid_t tgid, pid_t tid, const char* leaf) {
  return "/proc/" + std::to_string(tgid) + "/task/" + std::to_string(tid) + "/" + leaf;
}

}  // namespace

std::string read_host_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string out;
  char buf[8192];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

MachineView machine_view_from_host(const kernel::MachineConfig& config,
                                   const kernel::HostCpuMap& cpu_map, unsigned guest_tasks) {
  MachineView m;
  m.cpus = kernel::VirtualCpuSet(config.cpus).count();
  const unsigned tasks = std::max(1u, guest_tasks);

  // Memory.
  m.host_meminfo = split_lines(read_host_file("/proc/meminfo"));
  const std::uint64_t host_total = meminfo_kb(m.host_meminfo, "MemTotal").value_or(0) * 1024;
  m.mem_total_bytes = config.memory_bytes != 0 ? config.memory_bytes : host_total;
  m.mem_free_bytes =
      std::min(meminfo_kb(m.host_meminfo, "MemFree").value_or(0) * 1024, m.mem_total_bytes);
  m.mem_available_bytes =
      std::min(meminfo_kb(m.host_meminfo, "MemAvailable").value_or(0) * 1024, m.mem_total_bytes);

  m.host_cpuinfo = first_cpuinfo_block(read_host_file("/proc/cpuinfo"));

  // CPU times: virtual CPU v shows the host CPU it is placed on (the host's
  // cpuN lines in order when the placement is unknown).
  const HostStat st = parse_proc_stat(read_host_file("/proc/stat"));
  m.cpu_times.resize(static_cast<std::size_t>(m.cpus));
  std::uint64_t idle_ticks = 0;
  for (int v = 0; v < m.cpus; ++v) {
    int host = cpu_map.known() ? cpu_map.host_cpu_of(v) : -1;
    if (!st.cpus.count(host) && !st.order.empty())
      host = st.order[static_cast<std::size_t>(v) % st.order.size()];
    if (auto it = st.cpus.find(host); it != st.cpus.end()) m.cpu_times[v] = it->second;
    idle_ticks += m.cpu_times[v].ticks[3];
  }
  m.intr = st.intr;
  m.ctxt = st.ctxt;
  m.btime = st.btime;
  m.processes = st.processes;
  m.procs_running = std::clamp(st.procs_running, 1u, tasks);
  m.procs_blocked = std::min(st.procs_blocked, tasks);
  m.softirq = st.softirq;

  // Kernel identity.
  struct utsname u {};
  if (::uname(&u) == 0) {
    m.sysname = u.sysname;
    m.kernel_release = config.uname_release.empty() ? u.release : config.uname_release;
    m.kernel_version = u.version;
    m.kernel_build = version_build(read_host_file("/proc/version"), u.release, u.version);
  } else {
    m.kernel_release = config.uname_release;
  }

  // Time and load. The idle time is the virtual CPUs' (as /proc/stat shows).
  std::uint64_t host_idle = 0;
  parse_uptime(read_host_file("/proc/uptime"), &m.uptime_ns, &host_idle);
  m.idle_ns = idle_ticks * (1'000'000'000 / kUserHz);
  if (std::optional<HostLoadavg> l = parse_loadavg(read_host_file("/proc/loadavg"))) {
    m.loadavg_centi = l->centi;
    m.nr_running = std::clamp(l->running, 1u, tasks);
    m.last_pid = l->last_pid;
  }
  m.nr_threads = tasks;

  m.filesystems = parse_filesystems(read_host_file("/proc/filesystems"));
  const std::vector<std::string> pid_max = split_words(read_host_file("/proc/sys/kernel/pid_max"));
  if (!pid_max.empty()) m.pid_max = std::strtoull(pid_max[0].c_str(), nullptr, 10);
  return m;
}

std::optional<ProcessView> process_view_from(const kernel::ProcessTree& tree,
                                             const kernel::MachineConfig& config,
                                             const kernel::HostCpuMap& cpu_map, pid_t tgid,
                                             pid_t detail_tid, const kernel::BlockedCalls* parked) {
  const kernel::ThreadGroup* g = tree.group(tgid);
  if (g == nullptr || g->exited || g->tids.empty()) return std::nullopt;
  const kernel::VirtualCpuSet cpus(config.cpus);
  ProcessView p;
  p.tgid = tgid;
  p.ppid = g->parent_tgid;
  p.exe_guest_path = g->image;
  p.limits = g->limits;
  if (std::optional<HostStatLine> s = parse_stat(read_host_file(proc_path(tgid, "stat")))) {
    p.host_stat = std::move(s->fields);
    // The host's parent: what getppid() answers (orphans are reparented to
    // sentry, the subreaper, which the model does not track).
    if (p.host_stat.size() > 1)
      p.ppid = static_cast<pid_t>(std::strtol(p.host_stat[1].c_str(), nullptr, 10));
  }
  for (pid_t tid : g->tids) {
    const kernel::Task* t = tree.task(tid);
    if (t == nullptr) continue;
    TaskView v;
    v.tid = tid;
    v.creds = t->creds;
    v.affinity = t->sched.affinity_on(cpus);
    v.policy = t->sched.policy;
    v.rt_priority = t->sched.rt_priority;
    v.nice = t->sched.nice;
    v.comm = t->comm;
    v.cpu = std::max(0, v.affinity.first());
    if (detail_tid != 0 && detail_tid != tid) {  // model data only (see the header)
      p.tasks.push_back(std::move(v));
      continue;
    }
    v.host_status = parse_status(read_host_file(task_path(tgid, tid, "status")));
    if (std::optional<HostStatLine> s = parse_stat(read_host_file(task_path(tgid, tid, "stat")))) {
      v.comm = s->comm;  // the host's name is authoritative (see the header)
      v.state = s->fields[0].empty() ? 'R' : s->fields[0][0];
      // A thread in a ptrace stop is sentry's: it is asleep (S) if sentry
      // holds an emulated call of it, else it is on its way (R). Reporting S
      // before a futex wait is queued would let a waker miss it.
      if (v.state == 't') v.state = (parked == nullptr || parked->is_blocked(v.tid)) ? 'S' : 'R';
      v.host_stat = std::move(s->fields);
      constexpr std::size_t kProcessor = 36;  // field 39
      int host_cpu = -1;
      if (v.host_stat.size() > kProcessor)
        host_cpu = static_cast<int>(std::strtol(v.host_stat[kProcessor].c_str(), nullptr, 10));
      v.cpu = cpu_map.virtual_cpu_on(host_cpu, v.affinity);
    }
    if (v.cpu < 0) v.cpu = 0;
    if (v.creds.seccomp_mode == 2) {
      const int host = std::atoi(status_value(v.host_status, "Seccomp_filters").value_or("0").c_str());
      v.seccomp_filters = std::max(1, host - kSentrySeccompFilters);
    }
    p.tasks.push_back(std::move(v));
  }
  if (p.tasks.empty()) return std::nullopt;
  for (const TaskView& t : p.tasks) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/task/%d/stat", tgid, t.tid);
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    std::size_t close_paren = line.rfind(')');
    if (close_paren != std::string::npos && close_paren + 2 < line.size() && line[close_paren + 2] != 'Z') ++p.live_threads;
  }
  return p;
}

std::optional<ProcessView> process_view_from(const kernel::Kernel& k, pid_t tgid,
                                             pid_t detail_tid) {
  return process_view_from(k.tree, k.config, kernel::HostCpuMap::current(), tgid, detail_tid, &k.blocked);
}

KernelModelSource::KernelModelSource(const kernel::Kernel& k)
    : KernelModelSource(k.tree, k.config, kernel::HostCpuMap::current()) {
  parked_ = &k.blocked;
}

KernelModelSource::KernelModelSource(const kernel::ProcessTree& tree,
                                     const kernel::MachineConfig& config,
                                     const kernel::HostCpuMap& cpu_map)
    : tree_(tree), config_(config), cpu_map_(cpu_map) {}

int KernelModelSource::cpus() const { return kernel::VirtualCpuSet(config_.cpus).count(); }

MachineView KernelModelSource::machine() const {
  return machine_view_from_host(config_, cpu_map_, static_cast<unsigned>(tree_.task_count()));
}

std::optional<pid_t> KernelModelSource::tgid_of(pid_t tid) const {
  const kernel::Task* t = tree_.task(tree_.host_tid(tid));
  if (t == nullptr) return std::nullopt;
  return tree_.guest_tid(t->tgid);
}

std::vector<pid_t> KernelModelSource::tgids() const {
  std::vector<pid_t> out;
  tree_.for_each_group([&](const kernel::ThreadGroup& g) {
    if (g.exited || g.tids.empty()) return;
    if (pid_t guest = tree_.guest_tid(g.tgid)) out.push_back(guest);
  });
  std::sort(out.begin(), out.end());
  return out;
}

namespace {

// A host status line that lists one id per PID namespace level, from
// sentry's ("NSpid:\t7382\t2", or "7382\t2\t1" in a namespace the guest made
// itself), as the guest reads it: from the sandbox's level on.
std::string from_sandbox_level(const std::string& value) {
  const std::size_t sep = value.find_first_of("\t ");
  if (sep == std::string::npos) return value;
  const std::size_t next = value.find_first_not_of("\t ", sep);
  return next == std::string::npos ? value : value.substr(next);
}

// Its id at the sandbox's level.
std::string sandbox_level(const std::string& value) {
  const std::string rest = from_sandbox_level(value);
  return rest.substr(0, rest.find_first_of("\t "));
}

}  // namespace

std::optional<ProcessView> KernelModelSource::process(pid_t tgid, pid_t detail_tid) const {
  const pid_t host_tgid = tree_.host_tid(tgid);
  if (host_tgid == 0) return std::nullopt;
  // A detail task that is not the model's: every task lean (-1 matches none).
  const pid_t host_detail = detail_tid == 0 ? 0 : (tree_.host_tid(detail_tid) ?: -1);
  std::optional<ProcessView> p = process_view_from(tree_, config_, cpu_map_, host_tgid, host_detail, parked_);
  if (!p) return p;
  // Everything the guest reads is in its PID namespace's ids (its parent,
  // the sandbox's init, is 1).
  p->tgid = tgid;
  p->ppid = tree_.guest_tid(p->ppid);
  auto translate_stat = [](std::vector<std::string>& fields, const std::vector<StatusLine>& status) {
    // stat's pgrp (field 5) and session (field 6), from the status lines'
    // namespace ids when the task's own status was read.
    for (const auto& [key, value] : status) {
      if (key == "NSpgid" && fields.size() > 2) fields[2] = sandbox_level(value);
      if (key == "NSsid" && fields.size() > 3) fields[3] = sandbox_level(value);
    }
  };
  for (TaskView& t : p->tasks) {
    t.tid = tree_.guest_tid(t.tid);
    translate_stat(t.host_stat, t.host_status);
    if (!t.host_status.empty()) translate_stat(p->host_stat, t.host_status);
    for (auto& [key, value] : t.host_status) {
      if (key == "NStgid" || key == "NSpid" || key == "NSpgid" || key == "NSsid") value = from_sandbox_level(value);
      if (key == "Ngid") value = "0";
    }
  }
  std::sort(p->tasks.begin(), p->tasks.end(), [](const TaskView& a, const TaskView& b) { return a.tid < b.tid; });
  return p;
}

std::vector<DirEntry> KernelModelSource::host_entries(const std::string& dir) const {
  std::vector<DirEntry> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (const dirent* e = ::readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    EntryType type = EntryType::kFile;
    if (e->d_type == DT_DIR) type = EntryType::kDir;
    if (e->d_type == DT_LNK) type = EntryType::kLink;
    out.push_back({name, type});
  }
  ::closedir(d);
  return out;
}

}  // namespace sentry::proc_synth

