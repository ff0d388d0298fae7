// net/socket.c's address copy rules through FakeGuestMemory:
// move_addr_to_kernel (read_sockaddr), sendmsg's msg_name (read_msg_name)
// and move_addr_to_user (write_sockaddr): truncation reporting the full
// length, negative lengths, NULL pointers per caller, EFAULT at each step.
#include <catch2/catch.hpp>

#include <arpa/inet.h>

#include <cerrno>
#include <cstring>

#include "fake_guest_memory.h"
#include "netstack/inet6_mapping.h"
#include "netstack/sockaddr_io.h"

using namespace sentry;
using namespace sentry::netstack;
using sentry::testing::FakeGuestMemory;

namespace {

constexpr std::uint64_t kAddr = 0x10000;
constexpr std::uint64_t kLen = 0x20000;
constexpr std::uint64_t kUnmapped = 0x90000;

sockaddr_in6 sample() {
  sockaddr_in host{};
  host.sin_family = AF_INET;
  host.sin_port = htons(8080);
  host.sin_addr.s_addr = htonl(0x7f060601);
  return to_guest(host);
}

std::int32_t len_at(FakeGuestMemory& m, std::uint64_t p) {
  std::int32_t v = 0;
  REQUIRE(m.read_value(p, &v));
  return v;
}

}  // namespace

TEST_CASE("read_sockaddr: move_addr_to_kernel", "[sockaddr_io]") {
  FakeGuestMemory mem;
  sockaddr_in6 sa = sample();
  mem.map_bytes(kAddr, &sa, sizeof sa);
  sockaddr_storage out;

  CHECK(read_sockaddr(mem, kAddr, sizeof sa, &out) == 0);
  CHECK(std::memcmp(&out, &sa, sizeof sa) == 0);

  // Only `len` bytes are read; the rest reads as zero.
  CHECK(read_sockaddr(mem, kAddr, 8, &out) == 0);
  CHECK(std::memcmp(&out, &sa, 8) == 0);
  const unsigned char* b = reinterpret_cast<const unsigned char*>(&out);
  for (std::size_t i = 8; i < sizeof out; ++i) REQUIRE(b[i] == 0);

  // Length 0 reads nothing, even from an unmapped (or NULL) pointer.
  CHECK(read_sockaddr(mem, kUnmapped, 0, &out) == 0);
  CHECK(read_sockaddr(mem, 0, 0, &out) == 0);

  // Longer than sockaddr_storage, or negative as an int: EINVAL, before any read.
  CHECK(read_sockaddr(mem, kUnmapped, 129, &out) == -EINVAL);
  CHECK(read_sockaddr(mem, kAddr, 0x80000000u, &out) == -EINVAL);
  CHECK(read_sockaddr(mem, kAddr, 0xffffffffu, &out) == -EINVAL);

  // Exactly 128 is allowed; unreadable bytes are EFAULT.
  CHECK(read_sockaddr(mem, kAddr, 128, &out) == -EFAULT);  // only 28 bytes mapped
  mem.map(kUnmapped + 0x1000, 128);
  CHECK(read_sockaddr(mem, kUnmapped + 0x1000, 128, &out) == 0);
  CHECK(read_sockaddr(mem, kUnmapped, 28, &out) == -EFAULT);
  CHECK(read_sockaddr(mem, 0, 28, &out) == -EFAULT);
}

