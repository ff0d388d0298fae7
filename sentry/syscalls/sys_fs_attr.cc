// Calls that change a file's attributes: chmod(2), fchmodat(2),
// fchmodat2(2), chown(2), lchown(2), fchownat(2), truncate(2), utime(2),
// utimes(2), futimesat(2), utimensat(2), the path xattr calls, and
// inotify_add_watch(2), which names a path too. sentry walks the path in the
// guest's tree and acts on the walked object; the read-only parts of the
// mount table give EROFS after the walk's errors, as Linux's
// mnt_want_write() does.
//
// The same calls on a descriptor (fchmod, fchown, fsetxattr, fremovexattr,
// utimensat with a NULL path, the *at calls with AT_EMPTY_PATH) run on the
// host, except that a descriptor of a file on a read-only mount gets EROFS:
// a guest may open a read-only file for reading, but must not change it.
// The synthetic trees refuse attribute changes with EPERM: their entries
// stand for host objects (/dev nodes) that a guest must not alter.
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <utime.h>

#include <cerrno>
#include <climits>
#include <ctime>
#include <string>
#include <vector>

#include "sentry/kernel/guest_fd.h"
#include "sentry/syscalls/guest_path.h"
#include "sentry/syscalls/registry.h"
#include "vfs/host_at.h"

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452  // Linux 6.6; glibc 2.36's headers predate it
#endif

namespace sentry::syscalls {

namespace {

constexpr std::size_t kXattrNameMax = 255;      // XATTR_NAME_MAX
constexpr std::size_t kXattrSizeMax = 65536;    // XATTR_SIZE_MAX

bool empty_path(const SyscallPtr& call, std::uint64_t ptr) {
  char first = 1;
  return ptr == 0 || (call->memory().read(ptr, &first, 1) && first == '\0');
}

// Whether guest fd `fd` is a file on a read-only mount (and not an O_PATH fd,
// on which the host answers EBADF first).
bool fd_on_read_only_mount(const kernel::Kernel& k, pid_t tid, int fd) {
  auto guest = guest_path_of_fd(k, tid, fd);
  if (!guest) return false;
  const vfs::Mount& m = k.mounts.find(*guest);
  if (m.kind != vfs::MountKind::kHost || !m.read_only) return false;
  struct stat st;
  if (stat(host_fd_path(tid, fd).c_str(), &st) != 0 || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)))
    return false;
  std::string info = "/proc/" + std::to_string(tid) + "/fdinfo/" + std::to_string(fd);
  if (FILE* f = std::fopen(info.c_str(), "re")) {
    char line[128];
    unsigned long flags = 0;
    while (std::fgets(line, sizeof line, f))
      if (std::sscanf(line, "flags: %lo", &flags) == 1) break;
    std::fclose(f);
    if (flags & O_PATH) return false;
  }
  return true;
}

// A call on the guest's descriptor: EROFS on a read-only mount, else the host.
void fd_call(const kernel::Kernel& k, const SyscallPtr& call, int fd) {
  if (fd_on_read_only_mount(k, call->tid(), fd)) call->fail(EROFS);
  else call->continue_on_host();
}

// The errno of changing the walked object's attributes before the host is
// asked: ENOENT, EPERM (synthetic trees), EROFS; 0 to go on.
int change_errno(const vfs::Resolved& o) {
  if (o.type == vfs::NodeType::kMissing) return ENOENT;
  if (o.mount->kind == vfs::MountKind::kSynthetic) return EPERM;
  if (o.mount->read_only) return EROFS;
  return 0;
}

// Walks `q` and runs `op(parent_fd, name)` on a host object that may change.
template <typename Op>
void change(const kernel::Kernel& k, const SyscallPtr& call, const PathQuery& q, Op op) {
  walk_and_serve(k, call, q, [&](const vfs::Resolved& o) {
    if (int e = change_errno(o)) return call->fail(e), true;
    vfs::ParentDir p;
    int rc = vfs::open_parent(o.host, &p);
    if (rc == -ELOOP) return false;
    if (rc < 0) return call->complete(rc), true;
    if (op(p) != 0) {
      if (errno == ELOOP && o.type != vfs::NodeType::kSymlink) return false;
      call->fail(errno);
    } else {
      call->complete(0);
    }
    return true;
  });
}

