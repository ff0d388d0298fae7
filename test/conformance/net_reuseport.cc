// SO_REUSEPORT: two dual-stack AF_INET6 UDP sockets share a `::` port (a
// third socket without the option gets EADDRINUSE); datagrams from 64
// different IPv4 source ports are spread over the group by a hash of the
// 4-tuple, each delivered exactly once with its v4-mapped source address.
// TCP listeners form groups the same way.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>

#include "conformance.h"
#include "net_util.h"

namespace {

using namespace conformance;

int v6sock(int type, bool reuseport) {
  int s = dual_stack_socket(type);
  if (reuseport) CHECK_OK(set_int(s, SOL_SOCKET, SO_REUSEPORT, 1));
  return s;
}

constexpr int kClients = 64;

void test_udp_group() {
  int g0 = v6sock(SOCK_DGRAM, true);
  int g1 = v6sock(SOCK_DGRAM, true);
  CHECK(get_int(g0, SOL_SOCKET, SO_REUSEPORT) == 1);
  int plain = v6sock(SOCK_DGRAM, false);
  CHECK(get_int(plain, SOL_SOCKET, SO_REUSEPORT) == 0);
  close(plain);
  sockaddr_in6 any = v6addr(in6addr_any, 0);
  CHECK_OK(bind(g0, sa(&any), sizeof any));
  const uint16_t port = port_of(g0);
  CHECK(port != 0);
  sockaddr_in6 same = v6addr(in6addr_any, port);
  CHECK_OK(bind(g1, sa(&same), sizeof same));
  CHECK(port_of(g1) == port);
  // Without SO_REUSEPORT: EADDRINUSE, on `::` and on 127.0.0.1.
  int third = v6sock(SOCK_DGRAM, false);
  CHECK_ERR(bind(third, sa(&same), sizeof same), EADDRINUSE);
  close(third);
  int third4 = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in lo4 = v4addr(INADDR_LOOPBACK, port);
  CHECK_ERR(bind(third4, sa(&lo4), sizeof lo4), EADDRINUSE);
  close(third4);
  // SO_REUSEPORT set only on the newcomer is not enough either.
  int late = v6sock(SOCK_DGRAM, false);
  int one = 1;
  int lone = v6sock(SOCK_DGRAM, false);
  sockaddr_in6 any0 = v6addr(in6addr_any, 0);
  CHECK_OK(bind(lone, sa(&any0), sizeof any0));
  CHECK_OK(setsockopt(late, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one));
  sockaddr_in6 lone_port = v6addr(in6addr_any, port_of(lone));
  CHECK_ERR(bind(late, sa(&lone_port), sizeof lone_port), EADDRINUSE);
  close(late);
  close(lone);

  // 64 AF_INET clients, each with its own ephemeral port, one datagram each.
  int clients[kClients];
  uint16_t cport[kClients];
  sockaddr_in dst = lo4;
  for (int i = 0; i < kClients; ++i) {
    clients[i] = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(clients[i] >= 0);
    unsigned char id = static_cast<unsigned char>(i);
    CHECK(sendto(clients[i], &id, 1, 0, sa(&dst), sizeof dst) == 1);
    sockaddr_in me{};
    socklen_t mlen = sizeof me;
    CHECK_OK(getsockname(clients[i], sa(&me), &mlen));
    cport[i] = me.sin_port;
  }

  int seen[kClients] = {};
  int per_sock[2] = {};
  int total = 0;
  for (int rounds = 0; rounds < 200 && total < kClients; ++rounds) {
    pollfd p[2] = {{g0, POLLIN, 0}, {g1, POLLIN, 0}};
    if (poll(p, 2, 20) <= 0) continue;
    for (int k = 0; k < 2; ++k) {
      if ((p[k].revents & POLLIN) == 0) continue;
      for (;;) {
        unsigned char buf[4];
        sockaddr_in6 from{};
        socklen_t flen = sizeof from;
        ssize_t r = recvfrom(p[k].fd, buf, sizeof buf, MSG_DONTWAIT,
                             sa(&from), &flen);
        if (r < 0) break;
        CHECK(r == 1);
        CHECK(flen == 28);
        CHECK(from.sin6_family == AF_INET6);
        CHECK(std::memcmp(&from.sin6_addr, &kMappedLoopback, 16) == 0);
        int id = buf[0];
        CHECK(id < kClients);
        if (id >= kClients) continue;
        CHECK(from.sin6_port == cport[id]);
        ++seen[id];
        ++per_sock[k];
        ++total;
      }
    }
  }
  CHECK(total == kClients);
  for (int i = 0; i < kClients; ++i) CHECK(seen[i] == 1);
  CHECK(per_sock[0] >= 1);
  CHECK(per_sock[1] >= 1);

  // The same 4-tuple always hashes to the same member: two more rounds from
  // 8 of the clients land on the same member each time.
  int where[8];
  for (int round = 0; round < 2; ++round) {
    for (int i = 0; i < 8; ++i) {
      unsigned char id = static_cast<unsigned char>(i);
      CHECK(sendto(clients[i], &id, 1, 0, sa(&dst), sizeof dst) == 1);
      int got = -1;
      for (int tries = 0; tries < 50 && got < 0; ++tries) {
        pollfd p[2] = {{g0, POLLIN, 0}, {g1, POLLIN, 0}};
        if (poll(p, 2, 20) <= 0) continue;
        for (int k = 0; k < 2 && got < 0; ++k) {
          unsigned char b;
          if ((p[k].revents & POLLIN) && recv(p[k].fd, &b, 1, MSG_DONTWAIT) == 1) {
            CHECK(b == id);
            got = k;
          }
        }
      }
      CHECK(got >= 0);
      if (round == 0) where[i] = got;
      else CHECK(where[i] == got);
    }
  }

  for (int c : clients) close(c);
  close(g0);
  close(g1);
}

void test_tcp_group() {
  int l0 = v6sock(SOCK_STREAM, true);
  int l1 = v6sock(SOCK_STREAM, true);
  sockaddr_in6 any = v6addr(in6addr_any, 0);
  CHECK_OK(bind(l0, sa(&any), sizeof any));
  const uint16_t port = port_of(l0);
  sockaddr_in6 same = v6addr(in6addr_any, port);
  CHECK_OK(bind(l1, sa(&same), sizeof same));
  CHECK_OK(listen(l0, 64));
  CHECK_OK(listen(l1, 64));
  CHECK_OK(fcntl(l0, F_SETFL, O_NONBLOCK));
  CHECK_OK(fcntl(l1, F_SETFL, O_NONBLOCK));
  int third = v6sock(SOCK_STREAM, false);
  CHECK_ERR(bind(third, sa(&same), sizeof same), EADDRINUSE);
  close(third);

  // 32 connections are spread over both listeners.
  constexpr int kConns = 32;
  int conns[kConns];
  sockaddr_in dst = v4addr(INADDR_LOOPBACK, port);
  for (int& c : conns) {
    c = socket(AF_INET, SOCK_STREAM, 0);
    CHECK_OK(connect(c, sa(&dst), sizeof dst));
  }
  int per[2] = {};
  int total = 0;
  for (int rounds = 0; rounds < 200 && total < kConns; ++rounds) {
    pollfd p[2] = {{l0, POLLIN, 0}, {l1, POLLIN, 0}};
    if (poll(p, 2, 20) <= 0) continue;
    for (int k = 0; k < 2; ++k) {
      if ((p[k].revents & POLLIN) == 0) continue;
      for (;;) {
        sockaddr_in6 peer{};
        socklen_t plen = sizeof peer;
        int a = accept(p[k].fd, sa(&peer), &plen);
        if (a < 0) break;
        CHECK(std::memcmp(&peer.sin6_addr, &kMappedLoopback, 16) == 0);
        ++per[k];
        ++total;
        close(a);
      }
    }
  }
  CHECK(total == kConns);
  CHECK(per[0] >= 1);
  CHECK(per[1] >= 1);
  for (int c : conns) close(c);
  close(l0);
  close(l1);
}

}  // namespace

int main() {
  test_udp_group();
  test_tcp_group();
  return conformance::finish();
}
