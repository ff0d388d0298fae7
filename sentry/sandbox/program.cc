#include "sentry/sandbox/program.h"

#include <elf.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>


namespace sentry::sandbox {

namespace {

bool is_executable_file(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(p.c_str(), X_OK) == 0;
}


}  // namespace

std::optional<std::string> resolve_program(const std::string& program, const GuestToHost& to_host, std::string* error) {
  if (program.find('/') != std::string::npos) {
    auto host = to_host(program);
    if (!host) {
      *error = program + ": " + std::strerror(ENOENT);
      return std::nullopt;
    }
    return program;
  }
  const char* path = getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    auto host = to_host(candidate);
    if (host && is_executable_file(*host)) return candidate;
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

}  // namespace sentry::sandbox
