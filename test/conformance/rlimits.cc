// Resource limits: getrlimit/setrlimit/prlimit64 agree; validation (cur > max,
// bad resource, RLIMIT_NOFILE above fs.nr_open); privilege rules for raising
// the hard limit; prlimit64 on another process; RLIMIT_NOFILE enforcement by
// open/dup/dup2/fcntl(F_DUPFD). State-changing cases run in forked children.
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstring>
#include <initializer_list>

#include "conformance.h"

namespace {

constexpr uid_t kNobody = 65534;

// glibc's prlimit takes struct rlimit (64-bit fields on x86-64), the same
// layout as the kernel's struct rlimit64.
long prlimit_raw(pid_t pid, int res, const rlimit* nw, rlimit* old) {
  return syscall(SYS_prlimit64, pid, res, nw, old);
}

bool limits_are(int res, rlim_t cur, rlim_t max) {
  rlimit r{};
  return getrlimit(static_cast<__rlimit_resource>(res), &r) == 0 &&
         r.rlim_cur == cur && r.rlim_max == max;
}

bool has_cap(int cap) {
  __user_cap_header_struct h{0x20080522, 0};
  __user_cap_data_struct d[2] = {};
  if (syscall(SYS_capget, &h, d) != 0) return false;
  return (d[cap / 32].effective >> (cap % 32)) & 1;
}

bool become_nobody() {
  return setgroups(0, nullptr) == 0 && setresgid(kNobody, kNobody, kNobody) == 0 &&
         setresuid(kNobody, kNobody, kNobody) == 0;
}

unsigned long read_nr_open() {
  unsigned long v = 1048576;  // the default
  if (FILE* f = std::fopen("/proc/sys/fs/nr_open", "r")) {
    if (std::fscanf(f, "%lu", &v) != 1) v = 1048576;
    std::fclose(f);
  }
  return v;
}

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

}  // namespace

