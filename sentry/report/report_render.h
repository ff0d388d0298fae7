// Renders a sentry coverage report (the JSON written by
// `sentry run --report FILE.json -- PROG ...`, format "sentry-coverage/1") for
// people: a terminal summary and a standalone HTML page.
//
// Both answer what a `strace -c` summary answers (which syscalls, how often,
// how often they failed and with what errno) plus what only sentry knows: how
// each call was served (forwarded to the host kernel, emulated, supervised,
// denied, unsupported). Denied and unsupported calls are shown first and
// loudly, because they are where a sandboxed program may behave differently
// than it does natively.
//
// The renderers are tolerant of reports written by older or newer writers:
// optional keys (errors, variants, unsupported, totals, wall_seconds, exit,
// processes, threads, nr, served, ...) may be missing or null. Required are
// "format", "programs", and per program "image", per syscall "name" and
// "count". A present key of the wrong type is an error naming its JSON path.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace sentry::report {

struct RenderResult {
  bool ok = false;
  std::string text;   // the rendering, when ok
  std::string error;  // why the input is not a usable report, when !ok
};

// Terminal summary. With `color`, served kinds and the denied/unsupported
// section use ANSI colors; without it the text contains no escape sequences
// at all (strings from the report are sanitized either way, so a hostile
// program name cannot drive the terminal).
RenderResult render_text(const nlohmann::json& report, bool color) noexcept;

// A self-contained HTML page (inline CSS and SVG, a few lines of inline JS
// that only make tables sortable; no external resources).
RenderResult render_html(const nlohmann::json& report) noexcept;

}  // namespace sentry::report
