// Which guest paths under /proc, /sys and /dev the kernel model owns, and
// their content. The guest's /proc and /sys are the kernel's own, of its
// namespaces (vfs/namespace_builder.h); sentry's open handler
// (sentry/syscalls/sys_open.cc) asks for each path it reads under them, with
// /proc/self and /proc/thread-self expanded to the caller's namespace ids:
//
//   switch (lookup(p, source)):
//     kFile        a file the model owns: generate(p, source)->content,
//                  served as a sealed memfd.
//     kDir         a directory the model has a listing for (list_dir(p));
//                  the open goes to the kernel's directory for now (a FUSE
//                  view of these listings is future work, docs/vfs.md).
//     kNotFound    ENOENT, as on a kernel without the file; the coverage
//                  report records the path.
//     kPassThrough the kernel's entry of the same path.
//
// Pids in paths and content are the guest's PID-namespace ids; the
// ModelSource translates (kernel_view.h).
//
// Served paths (N = MachineConfig::cpus; <pid> a guest tid or tgid; another
// number is the kernel's, which knows only the guest's namespace):
//   /proc                         kDir: the names below, pass-through names
//                                 the host has, self, thread-self, the
//                                 guest's tgids
//   /proc/{cpuinfo,meminfo,stat,uptime,loadavg,version,filesystems}
//   /proc/sys/vm/overcommit_memory, /proc/sys/kernel/{pid_max,ostype,
//   osrelease,version}, /proc/sys/net/ipv6/bindv6only,
//   /proc/sys/net/core/somaxconn  (the rest of /proc/sys: pass-through)
//   /proc/<pid>/{status,stat,statm,cmdline,comm,limits,cgroup}, and the
//   same under /proc/<pid>/task/<tid>/ (mounts, mountinfo, maps and the
//   rest are the kernel's, which show the guest's tree)
//   /sys, /sys/devices, /sys/devices/system, /sys/fs, /sys/kernel,
//   /sys/kernel/mm                kDir (only what is listed here exists)
//   /sys/devices/system/cpu       kDir: cpu0..cpuN-1, online, possible,
//                                 present, enabled, offline, isolated,
//                                 kernel_max, smt/{active,control},
//                                 vulnerabilities (pass-through), modalias,
//                                 uevent (pass-through)
//   /sys/devices/system/cpu/cpuK  kDir (K < N): online (K > 0, as x86 has
//                                 no cpu0/online), topology/<16 files>
//   /sys/devices/system/node      kDir: online, possible, has_cpu,
//                                 has_memory, has_normal_memory, node0/
//                                 {cpulist,cpumap,distance}
//   /dev                          kDir: null zero full random urandom tty
//                                 ptmx pts shm mqueue hugepages fd stdin
//                                 stdout stderr log (all pass-through)
// Pass-through: /proc/<pid>/<every other per-process entry of Linux 6.x>
// (fd, environ, smaps, exe, cwd, root, mounts, maps...), the /proc entries
// listed in
// registry.cc (mounts, net, sys, interrupts, vmstat...), /sys/fs/cgroup,
// /sys/kernel/mm/transparent_hugepage, and everything below those.
// kNotFound: everything else under /proc, /sys and /dev, including
// /proc/{kcore,kmsg,sysrq-trigger,kallsyms,kpage*,timer_list}, cpuK for
// K >= N, cpufreq, cpuidle, /sys/bus, /sys/class, /sys/block, /dev/<disks>.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proc_synth/model_view.h"

