// The sched_* handlers, getpriority/setpriority and getcpu against the model,
// with the answers test/conformance/sched_affinity.cc and sched_policy.cc
// expect from Linux.
#include <catch2/catch.hpp>

#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>

#include <boost/asio/io_context.hpp>

#include "fake_guest_memory.h"
#include "fake_syscall.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/sched_state.h"
#include "sentry/syscalls/handler_table.h"
#include "sentry/syscalls/registry.h"

namespace sentry::syscalls {
void register_sched(Registry& r);
}

using namespace sentry;
using sentry::testing::FakeGuestMemory;
using sentry::testing::FakeSyscall;

namespace {

// Above PID_MAX_LIMIT (4194304): no host thread has these tids, so the
// handlers' best-effort host calls (pinning, /proc/<tid>/stat) find nothing.
constexpr pid_t kRoot = 5'000'000;
constexpr pid_t kThread = 5'000'001;
constexpr pid_t kChild = 5'000'002;

constexpr std::uint64_t kBuf = 0x10000;     // 4096 mapped bytes
constexpr std::uint64_t kBuf2 = 0x20000;    // 4096 mapped bytes
constexpr std::uint64_t kUnmapped = 0x900000;

constexpr std::uint32_t kVer0 = 48;
constexpr std::uint32_t kVer1 = 56;

kernel::Credentials root_creds() {
  kernel::Credentials c;
  c.cap_effective = c.cap_permitted = c.cap_bounding = (1ull << 41) - 1;
  return c;
}

kernel::Credentials nobody_creds() {
  kernel::Credentials c;
  c.ruid = c.euid = c.suid = c.fsuid = 65534;
  c.rgid = c.egid = c.sgid = c.fsgid = 65534;
  return c;
}

kernel::MachineConfig with_cpus(int cpus) {
  kernel::MachineConfig c;
  c.cpus = cpus;
  return c;
}

struct Machine {
  explicit Machine(int cpus) : kernel(io, with_cpus(cpus)) {
    syscalls::Registry r(slots.data(), static_cast<int>(slots.size()));
    syscalls::register_sched(r);
    kernel.tree.add_root(kRoot, "/bin/x");
    kernel.tree.task(kRoot)->creds = root_creds();
    mem.map(kBuf, 4096);
    mem.map(kBuf2, 4096);
  }

  std::int64_t run(std::string_view name, SyscallArgs args, pid_t tid = kRoot) {
    auto call = std::make_shared<FakeSyscall>(tid, name, args, mem);
    syscalls::SyscallHandler h = slots[static_cast<std::size_t>(call->nr())];
    REQUIRE(h != nullptr);
    h(kernel, call);
    REQUIRE(call->value.has_value());
    return *call->value;
  }

  std::vector<unsigned char> bytes(std::uint64_t addr, std::size_t n) {
    std::vector<unsigned char> v(n);
    REQUIRE(mem.read(addr, v.data(), n));
    return v;
  }
  void fill(std::uint64_t addr, unsigned char c, std::size_t n) {
    std::vector<unsigned char> v(n, c);
    REQUIRE(mem.write(addr, v.data(), n));
  }
  void put_mask(std::uint64_t addr, std::initializer_list<int> cpus, std::size_t n = 128) {
    std::vector<unsigned char> v(n, 0);
    for (int c : cpus) v[static_cast<std::size_t>(c / 8)] |= static_cast<unsigned char>(1u << (c % 8));
    REQUIRE(mem.write(addr, v.data(), n));
  }
  std::uint64_t get_mask_bits(pid_t pid = 0) {
    fill(kBuf2, 0, 128);
    REQUIRE(run("sched_getaffinity", {static_cast<std::uint64_t>(pid), 128, kBuf2}) > 0);
    std::uint64_t bits = 0;
    REQUIRE(mem.read_value(kBuf2, &bits));
    return bits;
  }
  std::int64_t set_policy(pid_t pid, int policy, int prio, pid_t caller = kRoot) {
    REQUIRE(mem.write_value(kBuf2, std::int32_t{prio}));
    return run("sched_setscheduler",
               {static_cast<std::uint64_t>(pid), static_cast<std::uint64_t>(static_cast<std::uint32_t>(policy)), kBuf2},
               caller);
  }
  std::int64_t get_prio(pid_t pid, pid_t caller = kRoot) {
    REQUIRE(mem.write_value(kBuf2, std::int32_t{-1}));
    std::int64_t r = run("sched_getparam", {static_cast<std::uint64_t>(pid), kBuf2}, caller);
    if (r != 0) return r;
    std::int32_t p = 0;
    REQUIRE(mem.read_value(kBuf2, &p));
    return p;
  }
  std::int64_t policy_of(pid_t pid, pid_t caller = kRoot) {
    return run("sched_getscheduler", {static_cast<std::uint64_t>(pid)}, caller);
  }
  std::int64_t raw_getpriority(int which, int who, pid_t caller = kRoot) {
    return run("getpriority", {static_cast<std::uint64_t>(which), static_cast<std::uint64_t>(static_cast<std::uint32_t>(who))}, caller);
  }
  std::int64_t setpriority(int which, int who, int nice, pid_t caller = kRoot) {
    return run("setpriority",
               {static_cast<std::uint64_t>(which), static_cast<std::uint64_t>(static_cast<std::uint32_t>(who)),
                static_cast<std::uint64_t>(static_cast<std::uint32_t>(nice))},
               caller);
  }

