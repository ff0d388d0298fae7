// chdir(2) and getcwd(2). The host's working directory of each guest process
// stays the host directory of its guest working directory, so the host's
// /proc/<pid>/cwd is the authority (it follows renames and deletion exactly as
// Linux's does) and the guest's path is derived from it through the mount
// table. chdir is walked by sentry and then run by the guest's own thread on
// the walked host directory (a translated call); fchdir runs on the host.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <string>

#include "proc_synth/kernel_view.h"
#include "proc_synth/registry.h"
#include "sentry/syscalls/guest_path.h"
#include "sentry/syscalls/registry.h"

namespace sentry::syscalls {

namespace {

// Implements chdir(2).
void sys_chdir(kernel::Kernel& k, const SyscallPtr& call) {
  auto q = path_query(call, AT_FDCWD, call->arg(0), true);
  if (!q) return;
  auto walked = resolve(k, call->tid(), *q);
  if (auto* e = std::get_if<int>(&walked)) {
    call->fail(*e);
    return;
  }
  const vfs::Resolved& o = std::get<vfs::Resolved>(walked);
  if (o.type == vfs::NodeType::kMissing) return (void)call->fail(ENOENT);
  if (o.type != vfs::NodeType::kDir) return (void)call->fail(ENOTDIR);
  std::string host = o.host;
  if (o.origin == vfs::Origin::kSynthDir) {
    proc_synth::KernelModelSource source(k);
    auto entries = proc_synth::list_dir(o.guest, source);
    if (!entries) return (void)call->fail(ENOENT);
    host = k.synthetic.dir_path(o.guest, *entries);
    if (host.empty()) return (void)call->fail(EIO);
  }
  std::uint64_t at = call->scratch_area(host.size() + 1);
  if (at == 0 || !call->memory().write(at, host.c_str(), host.size() + 1)) return (void)call->fail(ENOMEM);
  SyscallArgs a = call->args();
  a[0] = at;
  call->continue_rewritten(a, nullptr);
}

// Implements getcwd(2): the guest path of the host's working directory, with
// the length including the NUL; ERANGE if it does not fit; ENOENT once the
// directory is deleted; "(unreachable)" for a directory the guest cannot name.
void sys_getcwd(kernel::Kernel& k, const SyscallPtr& call) {
  auto start = start_directory(k, call->tid(), AT_FDCWD);
  std::string path;
  if (auto* e = std::get_if<int>(&start)) {
    if (*e != EACCES) return (void)call->fail(*e);
    path = "(unreachable)/";
  } else {
    path = std::get<std::string>(start);
  }
  const std::size_t size = call->arg(1);
  if (path.size() + 1 > size) return (void)call->fail(ERANGE);
  if (!call->memory().write(call->arg(0), path.c_str(), path.size() + 1)) return (void)call->fail(EFAULT);
  call->complete(static_cast<std::int64_t>(path.size() + 1));
}

}  // namespace

void register_cwd(Registry& r) {
  r.add("chdir", sys_chdir);
  r.add("getcwd", sys_getcwd);
}

}  // namespace sentry::syscalls
