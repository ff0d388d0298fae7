#include "sentry/cli/diff_command.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "sentry/diff/sequence_diff.h"
#include "sentry/diff/trace_parse.h"

extern char** environ;

namespace sentry::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace sentry::diff;

constexpr std::size_t kMaxCapture = 64u << 20;    // bytes kept of each output stream
constexpr std::size_t kMaxOutputLines = 20;       // differing output lines shown per stream
constexpr std::size_t kMaxHunksPerThread = 10;    // differing runs of calls shown per thread
constexpr std::size_t kMaxArgsShown = 100;        // characters of a call's arguments shown

// ---- Running a child --------------------------------------------------------

struct Captured {
  bool started = false;
  std::string error;  // why it did not start
  int status = 0;     // waitpid status
  bool timed_out = false;
  std::string out, err;
  bool out_truncated = false, err_truncated = false;
  double seconds = 0;
};

// Runs `path` with `argv`, stdin from /dev/null, stdout and stderr captured
// separately, in `cwd` (if not empty), with `env`.
Captured run_captured(const std::string& path, const std::vector<std::string>& argv, const std::string& cwd,
                      const std::vector<std::string>& env, double timeout) {
  Captured c;
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) {
    c.error = std::string("pipe: ") + strerror(errno);
    return c;
  }
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    c.error = std::string("pipe: ") + strerror(errno);
    close(out_pipe[0]);
    close(out_pipe[1]);
    return c;
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&fa, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&fa, err_pipe[1], STDERR_FILENO);
  if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  // With a timeout the run gets its own process group, so that everything it
  // started can be killed; without, ^C reaches it as usual.
  if (timeout > 0) {
    flags |= POSIX_SPAWN_SETPGROUP;
    posix_spawnattr_setpgroup(&attr, 0);
  }
  posix_spawnattr_setflags(&attr, flags);
  sigset_t empty, defaults;
  sigemptyset(&empty);
  posix_spawnattr_setsigmask(&attr, &empty);
  sigemptyset(&defaults);
  for (int sig : {SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGCHLD, SIGHUP}) sigaddset(&defaults, sig);
  posix_spawnattr_setsigdefault(&attr, &defaults);

  std::vector<char*> cargv, cenv;
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const std::string& e : env) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);

  auto start = std::chrono::steady_clock::now();
  pid_t pid = -1;
  int rc = posix_spawn(&pid, path.c_str(), &fa, &attr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (rc != 0) {
    c.error = path + ": " + strerror(rc);
    close(out_pipe[0]);
    close(err_pipe[0]);
    return c;
  }
  c.started = true;

  struct Stream {
    int fd;
    std::string* text;
    bool* truncated;
  };
  Stream streams[2] = {{out_pipe[0], &c.out, &c.out_truncated}, {err_pipe[0], &c.err, &c.err_truncated}};
  auto deadline = start + std::chrono::duration<double>(timeout);
  bool killed = false;
  char buf[65536];
  while (streams[0].fd >= 0 || streams[1].fd >= 0) {
    pollfd fds[2];
    nfds_t n = 0;
    for (Stream& s : streams)
      if (s.fd >= 0) fds[n++] = {s.fd, POLLIN, 0};
    int wait_ms = -1;
    if (timeout > 0 && !killed) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      wait_ms = static_cast<int>(std::max<long>(0, left.count()));
    }
    int ready = poll(fds, n, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0 && timeout > 0 && !killed) {
      // SIGTERM to the whole process group (its own, see above) lets strace
      // and sentry finish their traces; SIGKILL after a grace period.
      if (!c.timed_out) {
        c.timed_out = true;
        kill(-pid, SIGTERM);
        deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      } else {
        kill(-pid, SIGKILL);
        killed = true;
      }
      continue;
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      Stream& s = streams[0].fd == fds[i].fd ? streams[0] : streams[1];
      ssize_t got = read(s.fd, buf, sizeof buf);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        close(s.fd);
        s.fd = -1;
        continue;
      }
      std::size_t room = kMaxCapture - std::min(kMaxCapture, s.text->size());
      if (static_cast<std::size_t>(got) > room) *s.truncated = true;
      s.text->append(buf, std::min(room, static_cast<std::size_t>(got)));
    }
  }
  while (waitpid(pid, &c.status, 0) < 0 && errno == EINTR) {
  }
  c.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return c;
}

