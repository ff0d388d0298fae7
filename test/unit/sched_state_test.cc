// The scheduling model without syscalls: CPU masks over virtual CPUs, the
// kernel's cpumask size, sched_fork()'s reset-on-fork rules, and the
// permission and validation rules of __sched_setscheduler / setpriority.
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <cerrno>
#include <cstring>

#include "sentry/kernel/sched_state.h"
#include "sentry/kernel/virtual_cpus.h"

using namespace sentry::kernel;

namespace {

constexpr int kCapSysNice = 23;

Credentials root() {
  Credentials c;
  c.cap_effective = c.cap_permitted = ~0ull >> 23;  // bits 0..40
  return c;
}

Credentials user(uid_t uid) {
  Credentials c;
  c.ruid = c.euid = c.suid = c.fsuid = uid;
  c.rgid = c.egid = c.sgid = c.fsgid = uid;
  return c;
}

ResourceLimits limits(std::uint64_t rtprio, std::uint64_t nice) {
  ResourceLimits l;
  l.limits[RLIMIT_RTPRIO] = {rtprio, rtprio};
  l.limits[RLIMIT_NICE] = {nice, nice};
  return l;
}

SchedRequest policy_req(int policy, unsigned prio, const SchedState& p) {
  SchedRequest r;
  r.policy = policy;
  r.priority = prio;
  r.nice = p.nice;
  r.runtime = p.custom_slice_ns;
  return r;
}

}  // namespace

TEST_CASE("sched model: kernel cpumask size is nr_cpu_ids rounded up to longs") {
  CHECK(cpumask_size_bytes(1) == 8);
  CHECK(cpumask_size_bytes(2) == 8);
  CHECK(cpumask_size_bytes(3) == 8);
  CHECK(cpumask_size_bytes(64) == 8);
  CHECK(cpumask_size_bytes(65) == 16);
  CHECK(cpumask_size_bytes(128) == 16);
  CHECK(cpumask_size_bytes(129) == 24);
  CHECK(cpumask_size_bytes(1024) == 128);
  CHECK(VirtualCpuSet(3).mask_bytes() == 8);
  CHECK(VirtualCpuSet(65).mask_bytes() == 16);
  // Out-of-range machine sizes are clamped.
  CHECK(VirtualCpuSet(0).count() == 1);
  CHECK(VirtualCpuSet(5000).count() == kMaxCpus);
}

TEST_CASE("sched model: CpuMask bits, bytes and iteration") {
  CpuMask m;
  CHECK(m.empty());
  CHECK(m.first() == -1);
  m.set(0);
  m.set(9);
  m.set(64);
  m.set(1023);
  m.set(1024);  // out of range: ignored
  m.set(-1);
  CHECK(m.count() == 4);
  CHECK(m.first() == 0);
  CHECK(m.next(0) == 9);
  CHECK(m.next(9) == 64);
  CHECK(m.next(64) == 1023);
  CHECK(m.next(1023) == -1);
  CHECK(m.test(64));
  CHECK_FALSE(m.test(63));
  m.reset(9);
  CHECK_FALSE(m.test(9));

  unsigned char bytes[128];
  std::memset(bytes, 0xee, sizeof(bytes));
  m.to_bytes(bytes, sizeof(bytes));
  CHECK(bytes[0] == 0x01);
  CHECK(bytes[1] == 0x00);
  CHECK(bytes[8] == 0x01);  // CPU 64: first byte of the second long
  CHECK(bytes[127] == 0x80);
  CHECK(CpuMask::from_bytes(bytes, sizeof(bytes)) == m);
  // A short buffer holds only its own bits.
  CpuMask low = CpuMask::from_bytes(bytes, 8);
  CHECK(low.count() == 1);
  CHECK(low.test(0));

  CHECK(CpuMask::first_n(3).count() == 3);
  CHECK(CpuMask::first_n(64).count() == 64);
  CHECK(CpuMask::first_n(65).test(64));
  CHECK_FALSE(CpuMask::first_n(65).test(65));
  CHECK(CpuMask::first_n(2).is_subset_of(CpuMask::first_n(3)));
  CHECK_FALSE(CpuMask::first_n(3).is_subset_of(CpuMask::first_n(2)));
}

