// Calls that add, remove or move directory entries: mkdir(2), mkdirat(2),
// mknod(2), mknodat(2), symlink(2), symlinkat(2), link(2), linkat(2),
// unlink(2), unlinkat(2), rmdir(2), rename(2), renameat(2), renameat2(2).
// sentry walks each path in the guest's tree and makes the change itself on
// the walked host directory (an O_PATH fd opened with RESOLVE_NO_SYMLINKS).
//
// Linux's order of errors is kept: the walk's errors (ENOENT, ENOTDIR, ELOOP)
// first; then for creating calls EEXIST before EROFS; for unlink, rmdir and
// rename EROFS before ENOENT (Linux takes write access to the mount before it
// looks the last component up); EXDEV between mounts. Each --rw place and
// bind is a mount of its own, as in Linux. The mount that counts for a
// directory entry is the one holding its parent directory. The synthetic
// trees (/proc, /sys, /dev) take no new entries (EPERM, as a filesystem
// without the operation). Device nodes are refused with EPERM, as in a user
// namespace: a guest must not reach host devices through a node it made.
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <string>

#include "sentry/syscalls/guest_path.h"
#include "sentry/syscalls/registry.h"
#include "vfs/host_at.h"

namespace sentry::syscalls {

namespace {

// The mount holding the directory that holds `o`.
const vfs::Mount& parent_mount(const kernel::Kernel& k, const vfs::Resolved& o) {
  std::size_t slash = o.guest.rfind('/');
  return k.mounts.find(slash == 0 ? std::string("/") : o.guest.substr(0, slash));
}

// The last component of `path` as the guest wrote it ("" for "/").
std::string last_component(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  const std::size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool is_mount_point(const vfs::Resolved& o) { return o.guest != "/" && o.guest == o.mount->guest; }

// The checks of a call creating `o` (Linux's filename_create()): 0 to go on.
int creation_errno(const kernel::Kernel& k, const vfs::Resolved& o, bool makes_dir) {
  if (o.ends_in_dot || o.guest == "/" || o.type != vfs::NodeType::kMissing) return EEXIST;
  if (o.trailing_slash && !makes_dir) return ENOENT;
  const vfs::Mount& m = parent_mount(k, o);
  if (m.kind == vfs::MountKind::kSynthetic) return EPERM;
  if (m.read_only) return EROFS;
  return 0;
}

// Runs `op(parent_dir_fd, name)` on the walked object's parent; answers the
// call with its result (0 or -1/errno). Returns false to walk again.
template <typename Op>
bool on_parent(const SyscallPtr& call, const vfs::Resolved& o, Op op) {
  vfs::ParentDir p;
  int rc = vfs::open_parent(o.host, &p);
  if (rc == -ELOOP) return false;
  if (rc < 0) {
    call->complete(rc);
    return true;
  }
  if (op(p.dir.get(), p.name.c_str()) != 0) {
    if (errno == ELOOP) return false;
    call->fail(errno);
  } else {
    call->complete(0);
  }
  return true;
}

void answer_mkdir(kernel::Kernel& k, const SyscallPtr& call, int dirfd, std::uint64_t path_ptr, mode_t mode) {
  auto q = path_query(call, dirfd, path_ptr, false);
  if (!q) return;
  q->slash_needs_dir = false;
  walk_and_serve(k, call, *q, [&](const vfs::Resolved& o) {
    if (int e = creation_errno(k, o, true)) return call->fail(e), true;
    mode_t m = mode & 07777 & ~guest_umask(call->tid());
    return on_parent(call, o, [m](int dir, const char* name) { return mkdirat(dir, name, m); });
  });
}

void sys_mkdir(kernel::Kernel& k, const SyscallPtr& call) {
  answer_mkdir(k, call, AT_FDCWD, call->arg(0), static_cast<mode_t>(call->arg(1)));
}

void sys_mkdirat(kernel::Kernel& k, const SyscallPtr& call) {
  answer_mkdir(k, call, static_cast<int>(call->arg(0)), call->arg(1), static_cast<mode_t>(call->arg(2)));
}

void answer_mknod(kernel::Kernel& k, const SyscallPtr& call, int dirfd, std::uint64_t path_ptr, mode_t mode,
                  dev_t dev) {
  // may_mknod() comes before the path's checks.
  switch (mode & S_IFMT) {
    case 0:
    case S_IFREG:
    case S_IFIFO:
    case S_IFSOCK:
      break;
    case S_IFCHR:
    case S_IFBLK:
    case S_IFDIR:
      call->fail(EPERM);
      return;
    default:
      call->fail(EINVAL);
      return;
  }
  auto q = path_query(call, dirfd, path_ptr, false);
  if (!q) return;
  q->slash_needs_dir = false;
  walk_and_serve(k, call, *q, [&](const vfs::Resolved& o) {
    if (int e = creation_errno(k, o, false)) return call->fail(e), true;
    mode_t m = (mode & S_IFMT) | (mode & 07777 & ~guest_umask(call->tid()));
    if ((m & S_IFMT) == 0) m |= S_IFREG;
    return on_parent(call, o, [m, dev](int dir, const char* name) { return mknodat(dir, name, m, dev); });
  });
}

void sys_mknod(kernel::Kernel& k, const SyscallPtr& call) {
  answer_mknod(k, call, AT_FDCWD, call->arg(0), static_cast<mode_t>(call->arg(1)), static_cast<dev_t>(call->arg(2)));
}

void sys_mknodat(kernel::Kernel& k, const SyscallPtr& call) {
  answer_mknod(k, call, static_cast<int>(call->arg(0)), call->arg(1), static_cast<mode_t>(call->arg(2)),
               static_cast<dev_t>(call->arg(3)));
}

// The target is stored as the guest wrote it: it is resolved in the guest's
// tree whenever the link is followed.
void answer_symlink(kernel::Kernel& k, const SyscallPtr& call, std::uint64_t target_ptr, int dirfd,
                    std::uint64_t path_ptr) {
  auto target = read_guest_path(call, target_ptr);
  if (auto* e = std::get_if<int>(&target)) {
    call->fail(*e);
    return;
  }
  if (std::get<std::string>(target).empty()) {
    call->fail(ENOENT);
    return;
  }
  auto q = path_query(call, dirfd, path_ptr, false);
  if (!q) return;
  q->slash_needs_dir = false;
  const std::string text = std::get<std::string>(target);
  walk_and_serve(k, call, *q, [&](const vfs::Resolved& o) {
    if (int e = creation_errno(k, o, false)) return call->fail(e), true;
    return on_parent(call, o, [&text](int dir, const char* name) { return symlinkat(text.c_str(), dir, name); });
  });
}

void sys_symlink(kernel::Kernel& k, const SyscallPtr& call) { answer_symlink(k, call, call->arg(0), AT_FDCWD, call->arg(1)); }

void sys_symlinkat(kernel::Kernel& k, const SyscallPtr& call) {
  answer_symlink(k, call, call->arg(0), static_cast<int>(call->arg(1)), call->arg(2));
}

// The mount of the file a /proc fd link names, a deleted one (an O_TMPFILE)
// included: its directory tells; nullptr if the guest cannot see it.
const vfs::Mount* mount_of_host_link(const kernel::Kernel& k, const std::string& link) {
  char buf[PATH_MAX];
  ssize_t n = readlink(link.c_str(), buf, sizeof buf);
  if (n <= 0 || buf[0] != '/') return nullptr;
  std::string target(buf, static_cast<std::size_t>(n));
  static const std::string kDeleted = " (deleted)";
  if (target.size() > kDeleted.size() && target.compare(target.size() - kDeleted.size(), kDeleted.size(), kDeleted) == 0)
    target.resize(target.size() - kDeleted.size());
  auto guest = guest_path_of_host(k, target.substr(0, std::max<std::size_t>(target.rfind('/'), 1)));
  return guest ? &k.mounts.find(*guest) : nullptr;
}

// The existing object of link(2): where it lives and how to name it on the host.
struct LinkSource {
  std::string host;           // host path to link from
  const vfs::Mount* mount;    // its mount (EXDEV check)
  bool follow = false;        // host linkat(AT_SYMLINK_FOLLOW): a /proc fd link
  bool dir = false;
};

void answer_link(kernel::Kernel& k, const SyscallPtr& call, int olddirfd, std::uint64_t old_ptr, int newdirfd,
                 std::uint64_t new_ptr, int flags) {
  if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH)) {
    call->fail(EINVAL);
    return;
  }
  LinkSource src;
  char first = 1;
  if ((flags & AT_EMPTY_PATH) && call->memory().read(old_ptr, &first, 1) && first == '\0') {
    // linkat(fd, "", ..., AT_EMPTY_PATH): the guest's descriptor itself.
    src.host = host_fd_path(call->tid(), olddirfd);
    struct stat st;
    if (stat(src.host.c_str(), &st) != 0) {
      call->fail(EBADF);
      return;
    }
    src.follow = true;
    src.dir = S_ISDIR(st.st_mode);
    src.mount = mount_of_host_link(k, src.host);
  } else {
    auto oq = path_query(call, olddirfd, old_ptr, (flags & AT_SYMLINK_FOLLOW) != 0);
    if (!oq) return;
    auto walked = resolve(k, call->tid(), *oq);
    if (auto* e = std::get_if<int>(&walked)) {
      call->fail(*e);
      return;
    }
    const vfs::Resolved& o = std::get<vfs::Resolved>(walked);
    if (o.type == vfs::NodeType::kMissing) {
      call->fail(ENOENT);
      return;
    }
    src.host = o.host;
    src.mount = o.mount;
    src.follow = o.origin == vfs::Origin::kMagic;
    src.dir = o.type == vfs::NodeType::kDir;
    if (src.follow) src.mount = mount_of_host_link(k, o.host);
  }
  auto nq = path_query(call, newdirfd, new_ptr, false);
  if (!nq) return;
  nq->slash_needs_dir = false;
  walk_and_serve(k, call, *nq, [&](const vfs::Resolved& n) {
    if (int e = creation_errno(k, n, false)) return call->fail(e), true;
    if (src.mount != &parent_mount(k, n)) return call->fail(EXDEV), true;
    if (src.dir) return call->fail(EPERM), true;
    if (src.follow) {
      return on_parent(call, n, [&src](int dir, const char* name) {
        return linkat(AT_FDCWD, src.host.c_str(), dir, name, AT_SYMLINK_FOLLOW);
      });
    }
    vfs::ParentDir op;
    int rc = vfs::open_parent(src.host, &op);
    if (rc == -ELOOP) return false;
    if (rc < 0) return call->complete(rc), true;
    return on_parent(call, n, [&op](int dir, const char* name) {
      return linkat(op.dir.get(), op.name.c_str(), dir, name, 0);
    });
  });
}

void sys_link(kernel::Kernel& k, const SyscallPtr& call) {
  answer_link(k, call, AT_FDCWD, call->arg(0), AT_FDCWD, call->arg(1), 0);
}

void sys_linkat(kernel::Kernel& k, const SyscallPtr& call) {
  answer_link(k, call, static_cast<int>(call->arg(0)), call->arg(1), static_cast<int>(call->arg(2)), call->arg(3),
              static_cast<int>(call->arg(4)));
}

// unlink and rmdir (do_unlinkat / do_rmdir order).
void answer_unlink(kernel::Kernel& k, const SyscallPtr& call, int dirfd, std::uint64_t path_ptr, int flags) {
  if (flags & ~AT_REMOVEDIR) {
    call->fail(EINVAL);
    return;
  }
  const bool rmdir_call = (flags & AT_REMOVEDIR) != 0;
  auto q = path_query(call, dirfd, path_ptr, false);
  if (!q) return;
  q->slash_follows = false;
  q->slash_needs_dir = false;
  const std::string written_last = last_component(q->path);
  walk_and_serve(k, call, *q, [&](const vfs::Resolved& o) {
    if (rmdir_call) {
      if (written_last == "..") return call->fail(ENOTEMPTY), true;
      if (written_last == ".") return call->fail(EINVAL), true;
      if (o.guest == "/") return call->fail(EBUSY), true;
    } else if (o.ends_in_dot || o.guest == "/") {
      return call->fail(EISDIR), true;
    }
    const vfs::Mount& m = parent_mount(k, o);
    if (m.kind == vfs::MountKind::kHost && m.read_only) return call->fail(EROFS), true;
    if (o.type == vfs::NodeType::kMissing) return call->fail(ENOENT), true;
    if (m.kind == vfs::MountKind::kSynthetic) return call->fail(EPERM), true;
    if (is_mount_point(o)) return call->fail(rmdir_call ? EBUSY : EISDIR), true;
    if (!rmdir_call && o.type == vfs::NodeType::kDir) return call->fail(EISDIR), true;
    if (!rmdir_call && o.trailing_slash) return call->fail(ENOTDIR), true;
    if (rmdir_call && o.type != vfs::NodeType::kDir) return call->fail(ENOTDIR), true;
    return on_parent(call, o, [flags](int dir, const char* name) { return unlinkat(dir, name, flags); });
  });
}

void sys_unlink(kernel::Kernel& k, const SyscallPtr& call) { answer_unlink(k, call, AT_FDCWD, call->arg(0), 0); }

void sys_unlinkat(kernel::Kernel& k, const SyscallPtr& call) {
  answer_unlink(k, call, static_cast<int>(call->arg(0)), call->arg(1), static_cast<int>(call->arg(2)));
}

void sys_rmdir(kernel::Kernel& k, const SyscallPtr& call) { answer_unlink(k, call, AT_FDCWD, call->arg(0), AT_REMOVEDIR); }

// rename family (do_renameat2 order: EXDEV, EBUSY, EROFS, then lookups).
void answer_rename(kernel::Kernel& k, const SyscallPtr& call, int olddirfd, std::uint64_t old_ptr, int newdirfd,
                   std::uint64_t new_ptr, unsigned flags) {
  if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT) ||
      ((flags & RENAME_NOREPLACE) && (flags & RENAME_EXCHANGE)) ||
      ((flags & RENAME_WHITEOUT) && (flags & RENAME_EXCHANGE))) {
    call->fail(EINVAL);
    return;
  }
  auto oq = path_query(call, olddirfd, old_ptr, false);
  if (!oq) return;
  auto nq = path_query(call, newdirfd, new_ptr, false);
  if (!nq) return;
  for (PathQuery* q : {&*oq, &*nq}) {
    q->slash_follows = false;
    q->slash_needs_dir = false;
  }
  constexpr int kAttempts = 4;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    auto ow = resolve(k, call->tid(), *oq);
    if (auto* e = std::get_if<int>(&ow)) {
      call->fail(*e);
      return;
    }
    auto nw = resolve(k, call->tid(), *nq);
    if (auto* e = std::get_if<int>(&nw)) {
      call->fail(*e);
      return;
    }
    const vfs::Resolved& o = std::get<vfs::Resolved>(ow);
    const vfs::Resolved& n = std::get<vfs::Resolved>(nw);
    const vfs::Mount& om = parent_mount(k, o);
    if (&om != &parent_mount(k, n)) return (void)call->fail(EXDEV);
    if (o.ends_in_dot || o.guest == "/") return (void)call->fail(EBUSY);
    if (n.ends_in_dot || n.guest == "/") return (void)call->fail((flags & RENAME_NOREPLACE) ? EEXIST : EBUSY);
    if (om.kind == vfs::MountKind::kSynthetic) {
      call->fail(o.type == vfs::NodeType::kMissing ? ENOENT : EPERM);
      return;
    }
    if (om.read_only) return (void)call->fail(EROFS);
    if (o.type == vfs::NodeType::kMissing) return (void)call->fail(ENOENT);
    if ((flags & RENAME_EXCHANGE) && n.type == vfs::NodeType::kMissing) return (void)call->fail(ENOENT);
    if ((flags & RENAME_NOREPLACE) && n.type != vfs::NodeType::kMissing) return (void)call->fail(EEXIST);
    if (o.type != vfs::NodeType::kDir && (o.trailing_slash || n.trailing_slash)) return (void)call->fail(ENOTDIR);
    if (is_mount_point(o) || (n.type != vfs::NodeType::kMissing && is_mount_point(n))) return (void)call->fail(EBUSY);
    vfs::ParentDir op, np;
    int rc = vfs::open_parent(o.host, &op);
    if (rc == 0) rc = vfs::open_parent(n.host, &np);
    if (rc == -ELOOP) continue;
    if (rc < 0) return (void)call->complete(rc);
    if (syscall(SYS_renameat2, op.dir.get(), op.name.c_str(), np.dir.get(), np.name.c_str(), flags) != 0) {
      call->fail(errno);
    } else {
      call->complete(0);
    }
    return;
  }
  call->fail(ELOOP);
}

