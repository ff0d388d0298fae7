// The epoll model's own parts: the item table (ids never reused, MOD's old
// id still translating, the sweep's grace period and its trigger), the
// fdinfo parser and translator against the kernel's exact line format, and
// the registrar on real host objects (registration under exactly the guest's
// fd number, EBADF order, the host's own errors).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <unordered_set>

#include "sentry/kernel/epoll/epoll_fdinfo.h"
#include "sentry/kernel/epoll/epoll_items.h"
#include "sentry/kernel/epoll/epoll_registrar.h"

using namespace sentry::kernel::epoll;

TEST_CASE("epoll items: ids are fresh, old ids keep translating until swept") {
  EpollItems items;
  const auto a = items.next_id();
  const auto b = items.next_id();
  CHECK(a != b);
  items.add(a, Item{5, EPOLLIN, 0xdeadbeefcafef00dULL});
  items.add(b, Item{5, EPOLLOUT, 7});  // a MOD of the same registration
  CHECK(items.guest_data(a) == 0xdeadbeefcafef00dULL);
  CHECK(items.guest_data(b) == 7u);
  CHECK_FALSE(items.guest_data(b + 1).has_value());
  REQUIRE(items.find(b) != nullptr);
  CHECK(items.find(b)->fd == 5);
  CHECK(items.find(b)->events == EPOLLOUT);
}

TEST_CASE("epoll items: a dead id survives one grace period, a live one forever") {
  EpollItems items;
  const auto dead = items.next_id();
  const auto live = items.next_id();
  items.add(dead, Item{3, EPOLLIN, 1});
  items.add(live, Item{4, EPOLLIN, 2});
  const std::unordered_set<std::uint64_t> live_set{live};
  items.sweep(live_set, 0);
  CHECK(items.guest_data(dead) == 1u);  // found dead, still translating
  items.sweep(live_set, EpollItems::kGraceNs - 1);
  CHECK(items.guest_data(dead) == 1u);
  items.sweep(live_set, EpollItems::kGraceNs);
  CHECK_FALSE(items.guest_data(dead).has_value());
  CHECK(items.guest_data(live) == 2u);
  CHECK(items.size() == 1);
}

TEST_CASE("epoll items: an id found alive again is not forgotten later") {
  EpollItems items;
  const auto id = items.next_id();
  items.add(id, Item{3, EPOLLIN, 9});
  items.sweep({}, 0);
  items.sweep({id}, 10);
  items.sweep({}, EpollItems::kGraceNs);  // dead again, a new grace starts
  CHECK(items.guest_data(id) == 9u);
}

TEST_CASE("epoll items: the sweep is due when the table doubled") {
  EpollItems items;
  std::unordered_set<std::uint64_t> live;
  int added = 0;
  while (!items.sweep_due()) {
    const auto id = items.next_id();
    items.add(id, Item{added, EPOLLIN, 0});
    if (added % 2 == 0) live.insert(id);
    ++added;
  }
  CHECK(added == 1024);
  items.sweep(live, 0);
  CHECK_FALSE(items.sweep_due());
}

