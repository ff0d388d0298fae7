// The socket family for the guest's AF_INET6 sockets, which are host AF_INET
// sockets underneath (netstack/inet6_mapping.h has the address model), and
// the placement of its AF_INET ones. The guest's network namespace is its own
// (abstract unix names, raw and packet sockets stay there); its TCP and UDP
// sockets are sentry's, made in the host's namespace (or, with --network
// isolated, in the guest's), so the host network is the guest's.
//
//   socket                 emulated: sentry creates the host AF_INET socket and
//                          installs it in the guest (NOTIF_ADDFD), for AF_INET6
//                          and for AF_INET TCP/UDP; anything else is the
//                          guest's own, made in its namespace.
//   setsockopt, getsockopt emulated for IPPROTO_IPV6 and SO_DOMAIN; the rest
//                          runs on the host unchanged.
//   bind, connect, accept, accept4, getsockname, getpeername, sendto,
//   recvfrom, sendmsg, recvmsg, recvmmsg, sendmmsg
//                          translated: the host runs them in the guest's own
//                          thread (so they block and are interrupted exactly
//                          as on Linux); sentry points their address arguments
//                          at IPv4 copies it writes below the guest's red zone
//                          and turns the IPv4 addresses they return into the
//                          28-byte sockaddr_in6 the guest expects.
//
// A privileged port (below net.ipv4.ip_unprivileged_port_start) is bound by
// sentry on a copy of the socket when the guest's credentials hold
// CAP_NET_BIND_SERVICE: the guest's thread has no capability in the host's
// network namespace. AF_UNIX addresses are resolved by the kernel in the
// guest's own namespaces; every other call on another family runs on the host.
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <optional>
#include <variant>
#include <vector>

#include <spdlog/spdlog.h>

#include "netstack/ancillary.h"
#include "netstack/inet6_mapping.h"
#include "netstack/sockaddr_io.h"
#include "sentry/kernel/guest_fd.h"
#include "sentry/syscalls/registry.h"
#include "sentry/syscalls/routed_fd.h"
#include "sentry/syscalls/sockopt_value.h"
#include "sentry/syscalls/sys_netlink.h"

namespace sentry::syscalls {

namespace {

using netstack::Inet6Socket;

constexpr int kSockTypeMask = 0xf;

// The guest's AF_INET6 socket behind `fd`, or nullptr for any other fd.
Inet6Socket* inet6_socket(kernel::Kernel& k, pid_t tid, int fd) {
  auto ino = netstack::socket_inode(tid, fd);
  return ino ? k.sockets.find(*ino) : nullptr;
}


// What the host socket says about itself, for the checks Linux makes on the
// socket's state before it looks at an address.
netstack::SocketView view_of(kernel::Kernel& k, const SyscallPtr& call, int fd, const Inet6Socket& s) {
  netstack::SocketView v;
  v.type = s.type;
  v.v6only = s.v6only;
  kernel::GuestFdCopy copy(k.tree.tgid_of(call->tid()), fd);
  if (copy.valid()) {
    sockaddr_in local{};
    socklen_t len = sizeof local;
    if (getsockname(copy.get(), reinterpret_cast<sockaddr*>(&local), &len) == 0) {
      std::uint32_t a = ntohl(local.sin_addr.s_addr);
      v.local_v4mapped = a != INADDR_ANY && a != netstack::kGuestIpv6LoopbackOnHost;
      v.already_bound = local.sin_port != 0;
    }
    int dev = 0;
    socklen_t dev_len = sizeof dev;
    if (getsockopt(copy.get(), SOL_SOCKET, SO_BINDTOIFINDEX, &dev, &dev_len) == 0) v.bound_dev_if = dev;
  }
  const kernel::Task* t = k.tree.task(call->tid());
  v.can_bind_privileged = t == nullptr || t->creds.has_capability(CAP_NET_BIND_SERVICE);
  return v;
}

// Writes `sin` below the guest's red zone and returns its address (0 if the
// stack there is not writable).
std::uint64_t place_host_address(const SyscallPtr& call, const sockaddr_in& sin) {
  std::uint64_t at = call->scratch_area(sizeof sin);
  if (at == 0 || !call->memory().write(at, &sin, sizeof sin)) return 0;
  return at;
}

// The guest form of the IPv4 address the host wrote at `sa_at` (length at
// `len_at`), copied out to the guest's (addr, addrlen) with Linux's rules.
// Returns `result` on success, or the copy-out errno as Linux's syscalls do.
std::int64_t return_address(const SyscallPtr& call, std::uint64_t sa_at, std::uint64_t len_at,
                            std::uint64_t guest_addr, std::uint64_t guest_len, std::int64_t result,
                            netstack::NullAddr null_addr, const Inet6Socket* s, bool local_name) {
  sockaddr_in host{};
  socklen_t host_len = 0;
  if (!call->memory().read_value(len_at, &host_len)) return -EFAULT;
  if (host_len > sizeof host) host_len = sizeof host;
  if (host_len != 0 && !call->memory().read(sa_at, &host, host_len)) return -EFAULT;
  int rc;
  if (host_len == 0) {
    // The protocol reported no address (recvfrom on TCP): nothing to map.
    rc = netstack::write_sockaddr(call->memory(), guest_addr, guest_len, nullptr, 0, null_addr);
  } else {
    sockaddr_in6 v6 = netstack::to_guest(host);
    // A v6-only socket bound to :: is carried on 127.6.6.1; it still reports ::.
    if (local_name && s != nullptr && s->guest_bound_any &&
        ntohl(host.sin_addr.s_addr) == netstack::kGuestIpv6LoopbackOnHost) {
      v6.sin6_addr = in6addr_any;
    }
    rc = netstack::write_sockaddr(call->memory(), guest_addr, guest_len, &v6, sizeof v6, null_addr);
  }
  return rc < 0 ? rc : result;
}

// ---------------------------------------------------------------------------

// The guest's network namespace is private (its abstract unix names, raw and
// packet sockets stay there); its TCP and UDP sockets are made by sentry in
// the host's namespace, so the host network is the guest's. Anything else
// (raw, ICMP, SCTP...) is made by the guest's own thread in its own
// namespace, where it carries no host privilege.
bool is_tcp_or_udp(int base, int protocol) {
  return (base == SOCK_STREAM && (protocol == 0 || protocol == IPPROTO_TCP)) ||
         (base == SOCK_DGRAM && (protocol == 0 || protocol == IPPROTO_UDP || protocol == IPPROTO_UDPLITE));
}

// A TCP or UDP socket sentry makes for the guest (AF_INET, or the host
// socket behind an AF_INET6 one): in the host's network namespace, or with
// --network isolated in the guest's own (sentry's thread enters it for the
// one call). -errno on failure.
int guest_inet_socket(kernel::Kernel& k, int type, int protocol) {
  if (!k.isolated_network || k.guest_netns < 0) {
    int fd = socket(AF_INET, type, protocol);
    return fd >= 0 ? fd : -errno;
  }
  static const int host_netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (host_netns < 0 || setns(k.guest_netns, CLONE_NEWNET) != 0) return -EIO;
  int fd = socket(AF_INET, type, protocol);
  const int err = errno;
  if (setns(host_netns, CLONE_NEWNET) != 0) {
    spdlog::critical("cannot return to the host's network namespace: {}", std::strerror(errno));
    std::abort();
  }
  return fd >= 0 ? fd : -err;
}

void create_host_inet_socket(kernel::Kernel& k, const SyscallPtr& call, int base, int flags, int protocol) {
  if (k.guest_netns < 0 || !call->can_install_fds() || !is_tcp_or_udp(base, protocol) ||
      (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))) {
    call->continue_on_host();
    return;
  }
  int fd = guest_inet_socket(k, base | (flags & SOCK_NONBLOCK) | SOCK_CLOEXEC, protocol);
  if (fd < 0) return (void)call->fail(-fd);
  call->complete_with_fd(fd, (flags & SOCK_CLOEXEC) != 0);
}

// Ports below net.ipv4.ip_unprivileged_port_start need CAP_NET_BIND_SERVICE
// in the host's network namespace, which no guest has: sentry binds such a
// port itself when the guest's own credentials allow it (as Linux would in
// a namespace the guest owned), on a copy of the guest's socket.
bool needs_privileged_bind(const sockaddr_in& sin) {
  static const int start = [] {
    int v = 1024;
    if (std::FILE* f = std::fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "re")) {
      if (std::fscanf(f, "%d", &v) != 1) v = 1024;
      std::fclose(f);
    }
    return v;
  }();
  const int port = ntohs(sin.sin_port);
  return sin.sin_family == AF_INET && port != 0 && port < start;
}

