// The model's /proc and /sys files in the guest's tree: sentry's FUSE server
// (proc_synth/model_fs.h) on its loop, and the mounter that binds its files
// over the guest's procfs and /sys (vfs/view_mounter.h). The machine-wide
// files are laid before the program's first instruction, a task's own
// files before it or its parent runs on (the tracer holds both), so no
// guest thread ever reads the kernel's file where the model has one.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>

#include "proc_synth/kernel_view.h"
#include "proc_synth/model_fs.h"
#include "vfs/view_mounter.h"

namespace sentry {

class ModelViews {
 public:
  // Whether sentry may use /dev/fuse (checked before the sandbox exists:
  // the likeliest failure); false with *error naming what is missing.
  static bool check_fuse(std::string* error);
  // Starts the mounter in mount namespace `mntns` and serves the model of
  // `k` on its FUSE device. nullptr with *error set.
  static std::unique_ptr<ModelViews> start(boost::asio::io_context& io, const kernel::Kernel& k, int mntns,
                                           pid_t init, std::string* error);
  ~ModelViews();

  void set_open_observer(proc_synth::ModelFs::OpenObserver o) { fs_->set_open_observer(std::move(o)); }
  // /sys and the machine-wide /proc files; then `done`.
  void lay_machine(std::function<void()> done);
  // The files of guest task `host_tid`; then `done`.
  void lay_task(pid_t host_tid, std::function<void()> done);
  // Task `host_tid` was reaped: its binds are gone, its slots free.
  void task_gone(pid_t host_tid);

 private:
  ModelViews(boost::asio::io_context& io, const kernel::Kernel& k) : io_(io), kernel_(k), source_(k) {}
  void bind(const std::vector<vfs::ViewMounter::Bind>& binds, std::function<void()> done);
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
  // model_fs's slots: free ones, and those each task holds.
  std::vector<int> free_slots_;
  int next_slot_ = 0;
  std::unordered_map<pid_t, std::vector<int>> slots_of_;
  int take_slot(const std::string& dir);
};

}  // namespace sentry
