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
// guest's thread as issued, and the file it opened for writing loses any
// set-ID bit once the call returns, before the guest runs on (a file the
// guest may write it could clear itself).
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

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

// Implements openat2(2): runs as issued, then strips set-ID bits from the
// regular file it opened for writing.
void sys_openat2(kernel::Kernel& k, const SyscallPtr& call) {
  const pid_t tgid = k.tree.tgid_of(call->tid());
  call->continue_rewritten(call->args(), [tgid](std::int64_t fd) {
    if (fd < 0) return fd;
    kernel::GuestFdCopy copy(tgid, static_cast<int>(fd));
    if (!copy.valid() || copy.on_model_fs()) return fd;
    struct stat st {};
    if (fstat(copy.get(), &st) != 0 || !S_ISREG(st.st_mode) || !set_id(st.st_mode)) return fd;
    if ((fcntl(copy.get(), F_GETFL) & O_ACCMODE) == O_RDONLY) return fd;
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
