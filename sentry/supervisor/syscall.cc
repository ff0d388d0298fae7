#include "sentry/supervisor/syscall.h"

#include <spdlog/spdlog.h>

namespace sentry {

ReplyStatus Syscall::complete(std::int64_t value) {
  if (answered_) {
    spdlog::error("tid {}: syscall {} answered twice (second answer {} dropped)", tid_, nr_, value);
    return ReplyStatus::kGone;
  }
  if (take_over_answer()) {
    answered_ = true;
    return ReplyStatus::kDelivered;
  }
  finish(value, false);
  return send_value(value);
}

ReplyStatus Syscall::continue_on_host() {
  if (answered_) {
    spdlog::error("tid {}: syscall {} answered twice (continue dropped)", tid_, nr_);
    return ReplyStatus::kGone;
  }
  if (take_over_answer()) {
    answered_ = true;
    return ReplyStatus::kDelivered;
  }
  return send_continue();
}

ReplyStatus Syscall::continue_rewritten(const SyscallArgs&, ExitFixup) {
  spdlog::error("tid {}: syscall {} cannot be rewritten by this mechanism; answering ENOSYS", tid_, nr_);
  return complete(-38 /*ENOSYS*/);
}

ReplyStatus Syscall::continue_as(long nr, const SyscallArgs&, ExitFixup) {
  spdlog::error("tid {}: syscall {} cannot become {} by this mechanism; answering ENOSYS", tid_, nr_, nr);
  return complete(-38 /*ENOSYS*/);
}

void Syscall::finish(std::int64_t value, bool continued) {
  answered_ = true;
  if (on_answer_) on_answer_(*this, value, continued);
}

}  // namespace sentry
