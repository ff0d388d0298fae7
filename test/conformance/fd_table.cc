// The fd table: lowest-free allocation, dup/dup2/dup3 rules, fcntl fd and
// status flags (what is shared between duplicates and what is not), the
// FIONBIO/FIOCLEX/FIONCLEX/FIONREAD/TCGETS ioctls, close/close_range, and
// close-on-exec across execve (the program re-executes itself through
// /proc/self/exe with `--check-fds` to inspect the fds it inherited).
#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "conformance.h"

namespace {

constexpr int kLargefile = 0100000;  // the kernel's O_LARGEFILE on x86-64

int open_null(int flags = O_RDONLY) { return open("/dev/null", flags); }

bool fd_open(int fd) { return fcntl(fd, F_GETFD) != -1; }

bool cloexec(int fd) { return (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0; }

long close_range_raw(unsigned first, unsigned last, unsigned flags) {
  return syscall(SYS_close_range, first, last, flags);
}

template <typename F>
bool in_child(F fn) {
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    const int before = conformance::failures();
    fn();
    _exit(conformance::failures() != before ? 1 : 0);
  }
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) return false;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

#define CHECK_CHILD(...)                                                  \
  do {                                                                    \
    bool child_ok_ = (__VA_ARGS__);                                       \
    if (!child_ok_)                                                       \
      conformance::fail(__FILE__, __LINE__, "checks in child failed", 0); \
  } while (0)

// Open fds of this process, from /proc/self/fd (excluding the listing's own).
std::vector<int> open_fds() {
  std::vector<int> out;
  DIR* d = opendir("/proc/self/fd");
  if (!d) return {-1};
  const int self = dirfd(d);
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    int fd = std::atoi(e->d_name);
    if (fd != self) out.push_back(fd);
  }
  closedir(d);
  return out;
}

std::vector<int> parse_list(const char* s) {
  std::vector<int> out;
  while (*s) {
    char* end = nullptr;
    long v = std::strtol(s, &end, 10);
    if (end == s) break;
    out.push_back(static_cast<int>(v));
    s = *end == ',' ? end + 1 : end;
  }
  return out;
}

// After execve: argv = [exe, --check-fds, <open list>, <closed list>,
// <nonblock fd>]. The open fds must have FD_CLOEXEC clear; the nonblock fd
// keeps O_NONBLOCK (a file status flag survives exec).
int check_fds_after_exec(int argc, char** argv) {
  if (argc != 5) return 2;
  for (int fd : parse_list(argv[2])) {
    CHECK(fd_open(fd));
    CHECK(!cloexec(fd));
  }
  for (int fd : parse_list(argv[3])) CHECK_ERR(fcntl(fd, F_GETFD), EBADF);
  const int nb = std::atoi(argv[4]);
  CHECK((fcntl(nb, F_GETFL) & O_NONBLOCK) != 0);
  return conformance::failures() ? 1 : 0;
}

