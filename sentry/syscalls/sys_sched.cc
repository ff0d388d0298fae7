// The sched_* family, getpriority/setpriority and getcpu, answered from the
// scheduling model (sentry/kernel/sched_state.h) over the virtual CPUs of
// MachineConfig::cpus.
//
// What reaches the host, and what does not:
//   * Policies and RT priorities live in the model only. A guest asking for
//     SCHED_FIFO/RR (or BATCH/IDLE) gets the answers Linux would give, and its
//     thread keeps running SCHED_OTHER on the host: sentry never calls the
//     host's sched_setscheduler/sched_setattr (a sandboxed RT spinner must not
//     be able to starve the host).
//   * Nice values live in the model only (the host thread is never reniced):
//     the guest sees its nice value everywhere it can look (getpriority,
//     sched_getattr, nice()), and the host scheduler treats every guest thread
//     alike.
//   * Affinity is modelled over virtual CPUs and also applied to the host
//     thread, best effort, so pinning keeps a real effect (cache locality, a
//     thread pinned to one CPU really runs on one CPU, and getcpu/rseq agree
//     with the mask). Virtual CPU v is placed on host CPU H[v % |H|], H being
//     the CPUs sentry itself may use (HostCpuMap); a host failure is ignored.
//
// What the modelled kernel (sched_state.h) does not offer, it refuses the way
// such a Linux would: sched_attr utilization clamps get EOPNOTSUPP (no
// CONFIG_UCLAMP_TASK, as on the reference host; EINVAL first when the attr is
// shorter than VER1), SCHED_EXT (7) is not a valid policy (EINVAL, while the
// priority-range calls report 0 for it as Linux does unconditionally), and
// SCHED_DEADLINE is validated (EINVAL) and permission-checked (EPERM) exactly
// like Linux and then refused by admission control (EBUSY), so no task is ever
// SCHED_DEADLINE and fork's EAGAIN for deadline tasks never arises.
//
// Target lookup follows find_process_by_pid(): pid 0 is the calling thread,
// any other value a tid the process tree knows (a negative or unknown one is
// ESRCH wherever Linux does not reject pid < 0 first). Permission checks use
// the caller's modelled credentials and the target's modelled credentials and
// resource limits, exactly as kernel/sched/syscalls.c and kernel/sys.c do.
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "sentry/kernel/kernel.h"
#include "sentry/kernel/sched_state.h"
#include "sentry/kernel/virtual_cpus.h"
#include "sentry/syscalls/handler_table.h"
#include "sentry/syscalls/registry.h"

