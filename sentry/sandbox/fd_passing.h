// Sending file descriptors over a unix socket (SCM_RIGHTS) with a message:
// the console's master to an engine, a program's stdio to the spawner, an
// exec's stdio to the monitor.
#pragma once

#include <sys/socket.h>

#include <cstring>
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

}  // namespace sentry::sandbox
