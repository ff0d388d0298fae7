#include "sentry/trace/call_observer.h"

#include <cstdio>

namespace sentry::trace {

CallRecord CallObserver::begin(pid_t tid, int nr, const abi::SyscallEntry* entry, const SyscallArgs& args,
                               GuestMemory* mem, abi::Serve served) const {
  CallRecord r;
  if (!enabled()) return r;
  r.tid = tid;
  r.nr = nr;
  r.entry = entry;
  r.served = served;
  const kernel::ThreadGroup* g = tree_.group_of(tid);
  r.image = g ? g->image : std::string("?");
  if (entry != nullptr) {
    if (trace_out_ != nullptr) {
      r.text = format_call(*entry, args, mem);
      r.args = args;
    }
    if (report_ != nullptr) r.variants = report::arg_variants(*entry, args, mem);
  } else if (trace_out_ != nullptr) {
    r.text = nr < 0 ? "<call of a non-native ABI>" : "syscall_" + std::to_string(nr) + "(...)";
  }
  return r;
}

void CallObserver::end(const CallRecord& r, std::optional<std::int64_t> result, GuestMemory* mem,
                       const std::string& note) const {
  if (!enabled()) return;
  if (report_ != nullptr) report_->record(r.image, r.nr, r.entry, r.served, result, r.variants);
  if (trace_out_ != nullptr) {
    std::string res = !result ? std::string("?")
                      : r.entry ? format_result(*r.entry, *result)
                                : std::to_string(*result);
    // What the call wrote is readable now (the guest has not resumed yet).
    const bool show_output = r.entry != nullptr && mem != nullptr && result && *result >= 0 &&
                             has_output_args(*r.entry);
    const std::string text = show_output ? format_call(*r.entry, r.args, mem, result) : r.text;
    if (!note.empty()) res += " " + note;
    std::fprintf(trace_out_, "%s %s = %s  <%s>\n", label(r.tid).c_str(), text.c_str(), res.c_str(),
                 std::string(abi::serve_name(r.served)).c_str());
  }
}

void CallObserver::event(pid_t tid, const std::string& text) const {
  if (trace_out_ != nullptr) std::fprintf(trace_out_, "%s %s\n", label(tid).c_str(), text.c_str());
}

// "[pid      3/20986]": the id the guest knows (its PID namespace's), then
// the host's.
std::string CallObserver::label(pid_t tid) const {
  char buf[64];
  const pid_t guest = tree_.guest_tid(tid);
  if (guest == 0 || guest == tid) {
    std::snprintf(buf, sizeof buf, "[pid %6d]", tid);
  } else {
    std::snprintf(buf, sizeof buf, "[pid %6d/%d]", guest, tid);
  }
  return buf;
}

}  // namespace sentry::trace