// ---- Paths, environment, files ---------------------------------------------

// `name` as execvp would find it; a name with a slash is made absolute.
std::optional<std::string> find_program(const std::string& name) {
  auto runnable = [](const fs::path& p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(p.c_str(), X_OK) == 0;
  };
  if (name.find('/') != std::string::npos) {
    std::error_code ec;
    fs::path p = fs::absolute(name, ec);
    if (ec) return std::nullopt;
    return p.string();
  }
  const char* path = getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t colon = dirs.find(':', start);
    std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    fs::path candidate = fs::path(dir.empty() ? "." : dir) / name;
    if (runnable(candidate)) return fs::absolute(candidate).string();
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return std::nullopt;
}

std::vector<std::string> environment_with_pwd(const std::string& pwd) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (!pwd.empty() && strncmp(*e, "PWD=", 4) == 0) continue;
    env.emplace_back(*e);
  }
  if (!pwd.empty()) env.push_back("PWD=" + pwd);
  return env;
}

std::string hex64(std::uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

FileSet scan_files(const fs::path& root) {
  FileSet files;
  std::error_code ec;
  fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    std::string rel = entry.path().lexically_relative(root).string();
    FileInfo info;
    std::error_code sec;
    fs::file_status st = entry.symlink_status(sec);
    if (fs::is_symlink(st)) {
      info.type = "symlink";
      info.target = fs::read_symlink(entry.path(), sec).string();
    } else if (fs::is_directory(st)) {
      info.type = "dir";
      rel += "/";
    } else if (fs::is_regular_file(st)) {
      info.type = "file";
      std::ifstream in(entry.path(), std::ios::binary);
      std::uint64_t h = kFnvOffset;
      char buf[65536];
      while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        h = fnv1a(std::string_view(buf, static_cast<std::size_t>(in.gcount())), h);
        info.size += static_cast<std::uint64_t>(in.gcount());
      }
      info.hash = hex64(h);
    } else {
      info.type = "other";
    }
    files.emplace(rel, info);
  }
  return files;
}

// ---- Exit status ------------------------------------------------------------

struct ExitStatus {
  bool known = false;
  int code = 0;    // if !signal
  int signal = 0;  // 0: exited
  bool timed_out = false;

  bool same(const ExitStatus& o) const {
    return known == o.known && code == o.code && signal == o.signal && timed_out == o.timed_out;
  }
  std::string describe() const {
    std::string s;
    if (!known) s = "unknown";
    else if (signal != 0) s = "killed by SIG" + std::string(sigabbrev_np(signal) ? sigabbrev_np(signal) : "?") + " (" + std::to_string(signal) + ")";
    else s = "exited with " + std::to_string(code);
    if (timed_out) s += " after the timeout";
    return s;
  }
  json to_json() const {
    if (!known) return nullptr;
    return {{"code", signal ? json(nullptr) : json(code)},
            {"signal", signal ? json("SIG" + std::string(sigabbrev_np(signal) ? sigabbrev_np(signal) : "?")) : json(nullptr)},
            {"timed_out", timed_out}};
  }
};

ExitStatus from_wait_status(const Captured& c) {
  ExitStatus s;
  if (!c.started) return s;
  s.known = true;
  s.timed_out = c.timed_out;
  if (WIFSIGNALED(c.status)) s.signal = WTERMSIG(c.status);
  else s.code = WEXITSTATUS(c.status);
  return s;
}

