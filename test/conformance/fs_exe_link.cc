// readlink("/proc/self/exe") names the executable's real, absolute path,
// however the program was started: through a symlink, a chain of two
// symlinks, a symlinked directory, a path relative to the cwd ("./prog") or
// relative through the scratch directory. The program re-executes itself in
// forked children (argv[1] == "child", argv[2] == the expected path) from a
// scratch directory ./fsexe_XXXXXX under the cwd (removed at the end). It also
// pins down /proc/self/exe as a file: lstat says symlink, stat and open reach
// the executable itself (an ELF image), and readlink truncates silently.
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "conformance.h"
#include "file_util.h"

namespace {

std::string self_exe() {
  char buf[PATH_MAX + 1];
  const ssize_t n = readlink("/proc/self/exe", buf, PATH_MAX);
  if (n <= 0) return "";
  return std::string(buf, static_cast<size_t>(n));
}

std::string dir_of(const std::string& path) {
  std::string copy = path;
  return dirname(copy.data());
}

std::string base_of(const std::string& path) {
  std::string copy = path;
  return basename(copy.data());
}

// In the re-executed child: /proc/self/exe must read back as `expected`.
int child_main(const char* expected) {
  const std::string exe = self_exe();
  if (exe != expected) {
    std::fprintf(stderr, "child: /proc/self/exe is \"%s\", expected \"%s\"\n",
                 exe.c_str(), expected);
    return 1;
  }
  return 0;
}

// Forks; the child optionally changes directory, then execs `path` with
// argv {argv0, "child", expected}. True if it exited 0. `quiet` silences the
// child's stderr (for a run that is meant to fail).
bool run_as(const std::string& path, const char* argv0, const std::string& expected,
            const std::string& cwd = "", bool quiet = false) {
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
    if (quiet) {
      const int null = open("/dev/null", O_WRONLY);
      if (null < 0 || dup2(null, STDERR_FILENO) < 0) _exit(126);
      close(null);
    }
    const char* argv[] = {argv0, "child", expected.c_str(), nullptr};
    execv(path.c_str(), const_cast<char* const*>(argv));
    std::fprintf(stderr, "execv %s: %s\n", path.c_str(), std::strerror(errno));
    _exit(127);
  }
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) return false;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

// /proc/self/exe as a file.
void exe_as_file(const std::string& exe) {
  struct stat lst {};
  CHECK(lstat("/proc/self/exe", &lst) == 0);
  CHECK(S_ISLNK(lst.st_mode));
  struct stat via_proc {}, direct {};
  CHECK(stat("/proc/self/exe", &via_proc) == 0);
  CHECK(stat(exe.c_str(), &direct) == 0);
  CHECK(S_ISREG(via_proc.st_mode));
  CHECK(via_proc.st_dev == direct.st_dev && via_proc.st_ino == direct.st_ino);

  const int fd = open("/proc/self/exe", O_RDONLY);
  CHECK(fd >= 0);
  char magic[4] = {};
  CHECK(read(fd, magic, sizeof magic) == 4);
  CHECK(std::memcmp(magic, "\x7f" "ELF", 4) == 0);
  struct stat by_fd {};
  CHECK(fstat(fd, &by_fd) == 0 && by_fd.st_ino == direct.st_ino);
  close(fd);

  // readlink truncates to the buffer without a NUL and without an error.
  char small[4] = {'#', '#', '#', '#'};
  CHECK(readlink("/proc/self/exe", small, 3) == 3);
  CHECK(std::memcmp(small, exe.data(), 3) == 0 && small[3] == '#');
  CHECK_ERR(readlink("/proc/self/exe", small, 0), EINVAL);
  // A thread's view agrees.
  char buf[PATH_MAX];
  const std::string task = "/proc/self/task/" + std::to_string(getpid()) + "/exe";
  const ssize_t n = readlink(task.c_str(), buf, sizeof buf);
  CHECK(n > 0 && std::string(buf, static_cast<size_t>(n)) == exe);
  const std::string by_pid = "/proc/" + std::to_string(getpid()) + "/exe";
  const ssize_t m = readlink(by_pid.c_str(), buf, sizeof buf);
  CHECK(m > 0 && std::string(buf, static_cast<size_t>(m)) == exe);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "child") == 0) return child_main(argv[2]);

  const std::string exe = self_exe();
  CHECK(!exe.empty() && exe[0] == '/');
  if (exe.empty()) return conformance::finish();
  // The kernel's path is canonical: realpath does not change it.
  char* canon = realpath(exe.c_str(), nullptr);
  CHECK(canon != nullptr && exe == canon);
  std::free(canon);

  exe_as_file(exe);

  char tmpl[] = "./fsexe_XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  const std::string rel_scratch = tmpl + 2;  // without "./"
  char* real = realpath(tmpl, nullptr);
  CHECK(real != nullptr);
  const std::string scratch = real ? real : tmpl;
  std::free(real);

  const std::string lnk = scratch + "/lnk";
  const std::string lnk2 = scratch + "/lnk2";
  const std::string dirlnk = scratch + "/dirlnk";
  CHECK(symlink(exe.c_str(), lnk.c_str()) == 0);
  CHECK(symlink("lnk", lnk2.c_str()) == 0);  // lnk2 -> lnk -> exe
  CHECK(symlink(dir_of(exe).c_str(), dirlnk.c_str()) == 0);

  // Directly, by absolute path (the baseline).
  CHECK(run_as(exe, "fs_exe_link", exe));
  // Through a symlink to the executable.
  CHECK(run_as(lnk, "lnk", exe));
  // Through a chain of two symlinks (the second one relative).
  CHECK(run_as(lnk2, "lnk2", exe));
  // Through a symlinked directory.
  CHECK(run_as(dirlnk + "/" + base_of(exe), "dirlnk", exe));
  // A path relative to the cwd through the scratch directory's symlink.
  CHECK(run_as(rel_scratch + "/lnk", "lnk", exe));
  // "./name" after chdir into the executable's directory.
  CHECK(run_as("./" + base_of(exe), base_of(exe).c_str(), exe, dir_of(exe)));
  // "./lnk2" after chdir into the scratch directory.
  CHECK(run_as("./lnk2", "lnk2", exe, scratch));
  // A mismatch is caught: the child really compares.
  CHECK(!run_as(lnk, "lnk", lnk, "", true));

  conformance::remove_tree(scratch);
  CHECK(access(scratch.c_str(), F_OK) == -1);
  return conformance::finish();
}
