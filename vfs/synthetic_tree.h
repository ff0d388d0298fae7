// Where synthesized files live on the host so the guest can hold them as real
// fds: a file's content goes into a sealed memfd, reopened read-only; a
// directory is materialised (its entries as empty files and directories) under
// a private temp dir sentry owns, so getdents, fstat, fchdir and openat
// relative to it behave as on any directory. Opens relative to a materialised
// directory are mapped back to the guest path they stand for.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "proc_synth/registry.h"

namespace sentry::vfs {

class SyntheticTree {
 public:
  SyntheticTree() = default;
  ~SyntheticTree();
  SyntheticTree(const SyntheticTree&) = delete;
  SyntheticTree& operator=(const SyntheticTree&) = delete;

  // A read-only fd holding `content`; -errno on failure.
  int file_fd(const std::string& guest_path, const std::string& content);
  // An O_DIRECTORY fd on a materialised `guest_path` listing `entries`.
  int dir_fd(const std::string& guest_path, const std::vector<proc_synth::DirEntry>& entries);
  // The same two as host paths the guest can open itself (for mechanisms that
  // cannot install fds): a fresh read-only file holding `content` (the caller
  // unlinks it once opened), and the materialised directory. Empty on failure.
  std::string file_path(const std::string& guest_path, const std::string& content);
  std::string dir_path(const std::string& guest_path, const std::vector<proc_synth::DirEntry>& entries);
  // The guest path a host path inside the materialised tree stands for.
  std::optional<std::string> guest_path_of(const std::string& host_path) const;

 private:
  bool ensure_root();
  std::string root_;  // created on first use, removed with everything in it
  unsigned long next_file_ = 0;
};

}  // namespace sentry::vfs
