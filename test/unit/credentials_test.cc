// The identity model: the setuid family's permission rules, the capability
// changes that follow uid changes (capabilities(7)), setgroups, capset, and
// the identity handlers (getters, per-task credentials, capget's version
// probe) through FakeSyscall.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include <array>
#include <cstring>
#include <vector>

#include "fake_syscall.h"
#include "sentry/kernel/credentials.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/registry.h"

namespace sentry::syscalls {
void register_identity(Registry& r);
}

using namespace sentry;
using kernel::Credentials;

namespace {

constexpr uid_t kNobody = 65534;
constexpr uid_t kNone = static_cast<uid_t>(-1);
constexpr int kCapSetgid = 6, kCapSetuid = 7, kCapSetpcap = 8;
constexpr std::uint64_t kAllCaps = 0x1ffffffffffull;  // 0..40

Credentials root() {
  Credentials c;
  c.cap_effective = c.cap_permitted = c.cap_bounding = kAllCaps;
  return c;
}

Credentials user(uid_t u, gid_t g) {
  Credentials c;
  c.ruid = c.euid = c.suid = c.fsuid = u;
  c.rgid = c.egid = c.sgid = c.fsgid = g;
  c.cap_bounding = kAllCaps;
  return c;
}

bool resuid_is(const Credentials& c, uid_t r, uid_t e, uid_t s) {
  return c.ruid == r && c.euid == e && c.suid == s;
}

}  // namespace

TEST_CASE("credentials: setresuid permission matrix") {
  SECTION("with CAP_SETUID any ids are allowed") {
    Credentials c = root();
    CHECK(c.setresuid(1, 2, 3) == 0);
    CHECK(resuid_is(c, 1, 2, 3));
    CHECK(c.fsuid == 2);  // fsuid follows euid
  }
  SECTION("without CAP_SETUID only the current real/effective/saved ids") {
    Credentials c = user(1000, 1000);
    c.suid = 2000;
    CHECK(c.setresuid(2000, 1000, 1000) == 0);
    CHECK(resuid_is(c, 2000, 1000, 1000));
    CHECK(c.setresuid(kNone, 3000, kNone) == -EPERM);
    CHECK(c.setresuid(3000, kNone, kNone) == -EPERM);
    CHECK(c.setresuid(kNone, kNone, 3000) == -EPERM);
    CHECK(resuid_is(c, 2000, 1000, 1000));
    CHECK(c.setresuid(kNone, kNone, kNone) == 0);  // no-op
  }
  SECTION("(uid_t)-1 alone is 'unchanged'; invalid only as a value") {
    Credentials c = root();
    CHECK(c.setuid(kNone) == -EINVAL);
    CHECK(c.setresuid(kNone, kNone, kNone) == 0);
    CHECK(resuid_is(c, 0, 0, 0));
  }
}

TEST_CASE("credentials: setuid as root sets all ids, unprivileged only the effective") {
  Credentials c = root();
  CHECK(c.setresuid(kNobody, kNobody, 0) == 0);
  CHECK(c.cap_effective == 0);
  CHECK(c.cap_permitted == kAllCaps);  // saved uid 0: permitted kept
  CHECK(c.setuid(0) == 0);             // via the saved uid
  CHECK(resuid_is(c, kNobody, 0, 0));
  CHECK(c.cap_effective == kAllCaps);  // euid back to 0
  CHECK(c.setuid(kNobody) == 0);       // privileged again: all three
  CHECK(resuid_is(c, kNobody, kNobody, kNobody));
  CHECK(c.cap_permitted == 0);
  CHECK(c.setuid(0) == -EPERM);
  CHECK(c.setuid(kNobody) == 0);  // the current value
}

