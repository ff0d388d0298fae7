// Where the guest reads a task's /proc/<pid>/{status,stat}: the kernel's own
// files while they show what the model holds, the model's files laid over
// them once they may not (sentry/supervisor/model_views.h). A handler that
// changes such state (a modelled policy, a nice value) answers only once
// the files show it, so no guest thread reads the kernel's stale view after
// its call returned.
#pragma once

#include <sys/types.h>

#include <functional>
#include <vector>

namespace sentry::kernel {

class TaskFiles {
 public:
  virtual ~TaskFiles() = default;
  // The model's state of tasks `host_tids` changed: lay the model's files
  // of those the kernel no longer shows right, then run `then`.
  virtual void changed(const std::vector<pid_t>& host_tids, std::function<void()> then) = 0;
};

}  // namespace sentry::kernel
