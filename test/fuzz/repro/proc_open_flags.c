// Finding: /proc and /sys files that sentry serves accept O_DIRECT (Linux:
// EINVAL) and openat2() skips the open_how checks (mode without O_CREAT,
// mode > 07777: EINVAL; non-zero bytes past 24 with a larger size: E2BIG).
// Build: gcc -o proc_open_flags proc_open_flags.c ; diff native vs sentry output.
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <linux/openat2.h>
static void show(const char *what, long r) { printf("%-60s = %ld %s\n", what, r, r < 0 ? strerrorname_np(errno) : ""); if (r >= 0) close(r); }
int main() {
  const char *paths[] = {"/proc/self/status", "/proc/meminfo", "/proc/cpuinfo", "/proc/stat", "/proc/self/maps", "/sys/devices/system/cpu/online", "/dev/null"};
  char buf[128];
  for (unsigned i = 0; i < sizeof paths / sizeof *paths; i++) {
    snprintf(buf, sizeof buf, "open(%s, O_RDONLY|O_DIRECT)", paths[i]);
    show(buf, syscall(SYS_open, paths[i], O_RDONLY | O_DIRECT));
  }
  struct { uint64_t f, m, r; uint64_t extra; } how;
  struct { uint64_t f, m, r; } cases[] = {{O_RDONLY, 0, 0}, {O_RDONLY, 0644, 0}, {O_RDONLY | O_CREAT, 0, 0}, {O_RDONLY, 0, 0x40}, {0xffffffff, 0, 0},
                                          {O_RDONLY | O_DIRECT, 0, 0}, {O_RDONLY, 0, 1}, {O_RDONLY, 1 << 20, 0}};
  for (unsigned i = 0; i < sizeof cases / sizeof *cases; i++) {
    for (int sz = 24; sz <= 32; sz += 8) {
      memset(&how, 0, sizeof how);
      how.f = cases[i].f; how.m = cases[i].m; how.r = cases[i].r;
      snprintf(buf, sizeof buf, "openat2(bad ptr, {%#lx,%#lo,%#lx}, %d)", (long)how.f, (long)how.m, (long)how.r, sz);
      show(buf, syscall(SYS_openat2, AT_FDCWD, (void *)0x8000003500e8ULL, &how, sz));
      snprintf(buf, sizeof buf, "openat2(/proc/meminfo, {%#lx,%#lo,%#lx}, %d)", (long)how.f, (long)how.m, (long)how.r, sz);
      show(buf, syscall(SYS_openat2, AT_FDCWD, "/proc/meminfo", &how, sz));
    }
  }
  memset(&how, 0, sizeof how);
  show("openat2(/proc/meminfo, {0}, 16)", syscall(SYS_openat2, AT_FDCWD, "/proc/meminfo", &how, 16));
  show("openat2(/proc/meminfo, {0}, 4096)", syscall(SYS_openat2, AT_FDCWD, "/proc/meminfo", &how, 4096));
  show("openat2(/tmp, {0}, 24)", syscall(SYS_openat2, AT_FDCWD, "/tmp", &how, 24));
  return 0;
}
