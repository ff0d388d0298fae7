// Finding: under `sentry run` (unotify platform), a blocking call that sentry
// lets continue on the host (fcntl F_SETLKW on a held lock, open() of a FIFO)
// is restarted after every signal handler instead of failing with EINTR.
// Native: "= -1 EINTR, handler ran 1 times". Under sentry: HANG (handler ran 10
// times). --platform ptrace is correct.
// Build: gcc -pthread -o eintr_restart eintr_restart.c
// Run:   ./eintr_restart [fifo]; sentry run -- ./eintr_restart [fifo]
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
static volatile int handled;
static void on_sig(int s) { (void)s; handled++; }
static int fd2; static char fifo[64]; static int mode;
static void *waiter(void *arg) {
  (void)arg;
  long r;
  if (mode == 0) { struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10}; r = syscall(SYS_fcntl, fd2, F_SETLKW, &fl); }
  else r = syscall(SYS_openat, AT_FDCWD, fifo, O_RDONLY);
  int e = errno;
  printf("%s = %ld %s, handler ran %d times\n", mode == 0 ? "fcntl(F_SETLKW)" : "open(fifo, O_RDONLY)", r, r < 0 ? strerrorname_np(e) : "", handled);
  return NULL;
}
int main(int argc, char **argv) {
  mode = argc > 1;
  struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_handler = on_sig; sigaction(SIGUSR1, &sa, NULL);
  char path[] = "/tmp/eintr2.XXXXXX"; int fd1 = mkstemp(path); fd2 = open(path, O_RDWR); unlink(path);
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 10}; fcntl(fd1, F_OFD_SETLK, &fl);
  snprintf(fifo, sizeof fifo, "/tmp/eintr2-fifo.%d", getpid()); mkfifo(fifo, 0600);
  pthread_t t; pthread_create(&t, NULL, waiter, NULL);
  for (int i = 0; i < 10; i++) { usleep(100000); pthread_kill(t, SIGUSR1); }
  struct timespec dl; clock_gettime(CLOCK_REALTIME, &dl); dl.tv_sec += 1;
  int rc = 0;
  if (pthread_timedjoin_np(t, NULL, &dl) != 0) { printf("still blocked after 10 signals (handler ran %d times): HANG\n", handled); rc = 1; }
  unlink(fifo);
  return rc;
}
