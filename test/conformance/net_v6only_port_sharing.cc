// A V6ONLY listener on [::] shares its port with an AF_INET socket on
// 0.0.0.0 (split from net_v6only.cc).
// IPV6_V6ONLY: option value round trip, v4-mapped addresses refused for bind
// (EINVAL) and connect (ENETUNREACH), a V6ONLY listener on `::` does not see
// AF_INET clients and shares its port with an AF_INET listener, while a
// dual-stack `::` socket conflicts with it; the option is frozen once the
// socket has a local port.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <initializer_list>
#include <cstring>

#include "conformance.h"
#include "net_util.h"

namespace {

using namespace conformance;

void test_listener() {
  // Reserve an IPv4 port first (bound, not listening) so that no concurrent
  // program can own 127.0.0.1:port; then a V6ONLY listener on `::` takes the
  // same port: the two do not conflict.
  int l4 = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in any4 = v4addr(INADDR_ANY, 0);
  CHECK_OK(bind(l4, sa(&any4), sizeof any4));
  sockaddr_in l4name{};
  socklen_t l4len = sizeof l4name;
  CHECK_OK(getsockname(l4, sa(&l4name), &l4len));
  const uint16_t port = l4name.sin_port;
  CHECK(port != 0);
  int l6 = socket(AF_INET6, SOCK_STREAM, 0);
  CHECK_OK(set_v6only(l6, 1));
  sockaddr_in6 any = v6addr(in6addr_any, port);
  if (bind(l6, sa(&any), sizeof any) != 0) {
    conformance::fail(__FILE__, __LINE__, "bind(V6ONLY [::]:port) beside an AF_INET socket on that port", errno);
    return;  // nothing below can work without the listener
  }
  CHECK_OK(listen(l6, 4));
  CHECK(port_of(l6) == port);
  any.sin6_port = 0;

  // An AF_INET client to 127.0.0.1:port finds nobody.
  int c = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in lo4 = v4addr(INADDR_LOOPBACK, port);
  CHECK_ERR(connect(c, sa(&lo4), sizeof lo4), ECONNREFUSED);
  close(c);
  pollfd pfd{l6, POLLIN, 0};
  CHECK(poll(&pfd, 1, 0) == 0);

  // Now the AF_INET socket listens on the shared port.
  CHECK_OK(listen(l4, 4));
  c = socket(AF_INET, SOCK_STREAM, 0);
  CHECK_OK(connect(c, sa(&lo4), sizeof lo4));
  pollfd two[2] = {{l6, POLLIN, 0}, {l4, POLLIN, 0}};
  CHECK(poll(two, 2, 1000) == 1);
  CHECK(two[0].revents == 0);
  CHECK(two[1].revents == POLLIN);
  sockaddr_in peer4{};
  socklen_t p4len = sizeof peer4;
  int a = accept(l4, sa(&peer4), &p4len);
  CHECK(a >= 0);
  CHECK(p4len == sizeof(sockaddr_in));
  CHECK(peer4.sin_family == AF_INET);
  close(a);
  close(c);

  // An IPv6 client to ::1 reaches the V6ONLY listener.
  if (ipv6_loopback_works()) {
    c = socket(AF_INET6, SOCK_STREAM, 0);
    sockaddr_in6 lo6 = v6addr(in6addr_loopback, port);
    CHECK_OK(connect(c, sa(&lo6), sizeof lo6));
    two[0] = {l6, POLLIN, 0};
    two[1] = {l4, POLLIN, 0};
    CHECK(poll(two, 2, 1000) == 1);
    CHECK(two[0].revents == POLLIN);
    CHECK(two[1].revents == 0);
    sockaddr_in6 peer6{};
    socklen_t p6len = sizeof peer6;
    a = accept(l6, sa(&peer6), &p6len);
    CHECK(a >= 0);
    CHECK(p6len == 28);
    CHECK(IN6_IS_ADDR_LOOPBACK(&peer6.sin6_addr));
    CHECK(v6only(a) == 1);
    close(a);
    close(c);
  }

  // A second dual-stack socket on `::`:port conflicts with the AF_INET one.
  int d = socket(AF_INET6, SOCK_STREAM, 0);
  CHECK_OK(set_v6only(d, 0));
  sockaddr_in6 same = v6addr(in6addr_any, port);
  CHECK_ERR(bind(d, sa(&same), sizeof same), EADDRINUSE);
  close(d);
  close(l4);
  close(l6);

  // The other order: a dual-stack `::` socket owns the IPv4 port too.
  int ds = socket(AF_INET6, SOCK_STREAM, 0);
  CHECK_OK(set_v6only(ds, 0));
  CHECK_OK(bind(ds, sa(&any), sizeof any));
  const uint16_t port2 = port_of(ds);
  int s4 = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in any4b = v4addr(INADDR_ANY, port2);
  CHECK_ERR(bind(s4, sa(&any4b), sizeof any4b), EADDRINUSE);
  sockaddr_in lo4b = v4addr(INADDR_LOOPBACK, port2);
  CHECK_ERR(bind(s4, sa(&lo4b), sizeof lo4b), EADDRINUSE);
  close(s4);
  // ...whereas a V6ONLY `::` socket leaves the IPv4 port alone: an AF_INET
  // socket on 127.0.0.1 first, then a V6ONLY `::` socket on the same port.
  s4 = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in lo4c = v4addr(INADDR_LOOPBACK, 0);
  CHECK_OK(bind(s4, sa(&lo4c), sizeof lo4c));
  sockaddr_in s4name{};
  socklen_t s4len = sizeof s4name;
  CHECK_OK(getsockname(s4, sa(&s4name), &s4len));
  int v6 = socket(AF_INET6, SOCK_STREAM, 0);
  CHECK_OK(set_v6only(v6, 1));
  sockaddr_in6 at3 = v6addr(in6addr_any, s4name.sin_port);
  CHECK_OK(bind(v6, sa(&at3), sizeof at3));
  // A dual-stack `::` on that port conflicts (with both).
  int v6b = socket(AF_INET6, SOCK_STREAM, 0);
  CHECK_OK(set_v6only(v6b, 0));
  CHECK_ERR(bind(v6b, sa(&at3), sizeof at3), EADDRINUSE);
  close(v6b);
  close(v6);
  close(s4);
  close(ds);
}

}  // namespace

int main() {
  test_listener();
  return conformance::finish();
}
