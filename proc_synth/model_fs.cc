#include "proc_synth/model_fs.h"

#define FUSE_USE_VERSION 35
#include <dirent.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

namespace sentry::proc_synth {

namespace {

// The guest cannot change what these paths are through the filesystem
// (nothing here is writable and /proc/<pid> nodes are re-generated at each
// open), so the kernel may cache names and attributes for long.
constexpr double kTimeout = 86400.0;

bool under(const std::string& p, std::string_view top) {
  return p.compare(0, top.size(), top) == 0 && (p.size() == top.size() || p[top.size()] == '/');
}

std::string child_path(const std::string& parent, const char* name) {
  return parent == "/" ? "/" + std::string(name) : parent + "/" + name;
}

bool writes(int flags) { return (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC); }

unsigned char dtype(EntryType t) {
  switch (t) {
    case EntryType::kDir: return DT_DIR;
    case EntryType::kLink: return DT_LNK;
    case EntryType::kFile: break;
  }
  return DT_REG;
}

}  // namespace

std::unique_ptr<ModelFs> ModelFs::create(const ModelSource& source, int fuse_fd, std::string* error) {
  std::unique_ptr<ModelFs> fs(new ModelFs(source));
  fuse_lowlevel_ops ops{};
  ops.lookup = op_lookup;
  ops.forget = op_forget;
  ops.getattr = op_getattr;
  ops.readlink = op_readlink;
  ops.open = op_open;
  ops.read = op_read;
  ops.write = op_write;
  ops.release = op_release;
  ops.opendir = op_opendir;
  ops.readdir = op_readdir;
  ops.releasedir = op_release;
  ops.ioctl = op_ioctl;
  char arg0[] = "sentry";
  char* argv[] = {arg0, nullptr};
  fuse_args args = FUSE_ARGS_INIT(1, argv);
  fs->session_ = fuse_session_new(&args, &ops, sizeof ops, fs.get());
  fuse_opt_free_args(&args);  // libfuse copied what it keeps
  if (fs->session_ == nullptr) {
    *error = "fuse_session_new failed";
    return nullptr;
  }
  // libfuse takes an fd already mounted by someone else as "/dev/fd/N".
  const std::string dev = "/dev/fd/" + std::to_string(fuse_fd);
  if (fuse_session_mount(fs->session_, dev.c_str()) != 0) {
    *error = "fuse_session_mount " + dev + " failed";
    return nullptr;
  }
  fcntl(fuse_fd, F_SETFL, fcntl(fuse_fd, F_GETFL) | O_NONBLOCK);
  fs->nodes_[FUSE_ROOT_ID] = Node{"/", Kind::kRoot, 1};
  fs->by_path_["/"] = FUSE_ROOT_ID;
  return fs;
}

ModelFs::~ModelFs() {
  if (session_ != nullptr) fuse_session_destroy(session_);
  std::free(buf_mem_);
  if (sysfs_ >= 0) close(sysfs_);
}

void ModelFs::set_sysfs(int fd) {
  if (sysfs_ >= 0) close(sysfs_);
  sysfs_ = fd;
}

int ModelFs::fd() const { return fuse_session_fd(session_); }

bool ModelFs::process() {
  for (;;) {
    fuse_buf buf{};
    buf.mem = buf_mem_;
    const int n = fuse_session_receive_buf(session_, &buf);
    buf_mem_ = buf.mem;
    if (fuse_session_exited(session_)) return false;
    if (n == -EAGAIN) return true;
    if (n == 0 || n == -EINTR) continue;  // 0: a request interrupted before it was read
    if (n < 0) return false;
    fuse_session_process_buf(session_, &buf);
  }
}

ModelFs& ModelFs::self(fuse_req* req) { return *static_cast<ModelFs*>(fuse_req_userdata(req)); }

ModelFs::Node* ModelFs::node(std::uint64_t ino) {
  auto it = nodes_.find(ino);
  return it == nodes_.end() ? nullptr : &it->second;
}

std::string ModelFs::host_rel(const std::string& path) const {
  return path == "/sys" ? "." : path.substr(5);
}

void ModelFs::set_slot(int n, const std::string& dir) {
  if (dir.empty()) {
    slots_.erase(n);
  } else {
    slots_[n] = dir;
  }
}

// "/slot/<n>/<file>" -> the slot's directory + "/<file>".
std::string ModelFs::model_path(const std::string& path) const {
  if (!under(path, "/slot")) return path;
  const std::size_t slash = path.find('/', 6);
  if (slash == std::string::npos) return "";
  auto it = slots_.find(std::atoi(path.substr(6, slash - 6).c_str()));
  return it == slots_.end() ? "" : it->second + path.substr(slash);
}

ModelFs::Kind ModelFs::classify(const std::string& path) const {
  if (path == "/") return Kind::kRoot;
  if (path == "/.absent") return Kind::kAbsent;
  if (under(path, "/slot")) {
    // /slot, /slot/<n>, /slot/<n>/{status,stat}: names only sentry's
    // mounter walks; what a file stands for is decided at open.
    const std::size_t depth = static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
    if (depth <= 2) return Kind::kDir;
    const std::string name = path.substr(path.rfind('/') + 1);
    return depth == 3 && (name == "status" || name == "stat") ? Kind::kFile : Kind::kNone;
  }
  if (path == "/proc") return Kind::kDir;
  if (under(path, "/proc")) {
    // Only the model's files are bound from here; the directories on their
    // way are this filesystem's own.
    switch (lookup(path, source_)) {
      case Lookup::kFile: return Kind::kFile;
      case Lookup::kNotFound: return Kind::kNone;
      case Lookup::kDir:
      case Lookup::kPassThrough: return Kind::kDir;
    }
  }
  if (under(path, "/sys")) {
    switch (lookup(path, source_)) {
      case Lookup::kFile: return Kind::kFile;
      case Lookup::kDir: return Kind::kDir;
      case Lookup::kNotFound: return Kind::kNone;
      case Lookup::kPassThrough: break;
    }
    struct stat st;
    if (sysfs_ < 0 || fstatat(sysfs_, host_rel(path).c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return Kind::kNone;
    if (S_ISDIR(st.st_mode)) return Kind::kHostDir;
    if (S_ISLNK(st.st_mode)) return Kind::kHostLink;
    return Kind::kHostFile;
  }
  return Kind::kNone;
}

std::uint64_t ModelFs::intern(const std::string& path, Kind kind) {
  if (auto it = by_path_.find(path); it != by_path_.end()) {
    Node& n = nodes_[it->second];
    n.kind = kind;
    ++n.lookups;
    return it->second;
  }
  const std::uint64_t ino = next_ino_++;
  nodes_[ino] = Node{path, kind, 1};
  by_path_[path] = ino;
  return ino;
}

bool ModelFs::attributes(const Node& n, struct stat* st) const {
  *st = {};
  st->st_nlink = 1;
  st->st_blksize = 4096;
  switch (n.kind) {
    case Kind::kRoot:
    case Kind::kDir:
      st->st_mode = S_IFDIR | 0555;
      st->st_nlink = 2;
      return true;
    case Kind::kAbsent:
      st->st_mode = S_IFREG | 0400;
      return true;
    case Kind::kFile: {
      if (under(n.path, "/slot")) {
        st->st_mode = S_IFREG | 0444;  // status and stat
        return true;
      }
      const std::optional<mode_t> mode = file_mode(n.path, source_);
      if (!mode) return false;
      st->st_mode = S_IFREG | *mode;
      return true;  // size 0: see attributes() in the header
    }
    case Kind::kHostDir:
    case Kind::kHostFile:
    case Kind::kHostLink:
      if (fstatat(sysfs_, host_rel(n.path).c_str(), st, AT_SYMLINK_NOFOLLOW) != 0) return false;
      st->st_ino = 0;  // libfuse sets the node's own
      if (S_ISREG(st->st_mode)) st->st_size = 0;
      return true;
    case Kind::kNone: break;
  }
  return false;
}

std::optional<std::vector<std::pair<std::string, unsigned char>>> ModelFs::entries(const Node& n) const {
  std::vector<std::pair<std::string, unsigned char>> out{{".", DT_DIR}, {"..", DT_DIR}};
  if (n.kind == Kind::kRoot) {
    out.push_back({"proc", DT_DIR});
    out.push_back({"sys", DT_DIR});
    return out;
  }
  if (n.kind == Kind::kDir) {
    if (const auto list = list_dir(n.path, source_)) {
      for (const DirEntry& e : *list) out.push_back({e.name, dtype(e.type)});
    }
    return out;
  }
  if (n.kind != Kind::kHostDir) return std::nullopt;
  const int fd = openat(sysfs_, host_rel(n.path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  DIR* d = fdopendir(fd);
  if (d == nullptr) {
    close(fd);
    return std::nullopt;
  }
  while (const dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    // The registry's policy holds below a pass-through directory too.
    if (classify(child_path(n.path, name.c_str())) == Kind::kNone) continue;
    out.push_back({name, e->d_type});
  }
  closedir(d);
  return out;
}

void ModelFs::op_lookup(fuse_req* req, std::uint64_t parent, const char* name) {
  ModelFs& fs = self(req);
  const Node* p = fs.node(parent);
  if (p == nullptr) return (void)fuse_reply_err(req, ENOENT);
  const std::string path = child_path(p->path, name);
  const Kind kind = std::strlen(name) > NAME_MAX ? Kind::kNone : fs.classify(path);
  if (kind == Kind::kNone) return (void)fuse_reply_err(req, ENOENT);
  fuse_entry_param e{};
  Node probe{path, kind, 0};
  if (!fs.attributes(probe, &e.attr)) return (void)fuse_reply_err(req, ENOENT);
  e.ino = fs.intern(path, kind);
  e.attr.st_ino = e.ino;
  e.attr_timeout = kTimeout;
  e.entry_timeout = kTimeout;
  fuse_reply_entry(req, &e);
}

void ModelFs::op_forget(fuse_req* req, std::uint64_t ino, std::uint64_t nlookup) {
  ModelFs& fs = self(req);
  if (Node* n = fs.node(ino); n != nullptr && ino != FUSE_ROOT_ID) {
    n->lookups = n->lookups > nlookup ? n->lookups - nlookup : 0;
    if (n->lookups == 0) {
      fs.by_path_.erase(n->path);
      fs.nodes_.erase(ino);
    }
  }
  fuse_reply_none(req);
}

void ModelFs::op_getattr(fuse_req* req, std::uint64_t ino, fuse_file_info*) {
  ModelFs& fs = self(req);
  const Node* n = fs.node(ino);
  struct stat st;
  if (n == nullptr || !fs.attributes(*n, &st)) return (void)fuse_reply_err(req, ENOENT);
  st.st_ino = ino;
  fuse_reply_attr(req, &st, kTimeout);
}

void ModelFs::op_readlink(fuse_req* req, std::uint64_t ino) {
  ModelFs& fs = self(req);
  const Node* n = fs.node(ino);
  if (n == nullptr || n->kind != Kind::kHostLink) return (void)fuse_reply_err(req, EINVAL);
  char buf[PATH_MAX];
  const ssize_t len = readlinkat(fs.sysfs_, fs.host_rel(n->path).c_str(), buf, sizeof buf - 1);
  if (len < 0) return (void)fuse_reply_err(req, errno);
  buf[len] = 0;
  fuse_reply_readlink(req, buf);
}

void ModelFs::op_open(fuse_req* req, std::uint64_t ino, fuse_file_info* fi) {
  ModelFs& fs = self(req);
  const Node* n = fs.node(ino);
  if (n == nullptr || n->kind == Kind::kAbsent) return (void)fuse_reply_err(req, ENOENT);
  Handle h;
  const std::string path = fs.model_path(n->path);
  if (n->kind == Kind::kFile) {
    std::optional<Generated> g = generate(path, fs.source_);
    if (!g) return (void)fuse_reply_err(req, ENOENT);  // the process went away meanwhile
    if (writes(fi->flags) && g->open_write_errno != 0) return (void)fuse_reply_err(req, g->open_write_errno);
    h.content = std::move(g->content);
    h.offset_reads_eof = g->offset_reads_eof;
    h.write_errno = g->write_errno != 0 ? g->write_errno : EINVAL;
  } else if (n->kind == Kind::kHostFile) {
    if (writes(fi->flags)) return (void)fuse_reply_err(req, EROFS);  // the guest's sysfs is read-only
    const int fd = openat(fs.sysfs_, fs.host_rel(n->path).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return (void)fuse_reply_err(req, errno);
    char buf[4096];
    ssize_t got;
    while ((got = read(fd, buf, sizeof buf)) > 0) h.content.append(buf, static_cast<std::size_t>(got));
    const int err = got < 0 ? errno : 0;
    close(fd);
    if (err != 0) return (void)fuse_reply_err(req, err);
  } else {
    return (void)fuse_reply_err(req, EISDIR);
  }
  if (fs.on_open_) fs.on_open_(fuse_req_ctx(req)->pid, path);
  fi->direct_io = 1;  // no page cache: every read is answered from the snapshot
  fi->noflush = 1;    // no FLUSH at close: sentry closes its copies of guest fds on its own thread
  fs.reply_open(req, fi, std::move(h));
}

void ModelFs::reply_open(fuse_req* req, fuse_file_info* fi, Handle h) {
  fi->fh = next_handle_++;
  handles_[fi->fh] = std::move(h);
  if (fuse_reply_open(req, fi) != 0) handles_.erase(fi->fh);
}

void ModelFs::op_read(fuse_req* req, std::uint64_t, std::size_t size, off_t off, fuse_file_info* fi) {
  ModelFs& fs = self(req);
  auto it = fs.handles_.find(fi->fh);
  if (it == fs.handles_.end()) return (void)fuse_reply_err(req, EBADF);
  const Handle& h = it->second;
  if (off < 0 || static_cast<std::uint64_t>(off) >= h.content.size() || (off > 0 && h.offset_reads_eof))
    return (void)fuse_reply_buf(req, nullptr, 0);
  const std::size_t from = static_cast<std::size_t>(off);
  fuse_reply_buf(req, h.content.data() + from, std::min(size, h.content.size() - from));
}

void ModelFs::op_write(fuse_req* req, std::uint64_t, const char*, std::size_t, off_t, fuse_file_info* fi) {
  ModelFs& fs = self(req);
  auto it = fs.handles_.find(fi->fh);
  fuse_reply_err(req, it == fs.handles_.end() ? EBADF : it->second.write_errno);
}

// As Linux's /proc and /sys files: no ioctl (isatty's TCGETS gets ENOTTY).
void ModelFs::op_ioctl(fuse_req* req, std::uint64_t, unsigned int, void*, fuse_file_info*, unsigned, const void*,
                       std::size_t, std::size_t) {
  fuse_reply_err(req, ENOTTY);
}

void ModelFs::op_release(fuse_req* req, std::uint64_t, fuse_file_info* fi) {
  self(req).handles_.erase(fi->fh);
  fuse_reply_err(req, 0);
}

void ModelFs::op_opendir(fuse_req* req, std::uint64_t ino, fuse_file_info* fi) {
  ModelFs& fs = self(req);
  const Node* n = fs.node(ino);
  if (n == nullptr) return (void)fuse_reply_err(req, ENOENT);
  auto list = fs.entries(*n);
  if (!list) return (void)fuse_reply_err(req, ENOTDIR);
  Handle h;
  h.entries = std::move(*list);
  fs.reply_open(req, fi, std::move(h));
}

void ModelFs::op_readdir(fuse_req* req, std::uint64_t, std::size_t size, off_t off, fuse_file_info* fi) {
  ModelFs& fs = self(req);
  auto it = fs.handles_.find(fi->fh);
  if (it == fs.handles_.end()) return (void)fuse_reply_err(req, EBADF);
  const auto& list = it->second.entries;
  std::string buf(size, '\0');
  std::size_t used = 0;
  for (std::size_t i = static_cast<std::size_t>(std::max<off_t>(off, 0)); i < list.size(); ++i) {
    struct stat st {};
    st.st_ino = 1000000 + i;  // readdir's d_ino; lookups give the real one
    st.st_mode = static_cast<mode_t>(list[i].second) << 12;
    const std::size_t need = fuse_add_direntry(req, buf.data() + used, size - used, list[i].first.c_str(), &st,
                                               static_cast<off_t>(i + 1));
    if (need > size - used) break;
    used += need;
  }
  fuse_reply_buf(req, buf.data(), used);
}

}  // namespace sentry::proc_synth
