// Tests for the trace readers of `sentry diff` (sentry/diff/trace_parse.h):
// strace's `-f -o` lines (padding, <unfinished ...>/resumed pairs, signals,
// strings holding parentheses and " = "), sentry's `-o` lines with how each
// call was served, results of every shape, and thread labels from clone/vfork.
#include "sentry/diff/trace_parse.h"

#include <catch2/catch.hpp>

#include <string>

namespace {

using sentry::diff::CallResult;
using sentry::diff::parse_result;
using sentry::diff::parse_sentry_line;
using sentry::diff::parse_strace_line;
using sentry::diff::parse_trace_text;
using sentry::diff::Trace;
using sentry::diff::TraceFormat;
using sentry::diff::TraceLine;
using Kind = CallResult::Kind;

}  // namespace

TEST_CASE("parse_result: values, errors, unknowns", "[diff][trace_parse]") {
  CallResult r = parse_result("3");
  CHECK(r.kind == Kind::kValue);
  CHECK(r.value == 3);

  r = parse_result("0x7f7680ed1000");
  CHECK(r.kind == Kind::kValue);
  CHECK(r.value == 0x7f7680ed1000);

  r = parse_result("-1 ENOENT (No such file or directory)");
  CHECK(r.kind == Kind::kError);
  CHECK(r.error == "ENOENT");
  CHECK(r.text == "-1 ENOENT (No such file or directory)");

  r = parse_result("?");
  CHECK(r.kind == Kind::kUnknown);

  r = parse_result("? ERESTARTSYS (To be restarted if SA_RESTART is set)");
  CHECK(r.kind == Kind::kError);
  CHECK(r.error == "ERESTARTSYS");

  r = parse_result("0 (Timeout)");
  CHECK(r.kind == Kind::kValue);
  CHECK(r.value == 0);

  r = parse_result("0x1 (flags FD_CLOEXEC)");
  CHECK(r.kind == Kind::kValue);
  CHECK(r.value == 1);

  r = parse_result("022");  // strace: umask in octal
  CHECK(r.kind == Kind::kValue);
  CHECK(r.value == 18);

  r = parse_result("1 ([{fd=3, revents=POLLIN}])");
  CHECK(r.kind == Kind::kValue);
  CHECK(r.value == 1);

  r = parse_result("-1 ERRNO_531 (Unknown error 531)");
  CHECK(r.kind == Kind::kError);
  CHECK(r.error == "ERRNO_531");

  CHECK(parse_result("garbage").kind == Kind::kUnknown);
  CHECK(parse_result("").kind == Kind::kUnknown);
}

TEST_CASE("strace -f -o lines", "[diff][trace_parse]") {
  auto l = parse_strace_line(R"(10902 write(1, "hi\n", 3)               = 3)");
  REQUIRE(l);
  CHECK(l->kind == TraceLine::Kind::kCall);
  CHECK(l->tid == 10902);
  CHECK(l->name == "write");
  CHECK(l->args == R"(1, "hi\n", 3)");
  CHECK(l->result.value == 3);
  CHECK(l->served.empty());

  // " == " and parentheses inside the arguments do not end them.
  l = parse_strace_line(
      "10902 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 2}], 0, NULL) = 10903");
  REQUIRE(l);
  CHECK(l->kind == TraceLine::Kind::kResumed);
  CHECK(l->name == "wait4");
  CHECK(l->result.value == 10903);

  l = parse_strace_line(R"x(7 write(2, "a) = 5 (\"x\")", 12) = 12)x");
  REQUIRE(l);
  CHECK(l->name == "write");
  CHECK(l->args == R"x(2, "a) = 5 (\"x\")", 12)x");
  CHECK(l->result.value == 12);

  l = parse_strace_line("10902 vfork( <unfinished ...>");
  REQUIRE(l);
  CHECK(l->kind == TraceLine::Kind::kUnfinished);
  CHECK(l->name == "vfork");

  l = parse_strace_line("10902 rt_sigprocmask(SIG_SETMASK, [],  <unfinished ...>");
  REQUIRE(l);
  CHECK(l->kind == TraceLine::Kind::kUnfinished);
  CHECK(l->args == "SIG_SETMASK, [],");

  l = parse_strace_line("10903 exit_group(2)                     = ?");
  REQUIRE(l);
  CHECK(l->name == "exit_group");
  CHECK(l->result.kind == Kind::kUnknown);

  l = parse_strace_line("10903 openat(AT_FDCWD, \"/x\", O_RDONLY) = -1 ENOENT (No such file or directory)");
  REQUIRE(l);
  CHECK(l->result.kind == Kind::kError);
  CHECK(l->result.error == "ENOENT");

  l = parse_strace_line("10902 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=10903} ---");
  REQUIRE(l);
  CHECK(l->kind == TraceLine::Kind::kEvent);

  l = parse_strace_line("5 syscall_0x1b6(0x1, 0x2) = -1 ENOSYS (Function not implemented)");
  REQUIRE(l);
  CHECK(l->name == "syscall_438");

  l = parse_strace_line("5 restart_syscall(<... resuming interrupted read ...>) = 0");
  REQUIRE(l);
  CHECK(l->name == "restart_syscall");
  CHECK(l->result.value == 0);

  l = parse_strace_line("[pid  77] getpid() = 77");  // strace -f without -o
  REQUIRE(l);
  CHECK(l->tid == 77);

  CHECK_FALSE(parse_strace_line("strace: Process 5 attached"));
  CHECK_FALSE(parse_strace_line(""));
  CHECK_FALSE(parse_strace_line("hello world"));
}

