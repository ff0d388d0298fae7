#include "abi/syscall_table.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <type_traits>

#include "abi/forward_rules.h"

namespace sentry::abi {
namespace {

// The .def names enumerators without their prefix.
using enum ArgKind;
using enum Serve;

template <typename... Kinds>
constexpr SyscallEntry make_entry(std::string_view name, int nr_x86_64, int nr_aarch64,
                                  Serve serve, int deny_errno, std::uint32_t families,
                                  std::string_view reason, Kinds... kinds) {
  static_assert(sizeof...(Kinds) <= kMaxSyscallArgs, "a syscall has at most 6 arguments");
  static_assert((std::is_same_v<Kinds, ArgKind> && ...),
                "argument columns must be ArgKind enumerators");
  SyscallEntry e{name,  nr_x86_64,  nr_aarch64, static_cast<std::uint8_t>(sizeof...(Kinds)),
                 {},    serve,      deny_errno, families,
                 reason};
  e.args.fill(ArgKind::kUnknown);  // slots past nargs are never meaningful
  std::size_t i = 0;
  ((e.args[i++] = kinds), ...);
  return e;
}

constexpr SyscallEntry kTable[] = {
#define SYSCALL(name, nr_x86_64, nr_aarch64, serve, deny_errno, families, reason, ...) \
  make_entry(#name, nr_x86_64, nr_aarch64, serve, deny_errno, families,                 \
             reason __VA_OPT__(, ) __VA_ARGS__),
#include "abi/syscalls_x86_64.def"
#undef SYSCALL
};

constexpr std::size_t kRows = std::size(kTable);

// ---- compile-time checks of the .def -------------------------------------

constexpr bool rows_ascending() {
  for (std::size_t i = 1; i < kRows; ++i) {
    if (kTable[i - 1].nr_x86_64 >= kTable[i].nr_x86_64) return false;
  }
  return true;
}
static_assert(rows_ascending(), "syscalls_x86_64.def: numbers must be strictly ascending");

static_assert(kTable[0].nr_x86_64 >= 0, "syscalls_x86_64.def: negative syscall number");
static_assert(kTable[kRows - 1].nr_x86_64 == kSyscallNrLimit - 1,
              "kSyscallNrLimit must be one past the last row's number");

constexpr bool names_unique() {
  std::array<std::string_view, kRows> names{};
  for (std::size_t i = 0; i < kRows; ++i) names[i] = kTable[i].name;
  std::sort(names.begin(), names.end());
  return std::adjacent_find(names.begin(), names.end()) == names.end();
}
static_assert(names_unique(), "syscalls_x86_64.def: duplicate syscall name");

constexpr bool rows_well_formed() {
  for (const SyscallEntry& e : kTable) {
    if (e.name.empty() || e.families == kFamNone || e.nargs > kMaxSyscallArgs) return false;
    switch (e.serve) {
      case kDeny:
      case kUnsupported:
        if (e.deny_errno == 0 || e.reason.empty()) return false;
        break;
      case kSupervise:
        if (e.deny_errno != 0 || e.reason.empty()) return false;
        break;
      case kForward:
      case kEmulate:
      case kTranslate:
        if (e.deny_errno != 0) return false;
        break;
    }
  }
  return true;
}
static_assert(rows_well_formed(),
              "syscalls_x86_64.def: a row lacks a family, has an errno on a served call, or "
              "lacks the errno/reason its SERVE column requires");

// ---- indexes -------------------------------------------------------------

constexpr auto kIndexByNr = [] {
  std::array<std::int16_t, kSyscallNrLimit> index{};
  index.fill(-1);
  for (std::size_t i = 0; i < kRows; ++i) {
    index[static_cast<std::size_t>(kTable[i].nr_x86_64)] = static_cast<std::int16_t>(i);
  }
  return index;
}();

constexpr auto kIndexByName = [] {
  std::array<std::uint16_t, kRows> index{};
  for (std::size_t i = 0; i < kRows; ++i) index[i] = static_cast<std::uint16_t>(i);
  std::sort(index.begin(), index.end(),
            [](std::uint16_t a, std::uint16_t b) { return kTable[a].name < kTable[b].name; });
  return index;
}();

// Family bit i is named kFamilyNames[i].
constexpr std::array<std::string_view, 19> kFamilyNames = {
    "process", "thread",  "futex",  "sched",  "identity", "limits",   "signal",
    "memory",  "file",    "path",   "fdtable", "socket",  "poll",     "time",
    "ipc",     "security", "system", "io_uring", "misc",
};
static_assert(kFamMisc == 1u << (kFamilyNames.size() - 1),
              "kFamilyNames must name every Family bit");

// Names for the errnos a kDeny / kUnsupported row may carry. Kept local (not
// abi::errno_name from linux_names.h) so the table links on its own.
std::string deny_errno_name(int err) {
  switch (err) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EACCES: return "EACCES";
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    default: return std::to_string(err);
  }
}

// Markdown table cells must not contain raw '|' or newlines.
std::string md_cell(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '|') {
      out += "\\|";
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::span<const SyscallEntry> all_syscalls() { return {kTable, kRows}; }

const SyscallEntry* syscall_by_nr(int nr_x86_64) {
  if (nr_x86_64 < 0 || nr_x86_64 >= kSyscallNrLimit) return nullptr;
  const std::int16_t i = kIndexByNr[static_cast<std::size_t>(nr_x86_64)];
  return i < 0 ? nullptr : &kTable[i];
}

const SyscallEntry* syscall_by_name(std::string_view name) {
  const auto it = std::lower_bound(
      kIndexByName.begin(), kIndexByName.end(), name,
      [](std::uint16_t i, std::string_view n) { return kTable[i].name < n; });
  if (it == kIndexByName.end() || kTable[*it].name != name) return nullptr;
  return &kTable[*it];
}

std::string_view serve_name(Serve s) {
  switch (s) {
    case kForward: return "forwarded";
    case kEmulate: return "emulated";
    case kSupervise: return "supervised";
    case kTranslate: return "translated";
    case kDeny: return "denied";
    case kUnsupported: return "unsupported";
  }
  return "unknown";
}

std::string family_names(std::uint32_t families) {
  if (families == 0) return "none";
  std::string out;
  for (std::size_t bit = 0; bit < 32; ++bit) {
    if ((families & (1u << bit)) == 0) continue;
    if (!out.empty()) out += '|';
    if (bit < kFamilyNames.size()) {
      out += kFamilyNames[bit];
    } else {
      out += "bit" + std::to_string(bit);
    }
  }
  return out;
}

std::string render_compatibility_markdown() {
  std::array<std::size_t, kServeKinds> by_serve{};
  for (const SyscallEntry& e : kTable) ++by_serve[static_cast<std::size_t>(e.serve)];

  std::string md;
  md += "# Syscall compatibility\n\n";
  md += "<!-- Generated from abi/syscalls_x86_64.def by "
        "sentry::abi::render_compatibility_markdown(); do not edit by hand. -->\n\n";
  md += "How sentry serves each x86-64 syscall (Linux 6.18 numbering).\n\n";
  md += "- **forwarded**: the host kernel runs it on the guest's behalf.\n";
  md += "- **emulated**: sentry's kernel model serves it; the host never runs it.\n";
  md += "- **translated**: the host runs it in the guest's own thread with arguments "
        "sentry rewrote (an IPv6 address into the IPv4 one underneath) and results it "
        "translates back (ptrace stops).\n";
  md += "- **supervised**: sentry inspects it, then lets the host run it.\n";
  md += "- **denied**: refused on purpose with the errno shown.\n";
  md += "- **unsupported**: not implemented; fails with the errno shown (ENOSYS).\n\n";
  md += std::to_string(kRows) + " syscalls: ";
  for (std::size_t s = 0; s < by_serve.size(); ++s) {
    if (s != 0) md += ", ";
    md += std::to_string(by_serve[s]) + " " +
          std::string(serve_name(static_cast<Serve>(s)));
  }
  md += ".\n\nA syscall appears under every family it belongs to.\n";
  md += "\nHow the calls behave, case by case, is measured with gVisor's syscall test suite: docs/gvisor_suite.md "
        "has the measurement and every case that passes natively and not under sentry, with its reason.\n";

  for (std::size_t bit = 0; bit < kFamilyNames.size(); ++bit) {
    const std::uint32_t fam = 1u << bit;
    std::size_t count = 0;
    for (const SyscallEntry& e : kTable) count += (e.families & fam) != 0;
    if (count == 0) continue;
    md += "\n## " + std::string(kFamilyNames[bit]) + " (" + std::to_string(count) + ")\n\n";
    md += "| Nr | Syscall | Served | Errno | Reason |\n";
    md += "|---:|:--|:--|:--|:--|\n";
    for (const SyscallEntry& e : kTable) {
      if ((e.families & fam) == 0) continue;
      md += "| " + std::to_string(e.nr_x86_64) + " | `" + std::string(e.name) + "` | " +
            std::string(serve_name(e.serve)) + " | " +
            (e.deny_errno != 0 ? deny_errno_name(e.deny_errno) : std::string()) + " | " +
            md_cell(e.reason) + " |\n";
    }
  }
  // The argument rules (abi/forward_rules_x86_64.def) refine a row.
  md += "\n## Argument rules\n\n";
  md += "Calls whose argument matches are served differently from their row: "
        "forwarded (the host runs them), translated (the guest's thread runs them "
        "with rewritten arguments) or refused by the filter with an errno. A rule of mask 0 "
        "matches every call; \"routed fds\" are the guest's fds whose calls sentry still "
        "stops with a filter layer of their process (the unotify platform only).\n\n";
  md += "| Syscall | Argument | Mask | Value | Then | Reason |\n";
  md += "|:--|--:|--:|--:|:--|:--|\n";
  for (const ForwardRule& r : forward_rules()) {
    char mask[32], value[32];
    std::snprintf(mask, sizeof mask, "%#llx", static_cast<unsigned long long>(r.mask));
    std::snprintf(value, sizeof value, "%#llx", static_cast<unsigned long long>(r.value));
    const std::string then = r.deny_errno != 0 ? "refused, " + deny_errno_name(r.deny_errno)
                             : r.translate   ? std::string("translated")
                             : r.routed      ? std::string("forwarded; routed fds translated")
                                             : std::string("forwarded");
    md += "| `" + std::string(r.syscall) + "` | " + std::to_string(r.arg) + " | " + mask + " | " + value +
          " | " + then + " | " + md_cell(r.reason) + " |\n";
  }
  return md;
}

}  // namespace sentry::abi
