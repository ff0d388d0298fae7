// prctl through FakeSyscall: thread names (truncation, padding, EFAULT,
// per task), the bounding set's bounds, argument validation of the
// model-served options, forwarded options and unserved ones; uname and
// sysinfo adjusted by MachineConfig.
#include <catch2/catch.hpp>

#include <sys/prctl.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

#include <boost/asio/io_context.hpp>

#include <array>
#include <cstring>

#include "fake_syscall.h"
#include "sentry/kernel/credentials.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/thread_name.h"

using namespace sentry;

namespace {

constexpr pid_t kTid = 5000001;  // beyond PID_MAX_LIMIT: no host process
constexpr pid_t kThread = 5000002;
constexpr std::uint64_t kAllCaps = 0x1ffffffffffull;

struct PrctlFixture {
  boost::asio::io_context io;
  kernel::Kernel k;
  testing::FakeGuestMemory mem;

  explicit PrctlFixture(kernel::MachineConfig cfg = {}) : k(io, std::move(cfg)) {
    k.tree.add_root(kTid, "/bin/true");
    kernel::Credentials& c = k.tree.task(kTid)->creds;
    c.cap_effective = c.cap_permitted = c.cap_bounding = kAllCaps;
    k.tree.add_task(kTid, kThread, kernel::CloneInfo{true, true});
    mem.map(0x1000, 0x100);
  }
  std::shared_ptr<testing::FakeSyscall> prctl(std::uint64_t option, std::uint64_t a2 = 0,
                                              std::uint64_t a3 = 0, std::uint64_t a4 = 0,
                                              std::uint64_t a5 = 0, pid_t tid = kTid) {
    return run("prctl", {option, a2, a3, a4, a5, 0}, tid);
  }
  std::shared_ptr<testing::FakeSyscall> run(std::string_view name, SyscallArgs args, pid_t tid = kTid) {
    return testing::run_handler(k, mem, tid, name, args);
  }
};

}  // namespace

TEST_CASE("thread names: comm_from_bytes and comm_buffer") {
  const char long_name[] = "0123456789abcdefXYZ";
  CHECK(kernel::comm_from_bytes(long_name, sizeof long_name) == "0123456789abcde");
  CHECK(kernel::comm_from_bytes("ab\0cd", 5) == "ab");
  auto buf = kernel::comm_buffer("ab");
  CHECK(std::strcmp(buf.data(), "ab") == 0);
  for (std::size_t i = 2; i < buf.size(); ++i) CHECK(buf[i] == 0);
}

TEST_CASE("prctl: PR_SET_NAME truncates to 15 bytes and runs on the host too") {
  PrctlFixture f;
  f.mem.map_string(0x2000, "0123456789abcdefXYZ");
  auto c = f.prctl(PR_SET_NAME, 0x2000);
  CHECK(c->continued);
  CHECK(f.k.tree.task(kTid)->comm == "0123456789abcde");
  // GET writes exactly 16 bytes: the name, NUL padded.
  std::array<char, 32> x;
  x.fill('x');
  f.mem.write(0x1000, x.data(), x.size());
  CHECK(f.prctl(PR_GET_NAME, 0x1000)->value == 0);
  char got[32];
  f.mem.read(0x1000, got, sizeof got);
  CHECK(std::strcmp(got, "0123456789abcde") == 0);
  CHECK(got[16] == 'x');
  // Names are per task.
  f.mem.map_string(0x3000, "worker");
  f.prctl(PR_SET_NAME, 0x3000, 0, 0, 0, kThread);
  CHECK(f.k.tree.task(kThread)->comm == "worker");
  CHECK(f.k.tree.task(kTid)->comm == "0123456789abcde");
}

TEST_CASE("prctl: PR_SET_NAME near the end of readable memory and EFAULT") {
  PrctlFixture f;
  f.mem.map_bytes(0x5000, "ab\0", 3);  // fewer than 15 readable bytes
  CHECK(f.prctl(PR_SET_NAME, 0x5000)->continued);
  CHECK(f.k.tree.task(kTid)->comm == "ab");
  f.mem.map_bytes(0x6000, "abcd", 4);  // no NUL before the fault
  CHECK(f.prctl(PR_SET_NAME, 0x6000)->value == -EFAULT);
  CHECK(f.prctl(PR_SET_NAME, 0)->value == -EFAULT);
  CHECK(f.prctl(PR_GET_NAME, 0)->value == -EFAULT);
  f.mem.map_string(0x7000, "");
  CHECK(f.prctl(PR_SET_NAME, 0x7000)->continued);
  CHECK(f.k.tree.task(kTid)->comm.empty());
}

