// epoll(7): epoll_create, epoll_create1, epoll_ctl, epoll_wait, epoll_pwait,
// epoll_pwait2, served by the kernel model (sentry/kernel/epoll/).
//
// An epoll instance is a host epoll instance that sentry creates and
// installs in the guest; its registrations are made by sentry
// (EpollRegistrar, with the guest's own fd numbers as keys) and carry
// sentry's item ids as their data. The guest's events and data live in the
// model (EpollItems). The host instance is the readiness engine: readiness
// comes from the host objects the guest's data moves on, wake-ups
// (EPOLLEXCLUSIVE's one-waiter rule included), level and edge triggering,
// EPOLLONESHOT and the removal of a registration when its file's last
// reference closes are Linux's own, with no polling and no missed edge.
//
// A wait runs in the guest's own thread on the host instance (a translated
// call, like accept: it blocks, times out, takes its signal mask and is
// interrupted exactly as on Linux, and never blocks sentry's loop); at its
// exit stop sentry turns each event's item id into the guest's data.
// docs/decisions.md ("epoll: the model holds the registrations, the host
// instance the readiness") says why.
#include <sys/epoll.h>
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

#include "sentry/kernel/epoll/epoll_fdinfo.h"
#include "sentry/kernel/epoll/epoll_items.h"
#include "sentry/kernel/epoll/epoll_registrar.h"
#include "sentry/syscalls/registry.h"

namespace sentry::syscalls {

namespace {

// struct epoll_event is packed on x86-64: 12 bytes.
static_assert(sizeof(epoll_event) == 12);

void create(const SyscallPtr& call, bool cloexec) {
  // The ptrace platform cannot install fds: the guest's thread creates the
  // instance; the model needs nothing from it until epoll_ctl.
  if (!call->can_install_fds()) return (void)call->continue_on_host();
  const int fd = epoll_create1(EPOLL_CLOEXEC);
  if (fd < 0) return (void)call->fail(errno);  // ENFILE, ENOMEM
  call->complete_with_fd(fd, cloexec);
}

// Implements epoll_create(2): `size` is only checked.
void sys_epoll_create(kernel::Kernel&, const SyscallPtr& call) {
  if (static_cast<int>(call->arg(0)) <= 0) return (void)call->fail(EINVAL);
  create(call, false);
}

// Implements epoll_create1(2).
void sys_epoll_create1(kernel::Kernel&, const SyscallPtr& call) {
  const auto flags = static_cast<int>(call->arg(0));
  if (flags & ~EPOLL_CLOEXEC) return (void)call->fail(EINVAL);
  create(call, (flags & EPOLL_CLOEXEC) != 0);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The item ids every guest epoll instance still holds: the "tfd:" lines of
// the fdinfo of each guest fd that is an epoll instance.
std::unordered_set<std::uint64_t> live_item_ids(const kernel::Kernel& k) {
  std::unordered_set<std::uint64_t> live;
  k.tree.for_each_group([&](const kernel::ThreadGroup& g) {
    const std::string dir = "/proc/" + std::to_string(g.tgid) + "/fd";
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) return;
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] == '.') continue;
      char target[64];
      const ssize_t n = readlinkat(dirfd(d), e->d_name, target, sizeof target - 1);
      if (n <= 0 || std::string_view(target, n) != "anon_inode:[eventpoll]") continue;
      const std::string info = "/proc/" + std::to_string(g.tgid) + "/fdinfo/" + e->d_name;
      for (const auto& item : kernel::epoll::parse_epoll_fdinfo(read_text(info))) live.insert(item.data);
    }
    closedir(d);
  });
  return live;
}

std::int64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// Implements epoll_ctl(2). The event is read first (EFAULT), as Linux does;
// then the registrar's EBADF for epfd and fd; every other check (EPERM for a
// file without poll, EINVAL for a non-epoll epfd, fd == epfd or a bad
// EPOLLEXCLUSIVE use, EEXIST, ENOENT, ELOOP, ENOSPC) is the host's, on the
// same files, so it comes in Linux's order.
void sys_epoll_ctl(kernel::Kernel& k, const SyscallPtr& call) {
  const int epfd = static_cast<int>(call->arg(0));
  const int op = static_cast<int>(call->arg(1));
  const int fd = static_cast<int>(call->arg(2));
  epoll_event guest{};
  if (op != EPOLL_CTL_DEL && !call->memory().read(call->arg(3), &guest, sizeof guest))
    return (void)call->fail(EFAULT);
  kernel::epoll::EpollItems& items = k.epoll_items;
  const std::uint64_t id = items.next_id();
  epoll_event host{};
  host.events = guest.events;
  host.data.u64 = id;
  if (!k.epoll_registrar) k.epoll_registrar = std::make_unique<kernel::epoll::EpollRegistrar>();
  const int r = k.epoll_registrar->ctl(k.tree.tgid_of(call->tid()), epfd, op, fd, host);
  if (r == 0 && (op == EPOLL_CTL_ADD || op == EPOLL_CTL_MOD))
    items.add(id, kernel::epoll::Item{fd, guest.events, guest.data.u64});
  call->complete(r);
  if (items.sweep_due()) items.sweep(live_item_ids(k), now_ns());
}

// epoll_wait(2), epoll_pwait(2), epoll_pwait2(2): the host runs the call as
// the guest made it, in the guest's thread; the events it returns carry item
// ids, turned into the guest's data before the guest resumes.
void sys_epoll_wait_family(kernel::Kernel& k, const SyscallPtr& call) {
  const std::uint64_t events_at = call->arg(1);
  std::weak_ptr<Syscall> weak = call;
  call->continue_rewritten(call->args(), [&k, weak, events_at](std::int64_t r) -> std::int64_t {
    SyscallPtr c = weak.lock();
    if (r <= 0 || !c) return r;
    std::vector<epoll_event> events(static_cast<std::size_t>(r));
    const std::size_t bytes = events.size() * sizeof(epoll_event);
    if (!c->memory().read(events_at, events.data(), bytes)) return r;  // the host just wrote them
    for (epoll_event& ev : events) {
      const std::uint64_t id = ev.data.u64;
      if (auto data = k.epoll_items.guest_data(id)) {
        ev.data.u64 = *data;
      } else {
        spdlog::debug("epoll: event with unknown item id {:#x}", id);
      }
    }
    c->memory().write(events_at, events.data(), bytes);
    return r;
  });
}

}  // namespace

void register_epoll(Registry& r) {
  r.add("epoll_create", sys_epoll_create);
  r.add("epoll_create1", sys_epoll_create1);
  r.add("epoll_ctl", sys_epoll_ctl);
  r.add("epoll_wait", sys_epoll_wait_family);
  r.add("epoll_pwait", sys_epoll_wait_family);
  r.add("epoll_pwait2", sys_epoll_wait_family);
}

}  // namespace sentry::syscalls
