#include "sentry/cli/run_command.h"

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <spdlog/spdlog.h>

#include "sentry/report/coverage_recorder.h"
#include "sentry/sandbox/id_map.h"
#include "sentry/supervisor/supervisor.h"

namespace sentry::cli {

std::optional<std::uint64_t> parse_size(const std::string& text, std::string* error) {
  if (text.empty()) return 0;
  std::size_t used = 0;
  unsigned long long n = 0;
  try {
    n = std::stoull(text, &used);
  } catch (...) {
    *error = "not a size: " + text;
    return std::nullopt;
  }
  std::string unit = text.substr(used);
  std::uint64_t mult = 1;
  if (unit == "K" || unit == "k") mult = 1ull << 10;
  else if (unit == "M" || unit == "m") mult = 1ull << 20;
  else if (unit == "G" || unit == "g") mult = 1ull << 30;
  else if (!unit.empty()) {
    *error = "unknown unit in " + text + " (use K, M or G)";
    return std::nullopt;
  }
  if (n == 0) {
    *error = "must be more than 0";
    return std::nullopt;
  }
  return n * mult;
}

int host_cpu_count() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return CPU_COUNT(&set);
  return static_cast<int>(sysconf(_SC_NPROCESSORS_ONLN));
}

void add_run_command(CLI::App& app, RunArgs& args) {
  CLI::App* run = app.add_subcommand("run", "Run a program tree under sentry");
  run->footer(
      "Examples:\n"
      "  sentry run -- /bin/sh -c 'which ffmpeg'\n"
      "  sentry run --trace -- ls /proc/self\n"
      "  sentry run --report cov.json -- ffmpeg -f lavfi -i testsrc=d=2 -f null -\n"
      "  sentry report cov.json --html cov.html\n"
      "\n"
      "sentry exits with the program's exit status (128+N if signal N killed it) once every\n"
      "process of the tree has exited; signals sent to sentry go to the program (then to\n"
      "whatever is left of the tree). If sentry dies, every guest process dies with it.\n");
  run->add_option("--platform", args.platform, "How calls are intercepted: unotify (seccomp user "
                  "notification, default) or ptrace (SECCOMP_RET_TRACE fallback)")
      ->check(CLI::IsMember({"unotify", "ptrace"}));
  run->add_flag("--trace", args.trace, "Print every call strace-style on stderr, with how it was served");
  run->add_option("-o,--output", args.trace_file, "Write the trace to FILE instead of stderr (implies --trace)");
  run->add_option("--report", args.report_file, "Write the syscall-coverage report (JSON) to FILE");
  run->add_option("--observe", args.observe,
                  "all: also observe forwarded calls (exact counts and results, ptrace cost); "
                  "served: only calls sentry serves (fast). Default: all with --trace/--report, else served")
      ->check(CLI::IsMember({"all", "served"}));
  run->add_flag("--exit-with-root", args.exit_with_root,
                "When the program exits, kill what is left of its tree (default: wait for every process, like strace -f)");
  run->add_option("--cpus", args.cpus, "Virtual CPUs the guest sees (affinity, /proc, /sys, sysconf); default: the host's count")
      ->check(CLI::Range(1, 1024));
  run->add_option("--memory", args.memory, "Memory the guest sees in sysinfo and /proc/meminfo, e.g. 2G or 512M; default: the host's");
  run->add_option("--uname-release", args.uname_release, "Kernel release uname(2) reports; default: the host's");
  run->add_option("--uid", args.uid, "User id the program starts as, in the guest's user namespace (default 0: "
                  "the guest's root, which is no host root)")
      ->check(CLI::Range(0L, 65535L));
  run->add_option("--gid", args.gid, "Group id the program starts as (default 0)")
      ->check(CLI::Range(0L, 65535L));
  run->add_option("--root", args.root, "Host directory the guest sees as / (default: the host's /)");
  // One value per occurrence, collected as they come: a vector option would
  // take the "--" that ends sentry's options as the end of its own list.
  run->add_option_function<std::string>("--bind", [&args](const std::string& v) { args.binds.push_back(v); },
                  "HOST:GUEST[:OPTS] Show host directory HOST at guest path GUEST; OPTS comma-separated: ro or rw "
                  "(default rw), hostids (the host's ids, not idmapped to the guest's root); repeatable")
      ->trigger_on_parse();
  run->add_option_function<std::string>("--rw", [&args](const std::string& v) { args.rw.push_back(v); },
                  "Guest path the guest may write (repeatable). The rest of the tree is read-only. "
                  "Default: the working directory and /tmp; /dev/shm is always writable")
      ->trigger_on_parse();
  run->add_option("--network", args.network,
                  "host (default): the guest's TCP and UDP sockets are the host's (it binds host ports, "
                  "reaches the host's network); isolated: a network of its own with loopback only. "
                  "Either way its abstract unix sockets, raw and packet sockets stay in the sandbox")
      ->check(CLI::IsMember({"host", "isolated"}));
  run->add_option("--host-ids", args.host_ids,
                  "BASE[:COUNT] Host uids/gids the guest's ids 0..COUNT-1 map to (default 2000000000:65536); "
                  "they should own nothing on the host");
  run->add_option("--pids-limit", args.pids_limit,
                  "At most N tasks (processes and threads) in the whole tree, from a cgroup of its own "
                  "(a fork bomb gets EAGAIN)")
      ->check(CLI::Range(1L, 4194304L));
  run->add_option("--memory-limit", args.memory_limit,
                  "Memory the whole tree may use, e.g. 512M, from a cgroup of its own (beyond it the "
                  "kernel's OOM killer picks a guest process). --memory only sets what the guest sees");
  run->add_option("--cpu-limit", args.cpu_limit,
                  "CPU time the whole tree may use, in CPUs (e.g. 0.5 or 2), from a cgroup of its own "
                  "(the CFS quota). --cpus only sets how many CPUs the guest sees")
      ->check(CLI::Range(0.01, 4096.0));
  run->add_option("command", args.command, "PROGRAM [ARGS...] (after --)")->required();
}