namespace {

std::string host_fdinfo(int fd) {
  std::ifstream in("/proc/self/fdinfo/" + std::to_string(fd));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("epoll fdinfo: parses and translates the kernel's own lines") {
  int p[2];
  REQUIRE(pipe(p) == 0);
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  REQUIRE(ep >= 0);
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  ev.data.u64 = 0x1234;
  REQUIRE(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0);
  ev.events = EPOLLOUT;
  ev.data.u64 = 0xffffffffffffffffULL;  // 16 digits: no padding left
  REQUIRE(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev) == 0);
  const std::string text = host_fdinfo(ep);
  const auto parsed = parse_epoll_fdinfo(text);
  REQUIRE(parsed.size() == 2);
  bool saw_read = false, saw_write = false;
  for (const auto& item : parsed) {
    if (item.tfd == p[0]) {
      saw_read = true;
      CHECK(item.data == 0x1234u);
      CHECK((item.events & (EPOLLIN | EPOLLET)) == (EPOLLIN | EPOLLET));
    }
    if (item.tfd == p[1]) {
      saw_write = true;
      CHECK(item.data == 0xffffffffffffffffULL);
    }
  }
  CHECK(saw_read);
  CHECK(saw_write);

  // Translating to other values keeps every column where the kernel puts it.
  const std::string out = translate_epoll_fdinfo(text, [](std::uint64_t id) -> std::optional<std::uint64_t> {
    if (id == 0x1234) return 0xabcdef0123456789ULL;
    if (id == 0xffffffffffffffffULL) return 5;
    return std::nullopt;
  });
  CHECK(out.size() == text.size());
  CHECK(out.find("data: abcdef0123456789  pos:") != std::string::npos);
  CHECK(out.find("data:                5  pos:") != std::string::npos);
  const auto again = parse_epoll_fdinfo(out);
  REQUIRE(again.size() == 2);
  // Lines other than "tfd:" (pos, flags, mnt_id, ino) are untouched.
  CHECK(out.substr(0, out.find("tfd:")) == text.substr(0, text.find("tfd:")));
  close(ep);
  close(p[0]);
  close(p[1]);
}

TEST_CASE("epoll registrar: registers under exactly the guest's fd number") {
  EpollRegistrar registrar;
  int p[2];
  REQUIRE(pipe(p) == 0);
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  REQUIRE(ep >= 0);
  // The "guest" is this process: the registrar takes copies of its fds.
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = 77;
  CHECK(registrar.ctl(getpid(), ep, EPOLL_CTL_ADD, p[0], ev) == 0);
  const auto items = parse_epoll_fdinfo(host_fdinfo(ep));
  REQUIRE(items.size() == 1);
  CHECK(items[0].tfd == p[0]);
  CHECK(items[0].data == 77u);
  // The registration is keyed by our number: our own epoll_ctl finds it.
  CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == -1);
  CHECK(errno == EEXIST);
  REQUIRE(write(p[1], "x", 1) == 1);
  epoll_event out{};
  CHECK(epoll_wait(ep, &out, 1, 0) == 1);
  CHECK(out.data.u64 == 77u);
  // The registrar holds no reference: closing our only fd drops it.
  CHECK(registrar.ctl(getpid(), ep, EPOLL_CTL_DEL, p[0], ev) == 0);
  CHECK(registrar.ctl(getpid(), ep, EPOLL_CTL_DEL, p[0], ev) == -ENOENT);
  CHECK(registrar.ctl(getpid(), ep, EPOLL_CTL_ADD, p[0], ev) == 0);
  close(p[0]);
  CHECK(epoll_wait(ep, &out, 1, 0) == 0);
  CHECK(parse_epoll_fdinfo(host_fdinfo(ep)).empty());
  close(p[1]);
  close(ep);
}

TEST_CASE("epoll registrar: EBADF for epfd before fd, then the host's checks") {
  EpollRegistrar registrar;
  int p[2];
  REQUIRE(pipe(p) == 0);
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  // A number nothing here opens: the "guest" is this process, whose own
  // next fds (a pidfd...) would otherwise land on a just-closed low number.
  const int closed = 900;
  REQUIRE(fcntl(closed, F_GETFD) == -1);
  epoll_event ev{};
  ev.events = EPOLLIN;
  CHECK(registrar.ctl(getpid(), closed, EPOLL_CTL_ADD, closed, ev) == -EBADF);
  CHECK(registrar.ctl(getpid(), ep, EPOLL_CTL_ADD, closed, ev) == -EBADF);
  CHECK(registrar.ctl(getpid(), p[0], EPOLL_CTL_ADD, p[1], ev) == -EINVAL);  // not an epoll
  CHECK(registrar.ctl(getpid(), ep, EPOLL_CTL_ADD, ep, ev) == -EINVAL);      // itself
  const int file = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  CHECK(registrar.ctl(getpid(), ep, EPOLL_CTL_ADD, file, ev) == -EPERM);  // a regular file
  CHECK(registrar.ctl(getpid(), ep, EPOLL_CTL_MOD, p[0], ev) == -ENOENT);
  CHECK(registrar.ctl(getpid(), ep, 99, p[0], ev) == -EINVAL);
  close(file);
  close(ep);
  close(p[0]);
  close(p[1]);
}
