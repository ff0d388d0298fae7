// proc_synth generators: the kernel's list and mask formats, and the files a
// guest reads, checked for the exact Linux layout and for agreement between
// the views of the CPU count (--cpus 1/3/4/64).
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <sstream>
#include <string>
#include <vector>

#include "proc_synth/format.h"
#include "proc_synth/generators.h"
#include "proc_synth/host_parse.h"
#include "proc_synth/model_view.h"

using namespace sentry::proc_synth;
using sentry::kernel::CpuMask;

namespace {

CpuMask mask_of(std::initializer_list<int> cpus) {
  CpuMask m;
  for (int c : cpus) m.set(c);
  return m;
}

// The first /proc/cpuinfo block of the reference host (AMD EPYC VM, 2 CPUs).
const std::vector<std::string>& host_block() {
  static const std::vector<std::string> block = {
      "processor\t: 0",
      "vendor_id\t: AuthenticAMD",
      "cpu family\t: 25",
      "model\t\t: 1",
      "model name\t: AMD EPYC",
      "stepping\t: 1",
      "microcode\t: 0x1000065",
      "cpu MHz\t\t: 2445.436",
      "cache size\t: 512 KB",
      "physical id\t: 0",
      "siblings\t: 2",
      "core id\t\t: 0",
      "cpu cores\t: 2",
      "apicid\t\t: 0",
      "initial apicid\t: 0",
      "fpu\t\t: yes",
      "fpu_exception\t: yes",
      "cpuid level\t: 13",
      "wp\t\t: yes",
      "flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep",
      "bugs\t\t: sysret_ss_attrs null_seg spectre_v1",
      "bogomips\t: 4890.87",
      "TLB size\t: 2560 4K pages",
      "clflush size\t: 64",
      "cache_alignment\t: 64",
      "address sizes\t: 48 bits physical, 48 bits virtual",
      "power management:",
  };
  return block;
}

MachineView machine(int cpus) {
  MachineView m;
  m.cpus = cpus;
  m.host_cpuinfo = host_block();
  m.mem_total_bytes = 1ull << 30;
  m.mem_free_bytes = 512ull << 20;
  m.mem_available_bytes = 768ull << 20;
  for (int c = 0; c < cpus; ++c) {
    CpuTimes t;
    t.ticks = {100u + c, 1, 50, 1000, 2, 0, 3, 0, 0, 0};
    m.cpu_times.push_back(t);
  }
  m.kernel_release = "6.1.0-sentry";
  m.kernel_version = "#1 SMP PREEMPT_DYNAMIC @0";
  m.kernel_build = "(builder@sandboxing) (gcc (GCC) 15.3.0, GNU ld (GNU Binutils) 2.46)";
  return m;
}

ProcessView process(int cpus) {
  ProcessView p;
  p.tgid = 1000;
  p.ppid = 999;
  TaskView leader;
  leader.tid = 1000;
  leader.comm = "prog";
  leader.state = 'R';
  leader.creds.ruid = 1;
  leader.creds.euid = 2;
  leader.creds.suid = 3;
  leader.creds.fsuid = 4;
  leader.creds.rgid = 5;
  leader.creds.egid = 6;
  leader.creds.sgid = 7;
  leader.creds.fsgid = 8;
  leader.affinity = CpuMask::first_n(cpus);
  TaskView worker = leader;
  worker.tid = 1001;
  worker.comm = "worker";
  worker.affinity = mask_of({0});
  p.tasks = {leader, worker};
  return p;
}

int count_lines_starting(const std::string& text, const std::string& prefix) {
  int n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) ++n;
  return n;
}

std::string line_of(const std::string& text, const std::string& prefix) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) return line;
  return "";
}

// /proc/stat's cpuN lines (not the aggregate "cpu  " line).
int stat_cpu_lines(const std::string& text) {
  int n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.size() > 3 && line.rfind("cpu", 0) == 0 && line[3] >= '0' && line[3] <= '9') ++n;
  return n;
}

}  // namespace

