// Per-task scheduling state over virtual CPUs, and the rules Linux applies to
// it (kernel/sched/syscalls.c, kernel/sched/core.c sched_fork(), kernel/sys.c
// setpriority). The state is a model only: sentry never gives a guest thread a
// real-time policy or a nice value on the host (see sys_sched.cc); only the
// affinity is mirrored onto the host thread, best effort.
//
// The machine modelled is a Linux 6.18 x86-64 kernel with HZ=250, without
// CONFIG_UCLAMP_TASK and without CONFIG_SCHED_CLASS_EXT (the configuration of
// the reference host), with MachineConfig::cpus CPUs.
#pragma once

#include <cstdint>
#include <optional>

#include "sentry/kernel/credentials.h"
#include "sentry/kernel/resource_limits.h"
#include "sentry/kernel/virtual_cpus.h"

namespace sentry::kernel {

// Policies (include/uapi/linux/sched.h).
inline constexpr int kSchedNormal = 0;  // SCHED_OTHER
inline constexpr int kSchedFifo = 1;
inline constexpr int kSchedRr = 2;
inline constexpr int kSchedBatch = 3;
inline constexpr int kSchedIdle = 5;
inline constexpr int kSchedDeadline = 6;
inline constexpr int kSchedExt = 7;
inline constexpr int kSchedResetOnFork = 0x40000000;  // OR'ed into the policy word
inline constexpr int kSetparamPolicy = -1;            // "keep the current policy"

// sched_attr.sched_flags (include/uapi/linux/sched.h).
inline constexpr std::uint64_t kSchedFlagResetOnFork = 0x01;
inline constexpr std::uint64_t kSchedFlagReclaim = 0x02;
inline constexpr std::uint64_t kSchedFlagDlOverrun = 0x04;
inline constexpr std::uint64_t kSchedFlagKeepPolicy = 0x08;
inline constexpr std::uint64_t kSchedFlagKeepParams = 0x10;
inline constexpr std::uint64_t kSchedFlagUtilClampMin = 0x20;
inline constexpr std::uint64_t kSchedFlagUtilClampMax = 0x40;
inline constexpr std::uint64_t kSchedFlagUtilClamp = kSchedFlagUtilClampMin | kSchedFlagUtilClampMax;
inline constexpr std::uint64_t kSchedFlagAll = 0x7f;
inline constexpr std::uint64_t kSchedFlagSugov = 0x10000000;  // kernel-internal

inline constexpr unsigned kMaxRtPrio = 100;  // RT priorities are 1..99
inline constexpr int kMinNice = -20;
inline constexpr int kMaxNice = 19;

// Timing constants of the modelled kernel.
inline constexpr int kHz = 250;
inline constexpr std::uint64_t kNsPerJiffy = 1'000'000'000ull / kHz;
inline constexpr std::uint64_t kSliceMinNs = 100'000;      // custom slice clamp (fair.c)
inline constexpr std::uint64_t kSliceMaxNs = 100'000'000;
inline constexpr std::uint64_t kDlPeriodMinUs = 100;        // sched_deadline_period_min_us
inline constexpr std::uint64_t kDlPeriodMaxUs = 1ull << 22; // sched_deadline_period_max_us

// struct sched_attr as of SCHED_ATTR_SIZE_VER1 (the kernel's own size).
struct SchedAttr {
  std::uint32_t size = 0;
  std::uint32_t sched_policy = 0;
  std::uint64_t sched_flags = 0;
  std::int32_t sched_nice = 0;
  std::uint32_t sched_priority = 0;
  std::uint64_t sched_runtime = 0;
  std::uint64_t sched_deadline = 0;
  std::uint64_t sched_period = 0;
  std::uint32_t sched_util_min = 0;
  std::uint32_t sched_util_max = 0;
};
inline constexpr std::uint32_t kSchedAttrSizeVer0 = 48;
inline constexpr std::uint32_t kSchedAttrSizeVer1 = 56;
static_assert(sizeof(SchedAttr) == kSchedAttrSizeVer1);

inline bool fair_policy(int policy) { return policy == kSchedNormal || policy == kSchedBatch; }
inline bool rt_policy(int policy) { return policy == kSchedFifo || policy == kSchedRr; }
inline bool idle_policy(int policy) { return policy == kSchedIdle; }
inline bool dl_policy(int policy) { return policy == kSchedDeadline; }
// valid_policy(): SCHED_EXT is not valid without CONFIG_SCHED_CLASS_EXT.
inline bool valid_policy(int policy) {
  return fair_policy(policy) || rt_policy(policy) || idle_policy(policy) || dl_policy(policy);
}
// Nice value [19, -20] in RLIMIT_NICE / raw getpriority style [1, 40].
inline int nice_to_rlimit(int nice) { return 20 - nice; }

// sysctl_sched_base_slice for `cpus` online CPUs: 0.7 ms * (1 + ilog2(min(cpus, 8)))
// (SCHED_TUNABLESCALING_LOG, the default).
std::uint64_t base_slice_ns(int cpus);

struct SchedState {
  int policy = kSchedNormal;    // never kSchedDeadline (see set_scheduler)
  unsigned rt_priority = 0;     // 1..99 under FIFO/RR, else 0
  int nice = 0;                 // [-20, 19]; kept (unused) under FIFO/RR, as Linux keeps static_prio
  bool reset_on_fork = false;   // SCHED_RESET_ON_FORK / SCHED_FLAG_RESET_ON_FORK
  std::uint64_t custom_slice_ns = 0;  // fair-class slice set via sched_attr.sched_runtime; 0: default
  std::optional<CpuMask> affinity;    // nullopt: every virtual CPU (the initial state)

