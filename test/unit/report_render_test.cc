// Tests for the coverage-report renderers (sentry/report/report_render.h):
// the terminal summary and the HTML page, on a sample report, on reports with
// optional keys missing, and on JSON that is not a report at all.
#include "sentry/report/report_render.h"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace {

using nlohmann::json;
using sentry::report::render_html;
using sentry::report::render_text;

// Shaped like what `sentry run --report` writes for a short ffmpeg run.
json sample_report() {
  return json::parse(R"json({
    "format": "sentry-coverage/1",
    "sentry_version": "0.1.0",
    "command": ["ffmpeg", "-hide_banner", "-i", "in put.mp4"],
    "platform": "unotify",
    "observed": "all",
    "exit": {"code": 0, "signal": null},
    "wall_seconds": 2.31,
    "totals": {"calls": 2150, "forwarded": 2143, "emulated": 6, "supervised": 0,
               "denied": 1, "unsupported": 0},
    "programs": [{
      "image": "/usr/bin/ffmpeg",
      "processes": 1, "threads": 9,
      "calls": 2150,
      "syscalls": [
        {"name": "futex", "nr": 202, "served": "forwarded", "count": 2100,
         "errors": {"EAGAIN": 31, "ETIMEDOUT": 2},
         "variants": {"op": {"FUTEX_WAKE_PRIVATE": 128,
                             "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME": 32}}},
        {"name": "openat", "nr": 257, "served": "forwarded", "count": 43,
         "errors": {"ENOENT": 4},
         "variants": {"flags": {"O_RDONLY|O_CLOEXEC": 30},
                      "path": {"/proc/self/status": 1}}},
        {"name": "getpid", "nr": 39, "served": "emulated", "count": 6},
        {"name": "io_uring_setup", "nr": 425, "served": "denied", "count": 1,
         "errors": {"ENOSYS": 1}}
      ],
      "unsupported": [
        {"name": "io_uring_setup", "nr": 425, "served": "denied", "count": 1,
         "errno": "ENOSYS", "reason": "io_uring operations bypass seccomp"}
      ]
    }]
  })json");
}

// The sample with nothing refused.
json clean_report() {
  json r = sample_report();
  auto& calls = r["programs"][0]["syscalls"];
  calls.erase(calls.size() - 1);
  r["programs"][0].erase("unsupported");
  r["totals"]["denied"] = 0;
  return r;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The first line whose first word (after indentation) is `word`.
std::string row_starting_with(const std::string& text, const std::string& word) {
  for (const std::string& line : lines_of(text)) {
    const auto start = line.find_first_not_of(' ');
    if (start != std::string::npos && line.compare(start, word.size() + 1, word + " ") == 0) {
      return line;
    }
  }
  return "";
}

}  // namespace

TEST_CASE("text summary shows the run, every syscall and its errors", "[report]") {
  const auto result = render_text(sample_report(), /*color=*/false);
  REQUIRE(result.ok);
  const std::string& text = result.text;
  CHECK(contains(text, "ffmpeg -hide_banner -i 'in put.mp4'"));
  CHECK(contains(text, "unotify"));
  CHECK(contains(text, "exited with code 0"));
  CHECK(contains(text, "2.31 s"));
  for (const char* name : {"futex", "openat", "getpid", "io_uring_setup"}) {
    CHECK(contains(text, name));
  }
  CHECK(contains(text, "ENOENT\u00d74"));
  CHECK(contains(text, "EAGAIN\u00d731"));
  CHECK(contains(text, "ETIMEDOUT\u00d72"));
  CHECK(contains(text, "FUTEX_WAKE_PRIVATE"));
  CHECK(contains(text, "/proc/self/status"));
  CHECK(contains(text, "99.7%"));  // forwarded share of all calls
}

