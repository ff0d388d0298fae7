// Tests for the comparisons of `sentry diff` (sentry/diff/sequence_diff.h):
// the edit script is minimal (checked against an LCS table on random input)
// and valid; hunks carry context and merge; syscall results are normalised so
// pids and addresses never differ but errnos and counts do; one extra call is
// one insertion, not a cascade; masks and the scratch path in output; files.
#include "sentry/diff/sequence_diff.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace {

using namespace sentry::diff;

std::vector<Edit> diff_strings(const std::string& a, const std::string& b, std::size_t max_changes = 2000) {
  return diff_sequences(a.size(), b.size(), [&](std::size_t i, std::size_t j) { return a[i] == b[j]; },
                        max_changes);
}

std::size_t lcs_length(const std::string& a, const std::string& b) {
  std::vector<std::vector<std::size_t>> t(a.size() + 1, std::vector<std::size_t>(b.size() + 1, 0));
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j)
      t[i][j] = a[i - 1] == b[j - 1] ? t[i - 1][j - 1] + 1 : std::max(t[i - 1][j], t[i][j - 1]);
  return t[a.size()][b.size()];
}

// The script consumes a and b in order, each element exactly once, and only
// pairs equal elements.
void check_valid(const std::string& a, const std::string& b, const std::vector<Edit>& edits) {
  std::size_t i = 0, j = 0;
  for (const Edit& e : edits) {
    switch (e.op) {
      case EditOp::kEqual:
        REQUIRE(e.a == i);
        REQUIRE(e.b == j);
        REQUIRE(a[i] == b[j]);
        ++i, ++j;
        break;
      case EditOp::kDelete:
        REQUIRE(e.a == i);
        REQUIRE(e.b == j);
        ++i;
        break;
      case EditOp::kInsert:
        REQUIRE(e.a == i);
        REQUIRE(e.b == j);
        ++j;
        break;
    }
  }
  REQUIRE(i == a.size());
  REQUIRE(j == b.size());
}

ThreadTrace thread(pid_t tid, std::vector<TraceCall> calls) {
  ThreadTrace t;
  t.tid = tid;
  t.calls = std::move(calls);
  return t;
}

TraceCall call(std::string name, std::string result, std::string served = "") {
  return TraceCall{std::move(name), "", parse_result(result), std::move(served), 0};
}

}  // namespace

TEST_CASE("diff_sequences: small cases", "[diff][sequence_diff]") {
  CHECK(diff_strings("", "").empty());
  auto e = diff_strings("abc", "abc");
  CHECK(count_changes(e) == 0);
  CHECK(e.size() == 3);

  e = diff_strings("", "xy");
  REQUIRE(e.size() == 2);
  CHECK(e[0] == Edit{EditOp::kInsert, 0, 0});
  CHECK(e[1] == Edit{EditOp::kInsert, 0, 1});

  e = diff_strings("abcdef", "abXcdef");  // one insertion, not a cascade
  CHECK(count_changes(e) == 1);
  check_valid("abcdef", "abXcdef", e);
  CHECK(e[2] == Edit{EditOp::kInsert, 2, 2});

  e = diff_strings("abcdef", "abdef");
  CHECK(count_changes(e) == 1);
  CHECK(e[2] == Edit{EditOp::kDelete, 2, 2});

  e = diff_strings("abcabba", "cbabac");  // Myers' paper: D = 5
  CHECK(count_changes(e) == 5);
  check_valid("abcabba", "cbabac", e);
}

TEST_CASE("diff_sequences: minimal and valid on random input", "[diff][sequence_diff]") {
  std::mt19937 rng(42);
  for (int round = 0; round < 400; ++round) {
    std::uniform_int_distribution<int> len(0, 40), letter(0, round % 2 ? 2 : 5);
    std::string a, b;
    for (int i = len(rng); i > 0; --i) a += static_cast<char>('a' + letter(rng));
    if (round % 3 == 0) {  // b: a with a few edits
      b = a;
      for (int k = 0; k < 3 && !b.empty(); ++k) b.erase(static_cast<std::size_t>(rng() % b.size()), 1);
      b.insert(b.begin() + static_cast<long>(b.empty() ? 0 : rng() % b.size()), 'z');
    } else {
      for (int i = len(rng); i > 0; --i) b += static_cast<char>('a' + letter(rng));
    }
    auto e = diff_strings(a, b);
    INFO(a << " -> " << b);
    check_valid(a, b, e);
    CHECK(count_changes(e) == a.size() + b.size() - 2 * lcs_length(a, b));
  }
}

