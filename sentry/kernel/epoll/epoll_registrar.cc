#include "sentry/kernel/epoll/epoll_registrar.h"

#include "sentry/kernel/guest_fd.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <optional>

namespace sentry::kernel::epoll {

namespace {

// close_range(2) over the whole table.
void close_all() { syscall(SYS_close_range, 0U, ~0U, 0U); }

// Lets this process hold fd number `fd` (sentry's soft RLIMIT_NOFILE may be
// below the guest's, which a guest can raise up to the hard limit they
// share). Raised only when needed, after the guest was started, so no guest
// inherits the raise.
bool allow_fd(int fd) {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) return false;
  if (static_cast<rlim_t>(fd) < r.rlim_cur) return true;
  if (r.rlim_max != RLIM_INFINITY && static_cast<rlim_t>(fd) >= r.rlim_max) return false;
  r.rlim_cur = r.rlim_max;
  return setrlimit(RLIMIT_NOFILE, &r) == 0;
}

}  // namespace

EpollRegistrar::EpollRegistrar() : thread_([this] { run(); }) {}

EpollRegistrar::~EpollRegistrar() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

int EpollRegistrar::ctl(pid_t tgid, int epfd, int op, int fd, const epoll_event& event) {
  const Request request{tgid, epfd, op, fd, event};
  // Most guest numbers above the few sentry itself uses are free in sentry's
  // table too: then the caller's thread does it, with no hand-off.
  if (std::optional<int> here = serve(request, Table::kShared)) return *here;
  std::unique_lock<std::mutex> lock(mu_);
  request_ = request;
  has_request_ = true;
  has_answer_ = false;
  cv_.notify_all();
  cv_.wait(lock, [this] { return has_answer_; });
  return answer_;
}

void EpollRegistrar::run() {
  // A table of its own, empty: every number is free for the guest's.
  const bool own_table = unshare(CLONE_FILES) == 0;
  if (own_table) close_all();
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    cv_.wait(lock, [this] { return has_request_ || stop_; });
    if (stop_) return;
    has_request_ = false;
    answer_ = own_table ? serve(request_, Table::kOwn).value_or(-ENOMEM) : -ENOMEM;
    has_answer_ = true;
    cv_.notify_all();
  }
}

std::optional<int> EpollRegistrar::serve(const Request& r, Table table) {
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, r.tgid, 0));
  if (pidfd < 0) return errno == ESRCH ? -ESRCH : -errno;
  int ep = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, r.epfd, 0));
  if (ep < 0) {
    const int err = errno;
    close(pidfd);
    return -err;
  }
  int target = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, r.fd, 0));
  const int target_err = errno;
  close(pidfd);
  if (target < 0) {
    close(ep);
    return -target_err;
  }
  std::optional<int> result;
  if (!allow_fd(r.fd)) {
    result = -ENOMEM;
  } else if (r.op != EPOLL_CTL_DEL && on_model_fs(target)) {
    // The model's files: EPERM, as Linux answers for a process's /proc files
    // (its machine-wide ones can be watched: docs/vfs.md). Registering would
    // have sentry wait for its own server.
    result = -EPERM;
  } else if (table == Table::kShared) {
    // Other sentry threads allocate in this table: take the number only if
    // it is free, atomically (F_DUPFD gives the lowest free one >= r.fd).
    const int placed = target == r.fd ? r.fd : fcntl(target, F_DUPFD_CLOEXEC, r.fd);
    if (placed < 0) {
      result = -errno;
    } else if (placed != r.fd) {  // taken by sentry: leave it to the registrar's table
      close(placed);
      close(target);
      close(ep);
      return std::nullopt;
    } else if (target != r.fd) {
      close(target);
      target = r.fd;
    }
  } else {
    // The table holds only `ep` and `target`, at small numbers. Move `ep`
    // off the guest's number, then put `target` on it.
    if (ep == r.fd) {
      const int moved = fcntl(ep, F_DUPFD_CLOEXEC, r.fd + 1);
      if (moved < 0) result = -errno;
      close(ep);
      ep = moved;
    }
    if (!result && target != r.fd) {
      if (dup3(target, r.fd, O_CLOEXEC) < 0) result = -errno;
      close(target);
      target = result ? -1 : r.fd;
    }
  }
  if (!result) {
    epoll_event ev = r.event;
    result = epoll_ctl(ep, r.op, r.fd, &ev) == 0 ? 0 : -errno;
  }
  if (target >= 0) close(target);
  if (ep >= 0) close(ep);
  return result;
}

}  // namespace sentry::kernel::epoll
