// What the supervisor does with every call it sees, whoever served it: an
// strace-like line (--trace / -o) and a count in the coverage report
// (--report). A call is observed in two steps because its arguments must be
// read while the guest is stopped at entry, and its result is known only later.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "abi/syscall_entry.h"
#include "sentry/kernel/process_tree.h"
#include "sentry/memory/guest_memory.h"
#include "sentry/report/arg_variants.h"
#include "sentry/report/coverage_recorder.h"
#include "sentry/trace/arg_format.h"

namespace sentry::trace {

struct CallRecord {
  pid_t tid = 0;
  int nr = -1;  // -1: a call of another ABI
  const abi::SyscallEntry* entry = nullptr;
  abi::Serve served = abi::Serve::kForward;
  std::string image;
  std::string text;  // formatted call, when tracing
  SyscallArgs args{};  // kept when tracing a call that fills buffers (shown at end)
  std::vector<report::ArgVariant> variants;
};

class CallObserver {
 public:
  // Either sink may be null. `trace_out` is not owned.
  CallObserver(const kernel::ProcessTree& tree, std::FILE* trace_out, report::CoverageRecorder* report)
      : tree_(tree), trace_out_(trace_out), report_(report) {}

  bool enabled() const { return trace_out_ != nullptr || report_ != nullptr; }

  CallRecord begin(pid_t tid, int nr, const abi::SyscallEntry* entry, const SyscallArgs& args,
                   GuestMemory* mem, abi::Serve served) const;
  // `result` is nullopt when the host ran the call and its outcome is unknown.
  // `mem` (the caller's memory, may be null): to show what the call wrote
  // to its output buffers (read's data, epoll_wait's events). `note`: what
  // the handler added (Syscall::trace_note), printed after the result.
  void end(const CallRecord& r, std::optional<std::int64_t> result, GuestMemory* mem = nullptr,
           const std::string& note = {}) const;
  // A free-form event line in the trace ("+++ exited with 0 +++").
  void event(pid_t tid, const std::string& text) const;
  // The line prefix naming task `tid` (host tid).
  std::string label(pid_t tid) const;

 private:
  const kernel::ProcessTree& tree_;
  std::FILE* trace_out_;
  report::CoverageRecorder* report_;
};

}  // namespace sentry::trace
