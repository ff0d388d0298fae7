// Finding and checking the program `sentry run` starts, before the sandbox
// is built: a PATH search in the guest's tree and a refusal of binaries
// sentry cannot run.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace sentry::sandbox {

// Resolves PROGRAM like execvp would (PATH search for names without '/') in
// the guest's tree: `to_host` maps a guest path to the host path of the file
// (nullopt if it does not exist). Returns the guest path to exec, or nullopt
// with *error set ("command not found", ...).
using GuestToHost = std::function<std::optional<std::string>(const std::string& guest_path)>;
std::optional<std::string> resolve_program(const std::string& program, const GuestToHost& to_host, std::string* error);

// Refuses binaries sentry cannot run (32-bit, other machines) with a clear
// message; scripts and x86-64 ELF files pass.
bool check_runnable(const std::string& path, std::string* error);

}  // namespace sentry::sandbox
