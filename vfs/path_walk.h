// Path resolution in the guest's tree, as Linux's namei does it: one component
// at a time from the root or a starting directory, ".." never above the guest's
// root, symlinks (at most 40 per lookup) expanded in guest space so that an
// absolute target starts again at the guest's root, and mount boundaries from
// the MountTable. Under the synthetic mounts (/proc, /sys, /dev) proc_synth/
// classifies each path; /proc's "magic" links (self, thread-self,
// <pid>/{cwd,root,exe,fd/N,map_files/X}) are expanded from what the kernel
// model knows, so "/proc/self/root/.." or "/proc/self/fd/3/.." stays inside.
// A magic link that names no guest path (a socket, a pipe, a memfd, a deleted
// file) can only be the last component: the object is reached through the
// host's /proc link itself.
//
// The walk reads the host tree (lstat, readlink) but never changes it. What it
// returns is a host path whose every directory was checked; callers operate
// on it with RESOLVE_NO_SYMLINKS (host_at.h) so that a symlink swapped in by a
// racing guest thread makes the call fail and retry, never escape.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <variant>

#include <memory>

#include "proc_synth/registry.h"
#include "vfs/host_at.h"
#include "vfs/mount_table.h"

namespace sentry::vfs {

// What the walk needs from the kernel model for one call.
class WalkContext {
 public:
  virtual ~WalkContext() = default;
  virtual pid_t tgid() const = 0;  // the caller's (for /proc/self)
  virtual pid_t tid() const = 0;   // (for /proc/thread-self)
  // proc_synth's classification of a normalised synthetic path.
  virtual proc_synth::Lookup classify(const std::string& guest_path) const = 0;
  // The guest path a host path stands for (a materialised synthetic
  // directory, or a host path visible through a mount); nullopt if none.
  virtual std::optional<std::string> guest_path_of_host(const std::string& host_path) const = 0;
};

enum class NodeType { kMissing, kDir, kRegular, kSymlink, kOther };

enum class Origin {
  kHost,         // a host file or directory on a kHost mount
  kSynthFile,    // a file proc_synth generates (host: the same path, maybe absent)
  kSynthDir,     // a directory proc_synth lists
  kPassThrough,  // a synthetic-tree path the host answers (host: same path)
  kMagic,        // a /proc link with no guest path (host: the /proc link)
};

struct Resolved {
  std::string guest;            // the object's guest path, every link resolved
  const Mount* mount = nullptr;
  std::string host;             // the host path to operate on
  NodeType type = NodeType::kMissing;
  Origin origin = Origin::kHost;
  bool trailing_slash = false;  // the path ended in "/" (must be a directory)
  bool ends_in_dot = false;     // its last component was "." or ".."
  std::string last;             // its last component ("" for "/")
  // kSymlink (a last component not followed) in the synthetic trees: what
  // readlink(2) shows: for /proc's magic links, the guest path they name, or
  // the host's text when they name none ("socket:[...]"). Empty for host
  // symlinks (reading one updates its atime; readlink reads it itself).
  std::string link_target;
  // Set by the fast path (a path on the root mount with no symlink, "." or
  // ".." on the way, proven by one openat2(RESOLVE_NO_SYMLINKS)): an O_PATH
  // fd of the object itself, so callers need not reach it again.
  std::shared_ptr<HostFd> pinned;
};

struct WalkRequest {
  std::string start = "/";   // guest directory relative paths start from
  std::string path;          // as the guest gave it (non-empty)
  bool follow_last = true;   // false: lstat/readlink/O_NOFOLLOW/unlink/...
  // A trailing "/" follows a last symlink (lookups), except for unlink,
  // rmdir and rename, which act on the entry itself.
  bool slash_follows = true;
  // A trailing "/" on an existing non-directory is ENOTDIR; creating calls
  // report their own errno (EEXIST, EISDIR) and set this false.
  bool slash_needs_dir = true;
  // openat2 RESOLVE_* semantics.
  bool beneath = false;      // never above `start`: EXDEV
  bool in_root = false;      // `start` is the root for this lookup
  bool no_symlinks = false;  // any symlink: ELOOP
  bool no_magiclinks = false;
  bool no_xdev = false;      // crossing a mount: EXDEV
};

// The object `req` names, or the errno Linux gives (ENOENT for a missing
// intermediate directory, ENOTDIR, ELOOP, ENAMETOOLONG, EACCES, EXDEV...).
// A missing last component is not an error: type kMissing, for creating calls.
std::variant<Resolved, int> walk(const MountTable& mounts, const WalkContext& ctx, const WalkRequest& req);

// The host path of an existing guest `path` (relative paths from guest
// directory `start`), every link followed, without a calling task (so no
// /proc/self): for sentry's own lookups, such as finding the program to run.
std::optional<std::string> host_path_for(const MountTable& mounts, const std::string& start, const std::string& path);

}  // namespace sentry::vfs
