#include "sentry/kernel/futex/futex_op.h"

#include <linux/futex.h>

namespace sentry::kernel::futex {

namespace {

// sign_extend32(value, 11): bit 11 is the sign of a 12-bit field.
std::int32_t sign_extend_12(std::uint32_t field) {
  field &= 0xfffu;
  return (field & 0x800u) ? static_cast<std::int32_t>(field) - 0x1000 : static_cast<std::int32_t>(field);
}

}  // namespace

WakeOp decode_wake_op(std::uint32_t encoded) {
  WakeOp w;
  w.op = (encoded & 0x70000000u) >> 28;
  w.cmp = (encoded & 0x0f000000u) >> 24;
  w.oparg = sign_extend_12((encoded & 0x00fff000u) >> 12);
  w.cmparg = sign_extend_12(encoded & 0x00000fffu);
  if (encoded & (static_cast<std::uint32_t>(FUTEX_OP_OPARG_SHIFT) << 28)) {
    // Linux: if (oparg < 0 || oparg > 31) { pr_info_ratelimited(...); oparg &= 31; }
    //        oparg = 1 << oparg;
    // Shifted as unsigned: 1 << 31 is the useful case (a flag in the top bit).
    w.oparg = static_cast<std::int32_t>(1u << (static_cast<std::uint32_t>(w.oparg) & 31u));
  }
  return w;
}

bool wake_op_known(const WakeOp& op) { return op.op <= FUTEX_OP_XOR; }

std::optional<std::uint32_t> apply_wake_op(const WakeOp& op, std::uint32_t old) {
  const auto arg = static_cast<std::uint32_t>(op.oparg);
  switch (op.op) {
    case FUTEX_OP_SET: return arg;
    case FUTEX_OP_ADD: return old + arg;
    case FUTEX_OP_OR: return old | arg;
    case FUTEX_OP_ANDN: return old & ~arg;
    case FUTEX_OP_XOR: return old ^ arg;
    default: return std::nullopt;
  }
}

std::optional<bool> compare_wake_op(const WakeOp& op, std::uint32_t old) {
  const auto oldval = static_cast<std::int32_t>(old);
  switch (op.cmp) {
    case FUTEX_OP_CMP_EQ: return oldval == op.cmparg;
    case FUTEX_OP_CMP_NE: return oldval != op.cmparg;
    case FUTEX_OP_CMP_LT: return oldval < op.cmparg;
    case FUTEX_OP_CMP_LE: return oldval <= op.cmparg;
    case FUTEX_OP_CMP_GT: return oldval > op.cmparg;
    case FUTEX_OP_CMP_GE: return oldval >= op.cmparg;
    default: return std::nullopt;
  }
}

}  // namespace sentry::kernel::futex
