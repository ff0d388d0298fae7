// open(2), openat(2), openat2(2) and creat(2): sentry resolves the path in
// the guest's tree (vfs/path_walk.h), applies Linux's checks in Linux's order
// (ENOENT, EEXIST, EISDIR, ENOTDIR, ELOOP, then EROFS for the read-only
// parts of the mount table), opens the object itself and installs the fd in
// the guest. Reads and writes then go to the host file at native speed.
//
// What the object is decides how it is opened:
//   host file        openat2(RESOLVE_NO_SYMLINKS) on the walked host path;
//                    a symlink swapped in by another guest thread fails the
//                    open with ELOOP and the walk is redone
//   synthesized      proc_synth/ generates it: a sealed memfd (file) or a
//                    materialised directory (vfs/synthetic_tree.h)
//   pass-through     the host's /proc, /sys or /dev entry of the same path
//   magic link       /proc/<pid>/fd/N naming no guest path: reopened through
//                    the host's link, as Linux reopens it
// A FIFO opened for blocking I/O waits for its other end: that open runs on
// a helper thread so that the supervisor loop never blocks.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <string>
#include <thread>

#include <boost/asio/post.hpp>

#include "proc_synth/kernel_view.h"
#include "proc_synth/registry.h"
#include "sentry/syscalls/guest_path.h"
#include "sentry/syscalls/registry.h"
#include "vfs/host_at.h"

