// Thread names (task->comm): at most TASK_COMM_LEN - 1 = 15 bytes, as
// PR_SET_NAME stores them, PR_GET_NAME returns them (16 bytes, NUL padded)
// and /proc/<tid>/comm shows them.
#pragma once

#include <sys/types.h>

#include <array>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>

namespace sentry::kernel {

inline constexpr std::size_t kTaskCommLen = 16;  // TASK_COMM_LEN, NUL included

// The name PR_SET_NAME stores for the bytes `p[0..n)` it copied from the
// guest: up to the first NUL, at most 15 bytes.
inline std::string comm_from_bytes(const char* p, std::size_t n) {
  std::size_t len = 0;
  while (len < n && len < kTaskCommLen - 1 && p[len] != 0) ++len;
  return std::string(p, len);
}

// What PR_GET_NAME writes: the name and NUL padding, exactly 16 bytes.
inline std::array<char, kTaskCommLen> comm_buffer(const std::string& name) {
  std::array<char, kTaskCommLen> out{};
  std::memcpy(out.data(), name.data(), name.size() < kTaskCommLen - 1 ? name.size() : kTaskCommLen - 1);
  return out;
}

// The host's name of thread `tid` (/proc/<tid>/comm without its newline), or
// nullopt when the thread is gone or unreadable.
inline std::optional<std::string> read_host_comm(pid_t tid) {
  std::ifstream in("/proc/" + std::to_string(tid) + "/comm");
  if (!in) return std::nullopt;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return comm_from_bytes(text.data(), text.size());
}

}  // namespace sentry::kernel