// sentry's own exit status folds a signal N into 128+N; its report does not.
ExitStatus sentry_exit_status(const Captured& c, const fs::path& report) {
  ExitStatus s = from_wait_status(c);
  if (!s.known || s.signal != 0) return s;
  std::ifstream in(report);
  if (!in) return s;
  json j = json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.contains("exit") || !j["exit"].is_object()) return s;
  const json& e = j["exit"];
  if (e.contains("signal") && e["signal"].is_string()) {
    if (auto sig = signal_number(e["signal"].get<std::string>())) {
      s.signal = *sig;
      s.code = 0;
    }
  } else if (e.contains("code") && e["code"].is_number_integer()) {
    s.code = e["code"].get<int>();
  }
  return s;
}

// ---- Rendering --------------------------------------------------------------

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=/.,:@%") ==
                        std::string::npos)
    return s;
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string join_command(const std::vector<std::string>& argv) {
  std::string s;
  for (const std::string& a : argv) s += (s.empty() ? "" : " ") + shell_quote(a);
  return s;
}

std::string call_text(const TraceCall& c, bool with_served) {
  std::string args = c.args;
  if (args.size() > kMaxArgsShown) args = args.substr(0, kMaxArgsShown) + "...";
  std::string s = c.name + "(" + args + ") = " + c.result.text;
  if (with_served && !c.served.empty()) s += "  <" + c.served + ">";
  return s;
}

std::string describe_file(const FileInfo& f) {
  if (f.type == "file") return "file, " + std::to_string(f.size) + " bytes, hash " + f.hash;
  if (f.type == "symlink") return "symlink to " + f.target;
  return f.type;
}

// Unified-diff lines of one output stream, at most kMaxOutputLines changes.
void render_text_diff(std::ostream& o, const std::string& stream, const TextDiff& d) {
  o << "\n--- native " << stream << "\n+++ sentry " << stream << "\n";
  std::size_t shown = 0;
  for (const Hunk& h : d.hunks) {
    if (shown >= kMaxOutputLines) break;
    o << "@@ -" << h.a_begin + 1 << "," << h.a_end - h.a_begin << " +" << h.b_begin + 1 << ","
      << h.b_end - h.b_begin << " @@\n";
    for (const Edit& e : h.edits) {
      if (e.op == EditOp::kEqual) o << " " << d.a_lines[e.a] << "\n";
      else if (shown++ >= kMaxOutputLines) break;
      else if (e.op == EditOp::kDelete) o << "-" << d.a_lines[e.a] << "\n";
      else o << "+" << d.b_lines[e.b] << "\n";
    }
  }
  if (d.changes > kMaxOutputLines)
    o << "... and " << d.changes - kMaxOutputLines << " more differing lines\n";
}

std::string thread_title(const ThreadComparison& t) {
  std::string s = "thread " + t.label + " (";
  if (t.native) s += "native tid " + std::to_string(t.native->tid);
  if (t.native && t.sentry) s += ", ";
  if (t.sentry) s += "sentry tid " + std::to_string(t.sentry->tid);
  return s + ")";
}