int main() {
  const unsigned long nr_open = read_nr_open();
  // Raising a hard limit checks capable(CAP_SYS_RESOURCE): the capability in
  // the initial user namespace, not in a container's.
  const bool initial_userns = conformance::in_initial_user_namespace();
  const bool cap_sys_resource = has_cap(CAP_SYS_RESOURCE) && initial_userns;

  // --- The three interfaces agree. ---
  for (int res : {RLIMIT_STACK, RLIMIT_NOFILE, RLIMIT_CORE}) {
    rlimit g{}, p{}, raw{};
    CHECK(getrlimit(static_cast<__rlimit_resource>(res), &g) == 0);
    CHECK(prlimit_raw(0, res, nullptr, &p) == 0);
    CHECK(syscall(SYS_getrlimit, res, &raw) == 0);
    CHECK(g.rlim_cur == p.rlim_cur && g.rlim_max == p.rlim_max);
    CHECK(g.rlim_cur == raw.rlim_cur && g.rlim_max == raw.rlim_max);
    CHECK(g.rlim_cur <= g.rlim_max);
    CHECK(prlimit_raw(getpid(), res, nullptr, &p) == 0);
    CHECK(g.rlim_cur == p.rlim_cur && g.rlim_max == p.rlim_max);
    // prlimit64 with neither new nor old is a valid no-op.
    CHECK(prlimit_raw(0, res, nullptr, nullptr) == 0);
  }
  {
    rlimit nofile{};
    CHECK(getrlimit(RLIMIT_NOFILE, &nofile) == 0);
    CHECK(nofile.rlim_max != RLIM_INFINITY);  // NOFILE is never infinite
    CHECK(nofile.rlim_max <= nr_open);
  }

  // --- Lowering the soft limit works and is reversible. ---
  for (int res : {RLIMIT_STACK, RLIMIT_NOFILE, RLIMIT_CORE}) {
    const auto r = static_cast<__rlimit_resource>(res);
    rlimit orig{};
    CHECK(getrlimit(r, &orig) == 0);
    rlimit lower = orig;
    lower.rlim_cur = orig.rlim_cur == RLIM_INFINITY || orig.rlim_cur > 64
                         ? 64 : orig.rlim_cur / 2;
    CHECK(setrlimit(r, &lower) == 0);
    CHECK(limits_are(res, lower.rlim_cur, orig.rlim_max));
    // prlimit64 returns the old value while setting the new one.
    rlimit old{};
    CHECK(prlimit_raw(0, res, &orig, &old) == 0);
    CHECK(old.rlim_cur == lower.rlim_cur && old.rlim_max == orig.rlim_max);
    CHECK(limits_are(res, orig.rlim_cur, orig.rlim_max));
    // The soft limit may be raised up to the hard limit without privilege.
    rlimit at_max{orig.rlim_max, orig.rlim_max};
    CHECK(setrlimit(r, &at_max) == 0);
    CHECK(setrlimit(r, &orig) == 0);
    // cur > max: EINVAL, via every interface.
    if (orig.rlim_max != RLIM_INFINITY) {
      rlimit bad{orig.rlim_max + 1, orig.rlim_max};
      CHECK_ERR(setrlimit(r, &bad), EINVAL);
      CHECK_ERR(prlimit_raw(0, res, &bad, nullptr), EINVAL);
      CHECK_ERR(syscall(SYS_setrlimit, res, &bad), EINVAL);
    }
    rlimit bad2{100, 50};
    CHECK_ERR(setrlimit(r, &bad2), EINVAL);
    rlimit bad3{RLIM_INFINITY, 50};
    CHECK_ERR(prlimit_raw(0, res, &bad3, nullptr), EINVAL);
    CHECK(limits_are(res, orig.rlim_cur, orig.rlim_max));
  }

  // --- Invalid resource numbers. ---
  {
    rlimit r{};
    const int bad = RLIM_NLIMITS + 5;
    CHECK_ERR(syscall(SYS_getrlimit, bad, &r), EINVAL);
    CHECK_ERR(getrlimit(static_cast<__rlimit_resource>(bad), &r), EINVAL);
    CHECK_ERR(prlimit_raw(0, bad, nullptr, &r), EINVAL);
    CHECK_ERR(prlimit_raw(0, RLIM_NLIMITS, nullptr, &r), EINVAL);
    CHECK_ERR(prlimit_raw(0, -1, nullptr, &r), EINVAL);
    r = {1, 1};
    CHECK_ERR(setrlimit(static_cast<__rlimit_resource>(bad), &r), EINVAL);
    CHECK_ERR(prlimit_raw(0, bad, &r, nullptr), EINVAL);
    // The last valid resource (RLIMIT_RTTIME, 15) is accepted.
    CHECK(prlimit_raw(0, RLIM_NLIMITS - 1, nullptr, &r) == 0);
    CHECK_ERR(prlimit_raw(INT_MAX, RLIMIT_NOFILE, nullptr, &r), ESRCH);
    CHECK_ERR(prlimit_raw(-1, RLIMIT_NOFILE, nullptr, &r), ESRCH);
    CHECK_ERR(prlimit_raw(0, RLIMIT_NOFILE, nullptr,
                          reinterpret_cast<rlimit*>(8)), EFAULT);
  }

  // --- RLIMIT_NOFILE above fs.nr_open: EPERM even as root (the MediaServer
  // case: prlimit64(NOFILE, {INFINITY, INFINITY}) fails with EPERM). ---
  CHECK_CHILD(in_child([nr_open] {
    rlimit orig{};
    CHECK(getrlimit(RLIMIT_NOFILE, &orig) == 0);
    rlimit inf{RLIM_INFINITY, RLIM_INFINITY};
    CHECK_ERR(prlimit_raw(0, RLIMIT_NOFILE, &inf, nullptr), EPERM);
    CHECK_ERR(setrlimit(RLIMIT_NOFILE, &inf), EPERM);
    rlimit above{nr_open + 1, nr_open + 1};
    CHECK_ERR(setrlimit(RLIMIT_NOFILE, &above), EPERM);
    // Only the hard limit matters: a soft limit within it is still EPERM when
    // the hard limit is above nr_open.
    rlimit hard_above{orig.rlim_cur, nr_open + 1};
    CHECK_ERR(setrlimit(RLIMIT_NOFILE, &hard_above), EPERM);
    CHECK(limits_are(RLIMIT_NOFILE, orig.rlim_cur, orig.rlim_max));
  }));

  // --- Raising a hard limit needs CAP_SYS_RESOURCE. ---
  CHECK_CHILD(in_child([nr_open, cap_sys_resource] {
    rlimit orig{};
    CHECK(getrlimit(RLIMIT_NOFILE, &orig) == 0);
    rlimit lower{orig.rlim_cur / 2, orig.rlim_max / 2};
    CHECK(setrlimit(RLIMIT_NOFILE, &lower) == 0);  // lowering hard: anyone
    CHECK(limits_are(RLIMIT_NOFILE, lower.rlim_cur, lower.rlim_max));
    if (cap_sys_resource) {
      rlimit top{nr_open, nr_open};
      CHECK(setrlimit(RLIMIT_NOFILE, &top) == 0);
      CHECK(limits_are(RLIMIT_NOFILE, nr_open, nr_open));
    } else {
      CHECK_ERR(setrlimit(RLIMIT_NOFILE, &orig), EPERM);
      CHECK(limits_are(RLIMIT_NOFILE, lower.rlim_cur, lower.rlim_max));
    }
  }));
  CHECK_CHILD(in_child([] {
    rlimit core{0, 1000};
    CHECK(setrlimit(RLIMIT_CORE, &core) == 0);
    rlimit stack{1 << 20, 8 << 20};
    CHECK(setrlimit(RLIMIT_STACK, &stack) == 0);
    rlimit nofile{};
    CHECK(getrlimit(RLIMIT_NOFILE, &nofile) == 0);
    CHECK(become_nobody());
    // Unprivileged: lowering works, raising the hard limit is EPERM, and so
    // is a failed raise that would also be cur > max (EINVAL is first).
    rlimit r{0, 999};
    CHECK(setrlimit(RLIMIT_CORE, &r) == 0);
    r = {0, 1000};
    CHECK_ERR(setrlimit(RLIMIT_CORE, &r), EPERM);
    r = {0, RLIM_INFINITY};
    CHECK_ERR(prlimit_raw(0, RLIMIT_CORE, &r, nullptr), EPERM);
    r = {2000, 1000};
    CHECK_ERR(setrlimit(RLIMIT_CORE, &r), EINVAL);
    CHECK(limits_are(RLIMIT_CORE, 0, 999));
    r = {999, 999};
    CHECK(setrlimit(RLIMIT_CORE, &r) == 0);  // soft up to hard: fine
    r = {1 << 20, RLIM_INFINITY};
    CHECK_ERR(setrlimit(RLIMIT_STACK, &r), EPERM);
    r = {nofile.rlim_cur, nofile.rlim_max + 1};
    CHECK_ERR(setrlimit(RLIMIT_NOFILE, &r), EPERM);
    // Root's processes are off limits: prlimit64 on pid 1 / the parent.
    rlimit got{};
    CHECK_ERR(prlimit_raw(getppid(), RLIMIT_NOFILE, nullptr, &got), EPERM);
  }));

  // --- prlimit64 on another process. ---
  {
    int to_child[2], to_parent[2];
    CHECK(pipe(to_child) == 0);
    CHECK(pipe(to_parent) == 0);
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
      close(to_child[1]);
      close(to_parent[0]);
      rlimit r{77, 200};
      int bad = setrlimit(RLIMIT_NOFILE, &r) == 0 ? 0 : 1;
      char c = 'r';
      if (write(to_parent[1], &c, 1) != 1) bad |= 2;
      if (read(to_child[0], &c, 1) != 1) bad |= 4;
      // The parent set our CORE limit.
      if (!limits_are(RLIMIT_CORE, 5, 6)) bad |= 8;
      if (!limits_are(RLIMIT_NOFILE, 77, 200)) bad |= 16;
      _exit(bad);
    }
    CHECK(pid > 0);
    close(to_child[0]);
    close(to_parent[1]);
    char c = 0;
    CHECK(read(to_parent[0], &c, 1) == 1);
    rlimit got{};
    CHECK(prlimit_raw(pid, RLIMIT_NOFILE, nullptr, &got) == 0);
    CHECK(got.rlim_cur == 77 && got.rlim_max == 200);
    rlimit core{5, 6}, old{};
    CHECK(prlimit_raw(pid, RLIMIT_CORE, &core, &old) == 0);
    rlimit mine{};
    CHECK(getrlimit(RLIMIT_CORE, &mine) == 0);
    CHECK(old.rlim_cur == mine.rlim_cur && old.rlim_max == mine.rlim_max);
    CHECK(write(to_child[1], &c, 1) == 1);
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    close(to_child[1]);
    close(to_parent[0]);
    // Limits are inherited across fork.
    rlimit nf{};
    CHECK(getrlimit(RLIMIT_NOFILE, &nf) == 0);
    CHECK_CHILD(in_child([nf] {
      CHECK(limits_are(RLIMIT_NOFILE, nf.rlim_cur, nf.rlim_max));
    }));
  }

  // --- RLIMIT_NOFILE enforcement. ---
  CHECK_CHILD(in_child([] {
    // An fd above the new limit stays open when the limit is lowered.
    int high = fcntl(0, F_DUPFD, 100);
    CHECK(high >= 100);
    rlimit r{32, 64};
    CHECK(setrlimit(RLIMIT_NOFILE, &r) == 0);
    CHECK(fcntl(high, F_GETFD) >= 0);
    // F_DUPFD with a minimum at or above the limit: EINVAL.
    CHECK_ERR(fcntl(0, F_DUPFD, 40), EINVAL);
    CHECK_ERR(fcntl(0, F_DUPFD, 32), EINVAL);
    CHECK_ERR(fcntl(0, F_DUPFD_CLOEXEC, 32), EINVAL);
    // dup2/dup3 onto an fd at or above the limit: EBADF.
    CHECK_ERR(dup2(0, 32), EBADF);
    CHECK_ERR(dup2(0, 40), EBADF);
    CHECK_ERR(dup3(0, 32, 0), EBADF);
    CHECK(dup2(0, 31) == 31);
    CHECK(close(31) == 0);
    // Fill the table below the limit.
    int last = -1, opened = 0;
    for (int i = 0; i < 64; ++i) {
      int fd = open("/dev/null", O_RDONLY);
      if (fd < 0) {
        const int e = errno;
        CHECK(e == EMFILE);
        break;
      }
      last = fd;
      ++opened;
    }
    CHECK(last == 31);
    CHECK(opened > 0);
    CHECK_ERR(open("/dev/null", O_RDONLY), EMFILE);
    CHECK_ERR(dup(0), EMFILE);
    CHECK_ERR(fcntl(0, F_DUPFD, 0), EMFILE);
    CHECK_ERR(fcntl(0, F_DUPFD, 31), EMFILE);
    int p[2];
    CHECK_ERR(pipe(p), EMFILE);
    // dup2 onto an in-range, already-open fd still works.
    CHECK(dup2(0, 31) == 31);
    // Raising the soft limit makes room again.
    r = {33, 64};
    CHECK(setrlimit(RLIMIT_NOFILE, &r) == 0);
    CHECK(dup(0) == 32);
    CHECK_ERR(dup(0), EMFILE);
    // The fd above the limit is still usable and can be closed.
    CHECK(close(high) == 0);
  }));

  return conformance::finish();
}