TEST_CASE("read_msg_name: sendmsg's msg_name rules", "[sockaddr_io]") {
  FakeGuestMemory mem;
  mem.map(kAddr, 256);
  sockaddr_in6 sa = sample();
  REQUIRE(mem.write(kAddr, &sa, sizeof sa));
  sockaddr_storage out;
  std::uint32_t len = 99;

  CHECK(read_msg_name(mem, kAddr, sizeof sa, &out, &len) == 0);
  CHECK(len == sizeof sa);
  CHECK(std::memcmp(&out, &sa, sizeof sa) == 0);

  // NULL name: no address, whatever the length (even a negative one).
  CHECK(read_msg_name(mem, 0, 28, &out, &len) == 0);
  CHECK(len == 0);
  CHECK(read_msg_name(mem, 0, -1, &out, &len) == 0);
  CHECK(len == 0);
  // A name of length 0: no address.
  CHECK(read_msg_name(mem, kAddr, 0, &out, &len) == 0);
  CHECK(len == 0);
  // Negative: EINVAL. Too long: clamped to 128, unlike sendto.
  CHECK(read_msg_name(mem, kAddr, -1, &out, &len) == -EINVAL);
  CHECK(read_msg_name(mem, kAddr, 1000, &out, &len) == 0);
  CHECK(len == 128);
  CHECK(read_msg_name(mem, kUnmapped, 28, &out, &len) == -EFAULT);
}

TEST_CASE("write_sockaddr: full copy and the length written back", "[sockaddr_io]") {
  FakeGuestMemory mem;
  mem.map(kAddr, 64);
  mem.map(kLen, 4);
  sockaddr_in6 sa = sample();

  SECTION("buffer exactly 28") {
    REQUIRE(mem.write_value(kLen, std::int32_t{28}));
    CHECK(write_sockaddr(mem, kAddr, kLen, &sa, sizeof sa) == 0);
    sockaddr_in6 got;
    REQUIRE(mem.read(kAddr, &got, sizeof got));
    CHECK(std::memcmp(&got, &sa, sizeof sa) == 0);
    CHECK(len_at(mem, kLen) == 28);
  }
  SECTION("a larger buffer gets 28 bytes; the rest is untouched") {
    std::vector<unsigned char> fill(64, 0xaa);
    REQUIRE(mem.write(kAddr, fill.data(), fill.size()));
    REQUIRE(mem.write_value(kLen, std::int32_t{64}));
    CHECK(write_sockaddr(mem, kAddr, kLen, &sa, sizeof sa) == 0);
    unsigned char got[64];
    REQUIRE(mem.read(kAddr, got, sizeof got));
    CHECK(std::memcmp(got, &sa, 28) == 0);
    for (int i = 28; i < 64; ++i) REQUIRE(got[i] == 0xaa);
    CHECK(len_at(mem, kLen) == 28);
  }
  SECTION("truncation: a 16-byte buffer gets 16 bytes and addrlen 28") {
    std::vector<unsigned char> fill(64, 0xaa);
    REQUIRE(mem.write(kAddr, fill.data(), fill.size()));
    REQUIRE(mem.write_value(kLen, std::int32_t{16}));
    CHECK(write_sockaddr(mem, kAddr, kLen, &sa, sizeof sa) == 0);
    unsigned char got[64];
    REQUIRE(mem.read(kAddr, got, sizeof got));
    CHECK(std::memcmp(got, &sa, 16) == 0);
    CHECK(got[16] == 0xaa);
    CHECK(len_at(mem, kLen) == 28);
  }
  SECTION("addrlen 0: nothing copied, 28 reported") {
    std::vector<unsigned char> fill(64, 0xaa);
    REQUIRE(mem.write(kAddr, fill.data(), fill.size()));
    REQUIRE(mem.write_value(kLen, std::int32_t{0}));
    CHECK(write_sockaddr(mem, kAddr, kLen, &sa, sizeof sa) == 0);
    unsigned char got;
    REQUIRE(mem.read(kAddr, &got, 1));
    CHECK(got == 0xaa);
    CHECK(len_at(mem, kLen) == 28);
  }
  SECTION("negative addrlen: EINVAL, nothing written") {
    REQUIRE(mem.write_value(kLen, std::int32_t{-1}));
    CHECK(write_sockaddr(mem, kAddr, kLen, &sa, sizeof sa) == -EINVAL);
    CHECK(len_at(mem, kLen) == -1);
    unsigned char got;
    REQUIRE(mem.read(kAddr, &got, 1));
    CHECK(got == 0);
    REQUIRE(mem.write_value(kLen, std::int32_t{INT32_MIN}));
    CHECK(write_sockaddr(mem, kAddr, kLen, &sa, sizeof sa) == -EINVAL);
  }
  SECTION("no address from the protocol (recvfrom on TCP): addrlen 0") {
    REQUIRE(mem.write_value(kLen, std::int32_t{28}));
    CHECK(write_sockaddr(mem, kAddr, kLen, nullptr, 0) == 0);
    CHECK(len_at(mem, kLen) == 0);
  }
  SECTION("an address longer than sockaddr_storage is refused") {
    REQUIRE(mem.write_value(kLen, std::int32_t{28}));
    unsigned char big[200] = {};
    CHECK(write_sockaddr(mem, kAddr, kLen, big, sizeof big) == -EINVAL);
  }
}

