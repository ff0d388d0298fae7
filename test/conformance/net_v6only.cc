// IPV6_V6ONLY: option value round trip (frozen once the socket has a local
// port), v4-mapped addresses refused for bind (EINVAL) and connect
// (ENETUNREACH). The listener and port-sharing cases are in
// net_v6only_port_sharing.cc.
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

void test_option() {
  for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
    int s = socket(AF_INET6, type, 0);
    CHECK(s >= 0);
    CHECK(set_v6only(s, 1) == 0);
    CHECK(v6only(s) == 1);
    CHECK(set_v6only(s, 0) == 0);
    CHECK(v6only(s) == 0);
    // Any non-zero value is stored as 1.
    CHECK(set_v6only(s, 7) == 0);
    CHECK(v6only(s) == 1);
    CHECK(set_v6only(s, -1) == 0);
    CHECK(v6only(s) == 1);
    // A short option length: EINVAL.
    char c = 0;
    CHECK_ERR(setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &c, 1), EINVAL);
    CHECK(v6only(s) == 1);
    // After bind: EINVAL, value unchanged.
    sockaddr_in6 any = v6addr(in6addr_any, 0);
    CHECK_OK(bind(s, sa(&any), sizeof any));
    CHECK_ERR(set_v6only(s, 0), EINVAL);
    CHECK_ERR(set_v6only(s, 1), EINVAL);
    CHECK(v6only(s) == 1);
    close(s);
  }
  // A UDP socket autobound by sendto is frozen as well.
  {
    int r = socket(AF_INET6, SOCK_DGRAM, 0);
    sockaddr_in6 any = v6addr(in6addr_any, 0);
    CHECK_OK(bind(r, sa(&any), sizeof any));
    int s = socket(AF_INET6, SOCK_DGRAM, 0);
    sockaddr_in6 to = v6addr(kMappedLoopback, port_of(r));
    CHECK(sendto(s, "x", 1, 0, sa(&to), sizeof to) == 1);
    CHECK_ERR(set_v6only(s, 1), EINVAL);
    CHECK(v6only(s) == 0);
    close(s);
    close(r);
  }
  // IPV6_V6ONLY is not an option of AF_INET sockets.
  int s4 = socket(AF_INET, SOCK_STREAM, 0);
  int v = 0;
  socklen_t len = sizeof v;
  CHECK_ERR(getsockopt(s4, IPPROTO_IPV6, IPV6_V6ONLY, &v, &len), EOPNOTSUPP);
  CHECK_ERR(set_v6only(s4, 1), ENOPROTOOPT);
  close(s4);
}

void test_mapped_refused() {
  for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
    int s = socket(AF_INET6, type, 0);
    CHECK(s >= 0);
    CHECK_OK(set_v6only(s, 1));
    sockaddr_in6 m = v6addr(kMappedLoopback, 0);
    CHECK_ERR(bind(s, sa(&m), sizeof m), EINVAL);
    // The failed bind left the socket unbound.
    CHECK(port_of(s) == 0);
    close(s);
  }
  // A listener to point the connects at (a dual-stack one, so the v4-mapped
  // address would be reachable if the connect were allowed).
  int lst = socket(AF_INET6, SOCK_STREAM, 0);
  CHECK_OK(set_v6only(lst, 0));
  sockaddr_in6 any = v6addr(in6addr_any, 0);
  CHECK_OK(bind(lst, sa(&any), sizeof any));
  CHECK_OK(listen(lst, 4));
  const uint16_t port = port_of(lst);
  for (int type : {SOCK_STREAM, SOCK_DGRAM}) {
    int s = socket(AF_INET6, type, 0);
    CHECK_OK(set_v6only(s, 1));
    sockaddr_in6 m = v6addr(kMappedLoopback, port);
    CHECK_ERR(connect(s, sa(&m), sizeof m), ENETUNREACH);
    // Still unconnected. TCP checks the address before picking a port; the
    // UDP connect autobinds the socket first (inet_dgram_connect), so the
    // failed connect leaves it with a local port.
    sockaddr_in6 p{};
    socklen_t plen = sizeof p;
    CHECK_ERR(getpeername(s, sa(&p), &plen), ENOTCONN);
    if (type == SOCK_STREAM)
      CHECK(port_of(s) == 0);
    else
      CHECK(port_of(s) != 0);
    close(s);
  }
  // The same connect without V6ONLY works.
  int s = socket(AF_INET6, SOCK_STREAM, 0);
  CHECK_OK(set_v6only(s, 0));
  sockaddr_in6 m = v6addr(kMappedLoopback, port);
  CHECK_OK(connect(s, sa(&m), sizeof m));
  close(s);
  close(lst);
}

}  // namespace

int main() {
  test_option();
  test_mapped_refused();
  return conformance::finish();
}
