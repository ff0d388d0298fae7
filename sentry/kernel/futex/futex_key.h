// The identity of a private futex: the address space and the user address.
//
// Only PRIVATE futex operations (FUTEX_PRIVATE_FLAG) reach sentry; shared and
// PI operations are forwarded to the host kernel by the seccomp filter. Linux
// never matches a private key against a shared one (FUT_OFF_MMSHARED is only
// in shared keys, kernel/futex/core.c get_futex_key()), and the kernel's own
// wake-ups (CLONE_CHILD_CLEARTID, robust-list death) are shared wakes, so the
// host and sentry never need to see each other's waiters. For a private futex
// Linux's key is (mm, address) too: get_futex_key() stores key->private.mm and
// key->private.address and touches no page.
#pragma once

#include <compare>
#include <cstdint>

#include "sentry/kernel/process_tree.h"

namespace sentry::kernel::futex {

struct FutexKey {
  AddressSpaceId mm = 0;
  std::uint64_t addr = 0;
  auto operator<=>(const FutexKey&) const = default;
};

// FUTEX_BITSET_MATCH_ANY: the bitset of FUTEX_WAIT / FUTEX_WAKE and of every
// futex_waitv entry.
inline constexpr std::uint32_t kBitsetMatchAny = 0xffffffffu;

// A futex word is a u32 and must be naturally aligned; get_futex_key() fails
// with -EINVAL otherwise (`if (unlikely((address % size) != 0))`), for wakes
// as well as waits, before any memory is looked at.
inline constexpr bool futex_aligned(std::uint64_t addr) { return addr % sizeof(std::uint32_t) == 0; }

}  // namespace sentry::kernel::futex
