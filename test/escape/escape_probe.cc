// escape_probe: tries to get out of its root directory and to write into the
// read-only part of it, and prints one line per attempt:
//
//     <case-name> <result>
//
// where <result> is `ok` (possibly followed by what was read or seen) or the
// errno name of the failure (EROFS, EXDEV, ENOENT, ...). A read that returns
// the content of the secret outside the root prints `LEAK`.
//
// The probe never judges: it prints what the kernel (or sentry) answered, and
// run_escape.sh compares that, line by line, with the same probe run natively
// in the equivalent chroot with read-only bind mounts. Native Linux is the
// reference because `sentry run --root DIR --rw ...` promises exactly the
// semantics of that chroot: same path resolution (".." stops at the root,
// symlinks are resolved relative to the root, /proc magic links point into the
// root), same errno precedence (EEXIST before EROFS for mkdir, EROFS before
// ENOENT for unlink, EXDEV before EROFS for cross-mount rename/link), and each
// --rw path is its own mount (so renames between /w and /tmp give EXDEV).
//
// Layout expected inside the root (made by run_escape.sh):
//   /bin/escape_probe   this program (static: the root holds no libraries)
//   /w                  writable (its own mount)
//   /tmp                writable (its own mount)
//   /r/data             read-only, content "data\n"
//   /proc               procfs
//   /w/abs_out -> /../../../../../outside/secret      (absolute symlink)
//   /w/rel_out -> ../../../../../../outside/secret    (relative symlink)
//   /w/to_r    -> /r/data
// Outside the root: <root>/../outside/secret with content "SECRET\n".
//
// The probe also makes a few symlinks of its own in /w (reported as cases).
// It exits 0 after printing a final "probe_end ok" line; the driver treats a
// missing final line as a crash.
//
// Raw syscalls are used wherever glibc could add behaviour of its own
// (getcwd, getdents64, openat2, statfs, ...), so the lines show the syscall's
// own answer.
#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/socket.h>
#include <sys/statvfs.h>  // ST_RDONLY
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

const char kSecret[] = "SECRET\n";

// ---------------------------------------------------------------------------
// Output helpers

const char* errno_name(int e) {
  switch (e) {
#define E(x) \
  case x:    \
    return #x;
    E(EPERM) E(ENOENT) E(ESRCH) E(EINTR) E(EIO) E(ENXIO) E(E2BIG) E(ENOEXEC)
    E(EBADF) E(ECHILD) E(EAGAIN) E(ENOMEM) E(EACCES) E(EFAULT) E(ENOTBLK)
    E(EBUSY) E(EEXIST) E(EXDEV) E(ENODEV) E(ENOTDIR) E(EISDIR) E(EINVAL)
    E(ENFILE) E(EMFILE) E(ENOTTY) E(ETXTBSY) E(EFBIG) E(ENOSPC) E(ESPIPE)
    E(EROFS) E(EMLINK) E(EPIPE) E(ERANGE) E(ENAMETOOLONG) E(ENOSYS)
    E(ENOTEMPTY) E(ELOOP) E(ENODATA) E(EOPNOTSUPP)
    E(EOVERFLOW) E(ESTALE) E(EDQUOT) E(EPROTO) E(ENOTCONN)
#undef E
    default:
      return nullptr;
  }
}

std::string err_str(int e) {
  const char* n = errno_name(e);
  return n ? n : "errno" + std::to_string(e);
}

void emit(const std::string& name, const std::string& result) {
  std::printf("%s %s\n", name.c_str(), result.c_str());
  std::fflush(stdout);
}

// rc < 0 (as returned by raw syscall(), with errno set) -> errno name.
void emit_rc(const std::string& name, long rc) {
  emit(name, rc < 0 ? err_str(errno) : "ok");
}

// Printable form of file content: "data\n" -> "data", others escaped, short.
std::string printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s.substr(0, 32)) {
    if (c == '\n') out += "\\n";
    else if (c > ' ' && c < 127) out += static_cast<char>(c);
    else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  if (out.size() > 2 && out.substr(out.size() - 2) == "\\n") out.resize(out.size() - 2);
  return out.empty() ? "<empty>" : out;
}

// Reads an fd fully and closes it; returns "LEAK" for the outside secret,
// else "ok read=<content>".
std::string read_result(int fd) {
  std::string content;
  char buf[256];
  for (;;) {
    long n = syscall(SYS_read, fd, buf, sizeof buf);
    if (n < 0) {
      int e = errno;
      syscall(SYS_close, fd);
      return "ok read_error=" + err_str(e);
    }
    if (n == 0) break;
    content.append(buf, static_cast<size_t>(n));
    if (content.size() > 4096) break;
  }
  syscall(SYS_close, fd);
  if (content == kSecret) return "LEAK";
  return "ok read=" + printable(content);
}

