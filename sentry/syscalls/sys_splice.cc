// sendfile(2) and splice(2) from one of the model's /proc and /sys files.
//
// The model's files are FUSE files opened with direct I/O and a size of 0,
// as procfs shows them (proc_synth/model_fs.h). The kernel splices a FUSE
// file through its page cache, bounded by that size, so a sendfile from
// /proc/self/status would return 0: end of file at once (busybox's `cat`
// printed nothing). Linux answers EINVAL for a file that cannot be spliced,
// and programs then read and write instead (busybox, coreutils): sentry
// gives that answer for the model's files. sentry cannot copy them itself:
// it would read its own FUSE server from its own thread.
//
// Every other source runs on the host as issued (the fd is checked on
// sentry's copy of the description, which another guest thread cannot
// change; a close and reuse of the number after the check is the guest's
// own race, as natively).
#include <cerrno>

#include "sentry/kernel/guest_fd.h"
#include "sentry/syscalls/registry.h"

namespace sentry::syscalls {

namespace {

void refuse_model_source(kernel::Kernel& k, const SyscallPtr& call, int in_fd) {
  kernel::GuestFdCopy copy(k.tree.tgid_of(call->tid()), in_fd);
  if (copy.on_model_fs()) return (void)call->fail(EINVAL);
  call->continue_on_host();
}

void sys_sendfile(kernel::Kernel& k, const SyscallPtr& call) {
  refuse_model_source(k, call, static_cast<int>(call->arg(1)));
}
void sys_splice(kernel::Kernel& k, const SyscallPtr& call) {
  refuse_model_source(k, call, static_cast<int>(call->arg(0)));
}

}  // namespace

void register_splice(Registry& r) {
  r.add("sendfile", sys_sendfile);
  r.add("splice", sys_splice);
}

}  // namespace sentry::syscalls