// Binds guest fd `fd` to `sin` from sentry; the result (0 or -errno).
std::int64_t privileged_bind(kernel::Kernel& k, const SyscallPtr& call, int fd, const sockaddr_in& sin) {
  const kernel::Task* t = k.tree.task(call->tid());
  if (t == nullptr || !t->creds.has_capability(CAP_NET_BIND_SERVICE)) return -EACCES;
  kernel::GuestFdCopy copy(k.tree.tgid_of(call->tid()), fd);
  if (!copy.valid()) return -copy.error();
  return bind(copy.get(), reinterpret_cast<const sockaddr*>(&sin), sizeof sin) == 0 ? 0 : -errno;
}

// bind(2) on a guest AF_INET socket: a privileged port is bound by sentry.
void bind_inet(kernel::Kernel& k, const SyscallPtr& call) {
  sockaddr_in sin{};
  const auto len = static_cast<std::uint32_t>(call->arg(2));
  if (len < sizeof sin || !call->memory().read(call->arg(1), &sin, sizeof sin) || !needs_privileged_bind(sin)) {
    call->continue_on_host();
    return;
  }
  call->complete(privileged_bind(k, call, static_cast<int>(call->arg(0)), sin));
}

// Implements socket(2) for AF_INET6 (other families run on the host).
void sys_socket(kernel::Kernel& k, const SyscallPtr& call) {
  int domain = static_cast<int>(call->arg(0));
  int type = static_cast<int>(call->arg(1));
  int protocol = static_cast<int>(call->arg(2));
  if (domain == AF_NETLINK) {
    netlink_socket(k, call, type, protocol);
    return;
  }
  int base = type & kSockTypeMask;
  int flags = type & ~kSockTypeMask;
  if (domain == AF_INET) {
    create_host_inet_socket(k, call, base, flags, protocol);
    return;
  }
  if (domain != AF_INET6) {
    call->continue_on_host();
    return;
  }
  if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
    call->fail(EINVAL);
    return;
  }
  if (!is_tcp_or_udp(base, protocol)) {
    // inet6_create: a known type with a protocol it does not carry.
    if (base == SOCK_STREAM || base == SOCK_DGRAM) {
      call->fail(EPROTONOSUPPORT);
      return;
    }
    // inet6_create: a raw socket needs CAP_NET_RAW over the network
    // namespace, which the guest never holds (raw and packet sockets would
    // hand it the host kernel's packet paths): EPERM, as AF_INET's and
    // AF_PACKET's raw sockets answer in the guest's own namespace.
    if (base == SOCK_RAW) {
      call->fail(EPERM);
      return;
    }
    spdlog::warn("socket(AF_INET6, type {}, {}) is not served (only TCP and UDP over IPv6 are)", base, protocol);
    call->fail(ESOCKTNOSUPPORT);
    return;
  }
  if (!call->can_install_fds()) {
    // The guest's own thread creates the host AF_INET socket; its inode is
    // registered when the call returns.
    SyscallArgs a = call->args();
    a[0] = AF_INET;
    pid_t tid = call->tid();
    call->continue_rewritten(a, [&k, tid, base](std::int64_t r) {
      if (r >= 0) {
        if (auto ino = netstack::socket_inode(tid, static_cast<int>(r))) k.sockets.add(*ino, Inet6Socket{base});
      }
      return r;
    });
    return;
  }
  int fd = guest_inet_socket(k, base | (flags & SOCK_NONBLOCK) | SOCK_CLOEXEC, protocol);
  if (fd < 0) {
    call->fail(-fd);
    return;
  }
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int err = errno;
    close(fd);
    call->fail(err);
    return;
  }
  k.sockets.add(st.st_ino, Inet6Socket{base});
  if (complete_with_routed_fd(k, call, fd, (flags & SOCK_CLOEXEC) != 0) != ReplyStatus::kDelivered) {
    k.sockets.remove(st.st_ino);
  }
}

// The TCP state of the host socket (TCP_CLOSE when unknown).
int tcp_state_of(kernel::Kernel& k, const SyscallPtr& call, int fd) {
  kernel::GuestFdCopy copy(k.tree.tgid_of(call->tid()), fd);
  tcp_info info{};
  socklen_t len = sizeof info;
  if (!copy.valid() || getsockopt(copy.get(), IPPROTO_TCP, TCP_INFO, &info, &len) != 0) return TCP_CLOSE;
  return info.tcpi_state;
}

// Gives an unbound socket an ephemeral port, as inet_autobind does: on the
// IPv6 loopback for a v6-only socket, else on the wildcard address.
void autobind(kernel::Kernel& k, const SyscallPtr& call, int fd, const Inet6Socket& s) {
  kernel::GuestFdCopy copy(k.tree.tgid_of(call->tid()), fd);
  if (!copy.valid()) return;
  sockaddr_in local{};
  socklen_t len = sizeof local;
  if (getsockname(copy.get(), reinterpret_cast<sockaddr*>(&local), &len) != 0 || local.sin_port != 0) return;
  sockaddr_in any{};
  any.sin_family = AF_INET;
  if (s.v6only) any.sin_addr.s_addr = htonl(netstack::kGuestIpv6LoopbackOnHost);
  (void)bind(copy.get(), reinterpret_cast<const sockaddr*>(&any), sizeof any);
}

// Talking to ::1 (127.6.6.1 on the host) from an unbound socket, the host
// would pick 127.0.0.1 as the source and both ends would see
// ::ffff:127.0.0.1 where Linux shows ::1: bind the source first, keeping the
// socket's port if it has one.
void pin_loopback_source(kernel::Kernel& k, const SyscallPtr& call, int fd, const sockaddr_in& dst, Inet6Socket& s) {
  kernel::GuestFdCopy copy(k.tree.tgid_of(call->tid()), fd);
  if (!copy.valid()) return;
  sockaddr_in local{};
  socklen_t len = sizeof local;
  if (getsockname(copy.get(), reinterpret_cast<sockaddr*>(&local), &len) != 0) return;
  if (!netstack::needs_guest_loopback_source(dst, local)) return;
  sockaddr_in src{};
  src.sin_family = AF_INET;
  src.sin_addr.s_addr = htonl(netstack::kGuestIpv6LoopbackOnHost);
  src.sin_port = local.sin_port;
  // Best effort: a socket already bound to 0.0.0.0:port cannot be rebound.
  if (bind(copy.get(), reinterpret_cast<const sockaddr*>(&src), sizeof src) == 0 && local.sin_port == 0)
    s.source_pinned = true;
}

