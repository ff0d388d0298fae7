// Finding: the emulated AF_NETLINK socket is an AF_UNIX socket for every call
// sentry does not serve: connect() to the kernel (nl_pid 0) fails with EINVAL,
// connect() to an AF_UNIX path succeeds and its data reaches that unix socket,
// sendto() with an AF_INET address or MSG_OOB "succeeds".
// Build: gcc -o netlink_as_unix netlink_as_unix.c ; compare native vs sentry run.
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <linux/netlink.h>
static void show(const char *w, long r) { printf("%-66s = %ld %s\n", w, r, r < 0 ? strerrorname_np(errno) : ""); }
int main() {
  char dir[] = "/tmp/nlconn.XXXXXX"; mkdtemp(dir);
  struct sockaddr_un un = {AF_UNIX}; snprintf(un.sun_path, sizeof un.sun_path, "%s/dg", dir);
  int dg = socket(AF_UNIX, SOCK_DGRAM, 0); bind(dg, (struct sockaddr *)&un, sizeof un);
  int nl = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
  struct sockaddr_nl k = {AF_NETLINK, 0, 0, 0};
  show("connect(netlink, {AF_NETLINK, pid 0, groups 0}, 12)", connect(nl, (struct sockaddr *)&k, sizeof k));
  k.nl_pid = 0x3fffffff;
  show("connect(netlink, {AF_NETLINK, pid 0x3fffffff}, 12)", connect(nl, (struct sockaddr *)&k, sizeof k));
  int nl2 = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
  show("connect(netlink, {AF_UNIX, <existing unix dgram path>}, sizeof)", connect(nl2, (struct sockaddr *)&un, sizeof un));
  char data[64]; memset(data, 0xf0, sizeof data);
  show("send(netlink, 64 bytes) after that connect", send(nl2, data, sizeof data, MSG_DONTWAIT));
  show("recv(unix dgram bound at that path, DONTWAIT)", recv(dg, data, sizeof data, MSG_DONTWAIT));
  struct sockaddr_in in = {AF_INET, htons(47000), {htonl(INADDR_LOOPBACK)}};
  show("sendto(netlink, 61 bytes, MSG_OOB|MSG_DONTWAIT, AF_INET addr)", sendto(nl, data, 61, MSG_OOB | MSG_DONTWAIT, (struct sockaddr *)&in, sizeof in));
  show("sendto(netlink, 61 bytes, MSG_DONTWAIT, AF_INET addr)", sendto(nl, data, 61, MSG_DONTWAIT, (struct sockaddr *)&in, sizeof in));
  unlink(un.sun_path); rmdir(dir);
  return 0;
}
