#include "vfs/view_mounter.h"

#include "sentry/sandbox/fd_passing.h"
#include "sentry/sandbox/sandbox_fork.h"

#include <fcntl.h>
#include <linux/nsfs.h>
#include <linux/openat2.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace sentry::vfs {

namespace {

// The mounter's fds, fixed after it starts.
constexpr int kSock = 3;
constexpr int kMntns = 4;
constexpr int kInit = 5;  // a pidfd of the sandbox's init
constexpr std::size_t kMaxRequest = 1 << 16;

void send_text(int sock, char tag, const std::string& text, const std::vector<int>& fds = {}) {
  sandbox::send_with_fds(sock, tag + text, fds);
}

[[noreturn]] void fail(const std::string& what) {
  send_text(kSock, 'E', what + ": " + std::strerror(errno));
  _exit(1);
}

int fsconfig_string(int fs, const char* key, const std::string& value) {
  return static_cast<int>(syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, key, value.c_str(), 0));
}

// One bind: FUSE path `from` over guest path `to`.
int bind_one(int fuse_mnt, int root, const char* from, const char* to, bool read_only) {
  while (*from == '/') ++from;
  while (*to == '/') ++to;
  const int src = open_tree(fuse_mnt, *from ? from : ".", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (src < 0) return errno;
  open_how how{};
  how.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  const int dst = static_cast<int>(syscall(SYS_openat2, root, *to ? to : ".", &how, sizeof how));
  int err = 0;
  mount_attr ro{};
  ro.attr_set = MOUNT_ATTR_RDONLY;
  if (dst < 0) {
    err = errno;
  } else if (read_only && mount_setattr(src, "", AT_EMPTY_PATH, &ro, sizeof ro) != 0) {
    err = errno;
  } else if (move_mount(src, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0) {
    err = errno;
  }
  if (dst >= 0) close(dst);
  close(src);
  return err;
}

[[noreturn]] void mounter_main() {
  // The guest's mount namespace, through the user namespace that owns it
  // when that is not sentry's (a rootless run).
  const int owner = ioctl(kMntns, NS_GET_USERNS);
  struct stat theirs, ours;
  if (owner >= 0 && fstat(owner, &theirs) == 0 && stat("/proc/self/ns/user", &ours) == 0 &&
      theirs.st_ino != ours.st_ino && setns(owner, CLONE_NEWUSER) != 0) {
    fail("entering the guest's user namespace");
  }
  if (owner >= 0) close(owner);
  // Opened here, on the host's /dev: FUSE wants the device opened in the
  // user namespace that mounts it (a rootless run's own).
  const int fuse = open("/dev/fuse", O_RDWR | O_CLOEXEC);
  if (fuse < 0) fail("opening /dev/fuse");
  if (setns(kMntns, CLONE_NEWNS) != 0) fail("entering the guest's mount namespace");
  close(kMntns);
  const int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) fail("opening the guest's root");
  const int fs = static_cast<int>(syscall(SYS_fsopen, "fuse", FSOPEN_CLOEXEC));
  if (fs < 0) fail("fsopen(fuse)");
  if (fsconfig_string(fs, "source", "sentry") != 0 || fsconfig_string(fs, "fd", std::to_string(fuse)) != 0 ||
      fsconfig_string(fs, "rootmode", "40555") != 0 || fsconfig_string(fs, "user_id", std::to_string(getuid())) != 0 ||
      fsconfig_string(fs, "group_id", std::to_string(getgid())) != 0 ||
      syscall(SYS_fsconfig, fs, FSCONFIG_SET_FLAG, "allow_other", nullptr, 0) != 0 ||
      syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0) {
    fail("configuring the FUSE filesystem");
  }
  const int mnt = static_cast<int>(
      syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC));
  if (mnt < 0) fail("fsmount(fuse)");
  close(fs);
  const int sys = open_tree(root, "sys", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (sys < 0) fail("cloning the guest's /sys");
  // Its device, from the attributes the root has before the server answers
  // anything (no FUSE request).
  struct statx sx {};
  if (statx(mnt, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_TYPE, &sx) != 0) fail("statx of the FUSE mount");
  // sentry serves the one, reads the other
  send_text(kSock, 'R', std::to_string(makedev(sx.stx_dev_major, sx.stx_dev_minor)), {fuse, sys});
  close(sys);
  close(fuse);
  std::string req(kMaxRequest, '\0');
  for (;;) {
    pollfd fds[2] = {{kSock, POLLIN, 0}, {kInit, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;
    if (fds[1].revents != 0) _exit(0);  // the guest's tree is gone
    const ssize_t n = recv(kSock, req.data(), req.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(0);  // sentry is gone
    int first = 0;
    std::size_t at = 0;
    const auto next = [&]() -> const char* {
      if (at >= static_cast<std::size_t>(n)) return nullptr;
      const char* s = req.data() + at;
      at += std::strlen(s) + 1;
      return s;
    };
    // The CPU to bind on (see bind() in the header), then the pairs. The
    // mounter's own affinity is back after the request.
    const char* on = next();
    cpu_set_t before;
    bool moved = false;
    if (on != nullptr && std::atoi(on) >= 0 && sched_getaffinity(0, sizeof before, &before) == 0) {
      cpu_set_t one;
      CPU_ZERO(&one);
      CPU_SET(std::atoi(on), &one);
      moved = sched_setaffinity(0, sizeof one, &one) == 0;
    }
    for (;;) {
      const char* from = next();
      const char* to = next();
      const char* mode = next();
      if (from == nullptr || to == nullptr || mode == nullptr) break;
      const int err = bind_one(mnt, root, from, to, mode[0] == 'r');
      if (first == 0) first = err;
    }
    if (moved) sched_setaffinity(0, sizeof before, &before);
    send(kSock, &first, sizeof first, MSG_NOSIGNAL);
  }
}

}  // namespace

std::unique_ptr<ViewMounter> ViewMounter::start(int mntns, pid_t init, std::string* error) {
  const int init_fd = static_cast<int>(syscall(SYS_pidfd_open, init, 0));
  if (init_fd < 0) {
    *error = std::string("pidfd_open of the sandbox's init: ") + std::strerror(errno);
    return nullptr;
  }
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
    *error = std::string("socketpair: ") + std::strerror(errno);
    return nullptr;
  }
  const pid_t parent = getpid();
  const pid_t pid = sandbox::sandbox_fork();
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    close(sv[0]);
    close(sv[1]);
    close(init_fd);
    return nullptr;
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    prctl(PR_SET_NAME, "sentry-mounter");
    prctl(PR_SET_DUMPABLE, 0);
    // Its three fds at fixed numbers, nothing else of sentry's.
    const int fds[] = {sv[1], mntns, init_fd};
    int moved[3];
    // (above the targets, within any soft RLIMIT_NOFILE sentry may run with)
    for (int i = 0; i < 3; ++i) moved[i] = fcntl(fds[i], F_DUPFD, kInit + 1);
    for (int i = 0; i < 3; ++i) dup2(moved[i], kSock + i);
    syscall(SYS_close_range, kInit + 1, ~0U, 0);
    mounter_main();
  }
  close(sv[1]);
  close(init_fd);
  std::unique_ptr<ViewMounter> m(new ViewMounter());
  m->pid_ = pid;
  m->sock_ = sv[0];
  // Its first message: ready with the clone of /sys, or why not.
  char buf[512];
  sandbox::Received got = sandbox::recv_with_fds(m->sock_, buf, sizeof buf, 2);
  const ssize_t n = got.n;
  if (n <= 0 || buf[0] != 'R') {
    *error = "the mounter of sentry's /proc and /sys files did not start";
    if (n > 1 && buf[0] == 'E') *error += ": " + std::string(buf + 1, static_cast<std::size_t>(n - 1));
    return nullptr;
  }
  if (got.fds.size() != 2) {
    for (int fd : got.fds) close(fd);
    *error = "the mounter of sentry's /proc and /sys files sent no FUSE device";
    return nullptr;
  }
  m->fuse_ = got.fds[0];
  m->sysfs_ = got.fds[1];
  m->dev_ = static_cast<dev_t>(std::stoull(std::string(buf + 1, static_cast<std::size_t>(n - 1))));
  return m;
}

ViewMounter::~ViewMounter() {
  if (sock_ >= 0) close(sock_);
  if (sysfs_ >= 0) close(sysfs_);
  if (fuse_ >= 0) close(fuse_);
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    while (waitpid(pid_, nullptr, __WALL) < 0 && errno == EINTR) {
    }
  }
}