TEST_CASE("credentials: capabilities follow uid changes") {
  SECTION("euid 0 -> nonzero clears effective, keeps permitted; back restores") {
    Credentials c = root();
    CHECK(c.setresuid(kNone, kNobody, kNone) == 0);
    CHECK(resuid_is(c, 0, kNobody, 0));
    CHECK(c.fsuid == kNobody);
    CHECK(c.cap_effective == 0);
    CHECK(c.cap_permitted == kAllCaps);
    CHECK(c.setresuid(kNone, 1234, kNone) == -EPERM);  // no CAP_SETUID now
    CHECK(c.setuid(1234) == -EPERM);
    CHECK(c.setuid(0) == 0);  // unprivileged: only euid
    CHECK(resuid_is(c, 0, 0, 0));
    CHECK(c.cap_effective == kAllCaps);
  }
  SECTION("all ids nonzero clears permitted, effective and ambient") {
    Credentials c = root();
    c.cap_inheritable = 1;
    c.cap_ambient = 1;
    CHECK(c.setresuid(kNobody, kNobody, kNobody) == 0);
    CHECK(c.cap_permitted == 0);
    CHECK(c.cap_effective == 0);
    CHECK(c.cap_ambient == 0);
    CHECK(c.cap_inheritable == 1);
    CHECK(c.setresuid(0, 0, 0) == -EPERM);
    CHECK(c.setreuid(0, kNone) == -EPERM);
  }
  SECTION("keepcaps keeps permitted (effective is still cleared)") {
    Credentials c = root();
    CHECK(c.set_keepcaps(1) == 0);
    CHECK(c.get_keepcaps() == 1);
    CHECK(c.setresuid(kNobody, kNobody, kNobody) == 0);
    CHECK(c.cap_permitted == kAllCaps);
    CHECK(c.cap_effective == 0);
    CHECK(c.set_keepcaps(2) == -EINVAL);
  }
  SECTION("SECBIT_NO_SETUID_FIXUP leaves the sets alone") {
    Credentials c = root();
    c.securebits = kernel::kSecbitNoSetuidFixup;
    CHECK(c.setresuid(kNobody, kNobody, kNobody) == 0);
    CHECK(c.cap_effective == kAllCaps);
  }
  SECTION("fsuid 0 -> nonzero drops the filesystem capabilities only") {
    Credentials c = root();
    CHECK(c.setfsuid(kNobody) == 0);  // returns the old fsuid
    CHECK(c.fsuid == kNobody);
    CHECK(c.cap_effective == (kAllCaps & ~kernel::kCapFsMask));
    CHECK(c.setfsuid(0) == kNobody);
    CHECK(c.cap_effective == kAllCaps);
    CHECK(c.setfsuid(kNone) == 0);  // invalid: a query
  }
  SECTION("unprivileged setfsuid to a foreign id changes nothing") {
    Credentials c = user(1000, 1000);
    CHECK(c.setfsuid(2000) == 1000);
    CHECK(c.fsuid == 1000);
  }
}

TEST_CASE("credentials: setreuid's saved-uid rule") {
  Credentials c = root();
  CHECK(c.setreuid(kNone, kNobody) == 0);  // euid != ruid: saved follows
  CHECK(resuid_is(c, 0, kNobody, kNobody));
  CHECK(c.setuid(0) == 0);  // via the real uid
  CHECK(resuid_is(c, 0, 0, kNobody));
  Credentials d = root();
  CHECK(d.setreuid(kNone, 0) == 0);  // euid == ruid: saved unchanged
  CHECK(resuid_is(d, 0, 0, 0));
}

TEST_CASE("credentials: gid transitions") {
  Credentials c = root();
  CHECK(c.setresgid(kNone, kNobody, kNone) == 0);
  CHECK(c.egid == kNobody);
  CHECK(c.fsgid == kNobody);
  CHECK(c.setgid(4321) == 0);
  CHECK((c.rgid == 4321 && c.egid == 4321 && c.sgid == 4321));
  CHECK(c.setregid(kNone, 77) == 0);
  CHECK((c.rgid == 4321 && c.egid == 77 && c.sgid == 77));
  CHECK(c.cap_effective == kAllCaps);  // groups do not touch capabilities
  Credentials u = user(kNobody, 0);
  CHECK(u.setgid(0) == 0);
  CHECK(u.setgid(1234) == -EPERM);
  CHECK(u.setresgid(1, 1, 1) == -EPERM);
}

