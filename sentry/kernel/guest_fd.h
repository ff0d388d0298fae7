// sentry's own copy of a guest's file descriptor (pidfd_getfd): the same open
// file description, so an operation on the copy (setsockopt, getsockname,
// fstat) is an operation on the guest's object. Closed when it goes out of
// scope; the guest's fd is untouched.
#pragma once

#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace sentry::kernel {

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
  int error() const { return error_; }

 private:
  int fd_ = -1;
  int error_ = 0;
};

}  // namespace sentry::kernel
