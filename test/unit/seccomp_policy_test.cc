// The filter is derived from abi/: run the generated BPF for every syscall
// number and check it does what each row says.
#include <linux/audit.h>

#include <catch2/catch.hpp>

#include "abi/forward_rules.h"
#include "abi/syscall_table.h"
#include "bpf_interpreter.h"
#include "sentry/platform/seccomp_policy.h"

using namespace sentry;
using platform::ActionKind;
using platform::PolicyOptions;

namespace {

std::uint32_t expected_ret(const platform::FilterAction& a) {
  switch (a.kind) {
    case ActionKind::kAllow: return SECCOMP_RET_ALLOW;
    case ActionKind::kNotify: return SECCOMP_RET_USER_NOTIF;
    case ActionKind::kTrace: return SECCOMP_RET_TRACE | a.trace_data;
    case ActionKind::kErrno: return SECCOMP_RET_ERRNO | a.trace_data;
  }
  return 0;
}

std::uint32_t run(const std::vector<std::uint8_t>& bpf, int nr, std::uint32_t arch = AUDIT_ARCH_X86_64,
                  const std::uint64_t (&args)[6] = {}) {
  seccomp_data d{};
  d.nr = nr;
  d.arch = arch;
  for (int i = 0; i < 6; ++i) d.args[i] = args[i];
  auto r = testing::run_seccomp_bpf(bpf, d);
  REQUIRE(r.has_value());
  return *r;
}

void check_every_row(const PolicyOptions& opts) {
  std::string error;
  auto filter = platform::SeccompFilter::build(opts, &error);
  REQUIRE(filter != nullptr);
  auto bpf = filter->export_bpf();
  REQUIRE(!bpf.empty());
  const std::uint64_t zero[6] = {};
  for (const abi::SyscallEntry& e : abi::all_syscalls()) {
    INFO(e.name);
    CHECK(run(bpf, e.nr_x86_64, AUDIT_ARCH_X86_64, zero) ==
          expected_ret(platform::action_for_call(e, zero, opts)));
  }
  // Every argument rule: a call that matches it and one that does not.
  for (const abi::ForwardRule& r : abi::forward_rules()) {
    const abi::SyscallEntry* e = abi::syscall_by_name(r.syscall);
    REQUIRE(e != nullptr);
    INFO(std::string(r.syscall) + " rule on arg " + std::to_string(r.arg));
    std::uint64_t match[6] = {}, miss[6] = {};
    match[r.arg] = r.value;
    miss[r.arg] = r.value ^ (r.mask & (~r.mask + 1));  // flip the lowest masked bit
    CHECK(run(bpf, e->nr_x86_64, AUDIT_ARCH_X86_64, match) == expected_ret(platform::action_for_call(*e, match, opts)));
    CHECK(run(bpf, e->nr_x86_64, AUDIT_ARCH_X86_64, miss) == expected_ret(platform::action_for_call(*e, miss, opts)));
    if (r.deny_errno != 0) {
      CHECK(platform::action_for_call(*e, match, opts) ==
            (opts.observe_forwarded
                 ? platform::default_action(opts)
                 : platform::FilterAction{platform::ActionKind::kErrno, static_cast<std::uint16_t>(r.deny_errno)}));
    } else if (!platform::rule_applies(r, *e, opts)) {
      // Routes exist on the unotify platform only: elsewhere the row applies
      // (to a call no other rule matches: every argument non-zero).
      const std::uint64_t ones[6] = {1, 1, 1, 1, 1, 1};
      CHECK(platform::action_for_call(*e, ones, opts) == platform::action_for(*e, opts));
    } else if (e->serve != abi::Serve::kForward) {
      CHECK(platform::action_for_call(*e, match, opts) ==
            (r.translate ? platform::FilterAction{platform::ActionKind::kTrace, platform::kTraceTranslate}
                         : platform::forwarded_action(opts)));
    }
  }
  // Numbers with no row, other ABIs and x32 go to the supervisor, which refuses them.
  std::uint32_t def = expected_ret(platform::default_action(opts));
  CHECK(run(bpf, 1000) == def);
  CHECK(run(bpf, 0 /*read*/, AUDIT_ARCH_I386) == def);
  CHECK(run(bpf, 0x40000000 | 0) == def);
}

}  // namespace

TEST_CASE("policy: forwarded rows are allowed, served rows notify, exec traces") {
  PolicyOptions opts;
  const auto* read = abi::syscall_by_name("read");
  const auto* execve = abi::syscall_by_name("execve");
  const auto* io_uring = abi::syscall_by_name("io_uring_setup");
  REQUIRE(read);
  REQUIRE(execve);
  REQUIRE(io_uring);
  CHECK(platform::action_for(*read, opts).kind == ActionKind::kAllow);
  CHECK(platform::action_for(*execve, opts) == platform::FilterAction{ActionKind::kTrace, platform::kTraceExec});
  CHECK(platform::action_for(*io_uring, opts).kind == ActionKind::kNotify);
  opts.observe_forwarded = true;
  CHECK(platform::action_for(*read, opts) ==
        platform::FilterAction{ActionKind::kTrace, platform::kTraceObserve});
  opts.platform = platform::PlatformKind::kPtrace;
  CHECK(platform::action_for(*io_uring, opts) ==
        platform::FilterAction{ActionKind::kTrace, platform::kTraceServe});
}

TEST_CASE("policy: the generated BPF matches the table (unotify, fast path)") {
  check_every_row(PolicyOptions{});
}

TEST_CASE("policy: the generated BPF matches the table (unotify, observing)") {
  PolicyOptions o;
  o.observe_forwarded = true;
  check_every_row(o);
}

TEST_CASE("policy: the generated BPF matches the table (ptrace platform)") {
  PolicyOptions o;
  o.platform = platform::PlatformKind::kPtrace;
  check_every_row(o);
}