TEST_CASE("credentials: setgroups") {
  Credentials c = root();
  const std::vector<gid_t> want{7, 3, 5};
  CHECK(c.setgroups(want) == 0);
  CHECK(c.groups == std::vector<gid_t>{3, 5, 7});
  CHECK(c.setgroups(std::vector<gid_t>{9, 9}) == 0);
  CHECK(c.groups.size() == 2);
  CHECK(c.setgroups(std::vector<gid_t>(kernel::kNgroupsMax + 1)) == -EINVAL);
  Credentials u = user(kNobody, kNobody);
  u.groups = {3};
  CHECK(u.setgroups(std::vector<gid_t>{}) == -EPERM);
  CHECK(u.groups == std::vector<gid_t>{3});
  // EPERM before EINVAL.
  CHECK(u.setgroups(std::vector<gid_t>(kernel::kNgroupsMax + 1)) == -EPERM);
}

TEST_CASE("credentials: capset rules") {
  Credentials c = root();
  CHECK(c.capset(1, 3, 0) == 0);  // shrink permitted, effective within it
  CHECK(c.cap_permitted == 3);
  CHECK(c.capset(1, 7, 0) == -EPERM);  // permitted cannot grow
  CHECK(c.capset(4, 3, 0) == -EPERM);  // effective outside permitted
  // Inheritable beyond inheritable|permitted needs CAP_SETPCAP (now gone).
  CHECK(c.capset(1, 3, 8) == -EPERM);
  CHECK(c.capset(1, 3, 2) == 0);
  Credentials r = root();
  r.cap_bounding = 0xff;
  CHECK(r.capset(r.cap_effective, r.cap_permitted, 0x100) == -EPERM);  // outside bounding
  // Ambient bits leave with permitted or inheritable.
  Credentials a = root();
  a.cap_inheritable = 1;
  CHECK(a.cap_ambient_op(2 /*RAISE*/, 0, 0, 0) == 0);
  CHECK(a.cap_ambient_op(1 /*IS_SET*/, 0, 0, 0) == 1);
  CHECK(a.capset(a.cap_effective, a.cap_permitted, 0) == 0);
  CHECK(a.cap_ambient == 0);
  CHECK(a.cap_ambient_op(2 /*RAISE*/, 1, 0, 0) == -EPERM);  // not inheritable
  CHECK(a.cap_ambient_op(4 /*CLEAR_ALL*/, 1, 0, 0) == -EINVAL);
}

TEST_CASE("credentials: bounding set") {
  Credentials c = root();
  const int last = kernel::cap_last_cap();
  CHECK(c.capbset_read(0) == 1);
  CHECK(c.capbset_read(static_cast<std::uint64_t>(last) + 1) == -EINVAL);
  CHECK(c.capbset_read(64) == -EINVAL);
  CHECK(c.capbset_read(~0ull) == -EINVAL);
  CHECK(c.capbset_drop(0) == 0);
  CHECK(c.capbset_read(0) == 0);
  CHECK(c.capbset_drop(0) == 0);
  CHECK(c.capbset_drop(64) == -EINVAL);
  Credentials u = user(kNobody, kNobody);
  CHECK(u.capbset_drop(64) == -EPERM);  // EPERM first
}

TEST_CASE("credentials: execve transform") {
  Credentials r = root();
  r.cap_effective = r.cap_permitted = 0x3;  // root that dropped caps regains bset
  r.set_keepcaps(1);
  r.exec_transform();
  CHECK(r.cap_permitted == kAllCaps);
  CHECK(r.cap_effective == kAllCaps);
  CHECK(r.get_keepcaps() == 0);
  Credentials u = user(1000, 1000);
  u.exec_transform(0, std::nullopt);  // setuid-root file
  CHECK(resuid_is(u, 1000, 0, 0));
  CHECK(u.cap_effective == kAllCaps);
  Credentials n = user(1000, 1000);
  n.no_new_privs = true;
  n.exec_transform(0, std::nullopt);  // no_new_privs: the set-ID bit gives nothing
  CHECK(resuid_is(n, 1000, 1000, 1000));
  CHECK(n.cap_permitted == 0);
}

