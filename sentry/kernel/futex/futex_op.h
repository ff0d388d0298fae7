// FUTEX_WAKE_OP's encoded operation (the val3 argument), decoded and applied
// exactly as Linux's futex_atomic_op_inuser() (kernel/futex/waitwake.c) and
// arch_futex_atomic_op_inuser() (arch/x86/include/asm/futex.h) do.
//
//   bit 31      FUTEX_OP_OPARG_SHIFT: the operand is 1 << oparg
//   bits 28..30 op:  SET, ADD, OR, ANDN, XOR (0..4); 5..7 are -ENOSYS
//   bits 24..27 cmp: EQ, NE, LT, LE, GT, GE (0..5); 6..15 are -ENOSYS
//   bits 12..23 oparg, a signed 12-bit field
//   bits  0..11 cmparg, a signed 12-bit field
#pragma once

#include <cstdint>
#include <optional>

namespace sentry::kernel::futex {

struct WakeOp {
  std::uint32_t op = 0;     // FUTEX_OP_SET .. FUTEX_OP_XOR when valid
  std::uint32_t cmp = 0;    // FUTEX_OP_CMP_EQ .. FUTEX_OP_CMP_GE when valid
  std::int32_t oparg = 0;   // the operand actually applied (after the shift)
  std::int32_t cmparg = 0;  // sign-extended
};

// Never fails: validity of op and cmp is reported by apply/compare, because
// Linux reports them at different moments (an unknown op before *uaddr2 is
// touched, an unknown cmp after it was written).
//
// With FUTEX_OP_OPARG_SHIFT, a shift count outside 0..31 (including a negative
// sign-extended one) is masked with & 31, as current Linux does (it logs
// "tries to shift op by %d; fix this program" and masks; kernels around 4.15
// briefly returned -EINVAL instead).
WakeOp decode_wake_op(std::uint32_t encoded);

// Whether op.op is one Linux knows (SET..XOR).
bool wake_op_known(const WakeOp& op);

// The new value of *uaddr2 given its old value; nullopt for an unknown op.
// Arithmetic is modulo 2^32 (ADD wraps), as the hardware instruction does.
std::optional<std::uint32_t> apply_wake_op(const WakeOp& op, std::uint32_t old);

// Whether the second futex is woken; nullopt for an unknown cmp. The
// comparison is between SIGNED 32-bit values (oldval and cmparg are `int` in
// the kernel).
std::optional<bool> compare_wake_op(const WakeOp& op, std::uint32_t old);

}  // namespace sentry::kernel::futex
