// The guest's mount table: which host directory (or synthetic tree) each guest
// path lives on, and whether it may be written. Guest paths are absolute,
// normalised ("/a/b", no ".", "..", "//" or trailing slash except "/"), with
// every symlink already resolved by the path walk (path_walk.h); the table
// itself never touches the host.
//
// A mount covers its guest path and everything below it unless a later mount
// covers a longer prefix (the innermost mount wins, as in Linux). Host
// directories are canonical (realpath'd when the table is built), so a host
// path made from a mount has no symlink in it that the guest did not resolve.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sentry::vfs {

enum class MountKind {
  kHost,       // a host directory
  kSynthetic,  // /proc, /sys, /dev: proc_synth/ decides per path
  kTmpfs,      // a new tmpfs, the guest root's (an OCI bundle's /run, /tmp)
};

struct Mount {
  std::string guest;  // mount point in the guest
  std::string host;   // kHost: the host directory; kSynthetic: the same path on the host
  MountKind kind = MountKind::kHost;
  bool read_only = true;
  // Shown with the host's ids (the host's own tree, the shared /tmp): the
  // guest's root is nobody there. Otherwise (what the user granted: --root,
  // binds, --rw, the working directory) idmapped: host root's files are the
  // guest root's (vfs/namespace_builder.h).
  bool host_ids = false;
  // A bind of one file (a --bind of a file, an OCI bundle's /etc/hosts).
  bool file = false;
  // Idmapped where the filesystem allows it, else shown with the host's ids
  // (an OCI root on overlayfs, which cannot be idmapped).
  bool idmap_optional = false;
  std::string tmpfs_options;  // kTmpfs: "mode=755,size=65536k"
};

// What `sentry run` asks for (--root, --bind, --rw).
struct MountOptions {
  std::string root = "/";            // host directory that is the guest's "/"
  // "HOST:GUEST[:OPTIONS]"; HOST a directory or a file. OPTIONS, comma
  // separated: ro or rw (default rw); hostids: shown with the host's ids
  // (the guest's root is nobody there) instead of idmapped.
  std::vector<std::string> binds;
  std::vector<std::string> tmpfs;    // "GUEST[:OPTIONS]": a new tmpfs (OPTIONS: mode=, size=, nr_inodes=)
  std::vector<std::string> rw;       // guest paths made writable (bind on themselves);
                                     // relative ones from the guest's working directory
  std::string host_cwd;              // sentry's working directory (default writable place)
  // The directory of the program `sentry run` was given by path (host path;
  // empty for a PATH search). Where the host's tree would hide it from an
  // unprivileged guest (a directory on the way others may not search), it
  // is granted read-only, so the program the user named can run.
  std::string program_dir;
  // The root tree itself writable (an OCI bundle's root.readonly false).
  bool root_writable = false;
  // An OCI root: its files already carry the container's host ids (a bundle
  // with a user namespace: root_host_ids), or it is idmapped if its
  // filesystem allows (else shown with the host's ids).
  bool root_host_ids = false;
  bool root_idmap_optional = false;
  // false: no default writable places (working directory, /tmp) when no
  // --rw is given; only what the options grant (an OCI bundle's mounts).
  bool default_places = true;
};

class MountTable {
 public:
  // The table for `opts`, or an error message for the user. Writable by
  // default (when no --rw is given): the working directory (if it lies in the
  // guest's tree and is not its root) and /tmp; /dev/shm is always writable.
  static std::optional<MountTable> build(const MountOptions& opts, std::string* error);
  // A table with the whole host tree at "/", writable (unit tests).
  static MountTable host_identity();

  void add(Mount m);
  // The innermost mount holding `guest_path`.
  const Mount& find(std::string_view guest_path) const;
  // The host path of `guest_path` on mount `m` (which must hold it).
  static std::string host_path(const Mount& m, std::string_view guest_path);
  // The guest path at which host path `host_path` is visible (the innermost
  // visible mount wins); nullopt when the guest cannot see it.
  std::optional<std::string> guest_path_of(std::string_view host_path) const;
  // Whether the guest's "/" is the host's "/" with no mount renaming anything
  // in between, so that every guest path is the same host path.
  bool identity(std::string_view guest_path) const;
  const std::vector<Mount>& mounts() const { return mounts_; }

 private:
  std::vector<Mount> mounts_;  // in order of addition; later shadows earlier
};

// "/a//b/./c/" -> "/a/b/c"; ".." is removed lexically (only for paths that
// contain no symlinks). `path` must be absolute.
std::string normalise_lexically(std::string_view path);
// Whether `path` is `prefix` or below it (both normalised).
bool path_within(std::string_view path, std::string_view prefix);

}  // namespace sentry::vfs
