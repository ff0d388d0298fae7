#include "vfs/synthetic_tree.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace sentry::vfs {

namespace {

bool write_all(int fd, const std::string& content) {
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

int SyntheticTree::file_fd(const std::string& guest_path, const std::string& content) {
  std::string name = guest_path.substr(guest_path.rfind('/') + 1);
  int fd = memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return -errno;
  if (!write_all(fd, content)) {
    int err = errno;
    close(fd);
    return -err;
  }
  fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
  // The guest gets a read-only description of its own, at offset 0.
  std::string self = "/proc/self/fd/" + std::to_string(fd);
  int ro = open(self.c_str(), O_RDONLY | O_CLOEXEC);
  int err = errno;
  close(fd);
  return ro >= 0 ? ro : -err;
}

SyntheticTree::~SyntheticTree() {
  if (drop_fd_ >= 0) close(drop_fd_);
}

std::string SyntheticTree::file_path(const std::string& content, std::string* name) {
  if (drop_fd_ < 0) return "";
  *name = "f" + std::to_string(++next_file_);
  int fd = openat(drop_fd_, name->c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0444);
  if (fd < 0) return "";
  bool ok = write_all(fd, content);
  close(fd);
  if (!ok) {
    remove_dropped(*name);
    return "";
  }
  return std::string(kGuestDropDir) + "/" + *name;
}

void SyntheticTree::remove_dropped(const std::string& name) {
  if (drop_fd_ >= 0 && !name.empty()) unlinkat(drop_fd_, name.c_str(), 0);
}

}  // namespace sentry::vfs