TEST_CASE("diff_sequences: too many changes become one replaced block", "[diff][sequence_diff]") {
  std::string a = "xx" + std::string(50, 'a') + "yy", b = "xx" + std::string(50, 'b') + "yy";
  auto e = diff_strings(a, b, /*max_changes=*/10);
  check_valid(a, b, e);
  CHECK(count_changes(e) == 100);
  CHECK(e[2].op == EditOp::kDelete);
  CHECK(e[52].op == EditOp::kInsert);
}

TEST_CASE("make_hunks: context and merging", "[diff][sequence_diff]") {
  std::string a = "0123456789abcdefghij", b = "0123X56789abcdefghiYj";
  auto e = diff_strings(a, b);
  auto hunks = make_hunks(e, 3);
  REQUIRE(hunks.size() == 2);
  CHECK(hunks[0].changes == 2);  // 4 -> X
  CHECK(hunks[0].a_begin == 1);
  CHECK(hunks[0].a_end == 8);
  CHECK(hunks[0].b_begin == 1);
  CHECK(hunks[0].b_end == 8);
  CHECK(hunks[1].changes == 1);  // Y inserted before j
  CHECK(hunks[1].a_begin == 16);
  CHECK(hunks[1].a_end == 20);
  CHECK(hunks[1].b_begin == 16);
  CHECK(hunks[1].b_end == 21);

  hunks = make_hunks(e, 8);  // closer than 2*8+1: one hunk
  REQUIRE(hunks.size() == 1);
  CHECK(hunks[0].changes == 3);

  CHECK(make_hunks(diff_strings("abc", "abc"), 3).empty());
}

TEST_CASE("normalised_result: volatile values hidden, errnos and counts kept", "[diff][sequence_diff]") {
  CHECK(normalised_result("getpid", parse_result("1234")) == "ok");
  CHECK(normalised_result("mmap", parse_result("0x7f0000")) == "ok");
  CHECK(normalised_result("mmap", parse_result("-1 ENOMEM (Cannot allocate memory)")) == "-1 ENOMEM");
  CHECK(normalised_result("clone3", parse_result("77")) == "ok");
  CHECK(normalised_result("read", parse_result("832")) == "832");
  CHECK(normalised_result("openat", parse_result("3")) == "3");
  CHECK(normalised_result("openat", parse_result("-1 ENOENT (No such file or directory)")) == "-1 ENOENT");
  CHECK(normalised_result("exit_group", parse_result("?")) == "?");
  CHECK(result_is_volatile("rt_sigreturn"));
  CHECK_FALSE(result_is_volatile("write"));

  NormCall a{"futex", "?", 0, "", false}, b{"futex", "ok", 0, "", false}, c{"openat", "3", 0, "", false},
      d{"openat", "4", 0, "", false};
  CHECK(same_call(a, b));
  CHECK_FALSE(same_call(c, d));
  CHECK_FALSE(same_call(a, c));
}

