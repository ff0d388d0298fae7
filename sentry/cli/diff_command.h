// `sentry diff [options] -- PROGRAM [ARGS...]`: run a program natively (under
// strace) and under sentry, each in a fresh scratch directory, and show how
// the two runs differ: exit status, stdout, stderr, the files written into the
// scratch directory, and per thread the sequence of syscall results.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace sentry::cli {

struct DiffArgs {
  std::vector<std::string> masks;            // regexes; matches in output become "<masked>"
  std::vector<std::string> ignore_syscalls;  // call names left out of the comparison
  bool scratch_dir_arg = false;              // pass the scratch dir as the last argument (cwd unchanged)
  bool json = false;
  bool no_syscalls = false;                  // compare exit status, output and files only (no strace)
  bool keep = false;                         // keep the scratch dirs and traces
  double timeout = 0;                        // seconds per run; 0: none
  std::size_t context = 3;                   // equal calls shown around a difference
  std::vector<std::string> command;
};

void add_diff_command(CLI::App& app, DiffArgs& args);

// `self_exe`: the sentry binary to run the program under; "/proc/self/exe"
// (resolved here) for this one. Returns 0 if the runs match, 1 if they
// differ, 2 on a usage error or when strace is missing.
int diff_command(const DiffArgs& args, const char* self_exe);

}  // namespace sentry::cli