// The options a datagram socket keeps across renew_datagram_socket().
constexpr std::pair<int, int> kKeptDatagramOptions[] = {
    {SOL_SOCKET, SO_REUSEADDR}, {SOL_SOCKET, SO_REUSEPORT}, {SOL_SOCKET, SO_BROADCAST},
    {SOL_SOCKET, SO_PRIORITY},  {SOL_SOCKET, SO_TIMESTAMP}, {SOL_SOCKET, SO_TIMESTAMPNS},
    {SOL_SOCKET, SO_RCVLOWAT},  {SOL_SOCKET, SO_MARK},      {IPPROTO_IP, IP_TTL},
    {IPPROTO_IP, IP_TOS},       {IPPROTO_IP, IP_PKTINFO},   {IPPROTO_IP, IP_RECVTTL},
    {IPPROTO_IP, IP_RECVTOS},   {IPPROTO_IP, IP_RECVERR},   {IPPROTO_IP, IP_MTU_DISCOVER},
    {IPPROTO_IP, IP_MULTICAST_TTL}, {IPPROTO_IP, IP_MULTICAST_LOOP}, {IPPROTO_IP, IP_FREEBIND},
};

// connect(AF_UNSPEC) of a datagram socket whose source sentry pinned to
// 127.6.6.1 (pin_loopback_source): Linux forgets a source it chose itself
// (__udp_disconnect keeps only a bound one), but the host keeps what sentry
// bound. The guest's fd gets a fresh host socket in its place, at the same
// number (so its route stays), with the options, file flags and
// close-on-exec flag of the old one; unbound, it is what the disconnect
// leaves on Linux, which also releases a port it chose itself. The call sits
// at a ptrace stop, so the install goes through a notification
// (kernel/fd_swaps.h). The ptrace platform, which has no notifications,
// disconnects the host socket as it is (a known deviation).
void renew_datagram_socket(kernel::Kernel& k, const SyscallPtr& call, int fd, const Inet6Socket& s) {
  kernel::GuestFdCopy old(k.tree.tgid_of(call->tid()), fd);
  if (!old.valid()) return (void)call->fail(old.error());
  int protocol = 0;
  socklen_t len = sizeof protocol;
  if (getsockopt(old.get(), SOL_SOCKET, SO_PROTOCOL, &protocol, &len) != 0) return (void)call->fail(errno);
  const int status = fcntl(old.get(), F_GETFL);
  const int cloexec = kernel::close_on_exec_flag(call->tid(), fd);
  if (status < 0 || cloexec < 0) return (void)call->fail(EBADF);
  const int fresh = guest_inet_socket(k, SOCK_DGRAM | SOCK_CLOEXEC | (status & O_NONBLOCK), protocol);
  if (fresh < 0) return (void)call->fail(-fresh);
  for (const auto& [level, name] : kKeptDatagramOptions) {
    int v = 0, d = 0;
    socklen_t vl = sizeof v, dl = sizeof d;
    if (getsockopt(old.get(), level, name, &v, &vl) == 0 && getsockopt(fresh, level, name, &d, &dl) == 0 && v != d)
      (void)setsockopt(fresh, level, name, &v, sizeof v);
  }
  for (int name : {SO_RCVBUF, SO_SNDBUF}) {  // the kernel doubles what is set
    int v = 0, d = 0;
    socklen_t vl = sizeof v, dl = sizeof d;
    if (getsockopt(old.get(), SOL_SOCKET, name, &v, &vl) == 0 && getsockopt(fresh, SOL_SOCKET, name, &d, &dl) == 0 &&
        v != d) {
      const int half = v / 2;
      (void)setsockopt(fresh, SOL_SOCKET, name, &half, sizeof half);
    }
  }
  struct stat st;
  if (fstat(fresh, &st) != 0) {
    close(fresh);
    return (void)call->fail(EIO);
  }
  Inet6Socket renewed = s;
  renewed.source_pinned = false;
  k.sockets.add(st.st_ino, renewed);
  const pid_t tid = call->tid();
  const ino_t ino = st.st_ino;
  k.fd_swaps.put(tid, {fd, fresh, cloexec != 0});
  SyscallArgs a{};
  a[0] = static_cast<std::uint64_t>(fd);
  a[1] = static_cast<std::uint64_t>(fd);
  const pid_t tgid = k.tree.tgid_of(tid);
  call->continue_as(SYS_dup3, a, [&k, tid, tgid, fd, ino](std::int64_t r) -> std::int64_t {
    if (!k.fd_swaps.drop(tid) && r == 0) return 0;
    // The notification never came (a signal ended the changed call first) or
    // the install failed: the host socket is disconnected as it is.
    k.sockets.remove(ino);
    kernel::GuestFdCopy old(tgid, fd);
    sockaddr unspec{};
    unspec.sa_family = AF_UNSPEC;
    if (!old.valid()) return -old.error();
    return connect(old.get(), &unspec, sizeof unspec) == 0 ? 0 : -errno;
  });
}

// Where a connect of the guest's stream socket `s` (connect(2), or a TCP Fast
// Open send) to `guest` (`len` bytes) goes on the host, or the errno.
std::variant<netstack::HostAddress, int> stream_connect_target(kernel::Kernel& k, const SyscallPtr& call, int fd,
                                                               const sockaddr_storage& guest, std::uint32_t len,
                                                               const netstack::SocketView& view) {
  // __inet_stream_connect: a TCP socket that is connected or connecting
  // answers EISCONN / EALREADY / 0 before any address check; the host does
  // that when given any IPv4 address (AF_UNSPEC still disconnects).
  if (guest.ss_family != AF_UNSPEC && tcp_state_of(k, call, fd) != TCP_CLOSE) {
    netstack::HostAddress any;
    any.sin.sin_family = AF_INET;
    return any;
  }
  auto mapped = netstack::to_host(&guest, len, netstack::AddrUse::kConnect, view);
  // A closed TCP socket may still be connecting at the socket layer (its
  // background connect failed unreported), and then answers its error before
  // any address check: the host decides, given an address that fails as the
  // guest's does. Only a length too short for a family is refused first.
  netstack::HostAddress failing;
  if (const int* err = std::get_if<int>(&mapped);
      err != nullptr && len >= sizeof(sa_family_t) &&
      netstack::host_address_failing_with(*err, view, &failing.sin, &failing.len)) {
    return failing;
  }
  return mapped;
}

