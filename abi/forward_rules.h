// Argument-aware forwarding rules (abi/forward_rules_x86_64.def): calls of a
// served syscall that the host runs when one argument matches.
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

  bool matches(const std::uint64_t (&args)[6]) const { return (args[arg] & mask) == value; }
};

std::span<const ForwardRule> forward_rules();

}  // namespace sentry::abi