TEST_CASE("text summary puts refused calls in a loud section, only when there are any",
          "[report]") {
  const auto with = render_text(sample_report(), false);
  REQUIRE(with.ok);
  CHECK(contains(with.text, "UNSUPPORTED / DENIED CALLS HIT"));
  CHECK(contains(with.text, "io_uring operations bypass seccomp"));
  // Users must see it before the per-program tables.
  CHECK(with.text.find("UNSUPPORTED / DENIED") < with.text.find("== [1/1]"));

  const auto without = render_text(clean_report(), false);
  REQUIRE(without.ok);
  CHECK_FALSE(contains(without.text, "UNSUPPORTED / DENIED"));
}

TEST_CASE("text summary lists an unsupported entry missing from syscalls", "[report]") {
  json r = clean_report();
  r["programs"][0]["unsupported"] = json::parse(
      R"([{"name": "bpf", "nr": 321, "served": "unsupported", "count": 3, "errno": "ENOSYS"}])");
  const auto result = render_text(r, false);
  REQUIRE(result.ok);
  CHECK(contains(result.text, "UNSUPPORTED / DENIED CALLS HIT"));
  CHECK(contains(row_starting_with(result.text, "bpf"), "ENOSYS\u00d73"));
}

TEST_CASE("text summary aligns the syscall table columns", "[report]") {
  const auto result = render_text(sample_report(), false);
  REQUIRE(result.ok);
  const std::string futex = row_starting_with(result.text, "futex");
  const std::string openat = row_starting_with(result.text, "openat");
  const std::string getpid = row_starting_with(result.text, "getpid");
  REQUIRE_FALSE(futex.empty());
  REQUIRE_FALSE(openat.empty());
  REQUIRE_FALSE(getpid.empty());
  // Right-aligned counts end in the same column; "served" starts in the same one.
  CHECK(futex.find("2100") + 4 == openat.find(" 43 ") + 3);
  CHECK(futex.find("forwarded") == openat.find("forwarded"));
  CHECK(futex.find("forwarded") == getpid.find("emulated"));
}

TEST_CASE("text summary shows the top 8 variants and how many more", "[report]") {
  json r = clean_report();
  json values = json::object();
  for (int i = 0; i < 11; ++i) values["value" + std::to_string(i)] = 100 - i;
  r["programs"][0]["syscalls"][1]["variants"] = {{"flags", values}};
  const auto result = render_text(r, false);
  REQUIRE(result.ok);
  CHECK(contains(result.text, "value7"));
  CHECK_FALSE(contains(result.text, "value8"));
  CHECK(contains(result.text, "+3 more (273 calls)"));
}

TEST_CASE("text summary uses ANSI colors only when asked", "[report]") {
  const auto plain = render_text(sample_report(), false);
  const auto colored = render_text(sample_report(), true);
  REQUIRE(plain.ok);
  REQUIRE(colored.ok);
  CHECK_FALSE(contains(plain.text, "\x1b"));
  CHECK(contains(colored.text, "\x1b["));
}

TEST_CASE("text summary neutralizes control characters from the report", "[report]") {
  json r = sample_report();
  r["programs"][0]["image"] = "/tmp/evil\x1b[2J\nname";
  const auto result = render_text(r, false);
  REQUIRE(result.ok);
  CHECK_FALSE(contains(result.text, "\x1b"));
  CHECK(contains(result.text, "/tmp/evil\\x1b[2J\\x0aname"));
}

TEST_CASE("text summary describes signals and served-only observation", "[report]") {
  json r = sample_report();
  r["exit"] = {{"code", nullptr}, {"signal", "SIGKILL"}};
  r["observed"] = "served";
  const auto result = render_text(r, false);
  REQUIRE(result.ok);
  CHECK(contains(result.text, "killed by SIGKILL"));
  CHECK(contains(result.text, "forwarded calls were not observed"));
}

