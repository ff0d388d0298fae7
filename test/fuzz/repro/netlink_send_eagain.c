// Finding (minor): nonblocking send() on the emulated netlink socket fails with
// EAGAIN after ~170 messages sentry does not answer (it drains them
// asynchronously); Linux never returns EAGAIN for a send to the kernel.
// Build: gcc -o netlink_send_eagain netlink_send_eagain.c
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <sys/socket.h>
#include <linux/netlink.h>
int main() {
  int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
  char junk[512]; memset(junk, 0xf0, sizeof junk);  // nlmsg_len 0xf0f0f0f0: no message, nothing to answer
  int ok = 0;
  for (int i = 0; i < 20000; i++) {
    if (send(fd, junk, sizeof junk, MSG_DONTWAIT) < 0) { printf("send #%d: %s\n", i, strerrorname_np(errno)); return 0; }
    ok++;
  }
  printf("%d sends ok\n", ok);
  return 0;
}
