// /dev as programs use it: null, zero, full, random and urandom behave as
// their drivers do; /dev/fd, /dev/stdin, /dev/stdout and /dev/stderr are
// links into /proc/self/fd (reopening one's own descriptors); /dev/tty with
// no controlling terminal is ENXIO (a test run has none, natively and under
// sentry); /dev/shm takes POSIX shared memory; unknown names are ENOENT.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "conformance.h"

namespace {

void null_zero_full() {
  char buf[64];
  int null = open("/dev/null", O_RDWR | O_CLOEXEC);
  CHECK(null >= 0);
  CHECK(write(null, "abc", 3) == 3);
  CHECK(read(null, buf, sizeof buf) == 0);
  struct stat st;
  CHECK(fstat(null, &st) == 0 && S_ISCHR(st.st_mode));
  close(null);

  int zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
  CHECK(zero >= 0);
  std::memset(buf, 'x', sizeof buf);
  CHECK(read(zero, buf, sizeof buf) == static_cast<ssize_t>(sizeof buf));
  bool all_zero = true;
  for (char c : buf) all_zero = all_zero && c == 0;
  CHECK(all_zero);
  void* m = mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE, zero, 0);  // /dev/zero maps
  CHECK(m != MAP_FAILED);
  if (m != MAP_FAILED) {
    CHECK(static_cast<const char*>(m)[100] == 0);
    munmap(m, 4096);
  }
  close(zero);

  int full = open("/dev/full", O_RDWR | O_CLOEXEC);
  CHECK(full >= 0);
  CHECK_ERR(write(full, "x", 1), ENOSPC);
  CHECK(read(full, buf, 8) == 8 && buf[0] == 0);
  close(full);

  for (const char* rnd : {"/dev/random", "/dev/urandom"}) {
    int fd = open(rnd, O_RDONLY | O_CLOEXEC);
    CHECK(fd >= 0);
    char a[32] = {}, b[32] = {};
    CHECK(read(fd, a, sizeof a) == static_cast<ssize_t>(sizeof a));
    CHECK(read(fd, b, sizeof b) == static_cast<ssize_t>(sizeof b));
    CHECK(std::memcmp(a, b, sizeof a) != 0);
    close(fd);
  }
}

void fd_links() {
  int p[2];
  CHECK(pipe2(p, O_CLOEXEC) == 0);
  const std::string via_dev_fd = "/dev/fd/" + std::to_string(p[1]);
  int w = open(via_dev_fd.c_str(), O_WRONLY | O_CLOEXEC);  // reopens the pipe's write end
  CHECK(w >= 0);
  CHECK(write(w, "hi", 2) == 2);
  char buf[4] = {};
  CHECK(read(p[0], buf, sizeof buf) == 2 && std::memcmp(buf, "hi", 2) == 0);
  close(w);
  char target[64] = {};
  CHECK(readlink("/dev/fd", target, sizeof target - 1) > 0);
  CHECK(std::string(target) == "/proc/self/fd");
  CHECK(readlink("/dev/stdin", target, sizeof target - 1) > 0);
  struct stat a, b;
  CHECK(stat("/dev/stderr", &a) == 0 && fstat(2, &b) == 0);
  CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
  // A descriptor that is not open: the link is not there.
  CHECK_ERR(open("/dev/fd/999", O_RDONLY), ENOENT);
  close(p[0]);
  close(p[1]);
}

void tty_shm_and_unknown() {
  // The test runs without a controlling terminal (ctest, CI).
  if (isatty(0) || isatty(1) || isatty(2)) {
    std::printf("NOTE: a terminal is attached; the /dev/tty check needs none and is not run\n");
  } else {
    int tty = open("/dev/tty", O_RDWR | O_CLOEXEC);
    const int err = errno;
    if (tty >= 0) {
      std::printf("NOTE: this session has a controlling terminal; /dev/tty opened\n");
      close(tty);
    } else {
      CHECK(err == ENXIO);
    }
  }
  const std::string name = "/sentry-conf-" + std::to_string(getpid());
  int shm = shm_open(name.c_str(), O_CREAT | O_EXCL | O_RDWR, 0600);
  CHECK(shm >= 0);
  CHECK(ftruncate(shm, 4096) == 0);
  CHECK(access(("/dev/shm" + name).c_str(), F_OK) == 0);
  CHECK(shm_unlink(name.c_str()) == 0);
  close(shm);
  CHECK_ERR(open("/dev/sentry-no-such-device", O_RDONLY), ENOENT);
}

}  // namespace

int main() {
  null_zero_full();
  fd_links();
  tty_shm_and_unknown();
  return conformance::finish();
}