  boost::asio::io_context io;
  kernel::Kernel kernel;
  FakeGuestMemory mem;
  std::array<syscalls::SyscallHandler, 1024> slots{};
};

std::uint64_t neg(int v) { return static_cast<std::uint64_t>(static_cast<std::int64_t>(v)); }

}  // namespace

TEST_CASE("sys_sched: getaffinity returns min(len, cpumask_size()) and writes only that") {
  // cpumask_size() is the modelled kernel's NR_CPUS (kMaxCpus) in bytes.
  Machine m(3);
  m.fill(kBuf, 0xA5, 256);
  CHECK(m.run("sched_getaffinity", {0, 256, kBuf}) == 128);
  auto b = m.bytes(kBuf, 256);
  CHECK(b[0] == 0x07);
  for (int i = 1; i < 128; ++i) CHECK(b[static_cast<std::size_t>(i)] == 0);
  bool tail_untouched = true;
  for (std::size_t i = 128; i < 256; ++i) tail_untouched &= b[i] == 0xA5;
  CHECK(tail_untouched);
  // A shorter buffer that still holds nr_cpu_ids bits, and the caller by its tid.
  CHECK(m.run("sched_getaffinity", {0, 8, kBuf}) == 8);
  CHECK(m.run("sched_getaffinity", {kRoot, 128, kBuf}) == 128);
  // Only the low 32 bits of the length count (unsigned int len).
  CHECK(m.run("sched_getaffinity", {0, 0x100000008ull, kBuf}) == 8);
}

TEST_CASE("sys_sched: getaffinity length, pid and pointer errors") {
  Machine m(3);
  CHECK(m.run("sched_getaffinity", {0, 0, kBuf}) == -EINVAL);
  CHECK(m.run("sched_getaffinity", {0, 4, kBuf}) == -EINVAL);
  CHECK(m.run("sched_getaffinity", {0, 127, kBuf}) == -EINVAL);
  CHECK(m.run("sched_getaffinity", {0, 12, kBuf}) == -EINVAL);
  CHECK(m.run("sched_getaffinity", {0, 128, 0}) == -EFAULT);
  CHECK(m.run("sched_getaffinity", {neg(-1), 128, kBuf}) == -ESRCH);
  CHECK(m.run("sched_getaffinity", {INT_MAX, 128, kBuf}) == -ESRCH);

  Machine wide(65);
  CHECK(wide.run("sched_getaffinity", {0, 8, kBuf}) == -EINVAL);  // 64 bits < 65 CPUs
  wide.fill(kBuf, 0, 128);
  CHECK(wide.run("sched_getaffinity", {0, 128, kBuf}) == 128);
  auto b = wide.bytes(kBuf, 16);
  CHECK(b[7] == 0xff);
  CHECK(b[8] == 0x01);
  CHECK(b[9] == 0x00);

  Machine one(1);
  CHECK(one.run("sched_getaffinity", {0, 8, kBuf}) == 8);
  CHECK(one.bytes(kBuf, 1)[0] == 0x01);
}

