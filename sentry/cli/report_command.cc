#include "sentry/cli/report_command.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>

#include "sentry/report/report_render.h"

namespace sentry::cli {

void add_report_command(CLI::App& app, ReportArgs& args) {
  CLI::App* rep = app.add_subcommand("report", "Summarise a coverage report written by `sentry run --report`");
  rep->add_option("file", args.file, "The report (JSON)")->required();
  rep->add_option("--html", args.html, "Also write a standalone HTML page to FILE");
  rep->add_option("--color", args.color, "auto|always|never")->check(CLI::IsMember({"auto", "always", "never"}));
}

int report_command(const ReportArgs& args) {
  std::ifstream in(args.file);
  if (!in) {
    std::fprintf(stderr, "sentry: cannot read %s\n", args.file.c_str());
    return 1;
  }
  nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    std::fprintf(stderr, "sentry: %s is not valid JSON\n", args.file.c_str());
    return 1;
  }
  bool color = args.color == "always" || (args.color == "auto" && isatty(STDOUT_FILENO));
  report::RenderResult text = report::render_text(j, color);
  if (!text.ok) {
    std::fprintf(stderr, "sentry: %s: %s\n", args.file.c_str(), text.error.c_str());
    return 1;
  }
  std::cout << text.text;
  if (!args.html.empty()) {
    report::RenderResult html = report::render_html(j);
    std::ofstream out(args.html);
    out << html.text;
    if (!out) {
      std::fprintf(stderr, "sentry: cannot write %s\n", args.html.c_str());
      return 1;
    }
  }
  return 0;
}

}  // namespace sentry::cli
