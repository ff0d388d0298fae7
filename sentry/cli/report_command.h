// `sentry report FILE.json [--html OUT.html]` — show a coverage report.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace sentry::cli {

struct ReportArgs {
  std::string file;
  std::string html;
  std::string color = "auto";
};

void add_report_command(CLI::App& app, ReportArgs& args);
int report_command(const ReportArgs& args);

}  // namespace sentry::cli