TEST_CASE("sys_sched: setaffinity validation and clipping") {
  Machine m(3);
  m.put_mask(kBuf, {});
  CHECK(m.run("sched_setaffinity", {0, 128, kBuf}) == -EINVAL);
  m.put_mask(kBuf, {1000});
  CHECK(m.run("sched_setaffinity", {0, 128, kBuf}) == -EINVAL);
  m.put_mask(kBuf, {5});  // past the 3 virtual CPUs
  CHECK(m.run("sched_setaffinity", {0, 128, kBuf}) == -EINVAL);
  CHECK(m.run("sched_setaffinity", {0, 0, 0}) == -EINVAL);  // nothing read: empty
  CHECK(m.run("sched_setaffinity", {0, 8, 0}) == -EFAULT);
  CHECK(m.run("sched_setaffinity", {INT_MAX, 128, kBuf}) == -ESRCH);
  CHECK(m.run("sched_setaffinity", {neg(-1), 128, kBuf}) == -ESRCH);
  CHECK(m.get_mask_bits() == 0x7);  // failures changed nothing

  // An online CPU plus an out-of-range one: accepted, the latter dropped.
  m.put_mask(kBuf, {1, 1000});
  CHECK(m.run("sched_setaffinity", {0, 128, kBuf}) == 0);
  CHECK(m.get_mask_bits() == 0x2);
  // A buffer shorter than the cpumask: the rest is clear.
  m.put_mask(kBuf, {2});
  CHECK(m.run("sched_setaffinity", {0, 4, kBuf}) == 0);
  CHECK(m.get_mask_bits() == 0x4);
  // All ones: exactly the virtual CPUs.
  m.fill(kBuf, 0xff, 128);
  CHECK(m.run("sched_setaffinity", {0, 128, kBuf}) == 0);
  CHECK(m.get_mask_bits() == 0x7);
}

TEST_CASE("sys_sched: affinity is per thread and inherited by clone") {
  Machine m(3);
  m.kernel.tree.add_task(kRoot, kThread, kernel::CloneInfo{true, true});
  m.put_mask(kBuf, {2});
  CHECK(m.run("sched_setaffinity", {0, 128, kBuf}, kThread) == 0);
  CHECK(m.get_mask_bits(kThread) == 0x4);
  CHECK(m.get_mask_bits(0) == 0x7);
  CHECK(m.get_mask_bits(kRoot) == 0x7);
  // The main thread sets the sibling's by tid.
  m.put_mask(kBuf, {0});
  CHECK(m.run("sched_setaffinity", {static_cast<std::uint64_t>(kThread), 128, kBuf}) == 0);
  CHECK(m.get_mask_bits(kThread) == 0x1);
  CHECK(m.get_mask_bits(0) == 0x7);
  // A new task copies its creator's mask.
  m.kernel.tree.add_task(kThread, kChild, kernel::CloneInfo{});
  CHECK(m.get_mask_bits(kChild) == 0x1);
}

TEST_CASE("sys_sched: priority ranges") {
  Machine m(1);
  auto max = [&](int p) { return m.run("sched_get_priority_max", {static_cast<std::uint64_t>(static_cast<std::uint32_t>(p))}); };
  auto min = [&](int p) { return m.run("sched_get_priority_min", {static_cast<std::uint64_t>(static_cast<std::uint32_t>(p))}); };
  for (int p : {0, 3, 5, 6}) {
    CHECK(max(p) == 0);
    CHECK(min(p) == 0);
  }
  CHECK(max(1) == 99);
  CHECK(min(1) == 1);
  CHECK(max(2) == 99);
  CHECK(min(2) == 1);
  CHECK(max(4) == -EINVAL);
  CHECK(min(4) == -EINVAL);
  CHECK(min(42) == -EINVAL);
  CHECK(max(-1) == -EINVAL);
  CHECK(max(1 | kernel::kSchedResetOnFork) == -EINVAL);
}

