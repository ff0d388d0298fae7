// sentry: run unmodified x86-64 Linux programs under a supervisor that
// intercepts every system call. See README.md and docs/architecture.md.
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "abi/syscall_table.h"
#include "sentry/cli/diff_command.h"
#include "sentry/cli/report_command.h"
#include "sentry/cli/run_command.h"

int main(int argc, char** argv) {
  CLI::App app{"sentry — a user-space Linux-ABI sandbox"};
  app.require_subcommand(1);
  app.set_version_flag("--version", SENTRY_VERSION);
  std::string log_level = "warn";
  app.add_option("--log-level", log_level, "trace|debug|info|warn|error|critical|off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));

  sentry::cli::RunArgs run_args;
  sentry::cli::add_run_command(app, run_args);
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

  if (app.got_subcommand("run")) return sentry::cli::run_command(run_args);
  if (app.got_subcommand("report")) return sentry::cli::report_command(report_args);
  if (app.got_subcommand("diff")) return sentry::cli::diff_command(diff_args, "/proc/self/exe");
  if (abi->parsed()) {
    std::cout << sentry::abi::render_compatibility_markdown();
    return 0;
  }
  return 1;
}
