// Collects the syscall-coverage report of a run: per program image, every
// syscall seen with its count, how sentry served it, errors by errno and the
// argument variants worth knowing; plus every denied/unsupported call hit.
// Rendered to JSON (format "sentry-coverage/1", see docs/report-format.md).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "abi/syscall_entry.h"
#include "sentry/kernel/process_tree.h"
#include "sentry/report/arg_variants.h"

namespace sentry::report {

struct RunInfo {
  std::vector<std::string> command;
  std::string platform;
  bool observed_forwarded = false;
  std::optional<int> exit_code;
  std::optional<int> exit_signal;
  double wall_seconds = 0;
  // sentry's own cost: CPU time and peak resident memory of the supervisor.
  double sentry_user_seconds = 0;
  double sentry_sys_seconds = 0;
  std::uint64_t sentry_peak_rss_kb = 0;
};

class CoverageRecorder : public kernel::ProcessTree::Listener {
 public:
  // One call. `result` is nullopt when the host ran it and sentry did not see
  // the outcome. `nr` is -1 for calls of another ABI.
  void record(const std::string& image, int nr, const abi::SyscallEntry* entry, abi::Serve served,
              std::optional<std::int64_t> result, const std::vector<ArgVariant>& variants);

  // A file of the model's /proc or /sys (proc_synth/model_fs.h) that a
  // process of `image` opened; reported per program as "model_files".
  void record_model_file(const std::string& image, const std::string& path);

  void on_new_process(const kernel::ThreadGroup& g) override;
  void on_new_thread(const kernel::ThreadGroup& g, pid_t tid) override;
  void on_exec(const kernel::ThreadGroup& g) override;

  nlohmann::json to_json(const RunInfo& run) const;
  std::uint64_t total_calls() const { return total_; }

 private:
  struct SyscallStats {
    int nr = -1;
    std::string name;
    abi::Serve served = abi::Serve::kForward;
    std::uint64_t count = 0;
    std::map<std::string, std::uint64_t> errors;
    std::map<std::string, std::map<std::string, std::uint64_t>> variants;
  };
  struct Program {
    std::string image;
    std::uint64_t processes = 0;
    std::uint64_t threads = 0;
    std::uint64_t calls = 0;
    std::map<std::string, SyscallStats> syscalls;  // by "name/served"
    std::map<std::string, std::uint64_t> model_files;  // normalised path -> opens
  };
  Program& program(const std::string& image);

  std::vector<Program> programs_;  // in order of first appearance
  std::map<std::string, std::size_t> index_;
  std::uint64_t total_ = 0;
};

}  // namespace sentry::report