namespace sentry::syscalls {

namespace {

struct OpenRequest {
  int dirfd = AT_FDCWD;
  std::uint64_t path_ptr = 0;
  std::uint64_t flags = 0;
  mode_t mode = 0;
  std::uint64_t resolve = 0;
  bool openat2 = false;
};

// The flags open(2) knows; it ignores the rest, which openat2 (used by
// sentry) would refuse.
constexpr std::uint64_t kOpenFlags = O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK |
                                     O_DSYNC | FASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | O_NOFOLLOW |
                                     O_NOATIME | O_CLOEXEC | O_SYNC | O_PATH | __O_TMPFILE;

// The flags sentry opens with: the guest's, never acquiring a controlling
// terminal for sentry; O_PATH takes only O_DIRECTORY and O_NOFOLLOW.
int host_open_flags(std::uint64_t flags) {
  if (flags & O_PATH) return static_cast<int>(flags & (O_PATH | O_DIRECTORY | O_NOFOLLOW)) | O_CLOEXEC;
  return static_cast<int>(flags & kOpenFlags) | O_NOCTTY | O_CLOEXEC;
}

bool is_tmpfile(std::uint64_t flags) { return (flags & __O_TMPFILE) == __O_TMPFILE; }
// O_PATH ignores the access mode.
bool writes(std::uint64_t flags) { return !(flags & O_PATH) && (flags & O_ACCMODE) != O_RDONLY; }

// Where fds cannot be installed (ptrace platform): the guest's own thread
// reopens what sentry opened, through sentry's /proc/<pid>/fd/<fd> link (a new
// open file description of the same file, as its own open would make). O_CREAT,
// O_EXCL and O_TRUNC have already been applied.
void reopen_in_guest(const SyscallPtr& call, int fd, const OpenRequest& r) {
  std::string link = "/proc/" + std::to_string(getpid()) + "/fd/" + std::to_string(fd);
  struct stat st;
  // A directory is reached through the link and "." in it, so that
  // O_NOFOLLOW applies to "." and the guest's flags stay as it gave them.
  const bool dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
  if (dir) link += "/.";
  std::uint64_t flags = r.flags & ~static_cast<std::uint64_t>(O_CREAT | O_EXCL | O_TRUNC);
  if (is_tmpfile(r.flags)) flags &= ~static_cast<std::uint64_t>(__O_TMPFILE);  // it includes O_DIRECTORY
  // Following sentry's /proc link lands on exactly the file sentry opened,
  // a symlink itself included (O_PATH | O_NOFOLLOW).
  if (!dir) flags &= ~static_cast<std::uint64_t>(O_NOFOLLOW);
  if ((r.flags & O_PATH) && !dir) flags = r.flags & (O_PATH | O_DIRECTORY | O_CLOEXEC);
  std::uint64_t path_at = call->scratch_area(link.size() + 1);
  std::uint64_t how_at = r.openat2 ? call->scratch_area(sizeof(open_how)) : 0;
  open_how how{};
  how.flags = flags;
  if (path_at == 0 || !call->memory().write(path_at, link.c_str(), link.size() + 1) ||
      (r.openat2 && (how_at == 0 || !call->memory().write(how_at, &how, sizeof how)))) {
    close(fd);
    call->fail(ENOMEM);
    return;
  }
  SyscallArgs a = call->args();
  const std::string_view name = call->entry() ? call->entry()->name : std::string_view();
  if (name == "open" || name == "creat") {
    a[0] = path_at;
    a[1] = flags;
  } else {
    a[0] = AT_FDCWD;
    a[1] = path_at;
    if (r.openat2) {
      a[2] = how_at;
      a[3] = sizeof how;
    } else {
      a[2] = flags;
    }
  }
  call->continue_rewritten(a, [fd](std::int64_t result) {
    close(fd);
    return result;
  });
}

// Answers with host fd `fd` (or -errno); sentry's fd is closed either way. seccomp
// cannot install O_PATH files (ADDFD takes no O_PATH fd): such opens reach
// sentry through ptrace (TRANSLATE_WHEN in abi/forward_rules_x86_64.def) and
// the guest reopens sentry's fd, as on the ptrace platform.
void install(const SyscallPtr& call, int fd, const OpenRequest& r) {
  if (fd < 0) {
    call->complete(fd);
    return;
  }
  if (!call->can_install_fds() || (r.flags & O_PATH)) {
    reopen_in_guest(call, fd, r);
    return;
  }
  call->complete_with_fd(fd, (r.flags & O_CLOEXEC) != 0);
}

// A synthesized file or directory.
void open_synthetic(kernel::Kernel& k, const SyscallPtr& call, const vfs::Resolved& o, const OpenRequest& r) {
  proc_synth::KernelModelSource source(k);
  if (o.origin == vfs::Origin::kSynthDir) {
    if (writes(r.flags)) {
      call->fail(EISDIR);
      return;
    }
    auto entries = proc_synth::list_dir(o.guest, source);
    if (!entries) {
      call->fail(ENOENT);
      return;
    }
    install(call, k.synthetic.dir_fd(o.guest, *entries), r);
    return;
  }
  if (r.flags & O_DIRECTORY) {
    call->fail(ENOTDIR);
    return;
  }
  auto generated = proc_synth::generate(o.guest, source);
  if (!generated) {
    call->fail(ENOENT);  // the process went away between the walk and now
    return;
  }
  if (writes(r.flags)) {
    if (generated->open_write_errno != 0) {
      call->fail(generated->open_write_errno);
      return;
    }
    if (generated->write_to_host) {
      install(call, open(o.host.c_str(), host_open_flags(r.flags)), r);
      return;
    }
  }
  if (r.flags & O_PATH) {
    // An O_PATH fd of a synthesized file: the host's entry where there is one.
    int fd = open(o.host.c_str(), O_PATH | O_CLOEXEC);
    if (fd >= 0) {
      install(call, fd, r);
      return;
    }
  }
  install(call, k.synthetic.file_fd(o.guest, generated->content), r);
}

// A FIFO opened without O_NONBLOCK blocks until its other end opens: done on
// a helper thread; the answer is posted back to the loop. If the guest goes
// away meanwhile, the fd is closed unused.
void open_fifo_async(kernel::Kernel& k, const SyscallPtr& call, const std::string& host, const OpenRequest& r) {
  int flags = host_open_flags(r.flags);
  boost::asio::io_context& io = k.io;
  std::thread([&io, call, host, flags, r] {
    int fd = open(host.c_str(), flags);
    int result = fd >= 0 ? fd : -errno;
    boost::asio::post(io, [call, result, r] {
      if (!call->still_waiting()) {
        if (result >= 0) close(result);
        return;
      }
      install(call, result, r);
    });
  }).detach();
}

bool is_fifo(const std::string& host) {
  struct stat st;
  return stat(host.c_str(), &st) == 0 && S_ISFIFO(st.st_mode);
}

// The Linux checks for an existing or missing object, then the open. Returns
// -ELOOP (only) when the caller should walk again.
int open_resolved(kernel::Kernel& k, const SyscallPtr& call, const vfs::Resolved& o, const OpenRequest& r) {
  const std::uint64_t f = r.flags;
  const bool creat = (f & O_CREAT) != 0;
  const bool tmpfile = is_tmpfile(f);
  const int host_flags = host_open_flags(f);
  const bool synthetic_mount = o.mount->kind == vfs::MountKind::kSynthetic;
  if (creat && o.trailing_slash) return call->fail(EISDIR), 0;
  if (o.type == vfs::NodeType::kMissing) {
    if (!creat || tmpfile) return call->fail(ENOENT), 0;
    if (synthetic_mount) return call->fail(EACCES), 0;
    if (o.mount->read_only) return call->fail(EROFS), 0;
    mode_t mode = r.mode & 07777 & ~guest_umask(call->tid());
    int fd = vfs::open_no_symlinks(o.host, host_flags, mode);
    if (fd == -ELOOP) return -ELOOP;
    install(call, fd, r);
    return 0;
  }
  if (creat && (f & O_EXCL)) return call->fail(EEXIST), 0;
  if (o.type == vfs::NodeType::kSymlink && !(f & O_PATH)) return call->fail(ELOOP), 0;
  const bool dir = o.type == vfs::NodeType::kDir;
  if (dir && creat) return call->fail(EISDIR), 0;
  if (tmpfile && !dir) return call->fail(ENOTDIR), 0;
  if ((f & O_DIRECTORY) && !dir && !(f & O_PATH && o.type == vfs::NodeType::kSymlink)) return call->fail(ENOTDIR), 0;
  if (dir && writes(f) && !tmpfile) return call->fail(EISDIR), 0;
  if (o.mount->read_only && o.mount->kind == vfs::MountKind::kHost) {
    const bool file_like = dir || o.type == vfs::NodeType::kRegular || o.type == vfs::NodeType::kSymlink;
    if (tmpfile || (file_like && !(f & O_PATH) && (writes(f) || (f & O_TRUNC && o.type == vfs::NodeType::kRegular))))
      return call->fail(EROFS), 0;
  }
  switch (o.origin) {
    case vfs::Origin::kSynthFile:
    case vfs::Origin::kSynthDir:
      open_synthetic(k, call, o, r);
      return 0;
    case vfs::Origin::kPassThrough:
    case vfs::Origin::kMagic: {
      if (!(f & (O_NONBLOCK | O_PATH)) && is_fifo(o.host)) {
        open_fifo_async(k, call, o.host, r);
        return 0;
      }
      int fd = open(o.host.c_str(), host_flags & ~O_CREAT);
      install(call, fd >= 0 ? fd : -errno, r);
      return 0;
    }
    case vfs::Origin::kHost:
      break;
  }
  if (o.pinned && (o.type == vfs::NodeType::kRegular || o.type == vfs::NodeType::kDir) && !tmpfile &&
      !(f & O_NOFOLLOW)) {
    // The fast path's O_PATH fd is the object: reopen it with the guest's
    // flags (a new open file description, as the guest's own open makes).
    const std::string self = "/proc/self/fd/" + std::to_string(o.pinned->get());
    int fd = open(self.c_str(), host_flags);
    install(call, fd >= 0 ? fd : -errno, r);
    return 0;
  }
  if (o.type == vfs::NodeType::kOther && !(f & (O_NONBLOCK | O_PATH)) && is_fifo(o.host)) {
    open_fifo_async(k, call, o.host, r);
    return 0;
  }
  int fd = vfs::open_no_symlinks(o.host, host_flags, r.mode);
  if (fd == -ELOOP && o.type != vfs::NodeType::kSymlink) return -ELOOP;
  install(call, fd, r);
  return 0;
}

void serve_open(kernel::Kernel& k, const SyscallPtr& call, const OpenRequest& r) {
  auto q = path_query(call, r.dirfd, r.path_ptr, !(r.flags & O_NOFOLLOW) && !((r.flags & O_CREAT) && (r.flags & O_EXCL)));
  if (!q) return;
  q->slash_needs_dir = !(r.flags & O_CREAT);  // open("file/", O_CREAT) is EISDIR
  q->resolve = r.resolve;
  if (r.openat2 && (r.flags & O_PATH) && call->can_install_fds()) {
    // openat2's flags are in memory, out of the filter's reach, so an O_PATH
    // openat2 arrives as a notification, which cannot hand out an O_PATH fd.
    // Where the guest's tree is the host's (no --root or --bind renaming the
    // path) the host runs it as issued; elsewhere it is refused.
    auto walked = resolve(k, call->tid(), *q);
    if (auto* e = std::get_if<int>(&walked)) return (void)call->fail(*e);
    const vfs::Resolved& o = std::get<vfs::Resolved>(walked);
    if (o.type != vfs::NodeType::kMissing && k.mounts.identity(o.guest)) return (void)call->continue_on_host();
    return (void)call->fail(o.type == vfs::NodeType::kMissing ? ENOENT : EPERM);
  }
  walk_and_serve(k, call, *q, [&](const vfs::Resolved& o) { return open_resolved(k, call, o, r) != -ELOOP; });
}

// Implements open(2).
void sys_open(kernel::Kernel& k, const SyscallPtr& call) {
  OpenRequest r;
  r.path_ptr = call->arg(0);
  r.flags = call->arg(1);
  r.mode = static_cast<mode_t>(call->arg(2));
  serve_open(k, call, r);
}

// Implements creat(2): open(path, O_CREAT | O_WRONLY | O_TRUNC, mode).
void sys_creat(kernel::Kernel& k, const SyscallPtr& call) {
  OpenRequest r;
  r.path_ptr = call->arg(0);
  r.flags = O_CREAT | O_WRONLY | O_TRUNC;
  r.mode = static_cast<mode_t>(call->arg(1));
  serve_open(k, call, r);
}

// Implements openat(2).
void sys_openat(kernel::Kernel& k, const SyscallPtr& call) {
  OpenRequest r;
  r.dirfd = static_cast<int>(call->arg(0));
  r.path_ptr = call->arg(1);
  r.flags = call->arg(2);
  r.mode = static_cast<mode_t>(call->arg(3));
  serve_open(k, call, r);
}

// Implements openat2(2). struct open_how is validated by the host's own
// openat2 on an empty path: Linux checks every field (size, unknown flags,
// mode without O_CREAT, RESOLVE_* combinations) before it looks at the path,
// so an error other than ENOENT is exactly the guest's.
void sys_openat2(kernel::Kernel& k, const SyscallPtr& call) {
  const std::size_t size = call->arg(3);
  constexpr std::size_t kOpenHowSizeVer0 = 24;  // OPEN_HOW_SIZE_VER0
  if (size < kOpenHowSizeVer0) {
    call->fail(EINVAL);
    return;
  }
  if (size > 4096) {
    call->fail(E2BIG);
    return;
  }
  std::string raw(size, '\0');
  if (!call->memory().read(call->arg(2), raw.data(), size)) {
    call->fail(EFAULT);
    return;
  }
  long rc = syscall(SYS_openat2, AT_FDCWD, "", raw.data(), size);
  if (rc >= 0) close(static_cast<int>(rc));
  if (rc >= 0 || errno != ENOENT) {
    call->fail(rc >= 0 ? EINVAL : errno);
    return;
  }
  open_how how{};
  std::memcpy(&how, raw.data(), sizeof how);
  OpenRequest r;
  r.dirfd = static_cast<int>(call->arg(0));
  r.path_ptr = call->arg(1);
  r.flags = how.flags;
  r.mode = static_cast<mode_t>(how.mode);
  r.resolve = how.resolve;
  r.openat2 = true;
  serve_open(k, call, r);
}

}  // namespace

void register_open(Registry& r) {
  r.add("open", sys_open);
  r.add("creat", sys_creat);
  r.add("openat", sys_openat);
  r.add("openat2", sys_openat2);
}

}  // namespace sentry::syscalls
