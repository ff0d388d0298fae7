// Checks the declarative syscall list (abi/syscalls_x86_64.def) against the
// host's kernel headers and against its own rules.
#include <catch2/catch.hpp>

#include <cerrno>
#include <cstdint>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "abi/syscall_table.h"

namespace {

using sentry::abi::all_syscalls;
using sentry::abi::ArgKind;
using sentry::abi::Serve;
using sentry::abi::SyscallEntry;
using sentry::abi::syscall_by_name;
using sentry::abi::syscall_by_nr;

// Where distributions install the x86-64 syscall numbers.
constexpr const char* kUnistdCandidates[] = {
    "/usr/include/x86_64-linux-gnu/asm/unistd_64.h",  // Debian, Ubuntu
    "/usr/include/asm/unistd_64.h",                   // Fedora, Arch, Alpine
};

// name -> number for every "#define __NR_<name> <number>" line. Empty if no
// candidate header could be read; *path_out receives the file used.
std::map<std::string, int> read_host_syscalls(std::string* path_out) {
  std::map<std::string, int> out;
  for (const char* path : kUnistdCandidates) {
    std::ifstream in(path);
    if (!in) continue;
    *path_out = path;
    std::string line;
    while (std::getline(in, line)) {
      std::istringstream fields(line);
      std::string define, macro, value;
      if (!(fields >> define >> macro >> value)) continue;
      if (define != "#define" || macro.rfind("__NR_", 0) != 0) continue;
      if (value.find_first_not_of("0123456789") != std::string::npos) continue;
      out[macro.substr(5)] = std::stoi(value);
    }
    break;
  }
  return out;
}

}  // namespace

TEST_CASE("every syscall of the host's asm/unistd_64.h has a matching row", "[abi]") {
  std::string path;
  const auto host = read_host_syscalls(&path);
  if (host.empty()) {
    std::string tried;
    for (const char* p : kUnistdCandidates) tried += std::string(" ") + p;
    FAIL("cannot read the x86-64 syscall numbers (install the kernel headers, e.g. "
         "linux-libc-dev); tried:" + tried);
  }
  INFO("parsed " << path << ": " << host.size() << " syscalls");
  REQUIRE(host.size() > 300);
  for (const auto& [name, nr] : host) {
    INFO("__NR_" << name << " = " << nr << " (a host header newer than the .def means the "
                                            "table needs new rows)");
    const SyscallEntry* by_name = syscall_by_name(name);
    REQUIRE(by_name != nullptr);
    CHECK(by_name->nr_x86_64 == nr);
    const SyscallEntry* by_nr = syscall_by_nr(nr);
    REQUIRE(by_nr != nullptr);
    CHECK(by_nr->name == name);
  }
}

TEST_CASE("the table covers Linux 6.18 on x86-64", "[abi]") {
  const auto rows = all_syscalls();
  // 0..336 and 424..469.
  CHECK(rows.size() == 337 + 46);
  CHECK(rows.front().nr_x86_64 == 0);
  CHECK(rows.back().nr_x86_64 == 469);
  CHECK(rows.back().name == "file_setattr");
  for (int nr = 0; nr <= 336; ++nr) CHECK(syscall_by_nr(nr) != nullptr);
  for (int nr = 337; nr < 424; ++nr) CHECK(syscall_by_nr(nr) == nullptr);
  for (int nr = 424; nr <= 469; ++nr) CHECK(syscall_by_nr(nr) != nullptr);
}

TEST_CASE("names are unique and numbers unique and ascending", "[abi]") {
  std::set<std::string_view> names;
  int prev = -1;
  for (const SyscallEntry& e : all_syscalls()) {
    INFO(e.name);
    CHECK(names.insert(e.name).second);
    CHECK(e.nr_x86_64 > prev);
    prev = e.nr_x86_64;
  }
}

TEST_CASE("rows follow the .def rules", "[abi]") {
  for (const SyscallEntry& e : all_syscalls()) {
    INFO(e.name << " (" << sentry::abi::serve_name(e.serve) << ")");
    CHECK(e.families != 0);
    CHECK(e.nargs <= sentry::abi::kMaxSyscallArgs);
    for (std::size_t i = e.nargs; i < e.args.size(); ++i) CHECK(e.args[i] == ArgKind::kUnknown);
    switch (e.serve) {
      case Serve::kDeny:
      case Serve::kUnsupported:
        CHECK(!e.reason.empty());
        CHECK(e.deny_errno != 0);
        break;
      case Serve::kSupervise:
        CHECK(!e.reason.empty());
        CHECK(e.deny_errno == 0);
        break;
      case Serve::kForward:
      case Serve::kEmulate:
      case Serve::kTranslate:
        CHECK(e.deny_errno == 0);
        break;
    }
    if (e.serve == Serve::kUnsupported) CHECK(e.deny_errno == ENOSYS);
    // From 424 on, numbers are shared by every architecture.
    if (e.nr_x86_64 >= 424) CHECK((e.nr_aarch64 == e.nr_x86_64 || e.nr_aarch64 == -1));
  }
}

