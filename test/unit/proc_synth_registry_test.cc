// proc_synth registry: which guest paths are served, passed through or ENOENT,
// /proc/self resolution, synthetic directory listings, and the content served
// for a path, over a fixed model (no host).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cerrno>
#include <map>
#include <string>
#include <vector>

#include "proc_synth/generators.h"
#include "proc_synth/registry.h"

using namespace sentry::proc_synth;
using sentry::kernel::CpuMask;

namespace {

// Guest: process 100 (threads 100, 101) and process 200 (thread 200), on a
// machine with `cpus` CPUs. The host directories hold what a 2-CPU host has.
class FakeSource : public ModelSource {
 public:
  explicit FakeSource(int cpus) : cpus_(cpus) {
    host_["/proc"] = {{"1", EntryType::kDir},        {"100", EntryType::kDir},
                      {"555", EntryType::kDir},      {"cpuinfo", EntryType::kFile},
                      {"kcore", EntryType::kFile},   {"mounts", EntryType::kLink},
                      {"net", EntryType::kLink},     {"self", EntryType::kLink},
                      {"sys", EntryType::kDir},      {"sysrq-trigger", EntryType::kFile},
                      {"interrupts", EntryType::kFile}};
    host_["/sys/devices/system/cpu"] = {
        {"cpu0", EntryType::kDir},          {"cpu1", EntryType::kDir},
        {"cpufreq", EntryType::kDir},       {"cpuidle", EntryType::kDir},
        {"online", EntryType::kFile},       {"vulnerabilities", EntryType::kDir},
        {"uevent", EntryType::kFile},       {"hotplug", EntryType::kDir}};
    host_["/dev"] = {{"null", EntryType::kFile}, {"vda", EntryType::kFile},
                     {"fd", EntryType::kLink},   {"kvm", EntryType::kFile},
                     {"pts", EntryType::kDir},   {"urandom", EntryType::kFile}};
    host_["/sys/fs"] = {{"cgroup", EntryType::kDir}, {"bpf", EntryType::kDir}};
  }
  int cpus() const override { return cpus_; }
  MachineView machine() const override {
    MachineView m;
    m.cpus = 1;  // the registry must use cpus()
    m.kernel_release = "6.1.0";
    return m;
  }
  std::optional<pid_t> tgid_of(pid_t tid) const override {
    if (tid == 100 || tid == 101) return 100;
    if (tid == 200) return 200;
    return std::nullopt;
  }
  std::vector<pid_t> tgids() const override { return {100, 200}; }
  std::optional<ProcessView> process(pid_t tgid, pid_t detail_tid) const override {
    ProcessView p;
    p.tgid = tgid;
    p.ppid = 1;
    for (pid_t tid : tgid == 100 ? std::vector<pid_t>{100, 101} : std::vector<pid_t>{200}) {
      TaskView t;
      t.tid = tid;
      t.comm = "t" + std::to_string(tid);
      t.affinity = CpuMask::first_n(cpus_);
      p.tasks.push_back(t);
    }
    return p;
  }
  std::vector<DirEntry> host_entries(const std::string& dir) const override {
    auto it = host_.find(dir);
    return it == host_.end() ? std::vector<DirEntry>{} : it->second;
  }

