#include "sentry/supervisor/model_views.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

#include <spdlog/spdlog.h>

#include "sentry/kernel/guest_fd.h"
#include "sentry/kernel/kernel.h"

namespace sentry {

bool ModelViews::check_fuse(std::string* error) {
  const int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    *error = std::string("sentry serves the guest's /proc and /sys files from FUSE, and /dev/fuse cannot be opened: ") +
             std::strerror(errno) +
             (errno == EACCES ? " (Debian's udev makes it mode 0666; without udev: chmod 0666 /dev/fuse)"
                              : " (load the fuse module, or give the container /dev/fuse)");
    return false;
  }
  close(fd);
  return true;
}

std::unique_ptr<ModelViews> ModelViews::start(boost::asio::io_context& io, const kernel::Kernel& k, int mntns,
                                              pid_t init, bool every_task, std::string* error) {
  std::unique_ptr<ModelViews> v(new ModelViews(io, k));
  v->every_task_ = every_task;
  v->baseline_ = proc_synth::kernel_baseline_here(k.config.cpus);
  v->mounter_ = vfs::ViewMounter::start(mntns, init, error);
  if (!v->mounter_) return nullptr;
  const int fuse_fd = v->mounter_->take_fuse();
  v->fs_ = proc_synth::ModelFs::create(v->source_, fuse_fd, error);
  if (!v->fs_) {
    close(fuse_fd);
    return nullptr;
  }
  v->fs_->set_sysfs(v->mounter_->take_sysfs());
  kernel::model_fs_dev() = v->mounter_->dev();
  v->fuse_watch_ = std::make_unique<boost::asio::posix::stream_descriptor>(io, dup(v->fs_->fd()));
  v->mounter_watch_ = std::make_unique<boost::asio::posix::stream_descriptor>(io, dup(v->mounter_->fd()));
  v->watch_fuse();
  v->watch_mounter();
  return v;
}

ModelViews::~ModelViews() {
  if (fuse_watch_) fuse_watch_->close();
  if (mounter_watch_) mounter_watch_->close();
}

void ModelViews::watch_fuse() {
  fuse_watch_->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                          [this](const boost::system::error_code& ec) {
                            if (ec) return;
                            if (fs_->process()) watch_fuse();
                          });
}

void ModelViews::watch_mounter() {
  mounter_watch_->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                             [this](const boost::system::error_code& ec) {
                               if (ec) return;
                               mounter_->on_readable();
                               watch_mounter();
                             });
}

void ModelViews::bind(const std::vector<vfs::ViewMounter::Bind>& binds, std::function<void()> done, int cpu) {
  if (binds.empty()) return done();
  mounter_->bind(binds, [this, done = std::move(done)](int err) {
    // ENOENT: the task is gone already (its /proc entries with it).
    if (err != 0 && err != ENOENT && !warned_) {
      warned_ = true;
      spdlog::warn("laying the model's /proc and /sys files into the guest's tree failed: {}", std::strerror(err));
    }
    done();
  }, cpu);
}

void ModelViews::lay_machine(std::function<void()> done) {
  // /sys read-only, as the guest's sysfs was: writes get EROFS from the kernel.
  std::vector<vfs::ViewMounter::Bind> binds = {{"/sys", "/sys", true}};
  const proc_synth::ProcOverlay o = proc_synth::machine_overlay(source_);
  for (const std::string& f : o.files) binds.push_back({f, f, false});
  for (const std::string& a : o.absent) binds.push_back({"/.absent", a, false});
  // Every name of these sources is looked up (a FUSE round trip to this
  // loop): the mounter makes them on this thread's CPU.
  bind(binds, [this, done = std::move(done)] {
    machine_laid_ = true;
    for (auto& f : std::exchange(after_machine_, {})) f();
    done();
  }, sched_getcpu());
}

void ModelViews::after_machine(std::function<void()> done) {
  if (machine_laid_) return done();
  after_machine_.push_back(std::move(done));
}

int ModelViews::take_slot(const std::string& dir) {
  int n = next_slot_;
  if (free_slots_.empty()) {
    ++next_slot_;
  } else {
    n = free_slots_.back();
    free_slots_.pop_back();
  }
  fs_->set_slot(n, dir);
  return n;
}

bool ModelViews::needs_files(pid_t host_tid) const {
  if (every_task_) return true;
  const kernel::Task* t = kernel_.tree.task(host_tid);
  return t != nullptr && !proc_synth::kernel_shows(baseline_, t->sched);
}

void ModelViews::lay_task(pid_t host_tid, std::function<void()> done) {
  std::vector<vfs::ViewMounter::Bind> binds;
  add_task_binds(host_tid, &binds);
  bind(binds, std::move(done));
}

void ModelViews::changed(const std::vector<pid_t>& host_tids, std::function<void()> then) {
  std::vector<vfs::ViewMounter::Bind> binds;
  for (pid_t tid : host_tids)
    if (!slots_of_.count(tid) && needs_files(tid)) add_task_binds(tid, &binds);
  bind(binds, std::move(then));
}

// Each file of the task's overlay lies in a directory that a slot stands for.
void ModelViews::add_task_binds(pid_t host_tid, std::vector<vfs::ViewMounter::Bind>* binds) {
  const pid_t tid = kernel_.tree.guest_tid(host_tid);
  const pid_t tgid = kernel_.tree.guest_tid(kernel_.tree.tgid_of(host_tid));
  if (tid == 0 || tgid == 0) return;
  std::map<std::string, int> slot_of_dir;
  for (const std::string& f : proc_synth::task_overlay(tgid, tid)) {
    const std::string dir = f.substr(0, f.rfind('/'));
    auto it = slot_of_dir.find(dir);
    if (it == slot_of_dir.end()) {
      it = slot_of_dir.emplace(dir, take_slot(dir)).first;
      slots_of_[host_tid].push_back(it->second);
    }
    binds->push_back({"/slot/" + std::to_string(it->second) + f.substr(f.rfind('/')), f, false});
  }
}

void ModelViews::task_gone(pid_t host_tid) {
  auto it = slots_of_.find(host_tid);
  if (it == slots_of_.end()) return;
  for (int n : it->second) {
    fs_->set_slot(n, "");
    free_slots_.push_back(n);
  }
  slots_of_.erase(it);
}

}  // namespace sentry