TEST_CASE("sys_sched: FIFO as root, setparam, validation") {
  Machine m(2);
  CHECK(m.policy_of(0) == SCHED_OTHER);
  CHECK(m.get_prio(0) == 0);
  CHECK(m.set_policy(0, SCHED_FIFO, 99) == 0);
  CHECK(m.policy_of(0) == SCHED_FIFO);
  CHECK(m.get_prio(0) == 99);
  REQUIRE(m.mem.write_value(kBuf, std::int32_t{50}));
  CHECK(m.run("sched_setparam", {0, kBuf}) == 0);
  CHECK(m.policy_of(0) == SCHED_FIFO);
  CHECK(m.get_prio(0) == 50);
  REQUIRE(m.mem.write_value(kBuf, std::int32_t{0}));
  CHECK(m.run("sched_setparam", {0, kBuf}) == -EINVAL);
  // FIFO has no time slice.
  m.fill(kBuf, 0xff, 16);
  CHECK(m.run("sched_rr_get_interval", {0, kBuf}) == 0);
  std::int64_t ts[2];
  REQUIRE(m.mem.read(kBuf, ts, sizeof(ts)));
  CHECK(ts[0] == 0);
  CHECK(ts[1] == 0);
  CHECK(m.set_policy(0, SCHED_OTHER, 0) == 0);
  CHECK(m.get_prio(0) == 0);

  CHECK(m.set_policy(0, SCHED_FIFO, 0) == -EINVAL);
  CHECK(m.set_policy(0, SCHED_FIFO, 100) == -EINVAL);
  CHECK(m.set_policy(0, SCHED_FIFO, -1) == -EINVAL);
  CHECK(m.set_policy(0, SCHED_RR, 0) == -EINVAL);
  CHECK(m.set_policy(0, SCHED_OTHER, 1) == -EINVAL);
  CHECK(m.set_policy(0, SCHED_BATCH, 1) == -EINVAL);
  CHECK(m.set_policy(0, SCHED_IDLE, 1) == -EINVAL);
  CHECK(m.set_policy(0, 4, 0) == -EINVAL);
  CHECK(m.set_policy(0, 42, 0) == -EINVAL);
  CHECK(m.set_policy(0, -1, 0) == -EINVAL);
  CHECK(m.set_policy(-1, SCHED_OTHER, 0) == -EINVAL);
  CHECK(m.set_policy(INT_MAX, SCHED_OTHER, 0) == -ESRCH);
  CHECK(m.run("sched_setscheduler", {0, SCHED_OTHER, 0}) == -EINVAL);
  CHECK(m.run("sched_setscheduler", {0, SCHED_OTHER, kUnmapped}) == -EFAULT);
  CHECK(m.run("sched_getparam", {0, 0}) == -EINVAL);
  CHECK(m.run("sched_getparam", {0, kUnmapped}) == -EFAULT);
  CHECK(m.policy_of(-1) == -EINVAL);
  CHECK(m.policy_of(INT_MAX) == -ESRCH);
  CHECK(m.get_prio(-1) == -EINVAL);
  CHECK(m.get_prio(INT_MAX) == -ESRCH);
  CHECK(m.policy_of(0) == SCHED_OTHER);

  CHECK(m.set_policy(0, SCHED_BATCH, 0) == 0);
  CHECK(m.policy_of(0) == SCHED_BATCH);
  CHECK(m.set_policy(0, SCHED_IDLE, 0) == 0);
  CHECK(m.policy_of(0) == SCHED_IDLE);
  CHECK(m.set_policy(0, SCHED_OTHER, 0) == 0);
}

TEST_CASE("sys_sched: RT without privilege or RLIMIT_RTPRIO is EPERM") {
  Machine m(2);
  auto* g = m.kernel.tree.group_of(kRoot);
  m.kernel.tree.task(kRoot)->creds = nobody_creds();
  g->limits.limits[RLIMIT_RTPRIO] = {0, 0};
  g->limits.limits[RLIMIT_NICE] = {0, 0};
  CHECK(m.set_policy(0, SCHED_FIFO, 1) == -EPERM);
  CHECK(m.set_policy(0, SCHED_RR, 1) == -EPERM);
  CHECK(m.policy_of(0) == SCHED_OTHER);
  CHECK(m.set_policy(0, SCHED_FIFO, 100) == -EINVAL);  // before permission
  CHECK(m.set_policy(0, SCHED_BATCH, 0) == 0);
  CHECK(m.set_policy(0, SCHED_OTHER, 0) == 0);
  // SCHED_IDLE: in, but not out.
  CHECK(m.set_policy(0, SCHED_IDLE, 0) == 0);
  CHECK(m.set_policy(0, SCHED_OTHER, 0) == -EPERM);
  CHECK(m.policy_of(0) == SCHED_IDLE);
  // With a limit, RT up to it.
  g->limits.limits[RLIMIT_RTPRIO] = {10, 10};
  g->limits.limits[RLIMIT_NICE] = {40, 40};
  CHECK(m.set_policy(0, SCHED_FIFO, 11) == -EPERM);
  CHECK(m.set_policy(0, SCHED_FIFO, 10) == 0);
  CHECK(m.policy_of(0) == SCHED_FIFO);
}

