// Reading call traces for `sentry diff`: strace's (`strace -f -o FILE`) and
// sentry's own (`sentry run -o FILE`) into per-thread call sequences. Only a
// call's name, argument text (for display) and result are kept; arguments are
// never interpreted. Pure: no I/O beyond the stream handed in.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sentry::diff {

// A call's result as printed after " = ".
struct CallResult {
  enum class Kind { kUnknown, kValue, kError };
  Kind kind = Kind::kUnknown;
  std::int64_t value = 0;  // kValue
  std::string error;       // kError: errno name, e.g. "ENOENT" (also "ERESTARTSYS" for "= ? ERESTARTSYS")
  std::string text;        // as printed, e.g. "-1 ENOENT (No such file or directory)"
};

// "3", "0x7f12", "022" (octal, as strace prints umask), "-1 ENOENT (...)", "?",
// "? ERESTARTSYS (To be restarted ...)", "0 (Timeout)", "0x1 (flags FD_CLOEXEC)".
CallResult parse_result(std::string_view text);

struct TraceCall {
  std::string name;    // "openat"; unknown calls as "syscall_<decimal nr>"
  std::string args;    // the text between the parentheses, for display only
  CallResult result;
  std::string served;  // sentry traces: "forwarded", "emulated", ...; empty for strace
  std::size_t line = 0;  // 1-based line in the trace file (of the call's start)
};

// One line of a trace.
struct TraceLine {
  enum class Kind {
    kCall,        // complete: name(args) = result
    kUnfinished,  // strace: name(args <unfinished ...>
    kResumed,     // strace: <... name resumed>args) = result
    kEvent,       // "+++ exited with 0 +++", "--- SIGCHLD {...} ---"
  };
  Kind kind = Kind::kCall;
  pid_t tid = 0;
  std::string name;
  std::string args;
  CallResult result;
  std::string served;
  std::string event;  // kEvent: the text
};

// nullopt: not a trace line (blank, "strace: ..." messages, garbage).
std::optional<TraceLine> parse_strace_line(std::string_view line);
std::optional<TraceLine> parse_sentry_line(std::string_view line);

struct ThreadTrace {
  pid_t tid = 0;
  // Stable identity across runs: "1" is the root; the k-th child a thread
  // created (clone/clone3/fork/vfork) is "<parent>.k". Threads not reachable
  // that way are "#n", numbered by order of first appearance among those.
  std::string label;
  std::vector<TraceCall> calls;
  std::optional<int> exit_code;    // from "+++ exited with N +++"
  std::optional<int> exit_signal;  // from "+++ killed by ... +++"
};

struct Trace {
  std::vector<ThreadTrace> threads;  // in order of first appearance; [0] is the root
  std::size_t lines = 0;
  std::size_t unparsed_lines = 0;    // lines that were neither calls nor events

  const ThreadTrace* find_label(std::string_view label) const;
};

enum class TraceFormat { kStrace, kSentry };

Trace parse_trace(std::istream& in, TraceFormat format);
Trace parse_trace_text(std::string_view text, TraceFormat format);

// Assigns ThreadTrace::label (parse_trace does this already).
void assign_thread_labels(Trace& trace);

// "SIGKILL" -> 9; "9" -> 9; unknown -> nullopt.
std::optional<int> signal_number(std::string_view name);

}  // namespace sentry::diff
