// Loopback echo: one server on an AF_INET6 socket bound to [::] served by an
// edge-triggered epoll loop, N client threads (AF_INET, 127.0.0.1) doing
// 64-byte request/response round trips for a fixed time. Prints the round
// trips per second. tools/bench/run_echo.py runs it natively and under sentry.
//   echo_bench CLIENTS SECONDS
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

namespace {

constexpr int kMsg = 64;

int make_listener(std::uint16_t* port) {
  int l = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
  int zero = 0, one = 1;
  setsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
  setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_any;
  if (bind(l, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(l, 1024) != 0) {
    std::perror("bind/listen");
    std::exit(1);
  }
  socklen_t len = sizeof a;
  getsockname(l, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin6_port);
  return l;
}

// Edge-triggered: every readiness edge drains the socket to EAGAIN.
void serve(int listener, std::atomic<bool>& stop) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  ev.data.fd = listener;
  epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev);
  std::vector<epoll_event> events(1024);
  char buf[4096];
  while (!stop.load(std::memory_order_relaxed)) {
    int n = epoll_wait(ep, events.data(), static_cast<int>(events.size()), 100);
    for (int i = 0; i < n; ++i) {
      int fd = events[static_cast<std::size_t>(i)].data.fd;
      if (fd == listener) {
        for (;;) {
          int c = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK);
          if (c < 0) break;
          int one = 1;
          setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
          epoll_event cev{};
          cev.events = EPOLLIN | EPOLLET | EPOLLRDHUP;
          cev.data.fd = c;
          epoll_ctl(ep, EPOLL_CTL_ADD, c, &cev);
        }
        continue;
      }
      for (;;) {
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r > 0) {
          (void)!send(fd, buf, static_cast<std::size_t>(r), MSG_NOSIGNAL);
          continue;
        }
        if (r == 0) close(fd);
        break;
      }
    }
  }
  close(ep);
}

void client(std::uint16_t port, std::atomic<bool>& stop, std::atomic<long>& trips) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    std::perror("connect");
    std::exit(1);
  }
  char msg[kMsg] = {1};
  long done = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    if (send(s, msg, kMsg, 0) != kMsg) break;
    int got = 0;
    while (got < kMsg) {
      ssize_t r = recv(s, msg + got, static_cast<std::size_t>(kMsg - got), 0);
      if (r <= 0) break;
      got += static_cast<int>(r);
    }
    ++done;
  }
  trips += done;
  close(s);
}

}  // namespace

int main(int argc, char** argv) {
  int clients = argc > 1 ? std::atoi(argv[1]) : 1;
  double seconds = argc > 2 ? std::atof(argv[2]) : 2.0;
  std::uint16_t port = 0;
  int listener = make_listener(&port);
  std::atomic<bool> stop{false}, stop_server{false};
  std::atomic<long> trips{0};
  std::thread server(serve, listener, std::ref(stop_server));
  std::vector<std::thread> cs;
  auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < clients; ++i) cs.emplace_back(client, port, std::ref(stop), std::ref(trips));
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop = true;
  for (auto& t : cs) t.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  stop_server = true;
  server.join();
  std::printf("%.0f\n", static_cast<double>(trips.load()) / elapsed);
  return 0;
}
