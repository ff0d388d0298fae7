// The guest's CPUs. The guest sees a machine with MachineConfig::cpus virtual
// CPUs numbered 0..cpus-1 (sentry run --cpus N); nothing it is told about CPUs
// (affinity masks, getcpu, the kernel's cpumask size) depends on the host.
//
//   CpuMask        a set of CPU numbers 0..1023 (Linux's NR_CPUS is at most a
//                  few thousand; 1024 is glibc's CPU_SETSIZE and plenty for a
//                  virtual machine), laid out in memory exactly like the
//                  kernel's unsigned long bitmap on a 64-bit little-endian host.
//   VirtualCpuSet  the machine: how many CPUs exist, the kernel's cpumask size
//                  in bytes, clipping a requested mask to the CPUs that exist.
//   HostCpuMap     how virtual CPUs are placed on host CPUs when sentry pins a
//                  guest thread (best effort; see sys_sched.cc).
#pragma once

#include <sys/types.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace sentry::kernel {

inline constexpr int kMaxCpus = 1024;

class CpuMask {
 public:
  CpuMask() = default;

  // CPUs 0..n-1 (n is clamped to [0, kMaxCpus]).
  static CpuMask first_n(int n);
  // A little-endian bitmap of `len` bytes (the guest's cpu_set_t bytes); bits
  // past kMaxCpus are ignored.
  static CpuMask from_bytes(const void* bytes, std::size_t len);
  // Writes the first `len` bytes of the bitmap (zero past kMaxCpus).
  void to_bytes(void* out, std::size_t len) const;

  void set(int cpu);
  void reset(int cpu);
  bool test(int cpu) const;
  int count() const;
  bool empty() const;
  int first() const;          // lowest CPU in the set, -1 if empty
  int next(int after) const;  // lowest CPU > after, -1 if none
  bool is_subset_of(const CpuMask& other) const;

  CpuMask& operator&=(const CpuMask& other);
  friend CpuMask operator&(CpuMask a, const CpuMask& b) { return a &= b; }
  friend bool operator==(const CpuMask& a, const CpuMask& b) = default;

 private:
  static constexpr int kWords = kMaxCpus / 64;
  std::array<std::uint64_t, kWords> words_{};
};

// The kernel's cpumask size in bytes for a machine with `cpus` CPUs: nr_cpu_ids
// rounded up to whole unsigned longs (what raw sched_getaffinity returns).
std::size_t cpumask_size_bytes(int cpus);

class VirtualCpuSet {
 public:
  // `cpus` is clamped to [1, kMaxCpus].
  explicit VirtualCpuSet(int cpus);

  int count() const { return cpus_; }              // nr_cpu_ids == online CPUs
  std::size_t mask_bytes() const { return cpumask_size_bytes(cpus_); }
  const CpuMask& all() const { return all_; }      // cpu_active_mask
  bool contains(int cpu) const { return cpu >= 0 && cpu < cpus_; }
  // `requested` without the CPUs the machine does not have.
  CpuMask clip(const CpuMask& requested) const { return requested & all_; }

 private:
  int cpus_;
  CpuMask all_;
};

// Placement of virtual CPUs on the host CPUs sentry may use: virtual CPU v runs
// on host_cpus[v % host_cpus.size()]. With as many host CPUs as virtual ones
// the mapping is the identity (on an unrestricted host).
class HostCpuMap {
 public:
  // `host_cpus`: the usable host CPU numbers, ascending; empty means "unknown"
  // (then nothing is ever pinned).
  explicit HostCpuMap(std::vector<int> host_cpus);
  // The CPUs sentry itself may run on (its own affinity when first asked).
  static const HostCpuMap& current();

  bool known() const { return !host_cpus_.empty(); }
  const std::vector<int>& host_cpus() const { return host_cpus_; }
  // The host CPU virtual CPU `v` is placed on (-1 if unknown).
  int host_cpu_of(int v) const;
  // The host CPUs the virtual CPUs of `virt` are placed on.
  CpuMask host_mask_for(const CpuMask& virt) const;
  // A virtual CPU of `allowed` that is placed on `host_cpu` (the lowest such),
  // else the lowest CPU of `allowed`; -1 if `allowed` is empty.
  int virtual_cpu_on(int host_cpu, const CpuMask& allowed) const;
  // Restricts host thread `tid` to the host CPUs of `virt` (the host's
  // sched_setaffinity). Best effort: false if the map is unknown or the host
  // refused. The launcher pins the root task to all virtual CPUs this way, so
  // that with fewer virtual than host CPUs the CPU numbers the guest reads
  // without a syscall (rseq cpu_id, the vDSO's getcpu) stay below --cpus.
  bool pin(pid_t tid, const CpuMask& virt) const;

 private:
  std::vector<int> host_cpus_;
};

}  // namespace sentry::kernel