  // The state a child created by clone/fork starts with (sched_fork()): a copy,
  // except that SCHED_RESET_ON_FORK puts FIFO/RR back to SCHED_OTHER with
  // priority 0 and nice 0, raises a negative nice to 0, drops a custom slice,
  // and is itself cleared in the child.
  SchedState for_child() const;

  // The affinity as sched_getaffinity reports it (cpus_mask & cpu_active_mask).
  CpuMask affinity_on(const VirtualCpuSet& cpus) const;
  // se.slice: the custom slice or the default one.
  std::uint64_t slice_ns(int cpus) const;
  // What sched_rr_get_interval reports, in ns: the RR time slice under SCHED_RR
  // (`rr_timeslice_ns`, whole jiffies), 0 under FIFO, and the fair slice
  // truncated to whole jiffies under OTHER/BATCH/IDLE (0 for the default slice
  // at HZ=250).
  std::uint64_t rr_interval_ns(int cpus, std::uint64_t rr_timeslice_ns) const;
  // get_params(): priority for FIFO/RR; nice and runtime (the slice) otherwise.
  void get_params(SchedAttr& attr, int cpus) const;
  // What sched_getattr reports (size left 0 for the caller to fill in).
  SchedAttr getattr(int cpus) const;
};

// Who changes whom: the caller's credentials, the target task's credentials
// and resource limits (Linux checks RLIMIT_RTPRIO and RLIMIT_NICE of the
// target: task_rlimit(p, ...)).
struct SchedAccess {
  const Credentials& caller;
  const Credentials& target;
  const ResourceLimits& target_limits;
};

// check_same_owner(): the caller's euid is the target's euid or ruid.
bool check_same_owner(const Credentials& caller, const Credentials& target);

// A request as __sched_setscheduler() receives it (a struct sched_attr with an
// int policy: kSetparamPolicy keeps the current one).
struct SchedRequest {
  int policy = kSetparamPolicy;
  std::uint64_t flags = 0;
  int nice = 0;
  std::uint32_t priority = 0;
  std::uint64_t runtime = 0;
  std::uint64_t deadline = 0;
  std::uint64_t period = 0;
  std::uint32_t util_min = 0;
  std::uint32_t util_max = 0;
};

// __sched_setscheduler(p, attr, user=true): validates `req`, checks the
// caller's permission and applies it to `p`. Returns 0 or a positive errno.
int set_scheduler(SchedState& p, const SchedRequest& req, const SchedAccess& access,
                  const VirtualCpuSet& cpus);

// sched_setaffinity() on the model: EPERM unless same owner or CAP_SYS_NICE;
// EINVAL if `requested` holds no CPU of the machine; otherwise stores the
// clipped mask. Returns 0 or a positive errno.
int set_affinity(SchedState& p, const CpuMask& requested, const SchedAccess& access,
                 const VirtualCpuSet& cpus);

// setpriority()'s set_one_prio(): `error` is the running result (ESRCH before
// any task matched); returns the new running result (0 or a positive errno).
int set_one_prio(SchedState& p, int nice, int error, const SchedAccess& access);

}  // namespace sentry::kernel
