#include "sentry/platform/unotify_listener.h"

#include "sentry/kernel/blocked_calls.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <spdlog/spdlog.h>

#include "abi/syscall_table.h"

namespace sentry::platform {

namespace {
SyscallArgs args_of(const seccomp_notif& n) {
  SyscallArgs a;
  for (int i = 0; i < 6; ++i) a[i] = n.data.args[i];
  return a;
}
constexpr int kX32Bit = 0x40000000;
// <linux/seccomp.h> of Linux 6.6 (glibc 2.36's headers predate it).
constexpr std::uint64_t kSyncWakeUp = 1;  // SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
constexpr unsigned long kNotifSetFlags = _IOW('!', 4, std::uint64_t);  // SECCOMP_IOCTL_NOTIF_SET_FLAGS
}  // namespace

UnotifyListener::UnotifyListener(boost::asio::io_context& io, int listener_fd, Dispatch dispatch)
    : fd_(listener_fd), stream_(io, listener_fd), dispatch_(std::move(dispatch)) {
  syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes_);
  // Linux 6.6+: the guest and sentry hand the CPU to each other on a
  // notification and its answer instead of waking across CPUs (the
  // round trip of an emulated call; docs/performance.md). Older kernels
  // refuse the flag, which only costs speed.
  (void)ioctl(listener_fd, kNotifSetFlags, kSyncWakeUp);  // the flags are the argument itself
}

void UnotifyListener::start() { arm(); }

void UnotifyListener::stop() {
  boost::system::error_code ec;
  stream_.cancel(ec);
  stream_.close(ec);
}

void UnotifyListener::arm() {
  stream_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                     [this](const boost::system::error_code& ec) {
                       if (ec) return;  // cancelled at shutdown
                       receive_ready();
                       arm();
                     });
}

void UnotifyListener::receive_ready() {
  // Take every notification already queued before going back to the loop.
  std::size_t size = std::max<std::size_t>(sizes_.seccomp_notif, sizeof(seccomp_notif));
  thread_local std::vector<unsigned char> buf;
  buf.resize(size);
  for (int budget = 64; budget > 0; --budget) {
    // The loop just reported the fd readable: receive at once. After that,
    // poll first (RECV would block when nothing is queued).
    if (budget != 64) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 0) <= 0 || !(p.revents & POLLIN)) return;
    }
    std::memset(buf.data(), 0, buf.size());  // NOTIF_RECV requires a zeroed buffer
    auto* n = reinterpret_cast<seccomp_notif*>(buf.data());
    if (ioctl(fd_, SECCOMP_IOCTL_NOTIF_RECV, n) != 0) {
      if (errno == ENOENT || errno == EINTR) continue;  // the caller went away
      spdlog::error("SECCOMP_IOCTL_NOTIF_RECV: {}", std::strerror(errno));
      return;
    }
    bool native = n->data.arch == AUDIT_ARCH_X86_64 && (n->data.nr & kX32Bit) == 0;
    const abi::SyscallEntry* entry = native ? abi::syscall_by_nr(n->data.nr) : nullptr;
    auto call = std::make_shared<UnotifySyscall>(fd_, *n, entry, answers_);
    // A new call (the last answer was taken), or the same one restarted
    // after sentry acted on it and could not answer (sent_answers.h).
    if (std::optional<SentAnswers::Answer> a =
            answers_->replay(call->tid(), call->nr(), call->args(), call->instruction_pointer())) {
      call->complete(a->value);
      continue;
    }
    dispatch_(std::move(call));
  }
}

UnotifySyscall::UnotifySyscall(int listener_fd, const seccomp_notif& n, const abi::SyscallEntry* entry,
                               std::shared_ptr<SentAnswers> answers)
    : Syscall(static_cast<pid_t>(n.pid),
              (n.data.arch == AUDIT_ARCH_X86_64 && (n.data.nr & kX32Bit) == 0) ? n.data.nr : -1,
              n.data.arch, args_of(n), n.data.instruction_pointer, entry),
      listener_fd_(listener_fd),
      id_(n.id),
      memory_(static_cast<pid_t>(n.pid)),
      answers_(std::move(answers)) {}

