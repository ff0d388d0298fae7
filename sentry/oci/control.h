// The monitor's control socket: a unix stream socket named `control` in the
// container's state directory (0700: only the runtime's user reaches it).
// `sentry start`, `kill` and `ps` send one request line and read one reply
// line:
//   start            -> ok                  (the program has been let go)
//   kill SIG ALL     -> ok                  (ALL 1: every process of the tree)
//   ps               -> ok PID PID ...      (host pids of the container's processes)
//   exec JSON        -> ok PID, later: exit STATUS   (with the program's fds:
//                                          stdin, stdout, stderr, the console
//                                          if "console", then "preserve_fds"
//                                          more; sentry/oci/monitor.cc)
// A failed request is answered "error TEXT".
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sentry::oci {

// The most fds `exec --preserve-fds` passes (one SCM_RIGHTS message holds
// at most 253 fds: these, stdio and a console).
inline constexpr int kMaxPreservedFds = 240;

// The listening socket, bound in directory `dirfd` (any path length).
int listen_control(int dirfd, std::string* error);
// Sends `request`, returns the reply; nullopt with *error when the monitor
// is gone or does not answer within `timeout_ms`.
std::optional<std::string> control_request(int dirfd, const std::string& request, int timeout_ms,
                                           std::string* error);
// One line from connection `fd` (the monitor's side), waiting at most
// `timeout_ms`; nullopt on EOF, timeout or an overlong line.
std::optional<std::string> read_line(int fd, int timeout_ms);
void write_line(int fd, const std::string& line);
// The monitor's read of a request: one message (a line, and the fds sent
// with it into *fds), waiting at most `timeout_ms`.
std::optional<std::string> read_request(int fd, int timeout_ms, std::vector<int>* fds);
// The client's side of `exec`: sends `request` with `fds`; returns the
// connection (the reply lines follow), or -1 with *error.
int send_request(int dirfd, const std::string& request, const std::vector<int>& fds, std::string* error);

}  // namespace sentry::oci
