// The limits model: do_prlimit's validation order (EINVAL before EPERM,
// RLIMIT_NOFILE's fs.nr_open ceiling even with CAP_SYS_RESOURCE), raising
// hard limits, prlimit64's permission rule, and the handlers through
// FakeSyscall.
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include <array>

#include "fake_syscall.h"
#include "sentry/kernel/credentials.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/resource_limits.h"

using namespace sentry;
using kernel::Limit;
using kernel::ResourceLimits;

namespace {

constexpr std::uint64_t kNrOpen = 1048576;
constexpr std::uint64_t kInf = RLIM64_INFINITY;

ResourceLimits sample() {
  ResourceLimits r;
  r.limits[RLIMIT_NOFILE] = {1024, 4096};
  r.limits[RLIMIT_CORE] = {0, 1000};
  return r;
}

}  // namespace

TEST_CASE("limits: validation") {
  ResourceLimits r = sample();
  CHECK(r.check_set(RLIM_NLIMITS, {1, 1}, true, kNrOpen) == -EINVAL);
  CHECK(r.check_set(~0ull, {1, 1}, true, kNrOpen) == -EINVAL);
  CHECK(r.check_set(RLIMIT_CORE, {100, 50}, true, kNrOpen) == -EINVAL);
  CHECK(r.check_set(RLIMIT_CORE, {kInf, 50}, true, kNrOpen) == -EINVAL);
  // EINVAL is first even when the change would also raise the hard limit.
  CHECK(r.check_set(RLIMIT_CORE, {2000, 1001}, false, kNrOpen) == -EINVAL);
  CHECK(r.check_set(RLIM_NLIMITS - 1, {1, 1}, false, kNrOpen) == 0);
}

TEST_CASE("limits: raising a hard limit needs CAP_SYS_RESOURCE") {
  ResourceLimits r = sample();
  CHECK(r.check_set(RLIMIT_CORE, {0, 999}, false, kNrOpen) == 0);  // lowering: anyone
  CHECK(r.check_set(RLIMIT_CORE, {1000, 1000}, false, kNrOpen) == 0);  // soft up to hard
  CHECK(r.check_set(RLIMIT_CORE, {0, 1001}, false, kNrOpen) == -EPERM);
  CHECK(r.check_set(RLIMIT_CORE, {0, kInf}, false, kNrOpen) == -EPERM);
  CHECK(r.check_set(RLIMIT_CORE, {0, kInf}, true, kNrOpen) == 0);
  Limit old;
  CHECK(r.set(RLIMIT_CORE, {5, 6}, false, kNrOpen, &old) == 0);
  CHECK((old.cur == 0 && old.max == 1000));
  CHECK((r.get(RLIMIT_CORE).cur == 5 && r.get(RLIMIT_CORE).max == 6));
  CHECK(r.set(RLIMIT_CORE, {5, 7}, false, kNrOpen) == -EPERM);
  CHECK(r.get(RLIMIT_CORE).max == 6);  // unchanged on failure
}

TEST_CASE("limits: RLIMIT_NOFILE above fs.nr_open is EPERM even with the capability") {
  ResourceLimits r = sample();
  CHECK(r.check_set(RLIMIT_NOFILE, {kInf, kInf}, true, kNrOpen) == -EPERM);
  CHECK(r.check_set(RLIMIT_NOFILE, {1024, kNrOpen + 1}, true, kNrOpen) == -EPERM);
  CHECK(r.check_set(RLIMIT_NOFILE, {kNrOpen, kNrOpen}, true, kNrOpen) == 0);
  CHECK(r.check_set(RLIMIT_NOFILE, {kNrOpen, kNrOpen}, false, kNrOpen) == -EPERM);
}

TEST_CASE("limits: prlimit64 permission on another task") {
  kernel::Credentials root, other_root, nobody;
  nobody.ruid = nobody.euid = nobody.suid = nobody.fsuid = 65534;
  nobody.rgid = nobody.egid = nobody.sgid = nobody.fsgid = 65534;
  CHECK(kernel::prlimit_permission(root, other_root, false) == 0);
  CHECK(kernel::prlimit_permission(nobody, root, false) == -EPERM);
  CHECK(kernel::prlimit_permission(nobody, nobody, true) == 0);
  CHECK(kernel::prlimit_permission(root, nobody, false) == -EPERM);  // no CAP_SYS_RESOURCE
  root.cap_effective = 1ull << 24;
  CHECK(kernel::prlimit_permission(root, nobody, false) == 0);
  // Only the target's saved uid differs: still a mismatch.
  kernel::Credentials setuid_target = root;
  setuid_target.suid = 1;
  CHECK(kernel::prlimit_permission(nobody, setuid_target, false) == -EPERM);
}

TEST_CASE("limits: from_host agrees with getrlimit") {
  ResourceLimits r = ResourceLimits::from_host();
  struct rlimit nofile {};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &nofile) == 0);
  CHECK(r.get(RLIMIT_NOFILE).cur == nofile.rlim_cur);
  CHECK(r.get(RLIMIT_NOFILE).max == nofile.rlim_max);
}

// --- Handlers. ---