// ---- chmod ----

void answer_chmod(const kernel::Kernel& k, const SyscallPtr& call, int dirfd, std::uint64_t path_ptr, mode_t mode,
                  int flags) {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return (void)call->fail(EINVAL);
  if ((flags & AT_EMPTY_PATH) && empty_path(call, path_ptr)) return fd_call(k, call, dirfd);
  auto q = path_query(call, dirfd, path_ptr, !(flags & AT_SYMLINK_NOFOLLOW));
  if (!q) return;
  change(k, call, *q, [mode](const vfs::ParentDir& p) {
    return static_cast<int>(syscall(SYS_fchmodat2, p.dir.get(), p.name.c_str(), mode, AT_SYMLINK_NOFOLLOW));
  });
}

void sys_chmod(kernel::Kernel& k, const SyscallPtr& call) {
  answer_chmod(k, call, AT_FDCWD, call->arg(0), static_cast<mode_t>(call->arg(1)), 0);
}
void sys_fchmodat(kernel::Kernel& k, const SyscallPtr& call) {
  answer_chmod(k, call, static_cast<int>(call->arg(0)), call->arg(1), static_cast<mode_t>(call->arg(2)), 0);
}
void sys_fchmodat2(kernel::Kernel& k, const SyscallPtr& call) {
  answer_chmod(k, call, static_cast<int>(call->arg(0)), call->arg(1), static_cast<mode_t>(call->arg(2)),
               static_cast<int>(call->arg(3)));
}
void sys_fchmod(kernel::Kernel& k, const SyscallPtr& call) { fd_call(k, call, static_cast<int>(call->arg(0))); }

// ---- chown ----

void answer_chown(const kernel::Kernel& k, const SyscallPtr& call, int dirfd, std::uint64_t path_ptr,
                  std::uint64_t uid, std::uint64_t gid, int flags) {
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return (void)call->fail(EINVAL);
  if ((flags & AT_EMPTY_PATH) && empty_path(call, path_ptr)) return fd_call(k, call, dirfd);
  auto q = path_query(call, dirfd, path_ptr, !(flags & AT_SYMLINK_NOFOLLOW));
  if (!q) return;
  change(k, call, *q, [uid, gid](const vfs::ParentDir& p) {
    return fchownat(p.dir.get(), p.name.c_str(), static_cast<uid_t>(uid), static_cast<gid_t>(gid), AT_SYMLINK_NOFOLLOW);
  });
}

void sys_chown(kernel::Kernel& k, const SyscallPtr& call) {
  answer_chown(k, call, AT_FDCWD, call->arg(0), call->arg(1), call->arg(2), 0);
}
void sys_lchown(kernel::Kernel& k, const SyscallPtr& call) {
  answer_chown(k, call, AT_FDCWD, call->arg(0), call->arg(1), call->arg(2), AT_SYMLINK_NOFOLLOW);
}
void sys_fchownat(kernel::Kernel& k, const SyscallPtr& call) {
  answer_chown(k, call, static_cast<int>(call->arg(0)), call->arg(1), call->arg(2), call->arg(3),
               static_cast<int>(call->arg(4)));
}
void sys_fchown(kernel::Kernel& k, const SyscallPtr& call) { fd_call(k, call, static_cast<int>(call->arg(0))); }

// ---- truncate ----

void sys_truncate(kernel::Kernel& k, const SyscallPtr& call) {
  const auto length = static_cast<std::int64_t>(call->arg(1));
  if (length < 0) return (void)call->fail(EINVAL);
  auto q = path_query(call, AT_FDCWD, call->arg(0), true);
  if (!q) return;
  walk_and_serve(k, call, *q, [&](const vfs::Resolved& o) {
    if (o.type == vfs::NodeType::kMissing) return call->fail(ENOENT), true;
    if (o.type == vfs::NodeType::kDir) return call->fail(EISDIR), true;
    if (o.type != vfs::NodeType::kRegular) return call->fail(EINVAL), true;
    if (int e = change_errno(o)) return call->fail(e), true;
    int fd = vfs::open_no_symlinks(o.host, O_WRONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd == -ELOOP) return false;
    if (fd < 0) return call->complete(fd), true;
    int rc = ftruncate(fd, length) == 0 ? 0 : -errno;
    close(fd);
    call->complete(rc);
    return true;
  });
}

