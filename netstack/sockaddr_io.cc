// Socket address copy-in/copy-out with net/socket.c's rules; see sockaddr_io.h.
#include "netstack/sockaddr_io.h"

#include <cerrno>
#include <cstring>

namespace sentry::netstack {

int read_sockaddr(GuestMemory& mem, std::uint64_t ptr, std::uint32_t len, sockaddr_storage* out) {
  std::memset(out, 0, sizeof *out);
  // "if (ulen < 0 || ulen > sizeof(struct sockaddr_storage)) return -EINVAL;"
  if (static_cast<std::int32_t>(len) < 0 || len > sizeof(sockaddr_storage)) return -EINVAL;
  if (len == 0) return 0;
  if (!mem.read(ptr, out, len)) return -EFAULT;
  return 0;
}

int read_msg_name(GuestMemory& mem, std::uint64_t name_ptr, std::int32_t namelen,
                  sockaddr_storage* out, std::uint32_t* out_len) {
  std::memset(out, 0, sizeof *out);
  *out_len = 0;
  if (name_ptr == 0) namelen = 0;
  if (namelen < 0) return -EINVAL;
  std::uint32_t len = static_cast<std::uint32_t>(namelen);
  if (len > sizeof(sockaddr_storage)) len = sizeof(sockaddr_storage);
  if (len == 0) return 0;
  int err = read_sockaddr(mem, name_ptr, len, out);
  if (err < 0) return err;
  *out_len = len;
  return 0;
}

int write_sockaddr(GuestMemory& mem, std::uint64_t addr_ptr, std::uint64_t addrlen_ptr,
                   const void* sa, std::uint32_t sa_len, NullAddr null_addr) {
  if (addr_ptr == 0 && null_addr == NullAddr::kSkip) return 0;
  if (sa_len > sizeof(sockaddr_storage)) return -EINVAL;
  std::int32_t len;
  if (!mem.read_value(addrlen_ptr, &len)) return -EFAULT;  // unsafe_get_user(len, ulen)
  const std::int32_t klen = static_cast<std::int32_t>(sa_len);
  if (len > klen) len = klen;
  // "fromlen shall refer to the value before truncation" (1003.1g). Since
  // Linux 6.18 the length is stored before the address is copied, so it is
  // updated even when the address copy then faults (<= 6.17: stored last).
  if (len >= 0 && !mem.write_value(addrlen_ptr, klen)) return -EFAULT;
  if (len != 0) {
    if (len < 0) return -EINVAL;
    if (!mem.write(addr_ptr, sa, static_cast<std::size_t>(len))) return -EFAULT;
  }
  return 0;
}

}  // namespace sentry::netstack
