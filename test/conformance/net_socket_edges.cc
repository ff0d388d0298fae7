// Socket behaviours real programs met (issue 15): what glibc's getaddrinfo
// and dual-stack servers rely on, the RFC 3542 ancillary-data options of
// AF_INET6 sockets, UDP-Lite, and the order of bind's checks.
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "conformance.h"
#include "net_util.h"

using conformance::sa;

namespace {

sockaddr_in6 local_of(int fd) {
  sockaddr_in6 s{};
  socklen_t len = sizeof s;
  CHECK_OK(getsockname(fd, sa(&s), &len));
  return s;
}

// glibc's getaddrinfo sorts its answers by connecting one UDP AF_INET6
// socket to each (RFC 6724) and asks getsockname for the source; between
// destinations it dissolves the association with AF_UNSPEC. An IPv4
// destination must then give a v4-mapped source, or glibc asserts
// (getaddrinfo.c: IN6_IS_ADDR_V4MAPPED).
void udp6_reconnect_to_v4() {
  int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  CHECK(fd >= 0);
  sockaddr_in6 one = conformance::v6addr(in6addr_loopback, htons(9));
  CHECK_OK(connect(fd, sa(&one), sizeof one));
  sockaddr_in6 src = local_of(fd);
  CHECK(IN6_IS_ADDR_LOOPBACK(&src.sin6_addr));
  sockaddr unspec{};
  unspec.sa_family = AF_UNSPEC;
  CHECK_OK(connect(fd, &unspec, sizeof unspec));
  sockaddr_in6 mapped = conformance::v6addr(conformance::kMappedLoopback, htons(9));
  CHECK_OK(connect(fd, sa(&mapped), sizeof mapped));
  src = local_of(fd);
  CHECK(IN6_IS_ADDR_V4MAPPED(&src.sin6_addr));
  CHECK(conformance::is_mapped_loopback(src));
  sockaddr_in6 peer{};
  socklen_t len = sizeof peer;
  CHECK_OK(getpeername(fd, sa(&peer), &len));
  CHECK(conformance::is_mapped_loopback(peer) && peer.sin6_port == htons(9));
  // And back to ::1.
  CHECK_OK(connect(fd, &unspec, sizeof unspec));
  CHECK_OK(connect(fd, sa(&one), sizeof one));
  src = local_of(fd);
  CHECK(IN6_IS_ADDR_LOOPBACK(&src.sin6_addr));
  close(fd);
}

// What getaddrinfo(NULL, port, AI_PASSIVE) gives a dual-stack server.
void getaddrinfo_passive() {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  CHECK(getaddrinfo(nullptr, "8080", &hints, &res) == 0);
  int n = 0;
  for (addrinfo* a = res; a != nullptr; a = a->ai_next) ++n;
  CHECK(n >= 1);
  if (res != nullptr) freeaddrinfo(res);
  hints.ai_flags = 0;
  res = nullptr;
  CHECK(getaddrinfo("localhost", "8080", &hints, &res) == 0);  // sorted with connect + getsockname
  if (res != nullptr) freeaddrinfo(res);
}

int get_int(int fd, int level, int name) {
  int v = -1;
  socklen_t len = sizeof v;
  if (getsockopt(fd, level, name, &v, &len) != 0) return -2;
  return v;
}

// RFC 3542: the receive options are accepted and their ancillary data comes
// with each datagram.
void ipv6_ancillary() {
  int rx = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  int tx = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  CHECK(rx >= 0 && tx >= 0);
  const int one = 1;
  for (int opt : {IPV6_RECVHOPLIMIT, IPV6_RECVTCLASS, IPV6_RECVPKTINFO}) {
    CHECK_OK(setsockopt(rx, IPPROTO_IPV6, opt, &one, sizeof one));
    CHECK(get_int(rx, IPPROTO_IPV6, opt) == 1);
  }
  // The extension-header options are accepted and read back (off again too).
  const int zero = 0;
  for (int opt : {IPV6_RECVRTHDR, IPV6_RECVHOPOPTS, IPV6_RECVDSTOPTS}) {
    CHECK(get_int(tx, IPPROTO_IPV6, opt) == 0);
    CHECK_OK(setsockopt(tx, IPPROTO_IPV6, opt, &one, sizeof one));
    CHECK(get_int(tx, IPPROTO_IPV6, opt) == 1);
    CHECK_OK(setsockopt(tx, IPPROTO_IPV6, opt, &zero, sizeof zero));
    CHECK(get_int(tx, IPPROTO_IPV6, opt) == 0);
  }
  sockaddr_in6 any = conformance::v6addr(in6addr_loopback, 0);
  CHECK_OK(bind(rx, sa(&any), sizeof any));
  sockaddr_in6 to = conformance::v6addr(in6addr_loopback, conformance::port_of(rx));
  const int hops = 7, tclass = 0x20;
  CHECK_OK(setsockopt(tx, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops));
  CHECK_OK(setsockopt(tx, IPPROTO_IPV6, IPV6_TCLASS, &tclass, sizeof tclass));
  CHECK(sendto(tx, "x", 1, 0, sa(&to), sizeof to) == 1);
  char data[8];
  alignas(cmsghdr) char control[256];
  iovec iov{data, sizeof data};
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = control;
  m.msg_controllen = sizeof control;
  CHECK(recvmsg(rx, &m, 0) == 1);
  int got_hops = -1, got_tclass = -1;
  bool got_pktinfo = false;
  for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level != IPPROTO_IPV6) continue;
    if (c->cmsg_type == IPV6_HOPLIMIT) std::memcpy(&got_hops, CMSG_DATA(c), sizeof got_hops);
    if (c->cmsg_type == IPV6_TCLASS) std::memcpy(&got_tclass, CMSG_DATA(c), sizeof got_tclass);
    if (c->cmsg_type == IPV6_PKTINFO) got_pktinfo = true;
  }
  CHECK(got_hops == hops);
  CHECK(got_tclass == tclass);
  CHECK(got_pktinfo);
  close(rx);
  close(tx);
}