 private:
  int cpus_;
  std::map<std::string, std::vector<DirEntry>> host_;
};

std::vector<std::string> names(const std::vector<DirEntry>& entries) {
  std::vector<std::string> out;
  for (const DirEntry& e : entries) out.push_back(e.name);
  return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

}  // namespace

TEST_CASE("proc_synth registry: lookup classifies every kind of path") {
  FakeSource src(4);
  const std::vector<std::pair<std::string, Lookup>> cases = {
      {"/proc", Lookup::kDir},
      {"/proc/cpuinfo", Lookup::kFile},
      {"/proc/meminfo", Lookup::kFile},
      {"/proc/stat", Lookup::kFile},
      {"/proc/uptime", Lookup::kFile},
      {"/proc/loadavg", Lookup::kFile},
      {"/proc/version", Lookup::kFile},
      {"/proc/filesystems", Lookup::kFile},
      {"/proc/cpuinfo/x", Lookup::kNotFound},
      {"/proc/100", Lookup::kPassThrough},
      {"/proc/101", Lookup::kPassThrough},
      {"/proc/555", Lookup::kPassThrough},  // no guest task: the guest's procfs answers (ENOENT)
      {"/proc/0100", Lookup::kNotFound},
      {"/proc/100/status", Lookup::kFile},
      {"/proc/101/status", Lookup::kFile},
      {"/proc/100/stat", Lookup::kFile},
      {"/proc/100/statm", Lookup::kPassThrough},
      {"/proc/100/cmdline", Lookup::kPassThrough},
      {"/proc/100/comm", Lookup::kPassThrough},
      {"/proc/100/limits", Lookup::kPassThrough},
      {"/proc/100/cgroup", Lookup::kPassThrough},
      {"/proc/555/status", Lookup::kPassThrough},  // not the model's: the guest's procfs answers
      {"/proc/100/maps", Lookup::kPassThrough},
      {"/proc/100/exe", Lookup::kPassThrough},
      {"/proc/100/fd", Lookup::kPassThrough},
      {"/proc/100/fd/3", Lookup::kPassThrough},
      {"/proc/100/ns/net", Lookup::kPassThrough},
      {"/proc/100/mountinfo", Lookup::kPassThrough},
      {"/proc/100/nonexistent", Lookup::kNotFound},
      {"/proc/100/task", Lookup::kPassThrough},
      {"/proc/100/task/101", Lookup::kPassThrough},
      {"/proc/100/task/200", Lookup::kNotFound},  // another process's thread
      {"/proc/100/task/555", Lookup::kNotFound},
      {"/proc/100/task/101/status", Lookup::kFile},
      {"/proc/100/task/101/comm", Lookup::kPassThrough},
      {"/proc/100/task/101/stat", Lookup::kFile},
      {"/proc/100/task/101/maps", Lookup::kPassThrough},
      {"/proc/100/task/101/task", Lookup::kNotFound},
      {"/proc/101/task/100/status", Lookup::kFile},
      {"/proc/self", Lookup::kPassThrough},
      {"/proc/thread-self", Lookup::kPassThrough},
      {"/proc/sys", Lookup::kPassThrough},
      {"/proc/sys/vm", Lookup::kPassThrough},
      {"/proc/sys/vm/overcommit_memory", Lookup::kFile},
      {"/proc/sys/vm/swappiness", Lookup::kPassThrough},
      {"/proc/sys/kernel/pid_max", Lookup::kFile},
      {"/proc/sys/kernel/osrelease", Lookup::kFile},
      {"/proc/sys/net/ipv6/bindv6only", Lookup::kFile},
      {"/proc/sys/net/core/somaxconn", Lookup::kFile},
      {"/proc/mounts", Lookup::kPassThrough},
      {"/proc/net/tcp", Lookup::kPassThrough},
      {"/proc/kcore", Lookup::kNotFound},
      {"/proc/sysrq-trigger", Lookup::kNotFound},
      {"/proc/kallsyms", Lookup::kNotFound},
      {"/proc/no-such-file", Lookup::kNotFound},
      {"/sys", Lookup::kDir},
      {"/sys/devices", Lookup::kDir},
      {"/sys/devices/system", Lookup::kDir},
      {"/sys/devices/system/cpu", Lookup::kDir},
      {"/sys/devices/system/cpu/online", Lookup::kFile},
      {"/sys/devices/system/cpu/possible", Lookup::kFile},
      {"/sys/devices/system/cpu/present", Lookup::kFile},
      {"/sys/devices/system/cpu/offline", Lookup::kFile},
      {"/sys/devices/system/cpu/kernel_max", Lookup::kFile},
      {"/sys/devices/system/cpu/smt", Lookup::kDir},
      {"/sys/devices/system/cpu/smt/active", Lookup::kFile},
      {"/sys/devices/system/cpu/cpu0", Lookup::kDir},
      {"/sys/devices/system/cpu/cpu3", Lookup::kDir},
      {"/sys/devices/system/cpu/cpu4", Lookup::kNotFound},
      {"/sys/devices/system/cpu/cpu01", Lookup::kNotFound},
      {"/sys/devices/system/cpu/cpu0/online", Lookup::kNotFound},  // as on x86
      {"/sys/devices/system/cpu/cpu3/online", Lookup::kFile},
      {"/sys/devices/system/cpu/cpu3/topology", Lookup::kDir},
      {"/sys/devices/system/cpu/cpu3/topology/core_id", Lookup::kFile},
      {"/sys/devices/system/cpu/cpu3/topology/book_id", Lookup::kNotFound},
      {"/sys/devices/system/cpu/cpu3/cache", Lookup::kNotFound},
      {"/sys/devices/system/cpu/cpu0/cpufreq", Lookup::kNotFound},
      {"/sys/devices/system/cpu/cpufreq", Lookup::kNotFound},
      {"/sys/devices/system/cpu/vulnerabilities/meltdown", Lookup::kPassThrough},
      {"/sys/devices/system/node", Lookup::kDir},
      {"/sys/devices/system/node/online", Lookup::kFile},
      {"/sys/devices/system/node/node0/cpulist", Lookup::kFile},
      {"/sys/devices/system/node/node1", Lookup::kNotFound},
      {"/sys/devices/system/memory", Lookup::kNotFound},
      {"/sys/fs/cgroup/cpu.max", Lookup::kPassThrough},
      {"/sys/fs/bpf", Lookup::kNotFound},
      {"/sys/kernel/mm/transparent_hugepage/enabled", Lookup::kPassThrough},
      {"/sys/kernel/debug", Lookup::kNotFound},
      {"/sys/class/net", Lookup::kNotFound},
      {"/sys/bus/cpu/devices", Lookup::kNotFound},
      {"/dev", Lookup::kDir},
      {"/dev/null", Lookup::kPassThrough},
      {"/dev/urandom", Lookup::kPassThrough},
      {"/dev/pts/0", Lookup::kPassThrough},
      {"/dev/shm/x", Lookup::kPassThrough},
      {"/dev/fd/0", Lookup::kPassThrough},
      {"/dev/vda", Lookup::kNotFound},
      {"/dev/kvm", Lookup::kNotFound},
      {"/dev/cpu/0/msr", Lookup::kNotFound},
      {"/etc/passwd", Lookup::kPassThrough},
      {"/", Lookup::kPassThrough},
  };
  for (const auto& [path, kind] : cases) {
    INFO(path);
    CHECK(lookup(path, src) == kind);
    // Only files generate; only directories list.
    CHECK(generate(path, src).has_value() == (kind == Lookup::kFile));
    CHECK(list_dir(path, src).has_value() == (kind == Lookup::kDir));
    // The FUSE view's attributes come from file_mode, without generating.
    const auto mode = file_mode(path, src);
    CHECK(mode.has_value() == (kind == Lookup::kFile));
    if (mode && kind == Lookup::kFile) CHECK(*mode == generate(path, src)->mode);
  }
}

TEST_CASE("proc_synth registry: the overlays bound over the guest's procfs") {
  FakeSource src(4);
  const ProcOverlay o = machine_overlay(src);
  CHECK(std::find(o.files.begin(), o.files.end(), "/proc/cpuinfo") != o.files.end());
  CHECK(std::find(o.files.begin(), o.files.end(), "/proc/sys/net/core/somaxconn") != o.files.end());
  for (const std::string& f : o.files) {
    INFO(f);
    CHECK(lookup(f, src) == Lookup::kFile);
  }
  for (const std::string& a : o.absent) {
    INFO(a);
    CHECK(lookup(a, src) == Lookup::kNotFound);
  }
  // The leader: its own directory and task/<tgid>; another thread: task/<tid>.
  CHECK(task_overlay(100, 100) == std::vector<std::string>{"/proc/100/task/100/status", "/proc/100/status",
                                                           "/proc/100/task/100/stat", "/proc/100/stat"});
  CHECK(task_overlay(100, 101) == std::vector<std::string>{"/proc/100/task/101/status", "/proc/100/task/101/stat"});
  for (const std::string& f : task_overlay(100, 101)) CHECK(lookup(f, src) == Lookup::kFile);
}

TEST_CASE("proc_synth registry: /sys/devices/system/cpu lists the virtual CPUs") {
  for (int n : {1, 3, 4, 64}) {
    INFO("cpus=" << n);
    FakeSource src(n);
    const std::vector<std::string> entries = names(*list_dir("/sys/devices/system/cpu", src));
    for (int k = 0; k < n; ++k) CHECK(contains(entries, "cpu" + std::to_string(k)));
    CHECK_FALSE(contains(entries, "cpu" + std::to_string(n)));
    for (const char* f : {"online", "possible", "present", "offline", "kernel_max", "smt",
                          "vulnerabilities", "uevent"})
      CHECK(contains(entries, f));
    for (const char* f : {"cpufreq", "cpuidle", "hotplug"}) CHECK_FALSE(contains(entries, f));
    CHECK(std::count(entries.begin(), entries.end(), "online") == 1);
    // Every listed name looks up to something other than ENOENT.
    for (const std::string& e : entries)
      CHECK(lookup("/sys/devices/system/cpu/" + e, src) != Lookup::kNotFound);
    const std::string list = n == 1 ? "0\n" : "0-" + std::to_string(n - 1) + "\n";
    CHECK(generate("/sys/devices/system/cpu/online", src)->content == list);
    CHECK(generate("/sys/devices/system/cpu/possible", src)->content == list);
    CHECK(generate("/sys/devices/system/cpu/present", src)->content == list);
    CHECK(generate("/sys/devices/system/node/node0/cpulist", src)->content == list);
  }
  FakeSource src(4);
  CHECK(names(*list_dir("/sys/devices/system/cpu/cpu0", src)) == std::vector<std::string>{"topology"});
  CHECK(names(*list_dir("/sys/devices/system/cpu/cpu2", src)) ==
        std::vector<std::string>{"online", "topology"});
  CHECK(list_dir("/sys/devices/system/cpu/cpu2/topology", src)->size() == 16);
  CHECK(generate("/sys/devices/system/cpu/cpu2/topology/thread_siblings_list", src)->content == "2\n");
  CHECK(generate("/sys/devices/system/cpu/cpu2/topology/core_siblings", src)->content == "f\n");
  CHECK(names(*list_dir("/sys", src)) == std::vector<std::string>{"devices", "fs", "kernel"});
  CHECK(names(*list_dir("/sys/fs", src)) == std::vector<std::string>{"cgroup"});
}

TEST_CASE("proc_synth registry: /proc and /dev listings") {
  FakeSource src(2);
  const std::vector<DirEntry> proc = *list_dir("/proc", src);
  const std::vector<std::string> n = names(proc);
  for (const char* f : {"cpuinfo", "meminfo", "stat", "uptime", "loadavg", "version",
                        "filesystems", "self", "thread-self", "mounts", "net", "sys",
                        "interrupts", "100", "200"})
    CHECK(contains(n, f));
  for (const char* f : {"1", "555", "kcore", "sysrq-trigger"}) CHECK_FALSE(contains(n, f));
  CHECK(std::count(n.begin(), n.end(), "cpuinfo") == 1);
  CHECK(std::count(n.begin(), n.end(), "self") == 1);
  CHECK(std::count(n.begin(), n.end(), "100") == 1);
  // Names first, then pids ascending.
  CHECK(n[n.size() - 2] == "100");
  CHECK(n.back() == "200");
  CHECK(std::find(proc.begin(), proc.end(), DirEntry{"self", EntryType::kLink}) != proc.end());
  CHECK(std::find(proc.begin(), proc.end(), DirEntry{"200", EntryType::kDir}) != proc.end());
  CHECK(std::find(proc.begin(), proc.end(), DirEntry{"cpuinfo", EntryType::kFile}) != proc.end());

  const std::vector<std::string> dev = names(*list_dir("/dev", src));
  CHECK(dev == std::vector<std::string>{"null", "fd", "pts", "urandom"});
}

TEST_CASE("proc_synth registry: generated content and metadata") {
  FakeSource src(3);
  const std::optional<Generated> status = generate("/proc/101/status", src);
  REQUIRE(status);
  CHECK(status->content.find("Name:\tt101\n") != std::string::npos);
  CHECK(status->content.find("Pid:\t101\n") != std::string::npos);
  CHECK(status->content.find("Tgid:\t100\n") != std::string::npos);
  CHECK(status->content.find("Threads:\t2\n") != std::string::npos);
  CHECK(status->content.find("Cpus_allowed_list:\t0-2\n") != std::string::npos);
  CHECK(status->mode == 0444);
  CHECK(status->linux_st_size == 0);
  CHECK(status->open_write_errno == 0);
  CHECK(status->write_errno == EINVAL);
  CHECK(status->seek_end_einval);
  CHECK_FALSE(status->offset_reads_eof);
  CHECK(generate("/proc/cpuinfo", src)->write_errno == EIO);
  CHECK(generate("/sys/devices/system/cpu/online", src)->open_write_errno == EACCES);
  CHECK(generate("/sys/devices/system/cpu/smt/control", src)->open_write_errno == EROFS);
  CHECK(generate("/proc/sys/kernel/pid_max", src)->open_write_errno == EROFS);
  CHECK(generate("/proc/sys/kernel/pid_max", src)->offset_reads_eof);
  CHECK(generate("/proc/sys/kernel/osrelease", src)->open_write_errno == EACCES);
  CHECK_FALSE(generate("/proc/sys/kernel/osrelease", src)->offset_reads_eof);

  CHECK(generate("/proc/100/task/101/status", src)->content.find("Name:\tt101\n") != std::string::npos);
  CHECK(generate("/proc/101/status", src)->content.find("Name:\tt101\n") != std::string::npos);
  CHECK_FALSE(generate("/proc/100/comm", src));  // the kernel's

  // /proc/<tid>/stat is the whole-process line for the thread named.
  const std::string stat = generate("/proc/101/stat", src)->content;
  CHECK(stat.rfind("101 (t101) R 1 ", 0) == 0);

  CHECK(generate("/proc/cpuinfo", src)->content.find("processor\t: 2\n") != std::string::npos);
  const std::optional<Generated> online = generate("/sys/devices/system/cpu/online", src);
  CHECK(online->content == "0-2\n");
  CHECK(online->linux_st_size == 4096);
  CHECK(generate("/proc/sys/vm/overcommit_memory", src)->content == "0\n");
  CHECK(generate("/proc/sys/vm/overcommit_memory", src)->mode == 0644);
  CHECK(generate("/proc/sys/kernel/osrelease", src)->content == "6.1.0\n");
  CHECK(generate("/proc/sys/net/core/somaxconn", src)->content == "4096\n");

  // A thread's own files under /proc/<tgid>/task/<tid> (the path walk turns
  // /proc/thread-self into that).
  CHECK(generate("/proc/100/task/101/status", src)->content.find("Pid:\t101\n") != std::string::npos);
  CHECK(generate("/proc/200/stat", src)->content.rfind("200 (t200) ", 0) == 0);
}

