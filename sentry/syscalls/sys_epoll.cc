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
// A wait is a translated call (stopped by ptrace, like accept). Events
// already ready are taken by sentry at the entry stop; otherwise the wait
// runs in the guest's own thread on the host instance (it blocks, times out,
// takes its signal mask and is interrupted exactly as on Linux, and never
// blocks sentry's loop), and at its exit stop sentry turns each event's item
// id into the guest's data.
// docs/decisions.md ("epoll: the model holds the registrations, the host
// instance the readiness") says why.
#include <dirent.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "proc_synth/kernel_view.h"
#include "sentry/kernel/epoll/epoll_fdinfo.h"
#include "sentry/kernel/epoll/epoll_items.h"
#include "sentry/kernel/epoll/epoll_registrar.h"
#include "sentry/kernel/guest_fd.h"
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

// The item ids every guest epoll instance still holds: the "tfd:" lines of
// the fdinfo of each guest fd that is an epoll instance.
std::unordered_set<std::uint64_t> live_item_ids(const kernel::Kernel& k) {
  std::unordered_set<std::uint64_t> live;
  k.tree.for_each_group([&](const kernel::ThreadGroup& g) {
    const std::string proc = "/proc/" + std::to_string(g.tgid);
    DIR* d = opendir((proc + "/fd").c_str());
    if (d == nullptr) return;
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] == '.' || !kernel::epoll::is_epoll_fd_link(proc + "/fd/" + e->d_name)) continue;
      const std::string info = proc_synth::read_host_file(proc + "/fdinfo/" + e->d_name);
      for (const auto& item : kernel::epoll::parse_epoll_fdinfo(info)) live.insert(item.data);
    }
    closedir(d);
  });
  return live;
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
  if (!items.sweep_due()) return;
  const auto now = std::chrono::steady_clock::now().time_since_epoch();
  items.sweep(live_item_ids(k), std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
}

// The guest's data for each event in `events` (host item ids); an id the
// model does not know is left as it is. The trace note names the fd of each
// event, which neither the guest's data nor strace can tell: "fds=[7, 9]"
// ("?" for an unknown id).
void translate_events(const kernel::Kernel& k, Syscall& call, epoll_event* events, std::size_t n) {
  std::string fds;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t id = events[i].data.u64;
    if (i != 0) fds += ", ";
    if (const kernel::epoll::Item* item = k.epoll_items.find(id)) {
      events[i].data.u64 = item->data;
      fds += std::to_string(item->fd);
    } else {
      fds += '?';
      spdlog::debug("epoll: event with unknown item id {:#x}", id);
    }
  }
  call.set_trace_note("fds=[" + fds + "]");
}

// The most events sentry takes from a ready instance at the entry stop.
// Fewer than maxevents is what epoll_wait(2) may return; the rest stay queued.
constexpr int kMaxHarvest = 64;
constexpr long kEpMaxEvents = INT_MAX / static_cast<long>(sizeof(epoll_event));

struct WaitArgs {
  int epfd = -1;
  std::uint64_t events_at = 0;
  int maxevents = 0;
  bool zero_timeout = false;
};

// Linux's checks that come before the wait (do_epoll_wait, set_user_sigmask,
// poll_select_set_timeout). nullopt when one fails: the host then runs the
// call and answers its errno in its order.
std::optional<WaitArgs> checked_wait_args(const SyscallPtr& call) {
  WaitArgs w;
  w.epfd = static_cast<int>(call->arg(0));
  w.events_at = call->arg(1);
  w.maxevents = static_cast<int>(call->arg(2));
  if (w.maxevents <= 0 || w.maxevents > kEpMaxEvents) return std::nullopt;
  const bool pwait2 = call->nr() == SYS_epoll_pwait2;
  if (pwait2) {
    if (call->arg(3) == 0) {
      w.zero_timeout = false;  // NULL: wait forever
    } else {
      timespec ts{};
      if (!call->memory().read(call->arg(3), &ts, sizeof ts)) return std::nullopt;
      if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1'000'000'000) return std::nullopt;
      w.zero_timeout = ts.tv_sec == 0 && ts.tv_nsec == 0;
    }
  } else {
    w.zero_timeout = static_cast<int>(call->arg(3)) == 0;
  }
  if ((pwait2 || call->nr() == SYS_epoll_pwait) && call->arg(4) != 0) {
    std::uint64_t mask = 0;
    if (call->arg(5) != sizeof mask || !call->memory().read(call->arg(4), &mask, sizeof mask)) return std::nullopt;
  }
  return w;
}

// The call runs on the host, in the guest's thread (it blocks, times out,
// takes its signal mask and is interrupted exactly as on Linux); at its exit
// stop the events it returned get the guest's data.
void wait_on_host(kernel::Kernel& k, const SyscallPtr& call) {
  const std::uint64_t events_at = call->arg(1);
  std::weak_ptr<Syscall> weak = call;
  call->continue_rewritten(call->args(), [&k, weak, events_at](std::int64_t r) -> std::int64_t {
    SyscallPtr c = weak.lock();
    if (r <= 0 || !c) return r;
    std::vector<epoll_event> events(static_cast<std::size_t>(r));
    const std::size_t bytes = events.size() * sizeof(epoll_event);
    if (!c->memory().read(events_at, events.data(), bytes)) return r;  // the host just wrote them
    translate_events(k, *c, events.data(), events.size());
    c->memory().write(events_at, events.data(), bytes);
    return r;
  });
}

// epoll_wait(2), epoll_pwait(2), epoll_pwait2(2). At the entry stop sentry
// takes the events that are ready now from the host instance (what the
// guest's own call would take first) and answers with them: one stop instead
// of two. With none ready, a zero timeout answers 0 and any other wait runs
// on the host (wait_on_host).
void sys_epoll_wait_family(kernel::Kernel& k, const SyscallPtr& call) {
  const std::optional<WaitArgs> w = checked_wait_args(call);
  if (!w) return wait_on_host(k, call);
  kernel::GuestFdCopy ep(k.tree.tgid_of(call->tid()), w->epfd);
  if (!ep.valid()) return wait_on_host(k, call);  // EBADF there
  const int want = std::min(w->maxevents, kMaxHarvest);
  std::array<epoll_event, kMaxHarvest> events{};
  const std::size_t room = static_cast<std::size_t>(want) * sizeof(epoll_event);
  // Events taken from the host cannot be put back: first prove the buffer
  // writable by writing back what it holds (invisible to the guest). A bad
  // buffer goes to the host, which keeps undelivered events queued.
  if (!call->memory().read(w->events_at, events.data(), room) ||
      !call->memory().write(w->events_at, events.data(), room))
    return wait_on_host(k, call);
  const int n = epoll_wait(ep.get(), events.data(), want, 0);
  if (n < 0) return wait_on_host(k, call);  // not an epoll fd: EINVAL there
  if (n == 0) {
    if (w->zero_timeout) return (void)call->complete(0);
    return wait_on_host(k, call);
  }
  translate_events(k, *call, events.data(), static_cast<std::size_t>(n));
  if (!call->memory().write(w->events_at, events.data(), static_cast<std::size_t>(n) * sizeof(epoll_event)))
    spdlog::warn("epoll_wait: tid {} unmapped its event buffer during the call; {} events lost", call->tid(), n);
  call->complete(n);
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
