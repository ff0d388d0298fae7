#include "sentry/report/arg_variants.h"

#include <fcntl.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include <catch2/catch.hpp>
#include <initializer_list>
#include <ostream>
#include <vector>

#include "test/unit/fake_guest_memory.h"

namespace sentry::report {

// Lets Catch2 print variants when a comparison fails.
static std::ostream& operator<<(std::ostream& os, const ArgVariant& v) {
  return os << "{" << v.category << ": " << v.value << "}";
}

namespace {

using abi::ArgKind;
using Variants = std::vector<ArgVariant>;

abi::SyscallEntry entry(std::string_view name, std::initializer_list<ArgKind> kinds) {
  abi::SyscallEntry e{};
  e.name = name;
  e.nr_x86_64 = -1;
  e.nr_aarch64 = -1;
  e.nargs = static_cast<std::uint8_t>(kinds.size());
  e.args.fill(ArgKind::kUnknown);
  std::size_t i = 0;
  for (ArgKind k : kinds) e.args[i++] = k;
  e.serve = abi::Serve::kForward;
  return e;
}

trace::SyscallArgs args_of(std::initializer_list<std::uint64_t> values) {
  trace::SyscallArgs a{};
  std::size_t i = 0;
  for (std::uint64_t v : values) a[i++] = v;
  return a;
}

std::uint64_t neg(std::int64_t v) { return static_cast<std::uint64_t>(v); }

const abi::SyscallEntry kOpenat =
    entry("openat", {ArgKind::kDirFd, ArgKind::kPath, ArgKind::kOpenFlags, ArgKind::kMode});

TEST_CASE("arg_variants: futex variant is its op", "[arg_variants]") {
  auto futex = entry("futex", {ArgKind::kPtr, ArgKind::kFutexOp, ArgKind::kInt, ArgKind::kTimespec,
                               ArgKind::kPtr, ArgKind::kUInt});
  CHECK(arg_variants(futex, args_of({0x1000, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME, 0}),
                     nullptr) == Variants{{"op", "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME"}});
  CHECK(arg_variants(futex, args_of({0x1000, FUTEX_WAKE_PRIVATE, 1}), nullptr) ==
        Variants{{"op", "FUTEX_WAKE_PRIVATE"}});
}

TEST_CASE("arg_variants: socket variant joins domain and type", "[arg_variants]") {
  auto socket = entry("socket", {ArgKind::kSocketDomain, ArgKind::kSocketType, ArgKind::kInt});
  CHECK(arg_variants(socket, args_of({AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0}), nullptr) ==
        Variants{{"domain,type", "AF_INET6, SOCK_STREAM|SOCK_CLOEXEC"}});
}

TEST_CASE("arg_variants: setsockopt variant names the option at its level", "[arg_variants]") {
  auto setsockopt = entry("setsockopt", {ArgKind::kFd, ArgKind::kSockoptLevel, ArgKind::kSockoptName,
                                         ArgKind::kPtr, ArgKind::kSize});
  CHECK(arg_variants(setsockopt, args_of({3, SOL_IPV6, IPV6_V6ONLY, 0x1000, 4}), nullptr) ==
        Variants{{"level,name", "SOL_IPV6, IPV6_V6ONLY"}});
}

TEST_CASE("arg_variants: openat of a /proc path lists the path; other paths do not", "[arg_variants]") {
  testing::FakeGuestMemory mem;
  mem.map_string(0x1000, "/proc/self/exe");
  mem.map_string(0x2000, "/home/x");
  mem.map_string(0x3000, "/proc/1234/task/1234/stat");
  mem.map_string(0x4000, "/devices");  // not under /dev
  mem.map_string(0x5000, "/dev/null");

  CHECK(arg_variants(kOpenat, args_of({neg(AT_FDCWD), 0x1000, O_RDONLY | O_CLOEXEC}), &mem) ==
        Variants{{"flags", "O_RDONLY|O_CLOEXEC"}, {"path", "/proc/self/exe"}});
  CHECK(arg_variants(kOpenat, args_of({neg(AT_FDCWD), 0x2000, O_RDONLY | O_CLOEXEC}), &mem) ==
        Variants{{"flags", "O_RDONLY|O_CLOEXEC"}});
  CHECK(arg_variants(kOpenat, args_of({neg(AT_FDCWD), 0x3000, O_RDONLY}), &mem) ==
        Variants{{"flags", "O_RDONLY"}, {"path", "/proc/<n>/task/<n>/stat"}});
  CHECK(arg_variants(kOpenat, args_of({neg(AT_FDCWD), 0x4000, O_RDONLY}), &mem) == Variants{{"flags", "O_RDONLY"}});
  CHECK(arg_variants(kOpenat, args_of({neg(AT_FDCWD), 0x5000, O_RDWR}), &mem) ==
        Variants{{"flags", "O_RDWR"}, {"path", "/dev/null"}});
  // Without memory (or with an unreadable path) only the flags are known.
  CHECK(arg_variants(kOpenat, args_of({neg(AT_FDCWD), 0x1000, O_RDONLY}), nullptr) == Variants{{"flags", "O_RDONLY"}});
  CHECK(arg_variants(kOpenat, args_of({neg(AT_FDCWD), 0xdead0000, O_RDONLY}), &mem) ==
        Variants{{"flags", "O_RDONLY"}});
}

TEST_CASE("arg_variants: path-only calls give a variant only for special paths", "[arg_variants]") {
  testing::FakeGuestMemory mem;
  mem.map_string(0x1000, "/sys/fs/cgroup/cpu.max");
  mem.map_string(0x2000, "/usr/bin/ffmpeg");
  auto readlink = entry("readlink", {ArgKind::kPath, ArgKind::kOutBuf, ArgKind::kSize});
  CHECK(arg_variants(readlink, args_of({0x1000, 0x9000, 4096}), &mem) ==
        Variants{{"path", "/sys/fs/cgroup/cpu.max"}});
  CHECK(arg_variants(readlink, args_of({0x2000, 0x9000, 4096}), &mem).empty());
}

TEST_CASE("arg_variants: data-only calls have no variants", "[arg_variants]") {
  auto read = entry("read", {ArgKind::kFd, ArgKind::kOutBuf, ArgKind::kSize});
  CHECK(arg_variants(read, args_of({0, 0x1000, 10}), nullptr).empty());
}

TEST_CASE("arg_variants: variants read from memory keep only what selects behaviour", "[arg_variants]") {
  testing::FakeGuestMemory mem;
  auto epoll_ctl = entry("epoll_ctl", {ArgKind::kFd, ArgKind::kEpollOp, ArgKind::kFd, ArgKind::kEpollEvent});
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  ev.data.u64 = 0x123456;  // the cookie is data, not a variant
  mem.map_bytes(0x1000, &ev, sizeof ev);
  CHECK(arg_variants(epoll_ctl, args_of({5, EPOLL_CTL_ADD, 6, 0x1000}), &mem) ==
        Variants{{"op,events", "EPOLL_CTL_ADD, EPOLLIN|EPOLLET"}});
  CHECK(arg_variants(epoll_ctl, args_of({5, EPOLL_CTL_DEL, 6, 0}), &mem) ==
        Variants{{"op,events", "EPOLL_CTL_DEL, NULL"}});

  clone_args ca{};
  ca.flags = CLONE_VM | CLONE_VFORK;
  ca.exit_signal = SIGCHLD;
  ca.stack = 0x7f0000000000;
  mem.map_bytes(0x2000, &ca, sizeof ca);
  auto clone3 = entry("clone3", {ArgKind::kClone3Args, ArgKind::kSize});
  auto clone = entry("clone", {ArgKind::kCloneFlags, ArgKind::kPtr, ArgKind::kPtr, ArgKind::kPtr, ArgKind::kHex});
  // clone and clone3 spell the same request the same way.
  CHECK(arg_variants(clone3, args_of({0x2000, sizeof ca}), &mem) ==
        Variants{{"flags", "CLONE_VM|CLONE_VFORK|SIGCHLD"}});
  CHECK(arg_variants(clone, args_of({CLONE_VM | CLONE_VFORK | SIGCHLD, 0x7000}), &mem) ==
        Variants{{"flags", "CLONE_VM|CLONE_VFORK|SIGCHLD"}});
  CHECK(arg_variants(clone3, args_of({0xdead0000, sizeof ca}), &mem) == Variants{{"flags", "?"}});
}

TEST_CASE("arg_variants: more kinds, one rule each", "[arg_variants]") {
  auto mmap = entry("mmap", {ArgKind::kPtr, ArgKind::kSize, ArgKind::kMmapProt, ArgKind::kMmapFlags,
                             ArgKind::kFd, ArgKind::kOffset});
  CHECK(arg_variants(mmap, args_of({0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, neg(-1), 0}), nullptr) ==
        Variants{{"prot,flags", "PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS"}});
  auto prlimit = entry("prlimit64", {ArgKind::kPid, ArgKind::kRlimitResource, ArgKind::kPtr, ArgKind::kOutBuf});
  CHECK(arg_variants(prlimit, args_of({0, RLIMIT_NOFILE, 0, 0x1000}), nullptr) ==
        Variants{{"resource", "RLIMIT_NOFILE"}});
  auto sigaction = entry("rt_sigaction", {ArgKind::kSignal, ArgKind::kPtr, ArgKind::kOutBuf, ArgKind::kSize});
  CHECK(arg_variants(sigaction, args_of({SIGINT, 0x1000, 0, 8}), nullptr) == Variants{{"signal", "SIGINT"}});
  auto clock_nanosleep = entry("clock_nanosleep", {ArgKind::kClockId, ArgKind::kTimerFlags, ArgKind::kTimespec,
                                                   ArgKind::kOutBuf});
  CHECK(arg_variants(clock_nanosleep, args_of({CLOCK_REALTIME, 0, 0x1000, 0}), nullptr) ==
        Variants{{"clock,flags", "CLOCK_REALTIME, 0"}});
  auto fcntl = entry("fcntl", {ArgKind::kFd, ArgKind::kFcntlCmd, ArgKind::kHex});
  CHECK(arg_variants(fcntl, args_of({3, F_SETFD, 1}), nullptr) == Variants{{"cmd", "F_SETFD"}});
  auto ioctl = entry("ioctl", {ArgKind::kFd, ArgKind::kIoctlReq, ArgKind::kHex});
  CHECK(arg_variants(ioctl, args_of({3, 0x5421, 0x1000}), nullptr) == Variants{{"request", "FIONBIO"}});
}

}  // namespace
}  // namespace sentry::report
