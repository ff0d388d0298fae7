// The answers sentry could not deliver, and the restart that gets them.
#include <catch2/catch.hpp>

#include "sentry/platform/sent_answers.h"

using sentry::SyscallArgs;
using sentry::platform::SentAnswers;

namespace {

SentAnswers::Answer answer(int nr, std::uint64_t a0, std::int64_t value, bool undelivered, std::uint64_t ip) {
  SentAnswers::Answer a;
  a.nr = nr;
  a.args = SyscallArgs{a0, 1, 2, 3, 4, 5};
  a.value = value;
  a.undelivered = undelivered;
  a.ip = ip;
  return a;
}

}  // namespace

TEST_CASE("sent answers: an undelivered answer goes to the same call restarted") {
  SentAnswers s;
  s.record(7, answer(233, 9, 0, true, 0x1000));
  auto r = s.replay(7, 233, SyscallArgs{9, 1, 2, 3, 4, 5}, 0x1000);
  REQUIRE(r.has_value());
  CHECK(r->value == 0);
  CHECK_FALSE(s.take(7).has_value());  // replayed once only
}

TEST_CASE("sent answers: anything else is a new call, and the answer is forgotten") {
  SentAnswers s;
  SECTION("delivered") {
    s.record(7, answer(233, 9, 0, false, 0x1000));
    CHECK_FALSE(s.replay(7, 233, SyscallArgs{9, 1, 2, 3, 4, 5}, 0x1000).has_value());
  }
  SECTION("another argument") {
    s.record(7, answer(233, 9, 0, true, 0x1000));
    CHECK_FALSE(s.replay(7, 233, SyscallArgs{10, 1, 2, 3, 4, 5}, 0x1000).has_value());
  }
  SECTION("another place") {
    s.record(7, answer(233, 9, 0, true, 0x1000));
    CHECK_FALSE(s.replay(7, 233, SyscallArgs{9, 1, 2, 3, 4, 5}, 0x2000).has_value());
  }
  SECTION("another call") {
    s.record(7, answer(233, 9, 0, true, 0x1000));
    CHECK_FALSE(s.replay(7, 232, SyscallArgs{9, 1, 2, 3, 4, 5}, 0x1000).has_value());
  }
  SECTION("another thread") {
    s.record(7, answer(233, 9, 0, true, 0x1000));
    CHECK_FALSE(s.replay(8, 233, SyscallArgs{9, 1, 2, 3, 4, 5}, 0x1000).has_value());
    CHECK(s.take(7).has_value());  // the other thread's answer stays
  }
  SECTION("continued on the host") {
    SentAnswers::Answer a = answer(72, 9, 0, true, 0x1000);
    a.continued = true;
    s.record(7, a);
    CHECK_FALSE(s.replay(7, 72, SyscallArgs{9, 1, 2, 3, 4, 5}, 0x1000).has_value());
  }
  CHECK_FALSE(s.take(7).has_value());
}
