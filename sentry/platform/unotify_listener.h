// The seccomp user-notification listener: receives the calls the filter sends
// to sentry (SECCOMP_RET_USER_NOTIF) and turns each into a Syscall.
//
// CAUTION: SECCOMP_IOCTL_NOTIF_RECV cannot be non-blocking. It is only called
// after the fd polled readable; if the notifying thread died in between, the
// kernel returns ENOENT instead of blocking (the notification's semaphore count
// is kept), so the loop never stalls.
#pragma once

#include <linux/seccomp.h>

#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "sentry/memory/process_memory.h"
#include "sentry/platform/sent_answers.h"
#include "sentry/supervisor/syscall.h"

namespace sentry::platform {

class UnotifyListener {
 public:
  using Dispatch = std::function<void(SyscallPtr)>;
  // Takes ownership of `listener_fd`.
  UnotifyListener(boost::asio::io_context& io, int listener_fd, Dispatch dispatch);
  void start();
  void stop();
  int fd() const { return fd_; }
  // Answers a signal may still make the guest drop (sent_answers.h).
  SentAnswers& sent_answers() { return *answers_; }

 private:
  void arm();
  void receive_ready();

  int fd_;
  boost::asio::posix::stream_descriptor stream_;
  Dispatch dispatch_;
  seccomp_notif_sizes sizes_{};
  std::shared_ptr<SentAnswers> answers_ = std::make_shared<SentAnswers>();
};

// A call waiting in a seccomp notification.
class UnotifySyscall final : public Syscall {
 public:
  UnotifySyscall(int listener_fd, const seccomp_notif& n, const abi::SyscallEntry* entry,
                 std::shared_ptr<SentAnswers> answers);

  GuestMemory& memory() override { return memory_; }
  ReplyStatus complete_with_fd(int host_fd, bool cloexec, int target_fd = -1) override;
  int install_fd(int host_fd, bool cloexec, int target_fd = -1) override;
  bool still_waiting() override;

 private:
  ReplyStatus send_value(std::int64_t value) override;
  ReplyStatus send_continue() override;
  ReplyStatus send(std::int64_t val, std::int32_t error, std::uint32_t flags);

  int listener_fd_;
  std::uint64_t id_;
  ProcessMemory memory_;
  std::shared_ptr<SentAnswers> answers_;
};

}  // namespace sentry::platform
