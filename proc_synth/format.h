// Formatting primitives shared by the generators, each matching the kernel
// routine that prints the same thing:
//   cpu_list      "%*pbl" (bitmap_list_string / cpumap_print_list_to_buf):
//                 "0-2,4"; an empty set prints "".
//   cpu_mask_hex  "%*pb" (bitmap_string / cpumap_print_to_pagebuf) over
//                 nr_bits bits (nr_cpu_ids for cpumasks): 32-bit chunks in
//                 lowercase hex, most significant first, comma-separated,
//                 every chunk zero-padded to 8 digits except the first, which
//                 is padded to the width of its bits (3 CPUs: "7"; 40 CPUs:
//                 "ff,ffffffff"; 64 CPUs: "ffffffff,ffffffff").
//   escape_comm   /proc/<pid>/status's Name: seq_escape_str(comm,
//                 ESCAPE_SPACE | ESCAPE_SPECIAL, "\n\\"): only '\n' and '\\'
//                 are escaped ("\\n", "\\\\").
//   kb_field      meminfo's show_val_kb: the label padded to 16 columns, the
//                 value right-aligned in 8, then " kB".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sentry/kernel/virtual_cpus.h"

namespace sentry::proc_synth {

std::string cpu_list(const kernel::CpuMask& mask);
std::string cpu_mask_hex(const kernel::CpuMask& mask, int nr_bits);
std::string escape_comm(std::string_view comm);
// `label` includes its colon ("MemTotal:").
std::string kb_field(std::string_view label, std::uint64_t kb);
// Right-aligns `s` in `width` columns (never truncates).
std::string pad_left(std::string_view s, std::size_t width);
// Left-aligns `s` in `width` columns (never truncates): printf's "%-Ns".
std::string pad_right(std::string_view s, std::size_t width);
// The lines of `text` without their '\n' (a trailing newline adds no line).
std::vector<std::string> split_lines(std::string_view text);
// Whitespace-separated words.
std::vector<std::string> split_words(std::string_view text);

}  // namespace sentry::proc_synth