TEST_CASE("prctl: PR_CAPBSET_READ bounds and PR_CAPBSET_DROP") {
  PrctlFixture f;
  const auto last = static_cast<std::uint64_t>(kernel::cap_last_cap());
  CHECK(f.prctl(PR_CAPBSET_READ, 0)->value == 1);
  CHECK(f.prctl(PR_CAPBSET_READ, last)->value == 1);
  CHECK(f.prctl(PR_CAPBSET_READ, last + 1)->value == -EINVAL);
  CHECK(f.prctl(PR_CAPBSET_READ, 64)->value == -EINVAL);
  CHECK(f.prctl(PR_CAPBSET_READ, ~0ull)->value == -EINVAL);
  CHECK(f.prctl(PR_CAPBSET_DROP, 0)->continued);
  CHECK(f.prctl(PR_CAPBSET_READ, 0)->value == 0);
  CHECK(f.prctl(PR_CAPBSET_READ, 0, 0, 0, 0, kThread)->value == 1);  // per task
  CHECK(f.prctl(PR_CAPBSET_DROP, 64)->value == -EINVAL);
  f.k.tree.task(kTid)->creds.cap_effective = 0;
  CHECK(f.prctl(PR_CAPBSET_DROP, 1)->value == -EPERM);
}

TEST_CASE("prctl: no_new_privs and keepcaps validation") {
  PrctlFixture f;
  CHECK(f.prctl(PR_GET_NO_NEW_PRIVS)->value == 0);
  CHECK(f.prctl(PR_SET_NO_NEW_PRIVS, 0)->value == -EINVAL);
  CHECK(f.prctl(PR_SET_NO_NEW_PRIVS, 2)->value == -EINVAL);
  CHECK(f.prctl(PR_SET_NO_NEW_PRIVS, 1, 1)->value == -EINVAL);
  CHECK(f.prctl(PR_GET_NO_NEW_PRIVS, 1)->value == -EINVAL);
  CHECK(f.prctl(PR_SET_NO_NEW_PRIVS, 1)->continued);
  CHECK(f.prctl(PR_GET_NO_NEW_PRIVS)->value == 1);
  CHECK(f.prctl(PR_GET_KEEPCAPS)->value == 0);
  CHECK(f.prctl(PR_SET_KEEPCAPS, 1)->continued);
  CHECK(f.prctl(PR_GET_KEEPCAPS)->value == 1);
  CHECK(f.prctl(PR_SET_KEEPCAPS, 2)->value == -EINVAL);
}

TEST_CASE("prctl: forwarded and unserved options") {
  PrctlFixture f;
  CHECK(f.prctl(PR_SET_PDEATHSIG, 65)->continued);  // the host validates
  CHECK(f.prctl(PR_SET_DUMPABLE, 2)->continued);
  CHECK(f.prctl(PR_GET_TIMERSLACK)->continued);
  CHECK(f.prctl(0x12345678)->value == -EINVAL);
  CHECK(f.prctl(0)->value == -EINVAL);
  CHECK(f.prctl(~0ull)->value == -EINVAL);
  CHECK(f.prctl(PR_SET_SECCOMP, 1)->value == -EINVAL);  // strict mode under sentry
}

TEST_CASE("system info: uname release and sysinfo memory follow MachineConfig") {
  kernel::MachineConfig cfg;
  cfg.uname_release = "9.9.9-sentry";
  cfg.memory_bytes = 1ull << 30;
  PrctlFixture f(cfg);
  f.mem.map(0x8000, sizeof(struct utsname));
  CHECK(f.run("uname", {0x8000})->value == 0);
  struct utsname u {};
  f.mem.read(0x8000, &u, sizeof u);
  CHECK(std::strcmp(u.release, "9.9.9-sentry") == 0);
  CHECK(std::strcmp(u.sysname, "Linux") == 0);
  CHECK(f.run("uname", {0})->value == -EFAULT);
  f.mem.map(0x9000, sizeof(struct sysinfo));
  CHECK(f.run("sysinfo", {0x9000})->value == 0);
  struct sysinfo si {};
  f.mem.read(0x9000, &si, sizeof si);
  CHECK(si.totalram == (1ull << 30));
  CHECK(si.freeram <= si.totalram);
  CHECK(si.mem_unit == 1);
  CHECK(si.procs == 2);
  CHECK(si.uptime > 0);
  CHECK(f.run("sysinfo", {0})->value == -EFAULT);
}
