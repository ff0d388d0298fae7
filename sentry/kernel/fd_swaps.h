// Replacing a guest fd with one of sentry's from a call stopped by ptrace.
//
// Only a notification can put an fd into the guest's table
// (SECCOMP_IOCTL_NOTIF_ADDFD), but the calls whose addresses sentry
// translates sit at ptrace stops. Such a call that must swap the object
// behind its fd (a UDP disconnect that must forget the source sentry
// pinned: sys_socket.cc renew_datagram_socket) leaves the fd sentry made
// here and continues as dup3(fd, fd, 0) (Syscall::continue_as). The guest's
// filter notifies dup3; its handler finds the swap of that thread and fd,
// installs the fd at that number (replacing the old object atomically, as
// dup2 does) and answers 0, which becomes the stopped call's result.
//
// A guest cannot ask for a swap: entries exist only for a thread that is in
// the middle of such a call, and dup3(fd, fd, 0) is otherwise EINVAL, which
// the handler still answers. The stopped call's exit drops an entry that
// was not taken (a signal ended the changed call before its notification).
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <map>
#include <optional>
#include <utility>

namespace sentry::kernel {

struct FdSwap {
  int fd = -1;       // the guest's fd number
  int host_fd = -1;  // sentry's fd that takes its place
  bool cloexec = false;
};

class FdSwaps {
 public:
  FdSwaps() = default;
  FdSwaps(const FdSwaps&) = delete;
  FdSwaps& operator=(const FdSwaps&) = delete;
  ~FdSwaps() {
    for (auto& [tid, s] : swaps_) close(s.host_fd);
  }
  // Takes `swap.host_fd`.
  void put(pid_t tid, FdSwap swap) {
    drop(tid);
    swaps_[tid] = swap;
  }
  // The swap of `tid` for `fd`; the caller then owns host_fd.
  std::optional<FdSwap> take(pid_t tid, int fd) {
    auto it = swaps_.find(tid);
    if (it == swaps_.end() || it->second.fd != fd) return std::nullopt;
    FdSwap s = it->second;
    swaps_.erase(it);
    return s;
  }
  // Forgets `tid`'s swap (closing its fd); whether there was one.
  bool drop(pid_t tid) {
    auto it = swaps_.find(tid);
    if (it == swaps_.end()) return false;
    close(it->second.host_fd);
    swaps_.erase(it);
    return true;
  }

 private:
  std::map<pid_t, FdSwap> swaps_;
};

}  // namespace sentry::kernel
