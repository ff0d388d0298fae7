// execve(2) and execveat(2): the program's path is walked in the guest's tree
// like any other path (ENOENT, ENOTDIR, ELOOP, EACCES for a directory or a
// synthesized file). Where the guest's path names the same host path (the
// mount table does not rename it), the guest's own call runs as issued, so
// argv[0], AT_EXECFN and a script's $0 are what the program gave. Elsewhere
// (--root, --bind) the call runs with the walked host path in its place.
//
// The host kernel then loads the program: the ELF interpreter (PT_INTERP)
// and a script's "#!" interpreter are found on the host's tree, not the
// guest's (docs/vfs.md, "What the host still resolves").
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "sentry/syscalls/guest_path.h"
#include "sentry/syscalls/registry.h"

namespace sentry::syscalls {

namespace {

void serve_exec(kernel::Kernel& k, const SyscallPtr& call, int dirfd, int path_arg, int flags) {
  if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) return (void)call->fail(EINVAL);
  const std::uint64_t path_ptr = call->arg(path_arg);
  char first = 1;
  if ((flags & AT_EMPTY_PATH) && call->memory().read(path_ptr, &first, 1) && first == '\0') {
    call->continue_on_host();  // fexecve: the guest's own descriptor
    return;
  }
  auto q = path_query(call, dirfd, path_ptr, !(flags & AT_SYMLINK_NOFOLLOW));
  if (!q) return;
  auto walked = resolve(k, call->tid(), *q);
  if (auto* e = std::get_if<int>(&walked)) return (void)call->fail(*e);
  const vfs::Resolved& o = std::get<vfs::Resolved>(walked);
  switch (o.type) {
    case vfs::NodeType::kMissing: return (void)call->fail(ENOENT);
    case vfs::NodeType::kSymlink: return (void)call->fail(ELOOP);
    case vfs::NodeType::kDir:
    case vfs::NodeType::kOther: return (void)call->fail(EACCES);
    case vfs::NodeType::kRegular: break;
  }
  if (o.origin == vfs::Origin::kSynthFile) return (void)call->fail(EACCES);  // mode 0444
  if (o.origin == vfs::Origin::kHost && k.mounts.identity(o.guest)) {
    call->continue_on_host();
    return;
  }
  std::uint64_t at = call->scratch_area(o.host.size() + 1);
  if (at == 0 || !call->memory().write(at, o.host.c_str(), o.host.size() + 1)) return (void)call->fail(ENOMEM);
  SyscallArgs a = call->args();
  a[path_arg] = at;
  if (path_arg == 1) a[0] = AT_FDCWD;
  call->continue_rewritten(a, nullptr);
}

// Implements execve(2).
void sys_execve(kernel::Kernel& k, const SyscallPtr& call) { serve_exec(k, call, AT_FDCWD, 0, 0); }

// Implements execveat(2).
void sys_execveat(kernel::Kernel& k, const SyscallPtr& call) {
  serve_exec(k, call, static_cast<int>(call->arg(0)), 1, static_cast<int>(call->arg(4)));
}

}  // namespace

void register_exec(Registry& r) {
  r.add("execve", sys_execve);
  r.add("execveat", sys_execveat);
}

}  // namespace sentry::syscalls
