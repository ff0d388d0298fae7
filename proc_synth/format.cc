#include "proc_synth/format.h"

#include <cstdio>

namespace sentry::proc_synth {

std::string cpu_list(const kernel::CpuMask& mask) {
  std::string out;
  int cpu = mask.first();
  while (cpu >= 0) {
    int last = cpu;
    int next = mask.next(cpu);
    while (next == last + 1) {
      last = next;
      next = mask.next(next);
    }
    if (!out.empty()) out += ',';
    out += std::to_string(cpu);
    if (last != cpu) {
      out += '-';
      out += std::to_string(last);
    }
    cpu = next;
  }
  return out;
}

std::string cpu_mask_hex(const kernel::CpuMask& mask, int nr_bits) {
  constexpr int kChunk = 32;
  if (nr_bits <= 0) return "";
  if (nr_bits > kernel::kMaxCpus) nr_bits = kernel::kMaxCpus;
  std::string out;
  int chunksz = nr_bits % kChunk;
  if (chunksz == 0) chunksz = kChunk;
  for (int i = (nr_bits + kChunk - 1) / kChunk * kChunk - kChunk; i >= 0; i -= kChunk) {
    std::uint32_t val = 0;
    for (int b = 0; b < chunksz; ++b)
      if (mask.test(i + b)) val |= 1u << b;
    if (!out.empty()) out += ',';
    char buf[16];
    std::snprintf(buf, sizeof buf, "%0*x", (chunksz + 3) / 4, val);
    out += buf;
    chunksz = kChunk;
  }
  return out;
}

std::string escape_comm(std::string_view comm) {
  std::string out;
  for (char c : comm) {
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\\') {
      out += "\\\\";
    } else {
      out += c;
    }
  }
  return out;
}

std::string pad_left(std::string_view s, std::size_t width) {
  std::string out;
  if (s.size() < width) out.assign(width - s.size(), ' ');
  out += s;
  return out;
}

std::string pad_right(std::string_view s, std::size_t width) {
  std::string out(s);
  if (out.size() < width) out.append(width - out.size(), ' ');
  return out;
}

std::string kb_field(std::string_view label, std::uint64_t kb) {
  return pad_right(label, 16) + pad_left(std::to_string(kb), 8) + " kB";
}

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) {
      out.emplace_back(text.substr(start));
      break;
    }
    out.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n')) ++i;
    std::size_t j = i;
    while (j < text.size() && text[j] != ' ' && text[j] != '\t' && text[j] != '\n') ++j;
    if (j > i) out.emplace_back(text.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace sentry::proc_synth
