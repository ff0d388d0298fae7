// Calls that ask about a path without changing anything: stat(2), lstat(2),
// newfstatat(2), statx(2), access(2), faccessat(2), faccessat2(2),
// readlink(2), readlinkat(2) and statfs(2). sentry walks the path in the
// guest's tree, asks the host about the object it found, and writes the
// answer into the guest's buffer. A synthesized file that the host does not
// have (a CPU beyond the host's count) is described as Linux shows such
// files: a regular file of proc_synth's mode and size on the same device as
// its mount. Calls on an fd (AT_EMPTY_PATH with an empty path) run on the host.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <functional>
#include <string>

#include "proc_synth/kernel_view.h"
#include "proc_synth/registry.h"
#include "sentry/syscalls/guest_path.h"
#include "sentry/syscalls/registry.h"
#include "vfs/host_at.h"

#ifndef ST_RDONLY
#define ST_RDONLY 1
#endif

namespace sentry::syscalls {

namespace {

bool empty_path_call(const SyscallPtr& call, std::uint64_t path_ptr, std::uint64_t flags) {
  if (!(flags & AT_EMPTY_PATH)) return false;
  if (path_ptr == 0) return true;
  char first = 1;
  return call->memory().read(path_ptr, &first, 1) && first == '\0';
}

// Linux's answer for a synthesized object the host has no entry for.
int synthesize_stat(const kernel::Kernel& k, const vfs::Resolved& o, struct stat* st) {
  if (stat(o.mount->host.c_str(), st) != 0) return -errno;
  st->st_ino = std::hash<std::string>{}(o.guest) | 1;
  st->st_blocks = 0;
  if (o.origin == vfs::Origin::kSynthDir) {
    st->st_mode = S_IFDIR | 0555;
    st->st_nlink = 2;
    st->st_size = 0;
    return 0;
  }
  proc_synth::KernelModelSource source(k);
  auto generated = proc_synth::generate(o.guest, source);
  if (!generated) return -ENOENT;
  st->st_mode = S_IFREG | generated->mode;
  st->st_nlink = 1;
  st->st_size = static_cast<off_t>(generated->linux_st_size);
  return 0;
}

// stat of the walked object: 0, -errno, or -ELOOP for "walk again".
int stat_object(const kernel::Kernel& k, const vfs::Resolved& o, struct stat* st) {
  if (o.type == vfs::NodeType::kMissing) return -ENOENT;
  switch (o.origin) {
    case vfs::Origin::kHost: {
      if (o.pinned) return fstatat(o.pinned->get(), "", st, AT_EMPTY_PATH) == 0 ? 0 : -errno;
      vfs::ParentDir p;
      if (int rc = vfs::open_parent(o.host, &p); rc < 0) return rc;
      return fstatat(p.dir.get(), p.name.c_str(), st, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : -errno;
    }
    case vfs::Origin::kSynthFile:
    case vfs::Origin::kSynthDir:
      if (stat(o.host.c_str(), st) == 0) return 0;
      return synthesize_stat(k, o, st);
    case vfs::Origin::kPassThrough:
    case vfs::Origin::kMagic:
      break;
  }
  int rc = o.type == vfs::NodeType::kSymlink ? lstat(o.host.c_str(), st) : stat(o.host.c_str(), st);
  return rc == 0 ? 0 : -errno;
}

void answer_stat(const kernel::Kernel& k, const SyscallPtr& call, const PathQuery& q, std::uint64_t buf) {
  walk_and_serve(k, call, q, [&](const vfs::Resolved& o) {
    struct stat st {};
    int rc = stat_object(k, o, &st);
    if (rc == -ELOOP && o.type != vfs::NodeType::kSymlink) return false;
    if (rc < 0) call->complete(rc);
    else if (!call->memory().write(buf, &st, sizeof st)) call->fail(EFAULT);
    else call->complete(0);
    return true;
  });
}

// Implements stat(2).
void sys_stat(kernel::Kernel& k, const SyscallPtr& call) {
  if (auto q = path_query(call, AT_FDCWD, call->arg(0), true)) answer_stat(k, call, *q, call->arg(1));
}

// Implements lstat(2).
void sys_lstat(kernel::Kernel& k, const SyscallPtr& call) {
  if (auto q = path_query(call, AT_FDCWD, call->arg(0), false)) answer_stat(k, call, *q, call->arg(1));
}

// Implements newfstatat(2) (fstatat).
void sys_newfstatat(kernel::Kernel& k, const SyscallPtr& call) {
  const std::uint64_t flags = call->arg(3);
  if (flags & ~static_cast<std::uint64_t>(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH)) {
    call->fail(EINVAL);
    return;
  }
  if (empty_path_call(call, call->arg(1), flags)) {
    call->continue_on_host();  // fstat of the guest's own fd
    return;
  }
  if (auto q = path_query(call, static_cast<int>(call->arg(0)), call->arg(1), !(flags & AT_SYMLINK_NOFOLLOW)))
    answer_stat(k, call, *q, call->arg(2));
}

// Implements statx(2). Flags and mask are checked by the host's statx on an
// empty path (Linux validates them first; the path then gives ENOENT).
void sys_statx(kernel::Kernel& k, const SyscallPtr& call) {
  const auto flags = static_cast<int>(call->arg(2));
  const auto mask = static_cast<unsigned>(call->arg(3));
  struct statx probe;
  if (syscall(SYS_statx, AT_FDCWD, "", flags & ~AT_EMPTY_PATH, mask, &probe) != 0 && errno != ENOENT) {
    call->fail(errno);
    return;
  }
  if (empty_path_call(call, call->arg(1), static_cast<std::uint64_t>(flags))) {
    call->continue_on_host();
    return;
  }
  auto q = path_query(call, static_cast<int>(call->arg(0)), call->arg(1), !(flags & AT_SYMLINK_NOFOLLOW));
  if (!q) return;
  const int sync = flags & AT_STATX_SYNC_TYPE;
  walk_and_serve(k, call, *q, [&](const vfs::Resolved& o) {
    struct statx stx {};
    int rc = 0;
    if (o.type == vfs::NodeType::kMissing) {
      rc = -ENOENT;
    } else if (o.pinned) {
      if (syscall(SYS_statx, o.pinned->get(), "", AT_EMPTY_PATH | sync, mask, &stx) != 0) rc = -errno;
    } else if (o.origin == vfs::Origin::kHost) {
      vfs::ParentDir p;
      rc = vfs::open_parent(o.host, &p);
      if (rc == -ELOOP) return false;
      if (rc == 0 && syscall(SYS_statx, p.dir.get(), p.name.c_str(), AT_SYMLINK_NOFOLLOW | sync, mask, &stx) != 0)
        rc = -errno;
    } else {
      const int follow = o.type == vfs::NodeType::kSymlink ? AT_SYMLINK_NOFOLLOW : 0;
      if (syscall(SYS_statx, AT_FDCWD, o.host.c_str(), follow | sync, mask, &stx) != 0) {
        struct stat st {};
        rc = synthesize_stat(k, o, &st);
        if (rc == 0) {
          stx.stx_mask = STATX_BASIC_STATS;
          stx.stx_blksize = static_cast<std::uint32_t>(st.st_blksize);
          stx.stx_nlink = static_cast<std::uint32_t>(st.st_nlink);
          stx.stx_uid = st.st_uid;
          stx.stx_gid = st.st_gid;
          stx.stx_mode = static_cast<std::uint16_t>(st.st_mode);
          stx.stx_ino = st.st_ino;
          stx.stx_size = static_cast<std::uint64_t>(st.st_size);
          stx.stx_dev_major = major(st.st_dev);
          stx.stx_dev_minor = minor(st.st_dev);
          stx.stx_atime = {st.st_atim.tv_sec, static_cast<std::uint32_t>(st.st_atim.tv_nsec), 0};
          stx.stx_mtime = {st.st_mtim.tv_sec, static_cast<std::uint32_t>(st.st_mtim.tv_nsec), 0};
          stx.stx_ctime = {st.st_ctim.tv_sec, static_cast<std::uint32_t>(st.st_ctim.tv_nsec), 0};
        }
      }
    }
    if (rc < 0) call->complete(rc);
    else if (!call->memory().write(call->arg(4), &stx, sizeof stx)) call->fail(EFAULT);
    else call->complete(0);
    return true;
  });
}

// access(2) family: the host checks permissions on the object; Linux then
// reports a write check on a read-only mount as EROFS (not for devices,
// FIFOs and sockets, which do not write to the filesystem).
void answer_access(const kernel::Kernel& k, const SyscallPtr& call, int dirfd, std::uint64_t path_ptr, int mode,
                   int flags) {
  if (mode & ~(R_OK | W_OK | X_OK)) {
    call->fail(EINVAL);
    return;
  }
  if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) {
    call->fail(EINVAL);
    return;
  }
  if (empty_path_call(call, path_ptr, static_cast<std::uint64_t>(flags))) {
    call->continue_on_host();
    return;
  }
  auto q = path_query(call, dirfd, path_ptr, !(flags & AT_SYMLINK_NOFOLLOW));
  if (!q) return;
  walk_and_serve(k, call, *q, [&](const vfs::Resolved& o) {
    if (o.type == vfs::NodeType::kMissing) return call->fail(ENOENT), true;
    int rc = 0;
    if (o.pinned) {
      if (syscall(SYS_faccessat2, o.pinned->get(), "", mode, AT_EMPTY_PATH | (flags & AT_EACCESS)) != 0) rc = -errno;
    } else if (o.origin == vfs::Origin::kHost) {
      vfs::ParentDir p;
      rc = vfs::open_parent(o.host, &p);
      if (rc == -ELOOP) return false;
      if (rc == 0 && syscall(SYS_faccessat2, p.dir.get(), p.name.c_str(), mode,
                             AT_SYMLINK_NOFOLLOW | (flags & AT_EACCESS)) != 0)
        rc = -errno;
    } else if (syscall(SYS_faccessat2, AT_FDCWD, o.host.c_str(), mode,
                       (o.type == vfs::NodeType::kSymlink ? AT_SYMLINK_NOFOLLOW : 0) | (flags & AT_EACCESS)) != 0) {
      rc = -errno;
      if (rc == -ENOENT && (o.origin == vfs::Origin::kSynthFile || o.origin == vfs::Origin::kSynthDir))
        rc = (mode & X_OK) && o.origin == vfs::Origin::kSynthFile ? -EACCES : 0;
    }
    const bool special = o.type == vfs::NodeType::kOther;
    if (rc == 0 && (mode & W_OK) && !special && o.mount->read_only && o.mount->kind == vfs::MountKind::kHost)
      rc = -EROFS;
    call->complete(rc);
    return true;
  });
}

// Implements access(2).
void sys_access(kernel::Kernel& k, const SyscallPtr& call) {
  answer_access(k, call, AT_FDCWD, call->arg(0), static_cast<int>(call->arg(1)), 0);
}

// Implements faccessat(2) (no flags argument: the syscall has none).
void sys_faccessat(kernel::Kernel& k, const SyscallPtr& call) {
  answer_access(k, call, static_cast<int>(call->arg(0)), call->arg(1), static_cast<int>(call->arg(2)), 0);
}

// Implements faccessat2(2).
void sys_faccessat2(kernel::Kernel& k, const SyscallPtr& call) {
  answer_access(k, call, static_cast<int>(call->arg(0)), call->arg(1), static_cast<int>(call->arg(2)),
                static_cast<int>(call->arg(3)));
}

// readlink(2) family: the link's text, truncated to the buffer without a NUL.
// /proc's magic links show the guest path they name.
void answer_readlink(const kernel::Kernel& k, const SyscallPtr& call, int dirfd, std::uint64_t path_ptr,
                     std::uint64_t buf, std::int64_t size) {
  if (size <= 0) {
    call->fail(EINVAL);
    return;
  }
  char first = 1;
  if (path_ptr != 0 && call->memory().read(path_ptr, &first, 1) && first == '\0') {
    call->continue_on_host();  // readlinkat(fd, ""): the guest's O_PATH fd of a symlink
    return;
  }
  auto q = path_query(call, dirfd, path_ptr, false);
  if (!q) return;
  walk_and_serve(k, call, *q, [&](const vfs::Resolved& o) {
    if (o.type == vfs::NodeType::kMissing) return call->fail(ENOENT), true;
    if (o.type != vfs::NodeType::kSymlink) return call->fail(EINVAL), true;
    std::string target = o.link_target;
    if (o.origin != vfs::Origin::kHost && target.empty()) {
      // A pass-through link of the synthetic trees (/dev/fd, /proc/mounts):
      // the host's own text.
      char text[PATH_MAX];
      ssize_t n = readlink(o.host.c_str(), text, sizeof text);
      if (n < 0) return call->fail(errno), true;
      target.assign(text, static_cast<std::size_t>(n));
    } else if (o.origin == vfs::Origin::kHost) {
      vfs::ParentDir p;
      int rc = vfs::open_parent(o.host, &p);
      if (rc == -ELOOP) return false;
      if (rc < 0) return call->complete(rc), true;
      char text[PATH_MAX];
      ssize_t n = readlinkat(p.dir.get(), p.name.c_str(), text, sizeof text);
      if (n < 0) return call->fail(errno), true;
      target.assign(text, static_cast<std::size_t>(n));
    }
    std::size_t n = std::min(target.size(), static_cast<std::size_t>(size));
    if (!call->memory().write(buf, target.data(), n)) call->fail(EFAULT);
    else call->complete(static_cast<std::int64_t>(n));
    return true;
  });
}

// Implements readlink(2).
void sys_readlink(kernel::Kernel& k, const SyscallPtr& call) {
  answer_readlink(k, call, AT_FDCWD, call->arg(0), call->arg(1), static_cast<std::int32_t>(call->arg(2)));
}

// Implements readlinkat(2).
void sys_readlinkat(kernel::Kernel& k, const SyscallPtr& call) {
  answer_readlink(k, call, static_cast<int>(call->arg(0)), call->arg(1), call->arg(2),
                  static_cast<std::int32_t>(call->arg(3)));
}

// Implements statfs(2): the host's filesystem, with ST_RDONLY where the
// guest's mount is read-only.
void sys_statfs(kernel::Kernel& k, const SyscallPtr& call) {
  auto q = path_query(call, AT_FDCWD, call->arg(0), true);
  if (!q) return;
  walk_and_serve(k, call, *q, [&](const vfs::Resolved& o) {
    if (o.type == vfs::NodeType::kMissing) return call->fail(ENOENT), true;
    struct statfs sf {};
    std::string host = o.host;
    if (o.origin == vfs::Origin::kSynthFile || o.origin == vfs::Origin::kSynthDir) {
      if (access(host.c_str(), F_OK) != 0) host = o.mount->host;
    }
    if (statfs(host.c_str(), &sf) != 0) return call->fail(errno), true;
    if (o.mount->read_only && o.mount->kind == vfs::MountKind::kHost) sf.f_flags |= ST_RDONLY;
    if (!call->memory().write(call->arg(1), &sf, sizeof sf)) call->fail(EFAULT);
    else call->complete(0);
    return true;
  });
}

}  // namespace

void register_stat(Registry& r) {
  r.add("stat", sys_stat);
  r.add("lstat", sys_lstat);
  r.add("newfstatat", sys_newfstatat);
  r.add("statx", sys_statx);
  r.add("access", sys_access);
  r.add("faccessat", sys_faccessat);
  r.add("faccessat2", sys_faccessat2);
  r.add("readlink", sys_readlink);
  r.add("readlinkat", sys_readlinkat);
  r.add("statfs", sys_statfs);
}

}  // namespace sentry::syscalls
