#include "vfs/path_walk.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <deque>
#include <vector>

namespace sentry::vfs {

namespace {

constexpr int kMaxSymlinks = 40;  // MAXSYMLINKS

std::vector<std::string> split(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) out.emplace_back(path.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string join(const std::vector<std::string>& comps) {
  std::string out;
  for (const std::string& c : comps) {
    out += '/';
    out += c;
  }
  return out.empty() ? "/" : out;
}

bool is_number(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

NodeType type_of(mode_t mode) {
  if (S_ISDIR(mode)) return NodeType::kDir;
  if (S_ISREG(mode)) return NodeType::kRegular;
  if (S_ISLNK(mode)) return NodeType::kSymlink;
  return NodeType::kOther;
}

std::optional<std::string> read_link(const std::string& host) {
  char buf[PATH_MAX];
  ssize_t n = readlink(host.c_str(), buf, sizeof buf);
  if (n < 0 || n >= static_cast<ssize_t>(sizeof buf)) return std::nullopt;
  return std::string(buf, static_cast<std::size_t>(n));
}

// One component's object.
struct Node {
  int error = 0;
  NodeType type = NodeType::kMissing;
  Origin origin = Origin::kHost;
  std::string host;
  std::string target;     // kSymlink: where it points (guest space)
  bool magic = false;     // a /proc magic link
  bool unmapped = false;  // a magic link naming no guest path (host: the link)
  bool target_pending = false;  // a host symlink whose target is not read yet
};

Node inspect_host(const std::string& host) {
  Node n;
  n.host = host;
  struct stat st;
  if (lstat(host.c_str(), &st) != 0) {
    if (errno == ENOENT) return n;
    n.error = errno;
    return n;
  }
  n.type = type_of(st.st_mode);
  n.target_pending = n.type == NodeType::kSymlink;  // read only when followed (readlink touches atime)
  return n;
}

// A /proc/<pid>/... entry that is a magic link: cwd, root, exe, fd/N,
// map_files/X, ns/X (also under task/<tid>/).
bool is_magic_position(const std::vector<std::string>& c) {
  if (c.size() < 3 || c[0] != "proc" || !is_number(c[1])) return false;
  std::size_t i = 2;
  if (c.size() >= 5 && c[2] == "task" && is_number(c[3])) i = 4;
  if (c.size() == i + 1) return c[i] == "cwd" || c[i] == "root" || c[i] == "exe";
  if (c.size() == i + 2) return c[i] == "fd" || c[i] == "map_files" || c[i] == "ns";
  return false;
}

Node inspect_synthetic(const std::vector<std::string>& comps, const std::string& g, const WalkContext& ctx) {
  Node n;
  n.host = g;
  n.origin = Origin::kPassThrough;
  if (comps.size() == 2 && comps[0] == "proc" && (comps[1] == "self" || comps[1] == "thread-self")) {
    n.type = NodeType::kSymlink;
    n.target = std::to_string(ctx.tgid());
    if (comps[1] == "thread-self") n.target += "/task/" + std::to_string(ctx.tid());
    return n;
  }
  if (is_magic_position(comps)) {
    std::string dir = g.substr(0, g.rfind('/'));
    if (ctx.classify(dir) == proc_synth::Lookup::kNotFound) return n;  // not a guest pid
    n.magic = true;
    n.type = NodeType::kSymlink;
    if (comps.back() == "root") {
      n.target = "/";
      return n;
    }
    auto t = read_link(g);
    if (!t) {
      if (errno == ENOENT || errno == ESRCH) n.type = NodeType::kMissing;
      else n.error = errno;
      return n;
    }
    // A deleted file or directory (an O_TMPFILE, a removed cwd) has no path
    // any more: the host's text ends in " (deleted)".
    struct stat st;
    const bool deleted = stat(g.c_str(), &st) == 0 && st.st_nlink == 0;
    auto guest = deleted ? std::nullopt : ctx.guest_path_of_host(*t);
    if (guest) n.target = *guest;
    else n.unmapped = true;
    return n;
  }
  switch (ctx.classify(g)) {
    case proc_synth::Lookup::kNotFound:
      return n;
    case proc_synth::Lookup::kFile:
      n.type = NodeType::kRegular;
      n.origin = Origin::kSynthFile;
      return n;
    case proc_synth::Lookup::kDir:
      n.type = NodeType::kDir;
      n.origin = Origin::kSynthDir;
      return n;
    case proc_synth::Lookup::kPassThrough:
      break;
  }
  Node h = inspect_host(g);
  h.origin = Origin::kPassThrough;
  return h;
}

// The fast path: a path whose object lies on the root mount (no other mount
// holds it, so no mount point is crossed), written without ".", ".." or a
// trailing "/", is resolved by the host in one openat2 with
// RESOLVE_NO_SYMLINKS on its host path: success proves that no component is a
// symlink, so the component-by-component walk would find the same object.
// Anything else (a symlink, a missing name, an error) takes the walk.
std::optional<Resolved> walk_fast(const MountTable& mounts, const WalkRequest& req) {
  if (req.beneath || req.in_root || req.no_xdev || req.path.back() == '/') return std::nullopt;
  std::vector<std::string> comps = split(req.path[0] == '/' ? std::string_view() : std::string_view(req.start));
  for (std::string& c : split(req.path)) {
    if (c == "." || c == ".." || c.size() > NAME_MAX) return std::nullopt;
    comps.push_back(std::move(c));
  }
  if (comps.empty()) return std::nullopt;
  Resolved r;
  r.guest = join(comps);
  r.mount = &mounts.find(r.guest);
  if (r.mount->kind != MountKind::kHost || r.mount->guest != "/") return std::nullopt;
  r.host = MountTable::host_path(*r.mount, r.guest);
  int fd = open_no_symlinks(r.host, O_PATH | O_CLOEXEC | (req.follow_last ? 0 : O_NOFOLLOW));
  if (fd < 0) return std::nullopt;
  r.pinned = std::make_shared<HostFd>(fd);
  struct stat st;
  if (fstat(fd, &st) != 0) return std::nullopt;
  r.type = type_of(st.st_mode);
  r.origin = Origin::kHost;
  r.last = comps.back();
  return r;
}

}  // namespace

std::variant<Resolved, int> walk(const MountTable& mounts, const WalkContext& ctx, const WalkRequest& req) {
  if (req.path.empty()) return ENOENT;
  if (req.path.size() >= PATH_MAX) return ENAMETOOLONG;
  if (auto fast = walk_fast(mounts, req)) return std::move(*fast);
  const std::vector<std::string> root = split(req.in_root ? req.start : std::string("/"));
  const std::size_t beneath_depth = req.beneath ? split(req.start).size() : 0;
  std::vector<std::string> stack;
  if (req.path[0] == '/') {
    if (req.beneath) return EXDEV;
    stack = root;
  } else {
    stack = split(req.start);
  }
  std::deque<std::string> todo;
  for (std::string& c : split(req.path)) todo.push_back(std::move(c));
  bool trailing = req.path.back() == '/' && !todo.empty();
  const std::vector<std::string> as_written = split(req.path);
  const bool ends_in_dot = !as_written.empty() && (as_written.back() == "." || as_written.back() == "..");

  int links = 0;
  const Mount* mount = &mounts.find(join(stack));
  Node node;
  bool have_node = false;
  while (!todo.empty()) {
    std::string c = std::move(todo.front());
    todo.pop_front();
    const bool last = todo.empty();
    have_node = false;
    if (c == ".") continue;
    if (c == "..") {
      if (req.beneath && stack.size() <= beneath_depth) return EXDEV;
      if (stack.size() <= root.size()) continue;  // ".." of the root is the root
      stack.pop_back();
      const Mount* m = &mounts.find(join(stack));
      if (req.no_xdev && m != mount) return EXDEV;
      mount = m;
      continue;
    }
    if (c.size() > NAME_MAX) return ENAMETOOLONG;
    stack.push_back(c);
    const std::string g = join(stack);
    const Mount* m = &mounts.find(g);
    if (req.no_xdev && m != mount) return EXDEV;
    mount = m;
    node = m->kind == MountKind::kHost ? inspect_host(MountTable::host_path(*m, g)) : inspect_synthetic(stack, g, ctx);
    if (node.error != 0) return node.error;
    if (node.type == NodeType::kSymlink && (!last || req.follow_last || (trailing && req.slash_follows))) {
      if (req.no_symlinks || (node.magic && req.no_magiclinks)) return ELOOP;
      if (++links > kMaxSymlinks) return ELOOP;
      if (node.target_pending) {
        auto t = read_link(node.host);
        if (!t) return errno == ENOENT ? ENOENT : ENAMETOOLONG;
        node.target = *t;
      }
      if (req.beneath && (node.magic || (!node.target.empty() && node.target[0] == '/'))) return EXDEV;
      // Scoped lookups never jump through /proc's magic links, nor does
      // RESOLVE_NO_XDEV (a jump may land on any mount).
      if ((req.in_root || req.no_xdev) && node.magic) return EXDEV;
      if (node.unmapped) {
        if (!last) return ENOTDIR;
        struct stat st;
        Resolved r;
        r.guest = g;
        r.mount = m;
        r.host = node.host;
        r.origin = Origin::kMagic;
        r.type = stat(node.host.c_str(), &st) == 0 ? type_of(st.st_mode) : NodeType::kMissing;
        r.trailing_slash = trailing;
        r.last = c;
        if (trailing && req.slash_needs_dir && r.type != NodeType::kDir) return ENOTDIR;
        return r;
      }
      if (node.target.empty()) return ENOENT;
      stack.pop_back();
      std::vector<std::string> t = split(node.target);
      for (auto it = t.rbegin(); it != t.rend(); ++it) todo.push_front(*it);
      // A last link whose target ends in "/" must name a directory.
      if (last && node.target.back() == '/') trailing = true;
      if (node.target[0] == '/') {
        stack = root;
        const Mount* m2 = &mounts.find(join(stack));
        if (req.no_xdev && m2 != mount) return EXDEV;
      }
      mount = &mounts.find(join(stack));
      continue;
    }
    if (node.type == NodeType::kMissing) {
      if (!last) return ENOENT;
      have_node = true;
      continue;
    }
    if (!last && node.type != NodeType::kDir) return ENOTDIR;
    have_node = true;
  }
  Resolved r;
  r.guest = join(stack);
  r.mount = &mounts.find(r.guest);
  if (!have_node) {  // the path ended at a directory reached by "/", "." or ".."
    node = r.mount->kind == MountKind::kHost ? inspect_host(MountTable::host_path(*r.mount, r.guest))
                                              : inspect_synthetic(stack, r.guest, ctx);
    if (node.error != 0) return node.error;
    if (node.type == NodeType::kMissing) return ENOENT;  // the directory vanished
  }
  r.host = node.host;
  r.type = node.type;
  r.origin = node.origin;
  r.trailing_slash = trailing;
  r.ends_in_dot = ends_in_dot;
  r.last = stack.empty() ? std::string() : stack.back();
  if (r.type == NodeType::kSymlink) {
    // A host symlink's text is left to the caller (readlink reads it itself).
    if (node.unmapped) r.link_target = read_link(node.host).value_or("");
    else if (!node.target_pending) r.link_target = node.target;
  }
  if (trailing && req.slash_needs_dir && r.type != NodeType::kDir && r.type != NodeType::kMissing) return ENOTDIR;
  return r;
}

namespace {

// sentry's own view: no calling task; the synthetic trees are the host's.
class NoTaskContext : public WalkContext {
 public:
  explicit NoTaskContext(const MountTable& m) : mounts_(m) {}
  pid_t tgid() const override { return 0; }
  pid_t tid() const override { return 0; }
  proc_synth::Lookup classify(const std::string&) const override { return proc_synth::Lookup::kPassThrough; }
  std::optional<std::string> guest_path_of_host(const std::string& host) const override {
    return mounts_.guest_path_of(host);
  }

 private:
  const MountTable& mounts_;
};

}  // namespace

std::optional<std::string> host_path_for(const MountTable& mounts, const std::string& start, const std::string& path) {
  NoTaskContext ctx(mounts);
  WalkRequest req;
  req.start = start;
  req.path = path;
  auto r = walk(mounts, ctx, req);
  const Resolved* o = std::get_if<Resolved>(&r);
  if (o == nullptr || o->type == NodeType::kMissing) return std::nullopt;
  return o->host;
}

}  // namespace sentry::vfs
