// `sentry run [options] -- PROGRAM [ARGS...]`
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace sentry::cli {

struct RunArgs {
  std::string platform = "unotify";
  bool trace = false;
  std::string trace_file;
  std::string report_file;
  std::string observe;  // "all" | "served" | "" (auto)
  std::vector<std::string> command;
};

void add_run_command(CLI::App& app, RunArgs& args);
int run_command(const RunArgs& args);

}  // namespace sentry::cli