std::optional<int> supervise(RunOptions opts, const std::vector<std::string>& command, const RunOutputs& out,
                             std::string* error) {
  bool tracing = out.trace || !out.trace_file.empty();
  std::FILE* trace_out = nullptr;
  if (!out.trace_file.empty()) {
    trace_out = std::fopen(out.trace_file.c_str(), "we");
    if (trace_out == nullptr) {
      *error = "cannot write " + out.trace_file + ": " + std::strerror(errno);
      return std::nullopt;
    }
  } else if (tracing) {
    trace_out = stderr;
  }
  report::CoverageRecorder recorder;
  opts.observe_forwarded = out.observe.empty() ? (tracing || !out.report_file.empty()) : out.observe == "all";
  opts.trace_out = trace_out;
  opts.report = out.report_file.empty() ? nullptr : &recorder;
  const std::string platform_name = opts.platform == platform::PlatformKind::kPtrace ? "ptrace" : "unotify";

  auto start = std::chrono::steady_clock::now();
  Supervisor supervisor(opts);
  auto result = supervisor.run(command, error);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (trace_out != nullptr && trace_out != stderr) std::fclose(trace_out);
  if (!result) return std::nullopt;
  if (!out.report_file.empty()) {
    report::RunInfo info{command, platform_name, opts.observe_forwarded, result->code, result->signal, wall};
    rusage self{};
    getrusage(RUSAGE_SELF, &self);  // sentry alone: guests are not its waited-for children's sum here
    info.sentry_user_seconds = static_cast<double>(self.ru_utime.tv_sec) + self.ru_utime.tv_usec / 1e6;
    info.sentry_sys_seconds = static_cast<double>(self.ru_stime.tv_sec) + self.ru_stime.tv_usec / 1e6;
    info.sentry_peak_rss_kb = static_cast<std::uint64_t>(self.ru_maxrss);
    std::ofstream file(out.report_file);
    file << recorder.to_json(info).dump(2) << "\n";
    if (!file) spdlog::error("cannot write {}", out.report_file);
  }
  return result->exit_code;
}

int run_command(const RunArgs& args) {
  RunOptions opts;
  opts.platform = args.platform == "ptrace" ? platform::PlatformKind::kPtrace : platform::PlatformKind::kUnotify;
  opts.exit_with_root = args.exit_with_root;

  std::string error;
  auto memory = parse_size(args.memory, &error);
  if (!memory) {
    std::fprintf(stderr, "sentry: --memory: %s\n", error.c_str());
    return 125;
  }
  if (geteuid() != 0) {
    // An ordinary user's sandbox: its root is that user (rootless).
    if (!args.host_ids.empty()) {
      std::fprintf(stderr, "sentry: --host-ids needs root (a rootless sandbox maps only the user's own id)\n");
      return 125;
    }
    opts.ids = sandbox::IdMap::rootless_for(getuid(), getgid());
  } else if (!args.host_ids.empty()) {
    auto ids = sandbox::parse_id_map(args.host_ids, &error);
    if (!ids) {
      std::fprintf(stderr, "sentry: %s\n", error.c_str());
      return 125;
    }
    opts.ids = *ids;
  }
  opts.isolated_network = args.network == "isolated";
  if (args.pids_limit) opts.tree_limits.pids = static_cast<std::uint64_t>(*args.pids_limit);
  if (args.cpu_limit)
    opts.tree_limits.cpu_quota_us =
        static_cast<std::uint64_t>(std::llround(*args.cpu_limit * static_cast<double>(sandbox::kCpuPeriodUs)));
  if (!args.memory_limit.empty()) {
    auto bytes = parse_size(args.memory_limit, &error);
    if (!bytes) {
      std::fprintf(stderr, "sentry: --memory-limit: %s\n", error.c_str());
      return 125;
    }
    opts.tree_limits.memory_bytes = *bytes;
  }
  opts.machine.cpus = args.cpus > 0 ? args.cpus : host_cpu_count();
  opts.machine.memory_bytes = *memory;
  opts.machine.uname_release = args.uname_release;
  if (args.uid) opts.machine.uid = static_cast<uid_t>(*args.uid);
  if (args.gid) opts.machine.gid = static_cast<gid_t>(*args.gid);

  vfs::MountOptions mount_opts;
  if (!args.root.empty()) mount_opts.root = args.root;
  mount_opts.binds = args.binds;
  mount_opts.rw = args.rw;
  std::error_code ec;
  mount_opts.host_cwd = std::filesystem::current_path(ec).string();
  if (args.command[0].find('/') != std::string::npos) {
    mount_opts.program_dir = std::filesystem::absolute(args.command[0], ec).parent_path().string();
  }
  opts.mounts = vfs::MountTable::build(mount_opts, &error);
  if (!opts.mounts) {
    std::fprintf(stderr, "sentry: %s\n", error.c_str());
    return 125;
  }
  RunOutputs out{args.report_file, args.trace_file, args.trace, args.observe};
  auto code = supervise(opts, args.command, out, &error);
  if (!code) {
    std::fprintf(stderr, "sentry: %s\n", error.c_str());
    return error.find("not found") != std::string::npos ? 127 : 126;
  }
  return *code;
}

}  // namespace sentry::cli