TEST_CASE("sys_sched: SCHED_RESET_ON_FORK") {
  Machine m(2);
  CHECK(m.set_policy(0, SCHED_FIFO | kernel::kSchedResetOnFork, 20) == 0);
  CHECK(m.policy_of(0) == (SCHED_FIFO | kernel::kSchedResetOnFork));
  CHECK(m.get_prio(0) == 20);
  m.kernel.tree.add_task(kRoot, kChild, kernel::CloneInfo{});
  CHECK(m.policy_of(0, kChild) == SCHED_OTHER);
  CHECK(m.get_prio(0, kChild) == 0);

  CHECK(m.set_policy(0, SCHED_OTHER | kernel::kSchedResetOnFork, 0) == 0);
  CHECK(m.policy_of(0) == (SCHED_OTHER | kernel::kSchedResetOnFork));
  // Without privilege the flag cannot be cleared, only kept.
  m.kernel.tree.task(kRoot)->creds = nobody_creds();
  CHECK(m.set_policy(0, SCHED_OTHER, 0) == -EPERM);
  CHECK(m.set_policy(0, SCHED_BATCH | kernel::kSchedResetOnFork, 0) == 0);
  CHECK(m.policy_of(0) == (SCHED_BATCH | kernel::kSchedResetOnFork));
}

TEST_CASE("sys_sched: sched_getattr sizes and errors") {
  Machine m(3);
  // VER0: 48 bytes written, size 48, nothing past it.
  m.fill(kBuf, 0xee, 128);
  CHECK(m.run("sched_getattr", {0, kBuf, kVer0, 0}) == 0);
  kernel::SchedAttr a;
  REQUIRE(m.mem.read(kBuf, &a, sizeof(a)));
  CHECK(a.size == kVer0);
  CHECK(a.sched_policy == SCHED_OTHER);
  CHECK(a.sched_flags == 0);
  CHECK(a.sched_nice == 0);
  CHECK(a.sched_priority == 0);
  CHECK(a.sched_runtime == 1'400'000);  // the default slice for 3 CPUs
  CHECK(a.sched_deadline == 0);
  CHECK(a.sched_period == 0);
  CHECK(m.bytes(kBuf + kVer0, 1)[0] == 0xee);
  // A larger buffer: size reports 56 and the rest is zeroed.
  m.fill(kBuf, 0xee, 128);
  CHECK(m.run("sched_getattr", {0, kBuf, 120, 0}) == 0);
  REQUIRE(m.mem.read(kBuf, &a, sizeof(a)));
  CHECK(a.size == kVer1);
  CHECK(a.sched_util_min == 0);
  CHECK(a.sched_util_max == 0);
  auto tail = m.bytes(kBuf + kVer1, 120 - kVer1);
  bool zero = true;
  for (unsigned char c : tail) zero &= c == 0;
  CHECK(zero);
  CHECK(m.bytes(kBuf + 120, 1)[0] == 0xee);

  CHECK(m.run("sched_getattr", {0, kBuf, kVer0 - 1, 0}) == -EINVAL);
  CHECK(m.run("sched_getattr", {0, kBuf, 0, 0}) == -EINVAL);
  CHECK(m.run("sched_getattr", {0, kBuf, 4097, 0}) == -EINVAL);
  CHECK(m.run("sched_getattr", {0, kBuf, kVer0, 1}) == -EINVAL);
  CHECK(m.run("sched_getattr", {0, 0, kVer0, 0}) == -EINVAL);
  CHECK(m.run("sched_getattr", {neg(-1), kBuf, kVer0, 0}) == -EINVAL);
  CHECK(m.run("sched_getattr", {INT_MAX, kBuf, kVer0, 0}) == -ESRCH);
  CHECK(m.run("sched_getattr", {0, kUnmapped, kVer0, 0}) == -EFAULT);
}

