#include "sentry/platform/seccomp_policy.h"

#include <seccomp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

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
    case ActionKind::kErrno: return SCMP_ACT_ERRNO(a.trace_data);
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

// ROUTE_BY_FD rules only on the unotify platform, where sentry installs the
// routes (platform/fd_routes.h); the TRANSLATE_WHEN rules of a translated row
// are the exceptions to its route.
bool rule_applies(const abi::ForwardRule& r, const abi::SyscallEntry& e, const PolicyOptions& opts) {
  if (r.syscall != e.name) return false;
  if (r.deny_errno != 0) return true;
  if (e.serve == abi::Serve::kForward || is_exec(e)) return false;
  if (r.routed || (r.translate && e.serve == abi::Serve::kTranslate)) return opts.platform == PlatformKind::kUnotify;
  return true;
}

// The rules that apply to row `e`, in the table's order.
static std::vector<const abi::ForwardRule*> rules_for(const abi::SyscallEntry& e, const PolicyOptions& opts) {
  std::vector<const abi::ForwardRule*> out;
  for (const abi::ForwardRule& r : abi::forward_rules())
    if (rule_applies(r, e, opts)) out.push_back(&r);
  return out;
}

static FilterAction rule_action(const abi::ForwardRule& r, const PolicyOptions& opts) {
  // A refused call is answered by the filter itself, unless the run observes
  // calls: then it goes to the supervisor, which refuses it the same way and
  // records it (trace, report) as denied.
  if (r.deny_errno != 0) {
    if (opts.observe_forwarded) return default_action(opts);
    return {ActionKind::kErrno, static_cast<std::uint16_t>(r.deny_errno)};
  }
  return r.translate ? FilterAction{ActionKind::kTrace, kTraceTranslate} : forwarded_action(opts);
}

// Adds the forwarding rules of a served syscall, and its own action for the
// calls they do not match. libseccomp gives an unconditional rule precedence
// over conditional ones, so when the row's action is not the filter's default
// it is added under the complement of the forwarding conditions: NE for a
// single full-mask rule, else every other value of a small mask. All rules of
// one syscall must then test the same argument with the same mask.
static int add_rules_with_forwarding(scmp_filter_ctx ctx, const abi::SyscallEntry& e, const FilterAction& own,
                              const FilterAction& def, const std::vector<const abi::ForwardRule*>& rules,
                              const PolicyOptions& opts) {
  // A rule that matches every call (ROUTE_BY_FD) is the syscall's action,
  // and only the row's TRANSLATE_WHEN rules are exceptions to it: each must
  // test one flag bit, and the route applies where none of them is set.
  for (const abi::ForwardRule* r : rules) {
    if (!r->matches_all() || r->deny_errno != 0) continue;
    FilterAction fwd = rule_action(*r, opts);
    std::vector<scmp_arg_cmp> unset;
    for (const abi::ForwardRule* x : rules) {
      if (!x->translate) continue;
      if (__builtin_popcountll(x->mask) != 1 || x->value != x->mask || unset.size() == 6) return -EINVAL;
      const auto arg = static_cast<unsigned>(x->arg);
      int rc = seccomp_rule_add(ctx, to_scmp(rule_action(*x, opts)), e.nr_x86_64, 1,
                                SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, x->mask, x->value));
      if (rc != 0) return rc;
      unset.push_back(SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, x->mask, 0));
    }
    if (fwd == def) return 0;
    return seccomp_rule_add_array(ctx, to_scmp(fwd), e.nr_x86_64, static_cast<unsigned>(unset.size()),
                                  unset.empty() ? nullptr : unset.data());
  }
  for (const abi::ForwardRule* r : rules) {
    FilterAction fwd = rule_action(*r, opts);
    if (fwd == def) continue;  // the filter's default already (libseccomp refuses such a rule)
    int rc = seccomp_rule_add(ctx, to_scmp(fwd), e.nr_x86_64, 1,
                              SCMP_CMP(static_cast<unsigned>(r->arg), SCMP_CMP_MASKED_EQ, r->mask, r->value));
    if (rc != 0) return rc;
  }
  if (own == def) return 0;
  const abi::ForwardRule& first = *rules.front();
  for (const abi::ForwardRule* r : rules)
    if (r->arg != first.arg || r->mask != first.mask) return -EINVAL;
  auto arg = static_cast<unsigned>(first.arg);
  if (first.mask == ~std::uint64_t{0} && rules.size() == 1) {
    return seccomp_rule_add(ctx, to_scmp(own), e.nr_x86_64, 1, SCMP_CMP(arg, SCMP_CMP_NE, first.value));
  }
  if (__builtin_popcountll(first.mask) > 8) return -EINVAL;
  std::vector<std::uint64_t> bits;  // the mask's bits; every value they can form
  for (int b = 0; b < 64; ++b)
    if ((first.mask >> b) & 1) bits.push_back(std::uint64_t{1} << b);
  for (std::uint64_t combo = 0; combo < (std::uint64_t{1} << bits.size()); ++combo) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < bits.size(); ++i)
      if ((combo >> i) & 1) v |= bits[i];
    bool forwarded = false;
    for (const abi::ForwardRule* r : rules) forwarded = forwarded || r->value == v;
    if (forwarded) continue;
    int rc = seccomp_rule_add(ctx, to_scmp(own), e.nr_x86_64, 1, SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, first.mask, v));
    if (rc != 0) return rc;
  }
  return 0;
}

