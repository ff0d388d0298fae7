// Ports below net.ipv4.ip_unprivileged_port_start: root binds them, over
// AF_INET and AF_INET6, TCP and UDP, and the sockets work; a process that
// dropped to an unprivileged uid gets EACCES. (Under sentry the guest's
// thread has no capability in the host's network namespace: sentry binds
// for the guest when its credentials allow, sentry/syscalls/sys_socket.cc.)
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "conformance.h"

namespace {

constexpr int kCandidates[] = {873, 901, 913, 981, 989, 990, 992, 995, 999};

// The loopback address of `family` (127.0.0.1 or ::1) with `port`; its length.
socklen_t loopback(int family, int port, sockaddr_storage* out) {
  if (family == AF_INET) {
    auto* a = reinterpret_cast<sockaddr_in*>(out);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<std::uint16_t>(port));
    a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return sizeof *a;
  }
  auto* a = reinterpret_cast<sockaddr_in6*>(out);
  a->sin6_family = AF_INET6;
  a->sin6_port = htons(static_cast<std::uint16_t>(port));
  a->sin6_addr = in6addr_loopback;
  return sizeof *a;
}

int bind_low(int family, int type, int* port_out) {
  for (int port : kCandidates) {
    int s = socket(family, type | SOCK_CLOEXEC, 0);
    if (s < 0) return -1;
    sockaddr_storage a{};
    const socklen_t len = loopback(family, port, &a);
    const int rc = bind(s, reinterpret_cast<sockaddr*>(&a), len);
    if (rc == 0) {
      *port_out = port;
      return s;
    }
    const int err = errno;
    close(s);
    if (err != EADDRINUSE) {
      errno = err;
      return -1;
    }
  }
  errno = EADDRINUSE;
  return -1;
}

int bound_port(int s) {
  sockaddr_storage a{};
  socklen_t len = sizeof a;
  if (getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) return -1;
  return ntohs(a.ss_family == AF_INET ? reinterpret_cast<sockaddr_in*>(&a)->sin_port
                                      : reinterpret_cast<sockaddr_in6*>(&a)->sin6_port);
}

void root_binds(int family) {
  // TCP: bind, listen, connect from a second socket, accept.
  int port = 0;
  const int l = bind_low(family, SOCK_STREAM, &port);
  CHECK(l >= 0);
  if (l < 0) return;
  CHECK(bound_port(l) == port);
  CHECK(listen(l, 1) == 0);
  const int c = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHECK(c >= 0);
  sockaddr_storage to{};
  const socklen_t to_len = loopback(family, port, &to);
  const int rc = connect(c, reinterpret_cast<sockaddr*>(&to), to_len);
  CHECK(rc == 0);
  const int a = accept4(l, nullptr, nullptr, SOCK_CLOEXEC);
  CHECK(a >= 0);
  CHECK(write(c, "x", 1) == 1);
  char b = 0;
  CHECK(a >= 0 && read(a, &b, 1) == 1 && b == 'x');
  // The client closes first, so TIME_WAIT stays on its ephemeral port and
  // the low port is free again for whoever needs it next.
  close(c);
  if (a >= 0) {
    CHECK(read(a, &b, 1) == 0);
    close(a);
  }
  close(l);
  // UDP.
  const int u = bind_low(family, SOCK_DGRAM, &port);
  CHECK(u >= 0);
  if (u >= 0) {
    CHECK(bound_port(u) == port);
    close(u);
  }
}

}  // namespace

int main() {
  if (geteuid() != 0) conformance::skip("binding ports below 1024 needs root");
  root_binds(AF_INET);
  root_binds(AF_INET6);
  // An unprivileged process: EACCES, for both families and both types.
  const pid_t child = fork();
  CHECK_OK(child);
  if (child == 0) {
    const int before = conformance::failures();
    if (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0) _exit(2);
    for (int family : {AF_INET, AF_INET6}) {
      for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
        int port = 0;
        const int s = bind_low(family, type, &port);
        const int err = errno;
        CHECK(s < 0 && err == EACCES);
        if (s >= 0) close(s);
      }
    }
    _exit(conformance::failures() != before ? 1 : 0);
  }
  int st = 0;
  CHECK(waitpid(child, &st, 0) == child && WIFEXITED(st) && WEXITSTATUS(st) == 0);
  return conformance::finish();
}