void render_thread(std::ostream& o, const ThreadComparison& t) {
  o << "\n== syscalls of " << thread_title(t) << ": ";
  if (!t.native || !t.sentry) {
    const ThreadTrace* only = t.native ? t.native : t.sentry;
    o << "only " << (t.native ? "native" : "under sentry") << ", " << only->calls.size() << " calls\n";
    std::size_t i = 0;
    for (const TraceCall& c : only->calls) {
      if (++i > 5) {
        o << "        ...\n";
        break;
      }
      o << (t.native ? "-native " : "+sentry ") << call_text(c, true) << "\n";
    }
    return;
  }
  o << t.changes << " differing of " << t.native_calls.size() << " native / " << t.sentry_calls.size()
    << " sentry calls\n";
  if (t.dropped_native_execve) o << "(the root's first execve, seen only natively, is left out)\n";
  if (t.dropped_sentry_execve) o << "(the root's first execve, seen only under sentry, is left out)\n";
  std::size_t n = 0;
  for (const Hunk& h : t.hunks) {
    if (++n > kMaxHunksPerThread) {
      o << "... and " << t.hunks.size() - kMaxHunksPerThread << " more differing runs in this thread\n";
      break;
    }
    o << "@@ native call " << h.a_begin + 1 << ", sentry call " << h.b_begin + 1 << " @@\n";
    for (const Edit& e : h.edits) {
      switch (e.op) {
        case EditOp::kEqual:
          o << "        " << call_text(t.sentry->calls[t.sentry_calls[e.b].index], true) << "\n";
          break;
        case EditOp::kDelete:
          o << "-native " << call_text(t.native->calls[t.native_calls[e.a].index], false) << "\n";
          break;
        case EditOp::kInsert:
          o << "+sentry " << call_text(t.sentry->calls[t.sentry_calls[e.b].index], true) << "\n";
          break;
      }
    }
  }
}

json text_diff_json(const TextDiff& d) {
  json hunks = json::array();
  for (const Hunk& h : d.hunks) {
    json lines = json::array();
    for (const Edit& e : h.edits) {
      if (e.op == EditOp::kEqual) lines.push_back({{"op", " "}, {"text", d.a_lines[e.a]}});
      else if (e.op == EditOp::kDelete) lines.push_back({{"op", "-"}, {"text", d.a_lines[e.a]}});
      else lines.push_back({{"op", "+"}, {"text", d.b_lines[e.b]}});
    }
    hunks.push_back({{"native_start", h.a_begin + 1}, {"native_lines", h.a_end - h.a_begin},
                     {"sentry_start", h.b_begin + 1}, {"sentry_lines", h.b_end - h.b_begin},
                     {"lines", lines}});
  }
  return {{"equal", d.equal()}, {"changes", d.changes}, {"hunks", hunks}};
}

json call_json(const TraceCall& c, const NormCall& n) {
  json j = {{"name", c.name}, {"args", c.args}, {"result", c.result.text}, {"normalised", n.result},
            {"line", c.line}};
  if (!c.served.empty()) j["served"] = c.served;
  return j;
}

json thread_json(const ThreadComparison& t) {
  json j = {{"label", t.label},
            {"native_tid", t.native ? json(t.native->tid) : json(nullptr)},
            {"sentry_tid", t.sentry ? json(t.sentry->tid) : json(nullptr)},
            {"native_calls", t.native_calls.size()},
            {"sentry_calls", t.sentry_calls.size()},
            {"equal", t.equal()},
            {"changes", t.changes}};
  if (t.dropped_native_execve) j["dropped_native_execve"] = true;
  if (t.dropped_sentry_execve) j["dropped_sentry_execve"] = true;
  if (!t.native || !t.sentry) return j;
  json hunks = json::array();
  for (const Hunk& h : t.hunks) {
    json lines = json::array();
    for (const Edit& e : h.edits) {
      json line;
      if (e.op == EditOp::kDelete) {
        line = call_json(t.native->calls[t.native_calls[e.a].index], t.native_calls[e.a]);
        line["op"] = "-";
      } else {
        line = call_json(t.sentry->calls[t.sentry_calls[e.b].index], t.sentry_calls[e.b]);
        line["op"] = e.op == EditOp::kEqual ? " " : "+";
      }
      lines.push_back(line);
    }
    hunks.push_back({{"native_start", h.a_begin + 1}, {"sentry_start", h.b_begin + 1}, {"lines", lines}});
  }
  j["hunks"] = hunks;
  return j;
}

