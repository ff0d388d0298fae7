// Passing file descriptors (SCM_RIGHTS) and credentials (SCM_CREDENTIALS)
// over unix sockets with a message: the console's master to an engine, a
// program's stdio to the spawner, an exec's stdio to the monitor, the FUSE
// device from the mounter, a program's pid to sentry.
#pragma once

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

namespace sentry::sandbox {

// One sendmsg of `data` carrying `fds` (none: a plain send). Returns what
// sendmsg returns.
inline ssize_t send_with_fds(int sock, std::string_view data, const std::vector<int>& fds) {
  std::vector<char> cbuf(fds.empty() ? 0 : CMSG_SPACE(fds.size() * sizeof(int)));
  iovec iov{const_cast<char*>(data.data()), data.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (!fds.empty()) {
    msg.msg_control = cbuf.data();
    msg.msg_controllen = cbuf.size();
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(fds.size() * sizeof(int));
    std::memcpy(CMSG_DATA(c), fds.data(), fds.size() * sizeof(int));
  }
  return sendmsg(sock, &msg, MSG_NOSIGNAL);
}

// What one recv_with_fds() got.
struct Received {
  ssize_t n = -1;                // recvmsg's result
  std::vector<int> fds;          // SCM_RIGHTS, close-on-exec
  std::optional<ucred> cred;     // SCM_CREDENTIALS (the receiver set SO_PASSCRED)
};

// One recvmsg into `buf` (retried on EINTR), taking up to `max_fds` fds.
inline Received recv_with_fds(int sock, char* buf, std::size_t len, std::size_t max_fds) {
  std::vector<char> cbuf(CMSG_SPACE(max_fds * sizeof(int)) + CMSG_SPACE(sizeof(ucred)));
  iovec iov{buf, len};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf.data();
  msg.msg_controllen = cbuf.size();
  Received r;
  do {
    r.n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (r.n < 0 && errno == EINTR);
  for (cmsghdr* c = r.n >= 0 ? CMSG_FIRSTHDR(&msg) : nullptr; c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET) continue;
    if (c->cmsg_type == SCM_RIGHTS) {
      const std::size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      const std::size_t at = r.fds.size();
      r.fds.resize(at + count);
      std::memcpy(r.fds.data() + at, CMSG_DATA(c), count * sizeof(int));
    } else if (c->cmsg_type == SCM_CREDENTIALS) {
      ucred u;
      std::memcpy(&u, CMSG_DATA(c), sizeof u);
      r.cred = u;
    }
  }
  return r;
}

// A SOCK_SEQPACKET pair whose first end receives its peers' credentials.
inline bool credentials_pair(int sv[2]) {
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return false;
  int one = 1;
  setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
  return true;
}

}  // namespace sentry::sandbox
