// Socket addresses and int socket options for the net_* programs (AF_INET6
// dual-stack sockets, v4-mapped addresses).
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

namespace conformance {

// ::ffff:127.0.0.1
inline const in6_addr kMappedLoopback = {
    {{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1}}};

inline sockaddr* sa(void* p) { return static_cast<sockaddr*>(p); }

// Ports are in network order throughout.
inline sockaddr_in6 v6addr(const in6_addr& a, uint16_t port_net) {
  sockaddr_in6 s{};
  s.sin6_family = AF_INET6;
  s.sin6_addr = a;
  s.sin6_port = port_net;
  return s;
}

inline sockaddr_in v4addr(uint32_t host_order_addr, uint16_t port_net) {
  sockaddr_in s{};
  s.sin_family = AF_INET;
  s.sin_addr.s_addr = htonl(host_order_addr);
  s.sin_port = port_net;
  return s;
}

inline bool is_mapped_loopback(const sockaddr_in6& s) {
  return s.sin6_family == AF_INET6 &&
         std::memcmp(&s.sin6_addr, &kMappedLoopback, sizeof(in6_addr)) == 0;
}

// The local port of a socket (AF_INET6 or AF_INET: sin6_port and sin_port
// are at the same offset), 0 if getsockname fails.
inline uint16_t port_of(int fd) {
  sockaddr_in6 s{};
  socklen_t len = sizeof s;
  if (getsockname(fd, sa(&s), &len) != 0) return 0;
  return s.sin6_port;
}

// An int socket option, or -12345 if getsockopt fails, -23456 if it does not
// return exactly an int.
inline int get_int(int fd, int level, int name) {
  int v = -12345;
  socklen_t len = sizeof v;
  if (getsockopt(fd, level, name, &v, &len) != 0) return -12345;
  if (len != sizeof v) return -23456;
  return v;
}

inline int set_int(int fd, int level, int name, int v) {
  return setsockopt(fd, level, name, &v, sizeof v);
}

inline int v6only(int fd) { return get_int(fd, IPPROTO_IPV6, IPV6_V6ONLY); }
inline int set_v6only(int fd, int v) { return set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, v); }

// An AF_INET6 socket of `type` with IPV6_V6ONLY cleared (not checked).
inline int dual_stack_socket(int type) {
  int s = socket(AF_INET6, type, 0);
  set_v6only(s, 0);
  return s;
}

// Whether `fd` polls readable within `ms` milliseconds.
inline bool readable(int fd, int ms = 2000) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, ms) == 1 && (p.revents & POLLIN) != 0;
}

// Native IPv6 loopback: ::1 configured on lo and a socket can bind it.
inline bool ipv6_loopback_works() {
  int s = socket(AF_INET6, SOCK_STREAM, 0);
  if (s < 0) return false;
  sockaddr_in6 a = v6addr(in6addr_loopback, 0);
  bool ok = bind(s, sa(&a), sizeof a) == 0;
  close(s);
  return ok;
}

}  // namespace conformance