json file_json(const std::optional<FileInfo>& f) {
  if (!f) return nullptr;
  json j = {{"type", f->type}};
  if (f->type == "file") {
    j["size"] = f->size;
    j["hash"] = f->hash;
  }
  if (f->type == "symlink") j["target"] = f->target;
  return j;
}

// Names of the differing calls that depend on thread and signal timing as
// much as on the program: candidates for --ignore-syscall.
std::vector<std::string> timing_dependent_changes(const std::vector<ThreadComparison>& threads) {
  static const std::set<std::string> kTiming = {
      "futex", "rt_sigreturn", "wait4", "waitid", "sched_yield", "nanosleep", "clock_nanosleep",
      "poll", "ppoll", "select", "pselect6", "epoll_wait", "epoll_pwait", "restart_syscall"};
  std::set<std::string> names;
  for (const ThreadComparison& t : threads) {
    if (!t.native || !t.sentry) continue;
    for (const Edit& e : t.edits) {
      if (e.op == EditOp::kDelete && kTiming.count(t.native_calls[e.a].name)) names.insert(t.native_calls[e.a].name);
      if (e.op == EditOp::kInsert && kTiming.count(t.sentry_calls[e.b].name)) names.insert(t.sentry_calls[e.b].name);
    }
  }
  return {names.begin(), names.end()};
}

std::string plural(std::size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string served_summary(const Trace& t) {
  std::map<std::string, std::size_t> kinds;
  std::size_t calls = 0;
  for (const ThreadTrace& th : t.threads) {
    calls += th.calls.size();
    for (const TraceCall& c : th.calls) ++kinds[c.served.empty() ? "?" : c.served];
  }
  std::string s = std::to_string(calls) + " calls";
  for (const auto& [k, n] : kinds) s += ", " + std::to_string(n) + " " + k;
  return s;
}

}  // namespace

void add_diff_command(CLI::App& app, DiffArgs& args) {
  CLI::App* diff = app.add_subcommand(
      "diff", "Run a program natively (under strace) and under sentry, and show how the runs differ");
  diff->footer(
      "Compared: exit status; stdout and stderr (the scratch path shown as <scratch>, --mask matches\n"
      "as <masked>); files written into the scratch directory; per thread, the sequence of syscall\n"
      "names and results (pids, addresses, times: success or errno only). Threads are matched by\n"
      "creation: 1 is the root, 1.2 the second child 1 created.\n"
      "\n"
      "Examples:\n"
      "  sentry diff -- /bin/sh -c 'echo hi; ls /nonexistent; exit 3'\n"
      "  sentry diff --mask '[0-9]+' -- /bin/sh -c 'echo $$'\n"
      "  sentry diff --ignore-syscall rseq --json -- python3 -c 'print(1)'\n"
      "  sentry diff --scratch-dir-arg -- tar -xf archive.tar -C   # extracts into the scratch dir\n"
      "\n"
      "Exit status: 0 the runs match, 1 they differ, 2 usage error or strace missing.\n");
  diff->add_option("--mask", args.masks, "Regex (ECMAScript); its matches in stdout/stderr become <masked> "
                   "before comparing, line by line (repeatable)")
      ->allow_extra_args(false);
  diff->add_option("--ignore-syscall", args.ignore_syscalls, "Leave calls of this name out of the comparison "
                   "(repeatable)")
      ->allow_extra_args(false);
  diff->add_flag("--scratch-dir-arg", args.scratch_dir_arg,
                 "Append the scratch directory as the program's last argument and run it in the current "
                 "directory (default: run it in the scratch directory)");
  diff->add_flag("--no-syscalls", args.no_syscalls, "Compare exit status, output and files only (no strace "
                 "needed)");
  diff->add_flag("--json", args.json, "Print the comparison as a JSON object");
  diff->add_flag("--keep", args.keep, "Keep the scratch directories and traces (their path is printed)");
  diff->add_option("--timeout", args.timeout, "Kill each run after SECONDS (0: never)")->check(CLI::NonNegativeNumber);
  diff->add_option("--context", args.context, "Equal calls and lines shown around a difference")
      ->check(CLI::Range(0, 100));
  diff->add_option("command", args.command, "PROGRAM [ARGS...] (after --)");
}

