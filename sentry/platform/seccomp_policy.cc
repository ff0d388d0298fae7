#include "sentry/platform/seccomp_policy.h"

#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "abi/forward_rules.h"
#include "abi/syscall_table.h"

namespace sentry::platform {

namespace {

bool is_exec(const abi::SyscallEntry& e) { return e.name == "execve" || e.name == "execveat"; }

std::uint32_t to_scmp(const FilterAction& a) {
  switch (a.kind) {
    case ActionKind::kAllow: return SCMP_ACT_ALLOW;
    case ActionKind::kNotify: return SCMP_ACT_NOTIFY;
    case ActionKind::kTrace: return SCMP_ACT_TRACE(a.trace_data);
  }
  return SCMP_ACT_KILL_PROCESS;
}

}  // namespace

FilterAction default_action(const PolicyOptions& opts) {
  return opts.platform == PlatformKind::kUnotify ? FilterAction{ActionKind::kNotify}
                                                 : FilterAction{ActionKind::kTrace, kTraceServe};
}

FilterAction forwarded_action(const PolicyOptions& opts) {
  return opts.observe_forwarded ? FilterAction{ActionKind::kTrace, kTraceObserve}
                                : FilterAction{ActionKind::kAllow};
}

FilterAction action_for(const abi::SyscallEntry& e, const PolicyOptions& opts) {
  if (is_exec(e)) return {ActionKind::kTrace, kTraceExec};
  if (e.serve == abi::Serve::kForward) return forwarded_action(opts);
  return default_action(opts);
}

FilterAction action_for_call(const abi::SyscallEntry& e, const std::uint64_t (&args)[6],
                             const PolicyOptions& opts) {
  if (e.serve != abi::Serve::kForward && !is_exec(e)) {
    for (const abi::ForwardRule& r : abi::forward_rules()) {
      if (r.syscall == e.name && r.matches(args)) return forwarded_action(opts);
    }
  }
  return action_for(e, opts);
}

std::unique_ptr<SeccompFilter> SeccompFilter::build(const PolicyOptions& opts, std::string* error) {
  FilterAction def = default_action(opts);
  scmp_filter_ctx ctx = seccomp_init(to_scmp(def));
  if (ctx == nullptr) {
    *error = "seccomp_init failed";
    return nullptr;
  }
  std::unique_ptr<SeccompFilter> f(new SeccompFilter(ctx));
  f->notify_ = def.kind == ActionKind::kNotify;
  auto fail = [&](const char* what, int rc) {
    *error = std::string(what) + ": " + std::strerror(-rc);
    return nullptr;
  };
  // i386 (int 0x80) and x32 calls reach the supervisor, which refuses them with
  // ENOSYS and records them; libseccomp sends every other ABI to BADARCH.
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, to_scmp(def));
  if (rc != 0) return fail("seccomp_attr_set(BADARCH)", rc);
  rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, opts.no_new_privs ? 1 : 0);
  if (rc != 0) return fail("seccomp_attr_set(NNP)", rc);
  for (const abi::SyscallEntry& e : abi::all_syscalls()) {
    if (e.nr_x86_64 < 0) continue;
    FilterAction a = action_for(e, opts);
    if (a == def) continue;
    if (a.kind == ActionKind::kNotify) f->notify_ = true;
    rc = seccomp_rule_add(ctx, to_scmp(a), e.nr_x86_64, 0);
    if (rc != 0) return fail(std::string("seccomp_rule_add(" + std::string(e.name) + ")").c_str(), rc);
  }
  // Argument-aware fast paths of served syscalls.
  for (const abi::ForwardRule& r : abi::forward_rules()) {
    const abi::SyscallEntry* e = abi::syscall_by_name(r.syscall);
    if (e == nullptr) return fail("forward rule for an unknown syscall", -EINVAL);
    if (e->serve == abi::Serve::kForward || is_exec(*e)) continue;  // forwarded whole
    FilterAction a = forwarded_action(opts);
    rc = seccomp_rule_add(ctx, to_scmp(a), e->nr_x86_64, 1,
                          SCMP_CMP(static_cast<unsigned>(r.arg), SCMP_CMP_MASKED_EQ, r.mask, r.value));
    if (rc != 0) return fail(std::string("seccomp_rule_add(" + std::string(e->name) + ", rule)").c_str(), rc);
  }
  return f;
}

SeccompFilter::~SeccompFilter() { seccomp_release(static_cast<scmp_filter_ctx>(ctx_)); }

int SeccompFilter::load() {
  int rc = seccomp_load(static_cast<scmp_filter_ctx>(ctx_));
  if (rc != 0) return rc;
  if (!notify_) return 0;
  int fd = seccomp_notify_fd(static_cast<scmp_filter_ctx>(ctx_));
  return fd >= 0 ? fd : -EINVAL;
}

std::vector<std::uint8_t> SeccompFilter::export_bpf() const {
  std::vector<std::uint8_t> out;
  int fd = memfd_create("sentry-bpf", MFD_CLOEXEC);
  if (fd < 0) return out;
  if (seccomp_export_bpf(static_cast<scmp_filter_ctx>(ctx_), fd) == 0) {
    off_t size = lseek(fd, 0, SEEK_END);
    if (size > 0) {
      out.resize(static_cast<std::size_t>(size));
      if (pread(fd, out.data(), out.size(), 0) != size) out.clear();
    }
  }
  close(fd);
  return out;
}

}  // namespace sentry::platform
