// Where synthesized /proc and /sys files live so the guest can hold them as
// real fds: the content goes into a sealed memfd, reopened read-only, which
// seccomp installs in the guest. The fallback platform cannot install fds: it
// has the guest's own thread open a copy in a drop directory that sentry
// alone can write (a tmpfs at /dev/.sentry in the guest's tree, which sentry
// holds open from the launch on), removed at once. Nothing here is a host
// directory a guest fd could lead out of.
#pragma once

#include <string>

namespace sentry::vfs {

class SyntheticTree {
 public:
  // The drop directory: an fd of it (sentry's, opened through a guest's
  // /proc/<pid>/root at launch) and the guest path of the same directory.
  static constexpr const char* kGuestDropDir = "/dev/.sentry";
  SyntheticTree() = default;
  ~SyntheticTree();
  SyntheticTree(const SyntheticTree&) = delete;
  SyntheticTree& operator=(const SyntheticTree&) = delete;
  void set_drop_dir(int dir_fd) { drop_fd_ = dir_fd; }

  // A read-only fd holding `content`; -errno on failure.
  int file_fd(const std::string& guest_path, const std::string& content);
  // A fresh read-only file holding `content` in the drop directory: its
  // guest path, and its name in *name (the caller removes it with
  // remove_dropped once the guest opened it). Empty on failure.
  std::string file_path(const std::string& content, std::string* name);
  void remove_dropped(const std::string& name);

 private:
  int drop_fd_ = -1;
  unsigned long next_file_ = 0;
};

}  // namespace sentry::vfs
