#include "sentry/kernel/virtual_cpus.h"

#include <sched.h>

#include <algorithm>
#include <bit>
#include <cstring>

namespace sentry::kernel {

CpuMask CpuMask::first_n(int n) {
  CpuMask m;
  n = std::clamp(n, 0, kMaxCpus);
  for (int w = 0; w < kWords && n > 0; ++w, n -= 64)
    m.words_[w] = n >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << n) - 1;
  return m;
}

CpuMask CpuMask::from_bytes(const void* bytes, std::size_t len) {
  CpuMask m;
  const auto* p = static_cast<const unsigned char*>(bytes);
  len = std::min(len, sizeof(std::uint64_t) * kWords);
  for (std::size_t i = 0; i < len; ++i)
    m.words_[i / 8] |= std::uint64_t{p[i]} << (8 * (i % 8));
  return m;
}

void CpuMask::to_bytes(void* out, std::size_t len) const {
  auto* p = static_cast<unsigned char*>(out);
  for (std::size_t i = 0; i < len; ++i)
    p[i] = i / 8 < kWords ? static_cast<unsigned char>(words_[i / 8] >> (8 * (i % 8))) : 0;
}

void CpuMask::set(int cpu) {
  if (cpu >= 0 && cpu < kMaxCpus) words_[cpu / 64] |= std::uint64_t{1} << (cpu % 64);
}

void CpuMask::reset(int cpu) {
  if (cpu >= 0 && cpu < kMaxCpus) words_[cpu / 64] &= ~(std::uint64_t{1} << (cpu % 64));
}

bool CpuMask::test(int cpu) const {
  return cpu >= 0 && cpu < kMaxCpus && ((words_[cpu / 64] >> (cpu % 64)) & 1) != 0;
}

int CpuMask::count() const {
  int n = 0;
  for (std::uint64_t w : words_) n += std::popcount(w);
  return n;
}

bool CpuMask::empty() const {
  return std::all_of(words_.begin(), words_.end(), [](std::uint64_t w) { return w == 0; });
}

int CpuMask::first() const { return next(-1); }

int CpuMask::next(int after) const {
  int cpu = after + 1;
  if (cpu < 0) cpu = 0;
  while (cpu < kMaxCpus) {
    std::uint64_t w = words_[cpu / 64] >> (cpu % 64);
    if (w != 0) return cpu + std::countr_zero(w);
    cpu = (cpu / 64 + 1) * 64;
  }
  return -1;
}

bool CpuMask::is_subset_of(const CpuMask& other) const {
  for (int i = 0; i < kWords; ++i)
    if ((words_[i] & ~other.words_[i]) != 0) return false;
  return true;
}

CpuMask& CpuMask::operator&=(const CpuMask& other) {
  for (int i = 0; i < kWords; ++i) words_[i] &= other.words_[i];
  return *this;
}

std::size_t cpumask_size_bytes(int cpus) {
  cpus = std::clamp(cpus, 1, kMaxCpus);
  return static_cast<std::size_t>((cpus + 63) / 64) * sizeof(std::uint64_t);
}

VirtualCpuSet::VirtualCpuSet(int cpus)
    : cpus_(std::clamp(cpus, 1, kMaxCpus)), all_(CpuMask::first_n(cpus_)) {}

HostCpuMap::HostCpuMap(std::vector<int> host_cpus) : host_cpus_(std::move(host_cpus)) {
  std::sort(host_cpus_.begin(), host_cpus_.end());
  host_cpus_.erase(std::unique(host_cpus_.begin(), host_cpus_.end()), host_cpus_.end());
}

const HostCpuMap& HostCpuMap::current() {
  static const HostCpuMap map = [] {
    std::vector<int> cpus;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof(set), &set) == 0) {
      for (int c = 0; c < CPU_SETSIZE; ++c)
        if (CPU_ISSET(c, &set)) cpus.push_back(c);
    }
    return HostCpuMap(std::move(cpus));
  }();
  return map;
}

int HostCpuMap::host_cpu_of(int v) const {
  if (host_cpus_.empty() || v < 0) return -1;
  return host_cpus_[static_cast<std::size_t>(v) % host_cpus_.size()];
}

CpuMask HostCpuMap::host_mask_for(const CpuMask& virt) const {
  CpuMask host;
  for (int v = virt.first(); v >= 0; v = virt.next(v)) host.set(host_cpu_of(v));
  return host;
}

bool HostCpuMap::pin(pid_t tid, const CpuMask& virt) const {
  if (!known()) return false;
  const CpuMask host = host_mask_for(virt);
  if (host.empty()) return false;
  cpu_set_t set;
  CPU_ZERO(&set);
  host.to_bytes(&set, std::min<std::size_t>(sizeof(set), kMaxCpus / 8));
  return ::sched_setaffinity(tid, sizeof(set), &set) == 0;
}

int HostCpuMap::virtual_cpu_on(int host_cpu, const CpuMask& allowed) const {
  if (host_cpu >= 0) {
    for (int v = allowed.first(); v >= 0; v = allowed.next(v))
      if (host_cpu_of(v) == host_cpu) return v;
  }
  return allowed.first();
}

}  // namespace sentry::kernel