// bind(2) and connect(2): the address goes in.
void address_in(kernel::Kernel& k, const SyscallPtr& call, netstack::AddrUse use) {
  int fd = static_cast<int>(call->arg(0));
  Inet6Socket* s = inet6_socket(k, call->tid(), fd);
  if (s == nullptr) {
    if (use == netstack::AddrUse::kBind) return bind_inet(k, call);
    call->continue_on_host();
    return;
  }
  sockaddr_storage guest{};
  const auto len = static_cast<std::uint32_t>(call->arg(2));
  int rc = netstack::read_sockaddr(call->memory(), call->arg(1), len, &guest);
  if (rc < 0) {
    call->complete(rc);
    return;
  }
  const netstack::SocketView view = view_of(k, call, fd, *s);
  auto mapped = use == netstack::AddrUse::kConnect && s->type == SOCK_STREAM
                    ? stream_connect_target(k, call, fd, guest, len, view)
                    : netstack::to_host(&guest, len, use, view);
  if (const int* err = std::get_if<int>(&mapped)) {
    // inet_dgram_connect autobinds before the protocol refuses the address,
    // so a failed UDP connect leaves the socket with a port.
    if (use == netstack::AddrUse::kConnect && s->type == SOCK_DGRAM) autobind(k, call, fd, *s);
    call->fail(*err);
    return;
  }
  const netstack::HostAddress& host = std::get<netstack::HostAddress>(mapped);
  if (use == netstack::AddrUse::kConnect && host.kind == netstack::HostAddrKind::kInet) {
    pin_loopback_source(k, call, fd, host.sin, *s);
  }
  if (use == netstack::AddrUse::kConnect && host.kind == netstack::HostAddrKind::kDisconnect &&
      s->type == SOCK_DGRAM && s->source_pinned && k.fd_router != nullptr && !call->can_install_fds()) {
    renew_datagram_socket(k, call, fd, *s);
    return;
  }
  SyscallArgs a = call->args();
  if (host.kind == netstack::HostAddrKind::kDisconnect) {
    sockaddr_in unspec{};
    unspec.sin_family = AF_UNSPEC;
    a[1] = place_host_address(call, unspec);
  } else {
    a[1] = place_host_address(call, host.sin);
  }
  if (a[1] == 0) {
    call->fail(EFAULT);
    return;
  }
  a[2] = host.len;
  ino_t ino = *netstack::socket_inode(call->tid(), fd);
  bool sets_v6only = host.sets_v6only, bound_any = host.guest_bound_any;
  auto after = [&k, ino, use, sets_v6only, bound_any](std::int64_t r) {
    if (r == 0 && use == netstack::AddrUse::kBind) {
      if (Inet6Socket* sock = k.sockets.find(ino)) {
        if (sets_v6only) sock->v6only = true;
        sock->guest_bound_any = bound_any;
      }
    }
    return r;
  };
  if (use == netstack::AddrUse::kBind && host.kind == netstack::HostAddrKind::kInet &&
      needs_privileged_bind(host.sin)) {
    call->complete(after(privileged_bind(k, call, fd, host.sin)));
    return;
  }
  call->continue_rewritten(a, after);
}

// Implements bind(2) on an AF_INET6 socket.
void sys_bind(kernel::Kernel& k, const SyscallPtr& call) { address_in(k, call, netstack::AddrUse::kBind); }

// Implements connect(2) on an AF_INET6 socket.
void sys_connect(kernel::Kernel& k, const SyscallPtr& call) { address_in(k, call, netstack::AddrUse::kConnect); }

// accept(2), accept4(2), getsockname(2), getpeername(2), recvfrom(2): the
// host writes an IPv4 address into sentry's scratch; the guest gets IPv6.
// `addr_arg` is the index of the address argument (its length pointer follows).
void address_out(kernel::Kernel& k, const SyscallPtr& call, int addr_arg, netstack::NullAddr null_addr,
                 bool local_name, bool accepts) {
  int fd = static_cast<int>(call->arg(0));
  Inet6Socket* s = inet6_socket(k, call->tid(), fd);
  if (s == nullptr) {
    call->continue_on_host();
    return;
  }
  std::uint64_t guest_addr = call->arg(addr_arg), guest_len = call->arg(addr_arg + 1);
  Inet6Socket listener = *s;
  SyscallArgs a = call->args();
  std::uint64_t sa_at = 0, len_at = 0;
  bool wants_address = guest_addr != 0 || null_addr == netstack::NullAddr::kCopy;
  if (wants_address) {
    sa_at = call->scratch_area(sizeof(sockaddr_in));
    len_at = call->scratch_area(sizeof(socklen_t));
    socklen_t len = sizeof(sockaddr_in);
    if (sa_at == 0 || len_at == 0 || !call->memory().write_value(len_at, len)) {
      call->fail(EFAULT);
      return;
    }
    a[addr_arg] = sa_at;
    a[addr_arg + 1] = len_at;
  }
  pid_t tid = call->tid();
  std::weak_ptr<Syscall> weak = call;
  call->continue_rewritten(a, [&k, weak, tid, sa_at, len_at, guest_addr, guest_len, null_addr, local_name,
                               accepts, listener, wants_address](std::int64_t r) -> std::int64_t {
    if (r < 0) return r;
    // accept: the new fd is an AF_INET6 socket too (inheriting V6ONLY).
    if (accepts) {
      if (auto ino = netstack::socket_inode(tid, static_cast<int>(r))) {
        Inet6Socket child{SOCK_STREAM};
        child.v6only = listener.v6only;
        k.sockets.add(*ino, child);
      }
    }
    SyscallPtr c = weak.lock();
    if (!wants_address || !c) return r;
    std::int64_t out = return_address(c, sa_at, len_at, guest_addr, guest_len, r, null_addr, &listener, local_name);
    if (out < 0 && accepts) {
      // Linux drops the accepted connection when the address cannot be copied
      // out: shut it down so the peer sees EOF. (The fd number stays
      // allocated in the guest until it closes it: sentry cannot close a
      // guest fd from outside.)
      kernel::GuestFdCopy conn(k.tree.tgid_of(tid), static_cast<int>(r));
      if (conn.valid()) shutdown(conn.get(), SHUT_RDWR);
    }
    return out;
  });
}

// Implements accept(2) on an AF_INET6 socket.
void sys_accept(kernel::Kernel& k, const SyscallPtr& call) {
  address_out(k, call, 1, netstack::NullAddr::kSkip, false, true);
}
// Implements accept4(2) on an AF_INET6 socket.
void sys_accept4(kernel::Kernel& k, const SyscallPtr& call) {
  address_out(k, call, 1, netstack::NullAddr::kSkip, false, true);
}
// Implements getsockname(2) on an AF_INET6 socket.
void sys_getsockname(kernel::Kernel& k, const SyscallPtr& call) {
  address_out(k, call, 1, netstack::NullAddr::kCopy, true, false);
}
// Implements getpeername(2) on an AF_INET6 socket.
void sys_getpeername(kernel::Kernel& k, const SyscallPtr& call) {
  address_out(k, call, 1, netstack::NullAddr::kCopy, false, false);
}
// Implements recvfrom(2) with a source address on an AF_INET6 socket (the
// filter forwards the NULL-address calls).
void sys_recvfrom(kernel::Kernel& k, const SyscallPtr& call) {
  address_out(k, call, 4, netstack::NullAddr::kSkip, false, false);
}

// Implements sendto(2) with a destination on an AF_INET6 socket (the filter
// forwards the NULL-destination calls).
// The most control data a translated sendmsg or recvmsg passes at once.
constexpr std::size_t kMaxTranslatedControl = 4096;

// A datagram to the guest's ::1 (127.6.6.1) from a socket with no source of
// its own (unbound, or bound to the wildcard) would leave the host with the
// source 127.0.0.1, which the receiver sees as ::ffff:127.0.0.1 where Linux
// shows ::1 (and a v6-only receiver cannot answer). Such a send carries the
// source in an IP_PKTINFO control message instead: per datagram, so the
// socket stays unbound and other destinations get the source Linux picks.
bool needs_loopback_pktinfo(kernel::Kernel& k, const SyscallPtr& call, int fd, const Inet6Socket& s,
                            const netstack::HostAddress& host) {
  if (s.type != SOCK_DGRAM || host.kind != netstack::HostAddrKind::kInet ||
      ntohl(host.sin.sin_addr.s_addr) != netstack::kGuestIpv6LoopbackOnHost)
    return false;
  kernel::GuestFdCopy copy(k.tree.tgid_of(call->tid()), fd);
  sockaddr_in local{};
  socklen_t len = sizeof local;
  return copy.valid() && getsockname(copy.get(), reinterpret_cast<sockaddr*>(&local), &len) == 0 &&
         netstack::needs_guest_loopback_source(host.sin, local);
}

