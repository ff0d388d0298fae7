// open/openat/creat/openat2 flag semantics, pinned down on a scratch
// directory ./fsopen_XXXXXX under the cwd (removed at the end):
//  - O_CREAT (mode & ~umask), O_EXCL, O_TRUNC, O_APPEND, O_DIRECTORY,
//    O_NOFOLLOW, O_PATH, O_TMPFILE (+ linkat through /proc/self/fd/N), and the
//    errors of path walking (ENOENT, ENOTDIR, EISDIR, trailing slashes);
//  - creat() == open(O_CREAT|O_WRONLY|O_TRUNC);
//  - dirfd rules of openat (relative to a dirfd, ENOTDIR for a non-directory
//    dirfd, EBADF for a bad one, an absolute path ignores the dirfd);
//  - openat2: RESOLVE_BENEATH, RESOLVE_IN_ROOT, RESOLVE_NO_SYMLINKS,
//    RESOLVE_NO_MAGICLINKS, RESOLVE_NO_XDEV, and its strict argument checks;
//  - read in small chunks and lseek on the opened fds (sanity).
#include <fcntl.h>
#include <ftw.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "conformance.h"
#include "file_util.h"

namespace {

constexpr int kLargefile = 0100000;  // the kernel's O_LARGEFILE on x86-64
// The kernel's OPEN_HOW_SIZE_VER0 (not in the uapi headers): the first
// published struct open_how, flags + mode + resolve.
constexpr size_t kOpenHowSizeVer0 = 24;
static_assert(sizeof(open_how) == kOpenHowSizeVer0);

std::string g_dir;  // absolute path of the scratch directory

std::string at(const std::string& rel) { return g_dir + "/" + rel; }

// Writes `data` to a new file (0644 after umask 022) and returns 0 on success.
int make_file(const std::string& path, const std::string& data) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return -1;
  const ssize_t n = write(fd, data.data(), data.size());
  close(fd);
  return n == static_cast<ssize_t>(data.size()) ? 0 : -1;
}

std::string read_all(int fd) {
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

std::string file_contents(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY);
  if (fd < 0) return "<open failed>";
  std::string s = read_all(fd);
  close(fd);
  return s;
}

long file_size(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return -1;
  return static_cast<long>(st.st_size);
}

long openat2_raw(int dirfd, const char* path, const open_how* how, size_t size) {
  return syscall(SYS_openat2, dirfd, path, how, size);
}

long openat2_how(int dirfd, const char* path, uint64_t flags, uint64_t resolve,
                 uint64_t mode = 0) {
  open_how how{};
  how.flags = flags;
  how.mode = mode;
  how.resolve = resolve;
  return openat2_raw(dirfd, path, &how, sizeof how);
}

