// Linux leaks ERESTARTSYS (512) to user space: recvmmsg() interrupted by a
// signal after it received >= 1 datagram stores -err in sk->sk_err; the next
// call on that socket returns it. Build: gcc -pthread -o r recvmmsg_erestartsys.c
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
static int sv[2];
static void on_sig(int s) { (void)s; }
static void *reader(void *arg) {
  (void)arg;
  char b0[64], b1[64];
  struct iovec io[2] = {{b0, sizeof b0}, {b1, sizeof b1}};
  struct mmsghdr m[2];
  memset(m, 0, sizeof m);
  m[0].msg_hdr.msg_iov = &io[0]; m[0].msg_hdr.msg_iovlen = 1;
  m[1].msg_hdr.msg_iov = &io[1]; m[1].msg_hdr.msg_iovlen = 1;
  long n = syscall(SYS_recvmmsg, sv[0], m, 2, 0, NULL);  // blocks for the 2nd datagram
  printf("recvmmsg = %ld (%s)\n", n, n < 0 ? strerrorname_np(errno) : "datagrams");
  char b[64];
  long r = syscall(SYS_recvfrom, sv[0], b, sizeof b, MSG_DONTWAIT, NULL, NULL);
  printf("next recvfrom = %ld errno=%d (%s)\n", r, r < 0 ? errno : 0, r < 0 ? (strerrorname_np(errno) ? strerrorname_np(errno) : "no name: kernel-internal") : "");
  return NULL;
}
int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sig;  // no SA_RESTART
  sigaction(SIGUSR1, &sa, NULL);
  socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
  pthread_t t;
  pthread_create(&t, NULL, reader, NULL);
  send(sv[1], "one", 3, 0);
  usleep(200000);            // reader got datagram 1 and now waits for datagram 2
  pthread_kill(t, SIGUSR1);  // interrupt it
  pthread_join(t, NULL);
  return 0;
}
