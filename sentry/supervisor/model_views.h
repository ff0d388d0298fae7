// The model's /proc and /sys files in the guest's tree: sentry's FUSE server
// (proc_synth/model_fs.h) on its loop, and the mounter that binds its files
// over the guest's procfs and /sys (vfs/view_mounter.h). The machine-wide
// files are laid before the program's first instruction. A task's own files
// are laid only where the kernel's would not show the model's state
// (proc_synth/kernel_agreement.h): before the task or its parent runs on
// (the tracer holds both) for a task created that way, before the answer of
// the call that made it so otherwise (kernel::TaskFiles). So no guest thread
// ever reads the kernel's file where it differs from the model's.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "proc_synth/kernel_agreement.h"
#include "proc_synth/kernel_view.h"
#include "proc_synth/model_fs.h"
#include "sentry/kernel/task_files.h"
#include "vfs/view_mounter.h"

namespace sentry {

class ModelViews : public kernel::TaskFiles {
 public:
  // Whether sentry may use /dev/fuse (checked before the sandbox exists:
  // the likeliest failure); false with *error naming what is missing.
  static bool check_fuse(std::string* error);
  // Starts the mounter in mount namespace `mntns` and serves the model of
  // `k` on its FUSE device. `every_task`: lay every task's files (the
  // ptrace platform, whose threads the kernel shows in tracing stops).
  // nullptr with *error set.
  static std::unique_ptr<ModelViews> start(boost::asio::io_context& io, const kernel::Kernel& k, int mntns,
                                           pid_t init, bool every_task, std::string* error);
  ~ModelViews() override;

  void set_open_observer(proc_synth::ModelFs::OpenObserver o) { fs_->set_open_observer(std::move(o)); }
  // /sys and the machine-wide /proc files; then `done`.
  void lay_machine(std::function<void()> done);
  // Runs `done` once the machine-wide files lie in the guest's tree (at
  // once if they do).
  void after_machine(std::function<void()> done);
  // Whether guest task `host_tid` (new: not yet bound) needs the model's files.
  bool needs_files(pid_t host_tid) const;
  // The files of guest task `host_tid`; then `done`.
  void lay_task(pid_t host_tid, std::function<void()> done);
  // kernel::TaskFiles
  void changed(const std::vector<pid_t>& host_tids, std::function<void()> then) override;
  // Task `host_tid` was reaped: its binds are gone, its slots free.
  void task_gone(pid_t host_tid);

 private:
  ModelViews(boost::asio::io_context& io, const kernel::Kernel& k) : io_(io), kernel_(k), source_(k) {}
  void bind(const std::vector<vfs::ViewMounter::Bind>& binds, std::function<void()> done, int cpu = -1);
  void add_task_binds(pid_t host_tid, std::vector<vfs::ViewMounter::Bind>* binds);
  void watch_fuse();
  void watch_mounter();

  boost::asio::io_context& io_;
  const kernel::Kernel& kernel_;
  proc_synth::KernelModelSource source_;
  std::unique_ptr<proc_synth::ModelFs> fs_;
  std::unique_ptr<vfs::ViewMounter> mounter_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> fuse_watch_;
  std::unique_ptr<boost::asio::posix::stream_descriptor> mounter_watch_;
  bool warned_ = false;
  bool every_task_ = false;
  bool machine_laid_ = false;
  std::vector<std::function<void()>> after_machine_;
  proc_synth::KernelBaseline baseline_;
  // model_fs's slots: free ones, and those each task holds.
  std::vector<int> free_slots_;
  int next_slot_ = 0;
  std::unordered_map<pid_t, std::vector<int>> slots_of_;
  int take_slot(const std::string& dir);
};

}  // namespace sentry