TEST_CASE("lookups round-trip", "[abi]") {
  for (const SyscallEntry& e : all_syscalls()) {
    INFO(e.name);
    CHECK(syscall_by_nr(e.nr_x86_64) == &e);
    CHECK(syscall_by_name(e.name) == &e);
  }
}

TEST_CASE("lookups of unknown syscalls give nullptr", "[abi]") {
  for (int nr : {-1, -1000, 335 + 2, 423, 470, 1000, 0x40000000, 0x40000000 + 1}) {
    INFO(nr);
    CHECK(syscall_by_nr(nr) == nullptr);
  }
  CHECK(syscall_by_name("") == nullptr);
  CHECK(syscall_by_name("no_such_syscall") == nullptr);
  CHECK(syscall_by_name("READ") == nullptr);
  CHECK(syscall_by_name("fstatat") == nullptr);  // the x86-64 name is newfstatat
}

TEST_CASE("rows describe their arguments", "[abi]") {
  auto args_of = [](std::string_view name) {
    const SyscallEntry* e = syscall_by_name(name);
    REQUIRE(e != nullptr);
    return std::vector<ArgKind>(e->args.begin(), e->args.begin() + e->nargs);
  };
  using K = ArgKind;
  CHECK(args_of("read") == std::vector{K::kFd, K::kOutBuf, K::kSize});
  CHECK(args_of("openat") == std::vector{K::kDirFd, K::kPath, K::kOpenFlags, K::kMode});
  CHECK(args_of("mmap") ==
        std::vector{K::kPtr, K::kSize, K::kMmapProt, K::kMmapFlags, K::kFd, K::kOffset});
  CHECK(args_of("clone") == std::vector{K::kCloneFlags, K::kPtr, K::kPtr, K::kPtr, K::kHex});
  CHECK(args_of("futex") ==
        std::vector{K::kPtr, K::kFutexOp, K::kInt, K::kTimespec, K::kPtr, K::kInt});
  CHECK(args_of("getpid").empty());
  const SyscallEntry* read = syscall_by_name("read");
  CHECK(read->nr_aarch64 == 63);
  CHECK(syscall_by_name("open")->nr_aarch64 == -1);
}

TEST_CASE("serve and family names", "[abi]") {
  using sentry::abi::family_names;
  using sentry::abi::serve_name;
  CHECK(serve_name(Serve::kForward) == "forwarded");
  CHECK(serve_name(Serve::kEmulate) == "emulated");
  CHECK(serve_name(Serve::kSupervise) == "supervised");
  CHECK(serve_name(Serve::kDeny) == "denied");
  CHECK(serve_name(Serve::kUnsupported) == "unsupported");
  CHECK(family_names(sentry::abi::kFamFile | sentry::abi::kFamPath) == "file|path");
  CHECK(family_names(sentry::abi::kFamProcess) == "process");
  CHECK(family_names(sentry::abi::kFamMisc) == "misc");
  CHECK(family_names(0) == "none");
}

TEST_CASE("policy decisions of this commit", "[abi]") {
  auto serve_of = [](std::string_view name) {
    const SyscallEntry* e = syscall_by_name(name);
    REQUIRE(e != nullptr);
    return e->serve;
  };
  CHECK(serve_of("read") == Serve::kForward);
  CHECK(serve_of("io_uring_setup") == Serve::kDeny);
  CHECK(syscall_by_name("io_uring_enter")->deny_errno == ENOSYS);
  CHECK(serve_of("ptrace") == Serve::kDeny);
  CHECK(syscall_by_name("ptrace")->deny_errno == EPERM);
  CHECK(serve_of("mount") == Serve::kDeny);
  CHECK(serve_of("unshare") == Serve::kSupervise);  // namespaces of its own: UTS and IPC only
  CHECK(serve_of("setns") == Serve::kSupervise);
  CHECK(serve_of("sethostname") == Serve::kEmulate);  // in the guest's own UTS namespace
  CHECK(serve_of("afs_syscall") == Serve::kUnsupported);
  CHECK(serve_of("_sysctl") == Serve::kUnsupported);
  CHECK(serve_of("modify_ldt") == Serve::kForward);
  CHECK(serve_of("keyctl") == Serve::kForward);
}

TEST_CASE("the compatibility markdown mentions every syscall", "[abi]") {
  const std::string md = sentry::abi::render_compatibility_markdown();
  for (const SyscallEntry& e : all_syscalls()) {
    INFO(e.name);
    CHECK(md.find("`" + std::string(e.name) + "`") != std::string::npos);
    if (!e.reason.empty()) CHECK(md.find(std::string(e.reason)) != std::string::npos);
  }
  CHECK(md.find("## file (") != std::string::npos);
  CHECK(md == sentry::abi::render_compatibility_markdown());  // deterministic
}