// ---------------------------------------------------------------------------
// Syscall wrappers (raw; return -1 with errno like syscall(2))

long sys_openat(int dirfd, const char* path, int flags, mode_t mode = 0) {
  return syscall(SYS_openat, dirfd, path, flags, mode);
}

long sys_openat2(int dirfd, const char* path, unsigned long long flags,
                 unsigned long long resolve, unsigned long long mode = 0) {
  open_how how{};
  how.flags = flags;
  how.mode = mode;
  how.resolve = resolve;
  return syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

// Opens for reading and reports (read result or errno).
void try_read(const std::string& name, int dirfd, const char* path) {
  long fd = sys_openat(dirfd, path, O_RDONLY | O_CLOEXEC);
  emit(name, fd < 0 ? err_str(errno) : read_result(static_cast<int>(fd)));
}

// Opens with the given flags; on success closes and reports ok (no read).
void try_open(const std::string& name, int dirfd, const char* path, int flags,
              mode_t mode = 0644) {
  long fd = sys_openat(dirfd, path, flags | O_CLOEXEC, mode);
  if (fd >= 0) syscall(SYS_close, fd);
  emit_rc(name, fd);
}

void try_openat2_read(const std::string& name, int dirfd, const char* path,
                      unsigned long long resolve, int flags = O_RDONLY) {
  long fd = sys_openat2(dirfd, path, flags | O_CLOEXEC, resolve);
  if (fd < 0) {
    emit(name, errno == ENOSYS ? "ENOSYS" : err_str(errno));
    return;
  }
  if ((flags & O_ACCMODE) == O_RDONLY && !(flags & O_DIRECTORY))
    emit(name, read_result(static_cast<int>(fd)));
  else {
    syscall(SYS_close, fd);
    emit(name, "ok");
  }
}

// stat: "ok <type> size=N" or errno; a size of 7 would be the secret.
void try_stat(const std::string& name, const char* path, bool follow = true) {
  struct stat st {};
  long rc = syscall(SYS_newfstatat, AT_FDCWD, path, &st, follow ? 0 : AT_SYMLINK_NOFOLLOW);
  if (rc < 0) {
    emit(name, err_str(errno));
    return;
  }
  const char* type = S_ISREG(st.st_mode)   ? "reg"
                     : S_ISDIR(st.st_mode) ? "dir"
                     : S_ISLNK(st.st_mode) ? "lnk"
                                           : "other";
  // Directory sizes depend on the host filesystem; print them only for files.
  emit(name, std::string("ok ") + type +
                 (S_ISREG(st.st_mode) ? " size=" + std::to_string(st.st_size) : ""));
}

void try_readlink(const std::string& name, const char* path) {
  char buf[4096];
  long n = syscall(SYS_readlinkat, AT_FDCWD, path, buf, sizeof buf - 1);
  emit(name, n < 0 ? err_str(errno) : std::string("ok ") + std::string(buf, static_cast<size_t>(n)));
}

std::string cwd_result() {
  char buf[4096];
  long n = syscall(SYS_getcwd, buf, sizeof buf);
  if (n < 0) return err_str(errno);
  return std::string("ok ") + buf;  // the kernel NUL-terminates
}

bool same_inode(const char* a, const char* b) {
  struct stat sa {}, sb {};
  if (stat(a, &sa) != 0 || stat(b, &sb) != 0) return false;
  return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

// Sorted entry names of a directory (without "." and ".."), comma-separated.
std::string list_dir(const char* path) {
  long fd = sys_openat(AT_FDCWD, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return err_str(errno);
  std::vector<std::string> names;
  alignas(8) char buf[8192];
  for (;;) {
    long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
    if (n < 0) {
      int e = errno;
      syscall(SYS_close, fd);
      return err_str(e);
    }
    if (n == 0) break;
    for (long off = 0; off < n;) {
      auto* d = reinterpret_cast<struct dirent64*>(buf + off);
      std::string nm = d->d_name;
      if (nm != "." && nm != "..") names.push_back(nm);
      off += d->d_reclen;
    }
  }
  syscall(SYS_close, fd);
  std::sort(names.begin(), names.end());
  std::string out = "ok ";
  for (size_t i = 0; i < names.size(); ++i) out += (i ? "," : "") + names[i];
  return out;
}

void back_to_root() {
  if (syscall(SYS_chdir, "/") != 0) {
    std::printf("probe_error chdir(/) %s\n", err_str(errno).c_str());
  }
}

// ---------------------------------------------------------------------------
// Case groups

// Symlinks the probe adds to /w (the writable area) for later cases.
void make_own_symlinks() {
  emit_rc("mk_symlink_loop", syscall(SYS_symlinkat, "loop", AT_FDCWD, "/w/loop"));
  emit_rc("mk_symlink_rdir", syscall(SYS_symlinkat, "/r", AT_FDCWD, "/w/rdir"));
  emit_rc("mk_symlink_out_dir", syscall(SYS_symlinkat, "../../../../outside", AT_FDCWD, "/w/out_dir"));
  emit_rc("mk_symlink_dangle_r", syscall(SYS_symlinkat, "/r/new_via_dangle", AT_FDCWD, "/w/dangle_r"));
  emit_rc("mk_symlink_dangle_out", syscall(SYS_symlinkat, "/../../outside/pwned", AT_FDCWD, "/w/dangle_out"));
  emit_rc("mk_symlink_proc_root", syscall(SYS_symlinkat, "/proc/self/root", AT_FDCWD, "/w/proc_root"));
}

// ".." at the root must stay at the root, whichever way the path is spelled.
void cases_dotdot() {
  back_to_root();
  try_read("read_dotdot_from_root", AT_FDCWD, "../../../../outside/secret");
  try_read("read_abs_dotdot", AT_FDCWD, "/../../../../outside/secret");
  try_read("read_w_dotdot", AT_FDCWD, "/w/../../../outside/secret");
  try_stat("stat_w_dotdot", "/w/../../../outside/secret");
  try_stat("stat_dotdot_outside_dir", "/../outside");
  emit("chdir_w", syscall(SYS_chdir, "/w") < 0 ? err_str(errno) : "ok");
  try_read("read_dotdot_from_w", AT_FDCWD, "../../../../outside/secret");
  try_read("read_dotdot_r_from_w", AT_FDCWD, "../r/data");
  back_to_root();
}

// Symlinks are resolved against the guest root, absolute or relative.
void cases_symlinks() {
  try_read("read_abs_out", AT_FDCWD, "/w/abs_out");
  try_read("read_rel_out", AT_FDCWD, "/w/rel_out");
  try_stat("stat_abs_out", "/w/abs_out");
  try_stat("stat_rel_out", "/w/rel_out");
  try_stat("lstat_abs_out", "/w/abs_out", false);
  try_readlink("readlink_abs_out", "/w/abs_out");
  try_readlink("readlink_rel_out", "/w/rel_out");
  try_read("read_out_dir_secret", AT_FDCWD, "/w/out_dir/secret");
  try_stat("stat_out_dir", "/w/out_dir");
  try_read("read_to_r", AT_FDCWD, "/w/to_r");
  try_read("read_proc_root_symlink_r_data", AT_FDCWD, "/w/proc_root/r/data");
  try_read("read_proc_root_symlink_dotdot", AT_FDCWD, "/w/proc_root/../outside/secret");
  try_open("open_nofollow_abs_out", AT_FDCWD, "/w/abs_out", O_RDONLY | O_NOFOLLOW);
  try_open("open_path_nofollow_abs_out", AT_FDCWD, "/w/abs_out", O_PATH | O_NOFOLLOW);
  try_open("open_loop", AT_FDCWD, "/w/loop", O_RDONLY);
}

// A directory fd does not let ".." climb above the root either.
void cases_dirfd() {
  long wfd = sys_openat(AT_FDCWD, "/w", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  emit_rc("open_dir_w", wfd);
  if (wfd < 0) return;
  int w = static_cast<int>(wfd);
  try_read("openat_wfd_dotdot", w, "../../../outside/secret");
  try_read("openat_wfd_abs_out", w, "abs_out");
  try_read("openat_wfd_rel_out", w, "rel_out");
  try_read("openat_wfd_dotdot_r", w, "../r/data");
  emit("fchdir_wfd", syscall(SYS_fchdir, w) < 0 ? err_str(errno) : "ok");
  emit("chdir_dotdot3_from_wfd", syscall(SYS_chdir, "../../..") < 0 ? err_str(errno) : "ok");
  emit("getcwd_after_fchdir_dotdot", cwd_result());
  syscall(SYS_close, w);
  back_to_root();
}

// /proc magic links point into the guest's root, never at the host's.
void cases_proc() {
  back_to_root();
  try_read("read_proc_self_root_dotdot", AT_FDCWD, "/proc/self/root/../../outside/secret");
  try_read("read_proc_self_root_r_data", AT_FDCWD, "/proc/self/root/r/data");
  try_readlink("readlink_proc_self_root", "/proc/self/root");
  emit("proc_self_root_dotdot_is_root", same_inode("/proc/self/root/..", "/") ? "ok same" : "ok differs");

  emit("chdir_w", syscall(SYS_chdir, "/w") < 0 ? err_str(errno) : "ok");
  try_read("read_proc_self_cwd_dotdot", AT_FDCWD, "/proc/self/cwd/../../../outside/secret");
  try_readlink("readlink_proc_self_cwd", "/proc/self/cwd");
  back_to_root();

  long wfd = sys_openat(AT_FDCWD, "/w", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (wfd >= 0) {
    std::string fdpath = "/proc/self/fd/" + std::to_string(wfd);
    try_read("read_proc_self_fd_wfd_dotdot", AT_FDCWD, (fdpath + "/../../outside/secret").c_str());
    try_readlink("readlink_proc_self_fd_wfd", fdpath.c_str());
    try_read("read_proc_thread_self_fd_wfd_dotdot", AT_FDCWD,
             ("/proc/thread-self/fd/" + std::to_string(wfd) + "/../../outside/secret").c_str());
    syscall(SYS_close, wfd);
  }
  try_readlink("readlink_proc_self_exe", "/proc/self/exe");

  long dfd = sys_openat(AT_FDCWD, "/r/data", O_RDONLY | O_CLOEXEC);
  if (dfd >= 0) {
    std::string p = "/proc/self/fd/" + std::to_string(dfd);
    try_readlink("readlink_proc_self_fd_r_data", p.c_str());
    // Reopening a read-only fd for writing through /proc is still a write.
    try_open("reopen_proc_fd_r_data_rdwr", AT_FDCWD, p.c_str(), O_RDWR);
    syscall(SYS_close, dfd);
  }
  long pfd = sys_openat(AT_FDCWD, "/r/data", O_PATH | O_CLOEXEC);
  if (pfd >= 0) {
    std::string p = "/proc/self/fd/" + std::to_string(pfd);
    try_open("reopen_proc_opath_r_data_wronly", AT_FDCWD, p.c_str(), O_WRONLY);
    try_read("reopen_proc_opath_r_data_rdonly", AT_FDCWD, p.c_str());
    syscall(SYS_close, pfd);
  }
  try_open("open_proc_self_root_r_data_wronly", AT_FDCWD, "/proc/self/root/r/data", O_WRONLY);
}

// chdir/getcwd never show or reach anything above the root.
void cases_cwd() {
  back_to_root();
  emit("chdir_w_dotdot3", syscall(SYS_chdir, "/w/../../..") < 0 ? err_str(errno) : "ok");
  emit("getcwd_after_w_dotdot3", cwd_result());
  back_to_root();
  long rc = 0;
  for (int i = 0; i < 12 && rc == 0; ++i) rc = syscall(SYS_chdir, "..");
  emit_rc("chdir_dotdot_x12", rc);
  emit("getcwd_after_dotdot_x12", cwd_result());
  try_read("read_outside_after_dotdot_x12", AT_FDCWD, "outside/secret");
  back_to_root();
  emit("root_dotdot_is_root", same_inode("/..", "/") ? "ok same" : "ok differs");
  emit("list_root", list_dir("/"));
  emit("list_root_dotdot", list_dir("/.."));
  emit("list_r", list_dir("/r"));
}

// openat2(2) resolution restrictions must be honoured, relative to the dirfd.
void cases_openat2() {
  long wfd = sys_openat(AT_FDCWD, "/w", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  long rootfd = sys_openat(AT_FDCWD, "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  long rfd = sys_openat(AT_FDCWD, "/r", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (wfd < 0 || rootfd < 0 || rfd < 0) {
    emit("openat2_setup", err_str(errno));
    return;
  }
  int w = static_cast<int>(wfd), root = static_cast<int>(rootfd), r = static_cast<int>(rfd);
  // RESOLVE_BENEATH: anything leaving the dirfd (.., absolute path, absolute
  // symlink, relative symlink climbing out) is EXDEV.
  try_openat2_read("openat2_beneath_w_dotdot_r_data", w, "../r/data", RESOLVE_BENEATH);
  try_openat2_read("openat2_beneath_w_abs_r_data", w, "/r/data", RESOLVE_BENEATH);
  try_openat2_read("openat2_beneath_w_abs_out", w, "abs_out", RESOLVE_BENEATH);
  try_openat2_read("openat2_beneath_w_rel_out", w, "rel_out", RESOLVE_BENEATH);
  try_openat2_read("openat2_beneath_w_to_r", w, "to_r", RESOLVE_BENEATH);
  try_openat2_read("openat2_beneath_root_r_data", root, "r/data", RESOLVE_BENEATH);
  try_openat2_read("openat2_beneath_root_dotdot", root, "../outside/secret", RESOLVE_BENEATH);
  // RESOLVE_IN_ROOT: the dirfd is the root; ".." and absolute paths stay inside.
  try_openat2_read("openat2_in_root_w_abs_dotdot_secret", w, "/../../outside/secret", RESOLVE_IN_ROOT);
  try_openat2_read("openat2_in_root_w_dotdot_r_data", w, "../r/data", RESOLVE_IN_ROOT);
  try_openat2_read("openat2_in_root_w_abs_out", w, "abs_out", RESOLVE_IN_ROOT);
  try_openat2_read("openat2_in_root_w_rel_out", w, "rel_out", RESOLVE_IN_ROOT);
  try_openat2_read("openat2_in_root_w_to_r", w, "to_r", RESOLVE_IN_ROOT);
  try_openat2_read("openat2_in_root_root_abs_out", root, "/w/abs_out", RESOLVE_IN_ROOT);
  try_openat2_read("openat2_in_root_r_data_wronly", r, "data", RESOLVE_IN_ROOT, O_WRONLY);
  // Symlink / magic-link / mount-crossing restrictions.
  try_openat2_read("openat2_no_symlinks_to_r", AT_FDCWD, "/w/to_r", RESOLVE_NO_SYMLINKS);
  try_openat2_read("openat2_no_magiclinks_proc_root", AT_FDCWD, "/proc/self/root/r/data", RESOLVE_NO_MAGICLINKS);
  try_openat2_read("openat2_no_xdev_root_r_data", root, "r/data", RESOLVE_NO_XDEV);
  try_openat2_read("openat2_no_xdev_root_w", root, "w", RESOLVE_NO_XDEV, O_RDONLY | O_DIRECTORY);
  try_openat2_read("openat2_no_xdev_root_proc", root, "proc/self", RESOLVE_NO_XDEV, O_RDONLY | O_DIRECTORY);
  try_openat2_read("openat2_no_xdev_w_dotdot", w, "..", RESOLVE_NO_XDEV, O_RDONLY | O_DIRECTORY);
  syscall(SYS_close, w);
  syscall(SYS_close, root);
  syscall(SYS_close, r);
}

// Every write into /r fails (EROFS, unless Linux checks something else first).
void cases_ro_writes() {
  back_to_root();
  // open(2) variants
  try_open("open_r_data_wronly", AT_FDCWD, "/r/data", O_WRONLY);
  try_open("open_r_data_rdwr", AT_FDCWD, "/r/data", O_RDWR);
  try_open("open_r_data_rdonly_trunc", AT_FDCWD, "/r/data", O_RDONLY | O_TRUNC);
  try_open("open_r_data_wronly_trunc", AT_FDCWD, "/r/data", O_WRONLY | O_TRUNC);
  try_open("open_r_data_append", AT_FDCWD, "/r/data", O_WRONLY | O_APPEND);
  try_open("open_r_data_creat_rdonly", AT_FDCWD, "/r/data", O_RDONLY | O_CREAT);
  try_open("open_r_data_creat_excl", AT_FDCWD, "/r/data", O_WRONLY | O_CREAT | O_EXCL);
  try_open("open_r_new_creat", AT_FDCWD, "/r/new", O_WRONLY | O_CREAT);
  try_open("open_r_dir_wronly", AT_FDCWD, "/r", O_WRONLY);
  try_open("open_r_dir_creat", AT_FDCWD, "/r", O_RDONLY | O_CREAT);
  try_open("open_r_tmpfile", AT_FDCWD, "/r", O_TMPFILE | O_RDWR);
  try_open("open_to_r_wronly", AT_FDCWD, "/w/to_r", O_WRONLY);
  try_open("open_w_dotdot_r_data_rdwr", AT_FDCWD, "/w/../r/data", O_RDWR);
  try_open("open_rdir_new_creat", AT_FDCWD, "/w/rdir/new", O_WRONLY | O_CREAT);
  try_open("open_dangle_r_creat", AT_FDCWD, "/w/dangle_r", O_WRONLY | O_CREAT);
  try_open("open_dangle_r_creat_excl", AT_FDCWD, "/w/dangle_r", O_WRONLY | O_CREAT | O_EXCL);
  long rfd = sys_openat(AT_FDCWD, "/r", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rfd >= 0) {
    try_open("openat_opath_rfd_data_wronly", static_cast<int>(rfd), "data", O_WRONLY);
    emit_rc("mkdirat_opath_rfd_x", syscall(SYS_mkdirat, rfd, "x", 0755));
    syscall(SYS_close, rfd);
  }
  // namespace operations
  emit_rc("mkdir_r_x", syscall(SYS_mkdirat, AT_FDCWD, "/r/x", 0755));
  emit_rc("mkdir_r", syscall(SYS_mkdirat, AT_FDCWD, "/r", 0755));
  emit_rc("mkdir_r_data_x", syscall(SYS_mkdirat, AT_FDCWD, "/r/data/x", 0755));
  emit_rc("mkdir_rdir_x", syscall(SYS_mkdirat, AT_FDCWD, "/w/rdir/x", 0755));
  emit_rc("unlink_r_data", syscall(SYS_unlinkat, AT_FDCWD, "/r/data", 0));
  emit_rc("unlink_r_missing", syscall(SYS_unlinkat, AT_FDCWD, "/r/missing", 0));
  emit_rc("unlink_r_dir", syscall(SYS_unlinkat, AT_FDCWD, "/r", 0));
  emit_rc("rmdir_r", syscall(SYS_unlinkat, AT_FDCWD, "/r", AT_REMOVEDIR));
  emit_rc("rmdir_w_mountpoint", syscall(SYS_unlinkat, AT_FDCWD, "/w", AT_REMOVEDIR));
  emit_rc("rmdir_root", syscall(SYS_unlinkat, AT_FDCWD, "/", AT_REMOVEDIR));
  emit_rc("rename_r_data_r_data2", syscall(SYS_renameat2, AT_FDCWD, "/r/data", AT_FDCWD, "/r/data2", 0));
  emit_rc("rename_r_data_r_data_same", syscall(SYS_renameat2, AT_FDCWD, "/r/data", AT_FDCWD, "/r/data", 0));
  emit_rc("link_r_data_r_l", syscall(SYS_linkat, AT_FDCWD, "/r/data", AT_FDCWD, "/r/l", 0));
  emit_rc("symlink_r_s", syscall(SYS_symlinkat, "x", AT_FDCWD, "/r/s"));
  emit_rc("symlink_r_data_exists", syscall(SYS_symlinkat, "x", AT_FDCWD, "/r/data"));
  emit_rc("mknod_fifo_r", syscall(SYS_mknodat, AT_FDCWD, "/r/fifo", S_IFIFO | 0644, 0));
  // attribute operations
  emit_rc("chmod_r_data", syscall(SYS_fchmodat, AT_FDCWD, "/r/data", 0600));
  emit_rc("chmod_r_dir", syscall(SYS_fchmodat, AT_FDCWD, "/r", 0700));
  emit_rc("chmod_to_r", syscall(SYS_fchmodat, AT_FDCWD, "/w/to_r", 0600));
  emit_rc("chown_r_data_own_ids",
          syscall(SYS_fchownat, AT_FDCWD, "/r/data", getuid(), getgid(), 0));
  emit_rc("chown_r_data_minus1",
          syscall(SYS_fchownat, AT_FDCWD, "/r/data", static_cast<uid_t>(-1), static_cast<gid_t>(-1), 0));
  emit_rc("truncate_r_data", syscall(SYS_truncate, "/r/data", 0));
  emit_rc("truncate_to_r", syscall(SYS_truncate, "/w/to_r", 0));
  emit_rc("utimensat_r_data_now", syscall(SYS_utimensat, AT_FDCWD, "/r/data", nullptr, 0));
  struct timespec omit[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
  emit_rc("utimensat_r_data_omit", syscall(SYS_utimensat, AT_FDCWD, "/r/data", omit, 0));
  struct timespec set[2] = {{1, 0}, {1, 0}};
  emit_rc("utimensat_r_data_set", syscall(SYS_utimensat, AT_FDCWD, "/r/data", set, 0));
  emit_rc("setxattr_r_data", syscall(SYS_setxattr, "/r/data", "user.x", "1", 1, 0));
  emit_rc("removexattr_r_data", syscall(SYS_removexattr, "/r/data", "user.x"));
  emit_rc("access_r_data_w", syscall(SYS_faccessat, AT_FDCWD, "/r/data", W_OK));
  emit_rc("access_r_data_r", syscall(SYS_faccessat, AT_FDCWD, "/r/data", R_OK));
  emit_rc("access_r_dir_w", syscall(SYS_faccessat, AT_FDCWD, "/r", W_OK));
  emit_rc("access_to_r_w", syscall(SYS_faccessat, AT_FDCWD, "/w/to_r", W_OK));
  // fd-based attribute changes on a read-only fd of /r/data
  long fd = sys_openat(AT_FDCWD, "/r/data", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    emit_rc("fchmod_r_data", syscall(SYS_fchmod, fd, 0600));
    emit_rc("fchown_r_data", syscall(SYS_fchown, fd, getuid(), getgid()));
    emit_rc("ftruncate_r_data_rdonly_fd", syscall(SYS_ftruncate, fd, 0));
    emit_rc("futimens_r_data", syscall(SYS_utimensat, fd, nullptr, nullptr, 0));
    emit_rc("fsetxattr_r_data", syscall(SYS_fsetxattr, fd, "user.x", "1", 1, 0));
    emit_rc("write_r_data_rdonly_fd", syscall(SYS_write, fd, "x", 1));
    syscall(SYS_close, fd);
  }
  long pfd = sys_openat(AT_FDCWD, "/r/data", O_PATH | O_CLOEXEC);
  if (pfd >= 0) {
    emit_rc("linkat_empty_path_r_data_to_w",
            syscall(SYS_linkat, pfd, "", AT_FDCWD, "/w/l_empty", AT_EMPTY_PATH));
    syscall(SYS_close, pfd);
  }
}

// Renames and links between mounts are EXDEV (checked before EROFS).
void cases_cross_mount() {
  emit_rc("rename_r_data_w_x", syscall(SYS_renameat2, AT_FDCWD, "/r/data", AT_FDCWD, "/w/x", 0));
  emit_rc("link_r_data_w_l", syscall(SYS_linkat, AT_FDCWD, "/r/data", AT_FDCWD, "/w/l", 0));
  long fd = sys_openat(AT_FDCWD, "/w/xm", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  emit_rc("create_w_xm", fd);
  if (fd >= 0) syscall(SYS_close, fd);
  emit_rc("rename_w_xm_r_xm", syscall(SYS_renameat2, AT_FDCWD, "/w/xm", AT_FDCWD, "/r/xm", 0));
  emit_rc("rename_w_xm_r_data", syscall(SYS_renameat2, AT_FDCWD, "/w/xm", AT_FDCWD, "/r/data", 0));
  emit_rc("link_w_xm_r_l", syscall(SYS_linkat, AT_FDCWD, "/w/xm", AT_FDCWD, "/r/l", 0));
  emit_rc("rename_w_xm_tmp_xm", syscall(SYS_renameat2, AT_FDCWD, "/w/xm", AT_FDCWD, "/tmp/xm", 0));
  emit_rc("link_w_xm_tmp_l", syscall(SYS_linkat, AT_FDCWD, "/w/xm", AT_FDCWD, "/tmp/l", 0));
  emit_rc("rename_w_xm_via_rdir", syscall(SYS_renameat2, AT_FDCWD, "/w/xm", AT_FDCWD, "/w/rdir/xm", 0));
  emit_rc("unlink_w_xm", syscall(SYS_unlinkat, AT_FDCWD, "/w/xm", 0));
}

// Creating files outside the root must fail (the parent does not exist inside).
void cases_write_escape() {
  try_open("create_dotdot_outside", AT_FDCWD, "/w/../../../outside/pwned", O_WRONLY | O_CREAT);
  try_open("create_out_dir_pwned", AT_FDCWD, "/w/out_dir/pwned", O_WRONLY | O_CREAT);
  try_open("create_via_dangle_out", AT_FDCWD, "/w/dangle_out", O_WRONLY | O_CREAT);
  try_open("open_rel_out_wronly_trunc", AT_FDCWD, "/w/rel_out", O_WRONLY | O_TRUNC);
  try_open("open_rel_out_creat", AT_FDCWD, "/w/rel_out", O_WRONLY | O_CREAT);
  try_open("open_abs_out_creat", AT_FDCWD, "/w/abs_out", O_WRONLY | O_CREAT);
  emit_rc("mkdir_dotdot_outside", syscall(SYS_mkdirat, AT_FDCWD, "/../../outside_made", 0755));
  emit_rc("mkdir_out_dir_x", syscall(SYS_mkdirat, AT_FDCWD, "/w/out_dir/x", 0755));
  emit_rc("symlink_dotdot_outside", syscall(SYS_symlinkat, "x", AT_FDCWD, "/../../outside/sym"));
}

// The allowed counterparts in the writable areas all succeed.
void cases_rw_allowed() {
  for (const char* dir : {"/w", "/tmp"}) {
    std::string d = dir, tag = d.substr(1);
    auto p = [&](const char* leaf) { return d + "/" + leaf; };
    long fd = sys_openat(AT_FDCWD, p("new").c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    emit_rc("create_" + tag + "_new", fd);
    if (fd >= 0) {
      emit("write_" + tag + "_new", syscall(SYS_write, fd, "hello\n", 6) == 6 ? "ok" : err_str(errno));
      syscall(SYS_close, fd);
    }
    try_read("read_" + tag + "_new", AT_FDCWD, p("new").c_str());
    try_open("open_" + tag + "_new_trunc", AT_FDCWD, p("new").c_str(), O_WRONLY | O_TRUNC);
    emit_rc("rename_" + tag + "_new_new2",
            syscall(SYS_renameat2, AT_FDCWD, p("new").c_str(), AT_FDCWD, p("new2").c_str(), 0));
    emit_rc("link_" + tag + "_new2_l", syscall(SYS_linkat, AT_FDCWD, p("new2").c_str(), AT_FDCWD, p("l").c_str(), 0));
    emit_rc("symlink_" + tag + "_s", syscall(SYS_symlinkat, "new2", AT_FDCWD, p("s").c_str()));
    emit_rc("chmod_" + tag + "_new2", syscall(SYS_fchmodat, AT_FDCWD, p("new2").c_str(), 0600));
    emit_rc("chown_" + tag + "_new2_own_ids",
            syscall(SYS_fchownat, AT_FDCWD, p("new2").c_str(), getuid(), getgid(), 0));
    emit_rc("truncate_" + tag + "_new2", syscall(SYS_truncate, p("new2").c_str(), 3));
    emit_rc("utimensat_" + tag + "_new2", syscall(SYS_utimensat, AT_FDCWD, p("new2").c_str(), nullptr, 0));
    emit_rc("access_" + tag + "_new2_w", syscall(SYS_faccessat, AT_FDCWD, p("new2").c_str(), W_OK));
    emit_rc("mkdir_" + tag + "_d", syscall(SYS_mkdirat, AT_FDCWD, p("d").c_str(), 0755));
    emit_rc("mknod_fifo_" + tag, syscall(SYS_mknodat, AT_FDCWD, p("fifo").c_str(), S_IFIFO | 0644, 0));
    emit_rc("rmdir_" + tag + "_d", syscall(SYS_unlinkat, AT_FDCWD, p("d").c_str(), AT_REMOVEDIR));
    for (const char* leaf : {"new2", "l", "s", "fifo"})
      emit_rc("unlink_" + tag + "_" + leaf, syscall(SYS_unlinkat, AT_FDCWD, p(leaf).c_str(), 0));
  }
}

// statfs reports the mount's read-only flag as the chroot would.
void cases_statfs() {
  for (const char* path : {"/", "/r", "/r/data", "/w", "/tmp", "/w/to_r"}) {
    struct statfs sf {};
    std::string name = std::string("statfs_") + (path[1] ? path + 1 : "root");
    std::replace(name.begin(), name.end(), '/', '_');
    if (syscall(SYS_statfs, path, &sf) < 0)
      emit(name, err_str(errno));
    else
      emit(name, (sf.f_flags & ST_RDONLY) ? "ro" : "rw");
  }
}

}  // namespace

// AF_UNIX sockets bound by path: the socket file is created like any other
// file (EROFS in /r, a path out of the root stays inside it).
long unix_call(bool bind_it, int fd, const char* path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path, sizeof a.sun_path - 1);
  const socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + std::strlen(path) + 1);
  return bind_it ? bind(fd, reinterpret_cast<sockaddr*>(&a), len) : connect(fd, reinterpret_cast<sockaddr*>(&a), len);
}

void cases_unix_sockets() {
  int srv = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  emit_rc("unix_bind_r", unix_call(true, srv, "/r/s.sock"));
  emit_rc("unix_bind_dotdot_outside", unix_call(true, srv, "/w/../../../outside/s.sock"));
  emit_rc("unix_bind_w", unix_call(true, srv, "/w/s.sock"));
  emit_rc("unix_listen_w", listen(srv, 1));
  int cli = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  emit_rc("unix_connect_w", unix_call(false, cli, "/w/s.sock"));
  int cli2 = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  emit_rc("unix_connect_outside", unix_call(false, cli2, "/../outside/s.sock"));
  emit_rc("unix_connect_r_data", unix_call(false, cli2, "/r/data"));
  close(cli);
  close(cli2);
  close(srv);
  emit_rc("unix_unlink_w", unlink("/w/s.sock"));
}

int main() {
  make_own_symlinks();
  cases_dotdot();
  cases_symlinks();
  cases_dirfd();
  cases_proc();
  cases_cwd();
  cases_openat2();
  cases_ro_writes();
  cases_cross_mount();
  cases_write_escape();
  cases_rw_allowed();
  cases_statfs();
  cases_unix_sockets();
  emit("probe_end", "ok");
  return 0;
}
