#include "sentry/syscalls/routed_fd.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <optional>

namespace sentry::syscalls {

namespace {

// The object with inode `ino` has data calls sentry must serve.
bool needs_route(kernel::Kernel& k, ino_t ino) {
  const netstack::Inet6Socket* s = k.sockets.find(ino);
  return (s != nullptr && s->type == SOCK_DGRAM) || k.netlink.find(ino) != nullptr;
}

}  // namespace

bool is_routed_kind(kernel::Kernel& k, pid_t tid, int fd) {
  if (k.fd_router == nullptr) return false;
  const std::optional<ino_t> ino = netstack::socket_inode(tid, fd);
  return ino && needs_route(k, *ino);
}

ReplyStatus complete_with_routed_fd(kernel::Kernel& k, const SyscallPtr& call, int host_fd, bool cloexec,
                                    int target_fd) {
  struct stat st {};
  const bool routed = k.fd_router != nullptr && call->can_install_fds() && fstat(host_fd, &st) == 0 &&
                      needs_route(k, st.st_ino);
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