namespace {

constexpr pid_t kTid = 5000001;    // beyond PID_MAX_LIMIT: no host process
constexpr pid_t kChild = 5000003;  // a second guest process

struct LimitsFixture {
  boost::asio::io_context io;
  kernel::Kernel k{io, kernel::MachineConfig{}};
  testing::FakeGuestMemory mem;

  LimitsFixture(pid_t root_tid = kTid) {
    k.tree.add_root(root_tid, "/bin/true");
    k.tree.group_of(root_tid)->limits = sample();
    k.tree.add_task(root_tid, kChild, kernel::CloneInfo{});
    mem.map(0x1000, 0x100);
  }
  void put(std::uint64_t addr, std::uint64_t cur, std::uint64_t max) {
    std::uint64_t v[2] = {cur, max};
    mem.write(addr, v, sizeof v);
  }
  std::pair<std::uint64_t, std::uint64_t> get(std::uint64_t addr) {
    std::uint64_t v[2] = {};
    mem.read(addr, v, sizeof v);
    return {v[0], v[1]};
  }
  std::shared_ptr<testing::FakeSyscall> run(std::string_view name, SyscallArgs args, pid_t tid = kTid) {
    return testing::run_handler(k, mem, tid, name, args);
  }
};

}  // namespace

TEST_CASE("limits handlers: reads answer from the model") {
  LimitsFixture f;
  CHECK(f.run("getrlimit", {RLIMIT_NOFILE, 0x1000})->value == 0);
  CHECK(f.get(0x1000) == std::make_pair<std::uint64_t, std::uint64_t>(1024, 4096));
  CHECK(f.run("prlimit64", {0, RLIMIT_CORE, 0, 0x1010})->value == 0);
  CHECK(f.get(0x1010) == std::make_pair<std::uint64_t, std::uint64_t>(0, 1000));
  CHECK(f.run("prlimit64", {0, RLIMIT_CORE, 0, 0})->value == 0);  // a no-op
  // Another guest process: its own limits (inherited here).
  CHECK(f.run("prlimit64", {kChild, RLIMIT_NOFILE, 0, 0x1020})->value == 0);
  CHECK(f.get(0x1020).first == 1024);
}

TEST_CASE("limits handlers: errors") {
  LimitsFixture f;
  CHECK(f.run("getrlimit", {RLIM_NLIMITS + 5, 0x1000})->value == -EINVAL);
  CHECK(f.run("prlimit64", {0, RLIM_NLIMITS, 0, 0x1000})->value == -EINVAL);
  CHECK(f.run("prlimit64", {0, static_cast<std::uint64_t>(-1), 0, 0x1000})->value == -EINVAL);
  CHECK(f.run("prlimit64", {0x7fffffff, RLIMIT_NOFILE, 0, 0x1000})->value == -ESRCH);
  CHECK(f.run("prlimit64", {static_cast<std::uint64_t>(-1), RLIMIT_NOFILE, 0, 0x1000})->value == -ESRCH);
  CHECK(f.run("prlimit64", {0, RLIMIT_NOFILE, 0, 8})->value == -EFAULT);
  CHECK(f.run("getrlimit", {RLIMIT_NOFILE, 0})->value == -EFAULT);
  f.put(0x1000, 100, 50);
  CHECK(f.run("setrlimit", {RLIMIT_CORE, 0x1000})->value == -EINVAL);
  f.put(0x1000, kInf, kInf);
  CHECK(f.run("prlimit64", {0, RLIMIT_NOFILE, 0x1000, 0})->value == -EPERM);
  f.put(0x1000, 0, 1001);  // raising CORE's hard limit without CAP_SYS_RESOURCE
  CHECK(f.run("setrlimit", {RLIMIT_CORE, 0x1000})->value == -EPERM);
  CHECK(f.run("setrlimit", {RLIMIT_CORE, 8})->value == -EFAULT);
  // A nobody task may not touch root's process.
  kernel::Credentials& c = f.k.tree.task(kChild)->creds;
  c.ruid = c.euid = c.suid = 65534;
  CHECK(f.run("prlimit64", {kTid, RLIMIT_NOFILE, 0, 0x1000}, kChild)->value == -EPERM);
  CHECK(f.k.tree.group_of(kTid)->limits.get(RLIMIT_CORE).max == 1000);
}

TEST_CASE("limits handlers: an accepted change binds the host process") {
  // The test process itself plays the guest: setting its CORE limit to its
  // current value changes nothing on the host but goes through prlimit.
  const pid_t self = getpid();
  LimitsFixture f(self);
  f.k.tree.group_of(self)->limits = ResourceLimits::from_host(self);
  const Limit core = f.k.tree.group_of(self)->limits.get(RLIMIT_CORE);
  f.put(0x1000, core.cur, core.max);
  auto c = f.run("prlimit64", {0, RLIMIT_CORE, 0x1000, 0x1010}, self);
  CHECK(c->value == 0);
  CHECK(!c->continued);
  CHECK(f.get(0x1010) == std::make_pair(core.cur, core.max));
  // A task that no longer exists on the host: the host's errno, model unchanged.
  f.k.tree.group_of(kChild)->limits = sample();
  f.put(0x1000, 0, 500);
  CHECK(f.run("setrlimit", {RLIMIT_CORE, 0x1000}, kChild)->value == -ESRCH);
  CHECK(f.k.tree.group_of(kChild)->limits.get(RLIMIT_CORE).max == 1000);
}
