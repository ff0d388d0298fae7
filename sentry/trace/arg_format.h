// strace-style rendering of a syscall's arguments and result, driven by the
// argument kinds of its row in the syscall list (abi/syscalls_x86_64.def):
//   openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3
// Guest memory is read only to decode what the call reads (paths, buffers,
// sockaddrs, ...); buffers the call writes are shown as addresses, since the
// call has not produced them yet. Nothing here throws: an argument that cannot
// be decoded is printed as a number, like strace does with unreadable memory.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "abi/syscall_entry.h"
#include "sentry/memory/guest_memory.h"

namespace sentry::trace {

using SyscallArgs = std::array<std::uint64_t, 6>;

// Display limits, as strace's defaults roughly are: strings longer than this
// print as "first 64 chars"..., buffers show their first 32 bytes, and arrays
// (argv, pollfd) their first 16 entries.
inline constexpr std::size_t kMaxStringChars = 64;
inline constexpr std::size_t kMaxBufferBytes = 32;
inline constexpr std::size_t kMaxArrayEntries = 16;

// One argument, strace style. `mem` may be nullptr (then pointers print as
// addresses). Some kinds look at a neighbouring argument: kInBuf, kSockaddr,
// kPollFds and kClone3Args take their length from the next one, kSockoptName
// its level from the previous one. Buffers the call fills (kOutBuf,
// kEpollEventsOut) are decoded once its `result` is known (their size is the
// result: bytes, or events), and print as addresses before.
std::string format_arg(const abi::SyscallEntry& e, int index, const SyscallArgs& args, GuestMemory* mem,
                       std::optional<std::int64_t> result = std::nullopt);

// The whole call without the result: `openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC)`.
// With `result`, the buffers the call filled are shown: `read(3, "abc", 4096)`.
std::string format_call(const abi::SyscallEntry& e, const SyscallArgs& args, GuestMemory* mem,
                        std::optional<std::int64_t> result = std::nullopt);
// Whether the call has an argument that format_call shows only with a result.
bool has_output_args(const abi::SyscallEntry& e);

// Result: "3"; "0x7f12a000" for calls returning an address (mmap, mremap, brk,
// shmat); "-1 ENOENT (No such file or directory)" for -4095..-1.
std::string format_result(const abi::SyscallEntry& e, std::int64_t ret);

// `bytes` in double quotes with strace's escapes (\n, \t, \", \\, \xNN for
// other non-printables); `truncated` appends "..." after the closing quote.
std::string quote_bytes(std::string_view bytes, bool truncated = false);

}  // namespace sentry::trace
