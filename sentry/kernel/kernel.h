// The kernel model every handler works on: the process tree (tasks, thread
// groups with their credentials, limits, scheduling state), futexes, and the
// configuration of the virtual machine the guest sees. Handlers get a Kernel&
// and the Syscall; they reach the host only through them.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "netstack/netlink_socket.h"
#include "netstack/socket_registry.h"
#include "sentry/kernel/blocked_calls.h"
#include "sentry/kernel/fd_router.h"
#include "sentry/kernel/fd_swaps.h"
#include "sentry/kernel/task_files.h"
#include "sentry/kernel/epoll/epoll_registrar.h"
#include "vfs/mount_table.h"
#include "sentry/kernel/futex/futex_manager.h"
#include "sentry/kernel/process_tree.h"

namespace sentry::kernel {

// What the guest's machine looks like (sentry run options).
struct MachineConfig {
  int cpus = 1;                      // --cpus: virtual CPUs 0..cpus-1
  std::string uname_release;         // --uname-release; empty: the host's
  // The nodename uname reports when sentry cannot read it from the guest's
  // UTS namespace (a rootless run cannot join it); empty: sentry's own.
  std::string nodename;
  std::uint64_t memory_bytes = 0;    // --memory; 0: the host's
  std::optional<uid_t> uid;          // --uid; unset: the invoking user's
  std::optional<gid_t> gid;          // --gid
};

struct Kernel {
  Kernel(boost::asio::io_context& io_context, MachineConfig machine_config)
      : io(io_context), config(std::move(machine_config)) {}
  boost::asio::io_context& io;  // timers for timeouts; never blocked
  MachineConfig config;
  ProcessTree tree;
  BlockedCalls blocked;
  futex::FutexManager futexes;
  std::unique_ptr<epoll::EpollRegistrar> epoll_registrar;  // started by the first epoll_ctl
  netstack::SocketRegistry sockets;  // the guest's AF_INET6 sockets
  // Routes the data calls of the guest's IPv6 datagram sockets to sentry
  // (set by the unotify platform; null where every call stops anyway).
  FdRouter* fd_router = nullptr;
  FdSwaps fd_swaps;  // fds a call stopped by ptrace hands to a notification
  // The tasks' /proc files (set by the run; null in unit tests).
  TaskFiles* task_files = nullptr;
  // The guest's pid 1, sentry's init (sandbox/): a process of the guest's PID
  // namespace that its user namespace does not own (it is host root's). The
  // scheduler model answers for it (SCHED_OTHER, nice 0, every CPU) and
  // judges changes as Linux does for a task of a parent user namespace: the
  // guest's capabilities do not reach it (EPERM). Set when there is one.
  std::optional<Task> guest_init;
  ThreadGroup guest_init_group;
  netstack::NetlinkSockets netlink;  // the guest's NETLINK_ROUTE sockets
  // The guest's filesystem view (--root, --bind, --rw); the run sets it.
  vfs::MountTable mounts = vfs::MountTable::host_identity();
  // The guest's network namespace (-1: it shares the host's); sentry makes
  // the guest's TCP and UDP sockets in the host's.
  int guest_netns = -1;
  // --network isolated: the guest's TCP and UDP sockets live in its own
  // network namespace (loopback only) instead of the host's.
  bool isolated_network = false;
  // The guest lives in a user namespace of its own (sentry run): its
  // capabilities hold there, never in the host's namespace.
  bool guest_in_user_namespace = false;
  // sentry lives in the guest's own UTS namespace (it joined it at launch):
  // uname answers from there and sethostname/setdomainname act there.
  bool in_guest_uts = false;

  // Whether the guest's host threads carry its identity, so a credential
  // change must run on the host too (file permissions, signals and ptrace
  // access are the host kernel's). Always so in a sandbox, whatever --uid
  // says; only a model without a guest behind it (unit tests with an
  // identity override) keeps changes in the model alone.
  bool real_identity() const { return guest_in_user_namespace || (!config.uid && !config.gid); }
};

}  // namespace sentry::kernel