TEST_CASE("proc_synth: cpu list format is the kernel's %*pbl") {
  CHECK(cpu_list(CpuMask{}) == "");
  CHECK(cpu_list(mask_of({0})) == "0");
  CHECK(cpu_list(mask_of({0, 1, 2})) == "0-2");
  CHECK(cpu_list(mask_of({0, 1, 2, 4})) == "0-2,4");
  CHECK(cpu_list(mask_of({1, 3, 5})) == "1,3,5");
  CHECK(cpu_list(mask_of({0, 1, 3, 4, 5, 7})) == "0-1,3-5,7");
  CpuMask big = CpuMask::first_n(64);
  big.set(65);
  CHECK(cpu_list(big) == "0-63,65");
  CHECK(cpu_list(CpuMask::first_n(1024)) == "0-1023");
}

TEST_CASE("proc_synth: cpu mask format is the kernel's %*pb over nr_cpu_ids bits") {
  CHECK(cpu_mask_hex(CpuMask::first_n(1), 1) == "1");
  CHECK(cpu_mask_hex(CpuMask::first_n(2), 2) == "3");
  CHECK(cpu_mask_hex(CpuMask::first_n(3), 3) == "7");
  CHECK(cpu_mask_hex(CpuMask::first_n(4), 4) == "f");
  CHECK(cpu_mask_hex(mask_of({0}), 4) == "1");
  CHECK(cpu_mask_hex(mask_of({0}), 8) == "01");
  CHECK(cpu_mask_hex(mask_of({1}), 12) == "002");
  CHECK(cpu_mask_hex(CpuMask::first_n(32), 32) == "ffffffff");
  CHECK(cpu_mask_hex(CpuMask::first_n(33), 33) == "1,ffffffff");
  CHECK(cpu_mask_hex(CpuMask::first_n(40), 40) == "ff,ffffffff");
  CHECK(cpu_mask_hex(CpuMask::first_n(64), 64) == "ffffffff,ffffffff");
  CHECK(cpu_mask_hex(mask_of({0}), 64) == "00000000,00000001");
  CHECK(cpu_mask_hex(mask_of({63}), 64) == "80000000,00000000");
  CHECK(cpu_mask_hex(CpuMask::first_n(65), 65) == "1,ffffffff,ffffffff");
  CHECK(cpu_mask_hex(mask_of({64}), 128) == "00000000,00000001,00000000,00000000");
  CHECK(cpu_mask_hex(mask_of({0, 35}), 36) == "8,00000001");
  const std::string all = cpu_mask_hex(CpuMask::first_n(1024), 1024);
  CHECK(all.size() == 32 * 8 + 31);
  CHECK(all.find_first_not_of("f,") == std::string::npos);
}

TEST_CASE("proc_synth: --cpus N is the same N in every view") {
  for (int n : {1, 3, 4, 64}) {
    INFO("cpus=" << n);
    const MachineView m = machine(n);
    const std::string expected_list = n == 1 ? "0" : "0-" + std::to_string(n - 1);

    const std::string info = cpuinfo(m);
    CHECK(count_lines_starting(info, "processor\t: ") == n);
    CHECK(count_lines_starting(info, "model name\t: AMD EPYC") == n);
    CHECK(count_lines_starting(info, "siblings\t: " + std::to_string(n)) == n);
    CHECK(count_lines_starting(info, "cpu cores\t: " + std::to_string(n)) == n);
    CHECK(count_lines_starting(info, "physical id\t: 0") == n);
    CHECK(info.find("processor\t: " + std::to_string(n - 1) + "\n") != std::string::npos);
    CHECK(info.find("apicid\t\t: " + std::to_string(n - 1) + "\n") != std::string::npos);
    CHECK(info.find("processor\t: " + std::to_string(n) + "\n") == std::string::npos);
    CHECK(info.ends_with("power management:\n\n"));

    CHECK(sys_cpu_all_list(m) == expected_list + "\n");

    const ProcessView p = process(n);
    const std::string status = pid_status(p, p.leader(), n);
    CHECK(line_of(status, "Cpus_allowed_list:") == "Cpus_allowed_list:\t" + expected_list);
    CHECK(line_of(status, "Cpus_allowed:") ==
          "Cpus_allowed:\t" + cpu_mask_hex(CpuMask::first_n(n), n));

    const std::string stat = proc_stat(m);
    CHECK(stat_cpu_lines(stat) == n);
    CHECK(stat.rfind("cpu  ", 0) == 0);
    CHECK(stat.find("cpu" + std::to_string(n - 1) + " ") != std::string::npos);

    CHECK(sys_node0_cpulist(m) == expected_list + "\n");
    CHECK(*sys_cpu_topology(m, n - 1, "core_siblings_list") == expected_list + "\n");
    CHECK(*sys_cpu_topology(m, n - 1, "package_cpus") == cpu_mask_hex(CpuMask::first_n(n), n) + "\n");
    CHECK(*sys_cpu_topology(m, n - 1, "core_id") == std::to_string(n - 1) + "\n");
    CHECK(!sys_cpu_topology(m, n, "core_id"));
  }
  CHECK(line_of(pid_status(process(64), process(64).leader(), 64), "Cpus_allowed:") ==
        "Cpus_allowed:\tffffffff,ffffffff");
  CHECK(line_of(pid_status(process(3), process(3).leader(), 3), "Cpus_allowed:") ==
        "Cpus_allowed:\t7");
}

