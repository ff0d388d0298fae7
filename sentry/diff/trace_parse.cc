#include "sentry/diff/trace_parse.h"

#include <string.h>  // sigabbrev_np

#include <cctype>
#include <charconv>
#include <deque>
#include <sstream>
#include <unordered_map>

namespace sentry::diff {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (is_space(s.front()) || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (is_space(s.back()) || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// Parses a decimal pid at the start of `s`; advances `s` past it.
std::optional<pid_t> take_pid(std::string_view& s) {
  std::size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i == 0) return std::nullopt;
  long v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + i, v);
  if (ec != std::errc() || p != s.data() + i) return std::nullopt;
  s.remove_prefix(i);
  return static_cast<pid_t>(v);
}

// Scans `s` from `pos` (just inside an opening parenthesis, depth 1) to the
// parenthesis closing it, skipping quoted strings; returns its index or npos.
std::size_t find_closing_paren(std::string_view s, std::size_t pos, int depth = 1) {
  bool in_string = false;
  for (std::size_t i = pos; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '(' || c == '[' || c == '{') ++depth;
    else if (c == ')' || c == ']' || c == '}') {
      if (--depth == 0) return c == ')' ? i : std::string_view::npos;
    }
  }
  return std::string_view::npos;
}

// strace names calls it does not know "syscall_0x1b6"; sentry "syscall_438".
std::string normalise_name(std::string_view name) {
  if (starts_with(name, "syscall_")) {
    std::string_view nr = name.substr(8);
    int base = 10;
    if (starts_with(nr, "0x")) {
      nr.remove_prefix(2);
      base = 16;
    }
    unsigned long v = 0;
    auto [p, ec] = std::from_chars(nr.data(), nr.data() + nr.size(), v, base);
    if (ec == std::errc() && p == nr.data() + nr.size() && !nr.empty()) return "syscall_" + std::to_string(v);
  }
  return std::string(name);
}

bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '?'; }

// `after` is the text following a call's closing parenthesis: " = 3", or
// "                   = 3" (strace pads), or " = 3  <forwarded>" (sentry).
bool take_result(std::string_view after, bool sentry, TraceLine* out) {
  after = trim(after);
  if (after.empty() || after.front() != '=') return false;
  after.remove_prefix(1);
  after = trim(after);
  if (sentry && ends_with(after, ">")) {
    std::size_t lt = after.rfind("  <");
    if (lt != std::string_view::npos) {
      out->served = std::string(after.substr(lt + 3, after.size() - lt - 4));
      after = trim(after.substr(0, lt));
    }
  }
  out->result = parse_result(after);
  return true;
}

// The part of a line after its pid column.
std::optional<TraceLine> parse_body(pid_t tid, std::string_view body, bool sentry) {
  TraceLine out;
  out.tid = tid;
  body = trim(body);
  if (body.empty()) return std::nullopt;

  if (starts_with(body, "+++") || starts_with(body, "---")) {
    out.kind = TraceLine::Kind::kEvent;
    out.event = std::string(body);
    return out;
  }

  constexpr std::string_view kUnfinished = "<unfinished ...>";
  if (starts_with(body, "<... ")) {
    // <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 2}], 0, NULL) = 10903
    std::size_t end = body.find(" resumed>");
    if (end == std::string_view::npos) return std::nullopt;
    out.kind = TraceLine::Kind::kResumed;
    out.name = normalise_name(body.substr(5, end - 5));
    std::string_view rest = body.substr(end + 9);
    std::size_t close = find_closing_paren(rest, 0);
    if (close == std::string_view::npos) {
      // Resumed and unfinished again (rare) or malformed: keep it as pending.
      if (ends_with(rest, kUnfinished)) {
        out.kind = TraceLine::Kind::kUnfinished;
        out.args = std::string(trim(rest.substr(0, rest.size() - kUnfinished.size())));
        return out;
      }
      return std::nullopt;
    }
    out.args = std::string(rest.substr(0, close));
    if (!take_result(rest.substr(close + 1), sentry, &out)) return std::nullopt;
    return out;
  }

  if (body.front() == '<') {
    // sentry: "<call of a non-native ABI> = -1 ENOSYS (...)  <denied>"
    std::size_t gt = body.find('>');
    if (gt == std::string_view::npos) return std::nullopt;
    out.name = std::string(body.substr(0, gt + 1));
    if (!take_result(body.substr(gt + 1), sentry, &out)) return std::nullopt;
    return out;
  }

  std::size_t i = 0;
  while (i < body.size() && is_name_char(body[i])) ++i;
  if (i == 0 || i >= body.size() || body[i] != '(') return std::nullopt;
  out.name = normalise_name(body.substr(0, i));
  std::string_view rest = body.substr(i + 1);
  if (ends_with(rest, kUnfinished)) {
    out.kind = TraceLine::Kind::kUnfinished;
    out.args = std::string(trim(rest.substr(0, rest.size() - kUnfinished.size())));
    return out;
  }
  std::size_t close = find_closing_paren(rest, 0);
  if (close == std::string_view::npos) {
    // Unbalanced argument text (a truncated string we misread?): fall back to
    // the last " = " on the line.
    std::size_t eq = rest.rfind(" = ");
    if (eq == std::string_view::npos) return std::nullopt;
    std::size_t paren = rest.substr(0, eq).rfind(')');
    close = paren == std::string_view::npos ? eq : paren;
    out.args = std::string(rest.substr(0, close));
    if (!take_result(rest.substr(eq), sentry, &out)) return std::nullopt;
    return out;
  }
  out.args = std::string(rest.substr(0, close));
  if (!take_result(rest.substr(close + 1), sentry, &out)) return std::nullopt;
  return out;
}

}  // namespace

