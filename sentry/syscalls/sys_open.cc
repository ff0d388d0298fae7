// The creating opens: open(2) and openat(2) with O_CREAT or O_TMPFILE, and
// openat2(2). Every other open is forwarded by the filter (abi/
// forward_rules_x86_64.def): the kernel resolves it in the guest's mount
// namespace, and the model's /proc and /sys files answer through FUSE
// (proc_synth/model_fs.h).
//
// What sentry adds is one rule: a new file never carries set-ID bits. The
// guest's root owns what the user granted (idmapped mounts), so an empty
// set-ID file it leaves there is host root's, and becomes a set-ID program
// as soon as host root writes into it (cp onto an existing file keeps its
// mode). creat's mode is refused by the filter itself. open and openat come
// here when they create: their mode is a register, which no guest thread can
// change after sentry looked. openat2's mode lies in guest memory, which
// another thread may rewrite after any check: it is translated, runs in the
// guest's thread as issued, and the regular file it opened loses any set-ID
// bit once the call returns, before the guest runs on, if the caller owns it
// (whatever the flags said: they lie in that memory too). An owner may
// clear those bits itself; a host file it does not own is left alone.
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "sentry/kernel/guest_fd.h"
#include "sentry/syscalls/registry.h"

namespace sentry::syscalls {

namespace {

bool set_id(std::uint64_t mode) { return (mode & (S_ISUID | S_ISGID)) != 0; }

// Reached only with O_CREAT or O_TMPFILE (the filter forwards the rest).
void serve_create(const SyscallPtr& call, std::uint64_t mode) {
  if (set_id(mode)) return (void)call->fail(EPERM);
  call->continue_on_host();
}

void sys_open(kernel::Kernel&, const SyscallPtr& call) { serve_create(call, call->arg(2)); }
void sys_openat(kernel::Kernel&, const SyscallPtr& call) { serve_create(call, call->arg(3)); }

// The host fsuid of task `tid` (the fourth Uid of its host status).
std::optional<uid_t> host_fsuid(pid_t tid) {
  std::ifstream in("/proc/" + std::to_string(tid) + "/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("Uid:", 0) != 0) continue;
    std::istringstream f(line.substr(4));
    uid_t ids[4];
    if (f >> ids[0] >> ids[1] >> ids[2] >> ids[3]) return ids[3];
  }
  return std::nullopt;
}

// Implements openat2(2): runs as issued, then strips set-ID bits from the
// regular file it opened if the caller owns it. (sentry's fstat sees the
// owner through the file's mount, as the caller does: on an idmapped place
// the guest root's files show as its host uid.)
void sys_openat2(kernel::Kernel& k, const SyscallPtr& call) {
  const pid_t tid = call->tid();
  const pid_t tgid = k.tree.tgid_of(tid);
  call->continue_rewritten(call->args(), [tid, tgid](std::int64_t fd) {
    if (fd < 0) return fd;
    kernel::GuestFdCopy copy(tgid, static_cast<int>(fd));
    if (!copy.valid() || copy.on_model_fs()) return fd;
    struct stat st {};
    if (fstat(copy.get(), &st) != 0 || !S_ISREG(st.st_mode) || !set_id(st.st_mode)) return fd;
    if (host_fsuid(tid) != st.st_uid) return fd;
    fchmod(copy.get(), st.st_mode & 07777 & ~(S_ISUID | S_ISGID));
    return fd;
  });
}

}  // namespace

void register_open(Registry& r) {
  r.add("open", sys_open);
  r.add("openat", sys_openat);
  r.add("openat2", sys_openat2);
}

}  // namespace sentry::syscalls
