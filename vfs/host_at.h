// Operating on a host path the path walk produced without following anything
// the walk did not see: every open goes through openat2(RESOLVE_NO_SYMLINKS),
// so a directory a racing guest thread swapped for a symlink makes the call
// fail with ELOOP (the caller walks again) instead of leading out of the
// guest's tree. Calls that take no fd work on "/proc/self/fd/<parent>/<name>"
// of such an O_PATH parent, which reaches exactly that directory entry.
#pragma once

#include <sys/types.h>

#include <string>

namespace sentry::vfs {

// A host file descriptor sentry owns (closed on destruction).
class HostFd {
 public:
  HostFd() = default;
  explicit HostFd(int fd) : fd_(fd) {}
  ~HostFd();
  HostFd(HostFd&& o) noexcept : fd_(o.release()) {}
  HostFd& operator=(HostFd&& o) noexcept;
  HostFd(const HostFd&) = delete;
  HostFd& operator=(const HostFd&) = delete;
  int get() const { return fd_; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  explicit operator bool() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

// openat2(AT_FDCWD, host, flags, mode, RESOLVE_NO_SYMLINKS): an fd or -errno.
int open_no_symlinks(const std::string& host, int flags, mode_t mode = 0);

// The directory holding `host` (an O_PATH fd) and the entry's name in it.
struct ParentDir {
  HostFd dir;
  std::string name;  // "." when `host` is "/"
  // "/proc/self/fd/<dir>/<name>": a path to the entry for calls without an
  // *at variant (the l* xattr calls, truncate).
  std::string entry_path() const;
};
// -errno on failure (ELOOP when a component became a symlink).
int open_parent(const std::string& host, ParentDir* out);

}  // namespace sentry::vfs