CallResult parse_result(std::string_view text) {
  CallResult r;
  text = trim(text);
  r.text = std::string(text);
  if (text.empty()) return r;
  // First word, then an optional errno name.
  std::size_t sp = text.find(' ');
  std::string_view first = text.substr(0, sp);
  std::string_view rest = sp == std::string_view::npos ? std::string_view() : trim(text.substr(sp + 1));
  std::string_view second = rest.substr(0, rest.find(' '));
  bool errno_like = second.size() >= 2 && second[0] == 'E' &&
                    std::isupper(static_cast<unsigned char>(second[1]));
  if (first == "?") {
    if (errno_like) {
      r.kind = CallResult::Kind::kError;
      r.error = std::string(second);
    }
    return r;
  }
  if (first == "-1" && errno_like) {
    r.kind = CallResult::Kind::kError;
    r.error = std::string(second);
    return r;
  }
  std::string_view digits = first;
  bool negative = false;
  if (!digits.empty() && digits.front() == '-') {
    negative = true;
    digits.remove_prefix(1);
  }
  int base = 10;
  if (starts_with(digits, "0x") || starts_with(digits, "0X")) {
    base = 16;
    digits.remove_prefix(2);
  } else if (digits.size() > 1 && digits.front() == '0') {
    base = 8;  // strace prints umask's result in octal
    digits.remove_prefix(1);
  }
  if (digits.empty()) return r;
  std::uint64_t v = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
  if (ec != std::errc() || p != digits.data() + digits.size()) return r;
  r.kind = CallResult::Kind::kValue;
  r.value = negative ? -static_cast<std::int64_t>(v) : static_cast<std::int64_t>(v);
  return r;
}

std::optional<TraceLine> parse_strace_line(std::string_view line) {
  // "10902 openat(AT_FDCWD, ...) = 3"; with one traced process strace may
  // leave the pid out, which `strace -f` never does once it follows a child.
  std::string_view s = trim(line);
  if (starts_with(s, "[pid ")) {  // strace without -o prints "[pid  1234] "
    s.remove_prefix(5);
    s = trim(s);
    auto tid = take_pid(s);
    if (!tid || s.empty() || s.front() != ']') return std::nullopt;
    s.remove_prefix(1);
    return parse_body(*tid, s, false);
  }
  auto tid = take_pid(s);
  if (!tid || s.empty() || !is_space(s.front())) return std::nullopt;
  return parse_body(*tid, s, false);
}

std::optional<TraceLine> parse_sentry_line(std::string_view line) {
  std::string_view s = trim(line);
  if (!starts_with(s, "[pid ")) return std::nullopt;
  s.remove_prefix(5);
  s = trim(s);
  auto tid = take_pid(s);  // the guest's id; the host's may follow ("3/20986")
  if (tid && !s.empty() && s.front() == '/') {
    s.remove_prefix(1);
    if (!take_pid(s)) return std::nullopt;
  }
  if (!tid || s.empty() || s.front() != ']') return std::nullopt;
  s.remove_prefix(1);
  return parse_body(*tid, s, true);
}

std::optional<int> signal_number(std::string_view name) {
  name = trim(name);
  if (name.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(name.front()))) {
    int v = 0;
    auto [p, ec] = std::from_chars(name.data(), name.data() + name.size(), v);
    if (ec == std::errc() && p == name.data() + name.size()) return v;
    return std::nullopt;
  }
  if (starts_with(name, "SIG")) name.remove_prefix(3);
  for (int sig = 1; sig < 65; ++sig) {
    const char* abbrev = sigabbrev_np(sig);
    if (abbrev != nullptr && name == abbrev) return sig;
  }
  return std::nullopt;
}

const ThreadTrace* Trace::find_label(std::string_view label) const {
  for (const ThreadTrace& t : threads)
    if (t.label == label) return &t;
  return nullptr;
}

