#include "sentry/kernel/sched_state.h"

#include <sys/resource.h>

#include <algorithm>
#include <bit>
#include <cerrno>

namespace sentry::kernel {
namespace {

constexpr int kCapSysNice = 23;  // CAP_SYS_NICE (linux/capability.h)

bool may_nice(const Credentials& caller) { return caller.has_capability(kCapSysNice); }

// is_nice_reduction(): `nice` is within the target's RLIMIT_NICE (soft limit).
bool is_nice_reduction(const ResourceLimits& limits, int nice) {
  return static_cast<std::uint64_t>(nice_to_rlimit(nice)) <= limits.get(RLIMIT_NICE).cur;
}

// __checkparam_dl() with the default sched_deadline_period_{min,max}_us.
bool checkparam_dl(const SchedRequest& r) {
  if (r.flags & kSchedFlagSugov) return true;
  if (r.deadline == 0) return false;
  if (r.runtime < (1ull << 10)) return false;  // DL_SCALE
  if ((r.deadline & (1ull << 63)) || (r.period & (1ull << 63))) return false;
  std::uint64_t period = r.period ? r.period : r.deadline;
  if (period < r.deadline || r.deadline < r.runtime) return false;
  return period >= kDlPeriodMinUs * 1000 && period <= kDlPeriodMaxUs * 1000;
}

// user_check_sched_setscheduler(): 0 or EPERM.
int user_check(const SchedState& p, const SchedRequest& req, int policy, bool reset_on_fork,
               const SchedAccess& access) {
  bool needs_privilege = false;
  if (fair_policy(policy) && req.nice < p.nice && !is_nice_reduction(access.target_limits, req.nice))
    needs_privilege = true;
  if (rt_policy(policy)) {
    const std::uint64_t rlim_rtprio = access.target_limits.get(RLIMIT_RTPRIO).cur;
    // Can't set/change the rt policy; can't increase the priority.
    if (policy != p.policy && rlim_rtprio == 0) needs_privilege = true;
    if (req.priority > p.rt_priority && req.priority > rlim_rtprio) needs_privilege = true;
  }
  if (dl_policy(policy)) needs_privilege = true;
  // SCHED_IDLE counts as nice 20: leaving it needs RLIMIT_NICE headroom.
  if (idle_policy(p.policy) && !idle_policy(policy) &&
      !is_nice_reduction(access.target_limits, p.nice))
    needs_privilege = true;
  if (!check_same_owner(access.caller, access.target)) needs_privilege = true;
  // Normal users shall not clear SCHED_RESET_ON_FORK.
  if (p.reset_on_fork && !reset_on_fork) needs_privilege = true;
  return needs_privilege && !may_nice(access.caller) ? EPERM : 0;
}

}  // namespace

std::uint64_t base_slice_ns(int cpus) {
  const unsigned n = static_cast<unsigned>(std::clamp(cpus, 1, 8));
  const unsigned factor = 1 + (std::bit_width(n) - 1);  // 1 + ilog2(n)
  return 700'000ull * factor;
}

SchedState SchedState::for_child() const {
  SchedState child = *this;
  if (reset_on_fork) {
    if (rt_policy(policy) || dl_policy(policy)) {
      child.policy = kSchedNormal;
      child.nice = 0;
      child.rt_priority = 0;
    } else if (nice < 0) {
      child.nice = 0;
    }
    child.custom_slice_ns = 0;
    child.reset_on_fork = false;
  }
  return child;
}

CpuMask SchedState::affinity_on(const VirtualCpuSet& cpus) const {
  return affinity ? cpus.clip(*affinity) : cpus.all();
}

std::uint64_t SchedState::slice_ns(int cpus) const {
  return custom_slice_ns ? custom_slice_ns : base_slice_ns(cpus);
}

std::uint64_t SchedState::rr_interval_ns(int cpus, std::uint64_t rr_timeslice_ns) const {
  if (policy == kSchedRr) return rr_timeslice_ns;
  if (policy == kSchedFifo) return 0;
  // get_rr_interval_fair(): NS_TO_JIFFIES(se->slice), reported in jiffies.
  return slice_ns(cpus) / kNsPerJiffy * kNsPerJiffy;
}

void SchedState::get_params(SchedAttr& attr, int cpus) const {
  if (rt_policy(policy)) {
    attr.sched_priority = rt_priority;
  } else {
    attr.sched_nice = nice;
    attr.sched_runtime = slice_ns(cpus);
  }
}

SchedAttr SchedState::getattr(int cpus) const {
  SchedAttr a;
  a.sched_policy = static_cast<std::uint32_t>(policy);
  if (reset_on_fork) a.sched_flags |= kSchedFlagResetOnFork;
  get_params(a, cpus);
  a.sched_flags &= kSchedFlagAll;
  // Without CONFIG_UCLAMP_TASK, sched_util_min/max stay 0.
  return a;
}

bool check_same_owner(const Credentials& caller, const Credentials& target) {
  return caller.euid == target.euid || caller.euid == target.ruid;
}

int set_scheduler(SchedState& p, const SchedRequest& req, const SchedAccess& access,
                  const VirtualCpuSet& cpus) {
  int policy = req.policy;
  bool reset_on_fork;
  if (policy < 0) {
    reset_on_fork = p.reset_on_fork;
    policy = p.policy;
  } else {
    reset_on_fork = (req.flags & kSchedFlagResetOnFork) != 0;
    if (!valid_policy(policy)) return EINVAL;
  }
  if (req.flags & ~(kSchedFlagAll | kSchedFlagSugov)) return EINVAL;
  // FIFO/RR take 1..99; every other policy takes 0.
  if (req.priority > kMaxRtPrio - 1) return EINVAL;
  if ((dl_policy(policy) && !checkparam_dl(req)) || (rt_policy(policy) != (req.priority != 0)))
    return EINVAL;

  if (int err = user_check(p, req, policy, reset_on_fork, access)) return err;
  if (req.flags & kSchedFlagSugov) return EINVAL;
  // uclamp_validate() without CONFIG_UCLAMP_TASK.
  if (req.flags & kSchedFlagUtilClamp) return EOPNOTSUPP;

  // Nothing changes but possibly the reset-on-fork flag.
  if (policy == p.policy) {
    const bool changes = (fair_policy(policy) && (req.nice != p.nice || req.runtime != p.slice_ns(cpus.count()))) ||
                         (rt_policy(policy) && req.priority != p.rt_priority);
    if (!changes) {
      p.reset_on_fork = reset_on_fork;
      return 0;
    }
  }

  if (dl_policy(policy)) {
    // SCHED_DEADLINE is validated and permission-checked like Linux, but never
    // admitted: the model has no deadline bandwidth to give (the answer Linux's
    // admission control gives, sched_dl_overflow(): EBUSY). A task whose
    // affinity is narrower than the root domain is refused first (EPERM), as in
    // __sched_setscheduler().
    if (!cpus.all().is_subset_of(p.affinity_on(cpus))) return EPERM;
    return EBUSY;
  }

  p.reset_on_fork = reset_on_fork;
  if (!(req.flags & kSchedFlagKeepParams)) {
    // __setscheduler_params()
    p.policy = policy;
    if (fair_policy(policy)) {  // __setparam_fair(); SCHED_IDLE keeps nice and slice
      p.nice = req.nice;
      p.custom_slice_ns = req.runtime ? std::clamp(req.runtime, kSliceMinNs, kSliceMaxNs) : 0;
    }
    p.rt_priority = req.priority;
  }
  return 0;
}

int set_affinity(SchedState& p, const CpuMask& requested, const SchedAccess& access,
                 const VirtualCpuSet& cpus) {
  if (!check_same_owner(access.caller, access.target) && !may_nice(access.caller)) return EPERM;
  CpuMask mask = cpus.clip(requested);
  if (mask.empty()) return EINVAL;
  p.affinity = mask;
  return 0;
}

int set_one_prio(SchedState& p, int nice, int error, const SchedAccess& access) {
  // set_one_prio_perm(): the target's ruid or euid is the caller's euid.
  const bool permitted = access.target.ruid == access.caller.euid ||
                         access.target.euid == access.caller.euid || may_nice(access.caller);
  if (!permitted) return EPERM;
  // can_nice()
  if (nice < p.nice && !is_nice_reduction(access.target_limits, nice) && !may_nice(access.caller))
    return EACCES;
  if (error == ESRCH) error = 0;
  p.nice = nice;
  return error;
}

}  // namespace sentry::kernel