// ---- times ----

bool valid_nsec(long nsec) { return nsec == UTIME_NOW || nsec == UTIME_OMIT || (nsec >= 0 && nsec < 1000000000L); }

// `times` null: both now. Linux returns 0 without looking at the path when
// both are UTIME_OMIT.
void answer_times(const kernel::Kernel& k, const SyscallPtr& call, int dirfd, std::uint64_t path_ptr,
                  const timespec* times, int flags) {
  if (times && times[0].tv_nsec == UTIME_OMIT && times[1].tv_nsec == UTIME_OMIT) return (void)call->complete(0);
  if (times && (!valid_nsec(times[0].tv_nsec) || !valid_nsec(times[1].tv_nsec))) return (void)call->fail(EINVAL);
  if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) return (void)call->fail(EINVAL);
  if ((flags & AT_EMPTY_PATH) && empty_path(call, path_ptr)) return fd_call(k, call, dirfd);
  auto q = path_query(call, dirfd, path_ptr, !(flags & AT_SYMLINK_NOFOLLOW));
  if (!q) return;
  std::vector<timespec> t;
  if (times) t.assign(times, times + 2);
  change(k, call, *q, [&t](const vfs::ParentDir& p) {
    return utimensat(p.dir.get(), p.name.c_str(), t.empty() ? nullptr : t.data(), AT_SYMLINK_NOFOLLOW);
  });
}

void sys_utimensat(kernel::Kernel& k, const SyscallPtr& call) {
  const int dirfd = static_cast<int>(call->arg(0));
  if (call->arg(1) == 0) return fd_call(k, call, dirfd);  // futimens(): the host checks flags and the fd
  timespec t[2];
  const bool have = call->arg(2) != 0;
  if (have && !call->memory().read(call->arg(2), t, sizeof t)) return (void)call->fail(EFAULT);
  answer_times(k, call, dirfd, call->arg(1), have ? t : nullptr, static_cast<int>(call->arg(3)));
}

// utimes(2) and futimesat(2): microseconds.
void answer_timeval(const kernel::Kernel& k, const SyscallPtr& call, int dirfd, std::uint64_t path_ptr,
                    std::uint64_t tv_ptr) {
  if (tv_ptr == 0) return answer_times(k, call, dirfd, path_ptr, nullptr, 0);
  timeval tv[2];
  if (!call->memory().read(tv_ptr, tv, sizeof tv)) return (void)call->fail(EFAULT);
  timespec t[2];
  for (int i = 0; i < 2; ++i) {
    if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000) return (void)call->fail(EINVAL);
    t[i] = {tv[i].tv_sec, tv[i].tv_usec * 1000};
  }
  answer_times(k, call, dirfd, path_ptr, t, 0);
}

void sys_utimes(kernel::Kernel& k, const SyscallPtr& call) { answer_timeval(k, call, AT_FDCWD, call->arg(0), call->arg(1)); }
void sys_futimesat(kernel::Kernel& k, const SyscallPtr& call) {
  answer_timeval(k, call, static_cast<int>(call->arg(0)), call->arg(1), call->arg(2));
}

void sys_utime(kernel::Kernel& k, const SyscallPtr& call) {
  if (call->arg(1) == 0) return answer_times(k, call, AT_FDCWD, call->arg(0), nullptr, 0);
  utimbuf b;
  if (!call->memory().read(call->arg(1), &b, sizeof b)) return (void)call->fail(EFAULT);
  timespec t[2] = {{b.actime, 0}, {b.modtime, 0}};
  answer_times(k, call, AT_FDCWD, call->arg(0), t, 0);
}

// ---- extended attributes ----