int diff_command(const DiffArgs& args, const char* self_exe) {
  if (args.command.empty()) {
    std::fprintf(stderr, "sentry diff: no program given; usage: sentry diff [OPTIONS] -- PROGRAM [ARGS...]\n");
    return 2;
  }
  std::vector<std::regex> masks;
  for (const std::string& m : args.masks) {
    try {
      masks.emplace_back(m, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      std::fprintf(stderr, "sentry diff: --mask %s: not a valid regex: %s\n", m.c_str(), e.what());
      return 2;
    }
  }
  std::optional<std::string> strace;
  if (!args.no_syscalls) {
    strace = find_program("strace");
    if (!strace) {
      std::fprintf(stderr,
                   "sentry diff: strace not found in PATH; it runs the program natively to compare syscalls.\n"
                   "Install it (apt-get install strace), or use --no-syscalls to compare only exit status, "
                   "output and files.\n");
      return 2;
    }
  }
  std::error_code ec;
  std::string sentry_exe = fs::canonical(self_exe ? self_exe : "/proc/self/exe", ec).string();
  if (ec) sentry_exe = self_exe ? self_exe : "/proc/self/exe";
  std::optional<std::string> program = find_program(args.command[0]);
  if (!program) {
    std::fprintf(stderr, "sentry diff: %s: command not found\n", args.command[0].c_str());
    return 2;
  }

  // Scratch layout: BASE/{native,sentry}/ (equal length names, so paths the
  // program prints are as long in both runs) and the traces beside them.
  const char* tmpdir = getenv("TMPDIR");
  std::string base_template = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/sentry-diff-XXXXXX";
  std::vector<char> tmpl(base_template.begin(), base_template.end());
  tmpl.push_back('\0');
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::fprintf(stderr, "sentry diff: cannot create %s: %s\n", base_template.c_str(), strerror(errno));
    return 2;
  }
  // Canonical, so that `pwd -P` and $PWD print the path that is normalised.
  const fs::path base = fs::weakly_canonical(tmpl.data(), ec);
  const fs::path native_dir = base / "native", sentry_dir = base / "sentry";
  const fs::path native_trace = base / "native.trace", sentry_trace = base / "sentry.trace";
  const fs::path sentry_report = base / "sentry.report.json";
  fs::create_directory(native_dir, ec);
  fs::create_directory(sentry_dir, ec);

  // The program's argv: with a slash its path made absolute (the run's cwd
  // changes), then the scratch dir if asked for.
  auto program_argv = [&](const fs::path& scratch) {
    std::vector<std::string> v = args.command;
    if (args.command[0].find('/') != std::string::npos) v[0] = *program;
    if (args.scratch_dir_arg) v.push_back(scratch.string());
    return v;
  };
  auto cwd_of = [&](const fs::path& scratch) { return args.scratch_dir_arg ? std::string() : scratch.string(); };

  // Natively the program is exec'd by its path with argv[0] as given, as
  // strace and sentry do.
  std::vector<std::string> native_argv;
  if (strace) native_argv = {*strace, "-f", "-qq", "-o", native_trace.string(), "--"};
  std::vector<std::string> native_prog = program_argv(native_dir);
  native_argv.insert(native_argv.end(), native_prog.begin(), native_prog.end());
  const std::string native_path = strace ? *strace : *program;

  std::vector<std::string> sentry_argv = {sentry_exe, "run", "--report", sentry_report.string()};
  if (strace) sentry_argv.insert(sentry_argv.end(), {"-o", sentry_trace.string()});
  else sentry_argv.insert(sentry_argv.end(), {"--observe", "served"});
  sentry_argv.push_back("--");
  std::vector<std::string> sentry_prog = program_argv(sentry_dir);
  sentry_argv.insert(sentry_argv.end(), sentry_prog.begin(), sentry_prog.end());

  auto env_for = [&](const fs::path& scratch) { return environment_with_pwd(cwd_of(scratch)); };
  Captured native = run_captured(native_path, native_argv, cwd_of(native_dir), env_for(native_dir), args.timeout);
  Captured sentry = run_captured(sentry_exe, sentry_argv, cwd_of(sentry_dir), env_for(sentry_dir), args.timeout);

  // ---- Compare.
  ExitStatus native_exit = from_wait_status(native);
  ExitStatus sentry_exit = sentry_exit_status(sentry, sentry_report);
  bool exit_same = native_exit.same(sentry_exit);

  std::string native_out = mask_text(native.out, masks, native_dir.string());
  std::string sentry_out = mask_text(sentry.out, masks, sentry_dir.string());
  std::string native_err = mask_text(native.err, masks, native_dir.string());
  std::string sentry_err = mask_text(sentry.err, masks, sentry_dir.string());
  TextDiff out_diff = diff_text(native_out, sentry_out, args.context);
  TextDiff err_diff = diff_text(native_err, sentry_err, args.context);

  std::vector<FileDifference> file_diffs = compare_files(scan_files(native_dir), scan_files(sentry_dir));

  Trace native_calls, sentry_calls;
  std::vector<ThreadComparison> threads;
  std::vector<std::string> trace_problems;
  if (strace) {
    std::ifstream nin(native_trace), sin(sentry_trace);
    if (!nin) trace_problems.push_back("strace wrote no trace");
    else native_calls = parse_trace(nin, TraceFormat::kStrace);
    if (!sin) trace_problems.push_back("sentry wrote no trace");
    else sentry_calls = parse_trace(sin, TraceFormat::kSentry);
    CompareOptions opts;
    opts.ignore.insert(args.ignore_syscalls.begin(), args.ignore_syscalls.end());
    opts.context = args.context;
    opts.native_scratch = native_dir.string();
    opts.sentry_scratch = sentry_dir.string();
    if (trace_problems.empty()) threads = compare_traces(native_calls, sentry_calls, opts);
  }
  std::size_t differing_threads = 0, compared_calls = 0;
  for (const ThreadComparison& t : threads) {
    differing_threads += !t.equal();
    compared_calls += t.native_calls.size() + t.sentry_calls.size();
  }

  std::vector<std::string> differing;
  if (!exit_same) differing.push_back("exit status");
  if (!out_diff.equal()) differing.push_back("stdout");
  if (!err_diff.equal()) differing.push_back("stderr");
  if (!file_diffs.empty()) differing.push_back("files");
  if (strace && (differing_threads > 0 || !trace_problems.empty())) differing.push_back("syscalls");
  const bool same = differing.empty();

  // ---- Report, written once the scratch dirs are gone (a reader such as
  // `| head` may stop reading early).
  std::string report;
  if (args.json) {
    json j;
    j["command"] = args.command;
    j["equal"] = same;
    j["differences"] = differing;
    j["native"] = {{"exit", native_exit.to_json()}, {"seconds", native.seconds}};
    j["sentry"] = {{"exit", sentry_exit.to_json()}, {"seconds", sentry.seconds}};
    if (!native.started) j["native"]["error"] = native.error;
    if (!sentry.started) j["sentry"]["error"] = sentry.error;
    j["exit_equal"] = exit_same;
    j["stdout"] = text_diff_json(out_diff);
    j["stderr"] = text_diff_json(err_diff);
    if (native.out_truncated || sentry.out_truncated) j["stdout"]["truncated"] = true;
    if (native.err_truncated || sentry.err_truncated) j["stderr"]["truncated"] = true;
    json files = json::array();
    for (const FileDifference& f : file_diffs)
      files.push_back({{"path", f.path}, {"native", file_json(f.native)}, {"sentry", file_json(f.sentry)}});
    j["files"] = {{"equal", file_diffs.empty()}, {"differences", files}};
    if (strace) {
      json th = json::array();
      for (const ThreadComparison& t : threads) th.push_back(thread_json(t));
      j["syscalls"] = {{"compared", true},
                       {"timing_dependent_changes", timing_dependent_changes(threads)},
                       {"equal", differing_threads == 0 && trace_problems.empty()},
                       {"ignored", args.ignore_syscalls},
                       {"problems", trace_problems},
                       {"unparsed_lines", {{"native", native_calls.unparsed_lines}, {"sentry", sentry_calls.unparsed_lines}}},
                       {"threads", th}};
    } else {
      j["syscalls"] = {{"compared", false}};
    }
    if (args.keep) j["kept"] = base.string();
    report = j.dump(2) + "\n";
  } else {
    std::ostringstream o;
    o << "sentry diff: " << join_command(args.command) << "\n";
    o << "  native: " << (native.started ? native_exit.describe() : "did not start: " + native.error);
    if (strace) o << "  (" << plural(native_calls.threads.size(), "thread") << ")";
    o << "\n  sentry: " << (sentry.started ? sentry_exit.describe() : "did not start: " + sentry.error);
    if (strace) o << "  (" << plural(sentry_calls.threads.size(), "thread") << "; " << served_summary(sentry_calls) << ")";
    o << "\n";
    for (const std::string& p : trace_problems) o << "  note: " << p << "\n";
    if (native_calls.unparsed_lines || sentry_calls.unparsed_lines)
      o << "  note: unparsed trace lines: " << native_calls.unparsed_lines << " native, "
        << sentry_calls.unparsed_lines << " sentry\n";
    if (same) {
      o << "OK: exit status, stdout, stderr, files";
      if (strace) o << " and syscalls (" << plural(threads.size(), "thread") << ", " << compared_calls << " calls compared)";
      o << " match\n";
    } else {
      o << "DIFFERENT:";
      for (std::size_t i = 0; i < differing.size(); ++i) o << (i ? ", " : " ") << differing[i];
      if (differing_threads > 0) o << " (" << differing_threads << " of " << threads.size() << " threads)";
      o << "\n";
    }
    if (!out_diff.equal()) render_text_diff(o, "stdout", out_diff);
    if (!err_diff.equal()) render_text_diff(o, "stderr", err_diff);
    if (native.out_truncated || sentry.out_truncated || native.err_truncated || sentry.err_truncated)
      o << "(output beyond " << (kMaxCapture >> 20) << " MiB per stream was not compared)\n";
    if (!file_diffs.empty()) {
      o << "\n== files written into the scratch directory\n";
      for (const FileDifference& f : file_diffs) {
        o << "  " << f.path << ": ";
        if (!f.sentry) o << "only native (" << describe_file(*f.native) << ")\n";
        else if (!f.native) o << "only under sentry (" << describe_file(*f.sentry) << ")\n";
        else o << "native " << describe_file(*f.native) << "; sentry " << describe_file(*f.sentry) << "\n";
      }
    }
    for (const ThreadComparison& t : threads)
      if (!t.equal()) render_thread(o, t);
    std::vector<std::string> timing = timing_dependent_changes(threads);
    if (!timing.empty()) {
      o << "\nhint: differing calls of";
      for (const std::string& n : timing) o << " " << n;
      o << " can depend on thread and signal timing; --ignore-syscall NAME leaves a call out\n";
    }
    if (args.keep) o << "\nkept: " << base.string() << " (native/, sentry/, native.trace, sentry.trace)\n";
    report = o.str();
  }
  if (!args.keep) fs::remove_all(base, ec);
  std::cout << report << std::flush;
  return same ? 0 : 1;
}

}  // namespace sentry::cli
