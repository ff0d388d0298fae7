#include "vfs/namespace_builder.h"

#include <dirent.h>
#include <fcntl.h>
#include <climits>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <vector>

namespace sentry::vfs {

namespace {

// Where the new root is attached before pivot_root. Every source tree is
// cloned (open_tree) before anything is mounted here, so covering the
// host's /tmp in this private namespace hides nothing the build needs.
constexpr const char* kStaging = "/tmp";

std::string failed(const std::string& what, int err = errno) { return what + ": " + std::strerror(err); }

int pivot_root(const char* new_root, const char* put_old) {
  return static_cast<int>(syscall(SYS_pivot_root, new_root, put_old));
}

constexpr std::uint64_t kReadOnlyAttrs = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
constexpr std::uint64_t kWritableAttrs = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;

// A detached clone of host directory `host` (with its submounts), with the
// table's attributes applied.
// A new tmpfs as a detached mount, with `options` ("mode=755,size=64k"; only
// mode, size and nr_inodes are taken).
int new_tmpfs(const Mount& m, std::string* error) {
  int fs = fsopen("tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0) {
    *error = failed("fsopen tmpfs for " + m.guest);
    return -1;
  }
  std::size_t at = 0;
  const std::string& opts = m.tmpfs_options;
  while (at < opts.size()) {
    std::size_t comma = opts.find(',', at);
    if (comma == std::string::npos) comma = opts.size();
    const std::string opt = opts.substr(at, comma - at);
    const std::size_t eq = opt.find('=');
    const std::string key = opt.substr(0, eq);
    if (eq != std::string::npos && (key == "mode" || key == "size" || key == "nr_inodes") &&
        fsconfig(fs, FSCONFIG_SET_STRING, key.c_str(), opt.substr(eq + 1).c_str(), 0) != 0) {
      *error = failed("tmpfs option " + opt + " at " + m.guest);
      close(fs);
      return -1;
    }
    at = comma + 1;
  }
  int fd = -1;
  if (fsconfig(fs, FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0 ||
      (fd = fsmount(fs, FSMOUNT_CLOEXEC, 0)) < 0)
    *error = failed("mount a tmpfs at " + m.guest);
  close(fs);
  return fd;
}

int clone_tree(const Mount& m, int userns_fd, std::string* error) {
  int fd = m.kind == MountKind::kTmpfs
               ? new_tmpfs(m, error)
               : open_tree(AT_FDCWD, m.host.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (fd < 0) {
    if (m.kind != MountKind::kTmpfs) *error = failed("open_tree " + m.host);
    return -1;
  }
  mount_attr attr{};
  attr.attr_set = m.read_only ? kReadOnlyAttrs : kWritableAttrs;
  if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0) {
    *error = failed("mount_setattr " + m.host);
    close(fd);
    return -1;
  }
  // What the user granted (--root, --bind, writable places) is the guest's
  // own: idmapped, host root's files there are the guest root's. The host's
  // own tree and its shared /tmp keep the host's ids: guest root is nobody
  // there (Mount::host_ids).
  if (!m.host_ids && userns_fd >= 0) {
    mount_attr idmap{};
    idmap.attr_set = MOUNT_ATTR_IDMAP;
    idmap.userns_fd = static_cast<std::uint64_t>(userns_fd);
    if (mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &idmap, sizeof idmap) != 0) {
      // A submount on a filesystem without idmapped mounts: map the top
      // mount only (its submounts keep the host's ids).
      close(fd);
      fd = open_tree(AT_FDCWD, m.host.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
      if (fd < 0 || mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof attr) != 0 ||
          mount_setattr(fd, "", AT_EMPTY_PATH, &idmap, sizeof idmap) != 0) {
        if (m.idmap_optional) {
          // Shown with the host's ids instead (an OCI root on overlayfs).
          if (fd >= 0) close(fd);
          Mount plain = m;
          plain.host_ids = true;
          return clone_tree(plain, userns_fd, error);
        }
        *error = failed("idmapped mount of " + m.host + " (the filesystem must support idmapped mounts)");
        if (fd >= 0) close(fd);
        return -1;
      }
    }
  }
  return fd;
}

std::string attach(int fd, const std::string& target) {
  if (move_mount(fd, "", AT_FDCWD, target.c_str(), MOVE_MOUNT_F_EMPTY_PATH) != 0)
    return failed("mount on " + target);
  return "";
}

// A read-only bind of `path` on itself (for /proc's writable corners).
void make_read_only(const std::string& path) {
  if (mount(path.c_str(), path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) return;  // absent: fine
  mount(nullptr, path.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
        nullptr);
}

// A directory at guest path `guest` for a mount to land on. Where it is
// missing (a --bind target, /proc in a --root tree), the nearest directory
// that exists is rebuilt as a skeleton: a tmpfs holding a bind of each of
// its entries, plus the missing directories. Nothing on the host changes.
// `skeletons` collects the tmpfs mounts, made read-only once the tree is done.
// Makes the directories of `guest` below `existing` (a tmpfs of sentry's).
std::string make_dirs(const std::string& root, const std::string& existing, const std::string& guest) {
  std::string path = existing == "/" ? "" : existing;
  std::size_t from = path.size() + 1;
  while (from <= guest.size()) {
    std::size_t slash = guest.find('/', from);
    if (slash == std::string::npos) slash = guest.size();
    path = guest.substr(0, slash);
    struct stat st;
    if (stat((root + path).c_str(), &st) != 0 && mkdir((root + path).c_str(), 0755) != 0)
      return failed("mkdir " + path + " in a skeleton");
    from = slash + 1;
  }
  return "";
}

// Lays a tmpfs (searchable by all) over directory `dir` (guest path
// `existing`) holding a bind of each of its entries and a copy of each of its
// symlinks: the directory's content stays what it was, each entry with its
// own permissions, and new directories can be made in it.
std::string make_skeleton(const std::string& dir, const std::string& existing, std::vector<std::string>* skeletons) {
  int clone = open_tree(AT_FDCWD, dir.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
  if (clone < 0) return failed("open_tree " + existing);
  if (mount("tmpfs", dir.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=755") != 0) {
    close(clone);
    return failed("mount a skeleton on " + existing);
  }
  skeletons->push_back(dir);
  std::string error;
  // (open_tree's fd is an O_PATH one: the listing needs a real open.)
  DIR* d = fdopendir(openat(clone, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  while (d != nullptr && error.empty()) {
    const dirent* e = readdir(d);
    if (e == nullptr) break;
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    const std::string place = dir + "/" + name;
    struct stat es;
    if (fstatat(clone, name.c_str(), &es, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISLNK(es.st_mode)) {
      char link[PATH_MAX];
      ssize_t n = readlinkat(clone, name.c_str(), link, sizeof link - 1);
      if (n < 0 || symlink(std::string(link, static_cast<std::size_t>(n)).c_str(), place.c_str()) != 0)
        error = failed("copy the link " + existing + "/" + name);
      continue;
    }
    const bool is_dir = S_ISDIR(es.st_mode);
    int made = is_dir ? mkdir(place.c_str(), 0755) : close(open(place.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
    int entry = open_tree(clone, name.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (made != 0 || entry < 0) {
      error = failed("bind " + existing + "/" + name + " into its skeleton");
    } else {
      error = attach(entry, place);
    }
    if (entry >= 0) close(entry);
  }
  if (d == nullptr) error = failed("list " + existing + " for its skeleton");
  if (d != nullptr) closedir(d);
  close(clone);
  return error;
}

// `file`: the mount is of one file, and lands on a file (made empty in a
// skeleton when missing).
std::string ensure_mount_point(const std::string& root, const std::string& guest,
                               std::vector<std::string>* skeletons, bool file = false) {
  struct stat st;
  const std::string target = root + guest;
  if (stat(target.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode) != file) return "";
    return "cannot mount on " + guest + (file ? ": a directory in the guest's tree, the source a file"
                                              : ": not a directory in the guest's tree");
  }
  if (file) {
    const std::size_t slash = guest.rfind('/');
    const std::string parent = slash == 0 ? "/" : guest.substr(0, slash);
    struct stat pst;
    bool made_parent = stat((root + parent).c_str(), &pst) != 0;
    if (made_parent) {
      if (std::string e = ensure_mount_point(root, parent, skeletons); !e.empty()) return e;
    } else if (!S_ISDIR(pst.st_mode)) {
      return "cannot mount on " + guest + ": " + parent + " is not a directory in the guest's tree";
    }
    const std::string dir = parent == "/" ? root : root + parent;
    // On a writable tree the mount point is made in place, as runc does
    // (the directory keeps taking new entries); else in a skeleton.
    if (int fd = made_parent ? -1 : open(target.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644); fd >= 0) {
      close(fd);
      return "";
    }
    if (!made_parent && std::find(skeletons->begin(), skeletons->end(), dir) == skeletons->end()) {
      if (std::string e = make_skeleton(dir, parent, skeletons); !e.empty()) return e;
    }
    int fd = open(target.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0) return failed("create the mount point " + guest + " in a skeleton");
    close(fd);
    return "";
  }
  // The nearest existing ancestor.
  std::string existing = guest;
  do {
    const std::size_t slash = existing.rfind('/');
    existing = slash == 0 ? "/" : existing.substr(0, slash);
  } while (existing != "/" && stat((root + existing).c_str(), &st) != 0);
  const std::string dir = existing == "/" ? root : root + existing;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return "cannot mount on " + guest + ": " + existing + " is not a directory in the guest's tree";
  if (std::find(skeletons->begin(), skeletons->end(), dir) != skeletons->end())
    return make_dirs(root, existing, guest);  // already a tmpfs of sentry's
  if (std::string error = make_skeleton(dir, existing, skeletons); !error.empty()) return error;
  return make_dirs(root, existing, guest);
}

// A place the user granted may lie below a directory of the host's tree that
// the guest, an ordinary user there, may not search (a 0700 `mktemp -d`, a
// home). Each such directory on the way becomes a skeleton of itself
// (make_skeleton), searchable: the guest reaches the place by its path, and
// the directory's other entries keep their own permissions (a sibling the
// user's programs need, such as a build tree next to the working directory,
// stays reachable; a 0600 file stays unreadable).
std::string open_way_to(const std::string& root, const MountTable& table, const std::string& guest,
                        std::vector<std::string>* skeletons) {
  std::size_t from = 1;
  while (true) {
    const std::size_t slash = guest.find('/', from);
    if (slash == std::string::npos) return "";  // the place itself: not a step on the way
    const std::string step = guest.substr(0, slash);
    from = slash + 1;
    struct stat st;
    if (stat((root + step).c_str(), &st) != 0) return "";  // missing: ensure_mount_point makes it
    const bool searchable = (st.st_mode & S_IXOTH) != 0;
    if (searchable || !table.find(step).host_ids) continue;
    if (std::find(skeletons->begin(), skeletons->end(), root + step) != skeletons->end()) continue;
    if (std::string error = make_skeleton(root + step, step, skeletons); !error.empty()) return error;
  }
}

std::string build_proc(const std::string& root) {
  const std::string proc = root + "/proc";
  if (mount("proc", proc.c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
    return failed("mount proc on " + proc);
  for (const char* p : {"/sys", "/sysrq-trigger", "/irq", "/bus", "/fs"}) make_read_only(proc + p);
  return "";
}

std::string build_sys(const std::string& root) {
  const std::string sys = root + "/sys";
  if (mount("sysfs", sys.c_str(), "sysfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
    return failed("mount sysfs on " + sys);
  return "";
}

std::string build_dev(const std::string& root) {
  const std::string dev = root + "/dev";
  if (mount("tmpfs", dev.c_str(), "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k") != 0)
    return failed("mount tmpfs on " + dev);
  for (const char* node : {"null", "zero", "full", "random", "urandom", "tty"}) {
    const std::string host = std::string("/dev/") + node;
    const std::string target = dev + "/" + node;
    int fd = open(target.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
    if (fd < 0) return failed("create " + target);
    close(fd);
    if (mount(host.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) return failed("bind " + host);
    mount(nullptr, target.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NOEXEC, nullptr);
  }
  const std::pair<const char*, const char*> links[] = {
      {"/proc/self/fd", "fd"},        {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"},
      {"/proc/self/fd/2", "stderr"},  {"pts/ptmx", "ptmx"}};
  for (const auto& [to, name] : links) {
    if (symlink(to, (dev + "/" + name).c_str()) != 0) return failed("symlink " + dev + "/" + name);
  }
  for (const char* d : {"pts", "shm", "mqueue"}) {
    if (mkdir((dev + "/" + d).c_str(), 0755) != 0) return failed("mkdir " + dev + "/" + d);
  }
  if (mount("devpts", (dev + "/pts").c_str(), "devpts", MS_NOSUID | MS_NOEXEC,
            "newinstance,ptmxmode=0666,mode=620") != 0)
    return failed("mount devpts");
  if (mount("tmpfs", (dev + "/shm").c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") != 0)
    return failed("mount tmpfs on /dev/shm");
  // The guest's IPC namespace's POSIX message queues (optional: a kernel
  // without mqueue leaves an empty directory).
  mount("mqueue", (dev + "/mqueue").c_str(), "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
  mount(nullptr, dev.c_str(), nullptr, MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NOEXEC, "mode=755");
  return "";
}

}  // namespace

std::string build_guest_tree(const MountTable& table, int idmap_userns_fd) {
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) return failed("make / private");
  // 1. Clone every host directory first: the staging mount covers /tmp.
  struct Planned {
    const Mount* mount;
    int fd;
  };
  std::vector<Planned> planned;
  std::string error;
  auto close_all = [&] {
    for (const Planned& p : planned)
      if (p.fd >= 0) close(p.fd);
  };
  for (const Mount& m : table.mounts()) {
    if ((m.kind != MountKind::kHost && m.kind != MountKind::kTmpfs) || m.guest == "/dev/shm") continue;  // built below
    int fd = clone_tree(m, idmap_userns_fd, &error);
    if (fd < 0) {
      close_all();
      return error;
    }
    planned.push_back({&m, fd});
  }
  if (planned.empty() || planned.front().mount->guest != "/") {
    close_all();
    return "the mount table has no root";
  }
  // 2. Attach the root at the staging point, then the rest in table order
  // (outer places first, as MountTable::build orders them).
  const std::string root = kStaging;
  std::vector<std::string> skeletons;
  for (const Planned& p : planned) {
    const std::string target = p.mount->guest == "/" ? root : root + p.mount->guest;
    if (p.mount->guest != "/" && !p.mount->host_ids) error = open_way_to(root, table, p.mount->guest, &skeletons);
    if (p.mount->guest != "/" && error.empty())
      error = ensure_mount_point(root, p.mount->guest, &skeletons, p.mount->file);
    if (error.empty()) error = attach(p.fd, target);
    if (!error.empty()) break;
  }
  close_all();
  if (!error.empty()) return error;
  // 3. The kernel's own filesystems, for the guest's namespaces (a --root
  // tree without the directory gets a skeleton that has it).
  const std::pair<const char*, std::string (*)(const std::string&)> kernel_fs[] = {
      {"/proc", build_proc}, {"/sys", build_sys}, {"/dev", build_dev}};
  for (const auto& [dir, build] : kernel_fs) {
    // The host's own mounts there came with the recursive clone of the
    // root: they go, so nothing of them hides under the guest's.
    umount2((root + dir).c_str(), MNT_DETACH);
    error = ensure_mount_point(root, dir, &skeletons);
    if (error.empty()) error = build(root);
    if (!error.empty()) return error;
  }
  for (const std::string& s : skeletons)
    mount(nullptr, s.c_str(), nullptr, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr);
  // 4. Make it the root.
  if (chdir(root.c_str()) != 0) return failed("chdir " + root);
  if (pivot_root(".", ".") != 0) return failed("pivot_root");
  if (umount2(".", MNT_DETACH) != 0) return failed("detach the host's root");
  if (chdir("/") != 0) return failed("chdir /");
  return "";
}

}  // namespace sentry::vfs