ReplyStatus UnotifySyscall::send(std::int64_t val, std::int32_t error, std::uint32_t flags) {
  seccomp_notif_resp resp{};
  resp.id = id_;
  resp.val = val;
  resp.error = error;
  resp.flags = flags;
  if (ioctl(listener_fd_, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0) return ReplyStatus::kDelivered;
  if (errno != ENOENT) spdlog::error("tid {}: NOTIF_SEND: {}", tid(), std::strerror(errno));
  return ReplyStatus::kGone;
}

ReplyStatus UnotifySyscall::send_value(std::int64_t value) {
  ReplyStatus s = (value < 0 && value >= -4095) ? send(0, static_cast<std::int32_t>(value), 0) : send(value, 0, 0);
  // Delivered, the answer can still be dropped by a signal; undelivered
  // because a signal came first, it still stands unless the call was parked
  // (Syscall::set_parked): served calls act before they answer.
  if ((s == ReplyStatus::kDelivered || !parked()) && nr() >= 0)
    answers_->record(tid(), {nr(), args(), value, false, s != ReplyStatus::kDelivered, instruction_pointer()});
  return s;
}

ReplyStatus UnotifySyscall::send_continue() {
  finish(0, true);  // the host's result is never seen on this path
  const ReplyStatus s = send(0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
  // Only a call that can block on the host needs the host's own answer to a
  // signal (kernel/blocked_calls.h); any other one ended by a signal never ran.
  if (s == ReplyStatus::kDelivered && nr() >= 0 && kernel::may_block_on_host(nr(), args().data()))
    answers_->record(tid(), {nr(), args(), 0, true, false, instruction_pointer()});
  return s;
}

// The fd is installed first and the answer sent after sentry's copy is
// closed (not with SECCOMP_ADDFD_FLAG_SEND, which resumes the guest while
// sentry and the ioctl still hold references: a socket the guest then closes
// would outlive its last guest fd for a moment). The answer is remembered
// from the install on: if a signal interrupts the guest before the answer
// reaches it, the supervisor still returns the installed fd at the
// signal-delivery stop (sent_answers.h), so no fd is left behind unnamed.
ReplyStatus UnotifySyscall::complete_with_fd(int host_fd, bool cloexec, int target_fd) {
  if (answered()) {
    close(host_fd);
    return ReplyStatus::kGone;
  }
  const int guest_fd = install_fd(host_fd, cloexec, target_fd);
  if (guest_fd == -ENOENT) {
    finish(-EINTR, false);
    return ReplyStatus::kGone;
  }
  // EMFILE and friends: the guest gets the errno the install failed with.
  if (guest_fd < 0) return complete(guest_fd);
  // From here the fd is the guest's: if a signal beats the answer, the
  // answer is put in place at the signal-delivery stop (sent_answers.h).
  complete(guest_fd);
  return ReplyStatus::kDelivered;
}

int UnotifySyscall::install_fd(int host_fd, bool cloexec, int target_fd) {
  seccomp_notif_addfd add{};
  add.id = id_;
  if (target_fd >= 0) {
    add.flags = SECCOMP_ADDFD_FLAG_SETFD;
    add.newfd = static_cast<std::uint32_t>(target_fd);
  }
  add.srcfd = static_cast<std::uint32_t>(host_fd);
  add.newfd_flags = cloexec ? O_CLOEXEC : 0;
  const int guest_fd = ioctl(listener_fd_, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
  const int err = errno;
  close(host_fd);
  if (guest_fd >= 0) return guest_fd;
  // ENOENT: the notification is gone; ESRCH: the thread left it (a signal)
  // while the install was queued. Either way nothing was installed.
  return err == ESRCH ? -ENOENT : -err;
}

bool UnotifySyscall::still_waiting() {
  std::uint64_t id = id_;
  return !answered() && ioctl(listener_fd_, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

}  // namespace sentry::platform
