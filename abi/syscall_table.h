// Lookup over the declarative syscall list (abi/syscalls_x86_64.def). The table
// is built at compile time by expanding the .def; nothing here is maintained by
// hand.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "abi/syscall_entry.h"

namespace sentry::abi {

// One past the highest x86-64 syscall number in the table.
inline constexpr int kSyscallNrLimit = 470;

// Every row, ordered by nr_x86_64.
std::span<const SyscallEntry> all_syscalls();

// nullptr if x86-64 has no syscall with that number. O(1).
const SyscallEntry* syscall_by_nr(int nr_x86_64);

// nullptr if unknown. O(log n).
const SyscallEntry* syscall_by_name(std::string_view name);

// "file|path": the names of the set family bits, lowest bit first; "none" for 0.
std::string family_names(std::uint32_t families);

// The content of docs/compatibility.md: a summary, then one table per family
// listing each syscall with its number, how it is served, and why.
// Deterministic: depends on the table only.
std::string render_compatibility_markdown();

}  // namespace sentry::abi
