#include "abi/forward_rules.h"

#include <array>
#include <cerrno>

namespace sentry::abi {

namespace {
constexpr ForwardRule kRules[] = {
#define FORWARD_WHEN(name, arg, mask, value, reason) ForwardRule{#name, arg, mask, value, reason, false},
#define TRANSLATE_WHEN(name, arg, mask, value, reason) ForwardRule{#name, arg, mask, value, reason, true},
#define DENY_WHEN(name, arg, mask, value, err, reason) ForwardRule{#name, arg, mask, value, reason, false, err},
#define ROUTE_BY_FD(name, reason) ForwardRule{#name, 0, 0, 0, reason, false, 0, true},
#include "abi/forward_rules_x86_64.def"
#undef FORWARD_WHEN
#undef TRANSLATE_WHEN
#undef DENY_WHEN
#undef ROUTE_BY_FD
};
}  // namespace

std::span<const ForwardRule> forward_rules() { return kRules; }

const ForwardRule* deny_rule_for(std::string_view name, const std::uint64_t* args) {
  for (const ForwardRule& r : kRules)
    if (r.deny_errno != 0 && r.syscall == name && (args[r.arg] & r.mask) == r.value) return &r;
  return nullptr;
}

}  // namespace sentry::abi
