// `sentry run [options] -- PROGRAM [ARGS...]`
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sentry/supervisor/supervisor.h"

namespace sentry::cli {

struct RunArgs {
  std::string platform = "unotify";
  bool trace = false;
  std::string trace_file;
  std::string report_file;
  std::string observe;  // "all" | "served" | "" (auto)
  bool exit_with_root = false;
  int cpus = 0;         // 0: the host's count
  std::string uname_release;
  std::string memory;   // e.g. "2G"; empty: the host's
  std::optional<long> uid;
  std::optional<long> gid;
  std::string root;                 // --root: host directory that is the guest's "/"
  std::vector<std::string> binds;   // --bind HOST:GUEST[:OPTS] (vfs::MountOptions::binds)
  std::vector<std::string> rw;      // --rw GUEST_PATH
  std::string network = "host";     // --network host|isolated
  std::string host_ids;             // --host-ids BASE[:COUNT]
  std::optional<long> pids_limit;   // --pids-limit N
  std::string memory_limit;         // --memory-limit SIZE
  std::optional<double> cpu_limit;  // --cpu-limit CPUS
  std::vector<std::string> command;
};

void add_run_command(CLI::App& app, RunArgs& args);
int run_command(const RunArgs& args);

// What a run writes besides the guest's own output.
struct RunOutputs {
  std::string report_file;  // --report
  std::string trace_file;   // -o
  bool trace = false;       // --trace
  std::string observe;      // --observe
};
// Runs `command` under a Supervisor with `opts` to the end of its tree and
// writes the trace and the report: sentry's exit code, or nullopt with
// *error when the program could not be started. Shared by `run` and the OCI
// runtime's monitor.
std::optional<int> supervise(RunOptions opts, const std::vector<std::string>& command, const RunOutputs& out,
                             std::string* error);

// "512M", "2G", "1048576" -> bytes; "" -> 0 (the host's).
std::optional<std::uint64_t> parse_size(const std::string& text, std::string* error);
// The CPUs sentry itself may run on (what nproc would print natively).
int host_cpu_count();

}  // namespace sentry::cli
