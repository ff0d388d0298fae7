#include "sentry/trace/arg_format.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include <catch2/catch.hpp>
#include <cstddef>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "test/unit/fake_guest_memory.h"

namespace sentry::trace {
namespace {

using abi::ArgKind;

// Rows are built here rather than taken from the syscall table, so these tests
// pin the printer alone.
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

SyscallArgs args_of(std::initializer_list<std::uint64_t> values) {
  SyscallArgs a{};
  std::size_t i = 0;
  for (std::uint64_t v : values) a[i++] = v;
  return a;
}

std::uint64_t neg(std::int64_t v) { return static_cast<std::uint64_t>(v); }

constexpr std::uint64_t kPathAddr = 0x10000;
constexpr std::uint64_t kBufAddr = 0x20000;
constexpr std::uint64_t kUnmapped = 0xdead0000;

const abi::SyscallEntry kOpenat =
    entry("openat", {ArgKind::kDirFd, ArgKind::kPath, ArgKind::kOpenFlags, ArgKind::kMode});

TEST_CASE("arg_format: openat with AT_FDCWD, a path and O_RDONLY|O_CLOEXEC", "[arg_format]") {
  testing::FakeGuestMemory mem;
  mem.map_string(kPathAddr, "/etc/passwd");
  SyscallArgs a = args_of({neg(AT_FDCWD), kPathAddr, O_RDONLY | O_CLOEXEC, 0});
  CHECK(format_call(kOpenat, a, &mem) == "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC)");
  // AT_FDCWD also when the register was zero-extended from a 32-bit move.
  a[0] = 0xffffff9cu;
  CHECK(format_arg(kOpenat, 0, a, &mem) == "AT_FDCWD");
}

TEST_CASE("arg_format: openat shows the mode only when it creates", "[arg_format]") {
  testing::FakeGuestMemory mem;
  mem.map_string(kPathAddr, "/tmp/x");
  SyscallArgs a = args_of({3, kPathAddr, O_WRONLY | O_CREAT | O_TRUNC, 0644});
  CHECK(format_call(kOpenat, a, &mem) == "openat(3, \"/tmp/x\", O_WRONLY|O_CREAT|O_TRUNC, 0644)");
  a[3] = 0;
  CHECK(format_arg(kOpenat, 3, a, &mem) == "000");
}

TEST_CASE("arg_format: unreadable memory prints the address", "[arg_format]") {
  testing::FakeGuestMemory mem;
  SyscallArgs a = args_of({neg(AT_FDCWD), kUnmapped, O_RDONLY, 0});
  CHECK(format_call(kOpenat, a, &mem) == "openat(AT_FDCWD, 0xdead0000, O_RDONLY)");
  CHECK(format_arg(kOpenat, 1, a, nullptr) == "0xdead0000");
  a[1] = 0;
  CHECK(format_arg(kOpenat, 1, a, &mem) == "NULL");
}

TEST_CASE("arg_format: strings are escaped and truncated like strace", "[arg_format]") {
  testing::FakeGuestMemory mem;
  mem.map_string(kPathAddr, "a\"b\\c\nd\te\x01\xff");
  mem.map_string(kBufAddr, std::string(100, 'x'));
  auto e = entry("prctl", {ArgKind::kPrctlOption, ArgKind::kString});
  CHECK(format_arg(e, 1, args_of({15, kPathAddr}), &mem) == R"("a\"b\\c\nd\te\x01\xff")");
  CHECK(format_arg(e, 1, args_of({15, kBufAddr}), &mem) == "\"" + std::string(64, 'x') + "\"...");
  // Exactly the limit: not truncated.
  mem.map_string(0x30000, std::string(64, 'y'));
  CHECK(format_arg(e, 1, args_of({15, 0x30000}), &mem) == "\"" + std::string(64, 'y') + "\"");
}

TEST_CASE("arg_format: input buffers print their first bytes using the next argument", "[arg_format]") {
  testing::FakeGuestMemory mem;
  mem.map_string(kBufAddr, "hello\n" + std::string(60, 'z'));
  auto write = entry("write", {ArgKind::kFd, ArgKind::kInBuf, ArgKind::kSize});
  CHECK(format_call(write, args_of({1, kBufAddr, 6}), &mem) == "write(1, \"hello\\n\", 6)");
  CHECK(format_arg(write, 1, args_of({1, kBufAddr, 40}), &mem) ==
        "\"hello\\n" + std::string(26, 'z') + "\"...");
  CHECK(format_arg(write, 1, args_of({1, kUnmapped, 6}), &mem) == "0xdead0000");
  auto read = entry("read", {ArgKind::kFd, ArgKind::kOutBuf, ArgKind::kSize});
  CHECK(format_call(read, args_of({0, kBufAddr, 4096}), &mem) == "read(0, 0x20000, 4096)");
}

TEST_CASE("arg_format: output buffers show what the call wrote once its result is known", "[arg_format]") {
  testing::FakeGuestMemory mem;
  mem.map_string(kBufAddr, "abc\n" + std::string(60, 'y'));
  auto read = entry("read", {ArgKind::kFd, ArgKind::kOutBuf, ArgKind::kSize});
  CHECK(has_output_args(read));
  CHECK(format_call(read, args_of({3, kBufAddr, 4096}), &mem, 4) == "read(3, \"abc\\n\", 4096)");
  CHECK(format_call(read, args_of({3, kBufAddr, 4096}), &mem, 0) == "read(3, \"\", 4096)");
  CHECK(format_arg(read, 1, args_of({3, kBufAddr, 4096}), &mem, 40) ==
        "\"abc\\n" + std::string(28, 'y') + "\"...");
  // A failed call wrote nothing; an unreadable buffer prints its address.
  CHECK(format_call(read, args_of({3, kBufAddr, 4096}), &mem, -EAGAIN) == "read(3, 0x20000, 4096)");
  CHECK(format_arg(read, 1, args_of({3, kUnmapped, 4096}), &mem, 4) == "0xdead0000");
  auto write = entry("write", {ArgKind::kFd, ArgKind::kInBuf, ArgKind::kSize});
  CHECK_FALSE(has_output_args(write));
}

TEST_CASE("arg_format: epoll_wait shows the events it returned", "[arg_format]") {
  constexpr std::uint64_t kNoTimeout = static_cast<std::uint64_t>(-1);  // timeout -1
  testing::FakeGuestMemory mem;
  epoll_event evs[10] = {};
  for (int i = 0; i < 10; ++i) {
    evs[i].events = i == 0 ? EPOLLIN | EPOLLRDHUP : EPOLLOUT;
    evs[i].data.u64 = 100 + static_cast<std::uint64_t>(i);
  }
  mem.map_string(kBufAddr, std::string(reinterpret_cast<const char*>(evs), sizeof evs));
  auto wait = entry("epoll_wait", {ArgKind::kFd, ArgKind::kEpollEventsOut, ArgKind::kInt, ArgKind::kInt});
  CHECK(has_output_args(wait));
  CHECK(format_call(wait, args_of({5, kBufAddr, 16, kNoTimeout}), &mem) == "epoll_wait(5, 0x20000, 16, -1)");
  CHECK(format_call(wait, args_of({5, kBufAddr, 16, 0}), &mem, 0) == "epoll_wait(5, [], 16, 0)");
  CHECK(format_call(wait, args_of({5, kBufAddr, 16, kNoTimeout}), &mem, 2) ==
        "epoll_wait(5, [{events=EPOLLIN|EPOLLRDHUP, data=0x64}, {events=EPOLLOUT, data=0x65}], 16, -1)");
  const std::string ten = format_arg(wait, 1, args_of({5, kBufAddr, 16, kNoTimeout}), &mem, 10);
  CHECK(ten.find("data=0x6b}, ...]") != std::string::npos);  // the first 8, then "..."
  CHECK(ten.find("0x6c") == std::string::npos);
  CHECK(format_arg(wait, 1, args_of({5, kBufAddr, 16, kNoTimeout}), &mem, -EINTR) == "0x20000");
}

TEST_CASE("arg_format: futex op strings", "[arg_format]") {
  auto futex = entry("futex", {ArgKind::kPtr, ArgKind::kFutexOp, ArgKind::kInt, ArgKind::kTimespec,
                               ArgKind::kPtr, ArgKind::kUInt});
  testing::FakeGuestMemory mem;
  CHECK(format_arg(futex, 1, args_of({0x1000, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME}),
                   &mem) == "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME");
  CHECK(format_call(futex, args_of({0x7f0000001000, FUTEX_WAKE_PRIVATE, 1, 0, 0, 0}), &mem) ==
        "futex(0x7f0000001000, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0)");
}

TEST_CASE("arg_format: sockaddr decoding", "[arg_format]") {
  auto connect = entry("connect", {ArgKind::kFd, ArgKind::kSockaddr, ArgKind::kSize});
  testing::FakeGuestMemory mem;

  SECTION("AF_INET6") {
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(554);
    sin6.sin6_addr = in6addr_any;
    mem.map_bytes(kBufAddr, &sin6, sizeof sin6);
    CHECK(format_arg(connect, 1, args_of({3, kBufAddr, sizeof sin6}), &mem) ==
          "{sa_family=AF_INET6, sin6_port=htons(554), sin6_flowinfo=htonl(0), "
          "inet_pton(AF_INET6, \"::\", &sin6_addr), sin6_scope_id=0}");
    inet_pton(AF_INET6, "2001:db8::1", &sin6.sin6_addr);
    sin6.sin6_scope_id = 2;
    mem.map_bytes(kBufAddr, &sin6, sizeof sin6);
    CHECK(format_call(connect, args_of({3, kBufAddr, sizeof sin6}), &mem) ==
          "connect(3, {sa_family=AF_INET6, sin6_port=htons(554), sin6_flowinfo=htonl(0), "
          "inet_pton(AF_INET6, \"2001:db8::1\", &sin6_addr), sin6_scope_id=2}, 28)");
  }
  SECTION("AF_INET") {
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(554);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    mem.map_bytes(kBufAddr, &sin, sizeof sin);
    CHECK(format_arg(connect, 1, args_of({3, kBufAddr, sizeof sin}), &mem) ==
          "{sa_family=AF_INET, sin_port=htons(554), sin_addr=inet_addr(\"127.0.0.1\")}");
  }
  SECTION("AF_UNIX path and abstract") {
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::strcpy(sun.sun_path, "/x");
    mem.map_bytes(kBufAddr, &sun, sizeof sun);
    std::uint64_t len = offsetof(sockaddr_un, sun_path) + 3;
    CHECK(format_arg(connect, 1, args_of({3, kBufAddr, len}), &mem) == "{sa_family=AF_UNIX, sun_path=\"/x\"}");
    std::memcpy(sun.sun_path, "\0abs", 4);
    mem.map_bytes(kBufAddr, &sun, sizeof sun);
    len = offsetof(sockaddr_un, sun_path) + 4;
    CHECK(format_arg(connect, 1, args_of({3, kBufAddr, len}), &mem) == "{sa_family=AF_UNIX, sun_path=@\"abs\"}");
  }
  SECTION("unreadable, short or output-only") {
    CHECK(format_arg(connect, 1, args_of({3, kUnmapped, 16}), &mem) == "0xdead0000");
    CHECK(format_arg(connect, 1, args_of({3, kBufAddr, 1}), &mem) == "0x20000");
    auto accept = entry("accept", {ArgKind::kFd, ArgKind::kSockaddr, ArgKind::kPtr});
    CHECK(format_call(accept, args_of({3, kBufAddr, 0x30000}), &mem) == "accept(3, 0x20000, 0x30000)");
  }
}

TEST_CASE("arg_format: socket option names depend on the level argument", "[arg_format]") {
  auto setsockopt = entry("setsockopt", {ArgKind::kFd, ArgKind::kSockoptLevel, ArgKind::kSockoptName,
                                         ArgKind::kPtr, ArgKind::kSize});
  testing::FakeGuestMemory mem;
  CHECK(format_call(setsockopt, args_of({3, SOL_IPV6, IPV6_V6ONLY, 0x1000, 4}), &mem) ==
        "setsockopt(3, SOL_IPV6, IPV6_V6ONLY, 0x1000, 4)");
  CHECK(format_arg(setsockopt, 2, args_of({3, SOL_SOCKET, SO_REUSEADDR}), &mem) == "SO_REUSEADDR");
  CHECK(format_arg(setsockopt, 2, args_of({3, SOL_SOCKET, SO_LINGER}), &mem) == "SO_LINGER");
  CHECK(format_arg(setsockopt, 2, args_of({3, IPPROTO_TCP, 1}), &mem) == "TCP_NODELAY");
  CHECK(format_arg(setsockopt, 2, args_of({3, IPPROTO_IP, 1}), &mem) == "IP_TOS");
  CHECK(format_arg(setsockopt, 1, args_of({3, 999, 1}), &mem) == "999");
  CHECK(format_arg(setsockopt, 2, args_of({3, 999, 1}), &mem) == "1");
}

TEST_CASE("arg_format: socket domain and type", "[arg_format]") {
  auto socket = entry("socket", {ArgKind::kSocketDomain, ArgKind::kSocketType, ArgKind::kInt});
  CHECK(format_call(socket, args_of({AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0}), nullptr) ==
        "socket(AF_INET6, SOCK_STREAM|SOCK_CLOEXEC, 0)");
}

TEST_CASE("arg_format: results", "[arg_format]") {
  auto openat = kOpenat;
  auto mmap = entry("mmap", {ArgKind::kPtr, ArgKind::kSize, ArgKind::kMmapProt, ArgKind::kMmapFlags,
                             ArgKind::kFd, ArgKind::kOffset});
  CHECK(format_result(openat, 3) == "3");
  CHECK(format_result(openat, -ENOENT) == "-1 ENOENT (No such file or directory)");
  CHECK(format_result(openat, -EACCES) == "-1 EACCES (Permission denied)");
  CHECK(format_result(openat, -4095) == "-1 ERRNO_4095 (Unknown error 4095)");
  CHECK(format_result(openat, -4096) == "-4096");
  CHECK(format_result(mmap, 0x7f12a000) == "0x7f12a000");
  CHECK(format_result(mmap, -ENOMEM) == "-1 ENOMEM (Cannot allocate memory)");
  CHECK(format_call(mmap, args_of({0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, neg(-1), 0}),
                    nullptr) == "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
}

TEST_CASE("arg_format: unknown flag bits are printed in hex", "[arg_format]") {
  CHECK(format_arg(kOpenat, 2, args_of({0, 0, O_RDONLY | 0x40000000}), nullptr) == "O_RDONLY|0x40000000");
  auto mprotect = entry("mprotect", {ArgKind::kPtr, ArgKind::kSize, ArgKind::kMmapProt});
  CHECK(format_arg(mprotect, 2, args_of({0, 0, PROT_READ | 0x100}), nullptr) == "PROT_READ|0x100");
}

TEST_CASE("arg_format: argv arrays", "[arg_format]") {
  testing::FakeGuestMemory mem;
  mem.map_string(0x1000, "/bin/sh");
  mem.map_string(0x2000, "sh");
  mem.map_string(0x3000, "-c");
  mem.map_string(0x4000, "which ffmpeg");
  std::uint64_t argv[] = {0x2000, 0x3000, 0x4000, 0};
  mem.map_bytes(0x5000, argv, sizeof argv);
  auto execve = entry("execve", {ArgKind::kPath, ArgKind::kArgv, ArgKind::kArgv});
  CHECK(format_call(execve, args_of({0x1000, 0x5000, 0}), &mem) ==
        "execve(\"/bin/sh\", [\"sh\", \"-c\", \"which ffmpeg\"], NULL)");

  std::vector<std::uint64_t> many(20, 0x2000);
  many.push_back(0);
  mem.map_bytes(0x6000, many.data(), many.size() * sizeof(std::uint64_t));
  std::string expected = "[";
  for (int i = 0; i < 16; ++i) expected += "\"sh\", ";
  expected += "...]";
  CHECK(format_arg(execve, 1, args_of({0x1000, 0x6000}), &mem) == expected);

  std::uint64_t empty[] = {0};
  mem.map_bytes(0x7000, empty, sizeof empty);
  CHECK(format_arg(execve, 1, args_of({0x1000, 0x7000}), &mem) == "[]");
  CHECK(format_arg(execve, 1, args_of({0x1000, kUnmapped}), &mem) == "0xdead0000");
  // An entry pointing nowhere prints its address.
  std::uint64_t bad[] = {0x2000, kUnmapped, 0};
  mem.map_bytes(0x8000, bad, sizeof bad);
  CHECK(format_arg(execve, 1, args_of({0x1000, 0x8000}), &mem) == "[\"sh\", 0xdead0000]");
}

TEST_CASE("arg_format: structures read from memory", "[arg_format]") {
  testing::FakeGuestMemory mem;

  SECTION("timespec") {
    timespec ts{0, 500000};
    mem.map_bytes(kBufAddr, &ts, sizeof ts);
    auto nanosleep = entry("nanosleep", {ArgKind::kTimespec, ArgKind::kOutBuf});
    CHECK(format_call(nanosleep, args_of({kBufAddr, 0}), &mem) == "nanosleep({tv_sec=0, tv_nsec=500000}, NULL)");
  }
  SECTION("epoll_event") {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLET;
    ev.data.u64 = 0x2a;
    mem.map_bytes(kBufAddr, &ev, sizeof ev);
    auto epoll_ctl = entry("epoll_ctl", {ArgKind::kFd, ArgKind::kEpollOp, ArgKind::kFd, ArgKind::kEpollEvent});
    CHECK(format_call(epoll_ctl, args_of({5, EPOLL_CTL_ADD, 6, kBufAddr}), &mem) ==
          "epoll_ctl(5, EPOLL_CTL_ADD, 6, {events=EPOLLIN|EPOLLET, data=0x2a})");
  }
  SECTION("sigset") {
    std::uint64_t set = (1ull << (SIGINT - 1)) | (1ull << (SIGTERM - 1));
    mem.map_bytes(kBufAddr, &set, sizeof set);
    auto sigprocmask = entry("rt_sigprocmask", {ArgKind::kSigHow, ArgKind::kSigset, ArgKind::kOutBuf, ArgKind::kSize});
    CHECK(format_call(sigprocmask, args_of({SIG_BLOCK, kBufAddr, 0, 8}), &mem) ==
          "rt_sigprocmask(SIG_BLOCK, [INT TERM], NULL, 8)");
    std::uint64_t all_but_rt = ~((1ull << 31) | (1ull << 32));  // signals 32 and 33 clear
    mem.map_bytes(0x30000, &all_but_rt, sizeof all_but_rt);
    CHECK(format_arg(sigprocmask, 1, args_of({SIG_SETMASK, 0x30000}), &mem) == "~[RTMIN RT_1]");
  }
  SECTION("pollfd array") {
    pollfd fds[] = {{3, POLLIN, 0}, {4, POLLIN | POLLOUT, 0}};
    mem.map_bytes(kBufAddr, fds, sizeof fds);
    auto poll = entry("poll", {ArgKind::kPollFds, ArgKind::kUInt, ArgKind::kInt});
    CHECK(format_call(poll, args_of({kBufAddr, 2, neg(-1)}), &mem) ==
          "poll([{fd=3, events=POLLIN}, {fd=4, events=POLLIN|POLLOUT}], 2, -1)");
  }
  SECTION("clone3 args") {
    clone_args ca{};
    ca.flags = CLONE_VM | CLONE_VFORK;
    ca.exit_signal = SIGCHLD;
    ca.stack = 0x7f0000000000;
    ca.stack_size = 0x10000;
    mem.map_bytes(kBufAddr, &ca, sizeof ca);
    auto clone3 = entry("clone3", {ArgKind::kClone3Args, ArgKind::kSize});
    CHECK(format_call(clone3, args_of({kBufAddr, sizeof ca}), &mem) ==
          "clone3({flags=CLONE_VM|CLONE_VFORK, exit_signal=SIGCHLD, stack=0x7f0000000000, stack_size=0x10000}, 88)");
    CHECK(format_arg(clone3, 0, args_of({kBufAddr, 8}), &mem) == "0x20000");
  }
}

TEST_CASE("arg_format: integers, ids and signals", "[arg_format]") {
  auto kill = entry("kill", {ArgKind::kPid, ArgKind::kSignal});
  CHECK(format_call(kill, args_of({neg(-1), SIGTERM}), nullptr) == "kill(-1, SIGTERM)");
  CHECK(format_call(kill, args_of({0xffffffffu, 33}), nullptr) == "kill(-1, SIGRT_1)");
  CHECK(format_arg(kill, 0, args_of({0x1234567800000001}), nullptr) == "1311768464867721217");
  auto setresuid = entry("setresuid", {ArgKind::kUid, ArgKind::kUid, ArgKind::kUid});
  CHECK(format_call(setresuid, args_of({0xffffffffu, 1000, neg(-1)}), nullptr) == "setresuid(-1, 1000, -1)");
  auto clone = entry("clone", {ArgKind::kCloneFlags, ArgKind::kPtr, ArgKind::kPtr, ArgKind::kPtr, ArgKind::kHex});
  CHECK(format_call(clone, args_of({CLONE_VM | CLONE_VFORK | SIGCHLD, 0x7000, 0, 0, 0}), nullptr) ==
        "clone(CLONE_VM|CLONE_VFORK|SIGCHLD, 0x7000, NULL, NULL, 0)");
  auto lseek = entry("lseek", {ArgKind::kFd, ArgKind::kOffset, ArgKind::kWhence});
  CHECK(format_call(lseek, args_of({3, neg(-10), SEEK_END}), nullptr) == "lseek(3, -10, SEEK_END)");
  auto clock_nanosleep = entry("clock_nanosleep", {ArgKind::kClockId, ArgKind::kTimerFlags, ArgKind::kTimespec,
                                                   ArgKind::kOutBuf});
  CHECK(format_call(clock_nanosleep, args_of({CLOCK_MONOTONIC, TIMER_ABSTIME, 0, 0}), nullptr) ==
        "clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, NULL, NULL)");
  CHECK(format_arg(clock_nanosleep, 0, args_of({neg(-6)}), nullptr) == "-6");
}

TEST_CASE("arg_format: out-of-range index and unknown kinds do not throw", "[arg_format]") {
  auto e = entry("mystery", {ArgKind::kUnknown});
  CHECK(format_arg(e, 7, args_of({1}), nullptr) == "?");
  CHECK(format_arg(e, -1, args_of({1}), nullptr) == "?");
  CHECK(format_call(e, args_of({0xabc}), nullptr) == "mystery(0xabc)");
}

}  // namespace
}  // namespace sentry::trace