FilterAction action_for(const abi::SyscallEntry& e, const PolicyOptions& opts) {
  if (is_exec(e)) return {ActionKind::kTrace, kTraceExec};
  if (e.serve == abi::Serve::kForward) return forwarded_action(opts);
  if (e.serve == abi::Serve::kTranslate) return {ActionKind::kTrace, kTraceTranslate};
  return default_action(opts);
}

FilterAction action_for_call(const abi::SyscallEntry& e, const std::uint64_t (&args)[6],
                             const PolicyOptions& opts) {
  for (const abi::ForwardRule* r : rules_for(e, opts))
    if (r->matches(args)) return rule_action(*r, opts);
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
  // A binary tree over syscall numbers instead of a linear scan: a served
  // call (which the kernel's action cache cannot skip) runs a few dozen BPF
  // instructions instead of hundreds.
  rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (rc != 0) return fail("seccomp_attr_set(OPTIMIZE)", rc);
  for (const abi::SyscallEntry& e : abi::all_syscalls()) {
    if (e.nr_x86_64 < 0) continue;
    FilterAction a = action_for(e, opts);
    if (a.kind == ActionKind::kNotify) f->notify_ = true;
    std::vector<const abi::ForwardRule*> rules = rules_for(e, opts);
    if (!rules.empty()) {
      rc = add_rules_with_forwarding(ctx, e, a, def, rules, opts);
    } else if (a == def) {
      continue;
    } else {
      rc = seccomp_rule_add(ctx, to_scmp(a), e.nr_x86_64, 0);
    }
    if (rc != 0) return fail(std::string("seccomp_rule_add(" + std::string(e.name) + ")").c_str(), rc);
  }
  f->no_new_privs_ = opts.no_new_privs;
  f->program_ = f->export_bpf();
  if (f->program_.empty() || f->program_.size() % sizeof(sock_filter) != 0) {
    *error = "seccomp_export_bpf failed";
    return nullptr;
  }
  return f;
}

SeccompFilter::~SeccompFilter() { seccomp_release(static_cast<scmp_filter_ctx>(ctx_)); }

int SeccompFilter::load() {
  if (no_new_privs_ && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -errno;
  return load_program(program_.data(), program_.size(), notify_);
}

int SeccompFilter::load_program(const std::uint8_t* program, std::size_t size, bool notify) {
  if (size == 0 || size % sizeof(sock_filter) != 0) return -EINVAL;
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(size / sizeof(sock_filter));
  prog.filter = reinterpret_cast<sock_filter*>(const_cast<std::uint8_t*>(program));
  const unsigned flags = notify ? SECCOMP_FILTER_FLAG_NEW_LISTENER : 0;
  long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
  if (rc < 0) return -errno;
  return notify ? static_cast<int>(rc) : 0;
}

std::vector<std::uint8_t> SeccompFilter::export_bpf() const { return platform::export_bpf(ctx_); }

std::vector<std::uint8_t> export_bpf(void* scmp_ctx) {
  std::vector<std::uint8_t> out;
  int fd = memfd_create("sentry-bpf", MFD_CLOEXEC);
  if (fd < 0) return out;
  if (seccomp_export_bpf(static_cast<scmp_filter_ctx>(scmp_ctx), fd) == 0) {
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
