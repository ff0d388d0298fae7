#include "sentry/report/arg_variants.h"

#include <linux/sched.h>  // struct clone_args
#include <sys/epoll.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "abi/arg_kind.h"
#include "abi/linux_names.h"

namespace sentry::report {
namespace {

using abi::ArgKind;

// Longest path read for a variant (PATH_MAX).
constexpr std::size_t kMaxPathBytes = 4096;

// The name an argument kind is counted under; empty for kinds whose values are
// data rather than a choice of behaviour.
std::string_view variant_category(ArgKind kind) {
  switch (kind) {
    case ArgKind::kOpenFlags: return "flags";
    case ArgKind::kAccessMode: return "mode";
    case ArgKind::kAtFlags: return "flags";
    case ArgKind::kMmapProt: return "prot";
    case ArgKind::kMmapFlags: return "flags";
    case ArgKind::kMremapFlags: return "flags";
    case ArgKind::kMadvise: return "advice";
    case ArgKind::kCloneFlags: return "flags";
    case ArgKind::kClone3Args: return "flags";
    case ArgKind::kFutexOp: return "op";
    case ArgKind::kSocketDomain: return "domain";
    case ArgKind::kSocketType: return "type";
    case ArgKind::kSockoptLevel: return "level";
    case ArgKind::kSockoptName: return "name";
    case ArgKind::kMsgFlags: return "flags";
    case ArgKind::kShutdownHow: return "how";
    case ArgKind::kFcntlCmd: return "cmd";
    case ArgKind::kIoctlReq: return "request";
    case ArgKind::kPrctlOption: return "option";
    case ArgKind::kSignal: return "signal";
    case ArgKind::kSigHow: return "how";
    case ArgKind::kEpollOp: return "op";
    case ArgKind::kEpollEvent: return "events";
    case ArgKind::kClockId: return "clock";
    case ArgKind::kTimerFlags: return "flags";
    case ArgKind::kWaitOptions: return "options";
    case ArgKind::kRlimitResource: return "resource";
    case ArgKind::kSchedPolicy: return "policy";
    case ArgKind::kWhence: return "whence";
    case ArgKind::kEventfdFlags: return "flags";
    case ArgKind::kPipeFlags: return "flags";
    case ArgKind::kRenameFlags: return "flags";
    case ArgKind::kGrndFlags: return "flags";
    case ArgKind::kMemfdFlags: return "flags";
    case ArgKind::kStatxMask: return "mask";
    default: return {};
  }
}

// Values behind a pointer are reduced to the part that selects behaviour
// (event bits, clone flags), not data such as epoll's cookie or stack addresses.
// "NULL" and "?" (unreadable) keep the category stable across calls.
std::string epoll_events_variant(GuestMemory* mem, std::uint64_t addr) {
  if (addr == 0) return "NULL";
  epoll_event ev{};
  if (mem == nullptr || !mem->read_value(addr, &ev)) return "?";
  return abi::flags_to_string(ev.events, abi::epoll_event_names());
}

std::string clone3_flags_variant(GuestMemory* mem, std::uint64_t addr, std::uint64_t size) {
  if (addr == 0) return "NULL";
  std::uint64_t head[5] = {};  // flags, pidfd, child_tid, parent_tid, exit_signal
  static_assert(offsetof(clone_args, exit_signal) == 4 * sizeof(std::uint64_t));
  if (mem == nullptr || size < sizeof head || !mem->read(addr, head, sizeof head)) return "?";
  // Spelled like clone(2)'s flags word so clone and clone3 variants line up.
  std::string out = head[0] != 0 ? abi::flags_to_string(head[0], abi::clone_flag_names()) : "";
  if (head[4] != 0) out += (out.empty() ? "" : "|") + abi::signal_name(static_cast<int>(head[4]));
  return out.empty() ? "0" : out;
}

bool is_all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}


bool is_under(std::string_view path, std::string_view dir) {
  return path == dir || (path.starts_with(dir) && path.size() > dir.size() && path[dir.size()] == '/');
}

// The variant of a path argument: only the synthetic filesystems, whose files
// sentry must provide one by one, are worth listing.
std::optional<std::string> special_path(GuestMemory* mem, std::uint64_t addr) {
  if (mem == nullptr || addr == 0) return std::nullopt;
  std::optional<std::string> path = mem->read_cstring(addr, kMaxPathBytes);
  if (!path) return std::nullopt;
  if (!is_under(*path, "/proc") && !is_under(*path, "/sys") && !is_under(*path, "/dev")) return std::nullopt;
  return normalize_numbers(*path);
}

std::string variant_value(const abi::SyscallEntry& e, int index, const trace::SyscallArgs& args,
                          GuestMemory* mem) {
  const std::uint64_t next = index + 1 < abi::kMaxSyscallArgs ? args[index + 1] : 0;
  switch (e.args[index]) {
    case ArgKind::kEpollEvent: return epoll_events_variant(mem, args[index]);
    case ArgKind::kClone3Args: return clone3_flags_variant(mem, args[index], next);
    default:
      // Scalar kinds: the strace spelling, which needs no guest memory.
      return trace::format_arg(e, index, args, nullptr);
  }
}

}  // namespace

std::string normalize_numbers(std::string_view path) {
  std::string out;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view component = path.substr(pos, slash - pos);
    out += is_all_digits(component) ? std::string_view("<n>") : component;
    if (slash < path.size()) out += '/';
    pos = slash + 1;
  }
  return out;
}

std::vector<ArgVariant> arg_variants(const abi::SyscallEntry& e, const trace::SyscallArgs& args,
                                     GuestMemory* mem) {
  std::vector<ArgVariant> out;
  try {
    ArgVariant combined;
    int nargs = std::min<int>(e.nargs, abi::kMaxSyscallArgs);
    std::vector<ArgVariant> paths;
    for (int i = 0; i < nargs; ++i) {
      if (e.args[i] == ArgKind::kPath) {
        if (auto p = special_path(mem, args[i])) paths.push_back({"path", std::move(*p)});
        continue;
      }
      std::string_view category = variant_category(e.args[i]);
      if (category.empty()) continue;
      if (!combined.category.empty()) {
        combined.category += ',';
        combined.value += ", ";
      }
      combined.category += category;
      combined.value += variant_value(e, i, args, mem);
    }
    if (!combined.category.empty()) out.push_back(std::move(combined));
    for (ArgVariant& p : paths) out.push_back(std::move(p));
  } catch (...) {
    // Out of memory or a throwing GuestMemory: a report with fewer variants beats none.
  }
  return out;
}

}  // namespace sentry::report