TEST_CASE("proc_synth: cpuinfo keeps the host's lines and their tabs") {
  const std::string info = cpuinfo(machine(2));
  const std::string first_block = info.substr(0, info.find("\n\n") + 2);
  std::string expected;
  for (const std::string& line : host_block()) expected += line + "\n";
  expected += "\n";
  CHECK(first_block == expected);
  CHECK(info.find("core id\t\t: 1\n") != std::string::npos);
  CHECK(info.find("initial apicid\t: 1\n") != std::string::npos);
  // Without a host block: the topology lines alone.
  MachineView bare;
  bare.cpus = 2;
  CHECK(cpuinfo(bare) ==
        "processor\t: 0\nphysical id\t: 0\nsiblings\t: 2\ncore id\t\t: 0\ncpu cores\t: 2\n"
        "apicid\t\t: 0\ninitial apicid\t: 0\n\n"
        "processor\t: 1\nphysical id\t: 0\nsiblings\t: 2\ncore id\t\t: 1\ncpu cores\t: 2\n"
        "apicid\t\t: 1\ninitial apicid\t: 1\n\n");
}

TEST_CASE("proc_synth: /sys/devices/system/cpu files") {
  const MachineView m = machine(4);
  CHECK(sys_cpu_all_list(m) == "0-3\n");
  CHECK(sys_cpu_none_list() == "\n");
  CHECK(sys_cpu_kernel_max() == "1023\n");
  CHECK(sys_cpu_smt_active() == "0\n");
  CHECK(sys_cpu_smt_control() == "notsupported\n");
  CHECK(*sys_cpu_topology(m, 2, "thread_siblings") == "4\n");
  CHECK(*sys_cpu_topology(m, 2, "thread_siblings_list") == "2\n");
  CHECK(*sys_cpu_topology(m, 2, "core_cpus_list") == "2\n");
  CHECK(*sys_cpu_topology(m, 2, "core_siblings") == "f\n");
  CHECK(*sys_cpu_topology(m, 2, "die_cpus_list") == "0-3\n");
  CHECK(*sys_cpu_topology(m, 2, "physical_package_id") == "0\n");
  CHECK(*sys_cpu_topology(m, 2, "cluster_id") == "65535\n");
  CHECK(!sys_cpu_topology(m, 2, "book_id"));
  for (std::string_view name : sys_cpu_topology_names()) CHECK(sys_cpu_topology(m, 3, name));
  CHECK(sys_node0_cpumap(m) == "f\n");
}

