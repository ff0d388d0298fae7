// The epoll registrar on real host objects: registration under exactly the
// guest's fd number with the guest's own data, EBADF order, the host's own
// errors.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sentry/kernel/epoll/epoll_registrar.h"

using namespace sentry::kernel::epoll;

namespace {

std::string host_fdinfo(int fd) {
  std::ifstream in("/proc/self/fdinfo/" + std::to_string(fd));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}


struct FdinfoItem {
  int tfd = -1;
  std::uint64_t data = 0;
};

// The "tfd:" lines of an epoll fd's fdinfo.
std::vector<FdinfoItem> parse_epoll_fdinfo(const std::string& text) {
  std::vector<FdinfoItem> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    FdinfoItem item;
    unsigned events = 0;
    if (std::sscanf(line.c_str(), "tfd: %d events: %x data: %" SCNx64, &item.tfd, &events, &item.data) == 3)
      out.push_back(item);
  }
  return out;
}

}  // namespace

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
