// Credentials: uid/gid getters, supplementary groups, setuid-family
// transitions (real/effective/saved rules, EPERM once all ids are
// unprivileged), the capability sets those transitions clear and restore,
// fsuid, per-thread credentials under raw syscalls, and capget's version
// probe. Runs as root; every transition happens in a forked child.
#include <grp.h>
#include <linux/capability.h>
#include <pthread.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstring>

#include "conformance.h"

namespace {

constexpr uid_t kNobody = 65534;
constexpr unsigned kCapV1 = 0x19980330;  // _LINUX_CAPABILITY_VERSION_1
constexpr unsigned kCapV2 = 0x20071026;  // _LINUX_CAPABILITY_VERSION_2
constexpr unsigned kCapV3 = 0x20080522;  // _LINUX_CAPABILITY_VERSION_3

long capget_raw(cap_user_header_t h, cap_user_data_t d) {
  return syscall(SYS_capget, h, d);
}

struct Caps {
  uint64_t eff = 0, prm = 0, inh = 0;
  bool ok = false;
};

Caps caps_of(pid_t pid) {
  __user_cap_header_struct h{kCapV3, pid};
  __user_cap_data_struct d[2] = {};
  Caps c;
  c.ok = capget_raw(&h, d) == 0;
  c.eff = d[0].effective | (static_cast<uint64_t>(d[1].effective) << 32);
  c.prm = d[0].permitted | (static_cast<uint64_t>(d[1].permitted) << 32);
  c.inh = d[0].inheritable | (static_cast<uint64_t>(d[1].inheritable) << 32);
  return c;
}

bool resuid_is(uid_t r, uid_t e, uid_t s) {
  uid_t a = 1, b = 1, c = 1;
  return getresuid(&a, &b, &c) == 0 && a == r && b == e && c == s;
}

bool resgid_is(gid_t r, gid_t e, gid_t s) {
  gid_t a = 1, b = 1, c = 1;
  return getresgid(&a, &b, &c) == 0 && a == r && b == e && c == s;
}

// setfsuid/setfsgid return the previous value; an invalid id (-1) changes
// nothing, which makes them a query.
uid_t current_fsuid() { return static_cast<uid_t>(setfsuid(static_cast<uid_t>(-1))); }
gid_t current_fsgid() { return static_cast<gid_t>(setfsgid(static_cast<gid_t>(-1))); }

template <typename F>
bool in_child(F fn) {
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    const int before = conformance::failures();
    fn();
    _exit(conformance::failures() != before ? 1 : 0);
  }
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) return false;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

#define CHECK_CHILD(...)                                                  \
  do {                                                                    \
    bool child_ok_ = (__VA_ARGS__);                                       \
    if (!child_ok_)                                                       \
      conformance::fail(__FILE__, __LINE__, "checks in child failed", 0); \
  } while (0)

struct RawEuidThread {
  long rc = 0;
  long euid_after = -1;
};

void* raw_seteuid_thread(void* arg) {
  auto* r = static_cast<RawEuidThread*>(arg);
  // The raw syscall changes only the calling thread's credentials; glibc's
  // wrapper would broadcast the change to every thread.
  r->rc = syscall(SYS_setresuid, -1, kNobody, -1);
  r->euid_after = syscall(SYS_geteuid);
  return nullptr;
}

}  // namespace