TEST_CASE("credentials: from_host reads the invoking process") {
  Credentials c = Credentials::from_host();
  CHECK(c.ruid == getuid());
  CHECK(c.euid == geteuid());
  CHECK(c.rgid == getgid());
  CHECK(std::is_sorted(c.groups.begin(), c.groups.end()));
  Credentials o = Credentials::from_host(kNobody, kNobody);
  CHECK(resuid_is(o, kNobody, kNobody, kNobody));
  CHECK(o.fsuid == kNobody);
  CHECK(o.egid == kNobody);
  CHECK(o.cap_effective == 0);
  CHECK(o.cap_permitted == 0);
  CHECK(o.groups.empty());
  Credentials z = Credentials::from_host(0, std::nullopt);
  CHECK(z.cap_permitted == z.cap_bounding);
  CHECK(z.cap_effective == z.cap_bounding);
}

// --- Handlers. ---

namespace {

// Beyond PID_MAX_LIMIT: never a host process.
constexpr pid_t kTid = 5000001;
constexpr pid_t kThread = 5000002;

struct IdentityFixture {
  boost::asio::io_context io;
  kernel::Kernel k;
  testing::FakeGuestMemory mem;
  std::array<syscalls::SyscallHandler, 512> table{};

  explicit IdentityFixture(kernel::MachineConfig cfg = {}) : k(io, std::move(cfg)) {
    syscalls::Registry r(table.data(), static_cast<int>(table.size()));
    syscalls::register_identity(r);
    k.tree.add_root(kTid, "/bin/true");
    k.tree.task(kTid)->creds = root();
    k.tree.add_task(kTid, kThread, kernel::CloneInfo{true, true});
    mem.map(0x1000, 0x1000);
  }

  std::shared_ptr<testing::FakeSyscall> run(std::string_view name, SyscallArgs args, pid_t tid = kTid) {
    auto call = std::make_shared<testing::FakeSyscall>(tid, name, args, mem);
    auto h = table[static_cast<std::size_t>(call->nr())];
    REQUIRE(h != nullptr);
    h(k, call);
    return call;
  }
};

}  // namespace

TEST_CASE("identity handlers: getters and getresuid's EFAULT") {
  IdentityFixture f;
  f.k.tree.task(kTid)->creds.euid = 42;
  CHECK(f.run("getuid", {})->value == 0);
  CHECK(f.run("geteuid", {})->value == 42);
  auto c = f.run("getresuid", {0x1000, 0x1004, 0x1008});
  CHECK(c->value == 0);
  std::uint32_t ids[3] = {};
  f.mem.read(0x1000, ids, sizeof ids);
  CHECK((ids[0] == 0 && ids[1] == 42 && ids[2] == 0));
  CHECK(f.run("getresuid", {0, 0x1004, 0x1008})->value == -EFAULT);
}

TEST_CASE("identity handlers: credentials are per task") {
  IdentityFixture f;
  auto c = f.run("setresuid", {kNone, kNobody, kNone}, kThread);
  CHECK(c->continued);  // real identity: the host applies it too
  CHECK(f.run("geteuid", {}, kThread)->value == kNobody);
  CHECK(f.run("geteuid", {}, kTid)->value == 0);
}

TEST_CASE("identity handlers: an identity override is served by the model alone") {
  kernel::MachineConfig cfg;
  cfg.uid = 0;
  cfg.gid = 0;
  IdentityFixture f(cfg);
  auto c = f.run("setuid", {kNobody});
  CHECK(!c->continued);
  CHECK(c->value == 0);
  CHECK(f.run("setuid", {0})->value == -EPERM);
}

