// Routes: per-process seccomp layers that stop the data calls of a few fds.
//
// The socket data path (sendto, recvfrom, sendmsg, recvmsg) is forwarded by
// the guest's filter (ROUTE_BY_FD rules): on a stream socket, and on any
// socket that is not the guest's AF_INET6 datagram socket, these calls need
// nothing from sentry, and a notification costs 5 to 30 us where the host
// runs them in 0.25 us. The guest's IPv6 datagram sockets do need their
// addresses translated (host AF_INET sockets underneath). The filter cannot
// tell sockets apart, but it can compare the fd argument: so when sentry
// installs such a socket at guest fd N, it makes the process add a filter
// layer that sends those four calls on fd N to a ptrace stop, where the
// translated handlers run them in the guest's own thread (blocking and
// interrupted as on Linux).
//
// The layer is loaded by the guest's own thread, since only a process can
// add to its filters: sentry interrupts the thread in the notification that
// installs the fd (PTRACE_INTERRUPT abandons it), injects
// seccomp(SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, layer) at the
// interrupt stop, and then gives the thread its answer, the new fd number,
// in its registers. No guest code runs between the install and the route,
// and the guest learns the number only after it. Layers only ever stop more
// calls (seccomp takes the strictest action of all layers), so a stale
// number (closed, reused by a TCP socket) costs a ptrace stop, never a wrong
// answer.
//
// Layers are inherited by fork and kept across exec, like the fds; the
// process's routed numbers are kept in its ThreadGroup. The same goes for
// the model's NETLINK_ROUTE sockets, whose every call sentry answers. A
// duplicate made by fcntl(F_DUPFD) above 0, which only the guest's own fd
// table can place, is made by an injected fcntl in the guest's thread and
// then routed. Not covered (the call then runs on the host's AF_INET socket
// as the guest issued it, which answers EAFNOSUPPORT for an IPv6 address):
// such a socket a process receives by SCM_RIGHTS, and processes that share
// an fd table without sharing a thread group (CLONE_FILES alone).
// docs/decisions.md, "The data path is forwarded; IPv6 datagram fds are
// routed".
#pragma once

#include <cstdint>
#include <vector>

#include "sentry/kernel/fd_router.h"
#include "sentry/kernel/process_tree.h"
#include "sentry/platform/tracer.h"

namespace sentry::platform {

// The seccomp layer (BPF) that stops sendto/recvfrom with an address, and
// sendmsg/recvmsg, on guest fd `fd` with SECCOMP_RET_TRACE; every other call
// is allowed (the guest's first filter decides those). Empty on failure.
std::vector<std::uint8_t> route_layer(int fd);

class FdRoutes final : public kernel::FdRouter {
 public:
  FdRoutes(Tracer& tracer, kernel::ProcessTree& tree) : tracer_(tracer), tree_(tree) {}

  void answer_routed(const SyscallPtr& call, int guest_fd) override;
  void run_and_route(const SyscallPtr& call) override;

 private:
  // Whether the interrupt stop `at` is the abandoned notification of call
  // `nr` (else a signal ended it first).
  static bool abandoned(int nr, const user_regs_struct& at);
  // At a stop of `tid` right after a syscall (`at`): loads the layer for
  // `fd`, then resumes it with `answered`'s registers.
  void load_route(pid_t tid, int fd, const user_regs_struct& at, const user_regs_struct& answered);

  Tracer& tracer_;
  kernel::ProcessTree& tree_;
};

}  // namespace sentry::platform
