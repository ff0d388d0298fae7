// Minimal harness for conformance programs. Each program in test/conformance/
// is written to pass on native Linux first; ctest then runs it twice: natively
// and under `sentry run`. Both must pass. A program prints one line per failed
// check (file:line, expression, errno) and exits 1 if any check failed, 0 if
// all passed. A program that needs something the machine lacks prints
// "SKIP: <why>" and exits 77 (ctest reports it as skipped, never as passed).
#pragma once

#include <cerrno>
#include <cstdio>
#include <string>
#include <unistd.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <cstdlib>
#include <cstring>

namespace conformance {

inline int& failures() {
  static int n = 0;
  return n;
}

inline void fail(const char* file, int line, const char* what, int err) {
  ++failures();
  std::fprintf(stderr, "FAIL %s:%d: %s (errno=%d %s)\n", file, line, what, err,
               err ? std::strerror(err) : "-");
  std::fflush(stderr);
}

// Call at the end of main(): `return conformance::finish();`
inline int finish() {
  if (failures() != 0) {
    std::fprintf(stderr, "%d check(s) failed\n", failures());
    return 1;
  }
  std::printf("PASS\n");
  return 0;
}

[[noreturn]] inline void skip(const char* why) {
  std::printf("SKIP: %s\n", why);
  std::exit(77);
}

// Whether the program runs in the initial user namespace, where a capability
// is one over the whole machine (capable()); in any other (a container,
// `unshare -U`, sentry) it holds only over what that namespace owns.
inline bool in_initial_user_namespace() {
  std::FILE* f = std::fopen("/proc/self/uid_map", "re");
  if (f == nullptr) return true;
  unsigned long inside = 1, outside = 1, count = 0;
  const int n = std::fscanf(f, "%lu %lu %lu", &inside, &outside, &count);
  std::fclose(f);
  return n == 3 && inside == 0 && outside == 0 && count == 4294967295ul;
}

// Whether this system lets root set set-user-ID and set-group-ID bits. Linux
// does; sentry refuses them (a set-ID-root file in a granted place would be
// every host user's, docs/security.md). Probed once with a scratch file in
// `dir`; says so on stdout when they are refused.
inline bool set_id_bits_allowed(const std::string& dir) {
  static int allowed = -1;
  if (allowed >= 0) return allowed == 1;
  const std::string f = dir + "/.set_id_probe";
  const int fd = ::open(f.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0755);
  if (fd < 0) return true;
  ::close(fd);
  allowed = ::chmod(f.c_str(), 04755) == 0 ? 1 : 0;
  const int err = errno;
  ::unlink(f.c_str());
  if (!allowed) std::printf("note: set-ID bits are refused here (%s): set-ID checks expect EPERM\n", std::strerror(err));
  return allowed == 1;
}

}  // namespace conformance

// CHECK(expr): expr must be true.
#define CHECK(expr)                                                        \
  do {                                                                     \
    errno = 0;                                                             \
    if (!(expr)) conformance::fail(__FILE__, __LINE__, #expr, errno);      \
  } while (0)

// CHECK_ERR(call, err): call must return -1 with errno == err.
#define CHECK_ERR(call, err)                                               \
  do {                                                                     \
    errno = 0;                                                             \
    long check_err_rc_ = static_cast<long>(call);                          \
    int check_err_errno_ = errno;                                          \
    if (check_err_rc_ != -1 || check_err_errno_ != (err))                  \
      conformance::fail(__FILE__, __LINE__, #call " must fail with " #err, \
                        check_err_errno_);                                 \
  } while (0)

// CHECK_OK(call): call must not return -1.
#define CHECK_OK(call)                                                     \
  do {                                                                     \
    errno = 0;                                                             \
    if (static_cast<long>(call) == -1)                                     \
      conformance::fail(__FILE__, __LINE__, #call " failed", errno);       \
  } while (0)
