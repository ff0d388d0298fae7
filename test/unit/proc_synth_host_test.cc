// proc_synth host side: parsers of the host's /proc text, and the views
// filled from the model plus the host for this very test process.
#include <catch2/catch.hpp>

#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "proc_synth/generators.h"
#include "proc_synth/host_parse.h"
#include "proc_synth/kernel_view.h"
#include "sentry/kernel/kernel.h"

using namespace sentry::proc_synth;
namespace kernel = sentry::kernel;

TEST_CASE("proc_synth host: status and stat parsers") {
  const std::vector<StatusLine> s = parse_status("Name:\tcat\nGroups:\t \nUid:\t0\t1\t2\t3\n");
  REQUIRE(s.size() == 3);
  CHECK(s[0] == StatusLine{"Name", "cat"});
  CHECK(s[1] == StatusLine{"Groups", " "});
  CHECK(s[2] == StatusLine{"Uid", "0\t1\t2\t3"});
  CHECK(status_value(s, "Uid") == "0\t1\t2\t3");
  CHECK_FALSE(status_value(s, "Pid"));

  const std::optional<HostStatLine> st = parse_stat("42 (a (b) c) S 1 2 3\n");
  REQUIRE(st);
  CHECK(st->pid == 42);
  CHECK(st->comm == "a (b) c");
  CHECK(st->fields == std::vector<std::string>{"S", "1", "2", "3"});
  CHECK_FALSE(parse_stat("garbage"));
}

