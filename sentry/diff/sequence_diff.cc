#include "sentry/diff/sequence_diff.h"

#include <algorithm>
#include <array>
#include <unordered_map>

namespace sentry::diff {

// ---- Edit scripts ----------------------------------------------------------

namespace {

// Myers' greedy O((N+M)D) algorithm over a[a0..a1) x b[b0..b1), keeping the
// frontier of every step for the backtrack (memory ~D^2). Appends the edits
// and returns true, or returns false without appending when more than
// `max_d` changes are needed.
bool myers(std::size_t a0, std::size_t a1, std::size_t b0, std::size_t b1,
           const std::function<bool(std::size_t, std::size_t)>& same, std::size_t max_d,
           std::vector<Edit>* out) {
  const long n = static_cast<long>(a1 - a0);
  const long m = static_cast<long>(b1 - b0);
  const long limit = std::min<long>(n + m, static_cast<long>(max_d));
  // v[k + off]: the furthest x reached on diagonal k (x - y = k).
  const long off = limit + 1;
  std::vector<long> v(static_cast<std::size_t>(2 * limit + 3), 0);
  // history[d]: v[k] for k in [-d-1, d+1] as it was before step d.
  std::vector<std::vector<long>> history;
  long found = -1;
  for (long d = 0; d <= limit && found < 0; ++d) {
    history.emplace_back(v.begin() + (off - d - 1), v.begin() + (off + d + 2));
    for (long k = -d; k <= d; k += 2) {
      long x = (k == -d || (k != d && v[k - 1 + off] < v[k + 1 + off])) ? v[k + 1 + off] : v[k - 1 + off] + 1;
      long y = x - k;
      while (x < n && y < m && same(a0 + x, b0 + y)) ++x, ++y;
      v[k + off] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) return false;

  std::vector<Edit> rev;
  long x = n, y = m;
  auto pos = [&](long xa, long yb) { return std::pair{a0 + static_cast<std::size_t>(xa), b0 + static_cast<std::size_t>(yb)}; };
  for (long d = found; d > 0; --d) {
    const std::vector<long>& h = history[static_cast<std::size_t>(d)];
    auto at = [&](long k) { return h[static_cast<std::size_t>(k + d + 1)]; };
    long k = x - y;
    bool down = k == -d || (k != d && at(k - 1) < at(k + 1));  // down: an insertion
    long prev_k = down ? k + 1 : k - 1;
    long prev_x = at(prev_k);
    long prev_y = prev_x - prev_k;
    long mid_x = down ? prev_x : prev_x + 1;
    while (x > mid_x) {
      --x, --y;
      auto [pa, pb] = pos(x, y);
      rev.push_back({EditOp::kEqual, pa, pb});
    }
    if (down) {
      auto [pa, pb] = pos(prev_x, prev_y);
      rev.push_back({EditOp::kInsert, pa, pb});
    } else {
      auto [pa, pb] = pos(prev_x, prev_y);
      rev.push_back({EditOp::kDelete, pa, pb});
    }
    x = prev_x;
    y = prev_y;
  }
  while (x > 0) {
    --x, --y;
    auto [pa, pb] = pos(x, y);
    rev.push_back({EditOp::kEqual, pa, pb});
  }
  out->insert(out->end(), rev.rbegin(), rev.rend());
  return true;
}

}  // namespace

std::vector<Edit> diff_sequences(std::size_t n, std::size_t m,
                                 const std::function<bool(std::size_t, std::size_t)>& same,
                                 std::size_t max_changes) {
  std::vector<Edit> out;
  out.reserve(std::max(n, m));
  std::size_t pre = 0;
  while (pre < n && pre < m && same(pre, pre)) {
    out.push_back({EditOp::kEqual, pre, pre});
    ++pre;
  }
  std::size_t suf = 0;
  while (suf < n - pre && suf < m - pre && same(n - 1 - suf, m - 1 - suf)) ++suf;
  std::size_t a1 = n - suf, b1 = m - suf;
  if (!myers(pre, a1, pre, b1, same, max_changes, &out)) {
    for (std::size_t i = pre; i < a1; ++i) out.push_back({EditOp::kDelete, i, pre});
    for (std::size_t j = pre; j < b1; ++j) out.push_back({EditOp::kInsert, a1, j});
  }
  for (std::size_t i = 0; i < suf; ++i) out.push_back({EditOp::kEqual, a1 + i, b1 + i});
  return out;
}

std::size_t count_changes(const std::vector<Edit>& edits) {
  return static_cast<std::size_t>(
      std::count_if(edits.begin(), edits.end(), [](const Edit& e) { return e.op != EditOp::kEqual; }));
}

std::vector<Hunk> make_hunks(const std::vector<Edit>& edits, std::size_t context) {
  std::vector<Hunk> hunks;
  std::vector<std::size_t> changed;
  for (std::size_t i = 0; i < edits.size(); ++i)
    if (edits[i].op != EditOp::kEqual) changed.push_back(i);
  std::size_t c = 0;
  while (c < changed.size()) {
    std::size_t first = changed[c];
    std::size_t last = first;
    std::size_t count = 1;
    while (c + 1 < changed.size() && changed[c + 1] - last <= 2 * context + 1) {
      last = changed[++c];
      ++count;
    }
    ++c;
    std::size_t begin = first >= context ? first - context : 0;
    std::size_t end = std::min(edits.size(), last + context + 1);
    Hunk h;
    h.edits.assign(edits.begin() + static_cast<long>(begin), edits.begin() + static_cast<long>(end));
    h.changes = count;
    h.a_begin = edits[begin].a;
    h.b_begin = edits[begin].b;
    h.a_end = h.a_begin;
    h.b_end = h.b_begin;
    for (const Edit& e : h.edits) {
      if (e.op != EditOp::kInsert) h.a_end = e.a + 1;
      if (e.op != EditOp::kDelete) h.b_end = e.b + 1;
    }
    hunks.push_back(std::move(h));
  }
  return hunks;
}

// ---- Syscall sequences -----------------------------------------------------

bool result_is_volatile(std::string_view name) {
  static constexpr std::array<std::string_view, 33> kVolatile = {
      // addresses
      "mmap", "mremap", "brk", "shmat",
      // pids and tids
      "getpid", "getppid", "gettid", "clone", "clone3", "fork", "vfork", "wait4", "waitid",
      "set_tid_address", "getpgrp", "getpgid", "getsid", "setsid",
      // times, randomness, placement
      "time", "clock_gettime", "gettimeofday", "times", "getrandom", "getcpu", "sched_getcpu",
      // rt_sigreturn "returns" the interrupted call's value, wait4's pid included
      "rt_sigreturn",
      // futex wake counts and IPC ids depend on timing and on the host
      "futex", "shmget", "semget", "msgget",
      // the remaining seconds of an earlier alarm; a timer id
      "alarm", "timer_create", "timerfd_gettime",
  };
  return std::find(kVolatile.begin(), kVolatile.end(), name) != kVolatile.end();
}

std::string normalised_result(std::string_view name, const CallResult& r) {
  switch (r.kind) {
    case CallResult::Kind::kUnknown: return "?";
    case CallResult::Kind::kError: return "-1 " + r.error;
    case CallResult::Kind::kValue: return result_is_volatile(name) ? "ok" : std::to_string(r.value);
  }
  return "?";
}

std::string first_string_arg(std::string_view args, bool* truncated) {
  *truncated = false;
  std::size_t q = args.find('"');
  if (q == std::string_view::npos) return {};
  std::string out;
  for (std::size_t i = q + 1; i < args.size(); ++i) {
    char c = args[i];
    if (c == '"') {
      *truncated = args.substr(i + 1, 3) == "...";
      return out;
    }
    if (c == '\\' && i + 1 < args.size() && (args[i + 1] == '"' || args[i + 1] == '\\')) c = args[++i];
    out += c;
  }
  *truncated = true;  // unterminated
  return out;
}

namespace {

// "<scratch>" for the scratch dir; "/proc/<n>" for "/proc/1234".
std::string normalise_path(std::string path, std::string_view scratch) {
  if (!scratch.empty()) {
    for (std::size_t at = 0; (at = path.find(scratch, at)) != std::string::npos;) {
      path.replace(at, scratch.size(), "<scratch>");
      at += 9;
    }
  }
  constexpr std::string_view kProc = "/proc/";
  if (path.compare(0, kProc.size(), kProc) == 0) {
    std::size_t end = kProc.size();
    while (end < path.size() && path[end] >= '0' && path[end] <= '9') ++end;
    if (end > kProc.size() && (end == path.size() || path[end] == '/'))
      path.replace(kProc.size(), end - kProc.size(), "<n>");
  }
  return path;
}

bool paths_agree(const NormCall& a, const NormCall& b) {
  if (a.path.empty() || b.path.empty()) return true;
  if (a.path_truncated || b.path_truncated) {
    std::size_t n = std::min(a.path.size(), b.path.size());
    return a.path.compare(0, n, b.path, 0, n) == 0;
  }
  return a.path == b.path;
}

}  // namespace

std::vector<NormCall> normalise_calls(const ThreadTrace& thread, const CompareOptions& options,
                                      std::string_view scratch) {
  std::vector<NormCall> out;
  out.reserve(thread.calls.size());
  for (std::size_t i = 0; i < thread.calls.size(); ++i) {
    const TraceCall& c = thread.calls[i];
    if (options.ignore.count(c.name) != 0) continue;
    NormCall n;
    n.name = c.name;
    n.result = normalised_result(c.name, c.result);
    n.index = i;
    n.path = normalise_path(first_string_arg(c.args, &n.path_truncated), scratch);
    out.push_back(std::move(n));
  }
  return out;
}

bool same_call(const NormCall& a, const NormCall& b) {
  if (a.name != b.name) return false;
  if (a.result == "?" || b.result == "?") return paths_agree(a, b);
  return a.result == b.result;
}

namespace {

// Interned calls for fast comparison; result -1: unknown (then the paths
// are compared).
struct Key {
  int name;
  int result;
};

std::vector<Key> intern(const std::vector<NormCall>& calls, std::unordered_map<std::string, int>* names,
                        std::unordered_map<std::string, int>* results) {
  std::vector<Key> keys;
  keys.reserve(calls.size());
  for (const NormCall& c : calls) {
    int n = names->emplace(c.name, static_cast<int>(names->size())).first->second;
    int r = c.result == "?" ? -1 : results->emplace(c.result, static_cast<int>(results->size())).first->second;
    keys.push_back({n, r});
  }
  return keys;
}

}  // namespace

std::vector<ThreadComparison> compare_traces(const Trace& native, const Trace& sentry,
                                             const CompareOptions& options) {
  std::vector<ThreadComparison> out;
  auto add = [&](const ThreadTrace* n, const ThreadTrace* s) {
    ThreadComparison tc;
    tc.label = n ? n->label : s->label;
    tc.native = n;
    tc.sentry = s;
    if (n) tc.native_calls = normalise_calls(*n, options, options.native_scratch);
    if (s) tc.sentry_calls = normalise_calls(*s, options, options.sentry_scratch);
    if (tc.label == "1" && options.ignore.count("execve") == 0) {
      // The launcher may show the root's exec (strace) where the other does
      // not, or vice versa: align on what follows.
      auto first_is_execve = [](const std::vector<NormCall>& v) { return !v.empty() && v.front().name == "execve"; };
      bool ne = first_is_execve(tc.native_calls), se = first_is_execve(tc.sentry_calls);
      if (ne && !se && s) {
        tc.native_calls.erase(tc.native_calls.begin());
        tc.dropped_native_execve = true;
      } else if (se && !ne && n) {
        tc.sentry_calls.erase(tc.sentry_calls.begin());
        tc.dropped_sentry_execve = true;
      }
    }
    std::unordered_map<std::string, int> names, results;
    std::vector<Key> a = intern(tc.native_calls, &names, &results);
    std::vector<Key> b = intern(tc.sentry_calls, &names, &results);
    tc.edits = diff_sequences(
        a.size(), b.size(),
        [&](std::size_t i, std::size_t j) {
          if (a[i].name != b[j].name) return false;
          if (a[i].result >= 0 && b[j].result >= 0) return a[i].result == b[j].result;
          return paths_agree(tc.native_calls[i], tc.sentry_calls[j]);
        },
        options.max_changes);
    tc.changes = count_changes(tc.edits);
    tc.hunks = make_hunks(tc.edits, options.context);
    out.push_back(std::move(tc));
  };
  for (const ThreadTrace& n : native.threads) add(&n, sentry.find_label(n.label));
  for (const ThreadTrace& s : sentry.threads)
    if (native.find_label(s.label) == nullptr) add(nullptr, &s);
  return out;
}

// ---- Program output ---------------------------------------------------------

std::string mask_text(std::string_view text, const std::vector<std::regex>& masks, std::string_view scratch) {
  std::string s(text);
  if (!scratch.empty()) {
    std::string replaced;
    std::size_t from = 0;
    for (std::size_t at; (at = s.find(scratch, from)) != std::string::npos; from = at + scratch.size()) {
      replaced.append(s, from, at - from);
      replaced += "<scratch>";
    }
    replaced.append(s, from);
    s = std::move(replaced);
  }
  if (masks.empty()) return s;
  std::string out;
  out.reserve(s.size());
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t nl = s.find('\n', start);
    std::size_t end = nl == std::string::npos ? s.size() : nl;
    std::string line = s.substr(start, end - start);
    for (const std::regex& re : masks) line = std::regex_replace(line, re, "<masked>");
    out += line;
    if (nl == std::string::npos) break;
    out += '\n';
    start = nl + 1;
  }
  return out;
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      lines.emplace_back(text.substr(start));
      lines.emplace_back("\\ No newline at end");
      break;
    }
    lines.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

TextDiff diff_text(std::string_view a, std::string_view b, std::size_t context) {
  TextDiff d;
  d.a_lines = split_lines(a);
  d.b_lines = split_lines(b);
  d.edits = diff_sequences(d.a_lines.size(), d.b_lines.size(),
                           [&](std::size_t i, std::size_t j) { return d.a_lines[i] == d.b_lines[j]; });
  d.changes = count_changes(d.edits);
  d.hunks = make_hunks(d.edits, context);
  return d;
}

// ---- Files ------------------------------------------------------------------

std::vector<FileDifference> compare_files(const FileSet& native, const FileSet& sentry) {
  std::vector<FileDifference> out;
  auto n = native.begin();
  auto s = sentry.begin();
  while (n != native.end() || s != sentry.end()) {
    if (s == sentry.end() || (n != native.end() && n->first < s->first)) {
      out.push_back({n->first, n->second, std::nullopt});
      ++n;
    } else if (n == native.end() || s->first < n->first) {
      out.push_back({s->first, std::nullopt, s->second});
      ++s;
    } else {
      if (!(n->second == s->second)) out.push_back({n->first, n->second, s->second});
      ++n;
      ++s;
    }
  }
  return out;
}

std::uint64_t fnv1a(std::string_view data, std::uint64_t state) {
  for (unsigned char c : data) {
    state ^= c;
    state *= 0x100000001b3ull;
  }
  return state;
}

}  // namespace sentry::diff
