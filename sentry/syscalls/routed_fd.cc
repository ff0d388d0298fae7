#include "sentry/syscalls/routed_fd.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>

namespace sentry::syscalls {

ReplyStatus complete_with_routed_fd(kernel::Kernel& k, const SyscallPtr& call, int host_fd, bool cloexec,
                                    int target_fd) {
  struct stat st {};
  bool routed = false;
  if (k.fd_router != nullptr && call->can_install_fds() && fstat(host_fd, &st) == 0) {
    const netstack::Inet6Socket* s = k.sockets.find(st.st_ino);
    routed = (s != nullptr && s->type == SOCK_DGRAM) || k.netlink.find(st.st_ino) != nullptr;
  }
  if (!routed) return call->complete_with_fd(host_fd, cloexec, target_fd);
  const int guest_fd = call->install_fd(host_fd, cloexec, target_fd);
  if (guest_fd == -ENOENT) {  // the thread went away
    call->settle(-EINTR);
    return ReplyStatus::kGone;
  }
  if (guest_fd < 0) return call->complete(guest_fd);
  k.fd_router->answer_routed(call, guest_fd);
  return ReplyStatus::kDelivered;
}

}  // namespace sentry::syscalls
