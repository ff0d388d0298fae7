// Finding: sentry keeps about 3 fds per guest AF_NETLINK socket after the
// guest closed it. glibc's getifaddrs() opens one per call, so with sentry's
// RLIMIT_NOFILE at 1024 this fails with EMFILE after ~337 calls (native: fine).
// Build: gcc -o netlink_fd_leak netlink_fd_leak.c
// Run:   (ulimit -n 1024; sentry run -- ./netlink_fd_leak 2000)
#include <ifaddrs.h>
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 1000;
  for (int i = 0; i < n; i++) {
    struct ifaddrs *ifa;
    if (getifaddrs(&ifa) != 0) { printf("getifaddrs failed at iteration %d: ", i); fflush(stdout); perror(""); return 1; }
    freeifaddrs(ifa);
  }
  printf("%d getifaddrs() calls ok\n", n);
  return 0;
}
