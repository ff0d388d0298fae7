#include "sentry/syscalls/handler_table.h"

#include <array>

#include "sentry/syscalls/registry.h"

namespace sentry::syscalls {

namespace {

constexpr int kMaxNr = 512;

std::array<SyscallHandler, kMaxNr> build() {
  std::array<SyscallHandler, kMaxNr> table{};
  Registry r(table.data(), kMaxNr);
  register_all(r);
  return table;
}

const std::array<SyscallHandler, kMaxNr>& table() {
  static const std::array<SyscallHandler, kMaxNr> t = build();
  return t;
}

}  // namespace

SyscallHandler handler_for(int nr) {
  if (nr < 0 || nr >= kMaxNr) return nullptr;
  return table()[static_cast<std::size_t>(nr)];
}

std::vector<int> numbers_with_handlers() {
  std::vector<int> out;
  for (int nr = 0; nr < kMaxNr; ++nr)
    if (table()[static_cast<std::size_t>(nr)] != nullptr) out.push_back(nr);
  return out;
}

}  // namespace sentry::syscalls
