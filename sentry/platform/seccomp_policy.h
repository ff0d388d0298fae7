// The seccomp filter, derived from the declarative syscall list (abi/) and the
// run's options. Nothing here is maintained by hand per syscall: a row's Serve
// value decides its action.
//
//   forwarded  -> ALLOW                 (fast path: the host runs it)
//              -> TRACE(kObserve)       (when the run observes forwarded calls:
//                                        --trace / --report; ptrace sees entry+exit)
//   emulated, supervised, denied, unsupported, unknown numbers, other ABIs
//              -> USER_NOTIF            (unotify platform)
//              -> TRACE(kServe)         (ptrace platform)
//   argument rules (abi/forward_rules_x86_64.def) forward some calls of a
//   served syscall (e.g. shared futexes) exactly like forwarded rows
//   translated -> TRACE(kTranslate)   (both platforms: the host runs it in the
//                                        guest's thread between two stops)
//   execve, execveat -> TRACE(kExec)    (always: the supervisor takes the
//                                        listener at the first exec, and sees
//                                        every exec before it happens)
//   deny rules (DENY_WHEN) -> ERRNO     (argument values no guest may use,
//                                        refused in the filter: no race;
//                                        observed runs send them to the
//                                        supervisor, which refuses and
//                                        records them)
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "abi/forward_rules.h"
#include "abi/syscall_entry.h"

namespace sentry::platform {

enum class PlatformKind { kUnotify, kPtrace };

// The data value of SECCOMP_RET_TRACE, reported in PTRACE_EVENT_SECCOMP stops.
enum TraceReason : std::uint16_t {
  kTraceObserve = 0x5e01,  // a forwarded call the run wants to see
  kTraceServe = 0x5e02,    // a served call (ptrace platform)
  kTraceExec = 0x5e03,     // execve / execveat
  kTraceTranslate = 0x5e04,  // a translated call (both platforms)
};

struct PolicyOptions {
  PlatformKind platform = PlatformKind::kUnotify;
  bool observe_forwarded = false;
  // Root may keep setuid programs working; others need no_new_privs.
  bool no_new_privs = true;
};

enum class ActionKind { kAllow, kNotify, kTrace, kErrno };
struct FilterAction {
  ActionKind kind;
  std::uint16_t trace_data = 0;  // kTrace: the reason; kErrno: the errno
  bool operator==(const FilterAction&) const = default;
};

// The action for one row, ignoring argument rules (pure; unit-tested).
FilterAction action_for(const abi::SyscallEntry& e, const PolicyOptions& opts);
// The action for one call with these arguments (argument rules applied).
FilterAction action_for_call(const abi::SyscallEntry& e, const std::uint64_t (&args)[6],
                             const PolicyOptions& opts);
// What a forwarded call gets: ALLOW, or TRACE when observing forwarded calls.
FilterAction forwarded_action(const PolicyOptions& opts);

// Whether argument rule `r` of row `e` is part of the filter under `opts`:
// deny rules always; forwarding and translating ones while the row is served;
// ROUTE_BY_FD rules on the unotify platform only, and a TRANSLATE_WHEN rule
// of a translated row only there too (elsewhere the row stops every call).
bool rule_applies(const abi::ForwardRule& r, const abi::SyscallEntry& e, const PolicyOptions& opts);
// The action for numbers with no row and for non-native ABIs.
FilterAction default_action(const PolicyOptions& opts);

// The classic-BPF program (struct sock_filter[]) of a libseccomp context;
// empty on failure.
std::vector<std::uint8_t> export_bpf(void* scmp_ctx);

// A built filter (libseccomp context) ready to be loaded in the child.
class SeccompFilter {
 public:
  // Builds the filter. On failure returns nullptr and sets *error.
  static std::unique_ptr<SeccompFilter> build(const PolicyOptions& opts, std::string* error);
  ~SeccompFilter();
  SeccompFilter(const SeccompFilter&) = delete;
  SeccompFilter& operator=(const SeccompFilter&) = delete;

  // Loads the filter into the calling process (the child, before exec).
  // Returns the listener fd (unotify platform), 0 (ptrace platform) or -errno.
  // The program was compiled when the filter was built: loading it is two
  // system calls and no allocation, so the guest's first traced call is its
  // execve (a free() after the filter is in place would show up as a brk).
  int load();
  // The same for a program exported by export_bpf() and sent elsewhere (the
  // sandbox's program receives it from sentry, which compiles it while the
  // sandbox is being built): `notify` asks for the listener fd.
  static int load_program(const std::uint8_t* program, std::size_t size, bool notify);
  bool notifies() const { return notify_; }
  // The compiled program (struct sock_filter[]), as load_program takes it.
  const std::vector<std::uint8_t>& program() const { return program_; }

  // The classic-BPF program, for tests and `sentry abi --bpf`.
  std::vector<std::uint8_t> export_bpf() const;

 private:
  explicit SeccompFilter(void* ctx) : ctx_(ctx) {}
  void* ctx_;
  bool notify_ = false;
  bool no_new_privs_ = false;
  std::vector<std::uint8_t> program_;  // struct sock_filter[]
};

}  // namespace sentry::platform
