#include "netstack/socket_registry.h"

#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

namespace sentry::netstack {

void SocketRegistry::add(ino_t ino, const Inet6Socket& s) { sockets_[ino] = s; }

Inet6Socket* SocketRegistry::find(ino_t ino) {
  auto it = sockets_.find(ino);
  return it == sockets_.end() ? nullptr : &it->second;
}

std::optional<ino_t> socket_inode(pid_t tid, int fd) {
  if (fd < 0) return std::nullopt;
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/fd/%d", tid, fd);
  char target[64];
  ssize_t n = readlink(path, target, sizeof target - 1);
  if (n <= 0) return std::nullopt;
  target[n] = 0;
  unsigned long long ino = 0;
  if (std::sscanf(target, "socket:[%llu]", &ino) != 1) return std::nullopt;
  return static_cast<ino_t>(ino);
}

}  // namespace sentry::netstack
