// A canonical directory under /tmp for tests that need a real tree, removed
// with everything in it when the test ends.
#pragma once

#include <climits>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

namespace sentry::test {

class TempDir {
 public:
  explicit TempDir(const char* prefix = "sentry_test") {
    std::string tmpl = std::string("/tmp/") + prefix + "_XXXXXX";
    char* p = mkdtemp(tmpl.data());
    REQUIRE(p != nullptr);
    char buf[PATH_MAX];
    const bool canonical = realpath(p, buf) != nullptr;
    path_ = canonical ? buf : p;
    REQUIRE(canonical);  // the vfs mount table stores canonical host paths
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  // Creates `rel` (and its parents) as a directory; returns its host path.
  std::string mkdir(const std::string& rel) const {
    std::filesystem::create_directories(path_ + "/" + rel);
    return path_ + "/" + rel;
  }
  // Creates the file `rel` holding "x"; returns its host path.
  std::string touch(const std::string& rel) const {
    std::ofstream(path_ + "/" + rel) << "x";
    return path_ + "/" + rel;
  }

 private:
  std::string path_;
};

}  // namespace sentry::test
