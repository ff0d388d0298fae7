// sentry's own copy of a guest's file descriptor (pidfd_getfd): the same open
// file description, so an operation on the copy (setsockopt, getsockname,
// fstat) is an operation on the guest's object. Closed when it goes out of
// scope; the guest's fd is untouched.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <string>
#include <utility>

namespace sentry::kernel {

// The device of sentry's own FUSE filesystem (proc_synth/model_fs.h), once
// it is mounted; 0 before.
inline std::atomic<dev_t>& model_fs_dev() {
  static std::atomic<dev_t> dev{0};
  return dev;
}

// Whether `fd` (a copy sentry holds) is a file of sentry's own FUSE
// filesystem. sentry must not ioctl, poll or read such a file: its own loop
// serves those requests, so it would wait for itself. Asked without a FUSE
// request (AT_STATX_DONT_SYNC: the cached attributes).
inline bool on_model_fs(int fd) {
  const dev_t dev = model_fs_dev().load();
  if (dev == 0) return false;
  struct statx sx {};
  // EACCES: a FUSE filesystem mounted in a user namespace sentry is not in
  // (a rootless run's own) refuses sentry before anything is asked.
  if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_TYPE, &sx) != 0) return errno == EACCES;
  return makedev(sx.stx_dev_major, sx.stx_dev_minor) == dev;
}

// FD_CLOEXEC of guest fd `fd` of thread `tid`, from the host's fdinfo
// ("flags:" carries O_CLOEXEC for the descriptor); -EBADF if it is not open.
inline int close_on_exec_flag(pid_t tid, int fd) {
  const std::string path = "/proc/" + std::to_string(tid) + "/fdinfo/" + std::to_string(fd);
  std::FILE* f = std::fopen(path.c_str(), "re");
  if (f == nullptr) return -EBADF;
  char line[128];
  unsigned long flags = 0;
  bool found = false;
  while (!found && std::fgets(line, sizeof line, f)) found = std::sscanf(line, "flags: %lo", &flags) == 1;
  std::fclose(f);
  if (!found) return -EBADF;
  return (flags & O_CLOEXEC) ? FD_CLOEXEC : 0;
}

class GuestFdCopy {
 public:
  // `tgid`: the guest process that holds `fd`. On failure valid() is false
  // and error() is the errno (EBADF for a closed fd).
  GuestFdCopy(pid_t tgid, int fd) {
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, tgid, 0));
    if (pidfd < 0) {
      error_ = errno == ESRCH ? ESRCH : errno;
      return;
    }
    fd_ = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, fd, 0));
    if (fd_ < 0) error_ = errno;
    close(pidfd);
  }
  ~GuestFdCopy() {
    if (fd_ >= 0) close(fd_);
  }
  GuestFdCopy(const GuestFdCopy&) = delete;
  GuestFdCopy& operator=(const GuestFdCopy&) = delete;

  bool valid() const { return fd_ >= 0; }
  // Hands the copy over (the caller closes it).
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  int get() const { return fd_; }
  bool on_model_fs() const { return fd_ >= 0 && kernel::on_model_fs(fd_); }
  int error() const { return error_; }

 private:
  int fd_ = -1;
  int error_ = 0;
};

}  // namespace sentry::kernel