TEST_CASE("proc_synth: /proc/<pid>/status fields") {
  ProcessView p = process(4);
  p.limits.limits[RLIMIT_SIGPENDING] = {96343, 96343};
  TaskView& t = p.tasks[0];
  t.creds.groups = {10, 20};
  t.creds.cap_effective = 0x1fffeffffffull;
  t.creds.cap_permitted = 0x1fffeffffffull;
  t.creds.cap_bounding = 0x1fffeffffffull;
  t.creds.seccomp_mode = 2;
  t.seccomp_filters = 1;
  t.host_status = parse_status(
      "Name:\tbash\nUmask:\t0022\nState:\tt (tracing stop)\nTgid:\t1\nNgid:\t0\nPid:\t1\n"
      "PPid:\t0\nTracerPid:\t4242\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nFDSize:\t256\n"
      "Groups:\t \nNStgid:\t1\nNSpid:\t1\nNSpgid:\t1\nNSsid:\t1\nKthread:\t0\n"
      "VmPeak:\t    3708 kB\nVmRSS:\t    1640 kB\nThreads:\t9\nSigQ:\t3/77\n"
      "SigBlk:\t0000000000010000\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\n"
      "CapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\nCapAmb:\t0000000000000000\n"
      "NoNewPrivs:\t1\nSeccomp:\t2\nSeccomp_filters:\t2\n"
      "Cpus_allowed:\t3\nCpus_allowed_list:\t0-1\nMems_allowed:\t1\nMems_allowed_list:\t0\n"
      "voluntary_ctxt_switches:\t5\nnonvoluntary_ctxt_switches:\t6\n");
  t.state = 'S';
  t.comm = "a\\b\nc";
  const std::string s = pid_status(p, t, 4);
  CHECK(s ==
        "Name:\ta\\\\b\\nc\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t1000\nNgid:\t0\n"
        "Pid:\t1000\nPPid:\t999\nTracerPid:\t0\nUid:\t1\t2\t3\t4\nGid:\t5\t6\t7\t8\n"
        "FDSize:\t256\nGroups:\t10 20 \nNStgid:\t1000\nNSpid:\t1000\nNSpgid:\t1\nNSsid:\t1\n"
        "Kthread:\t0\nVmPeak:\t    3708 kB\nVmRSS:\t    1640 kB\nThreads:\t2\nSigQ:\t3/96343\n"
        "SigBlk:\t0000000000010000\nCapInh:\t0000000000000000\nCapPrm:\t000001fffeffffff\n"
        "CapEff:\t000001fffeffffff\nCapBnd:\t000001fffeffffff\nCapAmb:\t0000000000000000\n"
        "NoNewPrivs:\t0\nSeccomp:\t2\nSeccomp_filters:\t1\nCpus_allowed:\tf\n"
        "Cpus_allowed_list:\t0-3\nMems_allowed:\t1\nMems_allowed_list:\t0\n"
        "voluntary_ctxt_switches:\t5\nnonvoluntary_ctxt_switches:\t6\n");

  // A thread's own view: its tid, name and affinity; the group's Tgid.
  const std::string w = pid_status(p, p.tasks[1], 4);
  CHECK(line_of(w, "Pid:") == "Pid:\t1001");
  CHECK(line_of(w, "Tgid:") == "Tgid:\t1000");
  CHECK(line_of(w, "Name:") == "Name:\tworker");
  CHECK(line_of(w, "Cpus_allowed_list:") == "Cpus_allowed_list:\t0");
  CHECK(line_of(w, "Cpus_allowed:") == "Cpus_allowed:\t1");

  // Without host lines: Linux 6.18's key order with neutral values.
  ProcessView bare = process(4);
  const std::string d = pid_status(bare, bare.leader(), 4);
  CHECK(d.rfind("Name:\tprog\nUmask:\t0022\nState:\tR (running)\nTgid:\t1000\nNgid:\t0\n"
                "Pid:\t1000\nPPid:\t999\nTracerPid:\t0\nUid:\t1\t2\t3\t4\nGid:\t5\t6\t7\t8\n"
                "FDSize:\t64\nGroups:\t \n",
                0) == 0);
  CHECK(line_of(d, "Threads:") == "Threads:\t2");
  CHECK(line_of(d, "Mems_allowed:").size() == std::string("Mems_allowed:\t").size() + 32 * 8 + 31);
  CHECK(d.ends_with("nonvoluntary_ctxt_switches:\t0\n"));
}

