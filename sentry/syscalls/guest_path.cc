#include "sentry/syscalls/guest_path.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>

#include "proc_synth/kernel_view.h"

namespace sentry::syscalls {

namespace {

std::optional<std::string> host_readlink(const std::string& link, int* err) {
  char buf[PATH_MAX];
  ssize_t n = readlink(link.c_str(), buf, sizeof buf);
  if (n < 0) {
    *err = errno;
    return std::nullopt;
  }
  return std::string(buf, static_cast<std::size_t>(n));
}

}  // namespace

KernelWalkContext::KernelWalkContext(const kernel::Kernel& k, pid_t tid) : k_(k), tid_(tid) {
  const kernel::Task* t = k.tree.task(tid);
  tgid_ = t ? t->tgid : tid;
}

proc_synth::Lookup KernelWalkContext::classify(const std::string& guest_path) const {
  proc_synth::KernelModelSource source(k_);
  return proc_synth::lookup(guest_path, source);
}

std::optional<std::string> KernelWalkContext::guest_path_of_host(const std::string& host_path) const {
  return syscalls::guest_path_of_host(k_, host_path);
}

std::optional<std::string> guest_path_of_host(const kernel::Kernel& k, const std::string& host_path) {
  if (host_path.empty() || host_path[0] != '/') return std::nullopt;
  if (auto synthetic = k.synthetic.guest_path_of(host_path)) return synthetic;
  return k.mounts.guest_path_of(host_path);
}

std::variant<std::string, int> read_guest_path(const SyscallPtr& call, std::uint64_t ptr) {
  auto s = call->memory().read_cstring(ptr, PATH_MAX - 1);
  if (s) return *s;
  char byte;
  if (ptr == 0 || !call->memory().read(ptr, &byte, 1)) return EFAULT;
  return ENAMETOOLONG;
}

std::optional<PathQuery> path_query(const SyscallPtr& call, int dirfd, std::uint64_t path_ptr, bool follow_last) {
  auto path = read_guest_path(call, path_ptr);
  if (auto* e = std::get_if<int>(&path)) {
    call->fail(*e);
    return std::nullopt;
  }
  PathQuery q;
  q.dirfd = dirfd;
  q.path = std::move(std::get<std::string>(path));
  q.follow_last = follow_last;
  return q;
}

void walk_and_serve(const kernel::Kernel& k, const SyscallPtr& call, const PathQuery& q,
                    const std::function<bool(const vfs::Resolved&)>& op) {
  constexpr int kAttempts = 4;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    auto walked = resolve(k, call->tid(), q);
    if (auto* e = std::get_if<int>(&walked)) {
      call->fail(*e);
      return;
    }
    if (op(std::get<vfs::Resolved>(walked))) return;
  }
  call->fail(ELOOP);
}

std::optional<std::string> guest_path_of_fd(const kernel::Kernel& k, pid_t tid, int fd) {
  int err = 0;
  auto target = host_readlink(host_fd_path(tid, fd), &err);
  if (!target) return std::nullopt;
  return guest_path_of_host(k, *target);
}

mode_t guest_umask(pid_t tid) {
  std::string status = proc_synth::read_host_file("/proc/" + std::to_string(tid) + "/status");
  std::size_t at = status.find("\nUmask:");
  if (at == std::string::npos) return 022;
  return static_cast<mode_t>(std::strtoul(status.c_str() + at + 7, nullptr, 8));
}

std::string host_fd_path(pid_t tid, int fd) {
  return "/proc/" + std::to_string(tid) + "/fd/" + std::to_string(fd);
}

std::variant<std::string, int> start_directory(const kernel::Kernel& k, pid_t tid, int dirfd) {
  std::string link = dirfd == AT_FDCWD ? "/proc/" + std::to_string(tid) + "/cwd" : host_fd_path(tid, dirfd);
  if (dirfd != AT_FDCWD && dirfd < 0) return EBADF;
  int err = 0;
  auto target = host_readlink(link, &err);
  if (!target) return dirfd == AT_FDCWD ? ENOENT : EBADF;
  struct stat st;
  if (stat(link.c_str(), &st) != 0) return ENOENT;
  if (!S_ISDIR(st.st_mode)) return ENOTDIR;
  if (st.st_nlink == 0) return ENOENT;  // removed: nothing can be looked up in it
  if (auto guest = guest_path_of_host(k, *target)) return *guest;
  return EACCES;
}

namespace {

// A relative path from a removed directory (a cwd or dirfd whose directory
// was deleted): "." is the directory itself (reached through the host's
// /proc link), ".." its former parent, and every other name ENOENT, as Linux
// answers lookups in a dead directory.
std::variant<vfs::Resolved, int> resolve_in_removed(const kernel::Kernel& k, pid_t tid, const PathQuery& q,
                                                    vfs::WalkRequest req) {
  const std::string link = q.dirfd == AT_FDCWD ? "/proc/" + std::to_string(tid) + "/cwd" : host_fd_path(tid, q.dirfd);
  std::size_t i = 0;
  while (i < q.path.size() && (q.path[i] == '/' || (q.path[i] == '.' && (i + 1 == q.path.size() || q.path[i + 1] == '/'))))
    ++i;
  if (i == q.path.size()) {
    vfs::Resolved r;
    r.guest = link;
    r.mount = &k.mounts.find("/proc");
    r.host = link;
    r.type = vfs::NodeType::kDir;
    r.origin = vfs::Origin::kMagic;
    r.ends_in_dot = true;
    r.last = ".";
    return r;
  }
  if (q.path.compare(i, 2, "..") != 0 || (i + 2 < q.path.size() && q.path[i + 2] != '/')) return ENOENT;
  int err = 0;
  int fd = open((link + "/..").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ENOENT;
  auto host = host_readlink("/proc/self/fd/" + std::to_string(fd), &err);
  close(fd);
  auto guest = host ? guest_path_of_host(k, *host) : std::nullopt;
  if (!guest) return ENOENT;
  req.start = *guest;
  req.path = "." + q.path.substr(i + 2);
  KernelWalkContext ctx(k, tid);
  return vfs::walk(k.mounts, ctx, req);
}

}  // namespace

std::variant<vfs::Resolved, int> resolve(const kernel::Kernel& k, pid_t tid, const PathQuery& q) {
  vfs::WalkRequest req;
  req.path = q.path;
  req.follow_last = q.follow_last;
  req.slash_follows = q.slash_follows;
  req.slash_needs_dir = q.slash_needs_dir;
  req.beneath = (q.resolve & RESOLVE_BENEATH) != 0;
  req.in_root = (q.resolve & RESOLVE_IN_ROOT) != 0;
  req.no_symlinks = (q.resolve & RESOLVE_NO_SYMLINKS) != 0;
  req.no_magiclinks = (q.resolve & (RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS)) != 0;
  req.no_xdev = (q.resolve & RESOLVE_NO_XDEV) != 0;
  if (q.path.empty()) return ENOENT;
  // openat2's RESOLVE_BENEATH / RESOLVE_IN_ROOT need the start directory even
  // for absolute paths.
  if (q.path[0] != '/' || req.beneath || req.in_root) {
    auto start = start_directory(k, tid, q.dirfd);
    if (auto* e = std::get_if<int>(&start)) {
      if (*e == ENOENT && q.path[0] != '/') return resolve_in_removed(k, tid, q, req);
      return *e;
    }
    req.start = std::get<std::string>(start);
  }
  KernelWalkContext ctx(k, tid);
  return vfs::walk(k.mounts, ctx, req);
}

}  // namespace sentry::syscalls