TEST_CASE("compare_traces: pids and addresses do not differ; one extra call is one insertion",
          "[diff][sequence_diff]") {
  Trace native, sentry;
  native.threads.push_back(thread(100, {call("execve", "0"), call("brk", "0x5555"), call("getpid", "100"),
                                        call("openat", "3"), call("read", "10"), call("close", "0"),
                                        call("vfork", "101"), call("exit_group", "?")}));
  native.threads.push_back(thread(101, {call("getpid", "101"), call("exit_group", "?")}));
  sentry.threads.push_back(thread(900, {call("execve", "0", "forwarded"), call("brk", "0x6666", "forwarded"),
                                        call("getpid", "900", "forwarded"), call("openat", "3", "forwarded"),
                                        call("rseq", "0", "forwarded"), call("read", "10", "forwarded"),
                                        call("close", "0", "forwarded"), call("vfork", "901", "forwarded"),
                                        call("exit_group", "?", "forwarded")}));
  sentry.threads.push_back(thread(901, {call("getpid", "901"), call("exit_group", "?")}));
  assign_thread_labels(native);
  assign_thread_labels(sentry);

  CompareOptions opts;
  auto cmp = compare_traces(native, sentry, opts);
  REQUIRE(cmp.size() == 2);
  CHECK(cmp[0].label == "1");
  CHECK(cmp[0].changes == 1);
  REQUIRE(cmp[0].hunks.size() == 1);
  const Hunk& h = cmp[0].hunks[0];
  CHECK(h.a_begin == 1);
  CHECK(h.b_begin == 1);
  CHECK(h.edits.size() == 7);  // 3 context, the insertion, 3 context
  CHECK(h.edits[3].op == EditOp::kInsert);
  CHECK(cmp[0].sentry_calls[h.edits[3].b].name == "rseq");
  CHECK(cmp[1].label == "1.1");
  CHECK(cmp[1].equal());

  opts.ignore = {"rseq"};
  cmp = compare_traces(native, sentry, opts);
  CHECK(cmp[0].equal());
  CHECK(cmp[1].equal());
}

TEST_CASE("compare_traces: errno differences, the root's execve, lone threads", "[diff][sequence_diff]") {
  Trace native, sentry;
  native.threads.push_back(thread(1, {call("execve", "0"), call("statx", "-1 ENOENT (x)"), call("clone", "2"),
                                      call("exit_group", "?")}));
  native.threads.push_back(thread(2, {call("exit", "?")}));
  sentry.threads.push_back(thread(5, {call("statx", "0", "emulated"), call("clone", "-1 EPERM (y)", "denied"),
                                      call("exit_group", "?")}));
  assign_thread_labels(native);
  assign_thread_labels(sentry);
  auto cmp = compare_traces(native, sentry, CompareOptions{});
  REQUIRE(cmp.size() == 2);
  CHECK(cmp[0].dropped_native_execve);
  CHECK_FALSE(cmp[0].dropped_sentry_execve);
  CHECK(cmp[0].changes == 4);  // statx and clone each: one deleted, one inserted
  CHECK(cmp[1].label == "1.1");
  CHECK(cmp[1].sentry == nullptr);
  CHECK_FALSE(cmp[1].equal());
}

TEST_CASE("mask_text: scratch path and masks, line by line", "[diff][sequence_diff]") {
  std::vector<std::regex> masks{std::regex("[0-9]+")};
  CHECK(mask_text("pid 1234\nin /tmp/s-1/native/x\n", masks, "/tmp/s-1/native") ==
        "pid <masked>\nin <scratch>/x\n");
  CHECK(mask_text("a /tmp/d b /tmp/d", {}, "/tmp/d") == "a <scratch> b <scratch>");
  std::vector<std::regex> anchored{std::regex("^x")};
  CHECK(mask_text("xa\nxb\nax", anchored, "") == "<masked>a\n<masked>b\nax");
  CHECK(mask_text("", masks, "/s") == "");
}

TEST_CASE("diff_text: lines and the missing final newline", "[diff][sequence_diff]") {
  CHECK(split_lines("a\nb\n") == std::vector<std::string>{"a", "b"});
  CHECK(split_lines("a\nb") == std::vector<std::string>{"a", "b", "\\ No newline at end"});
  CHECK(split_lines("").empty());

  auto d = diff_text("hi\n1234\n", "hi\n5678\n");
  CHECK_FALSE(d.equal());
  CHECK(d.changes == 2);
  REQUIRE(d.hunks.size() == 1);
  CHECK(diff_text("same\n", "same\n").equal());
  CHECK_FALSE(diff_text("x", "x\n").equal());
}