TEST_CASE("proc_synth: /proc/<pid>/stat has 52 fields with the model's values") {
  ProcessView p = process(4);
  p.tasks[0].comm = "a b) c";
  p.tasks[0].policy = 2;
  p.tasks[0].rt_priority = 10;
  p.tasks[0].nice = -5;
  p.tasks[0].cpu = 3;
  p.limits.limits[RLIMIT_RSS] = {RLIM64_INFINITY, RLIM64_INFINITY};
  const std::optional<HostStatLine> host = parse_stat(
      "24332 (cat) t 24326 24326 23417 0 -1 4194304 98 0 0 0 7 8 0 0 20 0 1 0 314488 3133440 359 "
      "18446744073709551615 93994509385728 93994509405609 140731068914240 0 0 0 0 0 0 0 0 0 17 1 "
      "0 0 0 0 0 93994509421616 93994509423232 93995512258560 140731068918411 140731068918431 "
      "140731068918431 140731068919787 0\n");
  REQUIRE(host);
  CHECK(host->comm == "cat");
  CHECK(host->fields.size() == 50);
  p.host_stat = host->fields;
  p.tasks[0].state = 'S';
  const std::string s = pid_stat(p, p.tasks[0], true);
  CHECK(s ==
        "1000 (a b) c) S 999 24326 23417 0 -1 4194304 98 0 0 0 7 8 0 0 -11 -5 2 0 314488 "
        "3133440 359 18446744073709551615 93994509385728 93994509405609 140731068914240 0 0 0 0 "
        "0 0 0 0 0 17 3 10 2 0 0 0 93994509421616 93994509423232 93995512258560 140731068918411 "
        "140731068918431 140731068918431 140731068919787 0\n");
  // Reading it back: 52 fields.
  const std::optional<HostStatLine> back = parse_stat(s);
  REQUIRE(back);
  CHECK(back->pid == 1000);
  CHECK(back->comm == "a b) c");
  CHECK(back->fields.size() == 50);
  // Normal policy: priority 20 + nice. Without host fields: neutral values.
  const std::string t = pid_stat(p, p.tasks[1], false);
  const std::optional<HostStatLine> tb = parse_stat(t);
  REQUIRE(tb);
  CHECK(tb->pid == 1001);
  CHECK(tb->comm == "worker");
  CHECK(tb->fields.size() == 50);
  CHECK(tb->fields[1] == "999");
  CHECK(tb->fields[15] == "20");
  CHECK(tb->fields[17] == "2");
  CHECK(tb->fields[35] == "17");
  CHECK(tb->fields[36] == "0");
}

TEST_CASE("proc_synth: meminfo's MemTotal is --memory, free and available clipped") {
  MachineView m = machine(1);
  m.mem_total_bytes = 512ull << 20;  // --memory 512M
  m.mem_free_bytes = 23494328ull * 1024;
  m.mem_available_bytes = 24246944ull * 1024;
  m.host_meminfo = {
      "MemTotal:       24682416 kB", "MemFree:        23494328 kB",
      "MemAvailable:   24246944 kB", "Buffers:            2912 kB",
      "Cached:          8950920 kB", "SwapTotal:             0 kB",
      "HugePages_Total:       0",    "VmallocTotal:   34359738367 kB",
  };
  CHECK(meminfo(m) ==
        "MemTotal:         524288 kB\n"
        "MemFree:          524288 kB\n"
        "MemAvailable:     524288 kB\n"
        "Buffers:            2912 kB\n"
        "Cached:           524288 kB\n"
        "SwapTotal:             0 kB\n"
        "HugePages_Total:       0\n"
        "VmallocTotal:   34359738367 kB\n");
  m.mem_free_bytes = 100ull << 20;
  m.mem_available_bytes = 200ull << 20;
  const std::string s = meminfo(m);
  CHECK(line_of(s, "MemFree:") == "MemFree:          102400 kB");
  CHECK(line_of(s, "MemAvailable:") == "MemAvailable:     204800 kB");
  // Without host lines.
  MachineView bare;
  bare.mem_total_bytes = 4ull << 30;
  bare.mem_free_bytes = 8ull << 30;
  CHECK(meminfo(bare).rfind("MemTotal:        4194304 kB\nMemFree:         4194304 kB\n"
                            "MemAvailable:          0 kB\n",
                            0) == 0);
  CHECK(kb_field("MemTotal:", 123456789) == "MemTotal:       123456789 kB");
}

