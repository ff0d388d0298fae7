// One row of the declarative syscall list: what a syscall is (name, number per
// architecture, argument kinds), how sentry serves it, and which families it
// belongs to. The rows live in abi/syscalls_x86_64.def; everything else (lookup
// tables, the seccomp policy, docs/compatibility.md) is derived from them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "abi/arg_kind.h"

namespace sentry::abi {

// How sentry serves a syscall. The seccomp policy is derived from this.
enum class Serve : std::uint8_t {
  // The host kernel runs it on the guest's behalf (seccomp ALLOW on the fast
  // path; observed through ptrace when tracing or writing a report).
  kForward,
  // Served by sentry's kernel model (seccomp USER_NOTIF); the host never runs it.
  kEmulate,
  // The host runs it in the guest's own thread, so it blocks and is
  // interrupted exactly as on Linux; sentry rewrites its arguments before
  // (e.g. an IPv6 address into the IPv4 one underneath) and its results after
  // (ptrace seccomp stop + syscall-exit stop). For calls that may block and
  // whose arguments or results need translation.
  kTranslate,
  // Notified to the supervisor, which inspects it and then lets the host run it
  // (SECCOMP_USER_NOTIF_FLAG_CONTINUE). Used while the model for a call is not
  // written yet, and for calls sentry must see (e.g. for lifecycle).
  kSupervise,
  // Refused on purpose with the errno in the row (bypasses the sandbox, or
  // cannot be served safely). `reason` says why.
  kDeny,
  // Not implemented: ENOSYS, recorded in the report. `reason` says why.
  kUnsupported,
};
inline constexpr std::size_t kServeKinds = static_cast<std::size_t>(Serve::kUnsupported) + 1;

// Families a syscall belongs to (bit set), used by reports and docs.
enum Family : std::uint32_t {
  kFamNone = 0,
  kFamProcess = 1u << 0,   // clone, execve, wait, exit
  kFamThread = 1u << 1,    // set_tid_address, tkill, rseq, set_robust_list
  kFamFutex = 1u << 2,
  kFamSched = 1u << 3,
  kFamIdentity = 1u << 4,  // uid/gid/groups/caps
  kFamLimits = 1u << 5,    // rlimits, prctl, uname, sysinfo
  kFamSignal = 1u << 6,
  kFamMemory = 1u << 7,
  kFamFile = 1u << 8,      // open/read/write/stat/... on fds
  kFamPath = 1u << 9,      // path-taking calls resolved by the vfs
  kFamFdTable = 1u << 10,  // dup, fcntl, close, close_range
  kFamSocket = 1u << 11,
  kFamPoll = 1u << 12,     // epoll, poll, select
  kFamTime = 1u << 13,     // clocks, timers, sleeps
  kFamIpc = 1u << 14,      // SysV IPC, mqueue, pipes, eventfd
  kFamSecurity = 1u << 15, // seccomp, ptrace, bpf, keyctl, landlock
  kFamSystem = 1u << 16,   // mount, reboot, modules, swap, quotas
  kFamIoUring = 1u << 17,
  kFamMisc = 1u << 18,
};

struct SyscallEntry {
  std::string_view name;
  int nr_x86_64;        // -1 if the architecture does not have the call
  int nr_aarch64;       // -1 if unknown / absent (column reserved for a port)
  std::uint8_t nargs;   // number of meaningful arguments
  std::array<ArgKind, kMaxSyscallArgs> args;
  Serve serve;
  int deny_errno;       // errno returned for kDeny / kUnsupported (ENOSYS usually)
  std::uint32_t families;
  std::string_view reason;  // required for kDeny / kUnsupported / kSupervise
};

std::string_view serve_name(Serve s);  // "forwarded", "emulated", ...

}  // namespace sentry::abi
