#include "proc_synth/host_parse.h"

#include <charconv>

#include "proc_synth/format.h"

namespace sentry::proc_synth {

namespace {

std::optional<std::uint64_t> to_u64(std::string_view s) {
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::vector<StatusLine> parse_status(std::string_view text) {
  std::vector<StatusLine> out;
  for (const std::string& line : split_lines(text)) {
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value[0] == '\t') value.erase(0, 1);
    out.emplace_back(line.substr(0, colon), std::move(value));
  }
  return out;
}

std::optional<std::string> status_value(const std::vector<StatusLine>& lines, std::string_view key) {
  for (const auto& [k, v] : lines)
    if (k == key) return v;
  return std::nullopt;
}

std::optional<HostStatLine> parse_stat(std::string_view text) {
  const std::size_t open = text.find('(');
  const std::size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return std::nullopt;
  HostStatLine out;
  std::string_view pid = text.substr(0, open);
  while (!pid.empty() && pid.back() == ' ') pid.remove_suffix(1);
  const std::optional<std::uint64_t> v = to_u64(pid);
  if (!v) return std::nullopt;
  out.pid = static_cast<pid_t>(*v);
  out.comm = std::string(text.substr(open + 1, close - open - 1));
  out.fields = split_words(text.substr(close + 1));
  if (out.fields.empty()) return std::nullopt;
  return out;
}

std::vector<std::string> first_cpuinfo_block(std::string_view text) {
  std::vector<std::string> out;
  for (std::string& line : split_lines(text)) {
    if (line.empty()) {
      if (out.empty()) continue;
      break;
    }
    out.push_back(std::move(line));
  }
  return out;
}

std::optional<std::uint64_t> meminfo_kb(const std::vector<std::string>& lines, std::string_view key) {
  for (const std::string& line : lines) {
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos || std::string_view(line).substr(0, colon) != key) continue;
    const std::vector<std::string> words = split_words(std::string_view(line).substr(colon + 1));
    if (words.empty()) return std::nullopt;
    return to_u64(words[0]);
  }
  return std::nullopt;
}

HostStat parse_proc_stat(std::string_view text) {
  HostStat out;
  for (const std::string& line : split_lines(text)) {
    const std::size_t sp = line.find(' ');
    if (sp == std::string::npos) continue;
    const std::string_view key = std::string_view(line).substr(0, sp);
    std::string_view rest = std::string_view(line).substr(sp + 1);
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (key.starts_with("cpu") && key.size() > 3) {
      const std::optional<std::uint64_t> n = to_u64(key.substr(3));
      if (!n) continue;
      CpuTimes t;
      const std::vector<std::string> words = split_words(rest);
      for (std::size_t i = 0; i < t.ticks.size() && i < words.size(); ++i)
        t.ticks[i] = to_u64(words[i]).value_or(0);
      out.cpus[static_cast<int>(*n)] = t;
      out.order.push_back(static_cast<int>(*n));
    } else if (key == "intr") {
      out.intr = std::string(rest);
    } else if (key == "softirq") {
      out.softirq = std::string(rest);
    } else if (key == "ctxt") {
      out.ctxt = to_u64(rest).value_or(0);
    } else if (key == "btime") {
      out.btime = to_u64(rest).value_or(0);
    } else if (key == "processes") {
      out.processes = to_u64(rest).value_or(0);
    } else if (key == "procs_running") {
      out.procs_running = static_cast<unsigned>(to_u64(rest).value_or(1));
    } else if (key == "procs_blocked") {
      out.procs_blocked = static_cast<unsigned>(to_u64(rest).value_or(0));
    }
  }
  return out;
}

std::optional<std::uint64_t> parse_centi(std::string_view s) {
  const std::size_t dot = s.find('.');
  if (dot == std::string_view::npos || s.size() - dot - 1 != 2) return std::nullopt;
  const std::optional<std::uint64_t> whole = to_u64(s.substr(0, dot));
  const std::optional<std::uint64_t> frac = to_u64(s.substr(dot + 1));
  if (!whole || !frac) return std::nullopt;
  return *whole * 100 + *frac;
}

bool parse_uptime(std::string_view text, std::uint64_t* uptime_ns, std::uint64_t* idle_ns) {
  const std::vector<std::string> words = split_words(text);
  if (words.size() < 2) return false;
  const std::optional<std::uint64_t> up = parse_centi(words[0]);
  const std::optional<std::uint64_t> idle = parse_centi(words[1]);
  if (!up || !idle) return false;
  *uptime_ns = *up * 10'000'000;
  *idle_ns = *idle * 10'000'000;
  return true;
}

std::optional<HostLoadavg> parse_loadavg(std::string_view text) {
  const std::vector<std::string> words = split_words(text);
  if (words.size() < 5) return std::nullopt;
  HostLoadavg out;
  for (int i = 0; i < 3; ++i) {
    const std::optional<std::uint64_t> v = parse_centi(words[i]);
    if (!v) return std::nullopt;
    out.centi[i] = *v;
  }
  const std::size_t slash = words[3].find('/');
  if (slash == std::string::npos) return std::nullopt;
  out.running = static_cast<unsigned>(to_u64(std::string_view(words[3]).substr(0, slash)).value_or(0));
  out.threads = static_cast<unsigned>(to_u64(std::string_view(words[3]).substr(slash + 1)).value_or(0));
  out.last_pid = static_cast<pid_t>(to_u64(words[4]).value_or(0));
  return out;
}

std::string version_build(std::string_view proc_version, std::string_view release,
                          std::string_view uname_version) {
  std::string_view s = proc_version;
  while (!s.empty() && s.back() == '\n') s.remove_suffix(1);
  const std::string marker = " version " + std::string(release) + " ";
  const std::size_t at = s.find(marker);
  if (at == std::string_view::npos) return "";
  s.remove_prefix(at + marker.size());
  const std::string suffix = " " + std::string(uname_version);
  if (!s.ends_with(suffix)) return "";
  s.remove_suffix(suffix.size());
  return std::string(s);
}

std::vector<FilesystemType> parse_filesystems(std::string_view text) {
  std::vector<FilesystemType> out;
  for (const std::string& line : split_lines(text)) {
    const std::size_t tab = line.find('\t');
    if (tab == std::string::npos || tab + 1 >= line.size()) continue;
    out.push_back({line.substr(0, tab) == "nodev", line.substr(tab + 1)});
  }
  return out;
}

}  // namespace sentry::proc_synth
