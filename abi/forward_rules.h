// Argument-aware rules (abi/forward_rules_x86_64.def): calls of a served
// syscall that the host runs when one argument matches (FORWARD_WHEN), or
// that are stopped with ptrace so that sentry can run them in the guest's own
// thread (TRANSLATE_WHEN), and calls of any syscall the filter refuses with
// an errno when one argument matches (DENY_WHEN). A ROUTE_BY_FD rule
// forwards every call of a translated syscall; sentry then stops the calls on
// the few fds that need it with a filter layer of their process
// (platform/fd_routes.h).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace sentry::abi {

struct ForwardRule {
  std::string_view syscall;
  int arg;
  std::uint64_t mask;
  std::uint64_t value;
  std::string_view reason;
  bool translate = false;  // TRANSLATE_WHEN: served as kTranslate, not forwarded
  int deny_errno = 0;      // DENY_WHEN: refused with this errno by the filter
  bool routed = false;     // ROUTE_BY_FD: forwarded; per-process layers stop the routed fds

  // Whether the rule matches every call (mask 0): nothing is left for the row.
  bool matches_all() const { return mask == 0 && value == 0; }

  bool matches(const std::uint64_t (&args)[6]) const { return (args[arg] & mask) == value; }
};

std::span<const ForwardRule> forward_rules();

// The DENY_WHEN rule of syscall `name` that the six arguments match, or nullptr.
const ForwardRule* deny_rule_for(std::string_view name, const std::uint64_t* args);

}  // namespace sentry::abi
