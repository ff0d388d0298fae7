#include "sentry/trace/arg_format.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/netlink.h>  // struct sockaddr_nl
#include <linux/sched.h>    // struct clone_args
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include <algorithm>
#include <bit>
#include <cinttypes>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <optional>
#include <span>

#include "abi/linux_names.h"

namespace sentry::trace {
namespace {

using abi::ArgKind;

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%" PRIx64, v);
  return buf;
}

// An opaque number: 0 reads better than 0x0.
std::string hex_or_zero(std::uint64_t v) { return v == 0 ? "0" : hex(v); }

// A pointer whose target is not decoded (or could not be read).
std::string address(std::uint64_t v) { return v == 0 ? "NULL" : hex(v); }

std::int32_t low_int(std::uint64_t v) { return static_cast<std::int32_t>(static_cast<std::uint32_t>(v)); }
std::uint32_t low_uint(std::uint64_t v) { return static_cast<std::uint32_t>(v); }

// int arguments: the kernel looks at the low 32 bits. Sign-extended and
// zero-extended registers both print as that int; anything else in the upper
// half is shown whole, since a 32-bit reading would hide it.
std::string int_arg(std::uint64_t v) {
  auto as_signed = static_cast<std::int64_t>(v);
  bool sign_extended = as_signed == static_cast<std::int64_t>(low_int(v));
  bool zero_extended = (v >> 32) == 0;
  if (sign_extended || zero_extended) return std::to_string(low_int(v));
  return std::to_string(as_signed);
}

// An int-typed enumerated argument: its name, else the signed number.
std::string int_enum(std::uint64_t v, std::span<const abi::FlagName> table) {
  std::string_view name = abi::find_name(low_uint(v), table);
  if (!name.empty()) return std::string(name);
  return std::to_string(low_int(v));
}

// ---- reading guest memory ---------------------------------------------------

struct DisplayString {
  std::string text;
  bool truncated = false;
};

// A NUL-terminated guest string for display, cut at kMaxStringChars.
std::optional<DisplayString> read_display_string(GuestMemory& mem, std::uint64_t addr) {
  if (auto s = mem.read_cstring(addr, kMaxStringChars)) return DisplayString{std::move(*s), false};
  // No NUL within the limit: either longer (show the prefix) or unreadable.
  std::string prefix(kMaxStringChars, '\0');
  if (mem.read(addr, prefix.data(), prefix.size())) return DisplayString{std::move(prefix), true};
  return std::nullopt;
}

std::string format_string(GuestMemory* mem, std::uint64_t addr) {
  if (addr == 0 || mem == nullptr) return address(addr);
  auto s = read_display_string(*mem, addr);
  if (!s) return hex(addr);
  return quote_bytes(s->text, s->truncated);
}

std::string format_in_buffer(GuestMemory* mem, std::uint64_t addr, std::uint64_t len) {
  if (addr == 0 || mem == nullptr) return address(addr);
  std::size_t shown = static_cast<std::size_t>(std::min<std::uint64_t>(len, kMaxBufferBytes));
  std::string bytes(shown, '\0');
  if (shown != 0 && !mem->read(addr, bytes.data(), shown)) return hex(addr);
  return quote_bytes(bytes, len > kMaxBufferBytes);
}

std::string format_sockaddr_in(const sockaddr_in& sin) {
  char ip[INET_ADDRSTRLEN] = "?";
  inet_ntop(AF_INET, &sin.sin_addr, ip, sizeof ip);
  return ", sin_port=htons(" + std::to_string(ntohs(sin.sin_port)) + "), sin_addr=inet_addr(\"" + ip + "\")";
}

std::string format_sockaddr_in6(const sockaddr_in6& sin6, bool has_scope_id) {
  char ip[INET6_ADDRSTRLEN] = "?";
  inet_ntop(AF_INET6, &sin6.sin6_addr, ip, sizeof ip);
  std::string out = ", sin6_port=htons(" + std::to_string(ntohs(sin6.sin6_port)) + ")" +
                    ", sin6_flowinfo=htonl(" + std::to_string(ntohl(sin6.sin6_flowinfo)) + ")" +
                    ", inet_pton(AF_INET6, \"" + ip + "\", &sin6_addr)";
  // An RFC 2133 sockaddr_in6 (24 bytes) has no scope id; the kernel accepts it.
  if (has_scope_id) out += ", sin6_scope_id=" + std::to_string(sin6.sin6_scope_id);
  return out;
}

std::string format_sockaddr_un(const sockaddr_un& sun, std::size_t len) {
  std::size_t path_len = std::min(len - offsetof(sockaddr_un, sun_path), sizeof sun.sun_path);
  if (path_len == 0) return "";  // unnamed (autobind / socketpair peer)
  std::string_view path(sun.sun_path, path_len);
  if (path.front() == '\0') {
    // Abstract: every byte of the name counts, NULs included; strace marks it with @.
    return ", sun_path=@" + quote_bytes(path.substr(1));
  }
  return ", sun_path=" + quote_bytes(path.substr(0, path.find('\0')));
}

// Copies the first bytes of `raw` into a T (the rest zeroed), avoiding
// aliasing a byte buffer as a socket structure.
template <typename T>
T sockaddr_as(std::string_view raw) {
  T t{};
  std::memcpy(&t, raw.data(), std::min(raw.size(), sizeof t));
  return t;
}

std::string format_sockaddr_nl(const sockaddr_nl& snl) {
  char groups[16];
  std::snprintf(groups, sizeof groups, "%08" PRIx32, snl.nl_groups);
  return ", nl_pid=" + std::to_string(snl.nl_pid) + ", nl_groups=" + groups;
}

std::string format_sockaddr(GuestMemory* mem, std::uint64_t addr, std::uint64_t len) {
  if (addr == 0 || mem == nullptr || len < sizeof(sa_family_t)) return address(addr);
  std::string raw(static_cast<std::size_t>(std::min<std::uint64_t>(len, sizeof(sockaddr_storage))), '\0');
  if (!mem->read(addr, raw.data(), raw.size())) return hex(addr);

  sa_family_t family = 0;
  std::memcpy(&family, raw.data(), sizeof family);
  std::string out = "{sa_family=" + abi::value_name(family, abi::address_family_names());
  const std::size_t n = raw.size();
  if (family == AF_INET && n >= sizeof(sockaddr_in)) {
    out += format_sockaddr_in(sockaddr_as<sockaddr_in>(raw));
  } else if (family == AF_INET6 && n >= offsetof(sockaddr_in6, sin6_scope_id)) {
    out += format_sockaddr_in6(sockaddr_as<sockaddr_in6>(raw), n >= sizeof(sockaddr_in6));
  } else if (family == AF_UNIX) {
    out += format_sockaddr_un(sockaddr_as<sockaddr_un>(raw), n);
  } else if (family == AF_NETLINK && n >= sizeof(sockaddr_nl)) {
    out += format_sockaddr_nl(sockaddr_as<sockaddr_nl>(raw));
  } else if (n > sizeof(sa_family_t)) {
    std::string_view data = std::string_view(raw).substr(sizeof(sa_family_t));
    out += ", sa_data=" + quote_bytes(data.substr(0, kMaxBufferBytes), data.size() > kMaxBufferBytes);
  }
  return out + "}";
}

std::string format_timespec(GuestMemory* mem, std::uint64_t addr) {
  timespec ts{};
  if (addr == 0 || mem == nullptr || !mem->read_value(addr, &ts)) return address(addr);
  return "{tv_sec=" + std::to_string(ts.tv_sec) + ", tv_nsec=" + std::to_string(ts.tv_nsec) + "}";
}

std::string epoll_event_text(const epoll_event& ev) {
  return "{events=" + abi::flags_to_string(ev.events, abi::epoll_event_names()) +
         ", data=" + hex(ev.data.u64) + "}";
}

std::string format_epoll_event(GuestMemory* mem, std::uint64_t addr) {
  epoll_event ev{};  // packed on x86-64: 12 bytes, as the kernel's
  if (addr == 0 || mem == nullptr || !mem->read_value(addr, &ev)) return address(addr);
  return epoll_event_text(ev);
}

// The `count` events epoll_wait returned, the first kMaxShownEvents of them.
std::string format_epoll_events_out(GuestMemory* mem, std::uint64_t addr, std::optional<std::int64_t> count) {
  constexpr std::int64_t kMaxShownEvents = 8;
  if (!count || *count < 0 || mem == nullptr) return address(addr);
  std::string out = "[";
  for (std::int64_t i = 0; i < std::min(*count, kMaxShownEvents); ++i) {
    epoll_event ev{};
    if (!mem->read_value(addr + static_cast<std::uint64_t>(i) * sizeof ev, &ev)) return address(addr);
    if (i != 0) out += ", ";
    out += epoll_event_text(ev);
  }
  if (*count > kMaxShownEvents) out += ", ...";
  return out + "]";
}

// The `count` bytes a call wrote to `addr` (read, recvfrom, readlink...),
// the first 32 shown as strace shows them.
std::string format_out_buffer(GuestMemory* mem, std::uint64_t addr, std::optional<std::int64_t> count) {
  constexpr std::int64_t kMaxShownBytes = 32;
  if (!count || *count < 0 || mem == nullptr || addr == 0) return address(addr);
  std::string bytes(static_cast<std::size_t>(std::min(*count, kMaxShownBytes)), '\0');
  if (!mem->read(addr, bytes.data(), bytes.size())) return address(addr);
  return quote_bytes(bytes, *count > kMaxShownBytes);
}

// Kernel sigsets on x86-64 are 64 bits; bit n-1 is signal n.
std::string format_sigset(GuestMemory* mem, std::uint64_t addr) {
  std::uint64_t set = 0;
  if (addr == 0 || mem == nullptr || !mem->read_value(addr, &set)) return address(addr);
  // Like strace, a mostly-full set prints as the complement of what is missing.
  bool inverted = std::popcount(set) > 32;
  if (inverted) set = ~set;
  std::string out = inverted ? "~[" : "[";
  bool first = true;
  for (int sig = 1; sig <= 64; ++sig) {
    if ((set & (std::uint64_t{1} << (sig - 1))) == 0) continue;
    if (!first) out += ' ';
    out += abi::signal_short_name(sig);
    first = false;
  }
  return out + "]";
}

std::string format_pollfds(GuestMemory* mem, std::uint64_t addr, std::uint64_t count) {
  if (addr == 0 || mem == nullptr) return address(addr);
  std::string out = "[";
  std::uint64_t shown = std::min<std::uint64_t>(count, kMaxArrayEntries);
  for (std::uint64_t i = 0; i < shown; ++i) {
    pollfd p{};
    if (!mem->read_value(addr + i * sizeof(pollfd), &p)) {
      if (i == 0) return hex(addr);
      return out + ", ...]";
    }
    if (i != 0) out += ", ";
    out += "{fd=" + std::to_string(p.fd) + ", events=" +
           abi::flags_to_string(static_cast<std::uint16_t>(p.events), abi::poll_event_names()) + "}";
  }
  if (count > shown) out += ", ...";
  return out + "]";
}

std::string format_argv(GuestMemory* mem, std::uint64_t addr) {
  if (addr == 0 || mem == nullptr) return address(addr);
  std::string out = "[";
  for (std::size_t i = 0;; ++i) {
    std::uint64_t ptr = 0;
    if (!mem->read_value(addr + i * sizeof ptr, &ptr)) {
      if (i == 0) return hex(addr);
      return out + ", ...]";  // the array runs into unreadable memory
    }
    if (ptr == 0) break;
    if (i != 0) out += ", ";
    if (i == kMaxArrayEntries) return out + "...]";
    out += format_string(mem, ptr);
  }
  return out + "]";
}

std::string format_clone3_args(GuestMemory* mem, std::uint64_t addr, std::uint64_t size) {
  clone_args ca{};
  if (addr == 0 || mem == nullptr || size < CLONE_ARGS_SIZE_VER0) return address(addr);
  std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(size, sizeof ca));
  if (!mem->read(addr, &ca, n)) return hex(addr);
  std::string out = "{flags=" + abi::flags_to_string(ca.flags, abi::clone_flag_names());
  if (ca.pidfd != 0) out += ", pidfd=" + hex(ca.pidfd);
  if (ca.child_tid != 0) out += ", child_tid=" + hex(ca.child_tid);
  if (ca.parent_tid != 0) out += ", parent_tid=" + hex(ca.parent_tid);
  out += ", exit_signal=" + abi::signal_name(static_cast<int>(ca.exit_signal));
  if (ca.stack != 0) out += ", stack=" + hex(ca.stack) + ", stack_size=" + hex(ca.stack_size);
  if (ca.tls != 0) out += ", tls=" + hex(ca.tls);
  return out + "}";
}

