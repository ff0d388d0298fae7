// The supervisor: one Boost.Asio io_context on one thread. It owns the kernel
// model, starts the guest, and turns every intercepted call into a handler
// call. Sources of work on the loop:
//   * the seccomp listener fd (served calls, unotify platform),
//   * a signalfd for SIGCHLD (ptrace stops and exits, handled by the Tracer),
//   * a signalfd for signals sent to sentry (forwarded to the guest's root),
//   * timers armed by handlers (timeouts).
// See docs/architecture.md for the path of one notification.
#pragma once

#include <sys/resource.h>

#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "sentry/kernel/kernel.h"
#include "sentry/sandbox/program.h"
#include "sentry/sandbox/sandbox.h"
#include "sentry/platform/fd_routes.h"
#include "sentry/platform/seccomp_policy.h"
#include "sentry/platform/tracer.h"
#include "sentry/platform/unotify_listener.h"
#include "sentry/report/coverage_recorder.h"
#include "sentry/sandbox/cgroup_limits.h"
#include "sentry/sandbox/id_map.h"
#include "sentry/supervisor/model_views.h"
#include "sentry/trace/call_observer.h"

namespace sentry {

struct RunOptions {
  platform::PlatformKind platform = platform::PlatformKind::kUnotify;
  kernel::MachineConfig machine;
  bool observe_forwarded = false;
  std::FILE* trace_out = nullptr;             // not owned
  report::CoverageRecorder* report = nullptr;  // not owned
  // When the root exits, kill the rest of the tree (PID-namespace init
  // semantics). Default: wait for every guest, as strace -f does.
  bool exit_with_root = false;
  // The guest's filesystem view; unset: the default table (the host's tree,
  // writable in the working directory and /tmp).
  std::optional<vfs::MountTable> mounts;
  // The host ids the guest's user namespace maps its ids to (--host-ids).
  sandbox::IdMap ids;
  // --network isolated: a network of the guest's own (loopback only).
  bool isolated_network = false;
  // --pids-limit, --memory-limit: hard limits on the whole tree.
  sandbox::TreeLimits tree_limits;
  // The guest directory the program starts in (unset: sentry's working
  // directory as the guest sees it, else "/").
  std::optional<std::string> cwd;
  std::string hostname;               // the guest's UTS name ("": the host's)
  int console_fd = -1;  // an OCI engine's console socket, connected (sandbox.h)
  struct Rlimit {
    int resource;
    rlim_t soft, hard;
  };
  std::vector<Rlimit> rlimits;  // set on the program before it starts
  // Called when the program is seized and ready, before it is let go (the
  // OCI `created` state); false with *error: the run is abandoned.
  std::function<bool(pid_t root, std::string* error)> before_start;
  // Called on the loop's thread just before the loop runs (the OCI
  // monitor's control socket is served from there).
  std::function<void(class Supervisor&)> on_running;
  // Called once the loop has ended: what on_running put on the loop must go
  // before the loop does.
  std::function<void()> on_stopped;
  // More programs may be started in the running sandbox (exec_program).
  bool spawner = false;
};

struct RunResult {
  int exit_code = 0;          // what sentry exits with (128+N for signal N)
  std::optional<int> code;    // the root's exit code, if it exited
  std::optional<int> signal;  // the signal that killed the root, if any
};

class Supervisor : private platform::Tracer::Hooks {
 public:
  explicit Supervisor(RunOptions opts);
  ~Supervisor() override;

  // Runs PROGRAM ARGS... to the end of its process tree. Returns nullopt with
  // *error set if it could not be started.
  std::optional<RunResult> run(const std::vector<std::string>& command, std::string* error);

  // For RunOptions::on_running: the loop, and what a runtime asks of the tree.
  boost::asio::io_context& io() { return io_; }
  // Sends `sig` to the root (once it is gone, or with `all`: to every guest
  // process); SIGKILL ends the whole tree.
  void signal_guests(int sig, bool all);
  // The host pids of the tree's live processes, the root first.
  std::vector<pid_t> guest_pids() const;
  // Starts another program in the running sandbox (RunOptions::spawner; an
  // OCI exec), supervised like the others; `done` gets its wait status when
  // it exits. Its host pid, or nullopt with *error set.
  std::optional<pid_t> exec_program(const sandbox::ProgramRequest& req, std::function<void(int status)> done,
                                    std::string* error);

 private:
  void on_served_call(SyscallPtr call) override;
  void on_launch_exec(pid_t pid) override;
  void on_root_exit(int wait_status) override;
  void on_signal_stop(pid_t tid, int sig) override;
  void on_new_task(pid_t parent, pid_t child) override;
  void on_group_exit(pid_t tgid, int wait_status) override;
  std::optional<platform::SentAnswers::Answer> take_sent_answer(pid_t tid);
  void adopt_program(pid_t pid, const std::string& image, bool primary, kernel::Credentials creds);
  bool put_back_dropped_answer(pid_t tid, const platform::SentAnswers::Answer& sent);
  static bool stopped_in(pid_t tid, const platform::SentAnswers::Answer& call, user_regs_struct* out = nullptr);
  bool resume_ignored_wait(pid_t tid, int sig, user_regs_struct& regs);
  bool restart_unserved_call(user_regs_struct& regs);

  void dispatch(SyscallPtr call);
  void watch_signals();
  void forward_signal(int sig);
  void finish_if_done();

  RunOptions opts_;
  boost::asio::io_context io_;
  kernel::Kernel kernel_;
  trace::CallObserver observer_;
  platform::Tracer tracer_;
  std::unique_ptr<platform::UnotifyListener> listener_;
  // The listeners of programs started later (each loaded a filter of its own).
  std::vector<std::unique_ptr<platform::UnotifyListener>> exec_listeners_;
  std::unordered_map<pid_t, std::function<void(int)>> exec_done_;
  int spawner_ = -1;
  std::unique_ptr<platform::FdRoutes> routes_;  // the unotify platform's
  std::unique_ptr<ModelViews> views_;            // the model's /proc and /sys files
  std::unique_ptr<boost::asio::posix::stream_descriptor> signals_;
  pid_t root_ = -1;
  pid_t sandbox_init_ = -1;  // pid 1 of the guest's PID namespace (sentry's child)
  int exec_error_fd_ = -1;
  std::optional<int> root_status_;
  platform::PolicyOptions policy_;  // the guest's filter's
};

}  // namespace sentry
