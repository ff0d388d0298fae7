#include "vfs/synthetic_tree.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

namespace sentry::vfs {

SyntheticTree::~SyntheticTree() {
  if (root_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(root_, ec);
}

bool SyntheticTree::ensure_root() {
  if (!root_.empty()) return true;
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/sentry-synthetic-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return false;
  root_ = tmpl;
  return true;
}

int SyntheticTree::file_fd(const std::string& guest_path, const std::string& content) {
  std::string name = guest_path.substr(guest_path.rfind('/') + 1);
  int fd = memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0) return -errno;
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n <= 0) {
      int err = errno;
      close(fd);
      return -err;
    }
    done += static_cast<std::size_t>(n);
  }
  fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL);
  // The guest gets a read-only description of its own, at offset 0.
  std::string self = "/proc/self/fd/" + std::to_string(fd);
  int ro = open(self.c_str(), O_RDONLY | O_CLOEXEC);
  int err = errno;
  close(fd);
  return ro >= 0 ? ro : -err;
}

int SyntheticTree::dir_fd(const std::string& guest_path, const std::vector<proc_synth::DirEntry>& entries) {
  if (!ensure_root()) return -EIO;
  std::filesystem::path dir = root_ + guest_path;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return -EIO;
  for (const proc_synth::DirEntry& e : entries) {
    std::filesystem::path p = dir / e.name;
    if (std::filesystem::exists(std::filesystem::symlink_status(p, ec))) continue;
    if (e.type == proc_synth::EntryType::kDir) {
      std::filesystem::create_directory(p, ec);
    } else if (e.type == proc_synth::EntryType::kLink) {
      std::filesystem::create_symlink("/proc/self", p, ec);  // only self/thread-self are listed as links
    } else {
      int fd = open(p.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0444);
      if (fd >= 0) close(fd);
    }
  }
  int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  return fd >= 0 ? fd : -errno;
}

std::string SyntheticTree::file_path(const std::string& guest_path, const std::string& content) {
  if (!ensure_root()) return {};
  std::error_code ec;
  std::filesystem::create_directories(root_ + "/.files", ec);
  std::string name = guest_path.substr(guest_path.rfind('/') + 1);
  std::string path = root_ + "/.files/" + std::to_string(++next_file_) + "-" + name;
  int fd = open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0444);
  if (fd < 0) return {};
  bool ok = write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  close(fd);
  if (!ok) {
    unlink(path.c_str());
    return {};
  }
  return path;
}

std::string SyntheticTree::dir_path(const std::string& guest_path, const std::vector<proc_synth::DirEntry>& entries) {
  int fd = dir_fd(guest_path, entries);
  if (fd < 0) return {};
  close(fd);
  return root_ + guest_path;
}

std::optional<std::string> SyntheticTree::guest_path_of(const std::string& host_path) const {
  if (root_.empty() || host_path.compare(0, root_.size(), root_) != 0) return std::nullopt;
  std::string rest = host_path.substr(root_.size());
  if (!rest.empty() && rest[0] != '/') return std::nullopt;
  return rest.empty() ? std::string("/") : rest;
}

}  // namespace sentry::vfs