int main() {
  if (geteuid() != 0) conformance::skip("identity.cc must run as root");

  // --- Getters are consistent. ---
  {
    uid_t r = 1, e = 1, s = 1;
    CHECK(getresuid(&r, &e, &s) == 0);
    CHECK(r == getuid() && e == geteuid());
    CHECK(r == 0 && e == 0 && s == 0);
    gid_t gr = 1, ge = 1, gs = 1;
    CHECK(getresgid(&gr, &ge, &gs) == 0);
    CHECK(gr == getgid() && ge == getegid());
    CHECK(gs == gr);
    CHECK(syscall(SYS_getuid) == static_cast<long>(getuid()));
    CHECK(syscall(SYS_geteuid) == static_cast<long>(geteuid()));
    CHECK(syscall(SYS_getgid) == static_cast<long>(getgid()));
    CHECK(syscall(SYS_getegid) == static_cast<long>(getegid()));
    CHECK(current_fsuid() == 0);
    CHECK(current_fsgid() == getegid());
    CHECK_ERR(syscall(SYS_getresuid, nullptr, &e, &s), EFAULT);
  }

  // --- Supplementary groups. ---
  {
    int n = getgroups(0, nullptr);
    CHECK(n >= 0);
    if (n >= 0) {
      gid_t buf[NGROUPS_MAX > 256 ? 256 : NGROUPS_MAX];
      if (n <= 256) CHECK(getgroups(n, buf) == n);
      if (n >= 1) CHECK_ERR(getgroups(n - 1, buf), EINVAL);
    }
    CHECK_ERR(syscall(SYS_getgroups, -1, nullptr), EINVAL);
  }
  CHECK_CHILD(in_child([] {
    const gid_t want[3] = {7, 3, 5};
    CHECK(setgroups(3, want) == 0);
    CHECK(getgroups(0, nullptr) == 3);
    gid_t got[8] = {};
    // The kernel sorts the list it stores.
    CHECK(getgroups(8, got) == 3);
    CHECK(got[0] == 3 && got[1] == 5 && got[2] == 7);
    CHECK_ERR(getgroups(2, got), EINVAL);
    CHECK_ERR(getgroups(1, got), EINVAL);
    // A count of 0 queries even with a NULL buffer; the list is kept.
    CHECK(getgroups(0, nullptr) == 3);
    // Duplicates are kept.
    const gid_t dup[2] = {9, 9};
    CHECK(setgroups(2, dup) == 0);
    CHECK(getgroups(0, nullptr) == 2);
    // An empty list.
    CHECK(setgroups(0, nullptr) == 0);
    CHECK(getgroups(0, nullptr) == 0);
    CHECK(getgroups(8, got) == 0);
    // More than NGROUPS_MAX (65536) entries: EINVAL.
    CHECK_ERR(syscall(SYS_setgroups, NGROUPS_MAX + 1, want), EINVAL);
    CHECK_ERR(syscall(SYS_setgroups, 3, nullptr), EFAULT);
    // Groups survive a uid change; setgroups then needs CAP_SETGID: EPERM.
    CHECK(setgroups(3, want) == 0);
    CHECK(setresgid(kNobody, kNobody, kNobody) == 0);
    CHECK(setresuid(kNobody, kNobody, kNobody) == 0);
    CHECK(getgroups(0, nullptr) == 3);
    CHECK_ERR(setgroups(0, nullptr), EPERM);
    CHECK_ERR(setgroups(3, want), EPERM);
    CHECK(getgroups(0, nullptr) == 3);
  }));

  // --- setresuid(-1, nobody, -1): euid changes, real and saved stay 0. ---
  const Caps root_caps = caps_of(0);
  CHECK(root_caps.ok);
  CHECK(root_caps.prm != 0);
  CHECK(root_caps.eff == root_caps.prm);
  CHECK((root_caps.eff >> CAP_SETUID) & 1);
  CHECK((root_caps.eff >> CAP_SETGID) & 1);
  CHECK_CHILD(in_child([root_caps] {
    CHECK(setresuid(static_cast<uid_t>(-1), kNobody, static_cast<uid_t>(-1)) == 0);
    CHECK(geteuid() == kNobody);
    CHECK(getuid() == 0);
    CHECK(resuid_is(0, kNobody, 0));
    CHECK(current_fsuid() == kNobody);  // fsuid follows euid
    // euid 0 -> nonzero clears the effective set; permitted is kept.
    Caps c = caps_of(0);
    CHECK(c.ok && c.eff == 0 && c.prm == root_caps.prm);
    // Without CAP_SETUID, only ids from {real, effective, saved} are allowed.
    CHECK_ERR(setresuid(static_cast<uid_t>(-1), 1234, static_cast<uid_t>(-1)), EPERM);
    CHECK_ERR(setuid(1234), EPERM);
    CHECK_ERR(setgroups(0, nullptr), EPERM);
    // setuid(0) is allowed (0 is the real and saved uid) and, being
    // unprivileged at the time, sets only the effective uid.
    CHECK(setuid(0) == 0);
    CHECK(resuid_is(0, 0, 0));
    // euid back to 0 restores effective = permitted.
    c = caps_of(0);
    CHECK(c.ok && c.eff == root_caps.prm);
  }));

  // --- setuid(0) works only while the saved uid is 0. ---
  CHECK_CHILD(in_child([] {
    CHECK(setresuid(kNobody, kNobody, 0) == 0);
    CHECK(resuid_is(kNobody, kNobody, 0));
    // All of r/e/s are not all nonzero yet: permitted is kept.
    CHECK(caps_of(0).prm != 0);
    CHECK(caps_of(0).eff == 0);
    CHECK(setuid(0) == 0);  // via the saved uid
    CHECK(resuid_is(kNobody, 0, 0));
    // Now privileged again (euid 0 with CAP_SETUID): setuid sets all three.
    CHECK(setuid(kNobody) == 0);
    CHECK(resuid_is(kNobody, kNobody, kNobody));
    CHECK_ERR(setuid(0), EPERM);
  }));
  CHECK_CHILD(in_child([] {
    CHECK(setresuid(kNobody, kNobody, kNobody) == 0);
    CHECK(getuid() == kNobody && geteuid() == kNobody);
    CHECK(resuid_is(kNobody, kNobody, kNobody));
    // All of r/e/s nonzero: permitted and effective are both cleared.
    Caps c = caps_of(0);
    CHECK(c.ok && c.prm == 0 && c.eff == 0);
    CHECK_ERR(setuid(0), EPERM);
    CHECK_ERR(seteuid(0), EPERM);
    CHECK_ERR(setresuid(0, 0, 0), EPERM);
    CHECK_ERR(setreuid(0, static_cast<uid_t>(-1)), EPERM);
    // Setting to the current value is allowed; -1 everywhere is a no-op.
    CHECK(setuid(kNobody) == 0);
    CHECK(setresuid(static_cast<uid_t>(-1), static_cast<uid_t>(-1),
                    static_cast<uid_t>(-1)) == 0);
    CHECK_ERR(setgroups(0, nullptr), EPERM);
    // The gids are still root's: setgid to the real gid works, others not.
    CHECK(setgid(0) == 0);
    CHECK_ERR(setgid(1234), EPERM);
    CHECK_ERR(setresgid(1, 1, 1), EPERM);
  }));

  // --- setreuid's saved-uid rule: changing euid to a value other than the
  // real uid also sets the saved uid. seteuid() does not touch the saved uid.
  CHECK_CHILD(in_child([] {
    CHECK(setreuid(static_cast<uid_t>(-1), kNobody) == 0);
    CHECK(resuid_is(0, kNobody, kNobody));
    CHECK(setuid(0) == 0);  // via the real uid
    CHECK(resuid_is(0, 0, kNobody));
  }));
  CHECK_CHILD(in_child([] {
    CHECK(seteuid(kNobody) == 0);
    CHECK(resuid_is(0, kNobody, 0));
    CHECK(seteuid(0) == 0);
    CHECK(resuid_is(0, 0, 0));
    // Root's setuid sets all three ids.
    CHECK(setuid(kNobody) == 0);
    CHECK(resuid_is(kNobody, kNobody, kNobody));
  }));

  // --- gid transitions (as root, CAP_SETGID). ---
  CHECK_CHILD(in_child([] {
    CHECK(setresgid(static_cast<gid_t>(-1), kNobody, static_cast<gid_t>(-1)) == 0);
    CHECK(getegid() == kNobody);
    CHECK(current_fsgid() == kNobody);
    CHECK(setgid(4321) == 0);  // privileged: all three
    CHECK(resgid_is(4321, 4321, 4321));
    CHECK(setregid(static_cast<gid_t>(-1), 77) == 0);
    CHECK(resgid_is(4321, 77, 77));
    // Group changes do not affect uids or capabilities.
    CHECK(resuid_is(0, 0, 0));
    CHECK(caps_of(0).eff != 0);
  }));

  // --- Credentials are per thread at the syscall level. ---
  CHECK_CHILD(in_child([] {
    RawEuidThread r;
    pthread_t t;
    CHECK(pthread_create(&t, nullptr, raw_seteuid_thread, &r) == 0);
    CHECK(pthread_join(t, nullptr) == 0);
    CHECK(r.rc == 0);
    CHECK(r.euid_after == kNobody);
    CHECK(syscall(SYS_geteuid) == 0);  // main thread unchanged
    // glibc's wrapper applies the change to all threads of the process.
    CHECK(seteuid(kNobody) == 0);
    CHECK(syscall(SYS_geteuid) == kNobody);
  }));

  // --- capget version probe. ---
  {
    __user_cap_header_struct h{0, 0};
    // An unknown version with a NULL data pointer is the probe: the kernel
    // writes its preferred version (v3) into the header and returns 0.
    CHECK(capget_raw(&h, nullptr) == 0);
    CHECK(h.version == kCapV3);
    // With a data pointer, an unknown version is EINVAL (version written).
    h = {0x12345678, 0};
    __user_cap_data_struct d[2] = {};
    CHECK_ERR(capget_raw(&h, d), EINVAL);
    CHECK(h.version == kCapV3);
    // A known version with NULL data: success (probe only).
    h = {kCapV3, 0};
    CHECK(capget_raw(&h, nullptr) == 0);
    h = {kCapV1, 0};
    CHECK(capget_raw(&h, nullptr) == 0);
    // v1 fills one 32-bit word; v2 and v3 fill two.
    std::memset(d, 0xff, sizeof(d));
    h = {kCapV1, 0};
    CHECK(capget_raw(&h, d) == 0);
    CHECK(d[0].effective == static_cast<uint32_t>(root_caps.eff));
    CHECK(d[1].effective == 0xffffffffu);  // untouched
    std::memset(d, 0xff, sizeof(d));
    h = {kCapV2, 0};
    CHECK(capget_raw(&h, d) == 0);
    CHECK(d[1].effective == static_cast<uint32_t>(root_caps.eff >> 32));
    // v3 data for ourselves by pid; bad pids.
    h = {kCapV3, getpid()};
    CHECK(capget_raw(&h, d) == 0);
    CHECK(d[0].effective == static_cast<uint32_t>(root_caps.eff));
    h = {kCapV3, -1};
    CHECK_ERR(capget_raw(&h, d), EINVAL);
    h = {kCapV3, INT_MAX};
    CHECK_ERR(capget_raw(&h, d), ESRCH);
    CHECK_ERR(capget_raw(nullptr, d), EFAULT);
  }

  return conformance::finish();
}
