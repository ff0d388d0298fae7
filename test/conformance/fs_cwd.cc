// The working directory: the raw getcwd contract (length including the NUL,
// ERANGE, EFAULT); chdir/fchdir results and errors (ENOTDIR, ENOENT for "",
// EBADF, O_PATH fds); relative paths resolving in the cwd; chdir through a
// symlink (getcwd shows the target); the cwd following a rename of its
// directory, and after an rmdir of it (getcwd ENOENT, no new entries, "(deleted)"
// in /proc); /proc/self/cwd; inheritance by a forked child (whose own chdir
// stays its own) and sharing between threads.
//
// Works in a scratch directory made with mkdtemp("./fscwd_XXXXXX") in the
// starting directory, removed at the end.
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

#include "conformance.h"
#include "file_util.h"

namespace {

using namespace conformance;
using std::string;

long getcwd_raw(char* buf, size_t size) { return syscall(SYS_getcwd, buf, size); }

// The cwd by the raw syscall, or "" if it fails.
string cwd() {
  char buf[PATH_MAX];
  return getcwd_raw(buf, sizeof buf) > 0 ? string(buf) : string();
}

bool ends_with(const string& s, const string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

string readlink_str(const char* path) {
  char buf[PATH_MAX];
  const ssize_t n = readlink(path, buf, sizeof buf);
  return n < 0 ? string("<error>") : string(buf, static_cast<size_t>(n));
}

ino_t ino(const string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 ? st.st_ino : 0;
}

bool absent(const string& p) {
  struct stat st;
  return lstat(p.c_str(), &st) == -1 && errno == ENOENT;
}

bool put(const string& p, const string& data) {
  const int fd = open(p.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  const bool ok = write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  return close(fd) == 0 && ok;
}
string get(const string& p) { return read_file(p).value_or("<unreadable>"); }

// A descriptor number that is certainly not open (until the next open).
int closed_fd() {
  const int fd = open("/", O_PATH | O_CLOEXEC);
  close(fd);
  return fd;
}

// --- The raw getcwd contract. ---

void test_getcwd_raw() {
  char buf[PATH_MAX];
  std::memset(buf, 'X', sizeof buf);
  const long n = getcwd_raw(buf, sizeof buf);
  CHECK(n > 1 && buf[0] == '/' && static_cast<size_t>(n) == std::strlen(buf) + 1);
  char lib[PATH_MAX];
  CHECK(getcwd(lib, sizeof lib) == lib && std::strcmp(lib, buf) == 0);

  // Exactly the length (with the NUL) is enough; one byte less is ERANGE,
  // and a failed call leaves the buffer alone.
  char small[PATH_MAX];
  std::memset(small, 'X', sizeof small);
  CHECK(getcwd_raw(small, static_cast<size_t>(n)) == n && std::strcmp(small, buf) == 0);
  std::memset(small, 'X', sizeof small);
  CHECK_ERR(getcwd_raw(small, static_cast<size_t>(n - 1)), ERANGE);
  CHECK(small[0] == 'X');
  CHECK_ERR(getcwd_raw(small, 1), ERANGE);
  CHECK_ERR(getcwd_raw(small, 0), ERANGE);
  CHECK_ERR(getcwd_raw(nullptr, 0), ERANGE);
  CHECK_ERR(getcwd_raw(reinterpret_cast<char*>(1), sizeof buf), EFAULT);
  CHECK_ERR(getcwd_raw(nullptr, sizeof buf), EFAULT);
}

// --- chdir, fchdir, and relative paths. ---

void test_chdir(const string& start, const string& scratch, const string& name) {
  CHECK(chdir(("./" + name).c_str()) == 0);
  CHECK(cwd() == scratch && ends_with(cwd(), "/" + name));
  // A relative name now resolves in the scratch dir.
  CHECK(put("f", "in scratch"));
  CHECK(get(scratch + "/f") == "in scratch");
  CHECK(ino("f") == ino(scratch + "/f"));
  CHECK(chdir("..") == 0);
  CHECK(cwd() == start);

  // fchdir on a directory fd (O_PATH too); not on a file or a bad fd.
  const int dfd = open(scratch.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  CHECK(dfd >= 0);
  CHECK(fchdir(dfd) == 0);
  CHECK(cwd() == scratch);
  CHECK(close(dfd) == 0);
  CHECK(chdir(start.c_str()) == 0);
  const int pfd = open(scratch.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  CHECK(pfd >= 0);
  CHECK(fchdir(pfd) == 0);
  CHECK(cwd() == scratch);
  CHECK(close(pfd) == 0);
  const int ffd = open("f", O_RDONLY | O_CLOEXEC);
  CHECK(ffd >= 0);
  CHECK_ERR(fchdir(ffd), ENOTDIR);
  CHECK(close(ffd) == 0);
  CHECK_ERR(fchdir(-1), EBADF);
  CHECK_ERR(fchdir(closed_fd()), EBADF);

  // chdir errors leave the cwd where it was.
  CHECK_ERR(chdir("f"), ENOTDIR);
  CHECK_ERR(chdir("f/"), ENOTDIR);
  CHECK_ERR(chdir("f/x"), ENOTDIR);
  CHECK_ERR(chdir("missing"), ENOENT);
  CHECK_ERR(chdir("missing/x"), ENOENT);
  CHECK_ERR(chdir(""), ENOENT);
  CHECK_ERR(syscall(SYS_chdir, 1), EFAULT);
  CHECK(cwd() == scratch);

  // The root: getcwd is "/" (length 2) and ".." stays there.
  CHECK(chdir("/") == 0);
  char root[8];
  CHECK(getcwd_raw(root, sizeof root) == 2 && std::strcmp(root, "/") == 0);
  CHECK(chdir("..") == 0);
  CHECK(cwd() == "/");

  // Through a symlink: getcwd shows the resolved directory, and ".." is its
  // physical parent.
  CHECK(mkdir((scratch + "/real").c_str(), 0755) == 0);
  CHECK(symlink("real", (scratch + "/link").c_str()) == 0);
  CHECK(chdir((scratch + "/link").c_str()) == 0);
  CHECK(cwd() == scratch + "/real");
  CHECK(chdir("..") == 0);
  CHECK(cwd() == scratch);
  CHECK(chdir("link/") == 0);
  CHECK(cwd() == scratch + "/real");
  CHECK(chdir(start.c_str()) == 0);
}

// --- The cwd's directory renamed, then removed, under it. ---

void test_cwd_renamed_and_removed(const string& scratch) {
  const string r1 = scratch + "/r1";
  const string r2 = scratch + "/r2";
  const string r3 = scratch + "/other/r3";
  CHECK(mkdir(r1.c_str(), 0755) == 0);
  CHECK(chdir(r1.c_str()) == 0);
  CHECK(put("g", "g"));
  CHECK(rename(r1.c_str(), r2.c_str()) == 0);
  CHECK(cwd() == r2);
  CHECK(get("g") == "g" && get(r2 + "/g") == "g");
  CHECK(mkdir((scratch + "/other").c_str(), 0755) == 0);
  CHECK(rename(r2.c_str(), r3.c_str()) == 0);  // to another parent
  CHECK(cwd() == r3);
  CHECK(ino(".") == ino(r3));

  // rmdir of the cwd (from outside, by absolute path) is allowed.
  CHECK(unlink("g") == 0);
  CHECK(rmdir(r3.c_str()) == 0);
  char buf[PATH_MAX];
  CHECK_ERR(getcwd_raw(buf, sizeof buf), ENOENT);
  CHECK(getcwd(buf, sizeof buf) == nullptr && errno == ENOENT);
  CHECK_ERR(open("h", O_CREAT | O_WRONLY | O_CLOEXEC, 0644), ENOENT);
  CHECK_ERR(open("g", O_RDONLY | O_CLOEXEC), ENOENT);
  CHECK_ERR(mkdir("sub", 0755), ENOENT);
  // "." is still there, with no links; /proc marks the cwd deleted.
  struct stat st;
  CHECK(stat(".", &st) == 0 && S_ISDIR(st.st_mode) && st.st_nlink == 0);
  CHECK(readlink_str("/proc/self/cwd") == r3 + " (deleted)");
  // ".." still leads to the old parent.
  CHECK(chdir("..") == 0);
  CHECK(cwd() == scratch + "/other");
  CHECK(chdir(scratch.c_str()) == 0);
  CHECK(cwd() == scratch);
  CHECK(absent(r1) && absent(r2) && absent(r3));
}

// --- /proc/self/cwd. ---

void test_proc_cwd(const string& scratch) {
  CHECK(chdir(scratch.c_str()) == 0);
  CHECK(readlink_str("/proc/self/cwd") == cwd());
  CHECK(readlink_str(("/proc/" + std::to_string(getpid()) + "/cwd").c_str()) == scratch);
  CHECK(readlink_str("/proc/thread-self/cwd") == scratch);
  CHECK(get("/proc/self/cwd/f") == "in scratch");
  CHECK(ino("/proc/self/cwd/f") == ino("f"));
  CHECK(ino("/proc/self/cwd") == ino("."));
}

// --- fork inherits the cwd; threads share it. ---

void test_fork_and_threads(const string& start, const string& scratch) {
  CHECK(chdir(scratch.c_str()) == 0);
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    const bool ok = cwd() == scratch && access("f", F_OK) == 0 && chdir("/") == 0 && cwd() == "/";
    _exit(ok ? 0 : 1);
  }
  CHECK(pid > 0);
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CHECK(cwd() == scratch);  // the child's chdir("/") stayed in the child

  // A chdir in a thread moves the whole process, and back.
  CHECK(mkdir((scratch + "/t").c_str(), 0755) == 0);
  bool moved = false;
  std::thread([&] { moved = chdir("t") == 0; }).join();
  CHECK(moved);
  CHECK(cwd() == scratch + "/t");
  CHECK(chdir(start.c_str()) == 0);
  string seen;
  std::thread([&] { seen = cwd(); }).join();
  CHECK(seen == start);
}

}  // namespace

int main() {
  const string start = cwd();
  CHECK(!start.empty() && start[0] == '/');
  test_getcwd_raw();

  char tmpl[] = "./fscwd_XXXXXX";
  CHECK(mkdtemp(tmpl) != nullptr);
  if (failures() != 0) return finish();
  const string name = tmpl + 2;  // without "./"
  const string scratch = start == "/" ? "/" + name : start + "/" + name;

  test_chdir(start, scratch, name);
  test_cwd_renamed_and_removed(scratch);
  test_proc_cwd(scratch);
  test_fork_and_threads(start, scratch);

  CHECK(chdir(start.c_str()) == 0);
  conformance::remove_tree(scratch);
  CHECK(absent(scratch));
  return finish();
}