TEST_CASE("sched model: masks are clipped to the virtual CPUs") {
  VirtualCpuSet cpus(3);
  CpuMask req;
  req.set(0);
  req.set(2);
  req.set(3);
  req.set(1000);
  CpuMask clipped = cpus.clip(req);
  CHECK(clipped.count() == 2);
  CHECK(clipped.test(0));
  CHECK(clipped.test(2));

  CpuMask far;
  far.set(1000);
  CHECK(cpus.clip(far).empty());

  // The initial state is every virtual CPU.
  SchedState s;
  CHECK(s.affinity_on(cpus) == CpuMask::first_n(3));
  CHECK(s.affinity_on(VirtualCpuSet(65)).count() == 65);

  // set_affinity stores the clipped mask and refuses an empty one.
  Credentials r = root();
  ResourceLimits l;
  SchedAccess self{r, r, l};
  CHECK(set_affinity(s, far, self, cpus) == EINVAL);
  CHECK_FALSE(s.affinity.has_value());
  CHECK(set_affinity(s, CpuMask{}, self, cpus) == EINVAL);
  CHECK(set_affinity(s, req, self, cpus) == 0);
  CHECK(s.affinity_on(cpus) == clipped);
}

TEST_CASE("sched model: for_child without reset-on-fork copies everything") {
  SchedState p;
  p.policy = kSchedFifo;
  p.rt_priority = 10;
  p.nice = -3;
  p.custom_slice_ns = 5'000'000;
  CpuMask one;
  one.set(1);
  p.affinity = one;
  SchedState c = p.for_child();
  CHECK(c.policy == kSchedFifo);
  CHECK(c.rt_priority == 10);
  CHECK(c.nice == -3);
  CHECK(c.custom_slice_ns == 5'000'000);
  CHECK_FALSE(c.reset_on_fork);
  REQUIRE(c.affinity.has_value());
  CHECK(*c.affinity == one);
}

TEST_CASE("sched model: for_child with reset-on-fork (sched_fork)") {
  CpuMask one;
  one.set(2);

  SECTION("RT goes back to SCHED_OTHER, priority 0, nice 0") {
    SchedState p;
    p.policy = kSchedRr;
    p.rt_priority = 20;
    p.nice = 5;  // even a positive nice is reset for an RT parent
    p.reset_on_fork = true;
    p.affinity = one;
    SchedState c = p.for_child();
    CHECK(c.policy == kSchedNormal);
    CHECK(c.rt_priority == 0);
    CHECK(c.nice == 0);
    CHECK_FALSE(c.reset_on_fork);
    REQUIRE(c.affinity.has_value());
    CHECK(*c.affinity == one);  // affinity is always inherited
  }
  SECTION("a negative nice is raised to 0, the fair policy kept") {
    SchedState p;
    p.policy = kSchedBatch;
    p.nice = -3;
    p.custom_slice_ns = 5'000'000;
    p.reset_on_fork = true;
    SchedState c = p.for_child();
    CHECK(c.policy == kSchedBatch);
    CHECK(c.nice == 0);
    CHECK(c.custom_slice_ns == 0);
    CHECK_FALSE(c.reset_on_fork);
  }
  SECTION("a positive nice is kept") {
    SchedState p;
    p.nice = 5;
    p.reset_on_fork = true;
    SchedState c = p.for_child();
    CHECK(c.policy == kSchedNormal);
    CHECK(c.nice == 5);
    CHECK_FALSE(c.reset_on_fork);
  }
  SECTION("SCHED_IDLE stays SCHED_IDLE") {
    SchedState p;
    p.policy = kSchedIdle;
    p.nice = -5;
    p.reset_on_fork = true;
    SchedState c = p.for_child();
    CHECK(c.policy == kSchedIdle);
    CHECK(c.nice == 0);
  }
}