std::string format_mode(std::uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%#03" PRIo32, low_uint(v));
  return buf;
}

std::string format_uid(std::uint64_t v) {
  std::uint32_t id = low_uint(v);
  return id == 0xffffffffu ? "-1" : std::to_string(id);  // -1: "leave unchanged"
}

std::string format_dirfd(std::uint64_t v) {
  return low_int(v) == AT_FDCWD ? "AT_FDCWD" : std::to_string(low_int(v));
}

std::string format_clock_id(std::uint64_t v) {
  // Negative ids are per-process/thread CPU clocks and fd clocks; shown as numbers.
  return int_enum(v, abi::clock_id_names());
}

bool is_faccessat(std::string_view name) { return name == "faccessat" || name == "faccessat2"; }

std::string format_arg_unchecked(const abi::SyscallEntry& e, int index, const SyscallArgs& args,
                                 std::optional<std::int64_t> result,
                                 GuestMemory* mem) {
  const std::uint64_t v = args[index];
  // Length / count / size companions live in the next slot, the sockopt level in the previous one.
  const std::uint64_t next = index + 1 < abi::kMaxSyscallArgs ? args[index + 1] : 0;
  const std::uint64_t prev = index > 0 ? args[index - 1] : 0;
  const ArgKind next_kind = index + 1 < abi::kMaxSyscallArgs ? e.args[index + 1] : ArgKind::kUnknown;

  switch (e.args[index]) {
    case ArgKind::kInt:
    case ArgKind::kPid: return int_arg(v);
    case ArgKind::kUInt:
    case ArgKind::kSize: return std::to_string(v);
    case ArgKind::kOffset: return std::to_string(static_cast<std::int64_t>(v));
    case ArgKind::kHex:
    case ArgKind::kUnknown: return hex_or_zero(v);
    case ArgKind::kPtr: return address(v);
    case ArgKind::kOutBuf: return format_out_buffer(mem, v, result);
    case ArgKind::kFd: return std::to_string(low_int(v));
    case ArgKind::kDirFd: return format_dirfd(v);
    case ArgKind::kPath:
    case ArgKind::kString: return format_string(mem, v);
    case ArgKind::kInBuf: return format_in_buffer(mem, v, next);
    case ArgKind::kOpenFlags: return abi::open_flags_to_string(low_uint(v));
    case ArgKind::kMode: return format_mode(v);
    case ArgKind::kAccessMode: return abi::access_mode_to_string(low_uint(v));
    case ArgKind::kAtFlags:
      return abi::flags_to_string(low_uint(v), is_faccessat(e.name) ? abi::faccessat_flag_names()
                                                                    : abi::at_flag_names());
    case ArgKind::kMmapProt: return abi::prot_to_string(v);
    case ArgKind::kMmapFlags: return abi::mmap_flags_to_string(v);
    case ArgKind::kMremapFlags: return abi::flags_to_string(v, abi::mremap_flag_names());
    case ArgKind::kMadvise: return int_enum(v, abi::madvise_names());
    case ArgKind::kCloneFlags: return abi::clone_flags_to_string(v);
    case ArgKind::kClone3Args: return format_clone3_args(mem, v, next);
    case ArgKind::kFutexOp: return abi::futex_op_to_string(v);
    case ArgKind::kSocketDomain: return int_enum(v, abi::address_family_names());
    case ArgKind::kSocketType: return abi::socket_type_to_string(v);
    case ArgKind::kSockaddr: {
      // A pointer next (accept's socklen_t *) means the kernel fills the address in.
      bool length_follows = next_kind == ArgKind::kSize || next_kind == ArgKind::kUInt ||
                            next_kind == ArgKind::kInt;
      return length_follows ? format_sockaddr(mem, v, low_uint(next)) : address(v);
    }
    case ArgKind::kSockoptLevel: return int_enum(v, abi::sockopt_level_names());
    case ArgKind::kSockoptName: return int_enum(v, abi::sockopt_names(low_uint(prev)));
    case ArgKind::kMsgFlags: return abi::flags_to_string(low_uint(v), abi::msg_flag_names());
    case ArgKind::kShutdownHow: return int_enum(v, abi::shutdown_how_names());
    case ArgKind::kFcntlCmd: return int_enum(v, abi::fcntl_cmd_names());
    case ArgKind::kIoctlReq: {
      // Requests are bit-packed (_IOC); unknown ones read best in hex.
      std::string_view name = abi::find_name(low_uint(v), abi::ioctl_request_names());
      return name.empty() ? hex(low_uint(v)) : std::string(name);
    }
    case ArgKind::kPrctlOption: return int_enum(v, abi::prctl_option_names());
    case ArgKind::kSignal: return abi::signal_name(low_int(v));
    case ArgKind::kSigHow: return int_enum(v, abi::sig_how_names());
    case ArgKind::kSigset: return format_sigset(mem, v);
    case ArgKind::kEpollOp: return int_enum(v, abi::epoll_ctl_op_names());
    case ArgKind::kEpollEvent: return format_epoll_event(mem, v);
    case ArgKind::kEpollEventsOut: return format_epoll_events_out(mem, v, result);
    case ArgKind::kPollFds: return format_pollfds(mem, v, low_uint(next));
    case ArgKind::kTimespec: return format_timespec(mem, v);
    case ArgKind::kClockId: return format_clock_id(v);
    case ArgKind::kTimerFlags: return abi::flags_to_string(low_uint(v), abi::timer_flag_names());
    case ArgKind::kWaitOptions: return abi::flags_to_string(low_uint(v), abi::wait_option_names());
    case ArgKind::kRlimitResource: return int_enum(v, abi::rlimit_names());
    case ArgKind::kSchedPolicy: return abi::sched_policy_to_string(v);
    case ArgKind::kWhence: return int_enum(v, abi::whence_names());
    case ArgKind::kUid: return format_uid(v);
    case ArgKind::kArgv: return format_argv(mem, v);
    case ArgKind::kEventfdFlags: return abi::flags_to_string(low_uint(v), abi::eventfd_flag_names());
    case ArgKind::kPipeFlags: return abi::flags_to_string(low_uint(v), abi::pipe_flag_names());
    case ArgKind::kRenameFlags: return abi::flags_to_string(low_uint(v), abi::rename_flag_names());
    case ArgKind::kGrndFlags: return abi::flags_to_string(low_uint(v), abi::grnd_flag_names());
    case ArgKind::kMemfdFlags: return abi::memfd_flags_to_string(low_uint(v));
    case ArgKind::kStatxMask: return abi::flags_to_string(low_uint(v), abi::statx_mask_names());
  }
  return hex_or_zero(v);  // a kind added to the enum but not here yet
}

