// sentry: run unmodified x86-64 Linux programs under a supervisor that
// intercepts every system call. See README.md and docs/architecture.md.
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "abi/syscall_table.h"
#include "sentry/cli/diff_command.h"
#include "sentry/cli/oci_commands.h"
#include "sentry/cli/report_command.h"
#include "sentry/cli/run_command.h"

#if defined(__SANITIZE_THREAD__)
// A ThreadSanitizer report ends sentry (SIGABRT), as -fno-sanitize-recover
// makes ASan's and UBSan's do, so that it fails the test that found it.
extern "C" const char* __tsan_default_options() { return "halt_on_error=1:abort_on_error=1"; }
#endif

int main(int argc, char** argv) {
  CLI::App app{"sentry — a user-space Linux-ABI sandbox"};
  app.require_subcommand(1);
  app.set_version_flag("--version", SENTRY_VERSION);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|critical|off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));

  // runc's conventions, so engines can use sentry as their OCI runtime.
  sentry::cli::OciGlobals oci_globals;
  sentry::cli::add_oci_globals(app, oci_globals);
  sentry::cli::OciArgs oci_args;
  sentry::cli::add_oci_commands(app, oci_args);

  sentry::cli::RunArgs run_args;
  sentry::cli::add_run_command(app, run_args);
  sentry::cli::add_oci_run_options(app.get_subcommand("run"), oci_args);
  sentry::cli::ReportArgs report_args;
  sentry::cli::add_report_command(app, report_args);
  sentry::cli::DiffArgs diff_args;
  sentry::cli::add_diff_command(app, diff_args);
  CLI::App* abi = app.add_subcommand("abi", "Print the syscall table as docs/compatibility.md");

  CLI11_PARSE(app, argc, argv);
  // sentry's messages go to stderr: the guest's stdout is the guest's.
  spdlog::set_default_logger(spdlog::stderr_color_mt("sentry"));
  spdlog::set_level(spdlog::level::from_str(log_level));
  spdlog::set_pattern("sentry: [%l] %v");

  sentry::cli::setup_runtime_log(oci_globals);
  if (auto code = sentry::cli::oci_command(app, oci_globals, oci_args)) return *code;
  if (app.got_subcommand("run")) {
    if (sentry::cli::oci_run_requested(oci_globals, oci_args)) {
      if (run_args.command.size() != 1) {
        std::fprintf(stderr, "sentry: run --bundle takes one argument, the container id\n");
        return 1;
      }
      oci_args.id = run_args.command[0];
      return sentry::cli::oci_run(oci_globals, oci_args);
    }
    return sentry::cli::run_command(run_args);
  }
  if (app.got_subcommand("report")) return sentry::cli::report_command(report_args);
  if (app.got_subcommand("diff")) return sentry::cli::diff_command(diff_args, "/proc/self/exe");
  if (abi->parsed()) {
    std::cout << sentry::abi::render_compatibility_markdown();
    return 0;
  }
  return 1;
}