TEST_CASE("identity handlers: getgroups/setgroups sizes") {
  IdentityFixture f;
  const gid_t want[3] = {7, 3, 5};
  f.mem.map_bytes(0x3000, want, sizeof want);
  CHECK(f.run("setgroups", {3, 0x3000})->continued);
  CHECK(f.run("getgroups", {0, 0})->value == 3);
  CHECK(f.run("getgroups", {8, 0x1000})->value == 3);
  gid_t got[3] = {};
  f.mem.read(0x1000, got, sizeof got);
  CHECK((got[0] == 3 && got[1] == 5 && got[2] == 7));
  CHECK(f.run("getgroups", {2, 0x1000})->value == -EINVAL);
  CHECK(f.run("getgroups", {static_cast<std::uint64_t>(-1), 0})->value == -EINVAL);
  CHECK(f.run("setgroups", {65537, 0x3000})->value == -EINVAL);
  CHECK(f.run("setgroups", {3, 0})->value == -EFAULT);
  f.k.tree.task(kTid)->creds.cap_effective &= ~(1ull << kCapSetgid);
  CHECK(f.run("setgroups", {0, 0})->value == -EPERM);
}

TEST_CASE("identity handlers: capget version probe") {
  IdentityFixture f;
  auto put_header = [&](std::uint32_t version, std::int32_t pid) {
    f.mem.write_value<std::uint32_t>(0x2000, version);
    f.mem.write_value<std::int32_t>(0x2004, pid);
  };
  auto header_version = [&] {
    std::uint32_t v = 0;
    f.mem.read_value(0x2000, &v);
    return v;
  };
  f.mem.map(0x2000, 8);
  f.mem.map(0x4000, 24);
  // Unknown version, NULL data: the probe. v3 is written back, 0 returned.
  put_header(0, 0);
  CHECK(f.run("capget", {0x2000, 0})->value == 0);
  CHECK(header_version() == kernel::kCapVersion3);
  // Unknown version with data: EINVAL, version written.
  put_header(0x12345678, 0);
  CHECK(f.run("capget", {0x2000, 0x4000})->value == -EINVAL);
  CHECK(header_version() == kernel::kCapVersion3);
  // Known version, NULL data: 0.
  put_header(kernel::kCapVersion1, 0);
  CHECK(f.run("capget", {0x2000, 0})->value == 0);
  // v1 fills one word, v3 two.
  std::array<std::uint8_t, 24> ff;
  ff.fill(0xff);
  f.mem.write(0x4000, ff.data(), ff.size());
  put_header(kernel::kCapVersion1, 0);
  CHECK(f.run("capget", {0x2000, 0x4000})->value == 0);
  kernel::CapData d[2];
  f.mem.read(0x4000, d, sizeof d);
  CHECK(d[0].effective == static_cast<std::uint32_t>(kAllCaps));
  CHECK(d[1].effective == 0xffffffffu);
  put_header(kernel::kCapVersion3, kTid);
  CHECK(f.run("capget", {0x2000, 0x4000})->value == 0);
  f.mem.read(0x4000, d, sizeof d);
  CHECK(d[1].effective == static_cast<std::uint32_t>(kAllCaps >> 32));
  put_header(kernel::kCapVersion3, -1);
  CHECK(f.run("capget", {0x2000, 0x4000})->value == -EINVAL);
  put_header(kernel::kCapVersion3, 5999999);
  CHECK(f.run("capget", {0x2000, 0x4000})->value == -ESRCH);
  CHECK(f.run("capget", {0, 0x4000})->value == -EFAULT);
  // capset: unknown version is EINVAL even without data; other pids EPERM.
  put_header(7, 0);
  CHECK(f.run("capset", {0x2000, 0})->value == -EINVAL);
  put_header(kernel::kCapVersion3, kThread);
  CHECK(f.run("capset", {0x2000, 0x4000})->value == -EPERM);
}