TEST_CASE("sys_sched: sched_setattr") {
  Machine m(2);
  auto setattr = [&](const kernel::SchedAttr& a, std::uint64_t flags = 0, pid_t pid = 0) {
    REQUIRE(m.mem.write(kBuf, &a, sizeof(a)));
    return m.run("sched_setattr", {static_cast<std::uint64_t>(pid), kBuf, flags});
  };
  auto getattr = [&] {
    kernel::SchedAttr a;
    REQUIRE(m.run("sched_getattr", {0, kBuf2, kVer1, 0}) == 0);
    REQUIRE(m.mem.read(kBuf2, &a, sizeof(a)));
    return a;
  };
  m.fill(kBuf, 0, 256);

  kernel::SchedAttr a;
  a.size = kVer0;
  a.sched_policy = SCHED_OTHER;
  a.sched_nice = 5;
  CHECK(setattr(a) == 0);
  CHECK(getattr().sched_nice == 5);
  CHECK(m.raw_getpriority(PRIO_PROCESS, 0) == 15);

  // size 0 means VER0.
  a = {};
  a.sched_policy = SCHED_BATCH;
  a.sched_nice = 3;
  CHECK(setattr(a) == 0);
  CHECK(m.policy_of(0) == SCHED_BATCH);
  CHECK(getattr().sched_nice == 3);

  // Out-of-range nice is clamped.
  a = {};
  a.size = kVer0;
  a.sched_nice = 30;
  CHECK(setattr(a) == 0);
  CHECK(getattr().sched_nice == 19);

  // Sizes: below VER0 and a nonzero unknown tail are E2BIG with 56 written back.
  a = {};
  a.size = 40;
  CHECK(setattr(a) == -E2BIG);
  std::uint32_t size = 0;
  REQUIRE(m.mem.read_value(kBuf, &size));
  CHECK(size == kVer1);
  a = {};
  a.size = 128;
  REQUIRE(m.mem.write(kBuf, &a, sizeof(a)));
  REQUIRE(m.mem.write_value(kBuf + 70, std::uint8_t{1}));
  CHECK(m.run("sched_setattr", {0, kBuf, 0}) == -E2BIG);
  REQUIRE(m.mem.read_value(kBuf, &size));
  CHECK(size == kVer1);
  m.fill(kBuf, 0, 256);
  a = {};
  a.size = 128;
  CHECK(setattr(a) == 0);
  CHECK(getattr().sched_nice == 0);
  a.size = 8192;
  CHECK(setattr(a) == -E2BIG);

  // Flags, bad policy, FIFO priority, pointers and pids.
  a = {};
  a.size = kVer0;
  CHECK(setattr(a, 1) == -EINVAL);
  a.sched_policy = 42;
  CHECK(setattr(a) == -EINVAL);
  a.sched_policy = SCHED_FIFO;
  a.sched_priority = 0;
  CHECK(setattr(a) == -EINVAL);
  a.sched_priority = 100;
  CHECK(setattr(a) == -EINVAL);
  CHECK(m.run("sched_setattr", {0, 0, 0}) == -EINVAL);
  CHECK(setattr(a, 0, -1) == -EINVAL);
  CHECK(m.run("sched_setattr", {0, kUnmapped, 0}) == -EFAULT);
  a.sched_priority = 1;
  CHECK(setattr(a, 0, INT_MAX) == -ESRCH);

  // FIFO via setattr.
  a = {};
  a.size = kVer0;
  a.sched_policy = SCHED_FIFO;
  a.sched_priority = 42;
  CHECK(setattr(a) == 0);
  CHECK(m.policy_of(0) == SCHED_FIFO);
  CHECK(m.get_prio(0) == 42);
  CHECK(getattr().sched_priority == 42);

  // RESET_ON_FORK as an attr flag.
  a = {};
  a.size = kVer0;
  a.sched_flags = kernel::kSchedFlagResetOnFork;
  CHECK(setattr(a) == 0);
  CHECK(m.policy_of(0) == (SCHED_OTHER | kernel::kSchedResetOnFork));
  kernel::SchedAttr got = getattr();
  CHECK(got.sched_policy == SCHED_OTHER);
  CHECK(got.sched_flags == kernel::kSchedFlagResetOnFork);
  CHECK(m.set_policy(0, SCHED_OTHER, 0) == 0);
  CHECK(m.policy_of(0) == SCHED_OTHER);

  // Utilization clamps: this kernel has no CONFIG_UCLAMP_TASK.
  a = {};
  a.size = kVer1;
  a.sched_flags = kernel::kSchedFlagUtilClampMax;
  a.sched_util_max = 512;
  CHECK(setattr(a) == -EOPNOTSUPP);
  a.size = kVer0;
  CHECK(setattr(a) == -EINVAL);  // clamp fields need the VER1 size

  // A custom slice (sched_runtime) for the fair class.
  a = {};
  a.size = kVer0;
  a.sched_runtime = 5'000'000;
  CHECK(setattr(a) == 0);
  CHECK(getattr().sched_runtime == 5'000'000);
  m.fill(kBuf2, 0xff, 16);
  CHECK(m.run("sched_rr_get_interval", {0, kBuf2}) == 0);
  std::int64_t ts[2];
  REQUIRE(m.mem.read(kBuf2, ts, sizeof(ts)));
  CHECK(ts[0] == 0);
  CHECK(ts[1] == 4'000'000);

  // SCHED_DEADLINE: validated, never admitted.
  a = {};
  a.size = kVer0;
  a.sched_policy = 6;
  CHECK(setattr(a) == -EINVAL);
  a.sched_runtime = 10'000'000;
  a.sched_deadline = 30'000'000;
  a.sched_period = 100'000'000;
  CHECK(setattr(a) == -EBUSY);
  CHECK(m.policy_of(0) == SCHED_OTHER);
}