// The IP_PKTINFO control message that makes 127.6.6.1 a datagram's source.
std::vector<std::uint8_t> loopback_pktinfo() {
  std::vector<std::uint8_t> c(CMSG_SPACE(sizeof(in_pktinfo)), 0);
  cmsghdr h{};
  h.cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
  h.cmsg_level = IPPROTO_IP;
  h.cmsg_type = IP_PKTINFO;
  in_pktinfo p{};
  p.ipi_spec_dst.s_addr = htonl(netstack::kGuestIpv6LoopbackOnHost);
  std::memcpy(c.data(), &h, sizeof h);
  std::memcpy(c.data() + CMSG_LEN(0), &p, sizeof p);
  return c;
}

// Writes `bytes` into a scratch area of the call; its address, 0 on failure.
std::uint64_t place_bytes(const SyscallPtr& call, const std::vector<std::uint8_t>& bytes) {
  std::uint64_t at = call->scratch_area(bytes.size());
  if (at == 0 || !call->memory().write(at, bytes.data(), bytes.size())) return 0;
  return at;
}

// Where a send with an address (`len` bytes of `guest`, send flags `flags`)
// on the guest's socket `s` (as `view` shows it) goes on the host. A TCP Fast
// Open send (MSG_FASTOPEN on a stream socket) connects: its address is
// checked as connect's, and a connect to ::1 gets its source pinned as
// connect's does.
std::variant<netstack::HostAddress, int> send_target(kernel::Kernel& k, const SyscallPtr& call, int fd,
                                                     Inet6Socket& s, const netstack::SocketView& view,
                                                     const sockaddr_storage& guest, std::uint32_t len, int flags) {
  if (s.type != SOCK_STREAM || !(flags & MSG_FASTOPEN))
    return netstack::to_host(&guest, len, netstack::AddrUse::kSendTo, view);
  auto target = stream_connect_target(k, call, fd, guest, len, view);
  if (const auto* host = std::get_if<netstack::HostAddress>(&target); host && host->kind == netstack::HostAddrKind::kInet)
    pin_loopback_source(k, call, fd, host->sin, s);
  return target;
}

void sys_sendto(kernel::Kernel& k, const SyscallPtr& call) {
  int fd = static_cast<int>(call->arg(0));
  Inet6Socket* s = inet6_socket(k, call->tid(), fd);
  if (s == nullptr || call->arg(4) == 0) {
    call->continue_on_host();
    return;
  }
  sockaddr_storage guest{};
  auto len = static_cast<std::uint32_t>(call->arg(5));
  int rc = netstack::read_sockaddr(call->memory(), call->arg(4), len, &guest);
  if (rc < 0) {
    call->complete(rc);
    return;
  }
  if (len == 0) {  // no address: the protocol decides (ENOTCONN / EDESTADDRREQ)
    call->continue_on_host();
    return;
  }
  auto mapped = send_target(k, call, fd, *s, view_of(k, call, fd, *s), guest, len, static_cast<int>(call->arg(3)));
  if (const int* err = std::get_if<int>(&mapped)) {
    call->fail(*err);
    return;
  }
  const netstack::HostAddress& host = std::get<netstack::HostAddress>(mapped);
  SyscallArgs a = call->args();
  if (needs_loopback_pktinfo(k, call, fd, *s, host)) {
    // sendto cannot carry a control message: the thread makes it a sendmsg.
    msghdr m{};
    iovec iov{reinterpret_cast<void*>(call->arg(1)), static_cast<std::size_t>(call->arg(2))};
    const std::uint64_t iov_at = call->scratch_area(sizeof iov);
    const std::uint64_t name_at = place_host_address(call, host.sin);
    const std::uint64_t ctl_at = place_bytes(call, loopback_pktinfo());
    const std::uint64_t msg_at = call->scratch_area(sizeof m);
    m.msg_name = reinterpret_cast<void*>(name_at);
    m.msg_namelen = sizeof(sockaddr_in);
    m.msg_iov = reinterpret_cast<iovec*>(iov_at);
    m.msg_iovlen = 1;
    m.msg_control = reinterpret_cast<void*>(ctl_at);
    m.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo));
    if (iov_at == 0 || name_at == 0 || ctl_at == 0 || msg_at == 0 || !call->memory().write_value(iov_at, iov) ||
        !call->memory().write_value(msg_at, m)) {
      call->fail(EFAULT);
      return;
    }
    SyscallArgs sm{};
    sm[0] = a[0];
    sm[1] = msg_at;
    sm[2] = a[3];
    call->continue_as(SYS_sendmsg, sm, nullptr);
    return;
  }
  if (host.kind == netstack::HostAddrKind::kInet) {
    a[4] = place_host_address(call, host.sin);
    if (a[4] == 0) {
      call->fail(EFAULT);
      return;
    }
    a[5] = host.len;
  } else {
    a[4] = 0;
    a[5] = 0;
  }
  call->continue_rewritten(a, nullptr);
}

// A message to ::1 from a datagram socket with no source of its own gets
// 127.6.6.1 as its source: the guest's own control messages (`m`'s), then an
// IP_PKTINFO one, in `m` (left alone when not needed, or when the guest's
// control is too large to copy). False when the guest's control cannot be
// read or the copy cannot be placed (EFAULT).
bool add_loopback_source(kernel::Kernel& k, const SyscallPtr& call, int fd, const Inet6Socket& s,
                         const netstack::HostAddress& host, msghdr* m) {
  if (m->msg_controllen > kMaxTranslatedControl || !needs_loopback_pktinfo(k, call, fd, s, host)) return true;
  std::vector<std::uint8_t> control(CMSG_ALIGN(m->msg_controllen), 0);
  if (m->msg_controllen != 0 &&
      !call->memory().read(reinterpret_cast<std::uint64_t>(m->msg_control), control.data(), m->msg_controllen))
    return false;
  const std::vector<std::uint8_t> source = loopback_pktinfo();
  control.insert(control.end(), source.begin(), source.end());
  const std::uint64_t ctl_at = place_bytes(call, control);
  if (ctl_at == 0) return false;
  m->msg_control = reinterpret_cast<void*>(ctl_at);
  m->msg_controllen = control.size();
  return true;
}

