// The model's request to the platform to route a guest fd's data calls to
// sentry (platform/fd_routes.h): the seccomp filter forwards the socket data
// path (sendto, recvfrom, sendmsg, recvmsg), and the few fds whose calls
// need translating are stopped by a filter layer of their own process.
#pragma once

#include "sentry/supervisor/syscall.h"

namespace sentry::kernel {

class FdRouter {
 public:
  virtual ~FdRouter() = default;
  // `call`, waiting in a notification, has installed `guest_fd`, whose data
  // calls must stop for translation. Makes the calling process route that
  // number to sentry, then answers the call with `guest_fd`; the guest sees
  // the number only once the route is in place.
  virtual void answer_routed(const SyscallPtr& call, int guest_fd) = 0;
  // `call`, waiting in a notification, makes an fd that must be routed but
  // only the guest's own fd table can make (fcntl F_DUPFD above 0): runs the
  // call in the guest's thread, routes the fd it returns, and answers with
  // it (or with the call's error).
  virtual void run_and_route(const SyscallPtr& call) = 0;
};

}  // namespace sentry::kernel
