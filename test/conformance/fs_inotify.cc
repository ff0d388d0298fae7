// inotify_add_watch(2) names a path: watch descriptors (one per inode,
// reused when the same file is watched again), events for changes made
// through the watched path and through a hard link, IN_DONT_FOLLOW on a
// symlink (the link itself is watched), IN_ONLYDIR, IN_MASK_CREATE, and the
// errors in Linux's order: EINVAL for a mask with no inotify bit (or
// IN_MASK_ADD with IN_MASK_CREATE), EBADF, EINVAL for a descriptor that is
// not an inotify instance, then the path's ENOENT and ENOTDIR.
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <string>
#include <vector>

#include "conformance.h"
#include "file_util.h"

namespace {

// The events readable now (waits up to 1 s for the first).
std::vector<inotify_event> events(int ino) {
  std::vector<inotify_event> out;
  pollfd p{ino, POLLIN, 0};
  if (poll(&p, 1, 1000) <= 0) return out;
  alignas(inotify_event) char buf[4096];
  ssize_t n = read(ino, buf, sizeof buf);
  for (ssize_t off = 0; off < n;) {
    auto* e = reinterpret_cast<inotify_event*>(buf + off);
    out.push_back(*e);
    off += static_cast<ssize_t>(sizeof(inotify_event) + e->len);
  }
  return out;
}

bool has(const std::vector<inotify_event>& ev, int wd, std::uint32_t mask) {
  for (const inotify_event& e : ev)
    if (e.wd == wd && (e.mask & mask)) return true;
  return false;
}

}  // namespace

int main() {
  const std::string dir = conformance::scratch_dir("fsino");
  const std::string file = dir + "/f";
  const std::string link = dir + "/l";
  close(open(file.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  CHECK(symlink("f", link.c_str()) == 0);

  int ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  CHECK(ino >= 0);
  int wd = inotify_add_watch(ino, file.c_str(), IN_MODIFY | IN_ATTRIB);
  CHECK(wd >= 1);
  // The same inode through the symlink: the same watch descriptor.
  CHECK(inotify_add_watch(ino, link.c_str(), IN_MODIFY) == wd);
  // IN_DONT_FOLLOW watches the link itself: another descriptor.
  int lwd = inotify_add_watch(ino, link.c_str(), IN_ATTRIB | IN_DONT_FOLLOW);
  CHECK(lwd >= 1 && lwd != wd);
  // IN_MASK_CREATE on an inode already watched: EEXIST.
  CHECK_ERR(inotify_add_watch(ino, file.c_str(), IN_MODIFY | IN_MASK_CREATE), EEXIST);
  int dwd = inotify_add_watch(ino, dir.c_str(), IN_CREATE | IN_ONLYDIR);
  CHECK(dwd >= 1);
  CHECK_ERR(inotify_add_watch(ino, file.c_str(), IN_MODIFY | IN_ONLYDIR), ENOTDIR);

  int fd = open(file.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  CHECK(write(fd, "x", 1) == 1);
  close(fd);
  CHECK(has(events(ino), wd, IN_MODIFY));
  close(open((dir + "/new").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
  CHECK(has(events(ino), dwd, IN_CREATE));

  CHECK_ERR(inotify_add_watch(ino, (dir + "/missing").c_str(), IN_MODIFY), ENOENT);
  CHECK_ERR(inotify_add_watch(ino, (file + "/x").c_str(), IN_MODIFY), ENOTDIR);
  CHECK_ERR(inotify_add_watch(ino, file.c_str(), 0), EINVAL);
  CHECK_ERR(inotify_add_watch(-1, file.c_str(), IN_MODIFY), EBADF);
  int not_inotify = open(file.c_str(), O_RDONLY | O_CLOEXEC);
  CHECK_ERR(inotify_add_watch(not_inotify, file.c_str(), IN_MODIFY), EINVAL);
  // The descriptor is checked before the path, the mask before both.
  CHECK_ERR(inotify_add_watch(not_inotify, (dir + "/missing").c_str(), IN_MODIFY), EINVAL);
  CHECK_ERR(inotify_add_watch(-1, (dir + "/missing").c_str(), 0), EINVAL);
  CHECK_ERR(inotify_add_watch(ino, file.c_str(), IN_MODIFY | IN_MASK_ADD | IN_MASK_CREATE), EINVAL);
  close(not_inotify);
  CHECK(inotify_rm_watch(ino, wd) == 0);
  CHECK_ERR(inotify_rm_watch(ino, wd), EINVAL);
  close(ino);

  conformance::remove_tree(dir);
  return conformance::finish();
}