// UDP-Lite is a datagram protocol of both families.
void udplite() {
  for (int family : {AF_INET, AF_INET6}) {
    int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDPLITE);
    CHECK(fd >= 0);
    if (fd >= 0) close(fd);
  }
}

// bind() checks the address family before anything else.
void bind_family_first() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHECK(fd >= 0);
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  std::strcpy(un.sun_path, "/tmp/net_socket_edges.sock");
  CHECK_ERR(bind(fd, sa(&un), sizeof un), EAFNOSUPPORT);
  close(fd);
  fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  CHECK(fd >= 0);
  sockaddr_in v4 = conformance::v4addr(INADDR_LOOPBACK, 0);
  CHECK_ERR(bind(fd, sa(&v4), sizeof v4), EINVAL);  // too short for AF_INET6
  close(fd);
}

// Raw sockets need CAP_NET_RAW over the network namespace: both families
// answer alike (both open as root natively; EPERM where it is not held).
void raw_sockets_alike() {
  errno = 0;
  int v4 = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
  const int e4 = errno;
  errno = 0;
  int v6 = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
  const int e6 = errno;
  CHECK((v4 >= 0) == (v6 >= 0));
  if (v4 < 0) CHECK(e4 == EPERM);
  if (v6 < 0) CHECK(e6 == EPERM);
  if (v4 >= 0) close(v4);
  if (v6 >= 0) close(v6);
}

// SO_BINDTOIFINDEX takes any index without looking it up. IPv6 then has no
// route to ::1 through another device, existing or not (found by the syscall
// fuzzer: sentry's IPv4 host socket answered ENODEV for a missing index).
void bound_device_has_no_route_to_loopback() {
  for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
    for (int dev : {64, 65536}) {
      int fd = socket(AF_INET6, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      CHECK(fd >= 0);
      CHECK_OK(setsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &dev, sizeof dev));
      int got = 0;
      socklen_t len = sizeof got;
      CHECK_OK(getsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &got, &len));
      CHECK(got == dev);
      sockaddr_in6 one = conformance::v6addr(in6addr_loopback, htons(9));
      CHECK_ERR(connect(fd, sa(&one), sizeof one), ENETUNREACH);
      if (type == SOCK_DGRAM) CHECK_ERR(sendto(fd, "x", 1, 0, sa(&one), sizeof one), ENETUNREACH);
      close(fd);
    }
    // Bound to lo, ::1 is reachable.
    int fd = socket(AF_INET6, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    CHECK(fd >= 0);
    int lo = 1;
    CHECK_OK(setsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &lo, sizeof lo));
    sockaddr_in6 one = conformance::v6addr(in6addr_loopback, htons(9));
    const int rc = connect(fd, sa(&one), sizeof one);
    const int e = errno;
    CHECK(rc == 0 || e == EINPROGRESS || e == ECONNREFUSED);
    close(fd);
  }
}

// TCP Fast Open from an AF_INET6 socket: sendto()/sendmsg() with
// MSG_FASTOPEN connect to the address they carry (and send the data once the
// handshake is done, the server having no TFO cookie to give). Under sentry
// the host socket is AF_INET: the address must be translated as connect's,
// and the peer must see ::1 / ::ffff:127.0.0.1 as on Linux.
enum class Send { kSendto, kSendmsg, kSendmmsg };

