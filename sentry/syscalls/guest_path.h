// The glue between a path-taking call and vfs/: reading the guest's path
// argument, finding the directory a relative path starts from (the cwd or a
// dirfd, both read from the host's /proc and mapped back into the guest's
// tree), and walking it with the caller's view of /proc.
#pragma once

#include <fcntl.h>
#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>

#include "sentry/kernel/kernel.h"
#include "sentry/supervisor/syscall.h"
#include "vfs/path_walk.h"

namespace sentry::syscalls {

// The walk's view of the model for calls of task `tid`.
class KernelWalkContext : public vfs::WalkContext {
 public:
  KernelWalkContext(const kernel::Kernel& k, pid_t tid);
  pid_t tgid() const override { return tgid_; }
  pid_t tid() const override { return tid_; }
  proc_synth::Lookup classify(const std::string& guest_path) const override;
  std::optional<std::string> guest_path_of_host(const std::string& host_path) const override;

 private:
  const kernel::Kernel& k_;
  pid_t tid_;
  pid_t tgid_;
};

// The guest path a host path stands for: a materialised synthetic directory,
// or a host path seen through a mount; nullopt if the guest cannot see it.
std::optional<std::string> guest_path_of_host(const kernel::Kernel& k, const std::string& host_path);

// The path string at `ptr`, or -errno: EFAULT (unreadable), ENAMETOOLONG (no
// NUL within PATH_MAX bytes).
std::variant<std::string, int> read_guest_path(const SyscallPtr& call, std::uint64_t ptr);

// The guest directory relative paths of `tid` start from for `dirfd`
// (AT_FDCWD: the cwd), or the errno Linux gives: EBADF, ENOTDIR; ENOENT for a
// deleted cwd; EACCES for a directory outside the guest's tree (an inherited
// descriptor the guest cannot name).
std::variant<std::string, int> start_directory(const kernel::Kernel& k, pid_t tid, int dirfd);

struct PathQuery {
  int dirfd = AT_FDCWD;
  std::string path;
  bool follow_last = true;
  bool slash_follows = true;    // vfs::WalkRequest
  bool slash_needs_dir = true;  // vfs::WalkRequest
  std::uint64_t resolve = 0;    // openat2's RESOLVE_* bits
};

// Walks `q` for the calling task: the object, or the errno Linux gives.
std::variant<vfs::Resolved, int> resolve(const kernel::Kernel& k, pid_t tid, const PathQuery& q);

// Reads the guest's path at `path_ptr` into a query; on failure answers the
// call with the errno (EFAULT, ENAMETOOLONG) and returns nullopt.
std::optional<PathQuery> path_query(const SyscallPtr& call, int dirfd, std::uint64_t path_ptr, bool follow_last);

// Walks `q` and hands the object to `op`, which answers the call and returns
// true, or returns false when its host operation met a symlink the walk had
// not seen (a racing guest thread): then the walk is redone, at most a few
// times before the call fails with ELOOP. Walk errors answer the call.
void walk_and_serve(const kernel::Kernel& k, const SyscallPtr& call, const PathQuery& q,
                    const std::function<bool(const vfs::Resolved&)>& op);

// The guest path of guest fd `fd` of `tid`; nullopt for objects with none
// (pipes, sockets, memfds, anything outside the guest's tree).
std::optional<std::string> guest_path_of_fd(const kernel::Kernel& k, pid_t tid, int fd);

// The calling process's umask (from the host's /proc/<tid>/status): sentry
// creates files for the guest, so the guest's umask applies, not sentry's
// (sentry runs with umask 0 while it serves a guest).
mode_t guest_umask(pid_t tid);

// The host fd of guest fd `fd` of `tid` as a /proc path sentry can open or
// stat ("/proc/<tid>/fd/<fd>"), for calls on the guest's own descriptor.
std::string host_fd_path(pid_t tid, int fd);

}  // namespace sentry::syscalls