void assign_thread_labels(Trace& trace) {
  for (ThreadTrace& t : trace.threads) t.label.clear();
  if (trace.threads.empty()) return;
  std::unordered_map<pid_t, std::size_t> by_tid;
  for (std::size_t i = 0; i < trace.threads.size(); ++i) by_tid.emplace(trace.threads[i].tid, i);
  std::deque<std::size_t> queue{0};
  trace.threads[0].label = "1";
  while (!queue.empty()) {
    std::size_t idx = queue.front();
    queue.pop_front();
    int k = 0;
    // Copy: labels are written into other elements of the same vector.
    const std::string parent = trace.threads[idx].label;
    for (const TraceCall& c : trace.threads[idx].calls) {
      if (c.name != "clone" && c.name != "clone3" && c.name != "fork" && c.name != "vfork") continue;
      if (c.result.kind != CallResult::Kind::kValue || c.result.value <= 0) continue;
      ++k;
      auto it = by_tid.find(static_cast<pid_t>(c.result.value));
      if (it == by_tid.end() || !trace.threads[it->second].label.empty()) continue;
      trace.threads[it->second].label = parent + "." + std::to_string(k);
      queue.push_back(it->second);
    }
  }
  int n = 0;
  for (ThreadTrace& t : trace.threads)
    if (t.label.empty()) t.label = "#" + std::to_string(++n);
}

Trace parse_trace(std::istream& in, TraceFormat format) {
  Trace trace;
  std::unordered_map<pid_t, std::size_t> by_tid;
  // strace: per thread, the index of its call left <unfinished ...>.
  std::unordered_map<pid_t, std::size_t> pending;
  auto thread = [&](pid_t tid) -> ThreadTrace& {
    auto [it, inserted] = by_tid.emplace(tid, trace.threads.size());
    if (inserted) {
      trace.threads.emplace_back();
      trace.threads.back().tid = tid;
    }
    return trace.threads[it->second];
  };
  std::string line;
  while (std::getline(in, line)) {
    ++trace.lines;
    if (trim(line).empty()) continue;
    auto parsed = format == TraceFormat::kSentry ? parse_sentry_line(line) : parse_strace_line(line);
    if (!parsed) {
      ++trace.unparsed_lines;
      continue;
    }
    ThreadTrace& t = thread(parsed->tid);
    switch (parsed->kind) {
      case TraceLine::Kind::kEvent: {
        std::string_view ev = parsed->event;
        constexpr std::string_view kExited = "+++ exited with ";
        constexpr std::string_view kKilled = "+++ killed by ";
        if (starts_with(ev, kExited)) {
          ev.remove_prefix(kExited.size());
          int code = 0;
          auto [p, ec] = std::from_chars(ev.data(), ev.data() + ev.size(), code);
          if (ec == std::errc()) t.exit_code = code;
        } else if (starts_with(ev, kKilled)) {
          ev.remove_prefix(kKilled.size());
          if (starts_with(ev, "signal ")) ev.remove_prefix(7);
          std::size_t end = ev.find(' ');
          if (auto sig = signal_number(ev.substr(0, end))) t.exit_signal = *sig;
        }
        break;
      }
      case TraceLine::Kind::kCall: {
        TraceCall c{parsed->name, parsed->args, parsed->result, parsed->served, trace.lines};
        t.calls.push_back(std::move(c));
        break;
      }
      case TraceLine::Kind::kUnfinished: {
        auto it = pending.find(parsed->tid);
        if (it != pending.end() && it->second < t.calls.size() && t.calls[it->second].name == parsed->name) {
          t.calls[it->second].args += parsed->args;  // resumed, then unfinished again
          break;
        }
        TraceCall c{parsed->name, parsed->args, CallResult{}, parsed->served, trace.lines};
        c.result.text = "?";
        t.calls.push_back(std::move(c));
        pending[parsed->tid] = t.calls.size() - 1;
        break;
      }
      case TraceLine::Kind::kResumed: {
        auto it = pending.find(parsed->tid);
        if (it != pending.end() && (it->second >= t.calls.size() || t.calls[it->second].name != parsed->name)) {
          pending.erase(it);  // that call never finished (its thread was replaced)
          it = pending.end();
        }
        if (it != pending.end()) {
          TraceCall& c = t.calls[it->second];
          c.args += parsed->args;
          c.result = parsed->result;
          pending.erase(it);
        } else {
          // e.g. execve resumed in the thread-group leader after a non-leader
          // thread called it: the call starts here for this tid.
          TraceCall c{parsed->name, parsed->args, parsed->result, parsed->served, trace.lines};
          t.calls.push_back(std::move(c));
        }
        break;
      }
    }
  }
  assign_thread_labels(trace);
  return trace;
}

Trace parse_trace_text(std::string_view text, TraceFormat format) {
  std::istringstream in{std::string(text)};
  return parse_trace(in, format);
}

}  // namespace sentry::diff