void fastopen_connects_v6(const in6_addr& listen_on, Send how) {
  int l = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHECK(l >= 0);
  sockaddr_in6 la = conformance::v6addr(listen_on, 0);
  CHECK_OK(bind(l, sa(&la), sizeof la));
  CHECK_OK(listen(l, 4));
  sockaddr_in6 to = conformance::v6addr(listen_on, conformance::port_of(l));
  int c = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHECK(c >= 0);
  char hello[] = "hello";
  ssize_t n;
  if (how != Send::kSendto) {
    iovec iov{hello, 5};
    mmsghdr mm{};
    msghdr& m = mm.msg_hdr;
    m.msg_name = &to;
    m.msg_namelen = sizeof to;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    if (how == Send::kSendmsg) {
      n = sendmsg(c, &m, MSG_FASTOPEN | MSG_NOSIGNAL);
    } else {
      n = sendmmsg(c, &mm, 1, MSG_FASTOPEN | MSG_NOSIGNAL);
      if (n == 1) n = mm.msg_len;
    }
  } else {
    n = sendto(c, hello, 5, MSG_FASTOPEN | MSG_NOSIGNAL, sa(&to), sizeof to);
  }
  const int e = errno;
  if (n < 0 && e == EOPNOTSUPP) {
    std::printf("fastopen_connects_v6: not checked: TCP Fast Open is off for clients (net.ipv4.tcp_fastopen)\n");
    close(c);
    close(l);
    return;
  }
  CHECK(n == 5);
  if (n != 5) {
    close(c);
    close(l);
    return;
  }
  sockaddr_in6 peer{};
  socklen_t plen = sizeof peer;
  int a = accept4(l, sa(&peer), &plen, SOCK_CLOEXEC);
  CHECK(a >= 0);
  CHECK(peer.sin6_family == AF_INET6 && std::memcmp(&peer.sin6_addr, &listen_on, sizeof listen_on) == 0);
  char got[8] = {};
  CHECK(recv(a, got, sizeof got, 0) == 5 && std::memcmp(got, "hello", 5) == 0);
  sockaddr_in6 mine = local_of(c);
  CHECK(std::memcmp(&mine.sin6_addr, &listen_on, sizeof listen_on) == 0);
  // Connected now: another Fast Open send answers EISCONN whatever the address.
  sockaddr_in6 other = conformance::v6addr(in6addr_loopback, htons(9));
  CHECK_ERR(sendto(c, hello, 5, MSG_FASTOPEN | MSG_NOSIGNAL, sa(&other), sizeof other), EISCONN);
  close(a);
  close(c);
  close(l);
}

// The address checks of a Fast Open send are connect's (tcp_v6_connect).
void fastopen_address_errors() {
  char x = 'x';
  int c = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  CHECK(c >= 0);
  sockaddr_in v4 = conformance::v4addr(INADDR_LOOPBACK, htons(9));
  CHECK_ERR(sendto(c, &x, 1, MSG_FASTOPEN | MSG_NOSIGNAL, sa(&v4), sizeof v4), EINVAL);  // shorter than sockaddr_in6
  sockaddr_in6 wrong = conformance::v6addr(in6addr_loopback, htons(9));
  wrong.sin6_family = AF_INET;
  CHECK_ERR(sendto(c, &x, 1, MSG_FASTOPEN | MSG_NOSIGNAL, sa(&wrong), sizeof wrong), EAFNOSUPPORT);
  close(c);
}

// sendmmsg() copies one header at a time: a vector that runs into unmapped
// memory sends the messages before the fault and returns their count.
void sendmmsg_vector_into_unmapped() {
  const long page = sysconf(_SC_PAGESIZE);
  auto* area = static_cast<char*>(mmap(nullptr, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  CHECK(area != MAP_FAILED);
  CHECK_OK(munmap(area + page, page));
  int r = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  CHECK(r >= 0);
  sockaddr_in6 ra = conformance::v6addr(in6addr_loopback, 0);
  CHECK_OK(bind(r, sa(&ra), sizeof ra));
  sockaddr_in6 to = conformance::v6addr(in6addr_loopback, conformance::port_of(r));
  int c = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  CHECK(c >= 0);
  char x = 'x';
  iovec iov{&x, 1};
  auto* mm = reinterpret_cast<mmsghdr*>(area + page - sizeof(mmsghdr));  // the last one readable
  *mm = mmsghdr{};
  mm->msg_hdr.msg_name = &to;
  mm->msg_hdr.msg_namelen = sizeof to;
  mm->msg_hdr.msg_iov = &iov;
  mm->msg_hdr.msg_iovlen = 1;
  CHECK(sendmmsg(c, mm, 8, 0) == 1);
  CHECK(mm->msg_len == 1);
  sockaddr_in6 from{};
  socklen_t flen = sizeof from;
  char got = 0;
  CHECK(recvfrom(r, &got, 1, MSG_DONTWAIT, sa(&from), &flen) == 1 && got == 'x');
  CHECK(IN6_IS_ADDR_LOOPBACK(&from.sin6_addr));
  CHECK_ERR(sendmmsg(c, reinterpret_cast<mmsghdr*>(area + page), 8, 0), EFAULT);
  close(c);
  close(r);
  munmap(area, page);
}

}  // namespace

int main() {
  udp6_reconnect_to_v4();
  getaddrinfo_passive();
  ipv6_ancillary();
  udplite();
  bind_family_first();
  raw_sockets_alike();
  bound_device_has_no_route_to_loopback();
  fastopen_connects_v6(in6addr_loopback, Send::kSendto);
  fastopen_connects_v6(in6addr_loopback, Send::kSendmsg);
  fastopen_connects_v6(in6addr_loopback, Send::kSendmmsg);
  fastopen_connects_v6(conformance::kMappedLoopback, Send::kSendto);
  fastopen_address_errors();
  sendmmsg_vector_into_unmapped();
  return conformance::finish();
}
