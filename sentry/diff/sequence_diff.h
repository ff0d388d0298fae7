// The comparisons behind `sentry diff`: a shortest edit script (Myers) over
// any two sequences, grouped into hunks with context; syscall-result
// normalisation and per-thread comparison of two traces; masking and line
// diffs of program output; comparison of the files two runs wrote. Pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "sentry/diff/trace_parse.h"

namespace sentry::diff {

// ---- Edit scripts ----------------------------------------------------------

enum class EditOp {
  kEqual,   // a[a] matches b[b]
  kDelete,  // a[a] only (native only); b is where it would be in b
  kInsert,  // b[b] only (sentry only); a is where it would be in a
};

struct Edit {
  EditOp op = EditOp::kEqual;
  std::size_t a = 0;
  std::size_t b = 0;
  bool operator==(const Edit&) const = default;
};

// A shortest edit script turning a[0..n) into b[0..m), `same(i, j)` telling
// whether a[i] matches b[j]. Common prefix and suffix are matched first; when
// the rest needs more than `max_changes` deletions plus insertions it is
// reported as one deleted and one inserted block.
std::vector<Edit> diff_sequences(std::size_t n, std::size_t m,
                                 const std::function<bool(std::size_t, std::size_t)>& same,
                                 std::size_t max_changes = 2000);

struct Hunk {
  std::size_t a_begin = 0, a_end = 0;  // the range of a the hunk shows
  std::size_t b_begin = 0, b_end = 0;
  std::vector<Edit> edits;             // changes with up to `context` equal edits around them
  std::size_t changes = 0;             // deletions + insertions in it
};

// Groups the changes of `edits` into hunks; changes closer than 2*context+1
// equal edits share one.
std::vector<Hunk> make_hunks(const std::vector<Edit>& edits, std::size_t context);

std::size_t count_changes(const std::vector<Edit>& edits);

// ---- Syscall sequences -----------------------------------------------------

// Calls whose successful result is a pid/tid, an address, a time or other
// value that differs from run to run: only success or the errno is compared.
bool result_is_volatile(std::string_view name);

// The comparable form of a result: "?" (unknown: matches anything),
// "-1 ENOENT", "ok" (a volatile call's success) or the value ("3").
std::string normalised_result(std::string_view name, const CallResult& r);

struct NormCall {
  std::string name;
  std::string result;     // normalised_result()
  std::size_t index = 0;  // into ThreadTrace::calls
  // The first string argument (a path, mostly) with the scratch dir as
  // "<scratch>" and /proc/<digits> as /proc/<n>; "truncated" when the trace
  // shortened it ("..."...). Compared only when a result is unknown.
  std::string path;
  bool path_truncated = false;
};

struct CompareOptions {
  std::set<std::string> ignore;  // call names left out
  std::size_t context = 3;       // equal calls shown around a difference
  std::size_t max_changes = 2000;
  std::string native_scratch;  // shown as "<scratch>" in paths
  std::string sentry_scratch;
};

std::vector<NormCall> normalise_calls(const ThreadTrace& thread, const CompareOptions& options,
                                      std::string_view scratch = {});

// The first quoted string of a call's argument text, unescaped only as far as
// \" and \\; `truncated` tells whether the trace cut it short.
std::string first_string_arg(std::string_view args, bool* truncated);

// Same name, and the same normalised result; a call whose result is unknown
// matches one of the same name whose first string argument (path) agrees.
bool same_call(const NormCall& a, const NormCall& b);

struct ThreadComparison {
  std::string label;
  const ThreadTrace* native = nullptr;  // null: the thread exists only under sentry
  const ThreadTrace* sentry = nullptr;  // null: only natively
  std::vector<NormCall> native_calls;
  std::vector<NormCall> sentry_calls;
  std::vector<Edit> edits;
  std::vector<Hunk> hunks;
  std::size_t changes = 0;
  // The root's first execve was left out of one side to align the two.
  bool dropped_native_execve = false;
  bool dropped_sentry_execve = false;

  bool equal() const { return native != nullptr && sentry != nullptr && changes == 0; }
};

// Threads are paired by label (ThreadTrace::label): native threads in order
// of first appearance, then those only under sentry.
std::vector<ThreadComparison> compare_traces(const Trace& native, const Trace& sentry,
                                             const CompareOptions& options);

// ---- Program output ---------------------------------------------------------

// Every occurrence of `scratch` (if not empty) becomes "<scratch>"; then, line
// by line, every match of each mask becomes "<masked>".
std::string mask_text(std::string_view text, const std::vector<std::regex>& masks, std::string_view scratch);

// Lines without their "\n"; text not ending in a newline gets a last line
// "\ No newline at end".
std::vector<std::string> split_lines(std::string_view text);

struct TextDiff {
  std::vector<std::string> a_lines, b_lines;
  std::vector<Edit> edits;
  std::vector<Hunk> hunks;
  std::size_t changes = 0;
  bool equal() const { return changes == 0; }
};

TextDiff diff_text(std::string_view a, std::string_view b, std::size_t context = 3);

// ---- Files ------------------------------------------------------------------

struct FileInfo {
  std::string type;        // "file", "dir", "symlink", "other"
  std::uint64_t size = 0;  // files
  std::string hash;        // files: content hash (hex)
  std::string target;      // symlinks
  bool operator==(const FileInfo&) const = default;
};

using FileSet = std::map<std::string, FileInfo>;  // path relative to the scratch dir

struct FileDifference {
  std::string path;
  std::optional<FileInfo> native;  // nullopt: not written natively
  std::optional<FileInfo> sentry;
};

std::vector<FileDifference> compare_files(const FileSet& native, const FileSet& sentry);

// 64-bit FNV-1a of `data`, continuing from `state` (start with kFnvOffset).
inline constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ull;
std::uint64_t fnv1a(std::string_view data, std::uint64_t state = kFnvOffset);

}  // namespace sentry::diff