TEST_CASE("sentry -o lines", "[diff][trace_parse]") {
  auto l = parse_sentry_line(
      R"([pid  10894] openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3  <forwarded>)");
  REQUIRE(l);
  CHECK(l->tid == 10894);
  CHECK(l->name == "openat");
  CHECK(l->result.value == 3);
  CHECK(l->served == "forwarded");

  l = parse_sentry_line("[pid  10894] prlimit64(0, RLIMIT_STACK, NULL, 0x7ffe589cee70) = 0  <emulated>");
  REQUIRE(l);
  CHECK(l->served == "emulated");

  l = parse_sentry_line(
      "[pid  10895] statx(AT_FDCWD, \"/nonexistent\", AT_NO_AUTOMOUNT, STATX_MODE, 0x7ffc3b320dc0) = -1 ENOENT "
      "(No such file or directory)  <forwarded>");
  REQUIRE(l);
  CHECK(l->result.error == "ENOENT");
  CHECK(l->served == "forwarded");

  l = parse_sentry_line("[pid  10895] futex(0x7fb3d1d8da4c, FUTEX_WAKE_PRIVATE, 2147483647, NULL, 0x3, 0) = ?  <forwarded>");
  REQUIRE(l);
  CHECK(l->result.kind == Kind::kUnknown);

  l = parse_sentry_line("[pid  10894] brk(NULL) = 0x5637995ce000  <forwarded>");
  REQUIRE(l);
  CHECK(l->result.value == 0x5637995ce000);

  l = parse_sentry_line("[pid      9] <call of a non-native ABI> = -1 ENOSYS (Function not implemented)  <denied>");
  REQUIRE(l);
  CHECK(l->name == "<call of a non-native ABI>");
  CHECK(l->served == "denied");

  l = parse_sentry_line("[pid  10894] +++ exited with 3 +++");
  REQUIRE(l);
  CHECK(l->kind == TraceLine::Kind::kEvent);
  CHECK(l->event == "+++ exited with 3 +++");

  CHECK_FALSE(parse_sentry_line("sentry: [warn] something"));
  CHECK_FALSE(parse_sentry_line("10902 getpid() = 1"));
}