// open's mode is read only when a file may be created; strace leaves it out
// otherwise, and so do we (it is whatever was in the register).
bool is_unused_open_mode(const abi::SyscallEntry& e, int index, const SyscallArgs& args) {
  if (index == 0 || e.args[index] != ArgKind::kMode || e.args[index - 1] != ArgKind::kOpenFlags) return false;
  return (args[index - 1] & (O_CREAT | __O_TMPFILE)) == 0;
}

// Calls whose non-error result is an address.
bool returns_address(std::string_view name) {
  return name == "mmap" || name == "mremap" || name == "brk" || name == "shmat";
}

}  // namespace

std::string quote_bytes(std::string_view bytes, bool truncated) {
  static constexpr char kHexDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() + 2 + (truncated ? 3 : 0));
  out += '"';
  for (char c : bytes) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\v': out += "\\v"; break;
      case '\f': out += "\\f"; break;
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      default:
        if (u >= 0x20 && u < 0x7f) {
          out += c;
        } else {
          out += "\\x";
          out += kHexDigits[u >> 4];
          out += kHexDigits[u & 0xf];
        }
    }
  }
  out += '"';
  if (truncated) out += "...";
  return out;
}

std::string format_arg(const abi::SyscallEntry& e, int index, const SyscallArgs& args, GuestMemory* mem,
                       std::optional<std::int64_t> result) {
  if (index < 0 || index >= abi::kMaxSyscallArgs) return "?";
  try {
    return format_arg_unchecked(e, index, args, result, mem);
  } catch (...) {
    return "?";  // out of memory, or a GuestMemory that threw: never take the tracer down
  }
}

