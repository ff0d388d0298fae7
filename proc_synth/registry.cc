#include "proc_synth/registry.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <string>
#include <string_view>
#include <vector>

#include "proc_synth/generators.h"

namespace sentry::proc_synth {

namespace {

using Comps = std::vector<std::string_view>;

Comps split(std::string_view path) {
  Comps out;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    std::size_t j = i;
    while (j < path.size() && path[j] != '/') ++j;
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

// A /proc directory name for a pid, as fs/proc's name_to_int() accepts it:
// decimal digits, no leading zero, at most INT_MAX.
std::optional<pid_t> parse_number(std::string_view s) {
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return std::nullopt;
  long long v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
    if (v > INT_MAX) return std::nullopt;
  }
  return static_cast<pid_t>(v);
}

template <std::size_t N>
bool among(std::string_view s, const std::string_view (&list)[N]) {
  return std::find(std::begin(list), std::end(list), s) != std::end(list);
}

// ---- The tables. ----

constexpr std::string_view kProcFiles[] = {"cpuinfo", "meminfo", "stat",       "uptime",
                                           "loadavg", "version", "filesystems"};

// /proc entries the host answers: information that does not contradict the
// model, or that sentry does not model yet. Anything else that is not served
// (kcore, kmsg, sysrq-trigger, kallsyms, kpage*, timer_list, dynamic_debug,
// names a newer kernel adds) is ENOENT.
constexpr std::string_view kProcPassThrough[] = {
    "acpi",       "asound",   "bootconfig",  "buddyinfo", "bus",          "cgroups",
    "cmdline",    "config.gz", "consoles",   "crypto",    "devices",      "diskstats",
    "dma",        "driver",   "execdomains", "fb",        "fs",           "interrupts",
    "iomem",      "ioports",  "irq",         "key-users", "keys",         "latency_stats",
    "locks",      "mdstat",   "misc",        "modules",   "mounts",       "mtrr",
    "net",        "pagetypeinfo", "partitions", "pressure", "schedstat",  "scsi",
    "slabinfo",   "softirqs", "swaps",       "sys",       "sysvipc",      "tty",
    "vmallocinfo", "vmstat",  "zoneinfo",
};

// The per-process files that carry model state (credentials, capabilities,
// virtual CPUs, scheduling, seccomp). limits, statm, cmdline, comm, cgroup
// and net/ are the kernel's: they hold nothing the model changes (sentry
// applies limits to the host too; the guest's own network namespace has the
// loopback-only IPv6 world netstack models).
constexpr std::string_view kPidFiles[] = {"status", "stat"};

// Every other entry of Linux 6.x's /proc/<pid> and /proc/<pid>/task/<tid>
// (fs/proc/base.c tgid_base_stuff, tid_base_stuff): the host's. "task" is
// handled separately.
constexpr std::string_view kPidPassThrough[] = {
    "arch_status",   "attr",          "autogroup",      "auxv",       "children",
    "cgroup",        "cmdline",       "comm",           "statm",      "limits",
    "clear_refs",    "coredump_filter", "cpu_resctrl_groups", "cpuset", "cwd",
    "environ",       "exe",           "fd",             "fdinfo",     "gid_map",
    "io",            "ksm_merging_pages", "ksm_stat",   "latency",    "loginuid",
    "map_files",     "maps",          "mem",           "mountinfo",  "mounts",
    "mountstats",    "net",           "ns",             "numa_maps",  "oom_adj",
    "oom_score",     "oom_score_adj", "pagemap",        "patch_state", "personality",
    "projid_map",    "root",          "sched",          "schedstat",  "sessionid",
    "setgroups",     "smaps",         "smaps_rollup",   "stack",      "syscall",
    "timens_offsets", "timers",       "timerslack_ns",  "uid_map",    "wchan",
};

constexpr std::string_view kCpuAllLists[] = {"online", "possible", "present", "enabled"};
constexpr std::string_view kCpuNoneLists[] = {"offline", "isolated"};
constexpr std::string_view kCpuPassThrough[] = {"vulnerabilities", "modalias", "uevent"};
constexpr std::string_view kNodeLists[] = {"online", "possible", "has_cpu", "has_memory",
                                           "has_normal_memory"};
constexpr std::string_view kNode0Files[] = {"cpulist", "cpumap", "distance"};

// /dev: the devices a program may use without owning the machine.
constexpr std::string_view kDevPassThrough[] = {
    "null", "zero", "full",      "random", "urandom", "tty",    "ptmx",   "pts", "shm",
    "mqueue", "hugepages", "fd", "stdin",  "stdout",  "stderr", "log",
};

enum class FileId {
  kCpuinfo, kMeminfo, kStat, kUptime, kLoadavg, kVersion, kFilesystems,
  kOvercommit, kPidMax, kBindv6only, kSomaxconn, kOstype, kOsrelease, kKernelVersion,
  kPidStatus, kPidStat,
  kCpuAllList, kCpuNoneList, kCpuKernelMax, kSmtActive, kSmtControl, kCpuOnline, kCpuTopology,
  kNodeList, kNode0Cpulist, kNode0Cpumap, kNode0Distance,
};

enum class DirId {
  kProc, kSys, kSysDevices, kSysDevicesSystem, kSysFs, kSysKernel, kSysKernelMm,
  kCpu, kSmt, kCpuN, kCpuTopology, kNode, kNode0, kDev,
};

struct Node {
  Lookup kind = Lookup::kNotFound;
  FileId file = FileId::kCpuinfo;
  DirId dir = DirId::kProc;
  int cpu = -1;
  pid_t pid = 0;  // the /proc/<pid> number
  pid_t tid = 0;  // the task/<tid> number, 0 outside task/
  std::string_view name;  // topology file name
};

Node file(FileId id) {
  Node n;
  n.kind = Lookup::kFile;
  n.file = id;
  return n;
}
Node dir(DirId id) {
  Node n;
  n.kind = Lookup::kDir;
  n.dir = id;
  return n;
}
Node pass() {
  Node n;
  n.kind = Lookup::kPassThrough;
  return n;
}
Node missing() { return Node{}; }

struct Sysctl {
  std::string_view path[3];
  FileId id;
};
constexpr Sysctl kSysctls[] = {
    {{"vm", "overcommit_memory", ""}, FileId::kOvercommit},
    {{"kernel", "pid_max", ""}, FileId::kPidMax},
    {{"kernel", "ostype", ""}, FileId::kOstype},
    {{"kernel", "osrelease", ""}, FileId::kOsrelease},
    {{"kernel", "version", ""}, FileId::kKernelVersion},
    {{"net", "ipv6", "bindv6only"}, FileId::kBindv6only},
    {{"net", "core", "somaxconn"}, FileId::kSomaxconn},
};

// c[i..] below /proc/<pid> (or /proc/<pid>/task/<tid> when tid != 0).
Node classify_pid(const Comps& c, std::size_t i, pid_t pid, pid_t tid, pid_t tgid,
                  const ModelSource& src) {
  if (c.size() == i) return pass();  // the directory: the host's listing is the guest's
  const std::string_view x = c[i];
  if (among(x, kPidFiles)) {
    if (c.size() != i + 1) return missing();
    Node n = file(FileId::kPidStatus);
    static constexpr FileId kIds[] = {FileId::kPidStatus, FileId::kPidStat};
    n.file = kIds[std::find(std::begin(kPidFiles), std::end(kPidFiles), x) - std::begin(kPidFiles)];
    n.pid = pid;
    n.tid = tid;
    return n;
  }
  if (x == "task" && tid == 0) {
    if (c.size() == i + 1) return pass();
    const std::optional<pid_t> t = parse_number(c[i + 1]);
    if (!t) return missing();
    const std::optional<pid_t> g = src.tgid_of(*t);
    if (!g || *g != tgid) return missing();
    return classify_pid(c, i + 2, pid, *t, tgid, src);
  }
  if (among(x, kPidPassThrough)) return pass();
  return missing();
}

Node classify_proc(const Comps& c, const ModelSource& src) {
  if (c.size() == 1) return dir(DirId::kProc);
  const std::string_view name = c[1];
  if (const std::optional<pid_t> pid = parse_number(name)) {
    const std::optional<pid_t> tgid = src.tgid_of(*pid);
    // Not a task of the model: the sandbox's init (pid 1), or no process at
    // all. The guest's own procfs answers either way.
    if (!tgid) return pass();
    return classify_pid(c, 2, *pid, 0, *tgid, src);
  }
  if (among(name, kProcFiles)) {
    if (c.size() != 2) return missing();
    static constexpr FileId kIds[] = {FileId::kCpuinfo, FileId::kMeminfo, FileId::kStat,
                                      FileId::kUptime,  FileId::kLoadavg, FileId::kVersion,
                                      FileId::kFilesystems};
    return file(kIds[std::find(std::begin(kProcFiles), std::end(kProcFiles), name) -
                     std::begin(kProcFiles)]);
  }
  if (name == "sys") {
    for (const Sysctl& s : kSysctls) {
      const std::size_t len = s.path[2].empty() ? 2 : 3;
      if (c.size() != 2 + len) continue;
      bool match = true;
      for (std::size_t k = 0; k < len; ++k) match = match && c[2 + k] == s.path[k];
      if (match) return file(s.id);
    }
    return pass();
  }
  if (name == "self" || name == "thread-self") return pass();  // a link the host answers right
  if (among(name, kProcPassThrough)) return pass();
  return missing();
}

Node classify_cpu(const Comps& c, std::size_t i, const ModelSource& src) {
  if (c.size() == i) return dir(DirId::kCpu);
  const std::string_view x = c[i];
  const bool leaf = c.size() == i + 1;
  if (among(x, kCpuAllLists)) return leaf ? file(FileId::kCpuAllList) : missing();
  if (among(x, kCpuNoneLists)) return leaf ? file(FileId::kCpuNoneList) : missing();
  if (x == "kernel_max") return leaf ? file(FileId::kCpuKernelMax) : missing();
  if (x == "smt") {
    if (leaf) return dir(DirId::kSmt);
    if (c.size() != i + 2) return missing();
    if (c[i + 1] == "active") return file(FileId::kSmtActive);
    if (c[i + 1] == "control") return file(FileId::kSmtControl);
    return missing();
  }
  if (among(x, kCpuPassThrough)) return pass();
  if (x.starts_with("cpu")) {
    const std::optional<pid_t> k = parse_number(x.substr(3));
    if (!k || *k >= src.cpus()) return missing();
    Node n;
    if (leaf) {
      n = dir(DirId::kCpuN);
    } else if (c[i + 1] == "online" && *k > 0 && c.size() == i + 2) {
      n = file(FileId::kCpuOnline);
    } else if (c[i + 1] == "topology" && c.size() == i + 2) {
      n = dir(DirId::kCpuTopology);
    } else if (c[i + 1] == "topology" && c.size() == i + 3) {
      const auto& names = sys_cpu_topology_names();
      if (std::find(names.begin(), names.end(), c[i + 2]) == names.end()) return missing();
      n = file(FileId::kCpuTopology);
      n.name = c[i + 2];
    } else {
      return missing();
    }
    n.cpu = *k;
    return n;
  }
  return missing();
}

Node classify_node(const Comps& c, std::size_t i) {
  if (c.size() == i) return dir(DirId::kNode);
  const bool leaf = c.size() == i + 1;
  if (among(c[i], kNodeLists)) return leaf ? file(FileId::kNodeList) : missing();
  if (c[i] != "node0") return missing();
  if (leaf) return dir(DirId::kNode0);
  if (c.size() != i + 2) return missing();
  if (c[i + 1] == "cpulist") return file(FileId::kNode0Cpulist);
  if (c[i + 1] == "cpumap") return file(FileId::kNode0Cpumap);
  if (c[i + 1] == "distance") return file(FileId::kNode0Distance);
  return missing();
}

Node classify_sys(const Comps& c, const ModelSource& src) {
  if (c.size() == 1) return dir(DirId::kSys);
  if (c[1] == "devices") {
    if (c.size() == 2) return dir(DirId::kSysDevices);
    if (c[2] != "system") return missing();
    if (c.size() == 3) return dir(DirId::kSysDevicesSystem);
    if (c[3] == "cpu") return classify_cpu(c, 4, src);
    if (c[3] == "node") return classify_node(c, 4);
    return missing();
  }
  if (c[1] == "fs") {
    if (c.size() == 2) return dir(DirId::kSysFs);
    return c[2] == "cgroup" ? pass() : missing();
  }
  if (c[1] == "kernel") {
    if (c.size() == 2) return dir(DirId::kSysKernel);
    if (c[2] != "mm") return missing();
    if (c.size() == 3) return dir(DirId::kSysKernelMm);
    return c[3] == "transparent_hugepage" ? pass() : missing();
  }
  return missing();
}

Node classify(std::string_view path, const ModelSource& src) {
  const Comps c = split(path);
  if (path.empty() || path[0] != '/' || c.empty()) return pass();
  if (c[0] == "proc") return classify_proc(c, src);
  if (c[0] == "sys") return classify_sys(c, src);
  if (c[0] == "dev") {
    if (c.size() == 1) return dir(DirId::kDev);
    return among(c[1], kDevPassThrough) ? pass() : missing();
  }
  return pass();
}

std::string join(std::string_view base, std::string_view name) {
  std::string out(base);
  if (out.empty() || out.back() != '/') out += '/';
  out += name;
  return out;
}

std::vector<DirEntry> synthetic_entries(const Node& n, const ModelSource& src) {
  const auto files = [](auto& list) {
    std::vector<DirEntry> out;
    for (std::string_view s : list) out.push_back({std::string(s), EntryType::kFile});
    return out;
  };
  const auto dirs = [](std::initializer_list<const char*> list) {
    std::vector<DirEntry> out;
    for (const char* s : list) out.push_back({s, EntryType::kDir});
    return out;
  };
  switch (n.dir) {
    case DirId::kProc: {
      std::vector<DirEntry> out = files(kProcFiles);
      out.push_back({"self", EntryType::kLink});
      out.push_back({"thread-self", EntryType::kLink});
      return out;
    }
    case DirId::kSys: return dirs({"devices", "fs", "kernel"});
    case DirId::kSysDevices: return dirs({"system"});
    case DirId::kSysDevicesSystem: return dirs({"cpu", "node"});
    case DirId::kSysKernel: return dirs({"mm"});
    case DirId::kSysFs:
    case DirId::kSysKernelMm:
    case DirId::kDev: return {};
    case DirId::kCpu: {
      std::vector<DirEntry> out;
      for (int k = 0; k < src.cpus(); ++k) out.push_back({"cpu" + std::to_string(k), EntryType::kDir});
      for (auto& e : files(kCpuAllLists)) out.push_back(e);
      for (auto& e : files(kCpuNoneLists)) out.push_back(e);
      out.push_back({"kernel_max", EntryType::kFile});
      out.push_back({"smt", EntryType::kDir});
      return out;
    }
    case DirId::kSmt: return {{"active", EntryType::kFile}, {"control", EntryType::kFile}};
    case DirId::kCpuN: {
      std::vector<DirEntry> out;
      if (n.cpu > 0) out.push_back({"online", EntryType::kFile});
      out.push_back({"topology", EntryType::kDir});
      return out;
    }
    case DirId::kCpuTopology: return files(sys_cpu_topology_names());
    case DirId::kNode: {
      std::vector<DirEntry> out = files(kNodeLists);
      out.push_back({"node0", EntryType::kDir});
      return out;
    }
    case DirId::kNode0: return files(kNode0Files);
  }
  return {};
}

// /proc/{cpuinfo,meminfo,...}: seq files with proc_ops and no proc_write.
Generated proc_file(std::string content) {
  Generated g;
  g.content = std::move(content);
  g.write_errno = EIO;
  g.seek_end_einval = true;
  return g;
}

// /proc/<pid>/...: files without a write method.
Generated pid_file(std::string content) {
  Generated g;
  g.content = std::move(content);
  g.write_errno = EINVAL;
  g.seek_end_einval = true;
  return g;
}

// /proc/sys/...: writable (0644) sysctls are read-only for the guest.
Generated sysctl_file(std::string content, bool writable_on_linux, bool integer) {
  Generated g;
  g.content = std::move(content);
  g.mode = writable_on_linux ? 0644 : 0444;
  g.open_write_errno = writable_on_linux ? EROFS : EACCES;
  g.offset_reads_eof = integer;
  return g;
}

Generated sys_file(std::string content, mode_t mode = 0444) {
  Generated g;
  g.content = std::move(content);
  g.mode = mode;
  g.linux_st_size = 4096;
  g.open_write_errno = (mode & 0200) ? EROFS : EACCES;
  return g;
}

std::optional<Generated> generate_pid_file(const Node& n, const ModelSource& src) {
  const std::optional<pid_t> tgid = src.tgid_of(n.tid != 0 ? n.tid : n.pid);
  if (!tgid) return std::nullopt;
  // /proc/<pid>/...: the task <pid> names (a non-leader tid shows its own
  // thread); /proc/<pid>/task/<tid>/...: the thread <tid>.
  const pid_t named = n.tid != 0 ? n.tid : n.pid;
  const std::optional<ProcessView> p = src.process(*tgid, named);
  if (!p || p->tasks.empty()) return std::nullopt;
  const TaskView* t = p->task(named);
  if (t == nullptr) {
    if (named != p->tgid) return std::nullopt;
    t = &p->leader();
  }
  switch (n.file) {
    case FileId::kPidStatus: return pid_file(pid_status(*p, *t, src.cpus()));
    case FileId::kPidStat: return pid_file(pid_stat(*p, *t, n.tid == 0));
    default: return std::nullopt;
  }
}

}  // namespace

Lookup lookup(std::string_view path, const ModelSource& source) {
  return classify(path, source).kind;
}

std::optional<Generated> generate(std::string_view path, const ModelSource& source) {
  const Node n = classify(path, source);
  if (n.kind != Lookup::kFile) return std::nullopt;
  switch (n.file) {
    case FileId::kPidStatus:
    case FileId::kPidStat: return generate_pid_file(n, source);
    // Files of fixed content need no MachineView.
    case FileId::kOvercommit: return sysctl_file(sysctl_overcommit_memory(), true, true);
    case FileId::kBindv6only: return sysctl_file(sysctl_bindv6only(), true, true);
    case FileId::kSomaxconn: return sysctl_file(sysctl_somaxconn(), true, true);
    case FileId::kCpuNoneList: return sys_file(sys_cpu_none_list());
    case FileId::kCpuKernelMax: return sys_file(sys_cpu_kernel_max());
    case FileId::kSmtActive: return sys_file(sys_cpu_smt_active());
    case FileId::kSmtControl: return sys_file(sys_cpu_smt_control(), 0644);
    case FileId::kCpuOnline: return sys_file(sys_cpu_online_flag(), 0644);
    case FileId::kNodeList: return sys_file(sys_node_list());
    case FileId::kNode0Distance: return sys_file("10\n");
    default: break;
  }
  MachineView m = source.machine();
  m.cpus = source.cpus();
  switch (n.file) {
    case FileId::kCpuinfo: return proc_file(cpuinfo(m));
    case FileId::kMeminfo: return proc_file(meminfo(m));
    case FileId::kStat: return proc_file(proc_stat(m));
    case FileId::kUptime: return proc_file(uptime(m));
    case FileId::kLoadavg: return proc_file(loadavg(m));
    case FileId::kVersion: return proc_file(version(m));
    case FileId::kFilesystems: return proc_file(filesystems(m));
    case FileId::kPidMax: return sysctl_file(sysctl_pid_max(m), true, true);
    case FileId::kOstype: return sysctl_file(sysctl_ostype(m), false, false);
    case FileId::kOsrelease: return sysctl_file(sysctl_osrelease(m), false, false);
    case FileId::kKernelVersion: return sysctl_file(sysctl_kernel_version(m), false, false);
    case FileId::kCpuAllList: return sys_file(sys_cpu_all_list(m));
    case FileId::kCpuTopology: {
      std::optional<std::string> s = sys_cpu_topology(m, n.cpu, n.name);
      if (!s) return std::nullopt;
      return sys_file(std::move(*s));
    }
    case FileId::kNode0Cpulist: return sys_file(sys_node0_cpulist(m));
    case FileId::kNode0Cpumap: return sys_file(sys_node0_cpumap(m));
    default: return std::nullopt;
  }
}

std::optional<mode_t> file_mode(std::string_view path, const ModelSource& source) {
  const Node n = classify(path, source);
  if (n.kind != Lookup::kFile) return std::nullopt;
  switch (n.file) {
    case FileId::kOvercommit:
    case FileId::kPidMax:
    case FileId::kBindv6only:
    case FileId::kSomaxconn:
    case FileId::kSmtControl:
    case FileId::kCpuOnline: return 0644;
    default: return 0444;
  }
}

ProcOverlay machine_overlay(const ModelSource& source) {
  ProcOverlay o;
  for (std::string_view f : kProcFiles) o.files.push_back(join("/proc", f));
  for (const Sysctl& s : kSysctls) {
    std::string p = "/proc/sys";
    for (std::string_view c : s.path)
      if (!c.empty()) p = join(p, c);
    o.files.push_back(p);
  }
  for (const DirEntry& e : source.host_entries("/proc")) {
    const std::string p = join("/proc", e.name);
    if (e.name == "." || e.name == ".." || parse_number(e.name)) continue;
    if (classify(p, source).kind == Lookup::kNotFound) o.absent.push_back(p);
  }
  return o;
}

std::vector<std::string> task_overlay(pid_t tgid, pid_t tid) {
  std::vector<std::string> out;
  const std::string task = "/proc/" + std::to_string(tgid) + "/task/" + std::to_string(tid);
  const std::string own = "/proc/" + std::to_string(tid);
  for (std::string_view f : kPidFiles) {
    out.push_back(join(task, f));
    if (tid == tgid) out.push_back(join(own, f));
  }
  return out;
}

std::optional<std::vector<DirEntry>> list_dir(std::string_view path, const ModelSource& source) {
  const Node n = classify(path, source);
  if (n.kind != Lookup::kDir) return std::nullopt;
  std::vector<DirEntry> out = synthetic_entries(n, source);
  const auto has = [&out](const std::string& name) {
    return std::any_of(out.begin(), out.end(), [&](const DirEntry& e) { return e.name == name; });
  };
  // Host entries that pass through (the directory as given, e.g. "/proc").
  std::string dir_path;
  for (std::string_view c : split(path)) dir_path += "/" + std::string(c);
  for (const DirEntry& e : source.host_entries(dir_path)) {
    if (e.name == "." || e.name == ".." || has(e.name)) continue;
    if (n.dir == DirId::kProc && parse_number(e.name)) continue;  // pids come from the model
    if (classify(join(dir_path, e.name), source).kind == Lookup::kPassThrough) out.push_back(e);
  }
  if (n.dir == DirId::kProc) {
    for (pid_t tgid : source.tgids()) out.push_back({std::to_string(tgid), EntryType::kDir});
  }
  return out;
}

}  // namespace sentry::proc_synth
