#include "sentry/cli/run_command.h"

#include <chrono>
#include <cstdio>
#include <fstream>

#include <spdlog/spdlog.h>

#include "sentry/report/coverage_recorder.h"
#include "sentry/supervisor/supervisor.h"

namespace sentry::cli {

void add_run_command(CLI::App& app, RunArgs& args) {
  CLI::App* run = app.add_subcommand("run", "Run a program tree under sentry");
  run->footer(
      "Examples:\n"
      "  sentry run -- /bin/sh -c 'which ffmpeg'\n"
      "  sentry run --trace -- ls /proc/self\n"
      "  sentry run --report cov.json -- ffmpeg -f lavfi -i testsrc=d=2 -f null -\n"
      "  sentry report cov.json --html cov.html\n"
      "\n"
      "sentry exits with the program's exit status (128+N if signal N killed it).\n");
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
  run->add_option("command", args.command, "PROGRAM [ARGS...] (after --)")->required();
}

int run_command(const RunArgs& args) {
  bool tracing = args.trace || !args.trace_file.empty();
  std::FILE* trace_out = nullptr;
  if (!args.trace_file.empty()) {
    trace_out = std::fopen(args.trace_file.c_str(), "we");
    if (trace_out == nullptr) {
      std::fprintf(stderr, "sentry: cannot write %s: %s\n", args.trace_file.c_str(), std::strerror(errno));
      return 125;
    }
  } else if (tracing) {
    trace_out = stderr;
  }

  report::CoverageRecorder recorder;
  RunOptions opts;
  opts.platform = args.platform == "ptrace" ? platform::PlatformKind::kPtrace : platform::PlatformKind::kUnotify;
  opts.observe_forwarded =
      args.observe.empty() ? (tracing || !args.report_file.empty()) : args.observe == "all";
  opts.trace_out = trace_out;
  opts.report = args.report_file.empty() ? nullptr : &recorder;

  auto start = std::chrono::steady_clock::now();
  Supervisor supervisor(opts);
  std::string error;
  auto result = supervisor.run(args.command, &error);
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (trace_out != nullptr && trace_out != stderr) std::fclose(trace_out);
  if (!result) {
    std::fprintf(stderr, "sentry: %s\n", error.c_str());
    return error.find("not found") != std::string::npos ? 127 : 126;
  }
  if (!args.report_file.empty()) {
    report::RunInfo info{args.command, args.platform, opts.observe_forwarded, result->code, result->signal, wall};
    std::ofstream out(args.report_file);
    out << recorder.to_json(info).dump(2) << "\n";
    if (!out) std::fprintf(stderr, "sentry: cannot write %s\n", args.report_file.c_str());
  }
  return result->exit_code;
}

}  // namespace sentry::cli
