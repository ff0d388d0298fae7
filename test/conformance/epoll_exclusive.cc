// EPOLLEXCLUSIVE: argument rules (ADD only, a restricted set of companion
// flags, not for epoll targets, an exclusive registration cannot be
// modified) and the wake-up behaviour: four threads, each blocked in
// epoll_wait on its own epoll instance holding the same listening socket.
// With EPOLLEXCLUSIVE one incoming connection wakes exactly one of them
// (the kernel stops at the first exclusive waiter whose epoll instance has
// a sleeper); without it all four wake.
#include <netinet/in.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>

#include "conformance.h"
#include "thread_state.h"

namespace {

using namespace conformance;

int add(int ep, int fd, uint32_t events, uint64_t data = 0) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = data;
  return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

int mod(int ep, int fd, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

void test_rules() {
  int ep = epoll_create1(0);
  int efd = eventfd(0, EFD_NONBLOCK);
  int efd2 = eventfd(0, EFD_NONBLOCK);
  int inner = epoll_create1(0);
  // Allowed companions: IN, OUT, ERR, HUP, ET.
  CHECK_OK(add(ep, efd, EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLET |
                            EPOLLEXCLUSIVE));
  CHECK_ERR(add(ep, efd, EPOLLIN | EPOLLEXCLUSIVE), EEXIST);
  // Anything else: EINVAL.
  CHECK_ERR(add(ep, efd2, EPOLLIN | EPOLLONESHOT | EPOLLEXCLUSIVE), EINVAL);
  CHECK_ERR(add(ep, efd2, EPOLLIN | EPOLLRDHUP | EPOLLEXCLUSIVE), EINVAL);
  CHECK_ERR(add(ep, efd2, EPOLLIN | EPOLLPRI | EPOLLEXCLUSIVE), EINVAL);
  CHECK_ERR(add(ep, efd2, EPOLLIN | EPOLLRDNORM | EPOLLEXCLUSIVE), EINVAL);
  // EXCLUSIVE alone (no event bits) is fine.
  CHECK_OK(add(ep, efd2, EPOLLEXCLUSIVE));
  CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, efd2, nullptr));
  // An epoll instance as the target: EINVAL (without EXCLUSIVE it works).
  CHECK_ERR(add(ep, inner, EPOLLIN | EPOLLEXCLUSIVE), EINVAL);
  CHECK_OK(add(ep, inner, EPOLLIN));
  // MOD with EXCLUSIVE: EINVAL, checked before the lookup (no ENOENT).
  CHECK_ERR(mod(ep, inner, EPOLLIN | EPOLLEXCLUSIVE), EINVAL);
  CHECK_ERR(mod(ep, efd2, EPOLLIN | EPOLLEXCLUSIVE), EINVAL);
  CHECK_ERR(mod(ep, efd2, EPOLLIN), ENOENT);
  // An exclusive registration cannot be modified at all.
  CHECK_ERR(mod(ep, efd, EPOLLIN), EINVAL);
  CHECK_ERR(mod(ep, efd, EPOLLIN | EPOLLEXCLUSIVE), EINVAL);
  // DEL of an exclusive registration works.
  CHECK_OK(epoll_ctl(ep, EPOLL_CTL_DEL, efd, nullptr));
  CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, efd, nullptr), ENOENT);
  // Events still flow through an exclusive registration.
  CHECK_OK(add(ep, efd, EPOLLIN | EPOLLEXCLUSIVE, 42));
  uint64_t one = 1;
  CHECK(write(efd, &one, sizeof one) == sizeof one);
  epoll_event out[4];
  CHECK(epoll_wait(ep, out, 4, 0) == 1);
  CHECK(out[0].events == EPOLLIN && out[0].data.u64 == 42);
  close(inner);
  close(efd2);
  close(efd);
  close(ep);
}

constexpr int kThreads = 4;

struct Waiter {
  int ep = -1;
  std::atomic<pid_t> tid{0};
  std::atomic<int>* woken_by_listener = nullptr;
  bool got_listener = false;
  int nret = 0;
  pthread_t thread{};
};

void* waiter_main(void* arg) {
  auto* w = static_cast<Waiter*>(arg);
  w->tid.store(static_cast<pid_t>(syscall(SYS_gettid)));
  epoll_event evs[4];
  w->nret = epoll_wait(w->ep, evs, 4, 5000);
  for (int i = 0; i < w->nret; ++i)
    if (evs[i].data.u64 == 1) w->got_listener = true;
  if (w->got_listener) w->woken_by_listener->fetch_add(1);
  return nullptr;
}

// Returns the number of threads woken by one connection, or -1 if the
// threads could not be seen asleep.
int trial(bool exclusive) {
  int lst = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  CHECK_OK(bind(lst, reinterpret_cast<sockaddr*>(&a), sizeof a));
  CHECK_OK(listen(lst, 8));
  socklen_t alen = sizeof a;
  CHECK_OK(getsockname(lst, reinterpret_cast<sockaddr*>(&a), &alen));
  int quit = eventfd(0, EFD_NONBLOCK);

  std::atomic<int> woken{0};
  Waiter w[kThreads];
  for (auto& x : w) {
    x.ep = epoll_create1(0);
    x.woken_by_listener = &woken;
    CHECK_OK(add(x.ep, lst, EPOLLIN | (exclusive ? uint32_t{EPOLLEXCLUSIVE} : 0u), 1));
    CHECK_OK(add(x.ep, quit, EPOLLIN, 2));
  }
  for (auto& x : w) CHECK(pthread_create(&x.thread, nullptr, waiter_main, &x) == 0);
  // All four must be asleep inside epoll_wait before the connection comes.
  const bool asleep = poll_until(
      [&] {
        for (auto& x : w) {
          pid_t t = x.tid.load();
          if (t == 0 || task_state(t) != 'S') return false;
        }
        return true;
      },
      2000);
  CHECK(asleep);

  int c = socket(AF_INET, SOCK_STREAM, 0);
  CHECK_OK(connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a));
  // Wait for the first wake-up, then give any others time to happen.
  for (int i = 0; i < 1000 && woken.load() == 0; ++i) sleep_ms(1);
  const int target = exclusive ? 1 : kThreads;
  for (int i = 0; i < 50 && woken.load() < kThreads; ++i) {
    sleep_ms(1);
    if (!exclusive && woken.load() == target) break;
  }
  if (exclusive) sleep_ms(30);
  int n = woken.load();

  uint64_t one = 1;
  CHECK(write(quit, &one, sizeof one) == sizeof one);
  for (auto& x : w) {
    CHECK(pthread_join(x.thread, nullptr) == 0);
    CHECK(x.nret >= 1);
    close(x.ep);
  }
  close(c);
  close(quit);
  close(lst);
  return asleep ? n : -1;
}

void test_wakeups() {
  for (int i = 0; i < 3; ++i) {
    int n = trial(true);
    if (n != 1) std::fprintf(stderr, "exclusive trial %d: %d woken\n", i, n);
    CHECK(n == 1);
  }
  int n = trial(false);
  if (n != kThreads) std::fprintf(stderr, "non-exclusive trial: %d woken\n", n);
  CHECK(n == kThreads);
}

}  // namespace

int main() {
  test_rules();
  test_wakeups();
  return conformance::finish();
}