TEST_CASE("html page is standalone, has charts and highlights refused calls", "[report]") {
  const auto result = render_html(sample_report());
  REQUIRE(result.ok);
  const std::string& page = result.text;
  CHECK(page.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(contains(page, "<svg"));
  CHECK(contains(page, "<style>"));
  CHECK_FALSE(contains(page, "<link"));
  CHECK_FALSE(contains(page, "src="));
  CHECK(contains(page, "class=\"alert\""));
  CHECK(contains(page, "io_uring operations bypass seccomp"));
  CHECK(contains(page, "<details>"));
  CHECK(contains(page, "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME"));
  CHECK(contains(page, "ENOENT\u00d74"));
  CHECK(contains(page, "&#39;in put.mp4&#39;"));
  CHECK(contains(page, "&lt;0.1%"));  // 1 denied call of 2150; never a raw "<"
  CHECK(page.find("class=\"alert\"") < page.find("class=\"program\""));

  const auto clean = render_html(clean_report());
  REQUIRE(clean.ok);
  CHECK_FALSE(contains(clean.text, "class=\"alert\""));
}

TEST_CASE("html page escapes strings from the report", "[report]") {
  json r = sample_report();
  r["programs"][0]["image"] = "/tmp/<script>alert(1)</script>";
  r["command"] = {"<script>alert(2)</script>", "a&b"};
  r["programs"][0]["syscalls"][1]["variants"]["path"] = {{"\"><img onerror=x>", 1}};
  const auto result = render_html(r);
  REQUIRE(result.ok);
  CHECK_FALSE(contains(result.text, "<script>alert"));
  CHECK_FALSE(contains(result.text, "<img"));
  CHECK(contains(result.text, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  CHECK(contains(result.text, "a&amp;b"));
}

TEST_CASE("renderers tolerate missing optional keys", "[report]") {
  const json minimal = json::parse(R"json({
    "format": "sentry-coverage/1",
    "programs": [{
      "image": "/bin/true",
      "syscalls": [{"name": "exit_group", "count": 1},
                   {"name": "brk", "nr": 12, "served": "forwarded", "count": 3}]
    }]
  })json");
  const auto text = render_text(minimal, false);
  REQUIRE(text.ok);
  CHECK(contains(text.text, "exit_group"));
  CHECK(contains(text.text, "brk"));
  CHECK_FALSE(contains(text.text, "UNSUPPORTED / DENIED"));
  // Totals are summed from the programs when the report has none.
  CHECK(contains(row_starting_with(text.text, "total"), "4"));

  const auto page = render_html(minimal);
  REQUIRE(page.ok);
  CHECK(contains(page.text, "<svg"));

  const json no_programs = json::parse(R"({"format": "sentry-coverage/1", "programs": []})");
  CHECK(render_text(no_programs, true).ok);
  CHECK(render_html(no_programs).ok);
}

TEST_CASE("renderers reject JSON that is not a sentry report", "[report]") {
  for (const char* input : {"[]", R"({"foo": 1})", R"("sentry")", "null",
                            R"({"format": "something-else/1", "programs": []})"}) {
    INFO(input);
    const json j = json::parse(input);
    const auto text = render_text(j, false);
    CHECK_FALSE(text.ok);
    CHECK(contains(text.error, "not a sentry coverage report"));
    const auto page = render_html(j);
    CHECK_FALSE(page.ok);
    CHECK_FALSE(page.error.empty());
  }
}

TEST_CASE("renderers name the offending key of a malformed report", "[report]") {
  json r = sample_report();
  r["programs"][0]["syscalls"][1]["count"] = "many";
  const auto result = render_text(r, false);
  CHECK_FALSE(result.ok);
  CHECK(contains(result.error, "programs[0].syscalls[1].count"));

  json no_programs = sample_report();
  no_programs.erase("programs");
  CHECK(contains(render_html(no_programs).error, "programs"));

  json newer = sample_report();
  newer["format"] = "sentry-coverage/2";
  CHECK(contains(render_text(newer, false).error, "unsupported report format"));
}
