// The guest's identity map (sentry/sandbox/id_map.h) and the model's view of
// host ids through it (kernel::guest_id_of_host).
#include <catch2/catch.hpp>

#include "sentry/kernel/credentials.h"
#include "sentry/sandbox/id_map.h"

using sentry::sandbox::IdMap;
using sentry::sandbox::parse_id_map;

TEST_CASE("id map: the default range maps guest root to an unprivileged host id") {
  IdMap m;
  CHECK(m.map_line() == "0 2000000000 65536\n");
  CHECK(m.to_host(0) == 2000000000u);
  CHECK(m.to_host(65535) == 2000065535u);
  CHECK_FALSE(m.to_host(65536));
  CHECK(m.to_guest(2000000000u) == 0u);
  CHECK(m.to_guest(2000001000u) == 1000u);
  CHECK_FALSE(m.to_guest(0));
  CHECK_FALSE(m.to_guest(2000065536u));
}

TEST_CASE("id map: --host-ids parsing") {
  std::string error;
  auto a = parse_id_map("100000", &error);
  REQUIRE(a);
  CHECK(a->host_base == 100000u);
  CHECK(a->count == 65536u);
  auto b = parse_id_map("3000000000:1000", &error);
  REQUIRE(b);
  CHECK(b->count == 1000u);
  CHECK(b->map_line() == "0 3000000000 1000\n");
  CHECK_FALSE(parse_id_map("0", &error));
  CHECK(error.find("host's root") != std::string::npos);
  CHECK_FALSE(parse_id_map("4294967290:100", &error));
  CHECK_FALSE(parse_id_map("10:0", &error));
  CHECK_FALSE(parse_id_map("abc", &error));
  CHECK_FALSE(parse_id_map("10:", &error));
  CHECK_FALSE(parse_id_map("10x", &error));
}

TEST_CASE("credentials: host ids read back through the guest's map") {
  sentry::kernel::set_guest_id_range(2000000000u, 2000000000u, 65536);
  CHECK(sentry::kernel::guest_id_of_host(2000000000u) == 0u);
  CHECK(sentry::kernel::guest_id_of_host(2000000042u) == 42u);
  CHECK(sentry::kernel::guest_id_of_host(0) == 65534u);  // host root: unmapped, the overflow id
  sentry::kernel::set_guest_id_range(1000, 100, 1);      // rootless: one id each
  CHECK(sentry::kernel::guest_id_of_host(1000) == 0u);
  CHECK(sentry::kernel::guest_gid_of_host(100) == 0u);
  CHECK(sentry::kernel::guest_gid_of_host(1000) == 65534u);
  CHECK(sentry::kernel::uid_valid(0));
  CHECK_FALSE(sentry::kernel::uid_valid(1));
  sentry::kernel::set_guest_id_range(2000000000u, 2000000000u, 65536);
  CHECK(sentry::kernel::uid_valid(65535));
  CHECK_FALSE(sentry::kernel::uid_valid(65536));
  CHECK_FALSE(sentry::kernel::gid_valid(100000));
  sentry::kernel::clear_guest_id_range();  // the other tests speak sentry's own ids
}
