#include "vfs/mount_table.h"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <climits>
#include <cstdlib>
#include <utility>

#include "vfs/path_walk.h"

namespace sentry::vfs {

namespace {

std::optional<std::string> canonical_dir(const std::string& path, std::string* error) {
  char buf[PATH_MAX];
  if (realpath(path.c_str(), buf) == nullptr) {
    *error = "cannot use '" + path + "': it does not exist or is not reachable";
    return std::nullopt;
  }
  return std::string(buf);
}

// The guest path of the host working directory if the guest can see it.
std::optional<std::string> guest_cwd(const MountTable& t, const std::string& host_cwd) {
  if (host_cwd.empty()) return std::nullopt;
  return t.guest_path_of(host_cwd);
}

}  // namespace

std::string normalise_lexically(std::string_view path) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view c = path.substr(i, j - i);
    i = j;
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(c);
  }
  std::string out;
  for (std::string_view c : parts) {
    out += '/';
    out += c;
  }
  return out.empty() ? "/" : out;
}

bool path_within(std::string_view path, std::string_view prefix) {
  if (prefix == "/") return !path.empty() && path[0] == '/';
  if (path.substr(0, prefix.size()) != prefix) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

std::optional<MountTable> MountTable::build(const MountOptions& opts, std::string* error) {
  MountTable t;
  auto root = canonical_dir(opts.root.empty() ? "/" : opts.root, error);
  if (!root) return std::nullopt;
  // The host's own tree keeps the host's ids; a --root tree is the guest's.
  Mount top{"/", *root, MountKind::kHost, !opts.root_writable, *root == "/" || opts.root_host_ids};
  top.idmap_optional = opts.root_idmap_optional;
  t.add(top);
  // Binds and tmpfs mounts, outer places first (a bind below a tmpfs lands
  // on it, whatever order they were given in).
  std::vector<Mount> placed;
  for (const std::string& spec : opts.tmpfs) {
    const std::size_t colon = spec.find(':');
    const std::string guest = spec.substr(0, colon);
    if (guest.empty() || guest[0] != '/' || normalise_lexically(guest) == "/") {
      *error = "tmpfs " + spec + ": the guest path must be absolute, and not /";
      return std::nullopt;
    }
    Mount m{normalise_lexically(guest), "tmpfs", MountKind::kTmpfs, false};
    if (colon != std::string::npos) m.tmpfs_options = spec.substr(colon + 1);
    placed.push_back(m);
  }
  for (const std::string& spec : opts.binds) {
    std::size_t c1 = spec.find(':');
    if (c1 == std::string::npos || c1 == 0) {
      *error = "--bind " + spec + ": expected HOST:GUEST[:OPTIONS]";
      return std::nullopt;
    }
    std::string host = spec.substr(0, c1);
    std::string rest = spec.substr(c1 + 1);
    bool ro = false;
    bool host_ids = false;
    if (std::size_t c2 = rest.rfind(':'); c2 != std::string::npos) {
      // OPTIONS: comma-separated ro | rw, hostids.
      std::string options = rest.substr(c2 + 1);
      rest = rest.substr(0, c2);
      std::size_t start = 0;
      do {
        const std::size_t comma = options.find(',', start);
        const std::string o = options.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (o == "ro" || o == "rw") {
          ro = o == "ro";
        } else if (o == "hostids") {
          host_ids = true;
        } else {
          *error = "--bind " + spec + ": options are ro or rw and hostids, not '" + o + "'";
          return std::nullopt;
        }
        start = comma == std::string::npos ? std::string::npos : comma + 1;
      } while (start != std::string::npos);
    }
    if (rest.empty() || rest[0] != '/') {
      *error = "--bind " + spec + ": the guest path must be absolute";
      return std::nullopt;
    }
    auto h = canonical_dir(host, error);
    if (!h) return std::nullopt;
    struct stat st;
    const bool file = ::stat(h->c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
    placed.push_back({normalise_lexically(rest), *h, MountKind::kHost, ro, host_ids, file});
  }
  auto depth = [](const std::string& g) { return g == "/" ? 0 : std::count(g.begin(), g.end(), '/'); };
  std::stable_sort(placed.begin(), placed.end(),
                   [&](const Mount& a, const Mount& b) { return depth(a.guest) < depth(b.guest); });
  for (Mount& m : placed) t.add(std::move(m));
  std::vector<std::string> writable = opts.rw;
  // The default /tmp is the host's shared one: writable with the host's ids,
  // so the guest is an ordinary user there (the sticky bit keeps other
  // users' and root's files from it).
  const bool default_places = writable.empty() && opts.default_places;
  if (default_places) {
    if (auto c = guest_cwd(t, opts.host_cwd); c && *c != "/") writable.push_back(*c);
    writable.push_back("/tmp");
  }
  writable.push_back("/dev/shm");
  const std::optional<std::string> cwd = guest_cwd(t, opts.host_cwd);
  // Guest paths, outer places first: a place inside another writable place
  // (the default working directory /tmp/work inside /tmp) is already
  // writable and adds no mount, so renames between them stay renames.
  std::vector<std::pair<std::string, std::string>> places;  // (guest path, as given)
  for (const std::string& w : writable) {
    if (w.empty() || (w[0] != '/' && !cwd)) {
      *error = "--rw " + w + ": a relative path needs a working directory inside the guest's tree";
      return std::nullopt;
    }
    // A relative --rw path is relative to the guest's working directory.
    places.emplace_back(normalise_lexically(w[0] == '/' ? w : *cwd + "/" + w), w);
  }
  std::stable_sort(places.begin(), places.end(),
                   [&](const auto& a, const auto& b) { return depth(a.first) < depth(b.first); });
  for (const auto& [g, w] : places) {
    if (g == "/dev/shm") {
      t.add({g, "/dev/shm", MountKind::kHost, false});
      continue;
    }
    // Walked in the guest's tree: a symlink on the way leads where it leads
    // for the guest (never to the host's directory of the same name), and the
    // place made writable is where it ends.
    auto h = host_path_for(t, "/", g);
    struct stat st;
    if (!h || stat(h->c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      if (opts.rw.empty()) continue;  // a default place the guest's tree lacks
      *error = "--rw " + w + ": no such directory in the guest's tree";
      return std::nullopt;
    }
    auto seen = t.guest_path_of(*h);
    const std::string where = seen ? *seen : g;
    const Mount& holder = t.find(where);
    const bool host_ids = default_places && g == "/tmp" && *root == "/";
    if (holder.kind == MountKind::kHost && !holder.read_only && holder.host_ids == host_ids &&
        host_path(holder, where) == *h)
      continue;
    t.add({where, *h, MountKind::kHost, false, host_ids});
  }
  if (!opts.program_dir.empty() && *root == "/") {
    std::error_code ec;
    const std::string dir = std::filesystem::weakly_canonical(opts.program_dir, ec).string();
    bool hidden = false;  // the directory or one on its way not searchable by others
    for (std::string step = dir; !ec && !step.empty();) {
      struct stat st;
      hidden = hidden || (::stat(step.c_str(), &st) == 0 && !(st.st_mode & S_IXOTH));
      step = step == "/" ? "" : step.substr(0, std::max<std::size_t>(step.rfind('/'), 1));
    }
    const Mount& holder = t.find(dir);
    if (!ec && hidden && holder.host_ids) t.add({dir, dir, MountKind::kHost, true, false});
  }
  for (const char* s : {"/proc", "/sys", "/dev"}) t.add({s, s, MountKind::kSynthetic, true});
  // /dev/shm was added before /dev: re-add it so it shadows the synthetic /dev.
  t.add({"/dev/shm", "/dev/shm", MountKind::kHost, false});
  return t;
}

MountTable MountTable::host_identity() {
  MountTable t;
  t.add({"/", "/", MountKind::kHost, false});
  return t;
}

void MountTable::add(Mount m) { mounts_.push_back(std::move(m)); }

const Mount& MountTable::find(std::string_view guest_path) const {
  const Mount* best = nullptr;
  for (const Mount& m : mounts_) {
    if (!path_within(guest_path, m.guest)) continue;
    if (best == nullptr || m.guest.size() >= best->guest.size()) best = &m;
  }
  return best != nullptr ? *best : mounts_.front();
}

std::string MountTable::host_path(const Mount& m, std::string_view guest_path) {
  std::string_view rest = guest_path.substr(m.guest == "/" ? 0 : m.guest.size());
  if (rest.empty() || rest == "/") return m.host;  // the mount point itself
  if (m.host == "/") return rest.empty() ? std::string("/") : std::string(rest);
  return m.host + std::string(rest);
}

std::optional<std::string> MountTable::guest_path_of(std::string_view host_path) const {
  std::optional<std::string> best;
  std::size_t best_len = 0;
  for (const Mount& m : mounts_) {
    if (!path_within(host_path, m.host)) continue;
    std::string_view rest = host_path.substr(m.host == "/" ? 0 : m.host.size());
    std::string guest = m.guest == "/" ? std::string(rest) : m.guest + std::string(rest);
    if (guest.empty()) guest = "/";
    if (&find(guest) != &m) continue;  // shadowed by another mount
    if (!best || m.host.size() > best_len) {
      best = guest;
      best_len = m.host.size();
    }
  }
  return best;
}

bool MountTable::identity(std::string_view guest_path) const {
  const Mount& m = find(guest_path);
  return m.host == m.guest && mounts_.front().host == "/";
}

}  // namespace sentry::vfs