TEST_CASE("proc_synth: /proc/stat, uptime, loadavg, version, filesystems, sysctls") {
  MachineView m = machine(2);
  m.intr = "4439968 0 0 1";
  m.ctxt = 40545393;
  m.btime = 1795240406;
  m.processes = 89314;
  m.procs_running = 2;
  m.procs_blocked = 0;
  m.softirq = "811207 0 134850 14 33005 122215 0 2 179691 0 341430";
  CHECK(proc_stat(m) ==
        "cpu  201 2 100 2000 4 0 6 0 0 0\n"
        "cpu0 100 1 50 1000 2 0 3 0 0 0\n"
        "cpu1 101 1 50 1000 2 0 3 0 0 0\n"
        "intr 4439968 0 0 1\n"
        "ctxt 40545393\n"
        "btime 1795240406\n"
        "processes 89314\n"
        "procs_running 2\n"
        "procs_blocked 0\n"
        "softirq 811207 0 134850 14 33005 122215 0 2 179691 0 341430\n");
  // Missing per-CPU times print zeros.
  MachineView z;
  z.cpus = 2;
  CHECK(proc_stat(z).rfind("cpu  0 0 0 0 0 0 0 0 0 0\ncpu0 0 0 0 0 0 0 0 0 0 0\ncpu1 0", 0) == 0);

  m.uptime_ns = 3144'889'999'999ull;  // truncated, not rounded
  m.idle_ns = 3042'010'000'000ull;
  CHECK(uptime(m) == "3144.88 3042.01\n");
  m.uptime_ns = 5'000'000;
  m.idle_ns = 0;
  CHECK(uptime(m) == "0.00 0.00\n");

  m.loadavg_centi = {90, 229, 1215};
  m.nr_running = 1;
  m.nr_threads = 95;
  m.last_pid = 24335;
  CHECK(loadavg(m) == "0.90 2.29 12.15 1/95 24335\n");

  CHECK(version(m) ==
        "Linux version 6.1.0-sentry (builder@sandboxing) (gcc (GCC) 15.3.0, GNU ld (GNU "
        "Binutils) 2.46) #1 SMP PREEMPT_DYNAMIC @0\n");
  CHECK(sysctl_osrelease(m) == "6.1.0-sentry\n");
  CHECK(sysctl_ostype(m) == "Linux\n");
  CHECK(sysctl_kernel_version(m) == "#1 SMP PREEMPT_DYNAMIC @0\n");

  CHECK(filesystems(m).find("nodev\tproc\n") != std::string::npos);
  CHECK(filesystems(m).find("nodev\tsysfs\n") != std::string::npos);
  CHECK(filesystems(m).find("\text4\n") != std::string::npos);
  m.filesystems = {{true, "sysfs"}, {false, "ext4"}};
  CHECK(filesystems(m) == "nodev\tsysfs\n\text4\n");

  CHECK(sysctl_overcommit_memory() == "0\n");
  CHECK(sysctl_bindv6only() == "0\n");
  CHECK(sysctl_somaxconn() == "4096\n");
  m.pid_max = 32768;
  CHECK(sysctl_pid_max(m) == "32768\n");
}

TEST_CASE("proc_synth: task state names") {
  CHECK(task_state_name('R') == "R (running)");
  CHECK(task_state_name('S') == "S (sleeping)");
  CHECK(task_state_name('D') == "D (disk sleep)");
  CHECK(task_state_name('Z') == "Z (zombie)");
  CHECK(task_state_name('t') == "t (tracing stop)");
  CHECK(task_state_name('I') == "I (idle)");
}
