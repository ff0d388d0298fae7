#include "sentry/oci/control.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sentry/sandbox/fd_passing.h"

namespace sentry::oci {

namespace {

// The socket's address through the directory's fd: a state directory's path
// can be longer than sun_path.
sockaddr_un address_in(int dirfd) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::snprintf(a.sun_path, sizeof a.sun_path, "/proc/self/fd/%d/control", dirfd);
  return a;
}

}  // namespace

int listen_control(int dirfd, std::string* error) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a = address_in(dirfd);
  unlinkat(dirfd, "control", 0);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 16) != 0) {
    *error = std::string("cannot make the control socket: ") + std::strerror(errno);
    if (fd >= 0) close(fd);
    return -1;
  }
  return fd;
}

std::optional<std::string> read_line(int fd, int timeout_ms) {
  std::string line;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int r = poll(&p, 1, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return std::nullopt;
    char c;
    ssize_t n = read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    if (c == '\n') return line;
    line.push_back(c);
    if (line.size() > 65536) return std::nullopt;
  }
}

void write_line(int fd, const std::string& line) {
  const std::string out = line + "\n";
  std::size_t done = 0;
  while (done < out.size()) {
    ssize_t n = send(fd, out.data() + done, out.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

std::optional<std::string> read_request(int fd, int timeout_ms, std::vector<int>* fds) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, timeout_ms) != 1) return std::nullopt;
  std::vector<char> buf(256 * 1024);
  sandbox::Received got = sandbox::recv_with_fds(fd, buf.data(), buf.size(), 4 + kMaxPreservedFds);
  const ssize_t n = got.n;
  fds->insert(fds->end(), got.fds.begin(), got.fds.end());
  if (n <= 0) return std::nullopt;
  std::string line(buf.data(), static_cast<std::size_t>(n));
  const std::size_t nl = line.find('\n');
  if (nl == std::string::npos) return std::nullopt;  // one message holds the whole line
  return line.substr(0, nl);
}

int send_request(int dirfd, const std::string& request, const std::vector<int>& fds, std::string* error) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a = address_in(dirfd);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    *error = std::string("the container's monitor does not answer: ") + std::strerror(errno);
    if (fd >= 0) close(fd);
    return -1;
  }
  const std::string line = request + "\n";
  if (sandbox::send_with_fds(fd, line, fds) != static_cast<ssize_t>(line.size())) {
    *error = std::string("sending the request: ") + std::strerror(errno);
    close(fd);
    return -1;
  }
  return fd;
}

std::optional<std::string> control_request(int dirfd, const std::string& request, int timeout_ms,
                                           std::string* error) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a = address_in(dirfd);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    *error = std::string("the container's monitor does not answer: ") + std::strerror(errno);
    if (fd >= 0) close(fd);
    return std::nullopt;
  }
  write_line(fd, request);
  auto reply = read_line(fd, timeout_ms);
  close(fd);
  if (!reply) {
    *error = "the container's monitor did not answer \"" + request + "\"";
    return std::nullopt;
  }
  if (reply->rfind("error ", 0) == 0) {
    *error = reply->substr(6);
    return std::nullopt;
  }
  return reply;
}

}  // namespace sentry::oci