TEST_CASE("write_sockaddr: faults", "[sockaddr_io]") {
  FakeGuestMemory mem;
  mem.map(kAddr, 64);
  mem.map(kLen, 4);
  sockaddr_in6 sa = sample();

  // addrlen unreadable: EFAULT, nothing copied.
  CHECK(write_sockaddr(mem, kAddr, kUnmapped, &sa, sizeof sa) == -EFAULT);
  unsigned char got;
  REQUIRE(mem.read(kAddr, &got, 1));
  CHECK(got == 0);
  // addrlen partly mapped.
  CHECK(write_sockaddr(mem, kAddr, kLen + 2, &sa, sizeof sa) == -EFAULT);

  // The address unwritable: EFAULT, and since Linux 6.18 addrlen already holds 28.
  REQUIRE(mem.write_value(kLen, std::int32_t{28}));
  CHECK(write_sockaddr(mem, kUnmapped, kLen, &sa, sizeof sa) == -EFAULT);
  CHECK(len_at(mem, kLen) == 28);
  REQUIRE(mem.write_value(kLen, std::int32_t{16}));
  CHECK(write_sockaddr(mem, kAddr + 60, kLen, &sa, sizeof sa) == -EFAULT);  // 4 of 16 bytes mapped
  CHECK(len_at(mem, kLen) == 28);
}

TEST_CASE("write_sockaddr: NULL pointers per caller", "[sockaddr_io]") {
  FakeGuestMemory mem;
  mem.map(kLen, 4);
  sockaddr_in6 sa = sample();

  // accept4/recvfrom/recvmsg: a NULL address skips everything, addrlen untouched.
  CHECK(write_sockaddr(mem, 0, 0, &sa, sizeof sa) == 0);
  REQUIRE(mem.write_value(kLen, std::int32_t{16}));
  CHECK(write_sockaddr(mem, 0, kLen, &sa, sizeof sa) == 0);
  CHECK(len_at(mem, kLen) == 16);
  CHECK(write_sockaddr(mem, 0, kLen, &sa, sizeof sa, NullAddr::kSkip) == 0);
  // ... but a non-NULL address with a NULL addrlen is EFAULT.
  mem.map(kAddr, 64);
  CHECK(write_sockaddr(mem, kAddr, 0, &sa, sizeof sa) == -EFAULT);

  // getsockname/getpeername: move_addr_to_user runs regardless.
  CHECK(write_sockaddr(mem, 0, 0, &sa, sizeof sa, NullAddr::kCopy) == -EFAULT);
  REQUIRE(mem.write_value(kLen, std::int32_t{0}));
  CHECK(write_sockaddr(mem, 0, kLen, &sa, sizeof sa, NullAddr::kCopy) == 0);
  CHECK(len_at(mem, kLen) == 28);
  REQUIRE(mem.write_value(kLen, std::int32_t{5}));
  CHECK(write_sockaddr(mem, 0, kLen, &sa, sizeof sa, NullAddr::kCopy) == -EFAULT);
  CHECK(len_at(mem, kLen) == 28);
}
