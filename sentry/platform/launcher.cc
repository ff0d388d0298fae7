#include "sentry/platform/launcher.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sentry/platform/tracer.h"

extern char** environ;

namespace sentry::platform {

namespace {

bool is_executable_file(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(p.c_str(), X_OK) == 0;
}

[[noreturn]] void child_fail(int fd, int err) {
  (void)!write(fd, &err, sizeof err);
  _exit(127);
}

}  // namespace

std::optional<std::string> resolve_program(const std::string& program, const GuestToHost& to_host, std::string* error) {
  if (program.find('/') != std::string::npos) {
    auto host = to_host(program);
    if (!host) {
      *error = program + ": " + std::strerror(ENOENT);
      return std::nullopt;
    }
    return host;
  }
  const char* path = getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    auto host = to_host((dir.empty() ? "." : dir) + "/" + program);
    if (host && is_executable_file(*host)) return host;
    start = end + 1;
  }
  *error = program + ": command not found";
  return std::nullopt;
}

bool check_runnable(const std::string& path, std::string* error) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = path + ": " + std::strerror(errno);
    return false;
  }
  unsigned char head[sizeof(Elf64_Ehdr)] = {};
  ssize_t n = read(fd, head, sizeof head);
  close(fd);
  if (n >= 2 && head[0] == '#' && head[1] == '!') return true;  // a script: its interpreter is checked at exec
  if (n < EI_NIDENT || std::memcmp(head, ELFMAG, SELFMAG) != 0) return true;  // let execve give ENOEXEC
  if (head[EI_CLASS] != ELFCLASS64) {
    *error = path + ": 32-bit programs are not supported (sentry runs x86-64 programs only)";
    return false;
  }
  const auto* eh = reinterpret_cast<const Elf64_Ehdr*>(head);
  if (n >= static_cast<ssize_t>(sizeof(Elf64_Ehdr)) && eh->e_machine != EM_X86_64) {
    *error = path + ": not an x86-64 program (ELF machine " + std::to_string(eh->e_machine) + ")";
    return false;
  }
  return true;
}

std::optional<Launched> launch(const LaunchSpec& spec, std::string* error) {
  int go[2], err[2];
  if (pipe2(go, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    *error = std::string("pipe2: ") + std::strerror(errno);
    return std::nullopt;
  }
  std::vector<char*> argv;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t parent = getpid();

  pid_t pid = fork();
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    return std::nullopt;
  }
  if (pid == 0) {
    close(go[1]);
    close(err[0]);
    // No PR_SET_PDEATHSIG: the guest would inherit it (it survives exec). If
    // sentry dies before attaching, the read sees EOF; after PTRACE_SEIZE,
    // PTRACE_O_EXITKILL kills every tracee with sentry.
    if (getppid() != parent) _exit(127);
    char byte;
    if (read(go[0], &byte, 1) != 1) _exit(127);  // sentry gave up before attaching
    close(go[0]);
    sigprocmask(SIG_SETMASK, &spec.child_sigmask, nullptr);
    if (!spec.cwd.empty() && chdir(spec.cwd.c_str()) != 0) child_fail(err[1], errno);
    int rc = spec.filter->load();
    if (rc < 0) child_fail(err[1], -rc);
    execve(spec.path.c_str(), argv.data(), environ);
    child_fail(err[1], errno);
  }
  close(go[0]);
  close(err[1]);
  int rc = Tracer::seize(pid);
  if (rc != 0) {
    *error = std::string("PTRACE_SEIZE: ") + std::strerror(-rc);
    close(go[1]);
    close(err[0]);
    return std::nullopt;
  }
  char byte = 1;
  (void)!write(go[1], &byte, 1);
  close(go[1]);
  return Launched{pid, err[0]};
}

int read_exec_error(int fd) {
  int e = 0;
  ssize_t n = read(fd, &e, sizeof e);
  return n == static_cast<ssize_t>(sizeof e) ? e : 0;
}

}  // namespace sentry::platform
