#include "vfs/host_at.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace sentry::vfs {

HostFd::~HostFd() {
  if (fd_ >= 0) close(fd_);
}

HostFd& HostFd::operator=(HostFd&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) close(fd_);
    fd_ = o.release();
  }
  return *this;
}

int open_no_symlinks(const std::string& host, int flags, mode_t mode) {
  open_how how{};
  how.flags = static_cast<std::uint64_t>(flags);
  how.mode = (flags & (O_CREAT | __O_TMPFILE)) ? mode : 0;
  how.resolve = RESOLVE_NO_SYMLINKS;
  long fd = syscall(SYS_openat2, AT_FDCWD, host.c_str(), &how, sizeof how);
  return fd < 0 ? -errno : static_cast<int>(fd);
}

std::string ParentDir::entry_path() const {
  return "/proc/self/fd/" + std::to_string(dir.get()) + "/" + name;
}

int open_parent(const std::string& host, ParentDir* out) {
  std::size_t slash = host.rfind('/');
  std::string dir = slash == 0 ? "/" : host.substr(0, slash);
  std::string name = host.substr(slash + 1);
  if (name.empty()) {  // "/" itself
    dir = "/";
    name = ".";
  }
  int fd = open_no_symlinks(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return fd;
  out->dir = HostFd(fd);
  out->name = std::move(name);
  return 0;
}

}  // namespace sentry::vfs
