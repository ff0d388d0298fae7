// Moving socket addresses between guest memory and sentry, with the rules of
// Linux's net/socket.c: move_addr_to_kernel (bind, connect, sendto),
// __copy_msghdr's msg_name handling (sendmsg, recvmsg) and move_addr_to_user
// (accept, accept4, getsockname, getpeername, recvfrom, recvmsg).
// Functions return 0 or -errno.
#pragma once

#include <sys/socket.h>

#include <cstdint>

#include "sentry/memory/guest_memory.h"

namespace sentry::netstack {

// move_addr_to_kernel: `len` is the syscall's int addrlen (a value >= 2^31,
// negative as an int, is rejected with the too-long ones). -EINVAL if it
// exceeds sizeof(sockaddr_storage) (128); len 0 reads nothing (the protocol
// then sees an empty address and usually says EINVAL itself); -EFAULT if the
// bytes cannot be read. `*out` is zeroed first, so bytes past `len` read as 0.
int read_sockaddr(GuestMemory& mem, std::uint64_t ptr, std::uint32_t len, sockaddr_storage* out);

// __copy_msghdr's msg_name rules for sendmsg: a NULL msg_name means no
// address whatever msg_namelen says; a negative msg_namelen is -EINVAL; one
// above 128 is clamped to 128 (not an error, unlike sendto); a non-NULL name
// with length 0 means no address. On success `*out_len` is the address length
// to use, 0 for "no address" (then `*out` is all zero).
int read_msg_name(GuestMemory& mem, std::uint64_t name_ptr, std::int32_t namelen,
                  sockaddr_storage* out, std::uint32_t* out_len);

// Whether a NULL `addr_ptr` skips the copy-out.
enum class NullAddr {
  // accept/accept4 (`if (upeer_sockaddr)`), recvfrom (`if (addr != NULL)`),
  // recvmsg (`if (uaddr != NULL)`): no address pointer, nothing is touched,
  // not even *addrlen.
  kSkip,
  // getsockname/getpeername call move_addr_to_user unconditionally, so
  // (NULL, NULL) is -EFAULT and (NULL, &len) with len > 0 is -EFAULT too.
  kCopy,
};

// move_addr_to_user as of Linux 6.18 (net/socket.c, "net: remove one
// stac/clac pair from move_addr_to_user()"), in its order: read the guest's
// int at `addrlen_ptr` (-EFAULT); clamp it to `sa_len`; if not negative,
// store `sa_len` there, the full, untruncated length ("fromlen shall refer to
// the value before truncation", 1003.1g) (-EFAULT); then if the clamped
// length is negative -EINVAL, if positive copy that many bytes of `sa` to
// `addr_ptr` (-EFAULT, *addrlen already updated). Kernels up to 6.17 stored
// the length last, after a successful copy. sa_len 0 (a protocol that
// reports no address, e.g. recvfrom on TCP) copies nothing and stores 0.
// sa_len above 128: -EINVAL (the kernel's BUG_ON).
int write_sockaddr(GuestMemory& mem, std::uint64_t addr_ptr, std::uint64_t addrlen_ptr,
                   const void* sa, std::uint32_t sa_len, NullAddr null_addr = NullAddr::kSkip);

}  // namespace sentry::netstack