int ViewMounter::take_fuse() {
  const int fd = fuse_;
  fuse_ = -1;
  return fd;
}

int ViewMounter::take_sysfs() {
  const int fd = sysfs_;
  sysfs_ = -1;
  return fd;
}

void ViewMounter::bind(const std::vector<Bind>& binds, Done done, int cpu) {
  if (binds.empty()) return done(0);  // (an empty message would read as the end)
  std::string req = std::to_string(cpu);
  req += '\0';
  for (const Bind& b : binds) {
    req += b.from;
    req += '\0';
    req += b.to;
    req += '\0';
    req += b.read_only ? "r" : "w";
    req += '\0';
  }
  if (req.size() > kMaxRequest || send(sock_, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
    done(req.size() > kMaxRequest ? E2BIG : errno);
    return;
  }
  pending_.push_back(std::move(done));
}

void ViewMounter::on_readable() {
  for (;;) {
    int err = 0;
    const ssize_t n = recv(sock_, &err, sizeof err, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n != static_cast<ssize_t>(sizeof err)) {
      if (n == 0) {  // the mounter is gone: nothing more will be bound
        while (!pending_.empty()) {
          Done d = std::move(pending_.front());
          pending_.pop_front();
          d(EPIPE);
        }
      }
      return;
    }
    if (pending_.empty()) continue;
    Done d = std::move(pending_.front());
    pending_.pop_front();
    d(err);
  }
}

}  // namespace sentry::vfs
