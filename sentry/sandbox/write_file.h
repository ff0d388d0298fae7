// One write of `text` to the kernel file `path` (/proc/<pid>/uid_map,
// cgroup.procs, pids.max...), which these files need in a single write(2).
#pragma once

#include <fcntl.h>
#include <unistd.h>

#include <string>

namespace sentry::sandbox {

inline bool write_file(const std::string& path, const std::string& text) {
  const int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  return ok;
}

}  // namespace sentry::sandbox
