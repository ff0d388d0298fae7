// open(2), openat(2) and openat2(2): paths under /proc, /sys and /dev are
// looked up in proc_synth/, which decides per path: a synthesized file (served
// from the kernel model as a sealed memfd), a synthesized directory
// (materialised by vfs::SyntheticTree), ENOENT (a path the guest's kernel does
// not have, recorded in the report like any failed open), or pass-through to
// the host. Every other path is opened by the host as the guest issued it.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <string>

#include "proc_synth/kernel_view.h"
#include "proc_synth/registry.h"
#include "sentry/syscalls/registry.h"

namespace sentry::syscalls {

namespace {

std::optional<std::string> host_link(const std::string& link) {
  char buf[PATH_MAX];
  ssize_t n = readlink(link.c_str(), buf, sizeof buf - 1);
  if (n <= 0) return std::nullopt;
  return std::string(buf, static_cast<std::size_t>(n));
}

// The absolute guest path of (dirfd, path), or nullopt when it cannot be a
// synthesized path (then the host opens it as issued).
std::optional<std::string> absolute_guest_path(kernel::Kernel& k, pid_t tid, int dirfd, const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  std::optional<std::string> base;
  if (dirfd == AT_FDCWD) {
    base = host_link("/proc/" + std::to_string(tid) + "/cwd");
  } else {
    base = host_link("/proc/" + std::to_string(tid) + "/fd/" + std::to_string(dirfd));
    if (base) {
      if (auto synthetic = k.synthetic.guest_path_of(*base)) base = synthetic;
    }
  }
  if (!base || base->empty() || (*base)[0] != '/') return std::nullopt;
  return (*base == "/" ? std::string() : *base) + "/" + path;
}

// The argument holding the path: open(2) has it first, openat/openat2 second.
int path_arg_of(const SyscallPtr& call) { return call->entry() && call->entry()->name == "open" ? 0 : 1; }

// Answers with `fd_or_errno`: installs the fd in the guest (then closes
// sentry's copy), or fails with the errno.
void install(const SyscallPtr& call, int fd_or_errno, std::uint64_t flags) {
  if (fd_or_errno < 0) {
    call->complete(fd_or_errno);
    return;
  }
  call->complete_with_fd(fd_or_errno, (flags & O_CLOEXEC) != 0);
  close(fd_or_errno);
}

// Where fds cannot be installed (ptrace platform): the guest's own thread
// opens `host_path` instead of its path (argument `path_arg`); a
// materialised file is unlinked once open, as a memfd would be anonymous.
void open_instead(const SyscallPtr& call, int path_arg, const std::string& host_path, bool unlink_after) {
  std::uint64_t at = host_path.empty() ? 0 : call->scratch_area(host_path.size() + 1);
  if (at == 0 || !call->memory().write(at, host_path.c_str(), host_path.size() + 1)) {
    call->fail(ENOMEM);
    return;
  }
  SyscallArgs a = call->args();
  a[path_arg] = at;
  if (path_arg == 1 && call->entry() && call->entry()->name != "openat2") a[0] = AT_FDCWD;
  call->continue_rewritten(a, [host_path, unlink_after](std::int64_t r) {
    if (unlink_after) unlink(host_path.c_str());
    return r;
  });
}

void serve_open(kernel::Kernel& k, const SyscallPtr& call, int dirfd, std::uint64_t path_ptr, std::uint64_t flags) {
  auto path = call->memory().read_cstring(path_ptr, PATH_MAX - 1);
  if (!path) {
    call->continue_on_host();  // the host gives EFAULT / ENAMETOOLONG exactly
    return;
  }
  auto abs = absolute_guest_path(k, call->tid(), dirfd, *path);
  if (!abs || !proc_synth::is_synthetic_root(*abs)) {
    call->continue_on_host();
    return;
  }
  const kernel::Task* task = k.tree.task(call->tid());
  pid_t tgid = task ? task->tgid : call->tid();
  std::string guest = proc_synth::normalise(*abs, tgid, call->tid(), (flags & O_NOFOLLOW) == 0);
  proc_synth::KernelModelSource source(k);
  switch (proc_synth::lookup(guest, source)) {
    case proc_synth::Lookup::kPassThrough:
      call->continue_on_host();
      return;
    case proc_synth::Lookup::kNotFound:
      call->fail(ENOENT);
      return;
    case proc_synth::Lookup::kDir: {
      if ((flags & O_ACCMODE) != O_RDONLY) {
        call->fail(EISDIR);
        return;
      }
      auto entries = proc_synth::list_dir(guest, source);
      if (!entries) {
        call->fail(ENOENT);
        return;
      }
      if (!call->can_install_fds()) {
        open_instead(call, path_arg_of(call), k.synthetic.dir_path(guest, *entries), false);
        return;
      }
      install(call, k.synthetic.dir_fd(guest, *entries), flags);
      return;
    }
    case proc_synth::Lookup::kFile: {
      if (flags & O_DIRECTORY) {
        call->fail(ENOTDIR);
        return;
      }
      auto generated = proc_synth::generate(guest, source);
      if (!generated) {
        call->fail(ENOENT);  // the process went away between lookup and generation
        return;
      }
      if ((flags & O_ACCMODE) != O_RDONLY) {
        if (generated->open_write_errno != 0) {
          call->fail(generated->open_write_errno);
          return;
        }
        if (generated->write_to_host) {
          call->continue_on_host();
          return;
        }
      }
      if (!call->can_install_fds()) {
        open_instead(call, path_arg_of(call), k.synthetic.file_path(guest, generated->content), true);
        return;
      }
      install(call, k.synthetic.file_fd(guest, generated->content), flags);
      return;
    }
  }
}

// Implements open(2) for synthesized paths.
void sys_open(kernel::Kernel& k, const SyscallPtr& call) { serve_open(k, call, AT_FDCWD, call->arg(0), call->arg(1)); }

// Implements openat(2) for synthesized paths.
void sys_openat(kernel::Kernel& k, const SyscallPtr& call) {
  serve_open(k, call, static_cast<int>(call->arg(0)), call->arg(1), call->arg(2));
}

// Implements openat2(2) for synthesized paths (RESOLVE_* flags: the host
// resolves every other path).
void sys_openat2(kernel::Kernel& k, const SyscallPtr& call) {
  open_how how{};
  if (call->arg(3) < sizeof how || !call->memory().read(call->arg(2), &how, sizeof how)) {
    call->continue_on_host();  // the host reports E2BIG / EINVAL / EFAULT
    return;
  }
  serve_open(k, call, static_cast<int>(call->arg(0)), call->arg(1), how.flags);
}

}  // namespace

void register_open(Registry& r) {
  r.add("open", sys_open);
  r.add("openat", sys_openat);
  r.add("openat2", sys_openat2);
}

}  // namespace sentry::syscalls
