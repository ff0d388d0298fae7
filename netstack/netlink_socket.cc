#include "netstack/netlink_socket.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <map>

namespace sentry::netstack {

NetlinkSockets::~NetlinkSockets() {
  for (auto& [ino, s] : sockets_) {
    if (s.kernel_end >= 0) close(s.kernel_end);
  }
}

void NetlinkSockets::remove(ino_t ino) {
  auto it = sockets_.find(ino);
  if (it == sockets_.end()) return;
  if (it->second.kernel_end >= 0) close(it->second.kernel_end);
  sockets_.erase(it);
}

int NetlinkSockets::create(bool nonblocking, int* guest_fd, NetlinkSocket* socket) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0, sv) != 0) return -errno;
  // sentry's end never blocks it.
  fcntl(sv[1], F_SETFL, O_NONBLOCK);
  *guest_fd = sv[0];
  socket->kernel_end = sv[1];
  return 0;
}

NetlinkSocket* NetlinkSockets::find(ino_t ino) {
  auto it = sockets_.find(ino);
  return it == sockets_.end() ? nullptr : &it->second;
}

NetlinkRouteResponder& NetlinkSockets::responder() {
  if (!responder_) responder_.emplace(guest_interfaces());
  return *responder_;
}

void NetlinkSockets::send(NetlinkSocket& s, const std::uint8_t* request, std::size_t len) {
  for (const auto& d : responder().handle(request, len, s.portid)) {
    (void)!::send(s.kernel_end, d.data(), d.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
  }
}

bool NetlinkSockets::answer_pending(NetlinkSocket& s) {
  std::vector<std::uint8_t> buf(64 * 1024);
  for (;;) {
    pollfd p{s.kernel_end, POLLIN, 0};
    if (::poll(&p, 1, 0) != 1) return true;  // nothing waiting
    ssize_t n = ::recv(s.kernel_end, buf.data(), buf.size(), MSG_DONTWAIT);
    if (n > 0 || (n == 0 && !(p.revents & POLLHUP))) {  // a request (an empty one too)
      send(s, buf.data(), static_cast<std::size_t>(n));
      continue;
    }
    // Drained, and the guest's end hung up: it is closed.
    return !(p.revents & POLLHUP) && n < 0;
  }
}

std::int64_t NetlinkSockets::receive(NetlinkSocket& s, int guest_end, std::size_t max, int flags,
                                     std::vector<std::uint8_t>* out) {
  answer_pending(s);
  out->resize(max);
  // MSG_TRUNC on an AF_UNIX seqpacket socket also returns the full length.
  ssize_t n = ::recv(guest_end, out->data(), max, MSG_DONTWAIT | (flags & (MSG_PEEK | MSG_TRUNC)));
  if (n < 0) return -errno;
  out->resize(std::min<std::size_t>(static_cast<std::size_t>(n), max));
  return n;
}

std::vector<Interface> guest_interfaces() {
  std::vector<Interface> out = default_interfaces();
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return out;
  std::map<std::string, Interface> host;
  for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr || a->ifa_addr->sa_family != AF_INET) continue;
    if (a->ifa_flags & IFF_LOOPBACK) continue;
    Interface& i = host[a->ifa_name];
    i.name = a->ifa_name;
    i.index = static_cast<int>(if_nametoindex(a->ifa_name));
    i.flags = a->ifa_flags;
    Ipv4Addr v4;
    v4.addr = reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr;
    unsigned prefix = 0;
    if (a->ifa_netmask) prefix = static_cast<unsigned>(__builtin_popcount(reinterpret_cast<sockaddr_in*>(a->ifa_netmask)->sin_addr.s_addr));
    v4.prefixlen = prefix;
    i.v4.push_back(v4);
  }
  freeifaddrs(list);
  for (auto& [name, i] : host) out.push_back(i);
  return out;
}

}  // namespace sentry::netstack