// Implements sendmsg(2) on an AF_INET6 socket: msg_name is translated.
void sys_sendmsg(kernel::Kernel& k, const SyscallPtr& call) {
  int fd = static_cast<int>(call->arg(0));
  Inet6Socket* s = inet6_socket(k, call->tid(), fd);
  msghdr msg{};
  if (s == nullptr || !call->memory().read_value(call->arg(1), &msg) || msg.msg_name == nullptr) {
    call->continue_on_host();  // the host reports EFAULT for an unreadable msghdr itself
    return;
  }
  sockaddr_storage guest{};
  std::uint32_t len = 0;
  int rc = netstack::read_msg_name(call->memory(), reinterpret_cast<std::uint64_t>(msg.msg_name),
                                   static_cast<std::int32_t>(msg.msg_namelen), &guest, &len);
  if (rc < 0) {
    call->complete(rc);
    return;
  }
  if (len == 0) {
    call->continue_on_host();
    return;
  }
  auto mapped = send_target(k, call, fd, *s, view_of(k, call, fd, *s), guest, len, static_cast<int>(call->arg(2)));
  if (const int* err = std::get_if<int>(&mapped)) {
    call->fail(*err);
    return;
  }
  const netstack::HostAddress& host = std::get<netstack::HostAddress>(mapped);
  msghdr rewritten = msg;
  if (!add_loopback_source(k, call, fd, *s, host, &rewritten)) {
    call->fail(EFAULT);
    return;
  }
  if (host.kind == netstack::HostAddrKind::kInet) {
    std::uint64_t at = place_host_address(call, host.sin);
    if (at == 0) {
      call->fail(EFAULT);
      return;
    }
    rewritten.msg_name = reinterpret_cast<void*>(at);
    rewritten.msg_namelen = host.len;
  } else {
    rewritten.msg_name = nullptr;
    rewritten.msg_namelen = 0;
  }
  std::uint64_t msg_at = call->scratch_area(sizeof rewritten);
  if (msg_at == 0 || !call->memory().write_value(msg_at, rewritten)) {
    call->fail(EFAULT);
    return;
  }
  SyscallArgs a = call->args();
  a[1] = msg_at;
  call->continue_rewritten(a, nullptr);
}

// Implements recvmsg(2) on an AF_INET6 socket: msg_name comes back as IPv6,
// and the control messages the guest asked for as IPv6 ones
// (netstack/ancillary.h).
void sys_recvmsg(kernel::Kernel& k, const SyscallPtr& call) {
  int fd = static_cast<int>(call->arg(0));
  Inet6Socket* s = inet6_socket(k, call->tid(), fd);
  msghdr msg{};
  std::uint64_t msg_ptr = call->arg(1);
  if (s == nullptr || !call->memory().read_value(msg_ptr, &msg)) {
    call->continue_on_host();  // the host reports EFAULT for an unreadable msghdr itself
    return;
  }
  const netstack::AncillaryWants wants{s->recv_pktinfo, s->recv_hoplimit, s->recv_tclass};
  const bool control = wants.any() && s->type == SOCK_DGRAM && msg.msg_control != nullptr && msg.msg_controllen > 0;
  if (msg.msg_name == nullptr && !control) {
    call->continue_on_host();
    return;
  }
  msghdr rewritten = msg;
  std::uint64_t sa_at = call->scratch_area(sizeof(sockaddr_in));
  rewritten.msg_name = reinterpret_cast<void*>(sa_at);
  rewritten.msg_namelen = sizeof(sockaddr_in);
  std::uint64_t ctl_at = 0;
  if (control) {
    rewritten.msg_controllen = std::min<std::size_t>(msg.msg_controllen, kMaxTranslatedControl);
    ctl_at = call->scratch_area(rewritten.msg_controllen);
    rewritten.msg_control = reinterpret_cast<void*>(ctl_at);
  }
  std::uint64_t msg_at = call->scratch_area(sizeof(msghdr));
  if (sa_at == 0 || msg_at == 0 || (control && ctl_at == 0) || !call->memory().write_value(msg_at, rewritten)) {
    call->fail(EFAULT);
    return;
  }
  SyscallArgs a = call->args();
  a[1] = msg_at;
  std::weak_ptr<Syscall> weak = call;
  Inet6Socket sock = *s;
  call->continue_rewritten(a, [weak, msg_ptr, msg_at, sa_at, ctl_at, wants, sock](std::int64_t r) -> std::int64_t {
    SyscallPtr c = weak.lock();
    if (r < 0 || !c) return r;
    msghdr out{};
    if (!c->memory().read_value(msg_at, &out)) return -EFAULT;
    // What the host wrote into sentry's msghdr goes back into the guest's.
    msghdr guest{};
    if (!c->memory().read_value(msg_ptr, &guest)) return -EFAULT;
    guest.msg_flags = out.msg_flags;
    if (ctl_at != 0) {
      std::vector<std::uint8_t> host(out.msg_controllen);
      sockaddr_in from{};
      if (!c->memory().read(ctl_at, host.data(), host.size()) || !c->memory().read_value(sa_at, &from))
        return -EFAULT;
      const bool from_guest_v6 = out.msg_namelen >= sizeof from &&
                                 ntohl(from.sin_addr.s_addr) == netstack::kGuestIpv6LoopbackOnHost;
      netstack::GuestControl g = netstack::to_guest_control(host.data(), host.size(), from_guest_v6, wants,
                                                            guest.msg_controllen);
      if (!g.bytes.empty() &&
          !c->memory().write(reinterpret_cast<std::uint64_t>(guest.msg_control), g.bytes.data(), g.bytes.size()))
        return -EFAULT;
      guest.msg_controllen = g.bytes.size();
      if (g.truncated) guest.msg_flags |= MSG_CTRUNC;
    } else {
      guest.msg_controllen = out.msg_controllen;
    }
    if (!c->memory().write_value(msg_ptr, guest)) return -EFAULT;
    std::uint64_t guest_len_at = msg_ptr + offsetof(msghdr, msg_namelen);
    return return_address(c, sa_at, msg_at + offsetof(msghdr, msg_namelen),
                          reinterpret_cast<std::uint64_t>(guest.msg_name), guest_len_at, r,
                          netstack::NullAddr::kSkip, &sock, false);
  });
}

// recvmmsg(2) / sendmmsg(2) on an AF_INET6 socket: the mmsghdr vector is
// copied below the red zone with every msg_name pointing at an IPv4 slot;
// after the call each received name is translated back and msg_len, msg_flags
// and msg_controllen are copied into the guest's vector.
constexpr std::uint32_t kMaxTranslatedMmsg = 64;  // bounds the scratch used on the guest stack

