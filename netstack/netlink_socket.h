// The guest's AF_NETLINK NETLINK_ROUTE sockets. The guest holds one end of a
// host AF_UNIX SOCK_SEQPACKET socketpair (message boundaries as netlink
// keeps them) and sentry the other (the "kernel" end):
// requests the guest sends natively (send, write) arrive at sentry's end,
// replies from NetlinkRouteResponder are written into it, so the guest's
// plain recv/read/poll/epoll work on the host at native speed. Calls that
// carry a netlink address (bind, getsockname, sendto/sendmsg with one,
// recvfrom/recvmsg, which must report the kernel as sender) are served by
// sentry (sys_netlink.cc), reading replies through a copy of the guest's end
// taken for the call. sentry holds nothing of the guest's end, so when the
// guest closes its last descriptor the kernel end hangs up and sentry drops
// the socket (answer_pending).
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
  // sentry's end. Returns -errno on failure, else 0.
  int create(bool nonblocking, int* guest_fd, NetlinkSocket* socket);
  // Registers the socket once the guest's end has its inode.
  void add(ino_t ino, NetlinkSocket s) { sockets_[ino] = std::move(s); }
  NetlinkSocket* find(ino_t ino);
  // Forgets a socket whose guest end is gone (closing sentry's end).
  void remove(ino_t ino);
  std::size_t size() const { return sockets_.size(); }

  // The guest sent `request`: its replies go to the guest's end.
  void send(NetlinkSocket& s, const std::uint8_t* request, std::size_t len);
  // Answers the requests the guest sent natively that wait at sentry's end.
  // false once the guest's end is closed (every request answered).
  bool answer_pending(NetlinkSocket& s);
  // The next reply as recv(2) with `flags` (MSG_PEEK, MSG_TRUNC) would return
  // it, read through `guest_end` (a copy of the guest's end): the message
  // (truncated to `max`) and its full length; -errno if none.
  std::int64_t receive(NetlinkSocket& s, int guest_end, std::size_t max, int flags, std::vector<std::uint8_t>* out);

 private:
  NetlinkRouteResponder& responder();
  std::unordered_map<ino_t, NetlinkSocket> sockets_;
  std::optional<NetlinkRouteResponder> responder_;
};

// The guest's interfaces: lo (127.0.0.1/8, ::1/128) and the host's IPv4
// interfaces (IPv4 is real under sentry; the guest's only IPv6 address is ::1).
std::vector<Interface> guest_interfaces();

}  // namespace sentry::netstack