bool has_output_args(const abi::SyscallEntry& e) {
  for (int i = 0; i < std::min<int>(e.nargs, abi::kMaxSyscallArgs); ++i) {
    if (e.args[i] == ArgKind::kOutBuf || e.args[i] == ArgKind::kEpollEventsOut) return true;
  }
  return false;
}

std::string format_call(const abi::SyscallEntry& e, const SyscallArgs& args, GuestMemory* mem,
                        std::optional<std::int64_t> result) {
  try {
    std::string out(e.name);
    out += '(';
    int nargs = std::min<int>(e.nargs, abi::kMaxSyscallArgs);
    for (int i = 0; i < nargs; ++i) {
      if (is_unused_open_mode(e, i, args)) continue;
      if (i != 0) out += ", ";
      out += format_arg(e, i, args, mem, result);
    }
    out += ')';
    return out;
  } catch (...) {
    return "?";
  }
}

std::string format_result(const abi::SyscallEntry& e, std::int64_t ret) {
  try {
    if (ret >= -4095 && ret <= -1) {
      int err = static_cast<int>(-ret);
      std::string_view name = abi::errno_name(err);
      std::string_view description = abi::errno_description(err);
      if (name.empty()) return "-1 ERRNO_" + std::to_string(err) + " (Unknown error " + std::to_string(err) + ")";
      return "-1 " + std::string(name) + " (" + std::string(description) + ")";
    }
    if (returns_address(e.name)) return hex_or_zero(static_cast<std::uint64_t>(ret));
    return std::to_string(ret);
  } catch (...) {
    return "?";
  }
}

}  // namespace sentry::trace