namespace sentry::syscalls {
namespace {

using kernel::CpuMask;
using kernel::Credentials;
using kernel::Kernel;
using kernel::SchedAccess;
using kernel::SchedAttr;
using kernel::SchedRequest;
using kernel::SchedState;
using kernel::Task;
using kernel::ThreadGroup;
using kernel::VirtualCpuSet;

constexpr std::uint64_t kPageSize = 4096;

// Arguments the kernel declares as int / pid_t / unsigned int: only the low 32
// bits count (as in the kernel's syscall wrappers).
int int_arg(const SyscallPtr& call, int i) { return static_cast<std::int32_t>(call->arg(i)); }
std::uint32_t uint_arg(const SyscallPtr& call, int i) { return static_cast<std::uint32_t>(call->arg(i)); }

struct Target {
  Task* task = nullptr;
  ThreadGroup* group = nullptr;
  explicit operator bool() const { return task != nullptr && group != nullptr; }
};

// find_process_by_pid(): 0 is the caller, anything else a tid of the
// guest's PID namespace (the model's host tid of it).
Target find_task(Kernel& k, const SyscallPtr& call, pid_t pid) {
  const pid_t tid = pid == 0 ? call->tid() : k.tree.host_tid(pid);
  Target t;
  t.task = k.tree.task(tid);
  if (t.task != nullptr) t.group = k.tree.group_of(tid);
  if (t.task == nullptr && pid == 1 && k.guest_init) {  // sentry's init (Kernel::guest_init)
    t.task = &*k.guest_init;
    t.group = &k.guest_init_group;
  }
  return t;
}

// The caller's credentials; a caller the tree does not know (never expected)
// gets none of anybody's rights.
const Credentials& caller_creds(Kernel& k, const SyscallPtr& call) {
  static const Credentials kNobody = [] {
    Credentials c;
    c.ruid = c.euid = c.suid = c.fsuid = static_cast<uid_t>(-1);
    c.rgid = c.egid = c.sgid = c.fsgid = static_cast<gid_t>(-1);
    return c;
  }();
  const Task* t = k.tree.task(call->tid());
  return t ? t->creds : kNobody;
}

SchedAccess access_to(Kernel& k, const SyscallPtr& call, const Target& t) {
  // No capability of the guest's reaches sentry's init (another user
  // namespace's task): judged as an unprivileged stranger's request.
  static const Credentials kStranger = [] {
    Credentials c;
    c.ruid = c.euid = c.suid = c.fsuid = static_cast<uid_t>(-2);
    c.rgid = c.egid = c.sgid = c.fsgid = static_cast<gid_t>(-2);
    return c;
  }();
  if (k.guest_init && t.task == &*k.guest_init) return SchedAccess{kStranger, t.task->creds, t.group->limits};
  return SchedAccess{caller_creds(k, call), t.task->creds, t.group->limits};
}

void answer(const SyscallPtr& call, int err) {
  if (err) {
    call->fail(err);
  } else {
    call->complete(0);
  }
}

// The answer of a call that may have changed the scheduling state of tasks
// `tids`, once their /proc files show it (kernel/task_files.h).
void answer_shown(Kernel& k, const SyscallPtr& call, std::vector<pid_t> tids, int err) {
  if (k.task_files == nullptr || tids.empty()) return answer(call, err);
  k.task_files->changed(tids, [call, err] { answer(call, err); });
}

// The host CPU a thread last ran on (field 39 of /proc/<tid>/stat), or -1.
int host_cpu_of_thread(pid_t tid) {
  char path[64];
  std::snprintf(path, sizeof(path), "/proc/%d/stat", static_cast<int>(tid));
  FILE* f = std::fopen(path, "re");
  if (f == nullptr) return -1;
  char buf[1024];
  const std::size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  const std::string s(buf, n);
  std::size_t pos = s.rfind(')');  // comm may contain spaces and parentheses
  if (pos == std::string::npos) return -1;
  // Fields after the comm start at field 3 (state); processor is field 39.
  int field = 2;
  for (std::size_t i = pos + 1; i < s.size(); ++i) {
    if (s[i] == ' ' && i + 1 < s.size() && s[i + 1] != ' ') {
      if (++field == 39) return std::atoi(s.c_str() + i + 1);
    }
  }
  return -1;
}

// sched_rr_timeslice: the host's sysctl (which the guest can read in /proc),
// kept in whole jiffies as the kernel does; RR_TIMESLICE (100 ms) by default.
std::uint64_t rr_timeslice_ns() {
  static const std::uint64_t ns = [] {
    long ms = 0;
    if (FILE* f = std::fopen("/proc/sys/kernel/sched_rr_timeslice_ms", "re")) {
      if (std::fscanf(f, "%ld", &ms) != 1) ms = 0;
      std::fclose(f);
    }
    if (ms <= 0) ms = 100;
    const std::uint64_t jiffies = (static_cast<std::uint64_t>(ms) * kernel::kHz + 999) / 1000;
    return jiffies * kernel::kNsPerJiffy;
  }();
  return ns;
}

// do_sched_setscheduler(): sched_setscheduler and sched_setparam.
void do_sched_setscheduler(Kernel& k, const SyscallPtr& call, pid_t pid, int policy,
                           std::uint64_t param) {
  if (param == 0 || pid < 0) return (void)call->fail(EINVAL);
  std::int32_t priority = 0;
  if (!call->memory().read_value(param, &priority)) return (void)call->fail(EFAULT);
  Target t = find_task(k, call, pid);
  if (!t) return (void)call->fail(ESRCH);
  SchedState& p = t.task->sched;
  // _sched_setscheduler(): keeps nice and a custom slice; the legacy
  // SCHED_RESET_ON_FORK bit of the policy word becomes the attr flag.
  SchedRequest req;
  req.policy = policy;
  req.priority = static_cast<std::uint32_t>(priority);
  req.nice = p.nice;
  req.runtime = p.custom_slice_ns;
  if (policy != kernel::kSetparamPolicy && (policy & kernel::kSchedResetOnFork)) {
    req.flags |= kernel::kSchedFlagResetOnFork;
    req.policy = policy & ~kernel::kSchedResetOnFork;
  }
  VirtualCpuSet cpus(k.config.cpus);
  const int err = kernel::set_scheduler(p, req, access_to(k, call, t), cpus);
  if (err) return answer(call, err);
  answer_shown(k, call, {t.task->tid}, 0);
}

// sched_copy_attr(): 0 or a positive errno; on E2BIG the kernel's size has
// been written back to attr->size.
int copy_sched_attr(GuestMemory& mem, std::uint64_t uattr, SchedAttr* attr) {
  *attr = SchedAttr{};
  std::uint32_t size = 0;
  if (!mem.read_value(uattr, &size)) return EFAULT;
  if (size == 0) size = kernel::kSchedAttrSizeVer0;  // ABI compatibility quirk
  auto too_big = [&] {
    const std::uint32_t ksize = kernel::kSchedAttrSizeVer1;
    (void)mem.write_value(uattr, ksize);  // put_user; its failure is ignored
    return E2BIG;
  };
  if (size < kernel::kSchedAttrSizeVer0 || size > kPageSize) return too_big();
  // copy_struct_from_user(): a longer user struct must have a zero tail.
  if (size > sizeof(SchedAttr)) {
    std::vector<unsigned char> tail(size - sizeof(SchedAttr));
    if (!mem.read(uattr + sizeof(SchedAttr), tail.data(), tail.size())) return EFAULT;
    if (std::any_of(tail.begin(), tail.end(), [](unsigned char c) { return c != 0; }))
      return too_big();
  }
  if (!mem.read(uattr, attr, std::min<std::size_t>(size, sizeof(SchedAttr)))) return EFAULT;
  if ((attr->sched_flags & kernel::kSchedFlagUtilClamp) && size < kernel::kSchedAttrSizeVer1)
    return EINVAL;
  attr->sched_nice = std::clamp(attr->sched_nice, kernel::kMinNice, kernel::kMaxNice);
  return 0;
}

// Every guest task in the host process group `pgrp` (process groups are the
// host's: setpgid/setsid are forwarded).
std::vector<pid_t> tasks_in_pgrp(Kernel& k, pid_t pgrp) {
  std::vector<pid_t> tids;
  k.tree.for_each_group([&](const ThreadGroup& g) {
    if (g.exited || g.tids.empty()) return;
    if (::getpgid(g.tgid) != pgrp) return;
    tids.insert(tids.end(), g.tids.begin(), g.tids.end());
  });
  return tids;
}

// Every guest task whose real uid is `uid` (task_uid()).
std::vector<pid_t> tasks_of_user(Kernel& k, uid_t uid) {
  std::vector<pid_t> tids;
  k.tree.for_each_group([&](const ThreadGroup& g) {
    if (g.exited) return;
    for (pid_t tid : g.tids) {
      const Task* t = k.tree.task(tid);
      if (t != nullptr && t->creds.ruid == uid) tids.push_back(tid);
    }
  });
  return tids;
}

// The tasks setpriority/getpriority address (`which` already checked); empty
// when nothing matches (ESRCH).
std::vector<pid_t> prio_targets(Kernel& k, const SyscallPtr& call, int which, int who) {
  switch (which) {
    case PRIO_PROCESS: {
      const pid_t tid = who ? k.tree.host_tid(who) : call->tid();
      if (k.tree.task(tid) != nullptr && k.tree.group_of(tid) != nullptr) return {tid};
      return {};
    }
    case PRIO_PGRP: {
      // Process groups are the host's (setpgid/setsid are forwarded); the
      // guest names them by its namespace's ids.
      pid_t pgrp = who ? (k.tree.host_tid(who) ?: who) : 0;
      if (who == 0) {
        const ThreadGroup* self = k.tree.group_of(call->tid());
        pgrp = self ? ::getpgid(self->tgid) : -1;
      }
      if (pgrp <= 0) return {};
      return tasks_in_pgrp(k, pgrp);
    }
    case PRIO_USER: {
      uid_t uid = static_cast<uid_t>(who);
      if (who == 0) uid = caller_creds(k, call).ruid;
      return tasks_of_user(k, uid);
    }
  }
  return {};
}

// ---------------------------------------------------------------------------

// Implements sched_getaffinity(2).
void sys_sched_getaffinity(Kernel& k, const SyscallPtr& call) {
  const pid_t pid = int_arg(call, 0);
  const std::uint32_t len = uint_arg(call, 1);
  const std::uint64_t user_mask = call->arg(2);
  VirtualCpuSet cpus(k.config.cpus);
  // (len * BITS_PER_BYTE) < nr_cpu_ids, in unsigned int arithmetic.
  if (static_cast<std::uint32_t>(len * 8u) < static_cast<std::uint32_t>(cpus.count()))
    return (void)call->fail(EINVAL);
  if (len & (sizeof(long) - 1)) return (void)call->fail(EINVAL);
  // No pid < 0 check here: -1 is simply not found (ESRCH).
  Target t = find_task(k, call, pid);
  if (!t) return (void)call->fail(ESRCH);
  // Linux returns min(len, cpumask_size()), the size of a full NR_CPUS mask,
  // not of nr_cpu_ids: the modelled kernel's NR_CPUS is kMaxCpus, as its
  // /sys/devices/system/cpu/kernel_max says.
  const std::size_t retlen = std::min<std::size_t>(len, kernel::kMaxCpus / 8);
  std::vector<unsigned char> bytes(retlen);
  t.task->sched.affinity_on(cpus).to_bytes(bytes.data(), bytes.size());
  if (!call->memory().write(user_mask, bytes.data(), bytes.size())) return (void)call->fail(EFAULT);
  call->complete(static_cast<std::int64_t>(retlen));
}

// Implements sched_setaffinity(2).
void sys_sched_setaffinity(Kernel& k, const SyscallPtr& call) {
  const pid_t pid = int_arg(call, 0);
  const std::uint32_t len = uint_arg(call, 1);
  const std::uint64_t user_mask = call->arg(2);
  VirtualCpuSet cpus(k.config.cpus);
  // get_user_cpu_mask(): at most cpumask_size() bytes are read; a shorter
  // buffer leaves the rest of the mask clear. Bits past the machine's CPUs
  // (CPU 1000 in a 1024-bit cpu_set_t) are dropped below.
  std::vector<unsigned char> bytes(cpus.mask_bytes(), 0);
  const std::size_t n = std::min<std::size_t>(len, bytes.size());
  if (n > 0 && !call->memory().read(user_mask, bytes.data(), n)) return (void)call->fail(EFAULT);
  Target t = find_task(k, call, pid);
  if (!t) return (void)call->fail(ESRCH);
  SchedState& p = t.task->sched;
  const int err = kernel::set_affinity(p, CpuMask::from_bytes(bytes.data(), bytes.size()),
                                       access_to(k, call, t), cpus);
  if (err) return (void)call->fail(err);
  // Mirrored onto the host thread, best effort: the model is the truth, and a
  // host refusal (a thread that just exited, a host CPU gone offline) changes
  // nothing the guest can observe.
  (void)kernel::HostCpuMap::current().pin(t.task->tid, p.affinity_on(cpus));
  answer_shown(k, call, {t.task->tid}, 0);
}

// Implements sched_setscheduler(2).
void sys_sched_setscheduler(Kernel& k, const SyscallPtr& call) {
  const int policy = int_arg(call, 1);
  if (policy < 0) return (void)call->fail(EINVAL);
  do_sched_setscheduler(k, call, int_arg(call, 0), policy, call->arg(2));
}

// Implements sched_setparam(2).
void sys_sched_setparam(Kernel& k, const SyscallPtr& call) {
  do_sched_setscheduler(k, call, int_arg(call, 0), kernel::kSetparamPolicy, call->arg(1));
}

// Implements sched_getscheduler(2).
void sys_sched_getscheduler(Kernel& k, const SyscallPtr& call) {
  const pid_t pid = int_arg(call, 0);
  if (pid < 0) return (void)call->fail(EINVAL);
  Target t = find_task(k, call, pid);
  if (!t) return (void)call->fail(ESRCH);
  const SchedState& p = t.task->sched;
  call->complete(p.policy | (p.reset_on_fork ? kernel::kSchedResetOnFork : 0));
}

// Implements sched_getparam(2).
void sys_sched_getparam(Kernel& k, const SyscallPtr& call) {
  const pid_t pid = int_arg(call, 0);
  const std::uint64_t param = call->arg(1);
  if (param == 0 || pid < 0) return (void)call->fail(EINVAL);
  Target t = find_task(k, call, pid);
  if (!t) return (void)call->fail(ESRCH);
  const SchedState& p = t.task->sched;
  const std::int32_t priority = kernel::rt_policy(p.policy) ? static_cast<std::int32_t>(p.rt_priority) : 0;
  if (!call->memory().write_value(param, priority)) return (void)call->fail(EFAULT);
  call->complete(0);
}

// Implements sched_get_priority_max(2).
void sys_sched_get_priority_max(Kernel&, const SyscallPtr& call) {
  switch (int_arg(call, 0)) {
    case kernel::kSchedFifo:
    case kernel::kSchedRr:
      return (void)call->complete(kernel::kMaxRtPrio - 1);
    case kernel::kSchedDeadline:
    case kernel::kSchedNormal:
    case kernel::kSchedBatch:
    case kernel::kSchedIdle:
    case kernel::kSchedExt:  // listed unconditionally in kernel/sched/syscalls.c
      return (void)call->complete(0);
  }
  call->fail(EINVAL);
}

// Implements sched_get_priority_min(2).
void sys_sched_get_priority_min(Kernel&, const SyscallPtr& call) {
  switch (int_arg(call, 0)) {
    case kernel::kSchedFifo:
    case kernel::kSchedRr:
      return (void)call->complete(1);
    case kernel::kSchedDeadline:
    case kernel::kSchedNormal:
    case kernel::kSchedBatch:
    case kernel::kSchedIdle:
    case kernel::kSchedExt:
      return (void)call->complete(0);
  }
  call->fail(EINVAL);
}

// Implements sched_rr_get_interval(2).
void sys_sched_rr_get_interval(Kernel& k, const SyscallPtr& call) {
  const pid_t pid = int_arg(call, 0);
  if (pid < 0) return (void)call->fail(EINVAL);
  Target t = find_task(k, call, pid);
  if (!t) return (void)call->fail(ESRCH);
  const std::uint64_t ns = t.task->sched.rr_interval_ns(k.config.cpus, rr_timeslice_ns());
  const std::int64_t ts[2] = {static_cast<std::int64_t>(ns / 1'000'000'000ull),
                              static_cast<std::int64_t>(ns % 1'000'000'000ull)};  // __kernel_timespec
  if (!call->memory().write(call->arg(1), ts, sizeof(ts))) return (void)call->fail(EFAULT);
  call->complete(0);
}

// Implements sched_setattr(2).
void sys_sched_setattr(Kernel& k, const SyscallPtr& call) {
  const pid_t pid = int_arg(call, 0);
  const std::uint64_t uattr = call->arg(1);
  const std::uint32_t flags = uint_arg(call, 2);
  if (uattr == 0 || pid < 0 || flags != 0) return (void)call->fail(EINVAL);
  SchedAttr attr;
  if (int err = copy_sched_attr(call->memory(), uattr, &attr)) return (void)call->fail(err);
  if (static_cast<std::int32_t>(attr.sched_policy) < 0) return (void)call->fail(EINVAL);
  Target t = find_task(k, call, pid);
  if (!t) return (void)call->fail(ESRCH);
  SchedState& p = t.task->sched;
  if (attr.sched_flags & kernel::kSchedFlagKeepParams) p.get_params(attr, k.config.cpus);
  SchedRequest req;
  req.policy = (attr.sched_flags & kernel::kSchedFlagKeepPolicy)
                   ? kernel::kSetparamPolicy
                   : static_cast<int>(attr.sched_policy);
  req.flags = attr.sched_flags;
  req.nice = attr.sched_nice;
  req.priority = attr.sched_priority;
  req.runtime = attr.sched_runtime;
  req.deadline = attr.sched_deadline;
  req.period = attr.sched_period;
  req.util_min = attr.sched_util_min;
  req.util_max = attr.sched_util_max;
  VirtualCpuSet cpus(k.config.cpus);
  const int err = kernel::set_scheduler(p, req, access_to(k, call, t), cpus);
  if (err) return answer(call, err);
  answer_shown(k, call, {t.task->tid}, 0);
}

// Implements sched_getattr(2).
void sys_sched_getattr(Kernel& k, const SyscallPtr& call) {
  const pid_t pid = int_arg(call, 0);
  const std::uint64_t uattr = call->arg(1);
  const std::uint32_t usize = uint_arg(call, 2);
  const std::uint32_t flags = uint_arg(call, 3);
  if (uattr == 0 || pid < 0 || usize > kPageSize || usize < kernel::kSchedAttrSizeVer0 || flags != 0)
    return (void)call->fail(EINVAL);
  Target t = find_task(k, call, pid);
  if (!t) return (void)call->fail(ESRCH);
  SchedAttr attr = t.task->sched.getattr(k.config.cpus);
  const std::size_t size = std::min<std::size_t>(usize, sizeof(SchedAttr));
  attr.size = static_cast<std::uint32_t>(size);
  // copy_struct_to_user(): a longer user struct gets a zeroed tail.
  if (usize > sizeof(SchedAttr)) {
    std::vector<unsigned char> zeros(usize - sizeof(SchedAttr), 0);
    if (!call->memory().write(uattr + sizeof(SchedAttr), zeros.data(), zeros.size()))
      return (void)call->fail(EFAULT);
  }
  if (!call->memory().write(uattr, &attr, size)) return (void)call->fail(EFAULT);
  call->complete(0);
}

// Implements getpriority(2). The raw call returns 20 - nice (1..40), the
// highest over the addressed tasks.
void sys_getpriority(Kernel& k, const SyscallPtr& call) {
  const int which = int_arg(call, 0);
  const int who = int_arg(call, 1);
  if (which > PRIO_USER || which < PRIO_PROCESS) return (void)call->fail(EINVAL);
  long best = -ESRCH;
  for (pid_t tid : prio_targets(k, call, which, who)) {
    const Task* task = k.tree.task(tid);
    if (task != nullptr) best = std::max<long>(best, kernel::nice_to_rlimit(task->sched.nice));
  }
  call->complete(best);
}

// Implements setpriority(2). PRIO_PROCESS addresses one task (a tid: nice is
// per thread); PRIO_PGRP every guest task of the host process group (0: the
// caller's); PRIO_USER every guest task whose real uid is `who` (0: the
// caller's). Tasks outside the sandbox are never touched or reported; no
// match is ESRCH, as in Linux. Values are clamped to [-20, 19].
void sys_setpriority(Kernel& k, const SyscallPtr& call) {
  const int which = int_arg(call, 0);
  const int who = int_arg(call, 1);
  const int nice = std::clamp(int_arg(call, 2), kernel::kMinNice, kernel::kMaxNice);
  if (which > PRIO_USER || which < PRIO_PROCESS) return (void)call->fail(EINVAL);
  int error = ESRCH;
  const std::vector<pid_t> targets = prio_targets(k, call, which, who);
  for (pid_t tid : targets) {
    Target t{k.tree.task(tid), k.tree.group_of(tid)};
    if (!t) continue;
    error = kernel::set_one_prio(t.task->sched, nice, error, access_to(k, call, t));
  }
  answer_shown(k, call, targets, error);
}

// Implements getcpu(2). The CPU is a virtual CPU of the caller's affinity:
// the one placed on the host CPU the thread last ran on when there is one
// (so getcpu agrees with rseq/vDSO answers), else the lowest allowed CPU.
// There is one NUMA node (0). Both output pointers may be NULL.
void sys_getcpu(Kernel& k, const SyscallPtr& call) {
  const std::uint64_t cpup = call->arg(0);
  const std::uint64_t nodep = call->arg(1);
  VirtualCpuSet cpus(k.config.cpus);
  const Task* self = k.tree.task(call->tid());
  const CpuMask allowed = self ? self->sched.affinity_on(cpus) : cpus.all();
  int cpu = allowed.first();
  if (cpup != 0) {
    const kernel::HostCpuMap& map = kernel::HostCpuMap::current();
    if (map.known()) cpu = map.virtual_cpu_on(host_cpu_of_thread(call->tid()), allowed);
  }
  if (cpu < 0) cpu = 0;
  bool fault = false;
  if (cpup != 0) fault |= !call->memory().write_value(cpup, static_cast<std::uint32_t>(cpu));
  if (nodep != 0) fault |= !call->memory().write_value(nodep, std::uint32_t{0});
  answer(call, fault ? EFAULT : 0);
}

}  // namespace

void register_sched(Registry& r) {
  r.add("sched_getaffinity", sys_sched_getaffinity);
  r.add("sched_setaffinity", sys_sched_setaffinity);
  r.add("sched_setscheduler", sys_sched_setscheduler);
  r.add("sched_getscheduler", sys_sched_getscheduler);
  r.add("sched_setparam", sys_sched_setparam);
  r.add("sched_getparam", sys_sched_getparam);
  r.add("sched_get_priority_max", sys_sched_get_priority_max);
  r.add("sched_get_priority_min", sys_sched_get_priority_min);
  r.add("sched_rr_get_interval", sys_sched_rr_get_interval);
  r.add("sched_setattr", sys_sched_setattr);
  r.add("sched_getattr", sys_sched_getattr);
  r.add("getpriority", sys_getpriority);
  r.add("setpriority", sys_setpriority);
  r.add("getcpu", sys_getcpu);
}

}  // namespace sentry::syscalls