namespace sentry::proc_synth {

enum class Lookup { kFile, kDir, kNotFound, kPassThrough };
enum class EntryType { kFile, kDir, kLink };  // DT_REG, DT_DIR, DT_LNK

struct DirEntry {
  std::string name;
  EntryType type = EntryType::kFile;
  friend bool operator==(const DirEntry&, const DirEntry&) = default;
};

// A served file's content and what Linux (as root) does with it besides
// reading from offset 0, for the glue to mimic. Measured on Linux 6.18.
struct Generated {
  std::string content;
  mode_t mode = 0444;              // the permission bits Linux shows
  std::uint64_t linux_st_size = 0;  // st_size on Linux: 0 in /proc, 4096 in /sys
  // open(O_WRONLY/O_RDWR) fails with this errno (0: it succeeds). /sys
  // read-only attributes and read-only sysctls: EACCES even for root.
  // Writable sysctls: EROFS, as a sandbox's read-only /proc/sys (the host's
  // value must not change).
  int open_write_errno = 0;
  // After a successful open for writing, write() fails with this errno:
  // EIO for /proc/{cpuinfo,meminfo,...} (proc_ops without proc_write),
  // EINVAL for /proc/<pid>/... files (no write method).
  int write_errno = 0;
  // lseek(SEEK_END) fails with EINVAL (seq_file-backed /proc files).
  bool seek_end_einval = false;
  // Integer sysctls (proc_dointvec): a read at any nonzero offset returns 0
  // bytes, so reading "4096\n" one byte at a time yields just "4".
  bool offset_reads_eof = false;
};

// What the registry asks of sentry. The glue implements it over the Kernel
// (kernel_view.h's KernelModelSource); tests implement it with fixed views.
class ModelSource {
 public:
  virtual ~ModelSource() = default;
  virtual int cpus() const = 0;  // MachineConfig::cpus (cheap: used by lookup)
  virtual MachineView machine() const = 0;
  // The thread group of guest task `tid`; nullopt if it is no guest task.
  virtual std::optional<pid_t> tgid_of(pid_t tid) const = 0;
  // Every live guest thread group, ascending.
  virtual std::vector<pid_t> tgids() const = 0;
  // `detail_tid`: the task whose host-derived fields (host_status,
  // host_stat, state, cpu) are needed; the other tasks may carry model data
  // only (reading the host's files of every thread for each file served
  // would make a walk over /proc/<pid>/task/*/stat quadratic). 0: all.
  virtual std::optional<ProcessView> process(pid_t tgid, pid_t detail_tid = 0) const = 0;
  // The host's entries of directory `dir` (for pass-through children of a
  // synthetic directory); empty if it has none or cannot be read.
  virtual std::vector<DirEntry> host_entries(const std::string& dir) const = 0;
};

Lookup lookup(std::string_view path, const ModelSource& source);

// The content of a kFile path; nullopt for any other path (or when the
// process vanished between lookup and generate: answer ENOENT then).
std::optional<Generated> generate(std::string_view path, const ModelSource& source);

// Where the model's files lie over the guest's own procfs: the paths
// proc_synth/model_fs.h's files are bound on (vfs/view_mounter.h).
struct ProcOverlay {
  std::vector<std::string> files;   // served files of the same path
  std::vector<std::string> absent;  // /proc names the guest's machine lacks (kcore...)
};
// Machine-wide: /proc/{cpuinfo,...}, the served sysctls, and every name of
// the host's /proc (source.host_entries) the registry calls kNotFound.
ProcOverlay machine_overlay(const ModelSource& source);
// Task `tid` of thread group `tgid` (guest ids): its files under
// /proc/<tgid>/task/<tid>/ and /proc/<tid>/; for the leader, also its
// /proc/<tgid>/net/ IPv6 files.
std::vector<std::string> task_overlay(pid_t tgid, pid_t tid);

// The permission bits Linux shows for a kFile path (Generated::mode, without
// generating the content); nullopt for any other path.
std::optional<mode_t> file_mode(std::string_view path, const ModelSource& source);

// The entries of a kDir path ("." and ".." excluded): synthetic entries plus
// the host's entries that are kPassThrough; nullopt for any other path.
std::optional<std::vector<DirEntry>> list_dir(std::string_view path, const ModelSource& source);

}  // namespace sentry::proc_synth