// The attribute name (Linux's import_xattr_name: ERANGE if empty or longer
// than XATTR_NAME_MAX); nullopt after answering the call.
std::optional<std::string> xattr_name(const SyscallPtr& call, std::uint64_t ptr) {
  auto name = call->memory().read_cstring(ptr, kXattrNameMax + 1);
  if (!name) {
    char c;
    call->fail(call->memory().read(ptr, &c, 1) ? ERANGE : EFAULT);
    return std::nullopt;
  }
  if (name->empty() || name->size() > kXattrNameMax) {
    call->fail(ERANGE);
    return std::nullopt;
  }
  return name;
}

// Runs `fn(path)` with a host path that reaches the walked object (of any
// origin) without following anything the walk did not see; ENOENT for a
// missing one. Returns false when the walk must be redone.
template <typename Fn>
bool on_object_path(const SyscallPtr& call, const vfs::Resolved& o, Fn fn) {
  if (o.type == vfs::NodeType::kMissing) return call->fail(ENOENT), true;
  if (o.origin != vfs::Origin::kHost) {
    fn(o.host);
    return true;
  }
  vfs::ParentDir p;
  int rc = vfs::open_parent(o.host, &p);
  if (rc == -ELOOP) return false;
  if (rc < 0) return call->complete(rc), true;
  fn(p.entry_path());
  return true;
}

void answer_setxattr(const kernel::Kernel& k, const SyscallPtr& call, bool follow) {
  const int flags = static_cast<int>(call->arg(4));
  if (flags & ~(XATTR_CREATE | XATTR_REPLACE)) return (void)call->fail(EINVAL);
  auto name = xattr_name(call, call->arg(1));
  if (!name) return;
  const std::size_t size = call->arg(3);
  if (size > kXattrSizeMax) return (void)call->fail(E2BIG);
  std::string value(size, '\0');
  if (size > 0 && !call->memory().read(call->arg(2), value.data(), size)) return (void)call->fail(EFAULT);
  auto q = path_query(call, AT_FDCWD, call->arg(0), follow);
  if (!q) return;
  change(k, call, *q, [&](const vfs::ParentDir& p) {
    return lsetxattr(p.entry_path().c_str(), name->c_str(), value.data(), size, flags);
  });
}

void answer_removexattr(const kernel::Kernel& k, const SyscallPtr& call, bool follow) {
  auto name = xattr_name(call, call->arg(1));
  if (!name) return;
  auto q = path_query(call, AT_FDCWD, call->arg(0), follow);
  if (!q) return;
  change(k, call, *q, [&](const vfs::ParentDir& p) { return lremovexattr(p.entry_path().c_str(), name->c_str()); });
}

// getxattr and listxattr: the host's answer copied into the guest's buffer.
void answer_xattr_query(const kernel::Kernel& k, const SyscallPtr& call, bool follow, bool list) {
  std::optional<std::string> name;
  if (!list) {
    name = xattr_name(call, call->arg(1));
    if (!name) return;
  }
  const std::uint64_t buf = list ? call->arg(1) : call->arg(2);
  const std::size_t size = std::min<std::size_t>(list ? call->arg(2) : call->arg(3), kXattrSizeMax);
  auto q = path_query(call, AT_FDCWD, call->arg(0), follow);
  if (!q) return;
  walk_and_serve(k, call, *q, [&](const vfs::Resolved& o) {
    return on_object_path(call, o, [&](const std::string& path) {
      std::string out(size, '\0');
      ssize_t n = list ? llistxattr(path.c_str(), size ? out.data() : nullptr, size)
                       : lgetxattr(path.c_str(), name->c_str(), size ? out.data() : nullptr, size);
      if (n < 0) return (void)call->fail(errno);
      if (size > 0 && !call->memory().write(buf, out.data(), static_cast<std::size_t>(n))) return (void)call->fail(EFAULT);
      call->complete(n);
    });
  });
}