TEST_CASE("strace trace: unfinished calls complete in place, threads labelled by creation", "[diff][trace_parse]") {
  // The child shows up before the parent's vfork returns.
  Trace t = parse_trace_text(
      "100 execve(\"/bin/sh\", [\"sh\"], 0x7ffc /* 3 vars */) = 0\n"
      "100 vfork( <unfinished ...>\n"
      "101 rt_sigprocmask(SIG_SETMASK, [], ~[KILL STOP RTMIN RT_1], 8) = 0\n"
      "101 execve(\"/usr/bin/ls\", [\"ls\"], 0x55 /* 37 vars */ <unfinished ...>\n"
      "100 <... vfork resumed>)              = 101\n"
      "100 wait4(-1,  <unfinished ...>\n"
      "101 <... execve resumed>)             = 0\n"
      "101 exit_group(2)                     = ?\n"
      "100 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 2}], 0, NULL) = 101\n"
      "100 --- SIGCHLD {si_signo=SIGCHLD} ---\n"
      "100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD) = 102\n"
      "102 getpid() = 102\n"
      "100 exit_group(0) = ?\n"
      "strace: some message\n",
      TraceFormat::kStrace);
  REQUIRE(t.threads.size() == 3);
  CHECK(t.unparsed_lines == 1);
  const auto& root = t.threads[0];
  CHECK(root.tid == 100);
  CHECK(root.label == "1");
  REQUIRE(root.calls.size() == 5);
  CHECK(root.calls[0].name == "execve");
  CHECK(root.calls[1].name == "vfork");
  CHECK(root.calls[1].result.value == 101);
  CHECK(root.calls[1].line == 2);
  CHECK(root.calls[2].name == "wait4");
  CHECK(root.calls[2].result.value == 101);
  CHECK(root.calls[3].name == "clone");
  CHECK(root.calls[4].name == "exit_group");
  const auto& child = t.threads[1];
  CHECK(child.tid == 101);
  CHECK(child.label == "1.1");
  REQUIRE(child.calls.size() == 3);
  CHECK(child.calls[1].name == "execve");
  CHECK(child.calls[1].result.value == 0);
  CHECK(t.threads[2].label == "1.2");
  CHECK(t.find_label("1.2")->tid == 102);
  CHECK(t.find_label("1.3") == nullptr);
}

TEST_CASE("strace trace: a call left unfinished for good stays unknown", "[diff][trace_parse]") {
  Trace t = parse_trace_text(
      "200 futex(0x7f, FUTEX_WAIT_PRIVATE, 0, NULL <unfinished ...>\n"
      "201 execve(\"/bin/true\", [], 0x1 /* 0 vars */ <unfinished ...>\n"
      "200 <... execve resumed>) = 0\n",  // a non-leader thread's exec completes in the leader
      TraceFormat::kStrace);
  REQUIRE(t.threads.size() == 2);
  REQUIRE(t.threads[0].calls.size() == 2);
  CHECK(t.threads[0].calls[0].name == "futex");
  CHECK(t.threads[0].calls[0].result.kind == Kind::kUnknown);
  CHECK(t.threads[0].calls[1].name == "execve");
  CHECK(t.threads[0].calls[1].result.value == 0);
  CHECK(t.threads[1].calls.size() == 1);
  CHECK(t.threads[1].label == "#1");  // not created by a call in the trace
}

TEST_CASE("sentry trace: exit events and served kinds", "[diff][trace_parse]") {
  Trace t = parse_trace_text(
      "[pid  10894] execve(\"/bin/sh\", [\"/bin/sh\", \"-c\", \"x\"], [\"A=1\", ...]) = 0  <forwarded>\n"
      "[pid  10895] rt_sigprocmask(SIG_SETMASK, [], 0x7ffe589cede0, 8) = 0  <forwarded>\n"
      "[pid  10894] vfork() = 10895  <forwarded>\n"
      "[pid  10895] exit_group(2) = ?  <forwarded>\n"
      "[pid  10895] +++ exited with 2 +++\n"
      "[pid  10894] getuid() = 0  <emulated>\n"
      "[pid  10894] kill(10894, SIGKILL) = 0  <forwarded>\n"
      "[pid  10894] +++ killed by signal 9 +++\n",
      TraceFormat::kSentry);
  REQUIRE(t.threads.size() == 2);
  CHECK(t.threads[0].label == "1");
  CHECK(t.threads[1].label == "1.1");
  CHECK(t.threads[1].exit_code == 2);
  CHECK(t.threads[0].exit_signal == 9);
  CHECK_FALSE(t.threads[0].exit_code);
  REQUIRE(t.threads[0].calls.size() == 4);
  CHECK(t.threads[0].calls[2].served == "emulated");
  CHECK(t.unparsed_lines == 0);
}

TEST_CASE("signal names", "[diff][trace_parse]") {
  CHECK(sentry::diff::signal_number("SIGKILL") == 9);
  CHECK(sentry::diff::signal_number("SEGV") == 11);
  CHECK(sentry::diff::signal_number("15") == 15);
  CHECK_FALSE(sentry::diff::signal_number("SIGNOPE"));
}
