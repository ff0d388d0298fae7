// The calls on the guest's AF_NETLINK NETLINK_ROUTE sockets
// (netstack/netlink_socket.h): sentry answers them all; the host never sees
// a request. Reached through the socket family's handlers (sys_socket.cc),
// which ask serve_netlink() first.
#include "sentry/syscalls/sys_netlink.h"

#include <linux/netlink.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <spdlog/spdlog.h>

#include "sentry/kernel/guest_fd.h"
#include "netstack/sockaddr_io.h"
#include "sentry/syscalls/routed_fd.h"
#include "sentry/syscalls/sockopt_value.h"

namespace sentry::syscalls {

namespace {

constexpr std::size_t kMaxRequest = 64 * 1024;


// netlink_autobind: the first socket of a process gets its pid as port id.
std::uint32_t port_of(kernel::Kernel& k, const SyscallPtr& call, netstack::NetlinkSocket& s) {
  // The autobound port id is the process's pid, as the guest knows it.
  if (s.portid == 0) s.portid = static_cast<std::uint32_t>(k.tree.guest_tid(k.tree.tgid_of(call->tid())));
  return s.portid;
}

sockaddr_nl kernel_address() {
  sockaddr_nl nl{};
  nl.nl_family = AF_NETLINK;
  return nl;
}

// Gathers an iovec array from guest memory (at most kMaxRequest bytes).
bool gather(GuestMemory& mem, std::uint64_t iov_ptr, std::size_t iovlen, std::vector<std::uint8_t>* out) {
  for (std::size_t i = 0; i < iovlen && out->size() < kMaxRequest; ++i) {
    iovec v{};
    if (!mem.read_value(iov_ptr + i * sizeof(iovec), &v)) return false;
    std::size_t n = std::min(v.iov_len, kMaxRequest - out->size());
    std::size_t at = out->size();
    out->resize(at + n);
    if (n != 0 && !mem.read(reinterpret_cast<std::uint64_t>(v.iov_base), out->data() + at, n)) return false;
  }
  return true;
}

// Scatters `data` into an iovec array; returns the bytes written or -EFAULT.
std::int64_t scatter(GuestMemory& mem, std::uint64_t iov_ptr, std::size_t iovlen, const std::vector<std::uint8_t>& data) {
  std::size_t done = 0;
  for (std::size_t i = 0; i < iovlen && done < data.size(); ++i) {
    iovec v{};
    if (!mem.read_value(iov_ptr + i * sizeof(iovec), &v)) return -EFAULT;
    std::size_t n = std::min(v.iov_len, data.size() - done);
    if (n != 0 && !mem.write(reinterpret_cast<std::uint64_t>(v.iov_base), data.data() + done, n)) return -EFAULT;
    done += n;
  }
  return static_cast<std::int64_t>(done);
}

// Total capacity of an iovec array.
std::size_t iov_capacity(GuestMemory& mem, std::uint64_t iov_ptr, std::size_t iovlen) {
  std::size_t total = 0;
  for (std::size_t i = 0; i < iovlen; ++i) {
    iovec v{};
    if (!mem.read_value(iov_ptr + i * sizeof(iovec), &v)) break;
    total += v.iov_len;
  }
  return std::min<std::size_t>(total, 1 << 20);
}

// A receive with nothing queued: a blocking netlink socket would sleep until
// an unsolicited message, which this minimal route socket never sends; sentry
// answers EAGAIN rather than holding the thread.

// Answers requests the guest sends with send()/write() as they arrive, so a
// guest that then waits with recv()/poll() on its end gets its replies.
void watch(kernel::Kernel& k, ino_t ino, netstack::NetlinkSocket& s) {
  int fd = fcntl(s.kernel_end, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return;
  auto stream = std::make_shared<boost::asio::posix::stream_descriptor>(k.io, fd);
  std::weak_ptr<boost::asio::posix::stream_descriptor> weak = stream;
  struct Arm {
    kernel::Kernel& k;
    ino_t ino;
    std::weak_ptr<boost::asio::posix::stream_descriptor> stream;
    void operator()() const {
      auto st = stream.lock();
      if (!st) return;
      st->async_wait(boost::asio::posix::stream_descriptor::wait_read, [self = *this](const boost::system::error_code& ec) {
        if (ec) return;
        netstack::NetlinkSocket* sock = self.k.netlink.find(self.ino);
        if (sock == nullptr) return;
        if (!self.k.netlink.answer_pending(*sock)) {
          // The guest closed its end: drop the socket and this watch (the
          // stream is destroyed with it; this handler holds no reference).
          self.k.netlink.remove(self.ino);
          return;
        }
        self();
      });
    }
  };
  Arm{k, ino, weak}();
  s.watcher = stream;
}

}  // namespace

void netlink_socket(kernel::Kernel& k, const SyscallPtr& call, int type, int protocol) {
  int base = type & 0xf;
  int flags = type & ~0xf;
  if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) {
    call->fail(EINVAL);
    return;
  }
  if (base != SOCK_RAW && base != SOCK_DGRAM) {
    call->fail(ESOCKTNOSUPPORT);
    return;
  }
  if (protocol != NETLINK_ROUTE) {
    // Linux: EPROTONOSUPPORT for protocols it does not have; sentry serves
    // only the route family, so every other one is absent here.
    spdlog::warn("socket(AF_NETLINK, {}) is not served: only NETLINK_ROUTE is (EPROTONOSUPPORT)", protocol);
    call->fail(EPROTONOSUPPORT);
    return;
  }
  if (!call->can_install_fds()) {
    // The ptrace platform cannot give the guest sentry's socketpair: the
    // guest gets the host's route socket, i.e. the host's interfaces.
    static bool warned = false;
    if (!warned) spdlog::warn("--platform ptrace: NETLINK_ROUTE is the host's (interfaces are not the guest's model)");
    warned = true;
    call->continue_on_host();
    return;
  }
  int guest_fd = -1;
  netstack::NetlinkSocket s;
  s.type = base;
  int rc = k.netlink.create((flags & SOCK_NONBLOCK) != 0, &guest_fd, &s);
  if (rc < 0) {
    call->complete(rc);
    return;
  }
  struct stat st;
  fstat(guest_fd, &st);
  watch(k, st.st_ino, s);
  k.netlink.add(st.st_ino, std::move(s));
  complete_with_routed_fd(k, call, guest_fd, (flags & SOCK_CLOEXEC) != 0);
}

bool serve_netlink(kernel::Kernel& k, const SyscallPtr& call) {
  int fd = static_cast<int>(call->arg(0));
  auto ino = netstack::socket_inode(call->tid(), fd);
  netstack::NetlinkSocket* s = ino ? k.netlink.find(*ino) : nullptr;
  if (s == nullptr) return false;
  GuestMemory& mem = call->memory();
  const std::string_view name = call->entry() ? call->entry()->name : std::string_view();
  if (name == "bind") {
    sockaddr_nl nl{};
    if (call->arg(2) < sizeof nl) return call->fail(EINVAL), true;
    if (!mem.read_value(call->arg(1), &nl)) return call->fail(EFAULT), true;
    if (nl.nl_family != AF_NETLINK) return call->fail(EINVAL), true;
    s->portid = nl.nl_pid != 0 ? nl.nl_pid : static_cast<std::uint32_t>(k.tree.guest_tid(k.tree.tgid_of(call->tid())));
    call->complete(0);
  } else if (name == "getsockname" || name == "getpeername") {
    sockaddr_nl nl = kernel_address();
    if (name == "getsockname") nl.nl_pid = port_of(k, call, *s);
    call->complete(netstack::write_sockaddr(mem, call->arg(1), call->arg(2), &nl, sizeof nl,
                                            netstack::NullAddr::kCopy));
  } else if (name == "sendto" || name == "sendmsg") {
    std::vector<std::uint8_t> req;
    if (name == "sendto") {
      std::size_t len = std::min<std::size_t>(call->arg(2), kMaxRequest);
      req.resize(len);
      if (len != 0 && !mem.read(call->arg(1), req.data(), len)) return call->fail(EFAULT), true;
    } else {
      msghdr m{};
      if (!mem.read_value(call->arg(1), &m)) return call->fail(EFAULT), true;
      if (!gather(mem, reinterpret_cast<std::uint64_t>(m.msg_iov), m.msg_iovlen, &req)) return call->fail(EFAULT), true;
    }
    port_of(k, call, *s);
    k.netlink.send(*s, req.data(), req.size());
    call->complete(static_cast<std::int64_t>(req.size()));
  } else if (name == "recvfrom") {
    int flags = static_cast<int>(call->arg(3));
    std::vector<std::uint8_t> d;
    kernel::GuestFdCopy end(k.tree.tgid_of(call->tid()), fd);
    if (!end.valid()) return call->fail(end.error()), true;
    std::int64_t r = k.netlink.receive(*s, end.get(), std::min<std::size_t>(call->arg(2), 1 << 20), flags, &d);
    if (r < 0) return call->complete(r), true;
    if (!d.empty() && !mem.write(call->arg(1), d.data(), d.size())) return call->fail(EFAULT), true;
    sockaddr_nl nl = kernel_address();
    int rc = netstack::write_sockaddr(mem, call->arg(4), call->arg(5), &nl, sizeof nl);
    if (rc < 0) return call->complete(rc), true;
    call->complete(r);
  } else if (name == "recvmsg") {
    int flags = static_cast<int>(call->arg(2));
    msghdr m{};
    if (!mem.read_value(call->arg(1), &m)) return call->fail(EFAULT), true;
    std::vector<std::uint8_t> d;
    std::size_t room = iov_capacity(mem, reinterpret_cast<std::uint64_t>(m.msg_iov), m.msg_iovlen);
    kernel::GuestFdCopy end(k.tree.tgid_of(call->tid()), fd);
    if (!end.valid()) return call->fail(end.error()), true;
    std::int64_t full = k.netlink.receive(*s, end.get(), room, flags | MSG_TRUNC, &d);
    if (full < 0) return call->complete(full), true;
    std::int64_t n = scatter(mem, reinterpret_cast<std::uint64_t>(m.msg_iov), m.msg_iovlen, d);
    if (n < 0) return call->complete(n), true;
    m.msg_flags = n < full ? MSG_TRUNC : 0;
    m.msg_controllen = 0;
    if (m.msg_name != nullptr) {
      sockaddr_nl nl = kernel_address();
      int rc = netstack::write_sockaddr(mem, reinterpret_cast<std::uint64_t>(m.msg_name),
                                        call->arg(1) + offsetof(msghdr, msg_namelen), &nl, sizeof nl);
      if (rc < 0) return call->complete(rc), true;
      mem.read_value(call->arg(1) + offsetof(msghdr, msg_namelen), &m.msg_namelen);
    }
    if (!mem.write_value(call->arg(1), m)) return call->fail(EFAULT), true;
    call->complete((flags & MSG_TRUNC) ? full : n);
  } else if (name == "getsockopt" && static_cast<int>(call->arg(1)) == SOL_SOCKET &&
             (call->arg(2) == SO_DOMAIN || call->arg(2) == SO_PROTOCOL || call->arg(2) == SO_TYPE)) {
    answer_int_option(call, call->arg(2) == SO_DOMAIN     ? AF_NETLINK
                            : call->arg(2) == SO_PROTOCOL ? NETLINK_ROUTE
                                                          : s->type);
  } else if (name == "setsockopt" && static_cast<int>(call->arg(1)) == SOL_NETLINK) {
    // netlink_setsockopt reads a whole int only when optlen holds one (a
    // shorter optlen sets 0); kept so getsockopt reads it back.
    int value = 0;
    if (call->arg(4) >= sizeof value && !mem.read_value(call->arg(3), &value)) return call->fail(EFAULT), true;
    s->options[static_cast<int>(call->arg(2))] = value != 0 ? 1 : 0;
    call->complete(0);
  } else if (name == "getsockopt" && static_cast<int>(call->arg(1)) == SOL_NETLINK) {
    auto it = s->options.find(static_cast<int>(call->arg(2)));
    answer_int_option(call, it == s->options.end() ? 0 : it->second);
  } else {
    return false;  // other calls go to the AF_UNIX end as issued
  }
  return true;
}

}  // namespace sentry::syscalls
