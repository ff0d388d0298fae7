// A classic-BPF interpreter for the instruction subset seccomp filters use, so
// tests can run the exact program libseccomp generated against seccomp_data.
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

namespace sentry::testing {

// Returns the filter's verdict, or nullopt for an invalid program.
inline std::optional<std::uint32_t> run_seccomp_bpf(const std::vector<std::uint8_t>& code,
                                                    const seccomp_data& data) {
  std::vector<sock_filter> prog(code.size() / sizeof(sock_filter));
  std::memcpy(prog.data(), code.data(), prog.size() * sizeof(sock_filter));
  std::uint32_t a = 0, x = 0;
  std::uint32_t mem[BPF_MEMWORDS] = {};
  const auto* bytes = reinterpret_cast<const unsigned char*>(&data);
  for (std::size_t pc = 0; pc < prog.size(); ++pc) {
    const sock_filter& in = prog[pc];
    std::uint32_t src = BPF_SRC(in.code) == BPF_X ? x : in.k;
    switch (BPF_CLASS(in.code)) {
      case BPF_LD:
        if (BPF_MODE(in.code) == BPF_ABS && BPF_SIZE(in.code) == BPF_W) {
          if (in.k + 4 > sizeof data) return std::nullopt;
          std::memcpy(&a, bytes + in.k, 4);
        } else if (BPF_MODE(in.code) == BPF_IMM) {
          a = in.k;
        } else if (BPF_MODE(in.code) == BPF_MEM) {
          a = mem[in.k % BPF_MEMWORDS];
        } else {
          return std::nullopt;
        }
        break;
      case BPF_LDX:
        if (BPF_MODE(in.code) == BPF_IMM) x = in.k;
        else if (BPF_MODE(in.code) == BPF_MEM) x = mem[in.k % BPF_MEMWORDS];
        else return std::nullopt;
        break;
      case BPF_ST: mem[in.k % BPF_MEMWORDS] = a; break;
      case BPF_STX: mem[in.k % BPF_MEMWORDS] = x; break;
      case BPF_ALU:
        switch (BPF_OP(in.code)) {
          case BPF_ADD: a += src; break;
          case BPF_SUB: a -= src; break;
          case BPF_AND: a &= src; break;
          case BPF_OR: a |= src; break;
          case BPF_LSH: a <<= src; break;
          case BPF_RSH: a >>= src; break;
          case BPF_NEG: a = -a; break;
          default: return std::nullopt;
        }
        break;
      case BPF_JMP: {
        if (BPF_OP(in.code) == BPF_JA) { pc += in.k; break; }
        bool t;
        switch (BPF_OP(in.code)) {
          case BPF_JEQ: t = a == src; break;
          case BPF_JGT: t = a > src; break;
          case BPF_JGE: t = a >= src; break;
          case BPF_JSET: t = (a & src) != 0; break;
          default: return std::nullopt;
        }
        pc += t ? in.jt : in.jf;
        break;
      }
      case BPF_RET: return BPF_RVAL(in.code) == BPF_A ? a : in.k;
      case BPF_MISC:
        if (BPF_MISCOP(in.code) == BPF_TAX) x = a; else a = x;
        break;
      default: return std::nullopt;
    }
  }
  return std::nullopt;  // fell off the end
}

}  // namespace sentry::testing
