// The table and the handlers never disagree: a row marked emulated has a
// handler, and a handler exists only for rows sentry serves.
#include <catch2/catch.hpp>

#include "abi/syscall_table.h"
#include "sentry/syscalls/handler_table.h"

using namespace sentry;

TEST_CASE("handlers: every emulated row has a handler") {
  for (const abi::SyscallEntry& e : abi::all_syscalls()) {
    if (e.serve != abi::Serve::kEmulate) continue;
    INFO(e.name);
    CHECK(syscalls::handler_for(e.nr_x86_64) != nullptr);
  }
}

TEST_CASE("handlers: every handler serves an emulated, translated or supervised row") {
  for (int nr : syscalls::numbers_with_handlers()) {
    const abi::SyscallEntry* e = abi::syscall_by_nr(nr);
    REQUIRE(e != nullptr);
    INFO(e->name);
    CHECK((e->serve == abi::Serve::kEmulate || e->serve == abi::Serve::kTranslate ||
           e->serve == abi::Serve::kSupervise));
  }
}