// Same file (device and inode) behind an fd and a path.
bool same_file(long fd, const std::string& path) {
  struct stat a {}, b {};
  if (fd < 0 || fstat(static_cast<int>(fd), &a) != 0) return false;
  if (stat(path.c_str(), &b) != 0) return false;
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

void close_if(long fd) {
  if (fd >= 0) close(static_cast<int>(fd));
}

// --- O_CREAT / O_EXCL / O_TRUNC / O_APPEND. ---
void creation_flags() {
  umask(022);
  const std::string f = at("created");
  int fd = open(f.c_str(), O_RDWR | O_CREAT, 0666);
  CHECK(fd >= 0);
  struct stat st {};
  CHECK(fstat(fd, &st) == 0);
  CHECK(S_ISREG(st.st_mode));
  CHECK((st.st_mode & 07777) == 0644);  // 0666 & ~022
  CHECK(st.st_size == 0);
  CHECK(write(fd, "hello world", 11) == 11);
  CHECK(close(fd) == 0);

  // Another umask applies at creation time only.
  umask(077);
  fd = open(at("private").c_str(), O_WRONLY | O_CREAT, 0666);
  CHECK(fd >= 0);
  CHECK(fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0600);
  CHECK(close(fd) == 0);
  umask(022);

  // O_CREAT on an existing file opens it and ignores the mode.
  fd = open(f.c_str(), O_RDONLY | O_CREAT, 0600);
  CHECK(fd >= 0);
  CHECK(fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0644);
  CHECK(read_all(fd) == "hello world");
  CHECK(close(fd) == 0);

  // O_EXCL: EEXIST on an existing file, also on a symlink (even a dangling
  // one: O_CREAT|O_EXCL never follows a final symlink).
  CHECK_ERR(open(f.c_str(), O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
  CHECK(symlink("nowhere", at("dangling").c_str()) == 0);
  CHECK_ERR(open(at("dangling").c_str(), O_RDWR | O_CREAT | O_EXCL, 0644), EEXIST);
  CHECK(access(at("nowhere").c_str(), F_OK) == -1);  // target not created
  fd = open(at("excl_new").c_str(), O_RDWR | O_CREAT | O_EXCL, 0644);
  CHECK(fd >= 0);
  close_if(fd);
  // O_CREAT without O_EXCL through a dangling symlink creates the target.
  fd = open(at("dangling").c_str(), O_WRONLY | O_CREAT, 0644);
  CHECK(fd >= 0);
  close_if(fd);
  CHECK(access(at("nowhere").c_str(), F_OK) == 0);

  // O_TRUNC truncates an existing file.
  CHECK(file_size(f) == 11);
  fd = open(f.c_str(), O_WRONLY | O_TRUNC);
  CHECK(fd >= 0);
  CHECK(file_size(f) == 0);
  CHECK(write(fd, "0123456789", 10) == 10);
  CHECK(close(fd) == 0);
  // On Linux O_TRUNC truncates even with O_RDONLY (POSIX leaves it open).
  fd = open(f.c_str(), O_RDONLY | O_TRUNC);
  CHECK(fd >= 0);
  CHECK(file_size(f) == 0);
  close_if(fd);
  CHECK(make_file(f, "0123456789") == 0);

  // O_APPEND: every write goes to the end, whatever the offset.
  fd = open(f.c_str(), O_RDWR | O_APPEND);
  CHECK(fd >= 0);
  CHECK(lseek(fd, 0, SEEK_CUR) == 0);  // the offset starts at 0
  CHECK(write(fd, "ab", 2) == 2);
  CHECK(lseek(fd, 0, SEEK_CUR) == 12);
  CHECK(lseek(fd, 3, SEEK_SET) == 3);
  CHECK(write(fd, "cd", 2) == 2);
  CHECK(lseek(fd, 0, SEEK_CUR) == 14);
  // Linux quirk (pwrite(2) BUGS): pwrite on an O_APPEND fd appends too.
  CHECK(pwrite(fd, "ef", 2, 0) == 2);
  CHECK(close(fd) == 0);
  CHECK(file_contents(f) == "0123456789abcdef");
}

// --- O_DIRECTORY, EISDIR, O_NOFOLLOW, O_PATH. ---
void type_flags() {
  const std::string f = at("plain");
  const std::string d = at("dir");
  CHECK(make_file(f, "plain file") == 0);
  CHECK(mkdir(d.c_str(), 0755) == 0);

  CHECK_ERR(open(f.c_str(), O_RDONLY | O_DIRECTORY), ENOTDIR);
  int fd = open(d.c_str(), O_RDONLY | O_DIRECTORY);
  CHECK(fd >= 0);
  close_if(fd);
  fd = open(d.c_str(), O_RDONLY);  // a directory opens read-only without it
  CHECK(fd >= 0);
  char c;
  CHECK_ERR(read(fd, &c, 1), EISDIR);
  close_if(fd);
  CHECK_ERR(open(d.c_str(), O_WRONLY), EISDIR);
  CHECK_ERR(open(d.c_str(), O_RDWR), EISDIR);
  CHECK_ERR(open(d.c_str(), O_RDONLY | O_CREAT, 0644), EISDIR);
  CHECK_ERR(open(d.c_str(), O_RDONLY | O_TRUNC), EISDIR);

  // Trailing slashes: only directories may be named with one.
  CHECK_ERR(open((f + "/").c_str(), O_RDONLY), ENOTDIR);
  fd = open((d + "/").c_str(), O_RDONLY);
  CHECK(fd >= 0);
  close_if(fd);
  CHECK_ERR(open(at("newfile/").c_str(), O_WRONLY | O_CREAT, 0644), EISDIR);
  CHECK(access(at("newfile").c_str(), F_OK) == -1);

  // O_NOFOLLOW: a final symlink is ELOOP; symlinks earlier in the path are
  // still followed.
  const std::string lnk = at("link_to_plain");
  CHECK(symlink("plain", lnk.c_str()) == 0);
  CHECK(symlink("dir", at("link_to_dir").c_str()) == 0);
  CHECK_ERR(open(lnk.c_str(), O_RDONLY | O_NOFOLLOW), ELOOP);
  CHECK(make_file(at("dir/inner"), "inner") == 0);
  fd = open(at("link_to_dir/inner").c_str(), O_RDONLY | O_NOFOLLOW);
  CHECK(fd >= 0);
  close_if(fd);
  fd = open(lnk.c_str(), O_RDONLY);  // without it the link is followed
  CHECK(same_file(fd, f));
  close_if(fd);

  // O_PATH|O_NOFOLLOW opens the symlink itself.
  fd = open(lnk.c_str(), O_PATH | O_NOFOLLOW);
  CHECK(fd >= 0);
  struct stat st {};
  CHECK(fstatat(fd, "", &st, AT_EMPTY_PATH) == 0);
  CHECK(S_ISLNK(st.st_mode));
  CHECK(st.st_size == 5);  // strlen("plain")
  char buf[32] = {};
  // readlinkat with an empty path reads the link an O_PATH fd refers to.
  CHECK(readlinkat(fd, "", buf, sizeof buf) == 5 && std::memcmp(buf, "plain", 5) == 0);
  close_if(fd);

  // An O_PATH fd: no I/O, but fstat and use as a dirfd work.
  fd = open(f.c_str(), O_PATH);
  CHECK(fd >= 0);
  CHECK_ERR(read(fd, buf, 1), EBADF);
  CHECK_ERR(write(fd, "x", 1), EBADF);
  CHECK(fstat(fd, &st) == 0);
  CHECK(S_ISREG(st.st_mode) && st.st_size == 10);
  // O_PATH keeps only O_PATH, O_DIRECTORY and O_NOFOLLOW of the flags: no
  // O_LARGEFILE, unlike every other open().
  CHECK(fcntl(fd, F_GETFL) == O_PATH);
  close_if(fd);
  fd = open(d.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_RDWR | O_APPEND);
  CHECK(fd >= 0);
  CHECK(fcntl(fd, F_GETFL) == (O_PATH | O_DIRECTORY | O_NOFOLLOW));
  int in = openat(fd, "inner", O_RDONLY);
  CHECK(in >= 0);
  CHECK(in >= 0 && read_all(in) == "inner");
  close_if(in);
  close_if(fd);
}

// --- Path-walk errors. ---
void walk_errors() {
  CHECK_ERR(open(at("missing").c_str(), O_RDONLY), ENOENT);
  CHECK_ERR(open(at("missing").c_str(), O_WRONLY | O_TRUNC), ENOENT);
  CHECK_ERR(open(at("no_dir/f").c_str(), O_RDONLY), ENOENT);
  CHECK_ERR(open(at("no_dir/f").c_str(), O_WRONLY | O_CREAT, 0644), ENOENT);
  CHECK_ERR(open(at("plain/f").c_str(), O_RDONLY), ENOTDIR);
  CHECK_ERR(open(at("plain/f").c_str(), O_WRONLY | O_CREAT, 0644), ENOTDIR);
  CHECK_ERR(open("", O_RDONLY), ENOENT);
  // A symlink loop.
  CHECK(symlink("loop_b", at("loop_a").c_str()) == 0);
  CHECK(symlink("loop_a", at("loop_b").c_str()) == 0);
  CHECK_ERR(open(at("loop_a").c_str(), O_RDONLY), ELOOP);
  // A name longer than NAME_MAX.
  const std::string long_name(NAME_MAX + 1, 'n');
  CHECK_ERR(open(at(long_name).c_str(), O_RDONLY), ENAMETOOLONG);
}

// --- creat(). ---
void creat_call() {
  const std::string f = at("by_creat");
  int fd = creat(f.c_str(), 0666);
  CHECK(fd >= 0);
  CHECK(fcntl(fd, F_GETFL) == (O_WRONLY | kLargefile));
  struct stat st {};
  CHECK(fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0644);
  char c;
  CHECK_ERR(read(fd, &c, 1), EBADF);
  CHECK(write(fd, "abcdef", 6) == 6);
  close_if(fd);
  CHECK(file_size(f) == 6);
  fd = creat(f.c_str(), 0600);  // existing: truncated, mode kept
  CHECK(fd >= 0);
  CHECK(file_size(f) == 0);
  CHECK(fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0644);
  close_if(fd);
  CHECK_ERR(creat(at("dir").c_str(), 0644), EISDIR);
}

// --- O_TMPFILE. ---
void tmpfile_flag() {
  int fd = open(g_dir.c_str(), O_TMPFILE | O_RDWR, 0640);
  if (fd < 0 && errno == EOPNOTSUPP) {
    std::printf("NOTE: O_TMPFILE unsupported here\n");
    return;
  }
  CHECK(fd >= 0);
  if (fd < 0) return;
  struct stat st {};
  CHECK(fstat(fd, &st) == 0);
  CHECK(S_ISREG(st.st_mode) && st.st_nlink == 0 && (st.st_mode & 07777) == 0640);
  CHECK(write(fd, "tmp", 3) == 3);
  // O_TMPFILE needs write access and a directory.
  CHECK_ERR(open(g_dir.c_str(), O_TMPFILE | O_RDONLY, 0600), EINVAL);
  CHECK_ERR(open(at("plain").c_str(), O_TMPFILE | O_RDWR, 0600), ENOTDIR);
  // It has no name until linkat gives it one through /proc/self/fd/N.
  const std::string proc = "/proc/self/fd/" + std::to_string(fd);
  CHECK(linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, at("tmp_named").c_str(),
               AT_SYMLINK_FOLLOW) == 0);
  CHECK(fstat(fd, &st) == 0 && st.st_nlink == 1);
  CHECK(same_file(fd, at("tmp_named")));
  CHECK(file_contents(at("tmp_named")) == "tmp");
  close_if(fd);

  // O_TMPFILE|O_EXCL: never linkable.
  fd = open(g_dir.c_str(), O_TMPFILE | O_WRONLY | O_EXCL, 0600);
  CHECK(fd >= 0);
  const std::string proc2 = "/proc/self/fd/" + std::to_string(fd);
  CHECK_ERR(linkat(AT_FDCWD, proc2.c_str(), AT_FDCWD, at("tmp_excl").c_str(),
                   AT_SYMLINK_FOLLOW),
            ENOENT);
  close_if(fd);
}

// --- openat and its dirfd. ---
void dirfd_rules() {
  const int dfd = open(g_dir.c_str(), O_RDONLY | O_DIRECTORY);
  CHECK(dfd >= 0);
  int fd = openat(dfd, "plain", O_RDONLY);
  CHECK(same_file(fd, at("plain")));
  close_if(fd);
  fd = openat(dfd, "dir/inner", O_RDONLY);
  CHECK(same_file(fd, at("dir/inner")));
  close_if(fd);
  fd = openat(dfd, "made_at", O_WRONLY | O_CREAT | O_EXCL, 0644);
  CHECK(fd >= 0);
  close_if(fd);
  CHECK(access(at("made_at").c_str(), F_OK) == 0);
  fd = openat(dfd, ".", O_RDONLY);
  CHECK(same_file(fd, g_dir));
  close_if(fd);

  // A non-directory dirfd with a relative path: ENOTDIR.
  const int ffd = open(at("plain").c_str(), O_RDONLY);
  CHECK(ffd >= 0);
  CHECK_ERR(openat(ffd, "x", O_RDONLY), ENOTDIR);
  CHECK_ERR(openat(ffd, "x", O_WRONLY | O_CREAT, 0644), ENOTDIR);

  // A bad dirfd: EBADF for a relative path, ignored for an absolute one.
  const int bad = 1000;
  CHECK(fcntl(bad, F_GETFD) == -1);
  CHECK_ERR(openat(bad, "plain", O_RDONLY), EBADF);
  CHECK_ERR(openat(-1, "plain", O_RDONLY), EBADF);
  const std::string abs = at("plain");
  fd = openat(bad, abs.c_str(), O_RDONLY);
  CHECK(same_file(fd, abs));
  close_if(fd);
  fd = openat(-1, abs.c_str(), O_RDONLY);
  CHECK(same_file(fd, abs));
  close_if(fd);
  fd = openat(ffd, abs.c_str(), O_RDONLY);  // a non-directory dirfd, too
  CHECK(same_file(fd, abs));
  close_if(fd);
  close_if(ffd);
  close_if(dfd);
}

// --- openat2. ---
void openat2_resolve() {
  const int dfd = open(at("dir").c_str(), O_RDONLY | O_DIRECTORY);
  CHECK(dfd >= 0);
  CHECK(mkdir(at("dir/sub").c_str(), 0755) == 0);
  CHECK(make_file(at("dir/f"), "dir/f") == 0);
  CHECK(make_file(at("f"), "top f") == 0);
  CHECK(symlink("f", at("dir/sym_f").c_str()) == 0);
  CHECK(symlink("sub", at("dir/sym_sub").c_str()) == 0);

  // Plain openat2 behaves like openat.
  long fd = openat2_how(dfd, "f", O_RDONLY, 0);
  CHECK(same_file(fd, at("dir/f")));
  close_if(fd);

  // RESOLVE_BENEATH: nothing may leave the dirfd, lexically or otherwise.
  CHECK_ERR(openat2_how(dfd, "../f", O_RDONLY, RESOLVE_BENEATH), EXDEV);
  CHECK_ERR(openat2_how(dfd, at("dir/f").c_str(), O_RDONLY, RESOLVE_BENEATH), EXDEV);
  CHECK_ERR(openat2_how(dfd, "sub/../../f", O_RDONLY, RESOLVE_BENEATH), EXDEV);
  fd = openat2_how(dfd, "sub/../f", O_RDONLY, RESOLVE_BENEATH);
  CHECK(same_file(fd, at("dir/f")));
  close_if(fd);
  fd = openat2_how(dfd, "sym_sub/../sym_f", O_RDONLY, RESOLVE_BENEATH);
  CHECK(same_file(fd, at("dir/f")));  // relative symlinks inside are fine
  close_if(fd);
  CHECK(symlink("../f", at("dir/escape").c_str()) == 0);
  CHECK_ERR(openat2_how(dfd, "escape", O_RDONLY, RESOLVE_BENEATH), EXDEV);

  // RESOLVE_IN_ROOT: "/" and ".." are clamped to the dirfd, as in a chroot.
  fd = openat2_how(dfd, "/f", O_RDONLY, RESOLVE_IN_ROOT);
  CHECK(same_file(fd, at("dir/f")));
  close_if(fd);
  fd = openat2_how(dfd, "../../f", O_RDONLY, RESOLVE_IN_ROOT);
  CHECK(same_file(fd, at("dir/f")));
  close_if(fd);
  fd = openat2_how(dfd, "escape", O_RDONLY, RESOLVE_IN_ROOT);
  CHECK(same_file(fd, at("dir/f")));  // the symlink's ".." is clamped too
  close_if(fd);
  CHECK(symlink("/f", at("dir/abs_f").c_str()) == 0);
  fd = openat2_how(dfd, "abs_f", O_RDONLY, RESOLVE_IN_ROOT);
  CHECK(same_file(fd, at("dir/f")));
  close_if(fd);

  // RESOLVE_NO_SYMLINKS: any symlink in the path, final or not, is ELOOP.
  CHECK_ERR(openat2_how(dfd, "sym_sub/../f", O_RDONLY, RESOLVE_NO_SYMLINKS), ELOOP);
  CHECK_ERR(openat2_how(dfd, "sym_f", O_RDONLY, RESOLVE_NO_SYMLINKS), ELOOP);
  fd = openat2_how(dfd, "sub/../f", O_RDONLY, RESOLVE_NO_SYMLINKS);
  CHECK(same_file(fd, at("dir/f")));
  close_if(fd);
  // ... except a final one opened with O_PATH|O_NOFOLLOW, which is not walked.
  fd = openat2_how(dfd, "sym_f", O_PATH | O_NOFOLLOW, RESOLVE_NO_SYMLINKS);
  CHECK(fd >= 0);
  close_if(fd);

  // RESOLVE_NO_MAGICLINKS: /proc/self/fd/N is a magic link.
  const std::string magic = "/proc/self/fd/" + std::to_string(dfd);
  CHECK_ERR(openat2_how(AT_FDCWD, magic.c_str(), O_RDONLY, RESOLVE_NO_MAGICLINKS), ELOOP);
  fd = openat2_how(AT_FDCWD, magic.c_str(), O_RDONLY, 0);
  CHECK(same_file(fd, at("dir")));
  close_if(fd);
  // Ordinary symlinks are still allowed under RESOLVE_NO_MAGICLINKS.
  fd = openat2_how(dfd, "sym_f", O_RDONLY, RESOLVE_NO_MAGICLINKS);
  CHECK(same_file(fd, at("dir/f")));
  close_if(fd);

  // RESOLVE_NO_XDEV: crossing from / into the /proc mount is EXDEV.
  const int root = open("/", O_RDONLY | O_DIRECTORY);
  CHECK(root >= 0);
  CHECK_ERR(openat2_how(root, "proc/self/status", O_RDONLY, RESOLVE_NO_XDEV), EXDEV);
  CHECK_ERR(openat2_how(AT_FDCWD, "/proc/self/status", O_RDONLY, RESOLVE_NO_XDEV), EXDEV);
  fd = openat2_how(root, "proc/self/status", O_RDONLY, 0);
  CHECK(fd >= 0);
  close_if(fd);
  close_if(root);
  fd = openat2_how(dfd, "sub/../f", O_RDONLY, RESOLVE_NO_XDEV);  // same mount
  CHECK(same_file(fd, at("dir/f")));
  close_if(fd);

  // Strict argument checking.
  CHECK_ERR(openat2_how(dfd, "f", O_RDONLY, 1ULL << 40), EINVAL);  // resolve
  CHECK_ERR(openat2_how(dfd, "f", O_RDONLY, 0x40), EINVAL);
  CHECK_ERR(openat2_how(dfd, "f", O_RDONLY, RESOLVE_BENEATH | RESOLVE_IN_ROOT), EINVAL);
  CHECK_ERR(openat2_how(dfd, "f", O_RDONLY, 0, 0644), EINVAL);  // mode, no O_CREAT
  CHECK_ERR(openat2_how(dfd, "f", O_RDONLY | (1ULL << 40), 0), EINVAL);  // flags
  CHECK_ERR(openat2_how(dfd, "f", O_RDONLY | (1ULL << 31), 0), EINVAL);
  CHECK_ERR(openat2_how(dfd, "new", O_WRONLY | O_CREAT, 0, 010000), EINVAL);  // mode bits
  open_how how{};
  how.flags = O_RDONLY;
  CHECK_ERR(openat2_raw(dfd, "f", &how, kOpenHowSizeVer0 - 1), EINVAL);
  CHECK_ERR(openat2_raw(dfd, "f", &how, 0), EINVAL);
  CHECK_ERR(openat2_raw(dfd, "f", nullptr, sizeof how), EFAULT);
  // A larger struct is fine if the extra bytes are zero, E2BIG otherwise.
  struct {
    open_how how;
    uint64_t extra;
  } big{};
  fd = openat2_raw(dfd, "f", &big.how, sizeof big);
  CHECK(same_file(fd, at("dir/f")));
  close_if(fd);
  big.extra = 1;
  CHECK_ERR(openat2_raw(dfd, "f", &big.how, sizeof big), E2BIG);
  // openat2 with O_CREAT and a mode creates like openat.
  fd = openat2_how(dfd, "made2", O_WRONLY | O_CREAT | O_EXCL, RESOLVE_BENEATH, 0666);
  CHECK(fd >= 0);
  struct stat st {};
  CHECK(fd >= 0 && fstat(static_cast<int>(fd), &st) == 0 && (st.st_mode & 07777) == 0644);
  close_if(fd);
  close_if(dfd);
}

// --- Reading in small chunks and lseek. ---
void read_and_seek() {
  std::string data;
  for (int i = 0; i < 100; ++i) data += static_cast<char>('A' + i % 26);
  CHECK(make_file(at("data"), data) == 0);
  const int fd = open(at("data").c_str(), O_RDONLY);
  CHECK(fd >= 0);
  std::string got;
  char buf[7];
  ssize_t n;
  int chunks = 0;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    got.append(buf, static_cast<size_t>(n));
    ++chunks;
  }
  CHECK(n == 0);
  CHECK(got == data);
  CHECK(chunks == 15);  // 14 full chunks of 7 and one of 2
  CHECK(read(fd, buf, sizeof buf) == 0);  // still EOF

  CHECK(lseek(fd, 0, SEEK_CUR) == 100);
  CHECK(lseek(fd, 10, SEEK_SET) == 10);
  CHECK(read(fd, buf, 3) == 3 && std::memcmp(buf, "KLM", 3) == 0);
  CHECK(lseek(fd, -5, SEEK_CUR) == 8);
  CHECK(read(fd, buf, 2) == 2 && std::memcmp(buf, "IJ", 2) == 0);
  CHECK(lseek(fd, -4, SEEK_END) == 96);
  CHECK(read(fd, buf, sizeof buf) == 4 && std::memcmp(buf, "STUV", 4) == 0);
  CHECK(lseek(fd, 1000, SEEK_SET) == 1000);  // past EOF is allowed
  CHECK(read(fd, buf, sizeof buf) == 0);
  CHECK_ERR(lseek(fd, -1, SEEK_SET), EINVAL);
  CHECK_ERR(lseek(fd, -200, SEEK_END), EINVAL);
  CHECK_ERR(lseek(fd, 0, 12345), EINVAL);
  CHECK(lseek(fd, 1000, SEEK_SET) == 1000);  // a failed lseek leaves it
  CHECK(pread(fd, buf, 3, 26) == 3 && std::memcmp(buf, "ABC", 3) == 0);
  CHECK(lseek(fd, 0, SEEK_CUR) == 1000);  // pread does not move it
  close_if(fd);

  // Writing past EOF leaves a hole of zeros.
  const int w = open(at("data").c_str(), O_RDWR);
  CHECK(w >= 0);
  CHECK(lseek(w, 110, SEEK_SET) == 110);
  CHECK(write(w, "Z", 1) == 1);
  CHECK(lseek(w, 100, SEEK_SET) == 100);
  char hole[11];
  CHECK(read(w, hole, sizeof hole) == 11);
  CHECK(std::memcmp(hole, "\0\0\0\0\0\0\0\0\0\0Z", 11) == 0);
  close_if(w);
}

}  // namespace

int main() {
  g_dir = conformance::scratch_dir("fsopen");

  creation_flags();
  type_flags();
  walk_errors();
  creat_call();
  tmpfile_flag();
  dirfd_rules();
  openat2_resolve();
  read_and_seek();

  conformance::remove_tree(g_dir);
  CHECK(access(g_dir.c_str(), F_OK) == -1);
  return conformance::finish();
}
