// open(2), openat(2), openat2(2) and creat(2). The guest's tree is a mount
// namespace (vfs/namespace_builder.h): the kernel resolves every path, with
// the guest's own credentials. sentry reads the path only to serve the /proc
// and /sys files the model owns (proc_synth/registry.h):
//
//   kFile       the model's content in a sealed memfd, installed in the
//               guest (the fallback platform opens a copy in the drop
//               directory instead, vfs/synthetic_tree.h)
//   kNotFound   ENOENT: a file the guest's machine does not have
//   otherwise   the call continues on the host unchanged: the real file of
//               the guest's own procfs, sysfs or tree
//
// Paths are classified lexically after /proc/self and /proc/thread-self;
// a relative path starts from the guest's cwd or dirfd, whose guest path
// the host's /proc link gives. A guest thread that rewrites the path after
// sentry read it reaches, at worst, the real file of its own /proc with its
// own credentials (docs/security.md, "Pointer races").
// O_PATH opens never get here: the filter forwards them (abi/forward_rules).
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <optional>
#include <string>

#include "proc_synth/kernel_view.h"
#include "proc_synth/registry.h"
#include "sentry/syscalls/registry.h"
#include "vfs/mount_table.h"

namespace sentry::syscalls {

namespace {

struct OpenRequest {
  int dirfd = AT_FDCWD;
  std::uint64_t path_ptr = 0;
  std::uint64_t flags = 0;
  std::uint64_t mode = 0;
};

// A new file may not carry set-ID bits (the chmod family's filter rules and
// the guest's missing CAP_FSETID say why, abi/forward_rules_x86_64.def).
bool creates_set_id(const OpenRequest& r) {
  return (r.flags & (O_CREAT | __O_TMPFILE)) != 0 && (r.mode & 06000) != 0;
}

bool writes(std::uint64_t flags) { return (flags & O_ACCMODE) != O_RDONLY; }

bool under(const std::string& p, std::string_view top) {
  return p.compare(0, top.size(), top) == 0 && (p.size() == top.size() || p[top.size()] == '/');
}

std::optional<std::string> read_link(const std::string& link) {
  char buf[PATH_MAX];
  ssize_t n = readlink(link.c_str(), buf, sizeof buf);
  if (n <= 0 || n == static_cast<ssize_t>(sizeof buf)) return std::nullopt;
  return std::string(buf, static_cast<std::size_t>(n));
}

// The guest path `raw` names when it lies under /proc or /sys (with self and
// thread-self expanded to the caller's namespace ids); nullopt otherwise.
std::optional<std::string> model_path(const kernel::Kernel& k, pid_t tid, int dirfd, const std::string& raw) {
  if (raw.empty()) return std::nullopt;
  std::string path = raw;
  if (raw[0] != '/') {
    const std::string link = "/proc/" + std::to_string(tid) +
                             (dirfd == AT_FDCWD ? std::string("/cwd") : "/fd/" + std::to_string(dirfd));
    std::optional<std::string> base = read_link(link);
    if (!base || base->empty() || (*base)[0] != '/') return std::nullopt;  // EBADF etc.: the host answers
    path = *base + "/" + raw;
  }
  path = vfs::normalise_lexically(path);
  if (!under(path, "/proc") && !under(path, "/sys")) return std::nullopt;
  if (under(path, "/proc/self") || under(path, "/proc/thread-self")) {
    const pid_t guest_tid = k.tree.guest_tid(tid);
    const pid_t guest_tgid = k.tree.guest_tid(k.tree.tgid_of(tid));
    if (guest_tid == 0 || guest_tgid == 0) return std::nullopt;
    if (under(path, "/proc/self")) {
      path = "/proc/" + std::to_string(guest_tgid) + path.substr(10);
    } else {
      path = "/proc/" + std::to_string(guest_tgid) + "/task/" + std::to_string(guest_tid) + path.substr(17);
    }
  }
  return path;
}

// The call runs on the host as the guest issued it (reported as forwarded:
// sentry only looked at the path).
void pass_to_host(const SyscallPtr& call) {
  call->set_served_as(abi::Serve::kForward);
  call->continue_on_host();
}

// Installs `content` as the guest's new fd.
void install_content(kernel::Kernel& k, const SyscallPtr& call, const std::string& guest_path,
                     const std::string& content, std::uint64_t flags) {
  if (call->can_install_fds()) {
    int fd = k.synthetic.file_fd(guest_path, content);
    if (fd < 0) return (void)call->complete(fd);
    call->complete_with_fd(fd, (flags & O_CLOEXEC) != 0);
    return;
  }
  // The fallback platform: the guest's own thread opens a copy sentry
  // dropped for it, which is removed once the open returned.
  std::string dropped;
  const std::string drop = k.synthetic.file_path(content, &dropped);
  const std::uint64_t at = drop.empty() ? 0 : call->scratch_area(drop.size() + 1);
  if (at == 0 || !call->memory().write(at, drop.c_str(), drop.size() + 1)) {
    k.synthetic.remove_dropped(dropped);
    return (void)call->fail(ENOMEM);
  }
  SyscallArgs a = call->args();
  const std::string_view name = call->entry() ? call->entry()->name : std::string_view();
  const std::uint64_t open_flags = (flags & (O_CLOEXEC | O_NONBLOCK | O_NOCTTY | O_LARGEFILE)) | O_RDONLY;
  if (name == "open" || name == "creat") {
    a[0] = at;
    a[1] = open_flags;
    a[2] = 0;
  } else if (name == "openat") {
    a[0] = AT_FDCWD;
    a[1] = at;
    a[2] = open_flags;
    a[3] = 0;
  } else {  // openat2: a fresh open_how
    open_how how{};
    how.flags = open_flags;
    const std::uint64_t how_at = call->scratch_area(sizeof how);
    if (how_at == 0 || !call->memory().write(how_at, &how, sizeof how)) {
      k.synthetic.remove_dropped(dropped);
      return (void)call->fail(ENOMEM);
    }
    a[0] = AT_FDCWD;
    a[1] = at;
    a[2] = how_at;
    a[3] = sizeof how;
  }
  vfs::SyntheticTree& synthetic = k.synthetic;
  call->continue_rewritten(a, [&synthetic, dropped](std::int64_t result) {
    synthetic.remove_dropped(dropped);
    return result;
  });
}

void serve_open(kernel::Kernel& k, const SyscallPtr& call, const OpenRequest& r) {
  if (creates_set_id(r)) return (void)call->fail(EPERM);
  // EFAULT, ENAMETOOLONG: the host's answer.
  const std::optional<std::string> raw = call->memory().read_cstring(r.path_ptr, PATH_MAX - 1);
  if (!raw) return (void)pass_to_host(call);
  const std::optional<std::string> path = model_path(k, call->tid(), r.dirfd, *raw);
  if (!path) return (void)pass_to_host(call);
  proc_synth::KernelModelSource source(k);
  switch (proc_synth::lookup(*path, source)) {
    case proc_synth::Lookup::kNotFound:
      if (r.flags & O_CREAT) return (void)call->fail(EACCES);  // procfs/sysfs make no files
      return (void)call->fail(ENOENT);
    case proc_synth::Lookup::kDir:
    case proc_synth::Lookup::kPassThrough:
      return (void)pass_to_host(call);
    case proc_synth::Lookup::kFile:
      break;
  }
  if ((r.flags & O_CREAT) && (r.flags & O_EXCL)) return (void)call->fail(EEXIST);
  if (r.flags & O_DIRECTORY) return (void)call->fail(ENOTDIR);
  auto generated = proc_synth::generate(*path, source);
  if (!generated) return (void)call->fail(ENOENT);  // the process went away meanwhile
  if (writes(r.flags)) {
    if (generated->open_write_errno != 0) return (void)call->fail(generated->open_write_errno);
    if (generated->write_to_host) return (void)pass_to_host(call);
  }
  install_content(k, call, *path, generated->content, r.flags);
}

// Implements open(2).
void sys_open(kernel::Kernel& k, const SyscallPtr& call) {
  serve_open(k, call, OpenRequest{AT_FDCWD, call->arg(0), call->arg(1), call->arg(2)});
}

// Implements creat(2): open(path, O_CREAT | O_WRONLY | O_TRUNC, mode).
void sys_creat(kernel::Kernel& k, const SyscallPtr& call) {
  serve_open(k, call, OpenRequest{AT_FDCWD, call->arg(0), O_CREAT | O_WRONLY | O_TRUNC, call->arg(1)});
}

// Implements openat(2).
void sys_openat(kernel::Kernel& k, const SyscallPtr& call) {
  serve_open(k, call, OpenRequest{static_cast<int>(call->arg(0)), call->arg(1), call->arg(2), call->arg(3)});
}

// Implements openat2(2). An open_how sentry cannot read, or one asking for
// RESOLVE_* rules or O_PATH, is the host's to judge in full.
void sys_openat2(kernel::Kernel& k, const SyscallPtr& call) {
  open_how how{};
  if (call->arg(3) < sizeof how || !call->memory().read(call->arg(2), &how, sizeof how) || how.resolve != 0 ||
      (how.flags & O_PATH)) {
    return (void)pass_to_host(call);
  }
  serve_open(k, call, OpenRequest{static_cast<int>(call->arg(0)), call->arg(1), how.flags, how.mode});
}

}  // namespace

void register_open(Registry& r) {
  r.add("open", sys_open);
  r.add("creat", sys_creat);
  r.add("openat", sys_openat);
  r.add("openat2", sys_openat2);
}

}  // namespace sentry::syscalls