TEST_CASE("proc_synth host: cpuinfo, meminfo, stat, uptime, loadavg, version parsers") {
  CHECK(first_cpuinfo_block("processor\t: 0\nmodel\t\t: 1\n\nprocessor\t: 1\nmodel\t\t: 1\n\n") ==
        std::vector<std::string>{"processor\t: 0", "model\t\t: 1"});
  const std::vector<std::string> mem = {"MemTotal:       24682416 kB", "HugePages_Total:       0"};
  CHECK(meminfo_kb(mem, "MemTotal") == 24682416u);
  CHECK(meminfo_kb(mem, "HugePages_Total") == 0u);
  CHECK_FALSE(meminfo_kb(mem, "MemFree"));

  const HostStat hs = parse_proc_stat(
      "cpu  10 0 0 0 0 0 0 0 0 0\ncpu0 1 2 3 4 5 6 7 8 9 10\ncpu2 5 0 0 7 0 0 0 0 0 0\n"
      "intr 5 1 2\nctxt 99\nbtime 1700000000\nprocesses 321\nprocs_running 3\n"
      "procs_blocked 1\nsoftirq 1 2 3\n");
  CHECK(hs.order == std::vector<int>{0, 2});
  CHECK(hs.cpus.at(0).ticks[9] == 10);
  CHECK(hs.cpus.at(2).ticks[3] == 7);
  CHECK(hs.intr == "5 1 2");
  CHECK(hs.ctxt == 99);
  CHECK(hs.btime == 1700000000);
  CHECK(hs.processes == 321);
  CHECK(hs.procs_running == 3);
  CHECK(hs.procs_blocked == 1);
  CHECK(hs.softirq == "1 2 3");

  std::uint64_t up = 0, idle = 0;
  REQUIRE(parse_uptime("3144.88 3042.01\n", &up, &idle));
  CHECK(up == 3144'880'000'000ull);
  CHECK(idle == 3042'010'000'000ull);
  CHECK_FALSE(parse_uptime("x", &up, &idle));

  const std::optional<HostLoadavg> l = parse_loadavg("0.90 2.29 2.15 1/95 24335\n");
  REQUIRE(l);
  CHECK(l->centi == std::array<std::uint64_t, 3>{90, 229, 215});
  CHECK(l->running == 1);
  CHECK(l->threads == 95);
  CHECK(l->last_pid == 24335);

  CHECK(version_build("Linux version 6.18.44-fc-v445 (builder@sandboxing) (gcc (GCC) 15.3.0, GNU "
                      "ld (GNU Binutils) 2.46) #1 SMP PREEMPT_DYNAMIC @0\n",
                      "6.18.44-fc-v445", "#1 SMP PREEMPT_DYNAMIC @0") ==
        "(builder@sandboxing) (gcc (GCC) 15.3.0, GNU ld (GNU Binutils) 2.46)");
  CHECK(version_build("nonsense", "6.1", "#1") == "");

  const std::vector<FilesystemType> fs = parse_filesystems("nodev\tsysfs\n\text4\n");
  REQUIRE(fs.size() == 2);
  CHECK(fs[0].nodev);
  CHECK(fs[0].name == "sysfs");
  CHECK_FALSE(fs[1].nodev);
  CHECK(fs[1].name == "ext4");
}

TEST_CASE("proc_synth host: the machine view follows MachineConfig") {
  kernel::MachineConfig config;
  config.cpus = 3;
  config.memory_bytes = 256ull << 20;
  config.uname_release = "5.15.0-guest";
  const MachineView m = machine_view_from_host(config, kernel::HostCpuMap({0}), 4);
  CHECK(m.cpus == 3);
  CHECK(m.mem_total_bytes == 256ull << 20);
  CHECK(m.mem_free_bytes <= m.mem_total_bytes);
  CHECK(m.mem_available_bytes <= m.mem_total_bytes);
  CHECK(m.cpu_times.size() == 3);
  CHECK(m.kernel_release == "5.15.0-guest");
  CHECK(m.nr_threads == 4);
  CHECK(m.procs_running >= 1);
  CHECK(m.procs_running <= 4);
  CHECK(!m.host_cpuinfo.empty());
  CHECK(!m.kernel_build.empty());
  CHECK(meminfo(m).rfind("MemTotal:         262144 kB\n", 0) == 0);
  CHECK(version(m).rfind("Linux version 5.15.0-guest (", 0) == 0);
  const std::string info = cpuinfo(m);
  CHECK(info.find("processor\t: 2\n") != std::string::npos);
  CHECK(info.find("processor\t: 3\n") == std::string::npos);
}

TEST_CASE("proc_synth host: this process's view from the model and the host") {
  kernel::MachineConfig config;
  config.cpus = 4;
  kernel::ProcessTree tree;
  const pid_t self = getpid();
  tree.add_root(self, "/proc/self/exe");
  kernel::Task* t = tree.task(self);
  REQUIRE(t != nullptr);
  t->creds.ruid = 1234;
  t->creds.euid = 1234;
  t->creds.cap_effective = 0x3;
  t->sched.nice = 5;
  kernel::CpuMask two;
  two.set(0);
  two.set(2);
  t->sched.affinity = two;

  const KernelModelSource src(tree, config, kernel::HostCpuMap({0}));
  CHECK(src.cpus() == 4);
  CHECK(src.tgid_of(self) == self);
  CHECK_FALSE(src.tgid_of(self + 100000));
  CHECK(src.tgids() == std::vector<pid_t>{self});

  const std::optional<ProcessView> p = src.process(self);
  REQUIRE(p);
  CHECK(p->tgid == self);
  CHECK(p->ppid == getppid());  // the host's, as getppid() answers
  CHECK(p->tasks.size() == 1);
  CHECK(p->host_stat.size() >= 50);
  const TaskView& v = p->leader();
  CHECK(v.comm + "\n" == read_host_file("/proc/self/comm"));
  CHECK(v.cpu == 0);  // virtual CPUs 0 and 2 are both on host CPU 0: the lowest
  CHECK(!v.host_status.empty());

  // Only the task asked for gets the host's fields.
  const std::optional<ProcessView> lean = src.process(self, self + 1);
  REQUIRE(lean);
  CHECK(lean->ppid == getppid());
  CHECK(lean->leader().host_status.empty());
  CHECK(lean->leader().host_stat.empty());
  CHECK(lean->leader().cpu == 0);

  const std::string status = generate("/proc/" + std::to_string(self) + "/status", src)->content;
  CHECK(status.find("\nUid:\t1234\t1234\t0\t0\n") != std::string::npos);
  CHECK(status.find("\nCapEff:\t0000000000000003\n") != std::string::npos);
  CHECK(status.find("\nCpus_allowed:\t5\n") != std::string::npos);
  CHECK(status.find("\nCpus_allowed_list:\t0,2\n") != std::string::npos);
  CHECK(status.find("\nTracerPid:\t0\n") != std::string::npos);
  CHECK(status.find("\nVmRSS:\t") != std::string::npos);
  CHECK(status.find("\nThreads:\t1\n") != std::string::npos);
  const std::string stat = generate("/proc/" + std::to_string(self) + "/stat", src)->content;
  const std::optional<HostStatLine> st = parse_stat(stat);
  REQUIRE(st);
  CHECK(st->fields.size() == p->host_stat.size());
  CHECK(st->fields[15] == "25");  // priority 20 + nice 5
  CHECK(st->fields[16] == "5");

  const std::vector<DirEntry> proc = *list_dir("/proc", src);
  CHECK(std::find(proc.begin(), proc.end(), DirEntry{std::to_string(self), EntryType::kDir}) !=
        proc.end());
  CHECK(std::find(proc.begin(), proc.end(), DirEntry{"1", EntryType::kDir}) == proc.end());
  // No guest task 1 in the model: the guest's own procfs answers.
  CHECK(lookup("/proc/1/status", src) == Lookup::kPassThrough);
}
