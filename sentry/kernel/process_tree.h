// The guest's tasks (threads) and thread groups (processes) as sentry knows
// them. The platform keeps it exact from ptrace events (clone, fork, vfork,
// exec, exit); every other part of sentry reads it.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "sentry/kernel/credentials.h"
#include "sentry/kernel/resource_limits.h"
#include "sentry/kernel/sched_state.h"

namespace sentry::kernel {

// Identifies an address space (mm): threads and CLONE_VM children (vfork,
// posix_spawn) share one; fork and exec make a new one. Private futex keys are
// (AddressSpaceId, address).
using AddressSpaceId = std::uint64_t;

struct ThreadGroup {
  pid_t tgid = 0;
  pid_t parent_tgid = 0;  // 0 for the root program
  std::string image;      // host path of the running executable
  std::set<pid_t> tids;
  bool exited = false;
  AddressSpaceId mm = 0;
  ResourceLimits limits;
  // Fd numbers whose data calls the process's seccomp filter stops for
  // sentry (platform/fd_routes.h). Filters are inherited by fork and kept
  // across exec, and so is this set.
  std::set<int> routed_fds;
};

// Credentials and names are per thread at the syscall level (glibc's setuid
// broadcasts to every thread with SIGSETXID; a raw setresuid does not).
struct Task {
  pid_t tid = 0;
  pid_t tgid = 0;
  SchedState sched;
  Credentials creds;
  std::string comm;  // empty: not known yet (read from the host on first use)
};

// How a new task was created (from the clone flags the parent used).
struct CloneInfo {
  bool thread = false;    // CLONE_THREAD: joins the parent's thread group
  bool share_vm = false;  // CLONE_VM: shares the parent's address space
};

class ProcessTree {
 public:
  // Listener for lifecycle changes (reports count processes and threads).
  struct Listener {
    virtual ~Listener() = default;
    virtual void on_new_process(const ThreadGroup& g) {}
    virtual void on_new_thread(const ThreadGroup& g, pid_t tid) {}
    virtual void on_exec(const ThreadGroup& g) {}
  };
  void set_listener(Listener* l) { listener_ = l; }

  // `primary`: the run's program (root()); else another program started in
  // the running sandbox (an OCI exec), with no parent in the model.
  void add_root(pid_t pid, const std::string& image, bool primary = true);
  // A new task created by `parent_tid`. Model state (scheduling, credentials,
  // limits) is inherited from the parent as clone(2) says.
  void add_task(pid_t parent_tid, pid_t new_tid, const CloneInfo& how);
  // `tid` completed an execve; `former_tid` is the thread that called it (it
  // differs when a non-leader thread exec'd: it took over the leader's tid).
  void exec(pid_t tid, pid_t former_tid, const std::string& image);
  // `tid` is gone. Returns true if that emptied its thread group.
  bool remove_task(pid_t tid);

  const Task* task(pid_t tid) const;
  Task* task(pid_t tid);
  ThreadGroup* group_of(pid_t tid);
  const ThreadGroup* group_of(pid_t tid) const;
  // The thread group of task `tid` (whose descriptor table it uses); `tid`
  // itself for a task the tree does not know yet.
  pid_t tgid_of(pid_t tid) const {
    const Task* t = task(tid);
    return t ? t->tgid : tid;
  }
  const ThreadGroup* group(pid_t tgid) const;

  // The guest lives in a PID namespace of its own: notifications, ptrace and
  // the model speak host tids, the guest speaks its namespace's ids.
  // guest_tid: the namespace id of host tid `host` (the last NSpid field of
  // the host's /proc/<host>/status; `host` itself where there is no inner
  // namespace, as in unit tests); 0 when it is not in the guest's namespace
  // or gone. host_tid: the host tid of the live guest task with namespace id
  // `guest`, or 0.
  pid_t guest_tid(pid_t host) const;
  pid_t host_tid(pid_t guest) const;
  std::size_t task_count() const { return tasks_.size(); }
  pid_t root() const { return root_; }
  void for_each_group(const std::function<void(const ThreadGroup&)>& fn) const;

 private:
  ThreadGroup& ensure_group(pid_t tgid);
  AddressSpaceId new_address_space() { return ++last_mm_; }
  pid_t root_ = 0;
  AddressSpaceId last_mm_ = 0;
  std::map<pid_t, Task> tasks_;
  std::map<pid_t, std::unique_ptr<ThreadGroup>> groups_;
  mutable std::map<pid_t, pid_t> guest_tids_;  // host tid -> namespace id, of live tasks
  Listener* listener_ = nullptr;
};

}  // namespace sentry::kernel
