// Findings (minor): futex_wake(nr 0) returns 0 without checking mask/address
// (Linux EINVAL/EFAULT); futex_requeue(NULL) is EFAULT (Linux EINVAL).
// Build: gcc -o futex_validation futex_validation.c ; diff native vs sentry output.
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <stdint.h>
#include <time.h>
#include <sys/syscall.h>
#include <linux/futex.h>
static void show(const char *what, long r) { printf("%-78s = %ld %s\n", what, r, r < 0 ? strerrorname_np(errno) : ""); }
static uint32_t word = 5;
int main() {
  struct timespec rel = {0, 1000000}, abs;
  clock_gettime(CLOCK_REALTIME, &abs); abs.tv_nsec = 0; abs.tv_sec += 0;
  show("futex(&w=5, FUTEX_WAIT|PRIVATE|CLOCK_REALTIME, 6, 1ms)", syscall(SYS_futex, &word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME, 6, &rel, 0, 0));
  show("futex(&w=5, FUTEX_WAIT|PRIVATE|CLOCK_REALTIME, 5, 1ms)", syscall(SYS_futex, &word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME, 5, &rel, 0, 0));
  show("futex(&w=5, FUTEX_WAIT|CLOCK_REALTIME (shared), 5, 1ms)", syscall(SYS_futex, &word, FUTEX_WAIT | FUTEX_CLOCK_REALTIME, 5, &rel, 0, 0));
  show("futex(&w=5, FUTEX_WAIT_BITSET|PRIVATE|CLOCK_REALTIME, 5, abs past, ~0)", syscall(SYS_futex, &word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME, 5, &abs, 0, ~0u));
  show("futex(&w, FUTEX_WAKE|PRIVATE|CLOCK_REALTIME, 1)", syscall(SYS_futex, &word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME, 1, 0, 0, 0));
  show("futex_wake(&w, mask 0, nr 0, U32|PRIVATE)", syscall(454, &word, 0UL, 0, 0x82));
  show("futex_wake(&w, mask 0, nr 1, U32|PRIVATE)", syscall(454, &word, 0UL, 1, 0x82));
  show("futex_wake(kernel addr, mask ~0u, nr 0, U32|PRIVATE)", syscall(454, (void *)0xffff80000032c788ULL, 0xffffffffUL, 0, 0x82));
  show("futex_wake(kernel addr, mask ~0u, nr 1, U32|PRIVATE)", syscall(454, (void *)0xffff80000032c788ULL, 0xffffffffUL, 1, 0x82));
  show("futex_wake(&w+1 misaligned, mask ~0u, nr 0, U32|PRIVATE)", syscall(454, (char *)&word + 1, 0xffffffffUL, 0, 0x82));
  show("futex_wake(&w, mask ~0ul (64-bit), nr 0, U32|PRIVATE)", syscall(454, &word, ~0UL, 0, 0x82));
  show("futex_requeue(NULL, 0, 1, 1)", syscall(456, NULL, 0, 1, 1));
  return 0;
}