std::string join(const std::vector<int>& v) {
  std::string s;
  for (int x : v) {
    if (!s.empty()) s += ',';
    s += std::to_string(x);
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::strcmp(argv[1], "--check-fds") == 0)
    return check_fds_after_exec(argc, argv);

  // --- dup returns the lowest free fd. ---
  {
    int a = open_null();
    int b = open_null();
    int c = open_null();
    CHECK(a >= 0 && b > a && c > b);
    CHECK(close(b) == 0);
    CHECK(close(a) == 0);
    CHECK(dup(c) == a);  // a is the lowest free fd again
    CHECK(dup(c) == b);  // everything between a and b is in use
    CHECK(close(a) == 0);
    CHECK(fcntl(c, F_DUPFD, 0) == a);  // F_DUPFD 0 is also lowest-free
    CHECK(close(b) == 0);
    CHECK(open_null() == b);  // open() allocates the same way
    for (int fd : {a, b, c}) CHECK(close(fd) == 0);
  }

  // --- Closing the last of dup'd fds releases the object at once: the peer
  // of a socket sees EPIPE right away (a reference held elsewhere would keep
  // it alive). ---
  for (int how = 0; how < 3; ++how) {
    int sv[2];
    CHECK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
    int d = how == 0 ? dup(sv[0]) : how == 1 ? dup2(sv[0], 40) : fcntl(sv[0], F_DUPFD_CLOEXEC, 0);
    CHECK(d >= 0);
    CHECK(close(sv[0]) == 0);
    CHECK(close(d) == 0);
    CHECK_ERR(send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE);
    close(sv[1]);
  }

  // --- dup2 / dup3. ---
  {
    int fd = open_null();
    CHECK(fd >= 0);
    CHECK(dup2(fd, fd) == fd);
    int bad = fd + 100;
    CHECK_ERR(dup2(bad, bad), EBADF);  // dup2(x, x) still validates x
    CHECK_ERR(dup2(bad, fd), EBADF);
    CHECK(fd_open(fd));  // target untouched on failure
    CHECK_ERR(dup2(-1, fd), EBADF);
    CHECK_ERR(dup2(fd, -1), EBADF);
    CHECK_ERR(dup2(fd, INT_MAX), EBADF);
    CHECK_ERR(dup3(fd, fd, 0), EINVAL);
    CHECK_ERR(dup3(fd, fd, O_CLOEXEC), EINVAL);
    CHECK_ERR(dup3(fd, fd + 1, O_NONBLOCK), EINVAL);
    CHECK_ERR(dup3(fd, fd + 1, O_CLOEXEC | O_NONBLOCK), EINVAL);
    CHECK_ERR(dup3(bad, fd + 1, 0), EBADF);
    CHECK(!fd_open(fd + 1));

    // dup3(O_CLOEXEC) sets FD_CLOEXEC on the new fd only.
    int t = fd + 10;
    CHECK(dup3(fd, t, O_CLOEXEC) == t);
    CHECK(cloexec(t));
    CHECK(!cloexec(fd));
    // dup2 onto an open close-on-exec fd replaces it: the new fd has
    // FD_CLOEXEC clear.
    CHECK(dup2(fd, t) == t);
    CHECK(!cloexec(t));
    // ... but dup2(x, x) is a no-op that leaves FD_CLOEXEC as it was.
    CHECK(fcntl(t, F_SETFD, FD_CLOEXEC) == 0);
    CHECK(dup2(t, t) == t);
    CHECK(cloexec(t));
    CHECK(dup3(fd, t, 0) == t);
    CHECK(!cloexec(t));
    // dup and F_DUPFD never set FD_CLOEXEC, even from a close-on-exec fd.
    CHECK(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0);
    int d = dup(fd);
    CHECK(d >= 0 && !cloexec(d));
    CHECK(close(d) == 0);
    CHECK(fcntl(fd, F_SETFD, 0) == 0);
    CHECK(close(t) == 0);
    CHECK(close(fd) == 0);
  }

  // --- fcntl: F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD/F_SETFD. ---
  {
    int fd = open_null();
    CHECK(fd >= 0);
    int d = fcntl(fd, F_DUPFD, 50);
    CHECK(d == 50);
    CHECK(fcntl(fd, F_DUPFD, 50) == 51);  // >= arg, lowest free
    CHECK(!cloexec(50));
    int dc = fcntl(fd, F_DUPFD_CLOEXEC, 50);
    CHECK(dc == 52);
    CHECK(cloexec(dc));
    CHECK_ERR(fcntl(fd, F_DUPFD, -1), EINVAL);
    CHECK_ERR(fcntl(fd + 100, F_DUPFD, 0), EBADF);
    // F_SETFD stores only FD_CLOEXEC.
    CHECK(fcntl(50, F_SETFD, 0xff) == 0);
    CHECK(fcntl(50, F_GETFD) == FD_CLOEXEC);
    CHECK(fcntl(50, F_SETFD, 2) == 0);
    CHECK(fcntl(50, F_GETFD) == 0);
    CHECK(fcntl(50, F_SETFD, FD_CLOEXEC) == 0);
    CHECK(fcntl(50, F_GETFD) == FD_CLOEXEC);
    CHECK_ERR(fcntl(fd + 100, F_GETFD), EBADF);
    CHECK_ERR(fcntl(fd + 100, F_SETFD, 0), EBADF);
    CHECK_ERR(fcntl(fd, 12345), EINVAL);  // unknown command
    for (int x : {50, 51, 52, fd}) CHECK(close(x) == 0);
  }

  // --- fcntl: F_GETFL / F_SETFL. ---
  {
    int fd = open_null(O_RDONLY);
    CHECK(fd >= 0);
    // open() on x86-64 forces O_LARGEFILE, and F_GETFL shows it.
    CHECK(fcntl(fd, F_GETFL) == (O_RDONLY | kLargefile));
    CHECK(fcntl(fd, F_SETFL, O_NONBLOCK | O_APPEND) == 0);
    CHECK(fcntl(fd, F_GETFL) == (O_RDONLY | O_NONBLOCK | O_APPEND | kLargefile));
    // The access mode and creation flags cannot be changed by F_SETFL; a
    // cleared O_LARGEFILE bit is ignored too.
    CHECK(fcntl(fd, F_SETFL, O_RDWR | O_TRUNC | O_CREAT | O_EXCL | O_NOCTTY) == 0);
    CHECK(fcntl(fd, F_GETFL) == (O_RDONLY | kLargefile));
    CHECK(fcntl(fd, F_SETFL, O_WRONLY | O_NONBLOCK) == 0);
    CHECK(fcntl(fd, F_GETFL) == (O_RDONLY | O_NONBLOCK | kLargefile));
    CHECK_ERR(fcntl(fd + 100, F_GETFL), EBADF);

    // Status flags live on the open file description: shared with dups.
    // FD_CLOEXEC lives in the fd table: not shared.
    int d = dup(fd);
    CHECK(d >= 0);
    CHECK((fcntl(d, F_GETFL) & O_NONBLOCK) != 0);
    CHECK(fcntl(d, F_SETFL, O_APPEND) == 0);
    CHECK(fcntl(fd, F_GETFL) == (O_RDONLY | O_APPEND | kLargefile));
    CHECK(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0);
    CHECK(cloexec(fd));
    CHECK(!cloexec(d));
    CHECK(close(d) == 0);
    // A separate open() of the same file has its own flags.
    int other = open_null(O_WRONLY);
    CHECK(fcntl(other, F_GETFL) == (O_WRONLY | kLargefile));
    CHECK(close(other) == 0);
    CHECK(close(fd) == 0);

    // Pipes and sockets are not opened via open(): no O_LARGEFILE.
    int p[2];
    CHECK(pipe(p) == 0);
    CHECK(fcntl(p[0], F_GETFL) == O_RDONLY);
    CHECK(fcntl(p[1], F_GETFL) == O_WRONLY);
    int p2[2];
    CHECK(pipe2(p2, O_NONBLOCK | O_CLOEXEC) == 0);
    CHECK(fcntl(p2[0], F_GETFL) == (O_RDONLY | O_NONBLOCK));
    CHECK(cloexec(p2[0]) && cloexec(p2[1]));
    for (int x : {p[0], p[1], p2[0], p2[1]}) CHECK(close(x) == 0);
  }

  // --- ioctl: FIONBIO, FIOCLEX, FIONCLEX, FIONREAD, TCGETS. ---
  {
    int p[2];
    CHECK(pipe(p) == 0);
    int one = 1, zero = 0;
    CHECK(ioctl(p[0], FIONBIO, &one) == 0);
    CHECK((fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
    char c;
    CHECK_ERR(read(p[0], &c, 1), EAGAIN);
    // FIONBIO takes any nonzero int as "on".
    CHECK(ioctl(p[0], FIONBIO, &zero) == 0);
    CHECK((fcntl(p[0], F_GETFL) & O_NONBLOCK) == 0);
    int seven = 7;
    CHECK(ioctl(p[0], FIONBIO, &seven) == 0);
    CHECK((fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
    CHECK(ioctl(p[0], FIONBIO, &zero) == 0);
    CHECK_ERR(ioctl(p[0], FIONBIO, nullptr), EFAULT);

    CHECK(ioctl(p[0], FIOCLEX) == 0);
    CHECK(cloexec(p[0]));
    CHECK(!cloexec(p[1]));
    CHECK(ioctl(p[0], FIONCLEX) == 0);
    CHECK(!cloexec(p[0]));

    int n = -1;
    CHECK(ioctl(p[0], FIONREAD, &n) == 0);
    CHECK(n == 0);
    CHECK(write(p[1], "hello", 5) == 5);
    CHECK(ioctl(p[0], FIONREAD, &n) == 0);
    CHECK(n == 5);

    termios t{};
    CHECK_ERR(ioctl(p[0], TCGETS, &t), ENOTTY);
    CHECK_ERR(ioctl(p[1], TCGETS, &t), ENOTTY);
    CHECK(!isatty(p[0]));
    int dn = open_null(O_RDWR);
    CHECK_ERR(ioctl(dn, TCGETS, &t), ENOTTY);
    CHECK(close(dn) == 0);
    CHECK_ERR(ioctl(p[0] + 100, FIOCLEX), EBADF);
    CHECK(close(p[0]) == 0);
    CHECK(close(p[1]) == 0);

    int m = posix_openpt(O_RDWR | O_NOCTTY);
    CHECK(m >= 0);
    if (m >= 0) {
      CHECK(grantpt(m) == 0);
      CHECK(unlockpt(m) == 0);
      const char* name = ptsname(m);
      CHECK(name != nullptr && std::strncmp(name, "/dev/pts/", 9) == 0);
      int s = name ? open(name, O_RDWR | O_NOCTTY) : -1;
      CHECK(s >= 0);
      if (s >= 0) {
        CHECK(ioctl(s, TCGETS, &t) == 0);
        CHECK(isatty(s));
        CHECK(tcgetattr(s, &t) == 0);
        CHECK(close(s) == 0);
      }
      CHECK(ioctl(m, TCGETS, &t) == 0);  // the master answers, too
      CHECK(close(m) == 0);
    }
  }

  // --- close. ---
  {
    int fd = open_null();
    CHECK(close(fd) == 0);
    CHECK_ERR(close(fd), EBADF);
    CHECK_ERR(close(-1), EBADF);
    CHECK_ERR(close(INT_MAX), EBADF);
  }

  // --- close_range. ---
  CHECK_ERR(close_range_raw(10, 5, 0), EINVAL);
  CHECK_ERR(close_range_raw(3, ~0U, 0x80), EINVAL);  // unknown flag
  CHECK_CHILD(in_child([] {
    int a = open_null(), b = open_null();
    int hi = fcntl(a, F_DUPFD, 200);
    CHECK(a >= 3 && b >= 3 && hi == 200);
    // CLOSE_RANGE_CLOEXEC marks instead of closing.
    CHECK(close_range_raw(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0);
    CHECK(fd_open(a) && fd_open(b) && fd_open(hi));
    CHECK(cloexec(a) && cloexec(b) && cloexec(hi));
    // A range with nothing open is fine, including one past the table.
    CHECK(close_range_raw(100000, 200000, 0) == 0);
    CHECK(close_range_raw(hi, hi, 0) == 0);
    CHECK(!fd_open(hi));
    CHECK(fd_open(a) && fd_open(b));
    // Close everything above stderr.
    CHECK(close_range_raw(3, ~0U, 0) == 0);
    CHECK(!fd_open(a) && !fd_open(b));
    bool only_std = true;
    for (int fd : open_fds())
      if (fd > 2 || fd < 0) only_std = false;
    CHECK(only_std);
    // first == last closes exactly one fd; first > last is EINVAL even when
    // both are free.
    const int x = open_null();
    CHECK(x >= 0 && x <= 3);
    CHECK(close_range_raw(x, x, 0) == 0);
    CHECK(!fd_open(x));
    CHECK_ERR(close_range_raw(4, 3, 0), EINVAL);
  }));

  // --- Close-on-exec across execve. ---
  {
    int keep = open_null();                          // kept
    int gone = open("/dev/null", O_RDONLY | O_CLOEXEC);  // closed
    int gone2 = fcntl(keep, F_DUPFD_CLOEXEC, 60);    // closed
    int kept2 = fcntl(keep, F_DUPFD_CLOEXEC, 70);    // flag cleared: kept
    CHECK(fcntl(kept2, F_SETFD, 0) == 0);
    int kept3 = 80;                                   // FIONCLEX: kept
    CHECK(dup3(keep, kept3, O_CLOEXEC) == kept3);
    CHECK(ioctl(kept3, FIONCLEX) == 0);
    int gone3 = 90;                                   // FIOCLEX: closed
    CHECK(dup2(keep, gone3) == gone3);
    CHECK(ioctl(gone3, FIOCLEX) == 0);
    int nb[2];
    CHECK(pipe(nb) == 0);
    CHECK(fcntl(nb[0], F_SETFL, O_NONBLOCK) == 0);
    const std::string open_list = join({keep, kept2, kept3, nb[0]});
    const std::string closed_list = join({gone, gone2, gone3});
    const std::string nb_arg = std::to_string(nb[0]);
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
      execl("/proc/self/exe", "fd_table", "--check-fds", open_list.c_str(),
            closed_list.c_str(), nb_arg.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    CHECK(pid > 0);
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    // The shell agrees about what survives exec.
    const std::string script = "test -e /proc/self/fd/" + std::to_string(keep) +
                               " && ! test -e /proc/self/fd/" +
                               std::to_string(gone);
    std::fflush(nullptr);
    pid = fork();
    if (pid == 0) {
      execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    st = 0;
    CHECK(waitpid(pid, &st, 0) == pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    for (int x : {keep, gone, gone2, kept2, kept3, gone3, nb[0], nb[1]})
      CHECK(close(x) == 0);
  }

  return conformance::finish();
}