TEST_CASE("compare_files", "[diff][sequence_diff]") {
  FileSet n{{"a", {"file", 3, "abc", ""}}, {"d", {"dir", 0, "", ""}}, {"only-native", {"file", 1, "x", ""}}};
  FileSet s{{"a", {"file", 3, "abd", ""}}, {"d", {"dir", 0, "", ""}}, {"z", {"symlink", 0, "", "a"}}};
  auto diffs = compare_files(n, s);
  REQUIRE(diffs.size() == 3);
  CHECK(diffs[0].path == "a");
  CHECK(diffs[0].native->hash == "abc");
  CHECK(diffs[0].sentry->hash == "abd");
  CHECK(diffs[1].path == "only-native");
  CHECK_FALSE(diffs[1].sentry);
  CHECK(diffs[2].path == "z");
  CHECK_FALSE(diffs[2].native);
  CHECK(compare_files(n, n).empty());
  CHECK(fnv1a("") == kFnvOffset);
  CHECK(fnv1a("a") == 0xaf63dc4c8601ec8cull);
}

TEST_CASE("compare_traces: an unknown result matches only a call on the same path", "[diff][sequence_diff]") {
  bool truncated = false;
  CHECK(first_string_arg(R"x(AT_FDCWD, "/etc/a\"b", O_RDONLY)x", &truncated) == "/etc/a\"b");
  CHECK_FALSE(truncated);
  CHECK(first_string_arg(R"x(1, "abc"..., 100)x", &truncated) == "abc");
  CHECK(truncated);
  CHECK(first_string_arg("3, 0x7ff, 10", &truncated).empty());

  auto open_call = [](const std::string& path, const std::string& result, const std::string& served = "") {
    return TraceCall{"openat", "AT_FDCWD, \"" + path + "\", O_RDONLY", parse_result(result), served, 0};
  };
  Trace native, sentry;
  // sentry: the emulated open of /proc/1/cmdline fails, its other opens
  // succeed with a result the trace does not know.
  native.threads.push_back(thread(1, {open_call("/usr/lib/a.mo", "-1 ENOENT (x)"), open_call("/proc/1/cmdline", "3"),
                                      open_call("/usr/lib/b.mo", "-1 ENOENT (x)"),
                                      open_call("/tmp/d/native/out", "4"), open_call("/proc/77/stat", "5"),
                                      open_call("/very/long/pa", "6")}));
  sentry.threads.push_back(thread(9, {open_call("/usr/lib/a.mo", "-1 ENOENT (x)"),
                                      open_call("/proc/1/cmdline", "-1 ENOENT (x)", "emulated"),
                                      open_call("/usr/lib/b.mo", "?", "emulated"),
                                      open_call("/tmp/d/sentry/out", "?", "emulated"),
                                      open_call("/proc/99/stat", "?", "emulated"),
                                      open_call("/very/long/path/\"...", "?", "emulated")}));
  sentry.threads[0].calls.back().args = "AT_FDCWD, \"/very/long/pa\"..., O_RDONLY";
  native.threads[0].calls.back().args = "AT_FDCWD, \"/very/long/path\", O_RDONLY";
  assign_thread_labels(native);
  assign_thread_labels(sentry);
  CompareOptions opts;
  opts.native_scratch = "/tmp/d/native";
  opts.sentry_scratch = "/tmp/d/sentry";
  auto cmp = compare_traces(native, sentry, opts);
  REQUIRE(cmp.size() == 1);
  // Only /proc/1/cmdline differs: b.mo (unknown vs ENOENT, same path), the
  // scratch file, /proc/<n>/stat and the truncated path all match.
  CHECK(cmp[0].changes == 2);
  REQUIRE(cmp[0].hunks.size() == 1);
  const auto& e = cmp[0].hunks[0].edits;
  auto changed = std::count_if(e.begin(), e.end(), [](const Edit& x) { return x.op != EditOp::kEqual; });
  CHECK(changed == 2);
  for (const Edit& x : e) {
    if (x.op == EditOp::kDelete) CHECK(cmp[0].native_calls[x.a].path == "/proc/<n>/cmdline");
    if (x.op == EditOp::kInsert) CHECK(cmp[0].sentry_calls[x.b].path == "/proc/<n>/cmdline");
  }
  CHECK(cmp[0].native_calls[3].path == "<scratch>/out");

  // Without the path check the unknown result would pair any two opens.
  NormCall unknown{"openat", "?", 0, "/a", false}, known{"openat", "3", 0, "/b", false};
  CHECK_FALSE(same_call(unknown, known));
  known.path = "/a";
  CHECK(same_call(unknown, known));
}
