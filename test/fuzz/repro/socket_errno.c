// Finding: socket() errno precedence: AF_INET6/AF_NETLINK with type >= SOCK_MAX
// give ESOCKTNOSUPPORT (Linux EINVAL), AF_INET6 SOCK_RAW proto 0 gives
// ESOCKTNOSUPPORT (Linux EPROTONOSUPPORT), AF_INET6 raw gives ESOCKTNOSUPPORT
// (Linux root: a socket, unprivileged: EPERM). "./socket_errno x" runs as uid 65534.
// Build: gcc -o socket_errno socket_errno.c
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/socket.h>
int main(int argc, char **argv) {
  if (argc > 1) { if (setgid(65534) || setuid(65534)) { perror("setuid"); return 1; } }
  long cases[][3] = {{10, 0x8000b, 0}, {16, 0x8000b, 1000}, {10, 0x80003, 0}, {10, 0x80803, 0x88}, {2, 0x80a, 0x11},
                     {2, 0x80003, 0x88}, {10, 7, 0}, {10, 5, 6}, {10, 0x8000a, 0}, {10, 11, 58}, {2, 7, 0}, {2, 0xa, 0}};
  for (unsigned i = 0; i < sizeof cases / sizeof *cases; i++) {
    long r = syscall(SYS_socket, cases[i][0], cases[i][1], cases[i][2]);
    printf("socket(%ld, %#lx, %#lx) = %ld %s\n", cases[i][0], cases[i][1], cases[i][2], r, r < 0 ? strerrorname_np(errno) : "");
    if (r >= 0) close(r);
  }
  return 0;
}
