// Finding: a translated connect() rejects an invalid address (EINVAL) before
// the kernel reports the socket's pending error (Linux: ECONNREFUSED, and the
// socket is reset), so the error survives and later calls diverge
// (ECONNREFUSED on the next connect, ECONNABORTED seen by the fuzzer).
// Fixed: a stream connect's bad address goes to the host as an address that
// fails the same way, so the socket's state answers first
// (netstack::host_address_failing_with; conformance.net_nonblock_connect).
// Build: gcc -o connect_pending_error connect_pending_error.c
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
static void show(const char *w, int r) { printf("%-58s = %d %s\n", w, r, r ? strerrorname_np(errno) : ""); }
int main() {
  int u = socket(AF_INET6, SOCK_DGRAM, 0);  // a loopback port nobody listens on (TCP)
  struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
  bind(u, (struct sockaddr *)&a, sizeof a); socklen_t l = sizeof a; getsockname(u, (struct sockaddr *)&a, &l);
  int s = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
  show("connect(tcp6 nonblocking, [::1]:closed)", connect(s, (struct sockaddr *)&a, sizeof a));
  usleep(100000);  // the RST arrives: pending error ECONNREFUSED
  struct sockaddr_storage bad; memset(&bad, 0, sizeof bad); bad.ss_family = 0xfff0;
  show("connect(same, family 0xfff0, 16)", connect(s, (struct sockaddr *)&bad, 16));
  show("connect(same, [::1]:closed) again", connect(s, (struct sockaddr *)&a, sizeof a));
  return 0;
}
