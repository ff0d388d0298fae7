// The identity model: the setuid family's permission rules, the capability
// changes that follow uid changes (capabilities(7)), setgroups, capset, and
// the identity handlers (getters, per-task credentials, capget's version
// probe) through FakeSyscall.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "fake_syscall.h"
#include "sentry/kernel/credentials.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/thread_name.h"

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
  // Linux 6.16+: under no_new_privs an euid that already differed from the
  // uid is kept (only an exec that changes ids is downgraded).
  Credentials k = root();
  CHECK(k.setresuid(kNone, 1000, 1000) == 0);
  k.no_new_privs = true;
  k.exec_transform();
  CHECK(resuid_is(k, 0, 1000, 1000));
  CHECK(k.cap_effective == 0);
  CHECK(k.cap_permitted == kAllCaps);
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

  explicit IdentityFixture(kernel::MachineConfig cfg = {}) : k(io, std::move(cfg)) {
    k.tree.add_root(kTid, "/bin/true");
    k.tree.task(kTid)->creds = root();
    k.tree.add_task(kTid, kThread, kernel::CloneInfo{true, true});
    mem.map(0x1000, 0x1000);
  }

  std::shared_ptr<testing::FakeSyscall> run(std::string_view name, SyscallArgs args, pid_t tid = kTid) {
    return testing::run_handler(k, mem, tid, name, args);
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
  const gid_t bad[2] = {1, static_cast<gid_t>(-1)};
  f.mem.map_bytes(0x3100, bad, sizeof bad);
  CHECK(f.run("setgroups", {2, 0x3100})->value == -EINVAL);  // an invalid gid
  CHECK(f.run("setgroups", {3, 0x3100})->value == -EINVAL);  // ... before the fault
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

// --- Differential: the model against the host kernel. ---
//
// Random sequences of the setuid family, setgroups, capset, keepcaps,
// securebits, ambient and bounding-set operations, then an execve (of a plain
// binary, a set-user-ID-root copy or a set-group-ID copy, sometimes under
// no_new_privs), applied both to the model and to a forked child's real
// credentials; every result and every resulting state must agree. Needs root
// (it exercises privileged transitions); skipped otherwise.

namespace {

long raw_call(long nr, long a = 0, long b = 0, long c = 0) {
  long r = syscall(nr, a, b, c);
  return r < 0 ? -errno : r;
}
long prctl_call(int op, unsigned long a2, unsigned long a3 = 0) {
  long r = prctl(op, a2, a3, 0, 0);
  return r < 0 ? -errno : r;
}

std::string state_of(const Credentials& c) {
  std::string s = std::to_string(c.ruid) + " " + std::to_string(c.euid) + " " + std::to_string(c.suid) +
                  " " + std::to_string(c.fsuid) + " / " + std::to_string(c.rgid) + " " +
                  std::to_string(c.egid) + " " + std::to_string(c.sgid) + " " + std::to_string(c.fsgid) + " /";
  for (gid_t g : c.groups) s += " " + std::to_string(g);
  char caps[160];
  std::snprintf(caps, sizeof caps, " / eff %llx prm %llx inh %llx bnd %llx amb %llx sb %x",
                static_cast<unsigned long long>(c.cap_effective), static_cast<unsigned long long>(c.cap_permitted),
                static_cast<unsigned long long>(c.cap_inheritable), static_cast<unsigned long long>(c.cap_bounding),
                static_cast<unsigned long long>(c.cap_ambient), c.securebits);
  return s + caps;
}

// Runs in a forked child: 0 when model and host agreed throughout.
int differential_run(unsigned seed, const std::string& dir, bool nosuid) {
  std::mt19937 rng(seed);
  const uid_t ids[] = {0, 1, 1000, kNobody, kNone};
  auto id = [&] { return ids[rng() % 5]; };
  Credentials m = Credentials::from_host();
  auto fail = [&](const char* what, long host, long model) {
    std::fprintf(stderr, "seed %u %s: host %ld model %ld\n host  %s\n model %s\n", seed, what, host, model,
                 state_of(Credentials::from_host()).c_str(), state_of(m).c_str());
    return 1;
  };
  for (int step = 0; step < 40; ++step) {
    const uid_t a = id(), b = id(), c = id();
    long h = 0, r = 0;
    const char* what = "";
    switch (rng() % 15) {
      case 0: what = "setuid"; h = raw_call(SYS_setuid, a); r = m.setuid(a); break;
      case 1: what = "setgid"; h = raw_call(SYS_setgid, a); r = m.setgid(a); break;
      case 2: what = "setreuid"; h = raw_call(SYS_setreuid, a, b); r = m.setreuid(a, b); break;
      case 3: what = "setregid"; h = raw_call(SYS_setregid, a, b); r = m.setregid(a, b); break;
      case 4: what = "setresuid"; h = raw_call(SYS_setresuid, a, b, c); r = m.setresuid(a, b, c); break;
      case 5: what = "setresgid"; h = raw_call(SYS_setresgid, a, b, c); r = m.setresgid(a, b, c); break;
      case 6: what = "setfsuid"; h = raw_call(SYS_setfsuid, a); r = m.setfsuid(a); break;
      case 7: what = "setfsgid"; h = raw_call(SYS_setfsgid, a); r = m.setfsgid(a); break;
      case 8: {
        what = "setgroups";
        std::vector<gid_t> g{a, b};
        h = raw_call(SYS_setgroups, static_cast<long>(g.size()), reinterpret_cast<long>(g.data()));
        r = m.setgroups(g);
        break;
      }
      case 9: {
        what = "keepcaps";
        const unsigned v = rng() % 3;
        h = prctl_call(PR_SET_KEEPCAPS, v);
        r = m.set_keepcaps(v);
        break;
      }
      case 10: {
        what = "capset";
        std::uint64_t e = m.cap_effective, p = m.cap_permitted, i = m.cap_inheritable;
        const std::uint64_t bit = 1ull << (rng() % 41);
        switch (rng() % 4) {
          case 0: e &= ~bit; break;
          case 1: p &= ~bit; break;
          case 2: i ^= bit; break;
          default: e |= bit; break;
        }
        __user_cap_header_struct hdr{kernel::kCapVersion3, 0};
        __user_cap_data_struct d[2] = {
            {static_cast<std::uint32_t>(e), static_cast<std::uint32_t>(p), static_cast<std::uint32_t>(i)},
            {static_cast<std::uint32_t>(e >> 32), static_cast<std::uint32_t>(p >> 32),
             static_cast<std::uint32_t>(i >> 32)}};
        h = raw_call(SYS_capset, reinterpret_cast<long>(&hdr), reinterpret_cast<long>(d));
        r = m.capset(e, p, i);
        break;
      }
      case 11: {
        what = "capbset_drop";
        const unsigned cap = rng() % 43;
        h = prctl_call(PR_CAPBSET_DROP, cap);
        r = m.capbset_drop(cap);
        break;
      }
      case 12: {
        what = "cap_ambient";
        const unsigned op = 1 + rng() % 4;
        const unsigned cap = op == 4 ? 0 : rng() % 42;
        h = prctl_call(PR_CAP_AMBIENT, op, cap);
        r = m.cap_ambient_op(op, cap, 0, 0);
        break;
      }
      case 13: {
        what = "securebits";
        const unsigned bits = rng() % 256;
        h = prctl_call(PR_SET_SECUREBITS, bits);
        r = m.set_securebits(bits);
        break;
      }
      default: {
        what = "capbset_read";
        const unsigned cap = rng() % 43;
        h = prctl_call(PR_CAPBSET_READ, cap);
        r = m.capbset_read(cap);
        break;
      }
    }
    if (h != r || state_of(Credentials::from_host()) != state_of(m)) return fail(what, h, r);
  }
  // execve of a plain, a set-user-ID-root or a set-group-ID (gid 1) binary.
  const int which = static_cast<int>(rng() % 3);
  if (rng() % 4 == 0) {
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    m.no_new_privs = true;
  }
  const std::string prog = dir + (which == 0 ? "/plain" : which == 1 ? "/suid" : "/sgid");
  int in[2];
  if (pipe(in) != 0) return 2;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    close(in[1]);
    execl(prog.c_str(), "cat", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(in[0]);
  // Until the exec happened: the thread is then named after the file
  // (/proc/<pid>/comm is readable whatever our credentials).
  const std::string base = prog.substr(prog.rfind('/') + 1);
  for (int i = 0; i < 5000; ++i) {
    std::optional<std::string> comm = kernel::read_host_comm(pid);
    if (comm && *comm == base) break;
    usleep(200);
  }
  Credentials host = m;
  const bool read = host.after_exec(pid, true);
  close(in[1]);
  int st = 0;
  waitpid(pid, &st, 0);
  Credentials model = m;
  std::optional<uid_t> su;
  std::optional<gid_t> sg;
  if (which == 1 && !nosuid) su = 0;
  if (which == 2 && !nosuid) sg = 1;
  model.exec_transform(su, sg);
  if (!read || state_of(host) != state_of(model)) {
    std::fprintf(stderr, "seed %u exec %s nnp %d:\n before %s\n host   %s\n model  %s\n", seed, prog.c_str(),
                 static_cast<int>(m.no_new_privs), state_of(m).c_str(), state_of(host).c_str(),
                 state_of(model).c_str());
    return 1;
  }
  return 0;
}

}  // namespace

TEST_CASE("credentials: the model agrees with the host kernel (differential; root only)") {
  if (geteuid() != 0) {
    WARN("not root: differential credentials test skipped");
    return;
  }
  char tmpl[] = "/tmp/sentry-cred-XXXXXX";
  REQUIRE(mkdtemp(tmpl) != nullptr);
  const std::string dir = tmpl;
  namespace fs = std::filesystem;
  fs::copy_file("/bin/cat", dir + "/plain");
  fs::copy_file("/bin/cat", dir + "/suid");
  fs::copy_file("/bin/cat", dir + "/sgid");
  REQUIRE(chown((dir + "/suid").c_str(), 0, 0) == 0);
  REQUIRE(chmod((dir + "/suid").c_str(), 04755) == 0);
  REQUIRE(chown((dir + "/sgid").c_str(), 0, 1) == 0);
  REQUIRE(chmod((dir + "/sgid").c_str(), 02755) == 0);
  REQUIRE(chmod(dir.c_str(), 0755) == 0);  // reachable after dropping to nobody
  struct statvfs vfs {};
  const bool nosuid = statvfs(dir.c_str(), &vfs) == 0 && (vfs.f_flag & ST_NOSUID);
  int diverged = 0;
  for (unsigned seed = 0; seed < 200 && diverged == 0; ++seed) {
    std::fflush(nullptr);
    const pid_t pid = fork();
    if (pid == 0) _exit(differential_run(seed, dir, nosuid));
    int st = 0;
    REQUIRE(waitpid(pid, &st, 0) == pid);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) ++diverged;
  }
  fs::remove_all(dir);
  CHECK(diverged == 0);
}
