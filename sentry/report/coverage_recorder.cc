#include "sentry/report/coverage_recorder.h"

#include <algorithm>

#include "abi/linux_names.h"
#include "abi/syscall_table.h"

namespace sentry::report {

CoverageRecorder::Program& CoverageRecorder::program(const std::string& image) {
  auto it = index_.find(image);
  if (it != index_.end()) return programs_[it->second];
  index_[image] = programs_.size();
  Program p;
  p.image = image;
  programs_.push_back(std::move(p));
  return programs_.back();
}

void CoverageRecorder::record(const std::string& image, int nr, const abi::SyscallEntry* entry,
                              abi::Serve served, std::optional<std::int64_t> result,
                              const std::vector<ArgVariant>& variants) {
  Program& p = program(image);
  std::string name = entry ? std::string(entry->name)
                           : (nr < 0 ? "foreign-abi" : "syscall_" + std::to_string(nr));
  // One row per (syscall, how served): a served syscall may forward some of
  // its calls (argument rules), and the report must show both.
  SyscallStats& s = p.syscalls[name + "/" + std::string(abi::serve_name(served))];
  s.nr = nr;
  s.name = name;
  s.served = served;
  ++s.count;
  ++p.calls;
  ++total_;
  if (result && *result < 0 && *result >= -4095) {
    s.errors[std::string(abi::errno_name(static_cast<int>(-*result)))]++;
  }
  for (const ArgVariant& v : variants) s.variants[v.category][v.value]++;
}

void CoverageRecorder::on_new_process(const kernel::ThreadGroup& g) {
  Program& p = program(g.image);
  ++p.processes;
  ++p.threads;
}

void CoverageRecorder::on_new_thread(const kernel::ThreadGroup& g, pid_t) { ++program(g.image).threads; }

void CoverageRecorder::on_exec(const kernel::ThreadGroup& g) {
  Program& p = program(g.image);
  ++p.processes;
  ++p.threads;
}

void CoverageRecorder::record_model_file(const std::string& image, const std::string& path) {
  ++program(image).model_files[normalize_numbers(path)];
}

nlohmann::json CoverageRecorder::to_json(const RunInfo& run) const {
  using nlohmann::json;
  json totals = {{"calls", 0}};
  for (abi::Serve kind : {abi::Serve::kForward, abi::Serve::kEmulate, abi::Serve::kTranslate,
                          abi::Serve::kSupervise, abi::Serve::kDeny, abi::Serve::kUnsupported}) {
    totals[std::string(abi::serve_name(kind))] = 0;
  }
  json programs = json::array();
  for (const Program& p : programs_) {
    std::vector<const SyscallStats*> sorted;
    for (const auto& [name, s] : p.syscalls) sorted.push_back(&s);
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const SyscallStats* a, const SyscallStats* b) { return a->count > b->count; });
    json calls = json::array();
    json unsupported = json::array();
    for (const SyscallStats* s : sorted) {
      std::string served(abi::serve_name(s->served));
      totals["calls"] = totals["calls"].get<std::uint64_t>() + s->count;
      totals[served] = totals.value(served, std::uint64_t{0}) + s->count;
      json row = {{"name", s->name}, {"nr", s->nr}, {"served", served}, {"count", s->count},
                  {"errors", s->errors}, {"variants", s->variants}};
      calls.push_back(row);
      if (s->served == abi::Serve::kDeny || s->served == abi::Serve::kUnsupported) {
        const abi::SyscallEntry* e = s->nr >= 0 ? abi::syscall_by_nr(s->nr) : nullptr;
        json u = {{"name", s->name}, {"nr", s->nr}, {"served", served}, {"count", s->count}};
        int err = e ? e->deny_errno : 38;  // ENOSYS
        u["errno"] = std::string(abi::errno_name(err));
        u["reason"] = e ? std::string(e->reason)
                        : (s->nr < 0 ? "system call of a non-native ABI (i386 int 0x80 or x32)"
                                     : "no such system call on x86-64");
        unsupported.push_back(u);
      }
    }
    programs.push_back({{"image", p.image}, {"processes", p.processes}, {"threads", p.threads},
                        {"calls", p.calls}, {"syscalls", calls}, {"unsupported", unsupported},
                        {"model_files", p.model_files}});
  }
  json exit = {{"code", run.exit_code ? json(*run.exit_code) : json(nullptr)},
               {"signal", run.exit_signal ? json(std::string(abi::signal_name(*run.exit_signal)))
                                          : json(nullptr)}};
  return {{"format", "sentry-coverage/1"},
          {"sentry_version", SENTRY_VERSION},
          {"command", run.command},
          {"platform", run.platform},
          {"observed", run.observed_forwarded ? "all" : "served"},
          {"exit", exit},
          {"wall_seconds", run.wall_seconds},
          {"sentry", {{"user_seconds", run.sentry_user_seconds},
                      {"sys_seconds", run.sentry_sys_seconds},
                      {"peak_rss_kb", run.sentry_peak_rss_kb}}},
          {"totals", totals},
          {"programs", programs}};
}

}  // namespace sentry::report
