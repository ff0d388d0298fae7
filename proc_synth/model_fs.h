// The model's files as a FUSE filesystem (libfuse3's low-level API), served
// by sentry's own loop. vfs/view_mounter.h binds its files into the guest's
// tree, so the guest's opens of them are ordinary forwarded calls that the
// kernel hands to this server:
//
//   /proc/<name>          a file the model owns (registry.h kFile), bound
//                         over the same path of the guest's real procfs:
//                         cpuinfo, meminfo, ..., a few sysctls, and per
//                         process /proc/<pid>/{status,stat,limits} (and
//                         task/<tid>/, /proc/<tid>/, net/ IPv6 files);
//   /sys                  the whole of the guest's /sys: the registry's
//                         directories and files, with its pass-through
//                         entries read from the guest's real sysfs (a
//                         detached clone sentry holds), so listings and stat
//                         follow the model (`--cpus 4` lists cpu0..cpu3);
//   /.absent              a file whose open fails with ENOENT, bound over
//                         the /proc entries the guest's machine lacks
//                         (kcore, kallsyms, timer_list...);
//   /slot/<n>/{status,stat}
//                         a task's files: slot n stands for a /proc
//                         directory (/proc/<pid> or /proc/<pid>/task/<tid>)
//                         that sentry assigns before binding it, and frees
//                         when the task is reaped (its binds are gone then).
//                         Reused slots are names the kernel has looked up
//                         already, so binding a new task's files makes no
//                         FUSE lookup once the pool is warm.
//
// Paths are the guest's, with its PID-namespace ids: the kernel's procfs
// resolved /proc/self before the bound file was reached. Content is
// generated at open and read from that snapshot, as seq_file does. Every
// open is told to `on_open` with the host tid of the caller (the report's
// per-program path variants).
//
// CAUTION: sentry must never touch this filesystem itself: its one thread is
// the server.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "proc_synth/registry.h"

struct fuse_session;
struct fuse_req;
struct fuse_file_info;
struct stat;

namespace sentry::proc_synth {

class ModelFs {
 public:
  using OpenObserver = std::function<void(pid_t host_tid, const std::string& path)>;

  // Serves `source` on `fuse_fd` (an open /dev/fuse; the filesystem on it is
  // mounted by someone else). nullptr with *error set if libfuse refuses.
  static std::unique_ptr<ModelFs> create(const ModelSource& source, int fuse_fd, std::string* error);
  ~ModelFs();

  // The guest's real sysfs (a detached clone): pass-through entries of /sys
  // are read from it. Taken over (closed by ModelFs).
  void set_sysfs(int fd);
  void set_open_observer(OpenObserver o) { on_open_ = std::move(o); }
  // Slot `n` stands for guest directory `dir` (see above); "" frees it.
  void set_slot(int n, const std::string& dir);

  int fd() const;
  // Answers every request pending on fd() without blocking. False once the
  // filesystem is gone (unmounted, or the connection aborted).
  bool process();

  // Why a path is what it is in this filesystem (exposed for tests).
  enum class Kind { kNone, kRoot, kDir, kFile, kAbsent, kHostDir, kHostFile, kHostLink };
  Kind classify(const std::string& path) const;

 private:
  struct Node {
    std::string path;
    Kind kind = Kind::kNone;
    std::uint64_t lookups = 0;
  };
  struct Handle {
    std::string content;
    bool offset_reads_eof = false;
    int write_errno = EINVAL;
    std::vector<std::pair<std::string, unsigned char>> entries;  // directories
  };

  explicit ModelFs(const ModelSource& source) : source_(source) {}
  static ModelFs& self(fuse_req* req);
  // Keeps `h` as the open file's (or directory's) handle and answers the open.
  void reply_open(fuse_req* req, fuse_file_info* fi, Handle h);
  Node* node(std::uint64_t ino);
  std::uint64_t intern(const std::string& path, Kind kind);
  // Regular files show size 0 (Linux shows 4096 for /sys attributes): a
  // private mapping of one then has no page to fault in, so no read of
  // guest memory by sentry can wait on this server (direct I/O reads
  // ignore the size).
  bool attributes(const Node& n, struct stat* st) const;
  std::optional<std::vector<std::pair<std::string, unsigned char>>> entries(const Node& n) const;
  std::string host_rel(const std::string& path) const;  // "/sys/a/b" -> "a/b"
  // The registry path a node path stands for ("" for an unassigned slot).
  std::string model_path(const std::string& path) const;

  // The low-level operations (fuse_lowlevel_ops).
  static void op_lookup(fuse_req* req, std::uint64_t parent, const char* name);
  static void op_forget(fuse_req* req, std::uint64_t ino, std::uint64_t nlookup);
  static void op_getattr(fuse_req* req, std::uint64_t ino, fuse_file_info* fi);
  static void op_readlink(fuse_req* req, std::uint64_t ino);
  static void op_open(fuse_req* req, std::uint64_t ino, fuse_file_info* fi);
  static void op_read(fuse_req* req, std::uint64_t ino, std::size_t size, off_t off, fuse_file_info* fi);
  static void op_write(fuse_req* req, std::uint64_t ino, const char* buf, std::size_t size, off_t off,
                       fuse_file_info* fi);
  static void op_release(fuse_req* req, std::uint64_t ino, fuse_file_info* fi);
  static void op_ioctl(fuse_req* req, std::uint64_t ino, unsigned int cmd, void* arg, fuse_file_info* fi,
                       unsigned flags, const void* in_buf, std::size_t in_bufsz, std::size_t out_bufsz);
  static void op_opendir(fuse_req* req, std::uint64_t ino, fuse_file_info* fi);
  static void op_readdir(fuse_req* req, std::uint64_t ino, std::size_t size, off_t off, fuse_file_info* fi);

  const ModelSource& source_;
  fuse_session* session_ = nullptr;
  int sysfs_ = -1;
  OpenObserver on_open_;
  std::unordered_map<std::uint64_t, Node> nodes_;
  std::unordered_map<std::string, std::uint64_t> by_path_;
  std::uint64_t next_ino_ = 2;  // 1 is FUSE_ROOT_ID
  std::map<std::uint64_t, Handle> handles_;
  std::unordered_map<int, std::string> slots_;
  std::uint64_t next_handle_ = 1;
  void* buf_mem_ = nullptr;  // libfuse's receive buffer
  std::size_t buf_size_ = 0;
};

}  // namespace sentry::proc_synth
