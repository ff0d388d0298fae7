// Argument kinds of the declarative syscall list (abi/syscalls_x86_64.def).
// They drive strace-like printing (sentry/trace/arg_format.h), the coverage
// report's argument variants, and nothing else: no sentry logic depends on them.
#pragma once

#include <cstdint>

namespace sentry::abi {

enum class ArgKind : std::uint8_t {
  kInt,           // signed decimal
  kUInt,          // unsigned decimal
  kHex,           // opaque value printed in hex
  kPtr,           // pointer printed as address (NULL when 0)
  kFd,            // file descriptor
  kDirFd,         // dirfd of *at calls (AT_FDCWD)
  kPath,          // NUL-terminated path read from guest memory
  kString,        // NUL-terminated string (not a path), e.g. prctl name
  kInBuf,         // buffer the call reads; its length is the next argument
  kOutBuf,        // buffer the call writes; printed after the call when known
  kSize,          // size_t / length
  kOffset,        // off_t
  kOpenFlags,     // O_RDONLY|O_CREAT|...
  kMode,          // file mode, octal
  kAccessMode,    // F_OK|R_OK|W_OK|X_OK
  kAtFlags,       // AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW|...
  kMmapProt,      // PROT_*
  kMmapFlags,     // MAP_*
  kMremapFlags,   // MREMAP_*
  kMadvise,       // MADV_*
  kCloneFlags,    // CLONE_* (clone(2) first argument; low byte is the exit signal)
  kClone3Args,    // struct clone_args * (size is the next argument)
  kFutexOp,       // FUTEX_* | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME
  kSocketDomain,  // AF_*
  kSocketType,    // SOCK_* | SOCK_NONBLOCK | SOCK_CLOEXEC
  kSockaddr,      // const struct sockaddr * (length is the next argument)
  kSockoptLevel,  // SOL_SOCKET, IPPROTO_TCP, IPPROTO_IPV6, ...
  kSockoptName,   // depends on the previous (level) argument
  kMsgFlags,      // MSG_*
  kShutdownHow,   // SHUT_RD/WR/RDWR
  kFcntlCmd,      // F_GETFD, F_SETFL, ...
  kIoctlReq,      // FIONBIO, TCGETS, ...
  kPrctlOption,   // PR_SET_NAME, ...
  kSignal,        // SIGINT, ...
  kSigHow,        // SIG_BLOCK/UNBLOCK/SETMASK
  kSigset,        // const sigset_t *
  kEpollOp,       // EPOLL_CTL_ADD/MOD/DEL
  kEpollEvent,    // struct epoll_event * (events decoded)
  kEpollEventsOut,// struct epoll_event * the call fills: `result` entries, printed after the call
  kPollFds,       // struct pollfd * (count is the next argument)
  kTimespec,      // const struct timespec *
  kClockId,       // CLOCK_REALTIME, ...
  kTimerFlags,    // TIMER_ABSTIME
  kWaitOptions,   // WNOHANG|WUNTRACED|__WALL|...
  kRlimitResource,// RLIMIT_*
  kSchedPolicy,   // SCHED_OTHER/FIFO/RR/... (| SCHED_RESET_ON_FORK)
  kWhence,        // SEEK_SET/CUR/END/DATA/HOLE
  kPid,           // process / thread id
  kUid,           // uid or gid (-1 printed as -1)
  kArgv,          // char *const argv[] / envp[]
  kEventfdFlags,  // EFD_*
  kPipeFlags,     // O_CLOEXEC|O_NONBLOCK|O_DIRECT for pipe2/dup3/epoll_create1/...
  kRenameFlags,   // RENAME_*
  kGrndFlags,     // GRND_*
  kMemfdFlags,    // MFD_*
  kStatxMask,     // STATX_*
  kUnknown,       // printed in hex; the call has not been described yet
};

// Number of argument slots a syscall has on x86-64.
inline constexpr int kMaxSyscallArgs = 6;

}  // namespace sentry::abi
