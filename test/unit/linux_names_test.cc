#include "abi/linux_names.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <linux/mman.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <sys/mman.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <set>
#include <utility>
#include <vector>

namespace sentry::abi {
namespace {

constexpr FlagName kTestTable[] = {{0x1, "A"}, {0x2, "B"}, {0x0, "ZERO"}};

TEST_CASE("linux_names: flags_to_string names bits in table order and leftovers in hex", "[linux_names]") {
  CHECK(flags_to_string(0, kTestTable) == "0");
  CHECK(flags_to_string(0x3, kTestTable) == "A|B");
  CHECK(flags_to_string(0x43, kTestTable) == "A|B|0x40");
  CHECK(flags_to_string(0x40, kTestTable) == "0x40");
}

TEST_CASE("linux_names: value_name falls back to decimal, then hex", "[linux_names]") {
  CHECK(value_name(0, kTestTable) == "ZERO");
  CHECK(value_name(2, kTestTable) == "B");
  CHECK(value_name(7, kTestTable) == "7");
  CHECK(value_name(0x12345678, kTestTable) == "0x12345678");
  CHECK(find_name(7, kTestTable).empty());
}

TEST_CASE("linux_names: errno names and stable descriptions", "[linux_names]") {
  CHECK(errno_name(ENOENT) == "ENOENT");
  CHECK(errno_description(ENOENT) == "No such file or directory");
  CHECK(errno_name(EAGAIN) == "EAGAIN");
  CHECK(errno_name(ENOSYS) == "ENOSYS");
  CHECK(errno_description(ENOSYS) == "Function not implemented");
  CHECK(errno_name(EHWPOISON) == "EHWPOISON");
  CHECK(errno_name(512) == "ERESTARTSYS");
  CHECK(errno_name(4000).empty());
  CHECK(errno_description(4000).empty());
}

TEST_CASE("linux_names: signal names count real-time signals from the kernel's SIGRTMIN", "[linux_names]") {
  CHECK(signal_name(SIGINT) == "SIGINT");
  CHECK(signal_name(SIGCHLD) == "SIGCHLD");
  CHECK(signal_name(SIGSYS) == "SIGSYS");
  CHECK(signal_name(32) == "SIGRTMIN");
  CHECK(signal_name(33) == "SIGRT_1");
  CHECK(signal_name(64) == "SIGRT_32");
  CHECK(signal_name(0) == "0");
  CHECK(signal_name(65) == "65");
  CHECK(signal_short_name(SIGTERM) == "TERM");
  CHECK(signal_short_name(33) == "RT_1");
}

TEST_CASE("linux_names: open flags print the access mode first", "[linux_names]") {
  CHECK(open_flags_to_string(O_RDONLY) == "O_RDONLY");
  CHECK(open_flags_to_string(O_RDONLY | O_CLOEXEC) == "O_RDONLY|O_CLOEXEC");
  CHECK(open_flags_to_string(O_WRONLY | O_CREAT | O_TRUNC) == "O_WRONLY|O_CREAT|O_TRUNC");
  CHECK(open_flags_to_string(O_RDWR | O_TMPFILE) == "O_RDWR|O_TMPFILE");
  CHECK(open_flags_to_string(O_RDONLY | O_DIRECTORY) == "O_RDONLY|O_DIRECTORY");
  CHECK(open_flags_to_string(O_WRONLY | O_SYNC) == "O_WRONLY|O_SYNC");
  CHECK(open_flags_to_string(O_RDONLY | 0100000) == "O_RDONLY|O_LARGEFILE");
  CHECK(open_flags_to_string(O_RDONLY | 0x40000000) == "O_RDONLY|0x40000000");
}

TEST_CASE("linux_names: access modes and prot have names for zero", "[linux_names]") {
  CHECK(access_mode_to_string(F_OK) == "F_OK");
  CHECK(access_mode_to_string(R_OK | X_OK) == "R_OK|X_OK");
  CHECK(prot_to_string(PROT_NONE) == "PROT_NONE");
  CHECK(prot_to_string(PROT_READ | PROT_EXEC) == "PROT_READ|PROT_EXEC");
}

TEST_CASE("linux_names: mmap flags: type, flags and hugetlb size", "[linux_names]") {
  CHECK(mmap_flags_to_string(MAP_PRIVATE | MAP_ANONYMOUS) == "MAP_PRIVATE|MAP_ANONYMOUS");
  CHECK(mmap_flags_to_string(MAP_SHARED_VALIDATE | MAP_SYNC) == "MAP_SHARED_VALIDATE|MAP_SYNC");
  CHECK(mmap_flags_to_string(MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE) ==
        "MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE|MAP_STACK");
  CHECK(mmap_flags_to_string(MAP_PRIVATE | MAP_FIXED_NOREPLACE) == "MAP_PRIVATE|MAP_FIXED_NOREPLACE");
  CHECK(mmap_flags_to_string(MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_2MB) ==
        "MAP_PRIVATE|MAP_ANONYMOUS|MAP_HUGETLB|MAP_HUGE_2MB");
  CHECK(mmap_flags_to_string(MAP_SHARED | MAP_HUGETLB | MAP_HUGE_1GB) == "MAP_SHARED|MAP_HUGETLB|MAP_HUGE_1GB");
  CHECK(mmap_flags_to_string(0) == "0");
}

TEST_CASE("linux_names: memfd flags carry a hugetlb size too", "[linux_names]") {
  CHECK(memfd_flags_to_string(MFD_CLOEXEC | MFD_ALLOW_SEALING) == "MFD_CLOEXEC|MFD_ALLOW_SEALING");
  CHECK(memfd_flags_to_string(MFD_HUGETLB | (21u << MAP_HUGE_SHIFT)) == "MFD_HUGETLB|MFD_HUGE_2MB");
}

TEST_CASE("linux_names: clone flags end with the exit signal", "[linux_names]") {
  CHECK(clone_flags_to_string(CLONE_VM | CLONE_VFORK | SIGCHLD) == "CLONE_VM|CLONE_VFORK|SIGCHLD");
  CHECK(clone_flags_to_string(SIGCHLD) == "SIGCHLD");
  CHECK(clone_flags_to_string(0) == "0");
  CHECK(clone_flags_to_string(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                              CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID) ==
        "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|"
        "CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID");
}

TEST_CASE("linux_names: futex ops are spelled exactly as strace does", "[linux_names]") {
  CHECK(futex_op_to_string(FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME) ==
        "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME");
  CHECK(futex_op_to_string(FUTEX_WAKE_PRIVATE) == "FUTEX_WAKE_PRIVATE");
  CHECK(futex_op_to_string(FUTEX_WAIT) == "FUTEX_WAIT");
  CHECK(futex_op_to_string(FUTEX_CMP_REQUEUE_PI_PRIVATE) == "FUTEX_CMP_REQUEUE_PI_PRIVATE");
  CHECK(futex_op_to_string(0x7f | FUTEX_PRIVATE_FLAG) == "0x7f|FUTEX_PRIVATE_FLAG");
}

TEST_CASE("linux_names: socket types and option names per level", "[linux_names]") {
  CHECK(socket_type_to_string(SOCK_STREAM | SOCK_CLOEXEC) == "SOCK_STREAM|SOCK_CLOEXEC");
  CHECK(socket_type_to_string(SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC) == "SOCK_DGRAM|SOCK_NONBLOCK|SOCK_CLOEXEC");
  CHECK(socket_type_to_string(SOCK_CLOEXEC) == "SOCK_CLOEXEC");  // accept4
  CHECK(value_name(SOL_IPV6, sockopt_level_names()) == "SOL_IPV6");
  CHECK(value_name(SOL_SOCKET, sockopt_level_names()) == "SOL_SOCKET");
  CHECK(value_name(IPPROTO_TCP, sockopt_level_names()) == "SOL_TCP");
  CHECK(value_name(IPV6_V6ONLY, sockopt_names(SOL_IPV6)) == "IPV6_V6ONLY");
  CHECK(value_name(SO_REUSEPORT, sockopt_names(SOL_SOCKET)) == "SO_REUSEPORT");
  CHECK(value_name(SO_RCVTIMEO_OLD, sockopt_names(SOL_SOCKET)) == "SO_RCVTIMEO");
  CHECK(value_name(TCP_NODELAY, sockopt_names(SOL_TCP)) == "TCP_NODELAY");
  CHECK(value_name(IP_TOS, sockopt_names(SOL_IP)) == "IP_TOS");
  // The same number means different options at different levels.
  CHECK(value_name(1, sockopt_names(SOL_TCP)) == "TCP_NODELAY");
  CHECK(value_name(1, sockopt_names(SOL_IP)) == "IP_TOS");
  CHECK(sockopt_names(12345).empty());
}

TEST_CASE("linux_names: hugetlb size names", "[linux_names]") {
  CHECK(hugetlb_size_name("MAP_HUGE_", 16) == "MAP_HUGE_64KB");
  CHECK(hugetlb_size_name("MAP_HUGE_", 21) == "MAP_HUGE_2MB");
  CHECK(hugetlb_size_name("MAP_HUGE_", 34) == "MAP_HUGE_16GB");
}

TEST_CASE("linux_names: sched policies keep SCHED_RESET_ON_FORK", "[linux_names]") {
  CHECK(sched_policy_to_string(SCHED_OTHER) == "SCHED_OTHER");
  CHECK(sched_policy_to_string(SCHED_FIFO | SCHED_RESET_ON_FORK) == "SCHED_FIFO|SCHED_RESET_ON_FORK");
}

TEST_CASE("linux_names: no table gives one value two names", "[linux_names]") {
  const std::vector<std::pair<const char*, std::span<const FlagName>>> tables = {
      {"open", open_flag_names()},         {"at", at_flag_names()},
      {"fcntl", fcntl_cmd_names()},        {"ioctl", ioctl_request_names()},
      {"prot", prot_names()},              {"map", map_flag_names()},
      {"madvise", madvise_names()},        {"clone", clone_flag_names()},
      {"futex", futex_cmd_names()},        {"prctl", prctl_option_names()},
      {"wait", wait_option_names()},       {"rlimit", rlimit_names()},
      {"clock", clock_id_names()},         {"epoll", epoll_event_names()},
      {"poll", poll_event_names()},        {"af", address_family_names()},
      {"level", sockopt_level_names()},    {"so", sockopt_names(SOL_SOCKET)},
      {"ip", sockopt_names(SOL_IP)},       {"ipv6", sockopt_names(SOL_IPV6)},
      {"tcp", sockopt_names(SOL_TCP)},     {"udp", sockopt_names(IPPROTO_UDP)},
      {"msg", msg_flag_names()},           {"statx", statx_mask_names()},
  };
  for (const auto& [what, table] : tables) {
    std::set<std::uint64_t> seen;
    for (const FlagName& f : table) {
      INFO(what << ": " << f.name);
      CHECK(seen.insert(f.value).second);
    }
  }
}

TEST_CASE("linux_names: assorted command names", "[linux_names]") {
  CHECK(value_name(F_DUPFD_CLOEXEC, fcntl_cmd_names()) == "F_DUPFD_CLOEXEC");
  CHECK(value_name(F_OFD_SETLKW, fcntl_cmd_names()) == "F_OFD_SETLKW");
  CHECK(value_name(FIONBIO, ioctl_request_names()) == "FIONBIO");
  CHECK(value_name(TIOCGWINSZ, ioctl_request_names()) == "TIOCGWINSZ");
  CHECK(value_name(PR_SET_NAME, prctl_option_names()) == "PR_SET_NAME");
  CHECK(value_name(PR_SET_VMA, prctl_option_names()) == "PR_SET_VMA");
  CHECK(value_name(MADV_DONTNEED, madvise_names()) == "MADV_DONTNEED");
  CHECK(flags_to_string(EPOLLIN | EPOLLET, epoll_event_names()) == "EPOLLIN|EPOLLET");
  CHECK(flags_to_string(STATX_BASIC_STATS | STATX_BTIME, statx_mask_names()) == "STATX_BASIC_STATS|STATX_BTIME");
  CHECK(flags_to_string(__WALL | WNOHANG, wait_option_names()) == "WNOHANG|__WALL");
}

}  // namespace
}  // namespace sentry::abi