TEST_CASE("sys_sched: sched_setattr lowering nice without privilege is EPERM") {
  Machine m(2);
  m.kernel.tree.task(kRoot)->sched.nice = 5;
  auto* g = m.kernel.tree.group_of(kRoot);
  m.kernel.tree.task(kRoot)->creds = nobody_creds();
  g->limits.limits[RLIMIT_NICE] = {0, 0};
  kernel::SchedAttr a;
  a.size = kVer0;
  a.sched_nice = 0;
  REQUIRE(m.mem.write(kBuf, &a, sizeof(a)));
  CHECK(m.run("sched_setattr", {0, kBuf, 0}) == -EPERM);
}

TEST_CASE("sys_sched: sched_rr_get_interval") {
  Machine m(2);
  std::int64_t ts[2];
  m.fill(kBuf, 0xff, 16);
  CHECK(m.run("sched_rr_get_interval", {0, kBuf}) == 0);
  REQUIRE(m.mem.read(kBuf, ts, sizeof(ts)));
  CHECK(ts[0] == 0);
  CHECK(ts[1] == 0);
  CHECK(m.set_policy(0, SCHED_RR, 5) == 0);
  CHECK(m.run("sched_rr_get_interval", {kRoot, kBuf}) == 0);
  REQUIRE(m.mem.read(kBuf, ts, sizeof(ts)));
  CHECK(ts[0] == 0);
  CHECK(ts[1] > 0);
  CHECK(ts[1] % 4'000'000 == 0);  // whole jiffies
  CHECK(m.run("sched_rr_get_interval", {neg(-1), kBuf}) == -EINVAL);
  CHECK(m.run("sched_rr_get_interval", {INT_MAX, kBuf}) == -ESRCH);
  CHECK(m.run("sched_rr_get_interval", {0, 0}) == -EFAULT);
}

TEST_CASE("sys_sched: getpriority/setpriority") {
  Machine m(2);
  CHECK(m.raw_getpriority(PRIO_PROCESS, 0) == 20);
  CHECK(m.setpriority(PRIO_PROCESS, 0, 5) == 0);
  CHECK(m.raw_getpriority(PRIO_PROCESS, 0) == 15);
  CHECK(m.raw_getpriority(PRIO_PROCESS, kRoot) == 15);
  CHECK(m.setpriority(PRIO_PROCESS, 0, -5) == 0);
  CHECK(m.raw_getpriority(PRIO_PROCESS, 0) == 25);
  CHECK(m.setpriority(PRIO_PROCESS, 0, 100) == 0);
  CHECK(m.raw_getpriority(PRIO_PROCESS, 0) == 1);
  CHECK(m.setpriority(PRIO_PROCESS, 0, -100) == 0);
  CHECK(m.raw_getpriority(PRIO_PROCESS, 0) == 40);
  CHECK(m.setpriority(PRIO_PROCESS, 0, 0) == 0);
  CHECK(m.setpriority(42, 0, 0) == -EINVAL);
  CHECK(m.raw_getpriority(42, 0) == -EINVAL);
  CHECK(m.raw_getpriority(-1, 0) == -EINVAL);
  CHECK(m.setpriority(PRIO_PROCESS, INT_MAX, 0) == -ESRCH);
  CHECK(m.raw_getpriority(PRIO_PROCESS, INT_MAX) == -ESRCH);
  CHECK(m.raw_getpriority(PRIO_PROCESS, -5) == -ESRCH);
  // PRIO_USER: the caller's real uid (root here).
  CHECK(m.raw_getpriority(PRIO_USER, 0) == 20);
  CHECK(m.raw_getpriority(PRIO_USER, 12345) == -ESRCH);
  CHECK(m.setpriority(PRIO_USER, 12345, 0) == -ESRCH);

  // Nice is per thread.
  m.kernel.tree.add_task(kRoot, kThread, kernel::CloneInfo{true, true});
  CHECK(m.setpriority(PRIO_PROCESS, 0, 7, kThread) == 0);
  CHECK(m.raw_getpriority(PRIO_PROCESS, 0, kThread) == 13);
  CHECK(m.raw_getpriority(PRIO_PROCESS, 0) == 20);
  // PRIO_USER covers every task of the user; getpriority reports the highest.
  CHECK(m.raw_getpriority(PRIO_USER, 0) == 20);
  CHECK(m.setpriority(PRIO_USER, 0, 3) == 0);
  CHECK(m.raw_getpriority(PRIO_PROCESS, kThread) == 17);
  CHECK(m.raw_getpriority(PRIO_PROCESS, kRoot) == 17);
}

