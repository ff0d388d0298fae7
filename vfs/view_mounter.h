// The process that lays the model's files (proc_synth/model_fs.h) into the
// guest's tree, as LXCFS binds its FUSE files over /proc.
//
//   sentry ── requests ──> mounter (host ids and powers, in the guest's mount
//                          namespace, in sentry's PID namespace: invisible
//                          to the guest)
//
// A forked child of sentry, started before sentry hardens itself (sentry's
// own filter refuses the mount family): it enters the guest's mount
// namespace (and the user namespace owning it, for a rootless sentry),
// opens /dev/fuse there, mounts a FUSE filesystem on it, detached, and sends
// sentry the device to serve and a detached clone of the guest's real /sys. Then it binds, on
// request, files or directories of that FUSE mount over guest paths. The
// kernel cannot attach a mount to another namespace than the caller's, which
// is why this is a process of its own.
//
// Targets are resolved beneath the guest's root with no symlinks followed:
// a name the guest could make a link cannot send a bind elsewhere. Binds on
// /proc/<pid>/... vanish with the process (the kernel detaches mounts on a
// dead task's /proc entries).
//
// It ends with the sandbox's init, so that sentry, which waits for all its
// children, finishes with the guest. Requests are answered in order; the mounter's open_tree walks the FUSE
// mount, which sentry's loop serves, so sentry never waits for a reply.
#pragma once

#include <sys/types.h>

#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace sentry::vfs {

class ViewMounter {
 public:
  struct Bind {
    std::string from;  // a path in the FUSE filesystem
    std::string to;    // the guest path it lies over
    bool read_only = false;
  };
  using Done = std::function<void(int err)>;

  // `mntns`: an fd of the guest's mount namespace; `init`: the sandbox's
  // init, whose end (the tree is gone) ends the mounter too. nullptr with
  // *error set when the mounter cannot start.
  static std::unique_ptr<ViewMounter> start(int mntns, pid_t init, std::string* error);
  ~ViewMounter();

  // The detached clone of the guest's /sys (once; -1 afterwards).
  int take_sysfs();
  // The /dev/fuse fd the filesystem is mounted on (once; -1 afterwards).
  int take_fuse();
  // The device of the FUSE filesystem (st_dev of its files).
  dev_t dev() const { return dev_; }
  // The request socket: readable when a reply is due (call on_readable()).
  int fd() const { return sock_; }

  // Binds each pair; `done` gets 0, or the errno of the first pair that
  // failed (every pair is tried). `cpu` >= 0: the mounter runs on that CPU
  // while it binds (sentry's, when the sources' names are not cached yet:
  // each FUSE lookup is then a switch between two tasks of one CPU instead
  // of a wakeup across CPUs, ~50 us on a VM whose other vCPU sleeps).
  void bind(const std::vector<Bind>& binds, Done done, int cpu = -1);
  void on_readable();
  bool idle() const { return pending_.empty(); }

 private:
  ViewMounter() = default;
  pid_t pid_ = -1;
  int sock_ = -1;
  int sysfs_ = -1;
  int fuse_ = -1;
  dev_t dev_ = 0;
  std::deque<Done> pending_;
};

}  // namespace sentry::vfs
