// Starts the guest's root process: fork, PTRACE_SEIZE, load the seccomp
// filter in the child, execve. The child waits for the parent's "go" before
// loading the filter, so the tracer is attached before the first traced call.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "sentry/platform/seccomp_policy.h"

namespace sentry::platform {

struct LaunchSpec {
  std::string path;               // resolved executable path (host)
  std::string cwd;                // host directory to start in (empty: sentry's)
  std::vector<std::string> argv;  // argv[0] included
  SeccompFilter* filter = nullptr;
  sigset_t child_sigmask;         // the mask the guest starts with
};

struct Launched {
  pid_t pid = -1;
  int exec_error_fd = -1;  // reads the child's errno if execve failed
};

// Resolves PROGRAM like execvp would (PATH search for names without '/') in
// the guest's tree: `to_host` maps a guest path to the host path of the file
// (nullopt if it does not exist). Returns the host path, or nullopt with
// *error set ("command not found", ...).
using GuestToHost = std::function<std::optional<std::string>(const std::string& guest_path)>;
std::optional<std::string> resolve_program(const std::string& program, const GuestToHost& to_host, std::string* error);

// Refuses binaries sentry cannot run (32-bit, other machines) with a clear
// message; scripts and x86-64 ELF files pass.
bool check_runnable(const std::string& path, std::string* error);

std::optional<Launched> launch(const LaunchSpec& spec, std::string* error);

// After the child's launch exec: the errno of a failed execve, or 0.
int read_exec_error(int fd);

}  // namespace sentry::platform