TEST_CASE("sys_sched: unprivileged nice and another user's task") {
  Machine m(2);
  CHECK(m.setpriority(PRIO_PROCESS, 0, 5) == 0);
  m.kernel.tree.add_task(kRoot, kChild, kernel::CloneInfo{});
  auto* g = m.kernel.tree.group_of(kChild);
  m.kernel.tree.task(kChild)->creds = nobody_creds();
  g->limits.limits[RLIMIT_RTPRIO] = {0, 0};
  g->limits.limits[RLIMIT_NICE] = {0, 0};
  CHECK(m.raw_getpriority(PRIO_PROCESS, 0, kChild) == 15);  // inherited nice 5
  CHECK(m.setpriority(PRIO_PROCESS, 0, 4, kChild) == -EACCES);
  CHECK(m.setpriority(PRIO_PROCESS, 0, 10, kChild) == 0);
  CHECK(m.setpriority(PRIO_PROCESS, 0, 9, kChild) == -EACCES);
  // Root's task: reading is allowed, changing is not.
  CHECK(m.setpriority(PRIO_PROCESS, kRoot, 19, kChild) == -EPERM);
  CHECK(m.set_policy(kRoot, SCHED_OTHER, 0, kChild) == -EPERM);
  CHECK(m.policy_of(kRoot, kChild) == SCHED_OTHER);
  CHECK(m.raw_getpriority(PRIO_PROCESS, kRoot, kChild) == 15);
  m.fill(kBuf, 0, 128);
  CHECK(m.run("sched_getaffinity", {static_cast<std::uint64_t>(kRoot), 128, kBuf}, kChild) == 128);
  CHECK(m.run("sched_setaffinity", {static_cast<std::uint64_t>(kRoot), 128, kBuf}, kChild) == -EPERM);
  // Root may change the nobody task.
  CHECK(m.setpriority(PRIO_PROCESS, kChild, -20) == 0);
  CHECK(m.raw_getpriority(PRIO_PROCESS, kChild) == 40);
}

TEST_CASE("sys_sched: PRIO_PGRP uses the host process group") {
  // The root task is this test process, so the host knows its process group.
  boost::asio::io_context io;
  kernel::Kernel k(io, with_cpus(2));
  std::array<syscalls::SyscallHandler, 1024> slots{};
  syscalls::Registry r(slots.data(), static_cast<int>(slots.size()));
  syscalls::register_sched(r);
  const pid_t self = ::getpid();
  k.tree.add_root(self, "/bin/x");
  k.tree.task(self)->creds = root_creds();
  FakeGuestMemory mem;
  auto run = [&](std::string_view name, SyscallArgs args) {
    auto call = std::make_shared<FakeSyscall>(self, name, args, mem);
    slots[static_cast<std::size_t>(call->nr())](k, call);
    REQUIRE(call->value.has_value());
    return *call->value;
  };
  CHECK(run("getpriority", {PRIO_PGRP, 0}) == 20);
  CHECK(run("getpriority", {PRIO_PGRP, static_cast<std::uint64_t>(::getpgrp())}) == 20);
  CHECK(run("setpriority", {PRIO_PGRP, 0, 4}) == 0);
  CHECK(run("getpriority", {PRIO_PROCESS, 0}) == 16);
  CHECK(run("getpriority", {PRIO_PGRP, 4'999'999}) == -ESRCH);
  CHECK(run("setpriority", {PRIO_PGRP, 4'999'999, 0}) == -ESRCH);
}

TEST_CASE("sys_sched: getcpu answers a CPU of the affinity, node 0") {
  Machine m(3);
  m.fill(kBuf, 0xff, 8);
  CHECK(m.run("getcpu", {kBuf, kBuf + 4, 0}) == 0);
  std::uint32_t cpu = 99, node = 99;
  REQUIRE(m.mem.read_value(kBuf, &cpu));
  REQUIRE(m.mem.read_value(kBuf + 4, &node));
  CHECK(cpu < 3);
  CHECK(node == 0);
  m.put_mask(kBuf2, {2});
  CHECK(m.run("sched_setaffinity", {0, 128, kBuf2}) == 0);
  CHECK(m.run("getcpu", {kBuf, 0, 0}) == 0);
  REQUIRE(m.mem.read_value(kBuf, &cpu));
  CHECK(cpu == 2);
  CHECK(m.run("getcpu", {0, 0, 0}) == 0);
  CHECK(m.run("getcpu", {kUnmapped, 0, 0}) == -EFAULT);
  CHECK(m.run("getcpu", {0, kUnmapped, 0}) == -EFAULT);
}
