// The guest's AF_NETLINK NETLINK_ROUTE sockets. The guest holds one end of a
// host AF_UNIX datagram socketpair and sentry the other (the "kernel" end):
// requests the guest sends natively (send, write) arrive at sentry's end,
// replies from NetlinkRouteResponder are written into it, so the guest's
// plain recv/read/poll/epoll work on the host at native speed. Calls that
// carry a netlink address (bind, getsockname, sendto/sendmsg with one,
// recvfrom/recvmsg, which must report the kernel as sender) are served by
// sentry (sys_netlink.cc), reading replies through its copy of the guest's end.
#pragma once

#include <sys/socket.h>
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "netstack/netlink_route.h"

namespace sentry::netstack {

struct NetlinkSocket {
  std::uint32_t portid = 0;  // 0 until bound or autobound
  int type = SOCK_RAW;       // SOCK_RAW or SOCK_DGRAM, as created
  int kernel_end = -1;       // sentry's end of the socketpair
  int guest_end = -1;        // sentry's copy of the guest's end
  std::shared_ptr<void> watcher;  // the loop's watch on kernel_end (sys_netlink.cc)
  // SOL_NETLINK options the guest set (NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK,
  // NETLINK_CAP_ACK, ...), read back by getsockopt. The responder's answers
  // do not depend on them: its error replies carry no extended-ack attributes.
  std::map<int, int> options;
};

class NetlinkSockets {
 public:
  NetlinkSockets() = default;
  ~NetlinkSockets();
  NetlinkSockets(const NetlinkSockets&) = delete;
  NetlinkSockets& operator=(const NetlinkSockets&) = delete;

  // Creates the socketpair for a new guest socket: `guest_fd` is the end to
  // install in the guest (sentry closes it after installing); `socket` holds
  // sentry's ends. Returns -errno on failure, else 0.
  int create(bool nonblocking, int* guest_fd, NetlinkSocket* socket);
  // Registers the socket once the guest's end has its inode.
  void add(ino_t ino, NetlinkSocket s) { sockets_[ino] = std::move(s); }
  NetlinkSocket* find(ino_t ino);

  // The guest sent `request`: its replies go to the guest's end.
  void send(NetlinkSocket& s, const std::uint8_t* request, std::size_t len);
  // Answers the requests the guest sent natively that wait at sentry's end.
  void answer_pending(NetlinkSocket& s);
  // The next reply as recv(2) with `flags` (MSG_PEEK, MSG_TRUNC) would return
  // it: the datagram (truncated to `max`) and its full length; -errno if none.
  std::int64_t receive(NetlinkSocket& s, std::size_t max, int flags, std::vector<std::uint8_t>* out);

 private:
  NetlinkRouteResponder& responder();
  std::unordered_map<ino_t, NetlinkSocket> sockets_;
  std::optional<NetlinkRouteResponder> responder_;
};

// The guest's interfaces: lo (127.0.0.1/8, ::1/128) and the host's IPv4
// interfaces (IPv4 is real under sentry; the guest's only IPv6 address is ::1).
std::vector<Interface> guest_interfaces();

}  // namespace sentry::netstack