TEST_CASE("sched model: default slice and reported intervals") {
  CHECK(base_slice_ns(1) == 700'000);
  CHECK(base_slice_ns(2) == 1'400'000);
  CHECK(base_slice_ns(3) == 1'400'000);
  CHECK(base_slice_ns(4) == 2'100'000);
  CHECK(base_slice_ns(8) == 2'800'000);
  CHECK(base_slice_ns(64) == 2'800'000);

  SchedState s;
  CHECK(s.rr_interval_ns(2, 100'000'000) == 0);  // below one jiffy at HZ=250
  s.custom_slice_ns = 5'000'000;
  CHECK(s.rr_interval_ns(2, 100'000'000) == 4'000'000);  // one whole jiffy
  s.policy = kSchedFifo;
  s.rt_priority = 1;
  CHECK(s.rr_interval_ns(2, 100'000'000) == 0);
  s.policy = kSchedRr;
  CHECK(s.rr_interval_ns(2, 100'000'000) == 100'000'000);

  SchedState o;
  o.nice = 4;
  o.reset_on_fork = true;
  SchedAttr a = o.getattr(2);
  CHECK(a.sched_policy == kSchedNormal);
  CHECK(a.sched_flags == kSchedFlagResetOnFork);
  CHECK(a.sched_nice == 4);
  CHECK(a.sched_runtime == 1'400'000);
  CHECK(a.sched_util_min == 0);
  CHECK(a.sched_util_max == 0);
  o.policy = kSchedFifo;
  o.rt_priority = 42;
  a = o.getattr(2);
  CHECK(a.sched_priority == 42);
  CHECK(a.sched_nice == 0);  // not reported for RT
  CHECK(a.sched_runtime == 0);
}

TEST_CASE("sched model: set_scheduler validation precedes permission") {
  VirtualCpuSet cpus(2);
  Credentials nobody = user(65534);
  ResourceLimits none = limits(0, 0);
  SchedAccess self{nobody, nobody, none};
  SchedState p;
  CHECK(set_scheduler(p, policy_req(kSchedFifo, 100, p), self, cpus) == EINVAL);
  CHECK(set_scheduler(p, policy_req(kSchedFifo, 0, p), self, cpus) == EINVAL);
  CHECK(set_scheduler(p, policy_req(kSchedNormal, 1, p), self, cpus) == EINVAL);
  CHECK(set_scheduler(p, policy_req(4, 0, p), self, cpus) == EINVAL);
  CHECK(set_scheduler(p, policy_req(kSchedExt, 0, p), self, cpus) == EINVAL);
  CHECK(set_scheduler(p, policy_req(kSchedFifo, 1, p), self, cpus) == EPERM);
  CHECK(set_scheduler(p, policy_req(kSchedRr, 1, p), self, cpus) == EPERM);
  CHECK(p.policy == kSchedNormal);
  SchedRequest bad_flag = policy_req(kSchedNormal, 0, p);
  bad_flag.flags = 0x80;
  CHECK(set_scheduler(p, bad_flag, self, cpus) == EINVAL);
}

TEST_CASE("sched model: privileged RT, setparam, shortcut and KEEP_PARAMS") {
  VirtualCpuSet cpus(2);
  Credentials r = root();
  ResourceLimits l = limits(0, 0);
  SchedAccess self{r, r, l};
  SchedState p;
  REQUIRE(r.has_capability(kCapSysNice));
  CHECK(set_scheduler(p, policy_req(kSchedFifo, 99, p), self, cpus) == 0);
  CHECK(p.policy == kSchedFifo);
  CHECK(p.rt_priority == 99);
  // sched_setparam: the policy stays.
  CHECK(set_scheduler(p, policy_req(kSetparamPolicy, 50, p), self, cpus) == 0);
  CHECK(p.policy == kSchedFifo);
  CHECK(p.rt_priority == 50);
  CHECK(set_scheduler(p, policy_req(kSetparamPolicy, 0, p), self, cpus) == EINVAL);
  // KEEP_PARAMS: accepted, nothing but the reset flag changes.
  SchedRequest keep = policy_req(kSchedNormal, 0, p);
  keep.flags = kSchedFlagKeepParams | kSchedFlagResetOnFork;
  CHECK(set_scheduler(p, keep, self, cpus) == 0);
  CHECK(p.policy == kSchedFifo);
  CHECK(p.reset_on_fork);
  CHECK(set_scheduler(p, policy_req(kSchedNormal, 0, p), self, cpus) == 0);
  CHECK(p.policy == kSchedNormal);
  CHECK(p.rt_priority == 0);
  CHECK_FALSE(p.reset_on_fork);
  // A custom slice is clamped to [0.1 ms, 100 ms].
  SchedRequest slice = policy_req(kSchedNormal, 0, p);
  slice.runtime = 1;
  CHECK(set_scheduler(p, slice, self, cpus) == 0);
  CHECK(p.custom_slice_ns == kSliceMinNs);
  slice.runtime = 1'000'000'000;
  CHECK(set_scheduler(p, slice, self, cpus) == 0);
  CHECK(p.custom_slice_ns == kSliceMaxNs);
  // SCHED_IDLE keeps nice (it is not a fair_policy()).
  SchedRequest idle = policy_req(kSchedIdle, 0, p);
  idle.nice = 7;
  CHECK(set_scheduler(p, idle, self, cpus) == 0);
  CHECK(p.policy == kSchedIdle);
  CHECK(p.nice == 0);
}

TEST_CASE("sched model: unsupported parts are refused as the modelled kernel does") {
  VirtualCpuSet cpus(2);
  Credentials r = root();
  ResourceLimits l;
  SchedAccess self{r, r, l};
  SchedState p;
  SchedRequest clamp = policy_req(kSchedNormal, 0, p);
  clamp.flags = kSchedFlagUtilClampMin;
  CHECK(set_scheduler(p, clamp, self, cpus) == EOPNOTSUPP);
  SchedRequest dl = policy_req(kSchedDeadline, 0, p);
  CHECK(set_scheduler(p, dl, self, cpus) == EINVAL);  // deadline 0
  dl.runtime = 10'000'000;
  dl.deadline = 30'000'000;
  dl.period = 100'000'000;
  CHECK(set_scheduler(p, dl, self, cpus) == EBUSY);
  Credentials nobody = user(65534);
  SchedAccess unpriv{nobody, nobody, l};
  CHECK(set_scheduler(p, dl, unpriv, cpus) == EPERM);
  CpuMask one;
  one.set(0);
  p.affinity = one;
  CHECK(set_scheduler(p, dl, self, cpus) == EPERM);
  CHECK(p.policy == kSchedNormal);
}

TEST_CASE("sched model: unprivileged rules (RLIMIT_RTPRIO, IDLE, reset flag, owner)") {
  VirtualCpuSet cpus(2);
  Credentials nobody = user(65534);
  SECTION("RLIMIT_RTPRIO allows RT up to the limit") {
    ResourceLimits l = limits(10, 0);
    SchedAccess self{nobody, nobody, l};
    SchedState p;
    CHECK(set_scheduler(p, policy_req(kSchedFifo, 11, p), self, cpus) == EPERM);
    CHECK(set_scheduler(p, policy_req(kSchedFifo, 10, p), self, cpus) == 0);
    CHECK(set_scheduler(p, policy_req(kSchedFifo, 5, p), self, cpus) == 0);  // lowering is fine
    CHECK(set_scheduler(p, policy_req(kSchedNormal, 0, p), self, cpus) == 0);
  }
  SECTION("SCHED_IDLE may be entered but not left without RLIMIT_NICE headroom") {
    ResourceLimits l = limits(0, 0);
    SchedAccess self{nobody, nobody, l};
    SchedState p;
    p.nice = 10;
    CHECK(set_scheduler(p, policy_req(kSchedBatch, 0, p), self, cpus) == 0);
    CHECK(set_scheduler(p, policy_req(kSchedIdle, 0, p), self, cpus) == 0);
    CHECK(set_scheduler(p, policy_req(kSchedNormal, 0, p), self, cpus) == EPERM);
    CHECK(p.policy == kSchedIdle);
    ResourceLimits roomy = limits(0, 10);  // nice 10 -> rlimit 10
    SchedAccess with_room{nobody, nobody, roomy};
    CHECK(set_scheduler(p, policy_req(kSchedNormal, 0, p), with_room, cpus) == 0);
  }
  SECTION("SCHED_RESET_ON_FORK cannot be cleared") {
    ResourceLimits l = limits(0, 0);
    SchedAccess self{nobody, nobody, l};
    SchedState p;
    p.reset_on_fork = true;
    CHECK(set_scheduler(p, policy_req(kSchedNormal, 0, p), self, cpus) == EPERM);
    SchedRequest keep = policy_req(kSchedBatch, 0, p);
    keep.flags = kSchedFlagResetOnFork;
    CHECK(set_scheduler(p, keep, self, cpus) == 0);
    CHECK(p.policy == kSchedBatch);
    CHECK(p.reset_on_fork);
  }
  SECTION("lowering nice via sched_setattr needs RLIMIT_NICE or privilege") {
    ResourceLimits l = limits(0, 0);
    SchedAccess self{nobody, nobody, l};
    SchedState p;
    p.nice = 5;
    SchedRequest r = policy_req(kSchedNormal, 0, p);
    r.nice = 0;
    CHECK(set_scheduler(p, r, self, cpus) == EPERM);
    r.nice = 10;
    CHECK(set_scheduler(p, r, self, cpus) == 0);
    CHECK(p.nice == 10);
  }
  SECTION("another user's task") {
    Credentials r = root();
    ResourceLimits l;
    SchedAccess other{nobody, r, l};
    SchedState p;
    CHECK(set_scheduler(p, policy_req(kSchedNormal, 0, p), other, cpus) == EPERM);
    CHECK(set_affinity(p, CpuMask::first_n(1), other, cpus) == EPERM);
    CHECK(set_one_prio(p, 19, ESRCH, other) == EPERM);
    // Root may change anybody's.
    SchedAccess rooted{r, nobody, l};
    CHECK(set_scheduler(p, policy_req(kSchedNormal, 0, p), rooted, cpus) == 0);
    CHECK(set_affinity(p, CpuMask::first_n(1), rooted, cpus) == 0);
    // Matching the target's real uid is enough (check_same_owner).
    Credentials setuid_ish = user(1000);
    setuid_ish.euid = 65534;
    CHECK(check_same_owner(nobody, setuid_ish));
    CHECK_FALSE(check_same_owner(user(1000), nobody));
  }
}

TEST_CASE("sched model: set_one_prio (setpriority)") {
  Credentials nobody = user(65534);
  ResourceLimits l = limits(0, 0);
  SchedAccess self{nobody, nobody, l};
  SchedState p;
  p.nice = 5;
  CHECK(set_one_prio(p, 4, ESRCH, self) == EACCES);
  CHECK(p.nice == 5);
  CHECK(set_one_prio(p, 10, ESRCH, self) == 0);
  CHECK(p.nice == 10);
  // A later success does not hide an earlier failure.
  CHECK(set_one_prio(p, 12, EACCES, self) == EACCES);
  CHECK(p.nice == 12);
  ResourceLimits roomy = limits(0, 30);  // down to nice -10
  SchedAccess with_room{nobody, nobody, roomy};
  CHECK(set_one_prio(p, -10, ESRCH, with_room) == 0);
  CHECK(set_one_prio(p, -11, ESRCH, with_room) == EACCES);
  Credentials r = root();
  SchedAccess privileged{r, r, l};
  CHECK(set_one_prio(p, -20, ESRCH, privileged) == 0);
  CHECK(p.nice == -20);
}

TEST_CASE("sched model: virtual CPUs placed on host CPUs") {
  HostCpuMap two({0, 1});
  CHECK(two.host_cpu_of(0) == 0);
  CHECK(two.host_cpu_of(1) == 1);
  CHECK(two.host_cpu_of(2) == 0);
  CHECK(two.host_cpu_of(3) == 1);
  CpuMask v;
  v.set(2);
  CpuMask h = two.host_mask_for(v);
  CHECK(h.count() == 1);
  CHECK(h.test(0));
  CHECK(two.host_mask_for(CpuMask::first_n(3)) == CpuMask::first_n(2));

  CpuMask allowed = CpuMask::first_n(3);
  CHECK(two.virtual_cpu_on(1, allowed) == 1);
  CHECK(two.virtual_cpu_on(0, allowed) == 0);
  CHECK(two.virtual_cpu_on(7, allowed) == 0);   // not a placement: lowest allowed
  CHECK(two.virtual_cpu_on(-1, allowed) == 0);
  CHECK(two.virtual_cpu_on(0, v) == 2);
  CHECK(two.virtual_cpu_on(1, v) == 2);         // only CPU 2 allowed
  CHECK(two.virtual_cpu_on(0, CpuMask{}) == -1);

  // A restricted host (taskset 2,3): v -> 2, 3, 2, ...
  HostCpuMap restricted({3, 2});
  CHECK(restricted.host_cpu_of(0) == 2);
  CHECK(restricted.host_cpu_of(1) == 3);
  CHECK(restricted.host_cpu_of(2) == 2);

  HostCpuMap unknown({});
  CHECK_FALSE(unknown.known());
  CHECK(unknown.host_cpu_of(0) == -1);
  CHECK(unknown.host_mask_for(allowed).empty());
  CHECK(HostCpuMap::current().known());
}
