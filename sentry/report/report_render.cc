// Rendering of sentry coverage reports; see report_render.h.
//
// The file has three layers, so that neither renderer has to second-guess the
// JSON:
//   1. parse_report(): validates the JSON and turns it into a small model
//      (Report / Program / Syscall), filling in what optional keys leave out;
//   2. text rendering (aligned tables, optional ANSI color);
//   3. HTML rendering (inline CSS, inline SVG bar charts).
#include "sentry/report/report_render.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace sentry::report {
namespace {

using json = nlohmann::json;

constexpr std::string_view kFormat = "sentry-coverage/1";

// The ways sentry serves a call, in the order they are listed: from "the host
// kernel did it" to "nobody did it".
constexpr std::array<std::string_view, 6> kServedKinds = {"forwarded", "translated", "emulated",
                                                          "supervised", "denied", "unsupported"};

// Denied and unsupported calls returned an error the program would not have
// seen natively; they are what a user must look at first.
bool is_refused(std::string_view served) { return served == "denied" || served == "unsupported"; }

// ===========================================================================
// Model
// ===========================================================================

// (label, count) pairs, sorted by count descending unless stated otherwise.
using Counts = std::vector<std::pair<std::string, std::uint64_t>>;

struct Syscall {
  std::string name;
  std::optional<std::int64_t> nr;
  std::string served = "unknown";
  std::uint64_t count = 0;
  Counts errors;
  std::vector<std::pair<std::string, Counts>> variants;  // argument -> values
  // Only for denied/unsupported calls (from the report's "unsupported" list).
  std::string errno_name;
  std::string reason;
};

struct Program {
  std::string image;
  std::optional<std::uint64_t> processes;
  std::optional<std::uint64_t> threads;
  std::uint64_t calls = 0;
  std::vector<Syscall> syscalls;  // includes the "unsupported" entries
  Counts by_served;               // served kinds in kServedKinds order
};

struct Report {
  std::string format;
  std::string sentry_version;
  std::vector<std::string> command;
  std::string platform;
  std::string observed;
  std::optional<std::int64_t> exit_code;
  std::string exit_signal;
  std::optional<double> wall_seconds;
  std::uint64_t total_calls = 0;
  Counts by_served;  // served kinds in kServedKinds order
  std::vector<Program> programs;
};

std::uint64_t error_total(const Syscall& s) {
  std::uint64_t n = 0;
  for (const auto& [name, count] : s.errors) n += count;
  return n;
}

std::vector<const Syscall*> refused_calls(const Program& p) {
  std::vector<const Syscall*> out;
  for (const Syscall& s : p.syscalls) {
    if (is_refused(s.served)) out.push_back(&s);
  }
  return out;
}

bool any_refused(const Report& r) {
  for (const Program& p : r.programs) {
    if (!refused_calls(p).empty()) return true;
  }
  return false;
}

// ===========================================================================
// Parsing: JSON -> model
// ===========================================================================

// Carries a complete, user-facing message; caught at the public entry points.
class ReportError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void malformed(const std::string& path, const std::string& what) {
  throw ReportError("malformed sentry coverage report: " + path + ": " + what);
}

std::string key_path(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}

std::string index_path(const std::string& parent, std::size_t i) {
  return parent + "[" + std::to_string(i) + "]";
}

// A present member, or nullptr. Null counts as missing: writers emit null for
// "not known" (e.g. exit.signal of a program that exited normally).
const json* member(const json& obj, const char* key) {
  auto it = obj.find(key);
  return (it == obj.end() || it->is_null()) ? nullptr : &*it;
}

std::uint64_t as_count(const json& v, const std::string& path) {
  if (!v.is_number_integer() || (!v.is_number_unsigned() && v.get<std::int64_t>() < 0)) {
    malformed(path, "expected a non-negative integer");
  }
  return v.get<std::uint64_t>();
}

std::optional<std::string> get_string(const json& obj, const char* key, const std::string& path) {
  const json* v = member(obj, key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) malformed(key_path(path, key), "expected a string");
  return v->get<std::string>();
}

std::optional<std::uint64_t> get_count(const json& obj, const char* key, const std::string& path) {
  const json* v = member(obj, key);
  if (v == nullptr) return std::nullopt;
  return as_count(*v, key_path(path, key));
}

std::optional<std::int64_t> get_int(const json& obj, const char* key, const std::string& path) {
  const json* v = member(obj, key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number_integer()) malformed(key_path(path, key), "expected an integer");
  return v->get<std::int64_t>();
}

std::optional<double> get_number(const json& obj, const char* key, const std::string& path) {
  const json* v = member(obj, key);
  if (v == nullptr) return std::nullopt;
  if (!v->is_number()) malformed(key_path(path, key), "expected a number");
  return v->get<double>();
}

const json* get_object(const json& obj, const char* key, const std::string& path) {
  const json* v = member(obj, key);
  if (v != nullptr && !v->is_object()) malformed(key_path(path, key), "expected an object");
  return v;
}

const json* get_array(const json& obj, const char* key, const std::string& path) {
  const json* v = member(obj, key);
  if (v != nullptr && !v->is_array()) malformed(key_path(path, key), "expected an array");
  return v;
}

template <typename T>
T require(std::optional<T> v, const std::string& path) {
  if (!v) malformed(path, "missing");
  return *std::move(v);
}

void sort_by_count(Counts& counts) {
  // Ties by label, so the output does not depend on the writer's key order.
  std::sort(counts.begin(), counts.end(), [](const auto& a, const auto& b) {
    return a.second != b.second ? a.second > b.second : a.first < b.first;
  });
}

Counts parse_counts(const json& obj, const std::string& path) {
  Counts out;
  for (const auto& [label, value] : obj.items()) {
    out.emplace_back(label, as_count(value, key_path(path, label)));
  }
  sort_by_count(out);
  return out;
}

std::vector<std::pair<std::string, Counts>> parse_variants(const json& obj,
                                                           const std::string& path) {
  std::vector<std::pair<std::string, Counts>> out;
  for (const auto& [arg, values] : obj.items()) {
    const std::string arg_path = key_path(path, arg);
    if (!values.is_object()) malformed(arg_path, "expected an object");
    out.emplace_back(arg, parse_counts(values, arg_path));
  }
  return out;
}

// The fields shared by "syscalls" and "unsupported" entries.
Syscall parse_call(const json& node, const std::string& path, std::string_view default_served) {
  if (!node.is_object()) malformed(path, "expected an object");
  Syscall s;
  s.name = require(get_string(node, "name", path), key_path(path, "name"));
  s.nr = get_int(node, "nr", path);
  s.served = get_string(node, "served", path).value_or(std::string(default_served));
  s.count = require(get_count(node, "count", path), key_path(path, "count"));
  return s;
}

Syscall parse_syscall(const json& node, const std::string& path) {
  Syscall s = parse_call(node, path, "unknown");
  if (const json* e = get_object(node, "errors", path)) {
    s.errors = parse_counts(*e, key_path(path, "errors"));
  }
  if (const json* v = get_object(node, "variants", path)) {
    s.variants = parse_variants(*v, key_path(path, "variants"));
  }
  return s;
}

Syscall parse_unsupported(const json& node, const std::string& path) {
  // Everything in this list was refused; "unsupported" is the safe default.
  Syscall s = parse_call(node, path, "unsupported");
  s.errno_name = get_string(node, "errno", path).value_or("");
  s.reason = get_string(node, "reason", path).value_or("");
  return s;
}

// An "unsupported" entry normally repeats a "syscalls" entry and adds errno
// and reason; a writer may also list it only there. Either way it ends up
// exactly once in the program's syscall list.
void merge_unsupported(std::vector<Syscall>& calls, Syscall u) {
  for (Syscall& s : calls) {
    if (s.name == u.name && s.served == u.served) {
      if (s.errno_name.empty()) s.errno_name = u.errno_name;
      if (s.reason.empty()) s.reason = u.reason;
      return;
    }
  }
  if (!u.errno_name.empty() && u.count > 0) u.errors.emplace_back(u.errno_name, u.count);
  calls.push_back(std::move(u));
}

// Known kinds always (so "denied 0" is visibly zero), then any kind a newer
// writer invented, alphabetically.
Counts order_by_served(std::map<std::string, std::uint64_t> tally) {
  Counts out;
  for (std::string_view kind : kServedKinds) {
    auto it = tally.find(std::string(kind));
    out.emplace_back(kind, it == tally.end() ? 0 : it->second);
    if (it != tally.end()) tally.erase(it);
  }
  for (auto& [kind, count] : tally) out.emplace_back(kind, count);
  return out;
}

Counts tally_by_served(const std::vector<Syscall>& calls) {
  std::map<std::string, std::uint64_t> tally;
  for (const Syscall& s : calls) tally[s.served] += s.count;
  return order_by_served(std::move(tally));
}

Program parse_program(const json& node, const std::string& path) {
  if (!node.is_object()) malformed(path, "expected an object");
  Program p;
  p.image = require(get_string(node, "image", path), key_path(path, "image"));
  p.processes = get_count(node, "processes", path);
  p.threads = get_count(node, "threads", path);
  if (const json* calls = get_array(node, "syscalls", path)) {
    for (std::size_t i = 0; i < calls->size(); ++i) {
      p.syscalls.push_back(parse_syscall((*calls)[i], index_path(key_path(path, "syscalls"), i)));
    }
  }
  if (const json* refused = get_array(node, "unsupported", path)) {
    for (std::size_t i = 0; i < refused->size(); ++i) {
      merge_unsupported(p.syscalls, parse_unsupported((*refused)[i],
                                                      index_path(key_path(path, "unsupported"), i)));
    }
  }
  // The writer sorts by count already; re-sorting keeps merged entries in place.
  std::stable_sort(p.syscalls.begin(), p.syscalls.end(),
                   [](const Syscall& a, const Syscall& b) { return a.count > b.count; });
  p.by_served = tally_by_served(p.syscalls);
  std::uint64_t sum = 0;
  for (const Syscall& s : p.syscalls) sum += s.count;
  p.calls = get_count(node, "calls", path).value_or(sum);
  return p;
}

void parse_format(const json& j, Report& r) {
  const std::string expected = "expected a JSON object with \"format\": \"" + std::string(kFormat) + "\"";
  if (!j.is_object()) {
    throw ReportError("not a sentry coverage report: " + expected + ", got " + j.type_name());
  }
  const json* format = member(j, "format");
  if (format == nullptr || !format->is_string()) {
    throw ReportError("not a sentry coverage report: " + expected + ", found no \"format\" string");
  }
  r.format = format->get<std::string>();
  const std::string family = "sentry-coverage/";
  if (r.format.rfind(family, 0) != 0) {
    throw ReportError("not a sentry coverage report: format is \"" + r.format + "\", " + expected);
  }
  // Minor versions (sentry-coverage/1.x) only add keys, which we tolerate.
  if (r.format != kFormat && r.format.rfind(std::string(kFormat) + ".", 0) != 0) {
    throw ReportError("unsupported report format \"" + r.format + "\"; this sentry reads " +
                      std::string(kFormat));
  }
}

std::vector<std::string> parse_command(const json& j) {
  const json* cmd = member(j, "command");
  if (cmd == nullptr) return {};
  if (cmd->is_string()) return {cmd->get<std::string>()};
  if (!cmd->is_array()) malformed("command", "expected an array of strings");
  std::vector<std::string> out;
  for (std::size_t i = 0; i < cmd->size(); ++i) {
    if (!(*cmd)[i].is_string()) malformed(index_path("command", i), "expected a string");
    out.push_back((*cmd)[i].get<std::string>());
  }
  return out;
}

void parse_exit(const json& j, Report& r) {
  const json* exit = get_object(j, "exit", "");
  if (exit == nullptr) return;
  r.exit_code = get_int(*exit, "code", "exit");
  r.exit_signal = get_string(*exit, "signal", "exit").value_or("");
}

// Uses "totals" when present; otherwise (or for what it leaves out) sums the
// programs, which is what the writer would have written.
void parse_totals(const json& j, Report& r) {
  std::map<std::string, std::uint64_t> summed;
  std::uint64_t summed_calls = 0;
  for (const Program& p : r.programs) {
    for (const auto& [kind, count] : p.by_served) summed[kind] += count;
    summed_calls += p.calls;
  }
  const json* totals = get_object(j, "totals", "");
  if (totals == nullptr) {
    r.by_served = order_by_served(std::move(summed));
    r.total_calls = summed_calls;
    return;
  }
  std::map<std::string, std::uint64_t> given;
  for (const auto& [kind, value] : totals->items()) {
    if (kind != "calls" && !value.is_null()) given[kind] = as_count(value, key_path("totals", kind));
  }
  r.by_served = order_by_served(given.empty() ? std::move(summed) : std::move(given));
  r.total_calls = get_count(*totals, "calls", "totals").value_or(summed_calls);
}

Report parse_report(const json& j) {
  Report r;
  parse_format(j, r);
  r.sentry_version = get_string(j, "sentry_version", "").value_or("");
  r.command = parse_command(j);
  r.platform = get_string(j, "platform", "").value_or("");
  r.observed = get_string(j, "observed", "").value_or("");
  parse_exit(j, r);
  r.wall_seconds = get_number(j, "wall_seconds", "");
  const json* programs = get_array(j, "programs", "");
  if (programs == nullptr) malformed("programs", "missing");
  for (std::size_t i = 0; i < programs->size(); ++i) {
    r.programs.push_back(parse_program((*programs)[i], index_path("programs", i)));
  }
  parse_totals(j, r);
  return r;
}

// ===========================================================================
// Shared formatting
// ===========================================================================

// Makes a string from the report safe to print: control characters (C0, DEL,
// C1) become visible escapes, so a program name cannot move the cursor, clear
// the screen or break a table row. Used for HTML too, where they would be
// invisible.
std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  char buf[8];
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    const auto next = i + 1 < s.size() ? static_cast<unsigned char>(s[i + 1]) : 0;
    if (c < 0x20 || c == 0x7f) {
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else if (c == 0xc2 && next >= 0x80 && next <= 0x9f) {  // U+0080..U+009F in UTF-8
      std::snprintf(buf, sizeof buf, "\\u%04x", next);
      out += buf;
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

// Terminal columns taken by a printable() UTF-8 string: one per code point,
// which is right for everything sentry writes (ASCII names, "×").
std::size_t display_width(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xc0) != 0x80;
  return n;
}

std::string format_percent(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return "-";
  const double pct = 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  // A handful of denied calls among millions must not read as "0.0%".
  if (part > 0 && pct < 0.05) return "<0.1%";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", pct);
  return buf;
}

std::string format_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", s);
  return buf;
}

// Quotes an argument the way a shell would need it, so the command line shown
// can be pasted back.
std::string shell_quote(std::string_view arg) {
  constexpr std::string_view kSafe =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_@%+=:,./-";
  if (!arg.empty() && arg.find_first_not_of(kSafe) == std::string_view::npos) {
    return std::string(arg);
  }
  std::string out = "'";
  for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string command_line(const Report& r) {
  if (r.command.empty()) return "(unknown)";
  std::string out;
  for (const std::string& arg : r.command) {
    if (!out.empty()) out += ' ';
    out += shell_quote(arg);
  }
  return printable(out);
}

std::string describe_exit(const Report& r) {
  if (!r.exit_signal.empty()) return "killed by " + printable(r.exit_signal);
  if (r.exit_code) return "exited with code " + std::to_string(*r.exit_code);
  return "unknown";
}

std::string describe_observed(const Report& r) {
  if (r.observed == "all") return "all calls, including forwarded ones";
  if (r.observed == "served") return "only calls sentry served (forwarded calls were not counted)";
  if (r.observed.empty()) return "unknown";
  return printable(r.observed);
}

std::string describe_program(const Program& p) {
  auto count = [](std::uint64_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
  };
  std::string out;
  if (p.processes) out += count(*p.processes, "process", "processes") + ", ";
  if (p.threads) out += count(*p.threads, "thread", "threads") + ", ";
  return out + count(p.calls, "call", "calls");
}

std::string format_errors(const Counts& errors) {
  std::string out;
  for (const auto& [name, count] : errors) {
    if (!out.empty()) out += ", ";
    out += printable(name) + "\u00d7" + std::to_string(count);
  }
  return out;
}

std::string format_nr(const Syscall& s) { return s.nr ? std::to_string(*s.nr) : ""; }

std::uint64_t sum_counts(const Counts& counts, std::size_t from) {
  std::uint64_t n = 0;
  for (std::size_t i = from; i < counts.size(); ++i) n += counts[i].second;
  return n;
}

// ===========================================================================
// Text rendering
// ===========================================================================

constexpr std::size_t kTextVariantLimit = 8;

namespace ansi {
constexpr std::string_view kReset = "\x1b[0m";
constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kDim = "\x1b[2m";
constexpr std::string_view kAlert = "\x1b[1;97;41m";  // bold white on red: cannot be missed
}  // namespace ansi

std::string_view served_ansi(std::string_view served) {
  if (served == "forwarded") return "\x1b[32m";      // green: the host kernel did it
  if (served == "emulated") return "\x1b[36m";       // cyan
  if (served == "translated") return "\x1b[96m";     // bright cyan: host ran it, sentry translated
  if (served == "supervised") return "\x1b[34m";     // blue
  if (served == "denied") return "\x1b[1;33m";       // bold yellow: refused by policy
  if (served == "unsupported") return "\x1b[1;31m";  // bold red: sentry cannot do it
  return "\x1b[35m";                                 // magenta: a kind we do not know
}

// Applies ANSI styles only when color is on, so color=false output is plain.
class Styler {
 public:
  explicit Styler(bool color) : color_(color) {}
  std::string operator()(std::string_view text, std::string_view code) const {
    if (!color_ || code.empty() || text.empty()) return std::string(text);
    return std::string(code) + std::string(text) + std::string(ansi::kReset);
  }

 private:
  bool color_;
};

enum class Align { kLeft, kRight };

struct Cell {
  std::string text;  // already printable()
  std::string_view style = {};
};

// Column-aligned rows; a row may carry verbatim lines printed under it (the
// argument variants), which do not take part in the alignment.
class TextTable {
 public:
  explicit TextTable(std::vector<Align> aligns) : aligns_(std::move(aligns)) {}

  void add_row(std::vector<Cell> cells, std::vector<std::string> trailer = {}) {
    cells.resize(std::min(cells.size(), aligns_.size()));
    rows_.push_back({std::move(cells), std::move(trailer)});
  }

  std::string render(std::string_view indent, const Styler& style) const {
    const std::vector<std::size_t> widths = column_widths();
    std::string out;
    for (const Row& row : rows_) {
      std::string line(indent);
      for (std::size_t i = 0; i < row.cells.size(); ++i) {
        line += render_cell(row.cells[i], i, widths[i], i + 1 == row.cells.size(), style);
      }
      // Empty trailing cells (no errors) would otherwise leave blanks behind.
      const auto end = line.find_last_not_of(' ');
      line.erase(end == std::string::npos ? 0 : end + 1);
      out += line + '\n';
      for (const std::string& extra : row.trailer) out += extra + '\n';
    }
    return out;
  }

 private:
  struct Row {
    std::vector<Cell> cells;
    std::vector<std::string> trailer;
  };

  std::vector<std::size_t> column_widths() const {
    std::vector<std::size_t> widths(aligns_.size(), 0);
    for (const Row& row : rows_) {
      for (std::size_t i = 0; i < row.cells.size(); ++i) {
        widths[i] = std::max(widths[i], display_width(row.cells[i].text));
      }
    }
    return widths;
  }

  // Pads outside the color codes so escapes never count as width; the last
  // cell is not padded on the right, to keep lines free of trailing blanks.
  std::string render_cell(const Cell& cell, std::size_t col, std::size_t width, bool last,
                          const Styler& style) const {
    const std::string pad(width - display_width(cell.text), ' ');
    std::string out = col == 0 ? "" : "  ";
    if (aligns_[col] == Align::kRight) out += pad;
    out += style(cell.text, cell.style);
    if (aligns_[col] == Align::kLeft && !last) out += pad;
    return out;
  }

  std::vector<Align> aligns_;
  std::vector<Row> rows_;
};

std::string text_header(const Report& r, const Styler& style) {
  std::string out = style("sentry coverage report", ansi::kBold) + "\n";
  TextTable facts({Align::kLeft, Align::kLeft});
  facts.add_row({{"command"}, {command_line(r)}});
  facts.add_row({{"platform"}, {r.platform.empty() ? "unknown" : printable(r.platform)}});
  facts.add_row({{"observed"}, {describe_observed(r)}});
  facts.add_row({{"exit"}, {describe_exit(r)}});
  if (r.wall_seconds) facts.add_row({{"wall time"}, {format_seconds(*r.wall_seconds)}});
  facts.add_row({{"programs"}, {std::to_string(r.programs.size())}});
  std::string version = r.sentry_version.empty() ? "" : printable(r.sentry_version) + ", ";
  facts.add_row({{"sentry"}, {version + "report format " + printable(r.format)}});
  return out + facts.render("  ", style);
}

std::string text_totals(const Report& r, const Styler& style) {
  std::string out = "\n" + style("Calls by how served", ansi::kBold) + "\n";
  TextTable table({Align::kLeft, Align::kRight, Align::kRight});
  table.add_row({{"served", ansi::kBold}, {"calls", ansi::kBold}, {"%", ansi::kBold}});
  for (const auto& [kind, count] : r.by_served) {
    table.add_row({{printable(kind), served_ansi(kind)},
                   {std::to_string(count)},
                   {format_percent(count, r.total_calls)}});
  }
  table.add_row({{"total"}, {std::to_string(r.total_calls)}, {format_percent(r.total_calls, r.total_calls)}});
  out += table.render("  ", style);
  if (r.observed == "served") {
    out += "  note: forwarded calls were not observed, so their counts are missing\n";
  }
  return out;
}

std::string text_refused(const Report& r, const Styler& style) {
  std::size_t syscalls = 0;
  std::uint64_t calls = 0;
  TextTable table({Align::kLeft, Align::kLeft, Align::kRight, Align::kLeft, Align::kRight,
                   Align::kLeft, Align::kLeft});
  table.add_row({{"program", ansi::kBold}, {"syscall", ansi::kBold}, {"nr", ansi::kBold},
                 {"served", ansi::kBold}, {"calls", ansi::kBold}, {"errno", ansi::kBold},
                 {"reason", ansi::kBold}});
  for (const Program& p : r.programs) {
    for (const Syscall* s : refused_calls(p)) {
      ++syscalls;
      calls += s->count;
      table.add_row({{printable(p.image)}, {printable(s->name)}, {format_nr(*s)},
                     {printable(s->served), served_ansi(s->served)}, {std::to_string(s->count)},
                     {printable(s->errno_name)}, {printable(s->reason)}});
    }
  }
  const std::string title = "!!! UNSUPPORTED / DENIED CALLS HIT: " + std::to_string(syscalls) +
                            " syscall" + (syscalls == 1 ? "" : "s") + ", " + std::to_string(calls) +
                            " call" + (calls == 1 ? "" : "s") + " !!!";
  return "\n" + style(title, ansi::kAlert) + "\n" +
         "  sentry refused or could not serve these calls; the program got an error instead\n"
         "  and may have behaved differently than it does natively.\n" +
         table.render("  ", style);
}

// Lines under a syscall row: per argument, its most frequent values.
//       flags:  30  O_RDONLY|O_CLOEXEC
//       path:    1  /proc/self/status
std::vector<std::string> text_variants(const Syscall& s, const Styler& style) {
  const std::string indent(6, ' ');
  std::size_t key_width = 0;
  std::size_t count_width = 0;
  for (const auto& [arg, values] : s.variants) {
    key_width = std::max(key_width, display_width(printable(arg)) + 1);
    for (std::size_t i = 0; i < values.size() && i < kTextVariantLimit; ++i) {
      count_width = std::max(count_width, std::to_string(values[i].second).size());
    }
  }
  std::vector<std::string> lines;
  for (const auto& [arg, values] : s.variants) {
    const std::string key = printable(arg) + ":";
    for (std::size_t i = 0; i < values.size() && i < kTextVariantLimit; ++i) {
      const std::string count = std::to_string(values[i].second);
      const std::string label = i == 0 ? key : "";
      lines.push_back(indent + label + std::string(key_width - display_width(label), ' ') + "  " +
                      std::string(count_width - count.size(), ' ') + count + "  " +
                      printable(values[i].first));
    }
    if (values.size() > kTextVariantLimit) {
      const std::string more = "+" + std::to_string(values.size() - kTextVariantLimit) + " more (" +
                               std::to_string(sum_counts(values, kTextVariantLimit)) + " calls)";
      lines.push_back(indent + std::string(key_width + 2, ' ') + style(more, ansi::kDim));
    }
  }
  return lines;
}

// Like a strace -c table (calls, share, errors), plus nr, how served and
// which errnos.
std::string text_program(const Program& p, std::size_t index, std::size_t count,
                         const Styler& style) {
  std::string out = "\n" +
                    style("== [" + std::to_string(index + 1) + "/" + std::to_string(count) + "] " +
                              printable(p.image),
                          ansi::kBold) +
                    "  (" + describe_program(p) + ")\n";
  if (p.syscalls.empty()) return out + "  no calls recorded\n";
  TextTable table({Align::kLeft, Align::kRight, Align::kRight, Align::kRight, Align::kRight,
                   Align::kLeft, Align::kLeft});
  table.add_row({{"syscall", ansi::kBold}, {"nr", ansi::kBold}, {"calls", ansi::kBold},
                 {"% calls", ansi::kBold}, {"errors", ansi::kBold}, {"served", ansi::kBold},
                 {"error breakdown", ansi::kBold}});
  std::uint64_t errors = 0;
  for (const Syscall& s : p.syscalls) {
    const std::uint64_t e = error_total(s);
    errors += e;
    table.add_row({{printable(s.name)}, {format_nr(s)}, {std::to_string(s.count)},
                   {format_percent(s.count, p.calls)}, {e ? std::to_string(e) : ""},
                   {printable(s.served), served_ansi(s.served)}, {format_errors(s.errors)}},
                  text_variants(s, style));
  }
  table.add_row({{"total"}, {""}, {std::to_string(p.calls)}, {format_percent(p.calls, p.calls)},
                 {std::to_string(errors)}});
  return out + table.render("  ", style);
}

std::string text_report(const Report& r, bool color) {
  const Styler style(color);
  std::string out = text_header(r, style);
  out += text_totals(r, style);
  if (any_refused(r)) out += text_refused(r, style);
  if (r.programs.empty()) out += "\nno programs recorded\n";
  for (std::size_t i = 0; i < r.programs.size(); ++i) {
    out += text_program(r.programs[i], i, r.programs.size(), style);
  }
  return out;
}

// ===========================================================================
// HTML rendering
// ===========================================================================

constexpr std::size_t kHtmlVariantLimit = 100;

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

// Every string that came from the report goes through here.
std::string html(std::string_view s) { return html_escape(printable(s)); }

std::string_view served_color(std::string_view served) {
  if (served == "forwarded") return "#4e79a7";
  if (served == "emulated") return "#59a14f";
  if (served == "translated") return "#76b7b2";
  if (served == "supervised") return "#f28e2b";
  if (served == "denied") return "#e15759";
  if (served == "unsupported") return "#a50f15";
  return "#9c9c9c";
}

// A CSS class for a served kind; unknown kinds (arbitrary strings from the
// report) must not become class names.
std::string served_class(std::string_view served) {
  for (std::string_view kind : kServedKinds) {
    if (served == kind) return "s-" + std::string(kind);
  }
  return "s-other";
}

std::string served_badge(std::string_view served) {
  return "<span class=\"served " + served_class(served) + "\">" + html(served) + "</span>";
}

std::string format_px(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// Horizontal bars, one per served kind, scaled to the largest so small kinds
// stay visible; any nonzero count gets at least a sliver.
std::string svg_bar_chart(const Counts& bars, std::uint64_t total, std::string_view title) {
  constexpr int kLabelWidth = 110, kBarWidth = 360, kValueWidth = 170, kRowHeight = 26,
                kBarHeight = 16, kTop = 4;
  const int width = kLabelWidth + kBarWidth + kValueWidth;
  const int height = static_cast<int>(bars.size()) * kRowHeight + kTop;
  std::uint64_t max = 0;
  for (const auto& [kind, count] : bars) max = std::max(max, count);

  const std::string w = std::to_string(width), h = std::to_string(height);
  std::string out = "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" width=\"" +
                    w + "\" height=\"" + h + "\" viewBox=\"0 0 " + w + " " + h +
                    "\" aria-label=\"" + html(title) + "\"><title>" + html(title) + "</title>";
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const auto& [kind, count] = bars[i];
    double bar = max == 0 ? 0.0 : static_cast<double>(count) * kBarWidth / static_cast<double>(max);
    if (count > 0) bar = std::max(bar, 2.0);
    const std::string y = std::to_string(kTop + static_cast<int>(i) * kRowHeight);
    const std::string text_y = std::to_string(kTop + static_cast<int>(i) * kRowHeight + kBarHeight - 3);
    out += "<text x=\"" + std::to_string(kLabelWidth - 8) + "\" y=\"" + text_y +
           "\" text-anchor=\"end\">" + html(kind) + "</text>";
    out += "<rect x=\"" + std::to_string(kLabelWidth) + "\" y=\"" + y + "\" width=\"" +
           std::to_string(kBarWidth) + "\" height=\"" + std::to_string(kBarHeight) +
           "\" fill=\"#eef0f3\" rx=\"2\"/>";
    out += "<rect x=\"" + std::to_string(kLabelWidth) + "\" y=\"" + y + "\" width=\"" +
           format_px(bar) + "\" height=\"" + std::to_string(kBarHeight) + "\" fill=\"" +
           std::string(served_color(kind)) + "\" rx=\"2\"/>";
    out += "<text x=\"" + format_px(kLabelWidth + bar + 6) + "\" y=\"" + text_y + "\">" +
           std::to_string(count) + " (" + html_escape(format_percent(count, total)) + ")</text>";
  }
  return out + "</svg>\n";
}

constexpr std::string_view kCss = R"css(
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1d2430;
       margin: 0 auto; max-width: 1200px; padding: 16px 24px 48px; background: #fff; }
h1 { font-size: 22px; margin: 8px 0 4px; }
h2 { font-size: 18px; margin: 28px 0 6px; border-bottom: 1px solid #dde1e7; padding-bottom: 4px; }
code, .mono, td.num, td.nr { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 13px; }
p.cmd code { display: block; background: #f4f6f8; padding: 8px 10px; border-radius: 4px; white-space: pre-wrap; word-break: break-all; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 8px 0; }
dl.facts dt { color: #5b6573; } dl.facts dd { margin: 0; }
.note { background: #fff8e1; border-left: 4px solid #f0b400; padding: 6px 10px; }
.ok { background: #edf7ed; border-left: 4px solid #59a14f; padding: 6px 10px; }
section.alert { border: 2px solid #a50f15; background: #fff1f0; border-radius: 6px; padding: 4px 14px 12px; margin-top: 20px; }
section.alert h2 { color: #a50f15; border-bottom-color: #f3c1bd; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { padding: 3px 10px; text-align: left; vertical-align: top; border-bottom: 1px solid #eceff3; }
th { background: #f4f6f8; font-weight: 600; white-space: nowrap; }
table.sortable th { cursor: pointer; user-select: none; }
table.sortable th::after { content: " \2195"; color: #aab; font-size: 11px; }
table.sortable th[data-dir="asc"]::after { content: " \25b2"; color: #333; }
table.sortable th[data-dir="desc"]::after { content: " \25bc"; color: #333; }
td.num, td.nr { text-align: right; white-space: nowrap; }
td.pct { background: linear-gradient(to left, #dfe7f1 var(--p), transparent var(--p)); }
tfoot td { font-weight: 600; border-top: 2px solid #dde1e7; }
tr.refused td { background: #fff1f0; }
.served { display: inline-block; padding: 0 7px; border-radius: 9px; color: #fff; font-size: 12px; background: #9c9c9c; }
.s-forwarded { background: #4e79a7; } .s-emulated { background: #59a14f; } .s-translated { background: #76b7b2; } .s-supervised { background: #f28e2b; }
.s-denied { background: #e15759; } .s-unsupported { background: #a50f15; }
td.errors { color: #8a1c1c; }
details summary { cursor: pointer; color: #3a5f8f; }
table.variants { margin: 4px 0 4px 8px; font-size: 13px; }
table.variants th { background: none; color: #5b6573; border: none; padding-top: 6px; }
table.variants td { border: none; padding: 1px 8px; }
svg.chart { display: block; margin: 6px 0; max-width: 100%; height: auto; font-size: 12px; fill: #1d2430; }
nav ul { margin: 4px 0; padding-left: 20px; }
footer { margin-top: 36px; color: #8a93a0; font-size: 12px; }
)css";

// Makes every table.sortable sortable by clicking a header; cells with a
// data-v attribute sort numerically. The page is complete without it.
constexpr std::string_view kSortScript = R"js(
document.querySelectorAll('table.sortable > thead th').forEach(function (th) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0], col = th.cellIndex;
    var desc = th.dataset.dir !== 'desc';
    th.parentNode.querySelectorAll('th').forEach(function (o) { delete o.dataset.dir; });
    th.dataset.dir = desc ? 'desc' : 'asc';
    function key(row) {
      var c = row.cells[col];
      return c.dataset.v !== undefined ? Number(c.dataset.v) : c.textContent;
    }
    Array.prototype.slice.call(body.rows).sort(function (a, b) {
      var x = key(a), y = key(b);
      var d = typeof x === 'number' ? x - y : String(x).localeCompare(String(y));
      return desc ? -d : d;
    }).forEach(function (row) { body.appendChild(row); });
  });
});
)js";

std::string num_cell(std::uint64_t v) {
  const std::string s = std::to_string(v);
  return "<td class=\"num\" data-v=\"" + s + "\">" + s + "</td>";
}

std::string pct_cell(std::uint64_t part, std::uint64_t whole) {
  const double p = whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
  return "<td class=\"num pct\" data-v=\"" + std::to_string(part) + "\" style=\"--p:" +
         format_px(std::min(p, 100.0)) + "%\">" + html_escape(format_percent(part, whole)) + "</td>";
}

std::string html_header(const Report& r) {
  std::string out = "<header>\n<h1>sentry coverage report</h1>\n<p class=\"cmd\"><code>" +
                    html_escape(command_line(r)) + "</code></p>\n<dl class=\"facts\">\n";
  auto fact = [&out](std::string_view term, const std::string& escaped_value) {
    out += "<dt>" + std::string(term) + "</dt><dd>" + escaped_value + "</dd>\n";
  };
  fact("platform", r.platform.empty() ? "unknown" : html(r.platform));
  fact("observed", html_escape(describe_observed(r)));
  fact("exit", html_escape(describe_exit(r)));
  if (r.wall_seconds) fact("wall time", format_seconds(*r.wall_seconds));
  fact("calls", std::to_string(r.total_calls));
  fact("programs", std::to_string(r.programs.size()));
  fact("sentry", (r.sentry_version.empty() ? "" : html(r.sentry_version) + ", ") +
                     "report format " + html(r.format));
  out += "</dl>\n";
  if (r.observed == "served") {
    out += "<p class=\"note\">Forwarded calls were not observed for this run, so their counts "
           "are missing; shares are of the calls sentry served.</p>\n";
  }
  return out + "</header>\n";
}

std::string html_refused(const Report& r) {
  if (!any_refused(r)) {
    return "<p class=\"ok\">No unsupported or denied calls were hit.</p>\n";
  }
  std::string out =
      "<section class=\"alert\" id=\"refused\">\n<h2>Unsupported / denied calls hit</h2>\n"
      "<p>sentry refused or could not serve these calls; the program got an error instead and "
      "may have behaved differently than it does natively.</p>\n"
      "<table class=\"sortable\"><thead><tr><th>program</th><th>syscall</th><th>nr</th>"
      "<th>served</th><th>calls</th><th>errno</th><th>reason</th></tr></thead><tbody>\n";
  for (const Program& p : r.programs) {
    for (const Syscall* s : refused_calls(p)) {
      out += "<tr><td class=\"mono\">" + html(p.image) + "</td><td class=\"mono\">" + html(s->name) +
             "</td><td class=\"nr\" data-v=\"" + std::to_string(s->nr.value_or(-1)) + "\">" +
             format_nr(*s) + "</td><td>" + served_badge(s->served) + "</td>" + num_cell(s->count) +
             "<td class=\"mono\">" + html(s->errno_name) + "</td><td>" + html(s->reason) +
             "</td></tr>\n";
    }
  }
  return out + "</tbody></table>\n</section>\n";
}

std::string html_totals(const Report& r) {
  std::string out = "<section id=\"overview\">\n<h2>Calls by how served</h2>\n" +
                    svg_bar_chart(r.by_served, r.total_calls, "calls by how served, all programs");
  out += "<table><thead><tr><th>served</th><th>calls</th><th>%</th></tr></thead><tbody>\n";
  for (const auto& [kind, count] : r.by_served) {
    out += "<tr><td>" + served_badge(kind) + "</td>" + num_cell(count) +
           pct_cell(count, r.total_calls) + "</tr>\n";
  }
  return out + "</tbody><tfoot><tr><td>total</td>" + num_cell(r.total_calls) +
         pct_cell(r.total_calls, r.total_calls) + "</tr></tfoot></table>\n</section>\n";
}

std::string html_program_index(const Report& r) {
  if (r.programs.size() < 2) return "";
  std::string out = "<nav><h2>Programs</h2><ul>\n";
  for (std::size_t i = 0; i < r.programs.size(); ++i) {
    const Program& p = r.programs[i];
    out += "<li><a href=\"#program-" + std::to_string(i + 1) + "\"><code>" + html(p.image) +
           "</code></a> &mdash; " + html_escape(describe_program(p)) + "</li>\n";
  }
  return out + "</ul></nav>\n";
}

std::string html_variants(const Syscall& s) {
  if (s.variants.empty()) return "";
  std::string args;
  for (const auto& [arg, values] : s.variants) args += (args.empty() ? "" : ", ") + html(arg);
  std::string out = "<details><summary>" + args + "</summary><table class=\"variants\">";
  for (const auto& [arg, values] : s.variants) {
    out += "<tr><th colspan=\"2\">" + html(arg) + "</th></tr>";
    for (std::size_t i = 0; i < values.size() && i < kHtmlVariantLimit; ++i) {
      out += "<tr><td class=\"num\">" + std::to_string(values[i].second) + "</td><td><code>" +
             html(values[i].first) + "</code></td></tr>";
    }
    if (values.size() > kHtmlVariantLimit) {
      out += "<tr><td></td><td>+" + std::to_string(values.size() - kHtmlVariantLimit) +
             " more (" + std::to_string(sum_counts(values, kHtmlVariantLimit)) + " calls)</td></tr>";
    }
  }
  return out + "</table></details>";
}

std::string html_syscall_row(const Syscall& s, std::uint64_t program_calls) {
  const std::uint64_t errors = error_total(s);
  return std::string(is_refused(s.served) ? "<tr class=\"refused\">" : "<tr>") +
         "<td class=\"mono\">" + html(s.name) + "</td><td class=\"nr\" data-v=\"" +
         std::to_string(s.nr.value_or(-1)) + "\">" + format_nr(s) + "</td>" + num_cell(s.count) +
         pct_cell(s.count, program_calls) + "<td class=\"num\" data-v=\"" + std::to_string(errors) +
         "\">" + (errors ? std::to_string(errors) : "") + "</td><td>" + served_badge(s.served) +
         "</td><td class=\"errors mono\">" + html_escape(format_errors(s.errors)) + "</td><td>" +
         html_variants(s) + "</td></tr>\n";
}

Counts nonzero(const Counts& counts) {
  Counts out;
  for (const auto& entry : counts) {
    if (entry.second > 0) out.push_back(entry);
  }
  return out;
}

std::string html_program(const Program& p, std::size_t index) {
  std::string out = "<section class=\"program\" id=\"program-" + std::to_string(index + 1) +
                    "\">\n<h2><code>" + html(p.image) + "</code></h2>\n<p>" +
                    html_escape(describe_program(p)) + "</p>\n";
  if (p.syscalls.empty()) return out + "<p>No calls recorded.</p>\n</section>\n";
  out += svg_bar_chart(nonzero(p.by_served), p.calls, "calls by how served, " + p.image);
  out += "<table class=\"sortable\"><thead><tr><th>syscall</th><th>nr</th><th>calls</th>"
         "<th>% calls</th><th>errors</th><th>served</th><th>error breakdown</th>"
         "<th>argument variants</th></tr></thead><tbody>\n";
  std::uint64_t errors = 0;
  for (const Syscall& s : p.syscalls) {
    errors += error_total(s);
    out += html_syscall_row(s, p.calls);
  }
  return out + "</tbody><tfoot><tr><td>total</td><td></td>" + num_cell(p.calls) +
         pct_cell(p.calls, p.calls) + num_cell(errors) +
         "<td></td><td></td><td></td></tr></tfoot></table>\n</section>\n";
}

std::string html_report(const Report& r) {
  std::string out =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>sentry "
      "coverage: " +
      html_escape(command_line(r)) + "</title>\n<style>" + std::string(kCss) +
      "</style>\n</head>\n<body>\n";
  out += html_header(r);
  out += html_refused(r);
  out += html_totals(r);
  out += html_program_index(r);
  for (std::size_t i = 0; i < r.programs.size(); ++i) out += html_program(r.programs[i], i);
  if (r.programs.empty()) out += "<p>No programs recorded.</p>\n";
  out += "<footer>generated by sentry from a " + html(r.format) + " report</footer>\n";
  return out + "<script>" + std::string(kSortScript) + "</script>\n</body>\n</html>\n";
}

// ===========================================================================
// Entry points
// ===========================================================================

template <typename Render>
RenderResult render_safely(const json& j, Render render) noexcept {
  try {
    return RenderResult{true, render(parse_report(j)), ""};
  } catch (const ReportError& e) {
    return RenderResult{false, "", e.what()};
  } catch (const std::exception& e) {
    return RenderResult{false, "", std::string("cannot render the report: ") + e.what()};
  } catch (...) {
    return RenderResult{false, "", "cannot render the report: unknown error"};
  }
}

}  // namespace

RenderResult render_text(const nlohmann::json& report, bool color) noexcept {
  return render_safely(report, [color](const Report& r) { return text_report(r, color); });
}

RenderResult render_html(const nlohmann::json& report) noexcept {
  return render_safely(report, [](const Report& r) { return html_report(r); });
}

}  // namespace sentry::report