void sys_setxattr(kernel::Kernel& k, const SyscallPtr& call) { answer_setxattr(k, call, true); }
void sys_lsetxattr(kernel::Kernel& k, const SyscallPtr& call) { answer_setxattr(k, call, false); }
void sys_removexattr(kernel::Kernel& k, const SyscallPtr& call) { answer_removexattr(k, call, true); }
void sys_lremovexattr(kernel::Kernel& k, const SyscallPtr& call) { answer_removexattr(k, call, false); }
void sys_getxattr(kernel::Kernel& k, const SyscallPtr& call) { answer_xattr_query(k, call, true, false); }
void sys_lgetxattr(kernel::Kernel& k, const SyscallPtr& call) { answer_xattr_query(k, call, false, false); }
void sys_listxattr(kernel::Kernel& k, const SyscallPtr& call) { answer_xattr_query(k, call, true, true); }
void sys_llistxattr(kernel::Kernel& k, const SyscallPtr& call) { answer_xattr_query(k, call, false, true); }
void sys_fsetxattr(kernel::Kernel& k, const SyscallPtr& call) { fd_call(k, call, static_cast<int>(call->arg(0))); }
void sys_fremovexattr(kernel::Kernel& k, const SyscallPtr& call) { fd_call(k, call, static_cast<int>(call->arg(0))); }

// ---- inotify ----

// inotify_add_watch(2): the watch is added by sentry on its copy of the
// guest's inotify descriptor (the same instance), on the walked host object.
// Linux checks the mask and the descriptor before the path: no inotify bit
// or IN_MASK_ADD with IN_MASK_CREATE is EINVAL, then EBADF, then EINVAL for a
// descriptor that is not an inotify instance.
void sys_inotify_add_watch(kernel::Kernel& k, const SyscallPtr& call) {
  constexpr std::uint32_t kAllInotifyBits = IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ONLYDIR |
                                            IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_ADD | IN_MASK_CREATE |
                                            IN_ISDIR | IN_ONESHOT;
  const auto mask = static_cast<std::uint32_t>(call->arg(2));
  if (!(mask & kAllInotifyBits) || ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE)))
    return (void)call->fail(EINVAL);
  const kernel::Task* task = k.tree.task(call->tid());
  kernel::GuestFdCopy ino(task ? task->tgid : call->tid(), static_cast<int>(call->arg(0)));
  if (!ino.valid()) return (void)call->fail(ino.error() == ESRCH ? EBADF : ino.error());
  char kind[32] = {};
  const std::string self = "/proc/self/fd/" + std::to_string(ino.get());
  if (readlink(self.c_str(), kind, sizeof kind - 1) < 0 || std::string(kind) != "anon_inode:inotify")
    return (void)call->fail(EINVAL);
  auto q = path_query(call, AT_FDCWD, call->arg(1), !(mask & IN_DONT_FOLLOW));
  if (!q) return;
  walk_and_serve(k, call, *q, [&](const vfs::Resolved& o) {
    return on_object_path(call, o, [&](const std::string& path) {
      int wd = inotify_add_watch(ino.get(), path.c_str(), mask | (o.origin == vfs::Origin::kHost ? IN_DONT_FOLLOW : 0));
      call->complete(wd >= 0 ? wd : -errno);
    });
  });
}

}  // namespace

void register_fs_attr(Registry& r) {
  r.add("chmod", sys_chmod);
  r.add("fchmodat", sys_fchmodat);
  r.add("fchmodat2", sys_fchmodat2);
  r.add("fchmod", sys_fchmod);
  r.add("chown", sys_chown);
  r.add("lchown", sys_lchown);
  r.add("fchownat", sys_fchownat);
  r.add("fchown", sys_fchown);
  r.add("truncate", sys_truncate);
  r.add("utimensat", sys_utimensat);
  r.add("utimes", sys_utimes);
  r.add("futimesat", sys_futimesat);
  r.add("utime", sys_utime);
  r.add("setxattr", sys_setxattr);
  r.add("lsetxattr", sys_lsetxattr);
  r.add("fsetxattr", sys_fsetxattr);
  r.add("removexattr", sys_removexattr);
  r.add("lremovexattr", sys_lremovexattr);
  r.add("fremovexattr", sys_fremovexattr);
  r.add("getxattr", sys_getxattr);
  r.add("lgetxattr", sys_lgetxattr);
  r.add("listxattr", sys_listxattr);
  r.add("llistxattr", sys_llistxattr);
  r.add("inotify_add_watch", sys_inotify_add_watch);
}

}  // namespace sentry::syscalls
