// The guest's AF_INET6 sockets, which are host AF_INET sockets underneath.
//
// State is kept per open file description, keyed by the socket's inode, not
// per fd number: dup, dup2, fcntl(F_DUPFD), SCM_RIGHTS, fork and exec all
// share or copy descriptions without sentry seeing them, and the inode a
// guest fd refers to is always one readlink(/proc/<tid>/fd/<n>) away. Nothing
// about the fd table can go stale this way.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <unordered_map>

namespace sentry::netstack {

struct Inet6Socket {
  int type = 0;                  // SOCK_STREAM or SOCK_DGRAM
  bool v6only = false;           // IPV6_V6ONLY, or bound to ::1 (Linux sets it then)
  bool guest_bound_any = false;  // bound :: while v6-only (the host holds 127.6.6.1)
  bool recv_pktinfo = false;     // IPV6_RECVPKTINFO (host: IP_PKTINFO)
  bool recv_hoplimit = false;    // IPV6_RECVHOPLIMIT (host: IP_RECVTTL)
  bool recv_tclass = false;      // IPV6_RECVTCLASS (host: IP_RECVTOS)
  bool recv_rthdr = false;       // IPV6_RECVRTHDR, IPV6_RECVHOPOPTS, IPV6_RECVDSTOPTS:
  bool recv_hopopts = false;     //   accepted; the guest's IPv6 datagrams (from ::1)
  bool recv_dstopts = false;     //   never carry extension headers
  // sentry bound the host socket's source to 127.6.6.1 for a connect to ::1
  // (the guest did not bind it): a disconnect must forget that source.
  bool source_pinned = false;
  int unicast_hops = -1;         // IPV6_UNICAST_HOPS (-1: the route's default, 64)
  int multicast_hops = 1;        // IPV6_MULTICAST_HOPS
  int multicast_loop = 1;        // IPV6_MULTICAST_LOOP
};

class SocketRegistry {
 public:
  void add(ino_t ino, const Inet6Socket& s);
  Inet6Socket* find(ino_t ino);
  void remove(ino_t ino) { sockets_.erase(ino); }
  std::size_t size() const { return sockets_.size(); }

 private:
  std::unordered_map<ino_t, Inet6Socket> sockets_;
};

// The socket inode guest fd `fd` of thread `tid` refers to, or nullopt when it
// is not a socket (or not open).
std::optional<ino_t> socket_inode(pid_t tid, int fd);

}  // namespace sentry::netstack
