// ECONNABORTED from connect() and from sendto(MSG_FASTOPEN) is a plain Linux
// answer, not sentry's: a non-blocking connect() to a port nobody listens on
// fails in the background (ECONNREFUSED lands in the socket's error), another
// call takes that error (here recv()), and the socket is left closed but
// still "connecting". The next connect(), or a sendto()/sendmmsg() with
// MSG_FASTOPEN, finds it closed with no error left: __inet_stream_connect
// answers sock_error() ?: -ECONNABORTED. The fuzzer's threads share fds, so
// whether that sequence happens in a run depends on the interleaving.
// Build: cc -O1 -o /tmp/connect_aborted connect_aborted.c
// Run:   /tmp/connect_aborted; sentry run -- /tmp/connect_aborted
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void show(const char* what, long r) {
  printf("%-28s = %ld %s\n", what, r, r < 0 ? strerror(errno) : "");
}

int main(void) {
  // A port nobody listens on: bind one, then close it.
  int l = socket(AF_INET6, SOCK_STREAM, 0);
  struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT};
  socklen_t len = sizeof a;
  bind(l, (struct sockaddr*)&a, sizeof a);
  getsockname(l, (struct sockaddr*)&a, &len);
  close(l);
  for (int fastopen = 0; fastopen < 2; ++fastopen) {
    int s = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
    show("connect (non-blocking)", connect(s, (struct sockaddr*)&a, sizeof a));
    usleep(100000);
    char c;
    show("recv (takes the error)", recv(s, &c, 1, 0));
    if (fastopen)
      show("sendto(MSG_FASTOPEN)", sendto(s, "x", 1, MSG_FASTOPEN, (struct sockaddr*)&a, sizeof a));
    else
      show("connect again", connect(s, (struct sockaddr*)&a, sizeof a));
    close(s);
  }
  return 0;
}
