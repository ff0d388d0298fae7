// Every view of the CPU count agrees: sched_getaffinity (what nproc prints),
// sysconf(_SC_NPROCESSORS_ONLN) (glibc reads /sys/devices/system/cpu/online),
// /proc/cpuinfo's "processor" lines, /sys/devices/system/cpu/online,
// /proc/self/status's Cpus_allowed_list and /proc/stat's cpuN lines.
//
//   proc_cpus_coherence [N]
// N is the expected count (sentry run --cpus N); without it, the online CPU
// count. Natively without N, a process whose affinity was restricted (taskset,
// a cpuset) legitimately sees fewer CPUs in its affinity than online: then it
// SKIPs rather than fails.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>
#include <sstream>
#include <string>

#include "conformance.h"
#include "file_util.h"

namespace {

using namespace conformance;

std::set<int> first_n(int n) {
  std::set<int> out;
  for (int c = 0; c < n; ++c) out.insert(c);
  return out;
}

void report(const char* view, long got, long want) {
  if (got != want) std::fprintf(stderr, "  %s: %ld CPUs, expected %ld\n", view, got, want);
}

}  // namespace

int main(int argc, char** argv) {
  const bool explicit_n = argc > 1;
  const long n = explicit_n ? std::strtol(argv[1], nullptr, 10) : sysconf(_SC_NPROCESSORS_ONLN);
  if (n < 1) conformance::skip("no CPU count");

  // 1. sched_getaffinity.
  cpu_set_t set;
  CPU_ZERO(&set);
  CHECK_OK(sched_getaffinity(0, sizeof set, &set));
  std::set<int> affinity;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) affinity.insert(c);
  if (!explicit_n && static_cast<long>(affinity.size()) < n)
    conformance::skip("affinity restricted natively: the views legitimately differ");
  report("sched_getaffinity", CPU_COUNT(&set), n);
  CHECK(CPU_COUNT(&set) == n);

  // 2. sysconf.
  report("sysconf(_SC_NPROCESSORS_ONLN)", sysconf(_SC_NPROCESSORS_ONLN), n);
  CHECK(sysconf(_SC_NPROCESSORS_ONLN) == n);
  CHECK(sysconf(_SC_NPROCESSORS_CONF) >= n);

  // 3. /proc/cpuinfo: N blocks, numbered 0..N-1 in order on sentry's machine.
  const std::optional<std::string> cpuinfo = read_file("/proc/cpuinfo");
  CHECK(cpuinfo.has_value());
  long processors = 0;
  bool in_order = true;
  {
    std::istringstream in(cpuinfo.value_or(""));
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("processor", 0) != 0) continue;
      const std::size_t colon = line.find(':');
      if (colon == std::string::npos || std::atol(line.c_str() + colon + 1) != processors)
        in_order = false;
      ++processors;
    }
  }
  report("/proc/cpuinfo processor lines", processors, n);
  CHECK(processors == n);
  CHECK(in_order || !explicit_n);

  // 4. /sys/devices/system/cpu/online: N CPUs; exactly 0..N-1 on sentry's
  // machine (a host may have offline CPUs between online ones).
  const std::optional<std::set<int>> online =
      parse_cpu_list(read_file("/sys/devices/system/cpu/online").value_or("x"));
  CHECK(online.has_value());
  report("/sys/devices/system/cpu/online", online ? static_cast<long>(online->size()) : -1, n);
  CHECK(online && static_cast<long>(online->size()) == n);
  CHECK(online && (*online == first_n(static_cast<int>(n)) || !explicit_n));

  // 5. /proc/self/status Cpus_allowed_list: the affinity.
  const std::optional<std::string> status = read_file("/proc/self/status");
  CHECK(status.has_value());
  std::optional<std::set<int>> allowed;
  {
    std::istringstream in(status.value_or(""));
    for (std::string line; std::getline(in, line);)
      if (line.rfind("Cpus_allowed_list:\t", 0) == 0) allowed = parse_cpu_list(line.substr(19));
  }
  CHECK(allowed.has_value());
  report("Cpus_allowed_list", allowed ? static_cast<long>(allowed->size()) : -1, n);
  CHECK(allowed && *allowed == affinity);
  CHECK(allowed && static_cast<long>(allowed->size()) == n);

  // 6. /proc/stat: the aggregate line, then N cpuK lines (cpu0..cpuN-1 on
  // sentry's machine).
  const std::optional<std::string> stat = read_file("/proc/stat");
  CHECK(stat.has_value());
  CHECK(stat && stat->rfind("cpu  ", 0) == 0);
  long cpu_lines = 0;
  bool stat_order = true;
  {
    std::istringstream in(stat.value_or(""));
    for (std::string line; std::getline(in, line);) {
      if (line.size() < 4 || line.rfind("cpu", 0) != 0 || line[3] < '0' || line[3] > '9') continue;
      if (std::atol(line.c_str() + 3) != cpu_lines) stat_order = false;
      ++cpu_lines;
    }
  }
  report("/proc/stat cpuN lines", cpu_lines, n);
  CHECK(cpu_lines == n);
  CHECK(stat_order || !explicit_n);

  // The CPU this thread runs on is one of them.
  const int cpu = sched_getcpu();
  CHECK(affinity.count(cpu) == 1);
  return conformance::finish();
}
