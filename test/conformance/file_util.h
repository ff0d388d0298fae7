// Reading /proc, /sys and other small files whole, and parsing what they hold.
#pragma once

#include <fcntl.h>
#include <ftw.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <sstream>
#include <string>

namespace conformance {

// The whole file, read with read(2) into a large buffer until EOF; nullopt if
// it cannot be opened or a read fails.
inline std::optional<std::string> read_file(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  close(fd);
  if (n < 0) return std::nullopt;
  return out;
}

// The first integer in a file (e.g. /proc/sys/...), or `dflt` if there is none.
inline int read_proc_int(const char* path, int dflt) {
  FILE* f = std::fopen(path, "r");
  if (f == nullptr) return dflt;
  int v = dflt;
  if (std::fscanf(f, "%d", &v) != 1) v = dflt;
  std::fclose(f);
  return v;
}

// A kernel CPU list, "0-2,4\n" -> {0,1,2,4} ("" -> {}); nullopt if malformed.
inline std::optional<std::set<int>> parse_cpu_list(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  std::set<int> out;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, ',');) {
    char* end = nullptr;
    const long a = std::strtol(part.c_str(), &end, 10);
    if (end == part.c_str()) return std::nullopt;
    long b = a;
    if (*end == '-') {
      const char* start = end + 1;
      b = std::strtol(start, &end, 10);
      if (end == start) return std::nullopt;
    }
    if (*end != '\0' || b < a || a < 0) return std::nullopt;
    for (long c = a; c <= b; ++c) out.insert(static_cast<int>(c));
  }
  return out;
}

// A fresh scratch directory "./<prefix>_XXXXXX" in the working directory, as
// an absolute path; exits with a message (status 1) if it cannot be made.
inline std::string scratch_dir(const char* prefix) {
  std::string tmpl = std::string("./") + prefix + "_XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    std::perror("mkdtemp");
    std::exit(1);
  }
  char* real = realpath(tmpl.c_str(), nullptr);
  if (real == nullptr) {
    std::perror("realpath");
    rmdir(tmpl.c_str());
    std::exit(1);
  }
  std::string out = real;
  std::free(real);
  return out;
}

// Removes `path` and everything below it (no symlink is followed).
inline void remove_tree(const std::string& path) {
  nftw(
      path.c_str(),
      [](const char* p, const struct stat*, int type, struct FTW*) {
        if (type == FTW_DP || type == FTW_D || type == FTW_DNR) rmdir(p);
        else unlink(p);
        return 0;
      },
      16, FTW_DEPTH | FTW_PHYS);
}

}  // namespace conformance
