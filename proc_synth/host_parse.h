// Parsers for the host's /proc text that kernel_view.cc copies into the
// views. Pure functions of the text (tested with fixed strings).
#pragma once

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proc_synth/model_view.h"

namespace sentry::proc_synth {

// /proc/<pid>/status: "Key:\tvalue" lines in order (the value after the
// colon and one tab, kept exactly: "Groups" may be " ").
std::vector<StatusLine> parse_status(std::string_view text);
std::optional<std::string> status_value(const std::vector<StatusLine>& lines, std::string_view key);

// /proc/<pid>/stat: the comm between the first '(' and the last ')' (it may
// hold spaces and parentheses) and the fields after it (field 3 on).
struct HostStatLine {
  pid_t pid = 0;
  std::string comm;
  std::vector<std::string> fields;  // fields[0] is field 3 (state)
};
std::optional<HostStatLine> parse_stat(std::string_view text);


// /proc/cpuinfo: the lines of the first block (up to the first blank line).
std::vector<std::string> first_cpuinfo_block(std::string_view text);

// /proc/meminfo: the kB value of `key` ("MemTotal").
std::optional<std::uint64_t> meminfo_kb(const std::vector<std::string>& lines, std::string_view key);

// /proc/stat.
struct HostStat {
  std::map<int, CpuTimes> cpus;  // by host CPU number
  std::vector<int> order;        // the cpuN lines' CPU numbers, in order
  std::string intr = "0";
  std::uint64_t ctxt = 0, btime = 0, processes = 0;
  unsigned procs_running = 1, procs_blocked = 0;
  std::string softirq = "0 0 0 0 0 0 0 0 0 0 0";
};
HostStat parse_proc_stat(std::string_view text);

// /proc/uptime: "12.34 56.78" -> nanoseconds (centisecond precision).
bool parse_uptime(std::string_view text, std::uint64_t* uptime_ns, std::uint64_t* idle_ns);

// /proc/loadavg.
struct HostLoadavg {
  std::array<std::uint64_t, 3> centi{};
  unsigned running = 0, threads = 0;
  pid_t last_pid = 0;
};
std::optional<HostLoadavg> parse_loadavg(std::string_view text);

// The builder part of /proc/version ("(user@host) (compiler...)"): the text
// between "<sysname> version <release> " and " <uname version>"; "" if the
// text has another shape.
std::string version_build(std::string_view proc_version, std::string_view release,
                          std::string_view uname_version);

// /proc/filesystems.
std::vector<FilesystemType> parse_filesystems(std::string_view text);

// "1.23" -> 123 (hundredths); nullopt if not of that shape.
std::optional<std::uint64_t> parse_centi(std::string_view s);

}  // namespace sentry::proc_synth