void sys_mmsg(kernel::Kernel& k, const SyscallPtr& call, bool receive) {
  int fd = static_cast<int>(call->arg(0));
  Inet6Socket* s = inet6_socket(k, call->tid(), fd);
  std::uint64_t vec = call->arg(1);
  auto vlen = static_cast<std::uint32_t>(call->arg(2));
  if (s == nullptr || vlen == 0) {
    call->continue_on_host();
    return;
  }
  // Linux clamps vlen to UIO_MAXIOV; sentry serves at most kMaxTranslatedMmsg
  // messages per call, which recvmmsg/sendmmsg callers must accept anyway
  // (both may return fewer than vlen).
  vlen = std::min(vlen, kMaxTranslatedMmsg);
  std::vector<mmsghdr> msgs(vlen);
  if (!call->memory().read(vec, msgs.data(), vlen * sizeof(mmsghdr))) {
    // Linux copies one header at a time and stops at the first it cannot
    // read, returning the count so far: the readable ones are the batch.
    std::uint32_t readable = 0;
    while (readable < vlen && call->memory().read(vec + readable * sizeof(mmsghdr), &msgs[readable], sizeof(mmsghdr)))
      ++readable;
    if (readable == 0) {
      call->continue_on_host();  // the host reports EFAULT
      return;
    }
    vlen = readable;
    msgs.resize(vlen);
  }
  std::vector<mmsghdr> rewritten = msgs;
  std::vector<std::uint64_t> slots(vlen, 0);
  std::optional<netstack::SocketView> view;
  for (std::uint32_t i = 0; i < vlen; ++i) {
    msghdr& m = rewritten[i].msg_hdr;
    if (m.msg_name == nullptr) continue;
    if (receive) {
      slots[i] = call->scratch_area(sizeof(sockaddr_in));
      m.msg_name = reinterpret_cast<void*>(slots[i]);
      m.msg_namelen = sizeof(sockaddr_in);
      continue;
    }
    sockaddr_storage guest{};
    std::uint32_t len = 0;
    int rc = netstack::read_msg_name(call->memory(), reinterpret_cast<std::uint64_t>(msgs[i].msg_hdr.msg_name),
                                     static_cast<std::int32_t>(msgs[i].msg_hdr.msg_namelen), &guest, &len);
    if (rc < 0 && i == 0) {
      call->complete(rc);
      return;
    }
    if (rc < 0 || len == 0) {
      m.msg_name = nullptr;
      m.msg_namelen = 0;
      continue;
    }
    if (!view) view = view_of(k, call, fd, *s);  // once per batch: the socket as the call found it
    auto mapped = send_target(k, call, fd, *s, *view, guest, len, static_cast<int>(call->arg(3)));
    if (const int* err = std::get_if<int>(&mapped)) {
      // sendmmsg: an error on the first message is the call's error; later
      // ones end the batch (Linux returns the count sent so far).
      if (i == 0) {
        call->fail(*err);
        return;
      }
      rewritten.resize(i);
      break;
    }
    const netstack::HostAddress& host = std::get<netstack::HostAddress>(mapped);
    if (host.kind != netstack::HostAddrKind::kInet) {
      m.msg_name = nullptr;
      m.msg_namelen = 0;
      continue;
    }
    if (!add_loopback_source(k, call, fd, *s, host, &m)) {
      if (i == 0) {
        call->fail(EFAULT);
        return;
      }
      rewritten.resize(i);
      break;
    }
    slots[i] = place_host_address(call, host.sin);
    m.msg_name = reinterpret_cast<void*>(slots[i]);
    m.msg_namelen = host.len;
  }
  std::uint64_t vec_at = call->scratch_area(rewritten.size() * sizeof(mmsghdr));
  if (vec_at == 0 || !call->memory().write(vec_at, rewritten.data(), rewritten.size() * sizeof(mmsghdr))) {
    call->fail(EFAULT);
    return;
  }
  SyscallArgs a = call->args();
  a[1] = vec_at;
  a[2] = rewritten.size();
  std::weak_ptr<Syscall> weak = call;
  Inet6Socket sock = *s;
  call->continue_rewritten(a, [weak, vec, vec_at, msgs, slots, receive, sock](std::int64_t r) -> std::int64_t {
    SyscallPtr c = weak.lock();
    if (r <= 0 || !c) return r;
    std::vector<mmsghdr> out(static_cast<std::size_t>(r));
    if (!c->memory().read(vec_at, out.data(), out.size() * sizeof(mmsghdr))) return -EFAULT;
    for (std::size_t i = 0; i < out.size(); ++i) {
      mmsghdr guest = msgs[i];
      guest.msg_len = out[i].msg_len;
      guest.msg_hdr.msg_flags = out[i].msg_hdr.msg_flags;
      guest.msg_hdr.msg_controllen = out[i].msg_hdr.msg_controllen;
      std::uint64_t entry = vec + i * sizeof(mmsghdr);
      if (!c->memory().write_value(entry, guest)) return -EFAULT;
      if (!receive || slots[i] == 0) continue;
      std::uint64_t host_len_at = vec_at + i * sizeof(mmsghdr) + offsetof(mmsghdr, msg_hdr) + offsetof(msghdr, msg_namelen);
      std::int64_t rc = return_address(c, slots[i], host_len_at, reinterpret_cast<std::uint64_t>(msgs[i].msg_hdr.msg_name),
                                       entry + offsetof(mmsghdr, msg_hdr) + offsetof(msghdr, msg_namelen), r,
                                       netstack::NullAddr::kSkip, &sock, false);
      if (rc < 0) return rc;
    }
    return r;
  });
}

// Implements recvmmsg(2) on an AF_INET6 socket.
void sys_recvmmsg(kernel::Kernel& k, const SyscallPtr& call) { sys_mmsg(k, call, true); }
// Implements sendmmsg(2) on an AF_INET6 socket.
void sys_sendmmsg(kernel::Kernel& k, const SyscallPtr& call) { sys_mmsg(k, call, false); }

// ---------------------------------------------------------------------------
// Socket options.

constexpr int kIpv6V6only = 26;        // IPV6_V6ONLY
constexpr int kIpv6UnicastHops = 16;   // IPV6_UNICAST_HOPS
constexpr int kIpv6MulticastHops = 18; // IPV6_MULTICAST_HOPS
constexpr int kIpv6MulticastLoop = 19; // IPV6_MULTICAST_LOOP
constexpr int kIpv6Tclass = 67;        // IPV6_TCLASS
constexpr int kIpv6RecvPktinfo = 49;   // IPV6_RECVPKTINFO
constexpr int kIpv6RecvHoplimit = 51;  // IPV6_RECVHOPLIMIT
constexpr int kIpv6RecvTclass = 66;    // IPV6_RECVTCLASS
constexpr int kIpv6RecvHopopts = 53;   // IPV6_RECVHOPOPTS
constexpr int kIpv6RecvRthdr = 56;     // IPV6_RECVRTHDR
constexpr int kIpv6RecvDstopts = 58;   // IPV6_RECVDSTOPTS
constexpr int kSoDomain = 39;          // SO_DOMAIN

// Reads the int option value of setsockopt(2) (Linux: optlen < sizeof(int) is EINVAL).
std::optional<int> int_optval(const SyscallPtr& call, int* err) {
  if (static_cast<std::uint32_t>(call->arg(4)) < sizeof(int)) {
    *err = EINVAL;
    return std::nullopt;
  }
  int v = 0;
  if (!call->memory().read_value(call->arg(3), &v)) {
    *err = EFAULT;
    return std::nullopt;
  }
  return v;
}

// Applies an IPv4 option on sentry's copy of the socket.
void host_setsockopt(kernel::Kernel& k, const SyscallPtr& call, int level, int name, int value) {
  kernel::GuestFdCopy copy(k.tree.tgid_of(call->tid()), static_cast<int>(call->arg(0)));
  if (!copy.valid()) {
    call->fail(copy.error());
    return;
  }
  if (setsockopt(copy.get(), level, name, &value, sizeof value) != 0) {
    call->fail(errno);
    return;
  }
  call->complete(0);
}

std::optional<int> host_getsockopt(kernel::Kernel& k, const SyscallPtr& call, int level, int name, int* err) {
  kernel::GuestFdCopy copy(k.tree.tgid_of(call->tid()), static_cast<int>(call->arg(0)));
  if (!copy.valid()) {
    *err = copy.error();
    return std::nullopt;
  }
  int v = 0;
  socklen_t len = sizeof v;
  if (getsockopt(copy.get(), level, name, &v, &len) != 0) {
    *err = errno;
    return std::nullopt;
  }
  return v;
}

// An IPV6_RECV* flag: set on the host socket as its IPv4 twin `host_option`
// (0: none), then, once the host took it, in the model.
void mirrored_flag(kernel::Kernel& k, const SyscallPtr& call, Inet6Socket& s, bool Inet6Socket::*flag,
                   int host_option, bool on) {
  if (host_option != 0) {
    kernel::GuestFdCopy copy(k.tree.tgid_of(call->tid()), static_cast<int>(call->arg(0)));
    const int value = on ? 1 : 0;
    if (!copy.valid()) return (void)call->fail(copy.error());
    if (setsockopt(copy.get(), IPPROTO_IP, host_option, &value, sizeof value) != 0) return (void)call->fail(errno);
  }
  s.*flag = on;
  call->complete(0);
}

