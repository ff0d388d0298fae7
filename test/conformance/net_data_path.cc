// The socket data path with addresses, wherever the socket's fd goes:
// sendmsg/recvmsg and sendto/recvfrom with names on an AF_INET6 UDP socket
// through every kind of copy of its fd (dup, dup2 to a high number, dup3,
// F_DUPFD and F_DUPFD_CLOEXEC above 0), from another thread and from a
// forked child; stream sockets, which report no source name (length 0) and
// ignore a send name; a TCP socket that takes over a number a UDP socket
// had; and NETLINK_ROUTE through a duplicate. (Under sentry the data path
// is forwarded and these fds are routed back to sentry process by process:
// sentry/platform/fd_routes.h.)
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "conformance.h"
#include "net_util.h"

namespace {

using namespace conformance;

// A dual-stack UDP socket bound to the IPv6 loopback, or -1.
int udp6_on_loopback() {
  int s = socket(AF_INET6, SOCK_DGRAM, 0);
  sockaddr_in6 lo = v6addr(in6addr_loopback, 0);
  if (s < 0 || bind(s, sa(&lo), sizeof lo) != 0) return -1;
  return s;
}

// Sends `byte` from `fd` to `to` with sendmsg and a name.
bool send_named(int fd, const sockaddr_in6& to, char byte) {
  iovec v{&byte, 1};
  msghdr m{};
  m.msg_name = const_cast<sockaddr_in6*>(&to);
  m.msg_namelen = sizeof to;
  m.msg_iov = &v;
  m.msg_iovlen = 1;
  return sendmsg(fd, &m, 0) == 1;
}

// Receives one byte on `fd` with recvmsg; the sender's port must be `from_port`
// (network order) on ::1, as a full sockaddr_in6.
bool recv_named(int fd, char want, uint16_t from_port) {
  if (!readable(fd)) return false;
  char byte = 0;
  sockaddr_in6 from{};
  iovec v{&byte, 1};
  msghdr m{};
  m.msg_name = &from;
  m.msg_namelen = sizeof from;
  m.msg_iov = &v;
  m.msg_iovlen = 1;
  if (recvmsg(fd, &m, 0) != 1) return false;
  return byte == want && m.msg_namelen == sizeof from && from.sin6_family == AF_INET6 &&
         std::memcmp(&from.sin6_addr, &in6addr_loopback, sizeof from.sin6_addr) == 0 && from.sin6_port == from_port;
}

// The same with sendto and recvfrom.
bool roundtrip_to_from(int from_fd, int to_fd, char byte) {
  sockaddr_in6 to = v6addr(in6addr_loopback, port_of(to_fd));
  if (sendto(from_fd, &byte, 1, 0, sa(&to), sizeof to) != 1 || !readable(to_fd)) return false;
  char got = 0;
  sockaddr_in6 from{};
  socklen_t len = sizeof from;
  if (recvfrom(to_fd, &got, 1, 0, sa(&from), &len) != 1) return false;
  return got == byte && len == sizeof from && from.sin6_port == port_of(from_fd) &&
         std::memcmp(&from.sin6_addr, &in6addr_loopback, sizeof from.sin6_addr) == 0;
}

// `fd` (any copy of a UDP socket) sends to `peer` and receives its answer.
bool works_through(int fd, int peer, char byte) {
  sockaddr_in6 to_peer = v6addr(in6addr_loopback, port_of(peer));
  sockaddr_in6 back = v6addr(in6addr_loopback, port_of(fd));
  return send_named(fd, to_peer, byte) && recv_named(peer, byte, port_of(fd)) && send_named(peer, back, byte) &&
         recv_named(fd, byte, port_of(peer)) && roundtrip_to_from(fd, peer, byte) && roundtrip_to_from(peer, fd, byte);
}

struct ThreadArg {
  int fd, peer;
  bool ok = false;
};

void* thread_main(void* p) {
  auto* a = static_cast<ThreadArg*>(p);
  a->ok = works_through(a->fd, a->peer, 't');
  return nullptr;
}

void test_udp_copies() {
  int u = udp6_on_loopback();
  int peer = udp6_on_loopback();
  CHECK(u >= 0 && peer >= 0);
  CHECK(works_through(u, peer, 'a'));
  int d = dup(u);
  CHECK(d >= 0);
  CHECK(works_through(d, peer, 'b'));
  CHECK(dup2(u, 200) == 200);
  CHECK(works_through(200, peer, 'c'));
  CHECK(dup3(u, 201, O_CLOEXEC) == 201);
  CHECK(works_through(201, peer, 'd'));
  int f = fcntl(u, F_DUPFD, 300);
  CHECK(f >= 300);
  CHECK(works_through(f, peer, 'e'));
  int fc = fcntl(u, F_DUPFD_CLOEXEC, 400);
  CHECK(fc >= 400);
  CHECK(fcntl(fc, F_GETFD) == FD_CLOEXEC);
  CHECK(works_through(fc, peer, 'f'));
  // Another thread of the process.
  ThreadArg ta{u, peer};
  pthread_t t;
  CHECK(pthread_create(&t, nullptr, thread_main, &ta) == 0);
  CHECK(pthread_join(t, nullptr) == 0);
  CHECK(ta.ok);
  // A forked child, through the inherited fd and a copy it makes itself.
  pid_t child = fork();
  if (child == 0) {
    int mine = dup(u);
    _exit(works_through(u, peer, 'g') && mine >= 0 && works_through(mine, peer, 'h') ? 0 : 1);
  }
  int status = 0;
  CHECK(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  for (int fd : {d, 200, 201, f, fc, u, peer}) close(fd);
}

void test_stream_names() {
  int lst = socket(AF_INET6, SOCK_STREAM, 0);
  sockaddr_in6 lo = v6addr(in6addr_loopback, 0);
  CHECK_OK(bind(lst, sa(&lo), sizeof lo));
  CHECK_OK(listen(lst, 4));
  // A TCP socket on a number a UDP socket held before.
  int old = udp6_on_loopback();
  CHECK(old >= 0);
  close(old);
  int c = socket(AF_INET6, SOCK_STREAM, 0);
  CHECK(c == old);
  sockaddr_in6 to = v6addr(in6addr_loopback, port_of(lst));
  CHECK_OK(connect(c, sa(&to), sizeof to));
  int a = accept(lst, nullptr, nullptr);
  CHECK(a >= 0);
  // A send name on a connected stream socket is ignored.
  sockaddr_in6 elsewhere = v6addr(in6addr_loopback, htons(9));
  CHECK(send_named(c, elsewhere, 'x'));
  CHECK(sendto(c, "y", 1, 0, sa(&elsewhere), sizeof elsewhere) == 1);
  // A stream socket reports no source name: the length comes back 0.
  CHECK(readable(a));
  char buf[2] = {};
  sockaddr_in6 from{};
  socklen_t len = sizeof from;
  CHECK(recvfrom(a, buf, 1, 0, sa(&from), &len) == 1);
  CHECK(buf[0] == 'x' && len == 0);
  iovec v{buf, 1};
  msghdr m{};
  m.msg_name = &from;
  m.msg_namelen = sizeof from;
  m.msg_iov = &v;
  m.msg_iovlen = 1;
  CHECK(readable(a));
  CHECK(recvmsg(a, &m, 0) == 1);
  CHECK(buf[0] == 'y' && m.msg_namelen == 0);
  // The other direction on the reused number.
  CHECK(send(a, "z", 1, 0) == 1);
  len = sizeof from;
  CHECK(readable(c));
  CHECK(recvfrom(c, buf, 1, 0, sa(&from), &len) == 1);
  CHECK(buf[0] == 'z' && len == 0);
  close(a);
  close(c);
  close(lst);
}

// An RTM_GETLINK dump through a duplicate of a NETLINK_ROUTE socket: the
// answer comes from the kernel (nl_pid 0) and lists the loopback device.
void test_netlink_copy() {
  int nl = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  CHECK(nl >= 0);
  int d = fcntl(nl, F_DUPFD_CLOEXEC, 500);
  CHECK(d >= 500);
  struct {
    nlmsghdr h;
    ifinfomsg i;
  } req{};
  req.h.nlmsg_len = sizeof req;
  req.h.nlmsg_type = RTM_GETLINK;
  req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.h.nlmsg_seq = 1;
  req.i.ifi_family = AF_UNSPEC;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  CHECK(sendto(d, &req, sizeof req, 0, sa(&kernel), sizeof kernel) == static_cast<ssize_t>(sizeof req));
  char buf[16384];
  sockaddr_nl from{};
  iovec v{buf, sizeof buf};
  msghdr m{};
  m.msg_name = &from;
  m.msg_namelen = sizeof from;
  m.msg_iov = &v;
  m.msg_iovlen = 1;
  ssize_t n = recvmsg(d, &m, 0);
  CHECK(n > 0);
  CHECK(m.msg_namelen == sizeof from && from.nl_family == AF_NETLINK && from.nl_pid == 0);
  bool saw_lo = false;
  for (auto* h = reinterpret_cast<nlmsghdr*>(buf); n > 0 && NLMSG_OK(h, static_cast<unsigned>(n));
       h = NLMSG_NEXT(h, n)) {
    if (h->nlmsg_type != RTM_NEWLINK) continue;
    auto* info = static_cast<ifinfomsg*>(NLMSG_DATA(h));
    saw_lo = saw_lo || (info->ifi_flags & IFF_LOOPBACK) != 0;
  }
  CHECK(saw_lo);
  close(d);
  close(nl);
}

}  // namespace

int main() {
  if (!ipv6_loopback_works()) {
    std::printf("SKIP: this machine has no IPv6 loopback (::1)\n");
    return 77;
  }
  test_udp_copies();
  test_stream_names();
  test_netlink_copy();
  return conformance::finish();
}
