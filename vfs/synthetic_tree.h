// Where synthesized /proc and /sys files live so the guest can hold them as
// real fds: the content goes into a sealed memfd, reopened read-only, which
// seccomp installs in the guest. The fallback platform cannot install fds: it
// has the guest's own thread open a copy in a drop directory that sentry
// alone can write (a tmpfs at /dev/.sentry in the guest's tree, reached by
// sentry through the sandbox init's /proc/<pid>/root), removed at once.
// Nothing here is a host directory a guest fd could lead out of.
#pragma once

#include <string>

namespace sentry::vfs {

class SyntheticTree {
 public:
  // The drop directory: its host path (through /proc/<init>/root) and the
  // guest path of the same directory.
  static constexpr const char* kGuestDropDir = "/dev/.sentry";
  void set_drop_dir(std::string host_dir) { drop_host_ = std::move(host_dir); }

  // A read-only fd holding `content`; -errno on failure.
  int file_fd(const std::string& guest_path, const std::string& content);
  // A fresh read-only file holding `content` in the drop directory: its
  // guest path, and its host path in *host (the caller unlinks it once the
  // guest opened it). Empty on failure.
  std::string file_path(const std::string& content, std::string* host);

 private:
  std::string drop_host_;
  unsigned long next_file_ = 0;
};

}  // namespace sentry::vfs