// Implements setsockopt(2): IPPROTO_IPV6 options of AF_INET6 sockets are
// served from the model or mapped to their IPv4 twin on the host socket.
void sys_setsockopt(kernel::Kernel& k, const SyscallPtr& call) {
  int fd = static_cast<int>(call->arg(0));
  int level = static_cast<int>(call->arg(1));
  int name = static_cast<int>(call->arg(2));
  Inet6Socket* s = level == IPPROTO_IPV6 ? inet6_socket(k, call->tid(), fd) : nullptr;
  if (s == nullptr) {
    call->continue_on_host();
    return;
  }
  int err = 0;
  auto v = int_optval(call, &err);
  if (!v) {
    call->fail(err);
    return;
  }
  switch (name) {
    case kIpv6V6only: {
      // do_ipv6_setsockopt: only before the socket has a local port.
      netstack::SocketView view = view_of(k, call, fd, *s);
      if (view.already_bound) {
        call->fail(EINVAL);
        return;
      }
      s->v6only = *v != 0;
      call->complete(0);
      return;
    }
    case kIpv6UnicastHops:
      // IPv6 allows a hop limit of 0, IPv4's TTL does not: the model keeps
      // the guest's value, the host socket gets the nearest valid TTL.
      if (*v < -1 || *v > 255) {
        call->fail(EINVAL);
        return;
      }
      s->unicast_hops = *v;
      host_setsockopt(k, call, IPPROTO_IP, IP_TTL, *v == -1 ? 64 : std::max(*v, 1));
      return;
    case kIpv6MulticastHops:
      if (*v < -1 || *v > 255) {
        call->fail(EINVAL);
        return;
      }
      s->multicast_hops = *v == -1 ? 1 : *v;
      call->complete(0);
      return;
    case kIpv6MulticastLoop:
      if (*v != 0 && *v != 1) {
        call->fail(EINVAL);
        return;
      }
      s->multicast_loop = *v;
      call->complete(0);
      return;
    case kIpv6Tclass:
      if (*v < -1 || *v > 0xff) {
        call->fail(EINVAL);
        return;
      }
      host_setsockopt(k, call, IPPROTO_IP, IP_TOS, *v == -1 ? 0 : *v);
      return;
    // RFC 3542 receive options: the model answers getsockopt, the host
    // socket delivers the IPv4 twin that recvmsg turns into the IPv6
    // message (netstack/ancillary.h).
    case kIpv6RecvPktinfo:
      return mirrored_flag(k, call, *s, &Inet6Socket::recv_pktinfo, IP_PKTINFO, *v != 0);
    case kIpv6RecvHoplimit:
      return mirrored_flag(k, call, *s, &Inet6Socket::recv_hoplimit, IP_RECVTTL, *v != 0);
    case kIpv6RecvTclass:
      return mirrored_flag(k, call, *s, &Inet6Socket::recv_tclass, IP_RECVTOS, *v != 0);
    // Extension headers never reach the guest (its IPv6 datagrams come from
    // ::1 carried over IPv4): the options are kept for getsockopt only.
    case kIpv6RecvHopopts:
      return mirrored_flag(k, call, *s, &Inet6Socket::recv_hopopts, 0, *v != 0);
    case kIpv6RecvRthdr:
      return mirrored_flag(k, call, *s, &Inet6Socket::recv_rthdr, 0, *v != 0);
    case kIpv6RecvDstopts:
      return mirrored_flag(k, call, *s, &Inet6Socket::recv_dstopts, 0, *v != 0);
    default:
      spdlog::warn("setsockopt(IPPROTO_IPV6, {}) on an AF_INET6 socket is not served: ENOPROTOOPT", name);
      call->fail(ENOPROTOOPT);
      return;
  }
}

// Implements getsockopt(2): SO_DOMAIN and IPPROTO_IPV6 options of AF_INET6
// sockets come from the model or the host socket's IPv4 twin.
void sys_getsockopt(kernel::Kernel& k, const SyscallPtr& call) {
  int fd = static_cast<int>(call->arg(0));
  int level = static_cast<int>(call->arg(1));
  int name = static_cast<int>(call->arg(2));
  bool interesting = level == IPPROTO_IPV6 || (level == SOL_SOCKET && name == kSoDomain);
  Inet6Socket* s = interesting ? inet6_socket(k, call->tid(), fd) : nullptr;
  if (s == nullptr) {
    call->continue_on_host();
    return;
  }
  int err = 0;
  std::optional<int> value;
  if (level == SOL_SOCKET) {
    value = AF_INET6;
  } else {
    switch (name) {
      case kIpv6V6only: value = s->v6only ? 1 : 0; break;
      case kIpv6UnicastHops: value = s->unicast_hops == -1 ? 64 : s->unicast_hops; break;
      case kIpv6MulticastHops: value = s->multicast_hops; break;
      case kIpv6MulticastLoop: value = s->multicast_loop; break;
      case kIpv6Tclass: value = host_getsockopt(k, call, IPPROTO_IP, IP_TOS, &err); break;
      case kIpv6RecvPktinfo: value = s->recv_pktinfo ? 1 : 0; break;
      case kIpv6RecvHoplimit: value = s->recv_hoplimit ? 1 : 0; break;
      case kIpv6RecvTclass: value = s->recv_tclass ? 1 : 0; break;
      case kIpv6RecvHopopts: value = s->recv_hopopts ? 1 : 0; break;
      case kIpv6RecvRthdr: value = s->recv_rthdr ? 1 : 0; break;
      case kIpv6RecvDstopts: value = s->recv_dstopts ? 1 : 0; break;
      default:
        spdlog::warn("getsockopt(IPPROTO_IPV6, {}) on an AF_INET6 socket is not served: ENOPROTOOPT", name);
        err = ENOPROTOOPT;
    }
  }
  if (!value) {
    call->fail(err);
    return;
  }
  answer_int_option(call, *value);
}

}  // namespace

// Every socket call on a guest netlink fd is served by sys_netlink.cc.
template <void (*Handler)(kernel::Kernel&, const SyscallPtr&)>
void netlink_first(kernel::Kernel& k, const SyscallPtr& call) {
  if (!serve_netlink(k, call)) Handler(k, call);
}

void register_socket(Registry& r) {
  r.add("socket", sys_socket);
  r.add("bind", netlink_first<sys_bind>);
  r.add("connect", sys_connect);
  r.add("accept", sys_accept);
  r.add("accept4", sys_accept4);
  r.add("getsockname", netlink_first<sys_getsockname>);
  r.add("getpeername", netlink_first<sys_getpeername>);
  r.add("sendto", netlink_first<sys_sendto>);
  r.add("recvfrom", netlink_first<sys_recvfrom>);
  r.add("sendmsg", netlink_first<sys_sendmsg>);
  r.add("recvmsg", netlink_first<sys_recvmsg>);
  r.add("recvmmsg", sys_recvmmsg);
  r.add("sendmmsg", sys_sendmmsg);
  r.add("setsockopt", netlink_first<sys_setsockopt>);
  r.add("getsockopt", netlink_first<sys_getsockopt>);
}

}  // namespace sentry::syscalls
