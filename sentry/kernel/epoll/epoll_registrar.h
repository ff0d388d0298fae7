// epoll_ctl(2) on a guest's epoll instance, made by sentry with the guest's
// own fd number.
//
// Linux keys an epoll registration by (open file description, fd number):
// the number is what EPOLL_CTL_MOD and DEL look up, what fdinfo's "tfd:"
// shows and what kcmp(KCMP_EPOLL_TFD) compares. sentry must register the
// guest's file under the guest's number, but its own descriptor table has
// its own files at some of the small numbers guests use too. Registrations
// on those numbers are made by one sentry thread that unshared its
// descriptor table (unshare(CLONE_FILES)) and emptied it: it takes copies of
// the guest's epoll fd and target fd (pidfd_getfd), puts the target at
// exactly the guest's number, calls epoll_ctl, and closes both. It keeps no reference, so the
// host drops the registration when the guest closes the file's last fd, as
// Linux does.
//
// Where the guest's number is free in sentry's own table too (most numbers
// above the few sentry uses), ctl() does the same in the calling thread,
// taking the number atomically (F_DUPFD); otherwise it hands the request to
// that thread and waits for its answer. Either way: a few non-blocking
// system calls.
#pragma once

#include <sys/epoll.h>
#include <sys/types.h>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

namespace sentry::kernel::epoll {

class EpollRegistrar {
 public:
  EpollRegistrar();
  ~EpollRegistrar();
  EpollRegistrar(const EpollRegistrar&) = delete;
  EpollRegistrar& operator=(const EpollRegistrar&) = delete;

  // epoll_ctl(epfd, op, fd, event) as guest process `tgid` would make it:
  // 0 or -errno. EBADF when `epfd` or `fd` is not open in `tgid` (checked in
  // that order, as Linux does); every later check is the host's, on the same
  // files. `event` is ignored for EPOLL_CTL_DEL.
  int ctl(pid_t tgid, int epfd, int op, int fd, const epoll_event& event);

 private:
  struct Request {
    pid_t tgid;
    int epfd, op, fd;
    epoll_event event;
  };
  enum class Table { kShared, kOwn };  // sentry's table, or the thread's own
  void run();
  // 0 or -errno; nullopt when the guest's number is taken in kShared.
  static std::optional<int> serve(const Request& r, Table table);

  std::mutex mu_;
  std::condition_variable cv_;
  bool has_request_ = false;
  bool has_answer_ = false;
  bool stop_ = false;
  Request request_{};
  int answer_ = 0;
  std::thread thread_;  // last: started once the members above exist
};

}  // namespace sentry::kernel::epoll