void sys_rename(kernel::Kernel& k, const SyscallPtr& call) {
  answer_rename(k, call, AT_FDCWD, call->arg(0), AT_FDCWD, call->arg(1), 0);
}

void sys_renameat(kernel::Kernel& k, const SyscallPtr& call) {
  answer_rename(k, call, static_cast<int>(call->arg(0)), call->arg(1), static_cast<int>(call->arg(2)), call->arg(3), 0);
}

void sys_renameat2(kernel::Kernel& k, const SyscallPtr& call) {
  answer_rename(k, call, static_cast<int>(call->arg(0)), call->arg(1), static_cast<int>(call->arg(2)), call->arg(3),
                static_cast<unsigned>(call->arg(4)));
}

}  // namespace

void register_fs_namespace(Registry& r) {
  r.add("mkdir", sys_mkdir);
  r.add("mkdirat", sys_mkdirat);
  r.add("mknod", sys_mknod);
  r.add("mknodat", sys_mknodat);
  r.add("symlink", sys_symlink);
  r.add("symlinkat", sys_symlinkat);
  r.add("link", sys_link);
  r.add("linkat", sys_linkat);
  r.add("unlink", sys_unlink);
  r.add("unlinkat", sys_unlinkat);
  r.add("rmdir", sys_rmdir);
  r.add("rename", sys_rename);
  r.add("renameat", sys_renameat);
  r.add("renameat2", sys_renameat2);
}

}  // namespace sentry::syscalls
