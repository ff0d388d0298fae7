// Finding: getsockopt/setsockopt(SOL_NETLINK, any optname) succeed on the
// emulated netlink socket (Linux: ENOPROTOOPT for unknown, get of
// write-only and set of read-only options; NETLINK_LIST_MEMBERSHIPS is 8 bytes).
// Build: gcc -o netlink_sockopt netlink_sockopt.c ; diff native vs sentry output.
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
int main() {
  int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
  int opts[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 99, 1000, 0, -1};
  for (unsigned i = 0; i < sizeof opts / sizeof *opts; i++) {
    int v = 0x55555555; socklen_t len = sizeof v; int one = 1;
    int g = getsockopt(fd, SOL_NETLINK, opts[i], &v, &len); int ge = errno;
    int s = setsockopt(fd, SOL_NETLINK, opts[i], &one, sizeof one); int se = errno;
    printf("SOL_NETLINK opt=%-5d get=%s (len=%u v=%#x) set=%s\n", opts[i], g ? strerrorname_np(ge) : "0", len, v, s ? strerrorname_np(se) : "0");
  }
}
