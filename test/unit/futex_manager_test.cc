// The futex model without a process: waiters are recording objects, guest
// memory is FakeGuestMemory. Every test ends with no waiter and no queue left
// (checked by the fixture's destructor).
#include <linux/futex.h>

#include <cerrno>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "fake_guest_memory.h"
#include "sentry/kernel/futex/futex_manager.h"
#include "sentry/kernel/futex/futex_op.h"

using namespace sentry::kernel::futex;
using sentry::kernel::AddressSpaceId;

namespace {

constexpr AddressSpaceId kMm = 1;
constexpr AddressSpaceId kOtherMm = 2;
constexpr std::uint64_t kBase = 0x10000;        // mapped: 0x100 bytes
constexpr std::uint64_t kUnmapped = 0x900000;  // never mapped

FutexKey key(std::uint64_t off, AddressSpaceId mm = kMm) { return FutexKey{mm, kBase + off}; }

// What happened to one waiter.
struct Record {
  bool alive = true;  // deliver() answers this
  int deliver_calls = 0;
  std::optional<std::int64_t> result;  // the last result offered
  bool destroyed = false;
};

class TestWaiter : public Waiter {
 public:
  TestWaiter(std::string name, std::shared_ptr<Record> rec, std::vector<std::string>* order)
      : name_(std::move(name)), rec_(std::move(rec)), order_(order) {}
  ~TestWaiter() override { rec_->destroyed = true; }
  bool deliver(std::int64_t result) override {
    ++rec_->deliver_calls;
    rec_->result = result;
    if (rec_->alive) order_->push_back(name_);
    return rec_->alive;
  }

 private:
  std::string name_;
  std::shared_ptr<Record> rec_;
  std::vector<std::string>* order_;
};

// A memory whose writes all fail (a read-only mapping).
class ReadOnlyMemory : public sentry::testing::FakeGuestMemory {
 public:
  bool write(std::uint64_t, const void*, std::size_t) override { return false; }
};

struct Fixture {
  FutexManager fm;
  sentry::testing::FakeGuestMemory mem;
  std::map<std::string, std::shared_ptr<Record>> rec;
  std::vector<std::string> woken;  // names, in the order they were delivered to (alive ones)

  Fixture() { mem.map(kBase, 0x100); }
  ~Fixture() {
    CHECK(fm.waiter_count() == 0);
    CHECK(fm.key_count() == 0);
    for (const auto& [name, r] : rec) {
      INFO(name);
      CHECK(r->deliver_calls <= 1);  // a result is delivered at most once
    }
  }

  std::unique_ptr<Waiter> make(const std::string& name, bool alive = true) {
    auto r = std::make_shared<Record>();
    r->alive = alive;
    rec[name] = r;
    return std::make_unique<TestWaiter>(name, r, &woken);
  }
  std::uint32_t get(const FutexKey& k) {
    std::uint32_t v = 0;
    REQUIRE(mem.read_value(k.addr, &v));
    return v;
  }
  void set(const FutexKey& k, std::uint32_t v) { REQUIRE(mem.write_value(k.addr, v)); }

  // Queues `name` on `k` (whose current value it expects).
  WaiterId wait(const FutexKey& k, const std::string& name, std::uint32_t bitset = kBitsetMatchAny, bool alive = true) {
    WaitResult r = fm.wait(mem, k, get(k), bitset, make(name, alive));
    REQUIRE(r.queued());
    REQUIRE(r.id != 0);
    return r.id;
  }
  WaiterId wait_dead(const FutexKey& k, const std::string& name) { return wait(k, name, kBitsetMatchAny, false); }

  std::optional<std::int64_t> result(const std::string& name) { return rec.at(name)->result; }
  int calls(const std::string& name) { return rec.at(name)->deliver_calls; }
  std::int64_t wake_all(const FutexKey& k) { return fm.wake(k, INT32_MAX, kBitsetMatchAny); }
};

using Names = std::vector<std::string>;

}  // namespace

// ---------------------------------------------------------------- wait / wake

TEST_CASE_METHOD(Fixture, "futex: wake is FIFO and counts the waiters it woke", "[futex]") {
  wait(key(0), "a");
  wait(key(0), "b");
  wait(key(0), "c");
  wait(key(0), "d");
  CHECK(fm.waiter_count() == 4);
  CHECK(fm.queued_on(key(0)) == 4);

  CHECK(fm.wake(key(0), 1, kBitsetMatchAny) == 1);
  CHECK(woken == Names{"a"});
  CHECK(result("a") == 0);
  CHECK(fm.wake(key(0), 2, kBitsetMatchAny) == 2);
  CHECK(woken == Names{"a", "b", "c"});
  CHECK(fm.queued_on(key(0)) == 1);
  // More asked than queued: the count is what was actually woken.
  CHECK(fm.wake(key(0), 10, kBitsetMatchAny) == 1);
  CHECK(woken == Names{"a", "b", "c", "d"});
  CHECK(fm.wake(key(0), 10, kBitsetMatchAny) == 0);
  CHECK(rec.at("d")->destroyed);
}

TEST_CASE_METHOD(Fixture, "futex: wake with n <= 0 wakes one waiter, as Linux's loop does", "[futex]") {
  wait(key(0), "a");
  wait(key(0), "b");
  wait(key(0), "c");
  CHECK(fm.wake(key(0), 0, kBitsetMatchAny) == 1);
  CHECK(woken == Names{"a"});
  CHECK(fm.wake(key(0), -1, kBitsetMatchAny) == 1);
  CHECK(woken == Names{"a", "b"});
  CHECK(fm.wake(key(0), INT32_MIN, kBitsetMatchAny) == 1);
  CHECK(woken == Names{"a", "b", "c"});
  CHECK(fm.wake(key(0), 0, kBitsetMatchAny) == 0);  // none queued
}

TEST_CASE_METHOD(Fixture, "futex: a dead waiter is skipped, dropped and not counted", "[futex]") {
  SECTION("wake 1 with [dead, alive] wakes the alive one") {
    wait_dead(key(0), "dead");
    wait(key(0), "alive");
    CHECK(fm.wake(key(0), 1, kBitsetMatchAny) == 1);
    CHECK(result("alive") == 0);
    CHECK(calls("dead") == 1);
    CHECK(rec.at("dead")->destroyed);
    CHECK(woken == Names{"alive"});
  }
  SECTION("wake 2 with [a, dead, dead, b, c] wakes a and b") {
    wait(key(0), "a");
    wait_dead(key(0), "d1");
    wait_dead(key(0), "d2");
    wait(key(0), "b");
    wait(key(0), "c");
    CHECK(fm.wake(key(0), 2, kBitsetMatchAny) == 2);
    CHECK(woken == Names{"a", "b"});
    CHECK(calls("c") == 0);
    CHECK(fm.queued_on(key(0)) == 1);
    CHECK(wake_all(key(0)) == 1);
  }
  SECTION("only dead waiters: wake returns 0 and empties the queue") {
    wait_dead(key(0), "d1");
    wait_dead(key(0), "d2");
    CHECK(fm.wake(key(0), 1, kBitsetMatchAny) == 0);
    CHECK(calls("d1") == 1);
    CHECK(calls("d2") == 1);
  }
}

TEST_CASE_METHOD(Fixture, "futex: wake bitset selects waiters", "[futex]") {
  wait(key(0), "one", 1);
  wait(key(0), "two", 2);
  wait(key(0), "any", kBitsetMatchAny);
  wait(key(0), "three", 3);

  CHECK(fm.wake(key(0), 1, 2) == 1);  // skips "one"
  CHECK(woken == Names{"two"});
  CHECK(fm.wake(key(0), 5, 4) == 1);  // only "any" has bit 2
  CHECK(woken == Names{"two", "any"});
  CHECK(fm.wake(key(0), 5, 8) == 0);
  CHECK(fm.wake(key(0), 5, 1) == 2);  // "one" (1) and "three" (3), in order
  CHECK(woken == Names{"two", "any", "one", "three"});
}

TEST_CASE_METHOD(Fixture, "futex: wait checks the value atomically with queueing", "[futex]") {
  set(key(0), 7);
  SECTION("mismatch: -EAGAIN, nothing queued, the waiter is dropped without a result") {
    WaitResult r = fm.wait(mem, key(0), 8, kBitsetMatchAny, make("w"));
    REQUIRE(r.immediate == -EAGAIN);
    CHECK(!r.queued());
    CHECK(fm.waiter_count() == 0);
    CHECK(calls("w") == 0);
    CHECK(rec.at("w")->destroyed);
    CHECK(fm.wake(key(0), 1, kBitsetMatchAny) == 0);
  }
  SECTION("match: queued") {
    WaitResult r = fm.wait(mem, key(0), 7, kBitsetMatchAny, make("w"));
    REQUIRE(r.queued());
    CHECK(fm.is_queued(r.id));
    // The value changing later does not matter to a queued waiter.
    set(key(0), 9);
    CHECK(fm.wake(key(0), 1, kBitsetMatchAny) == 1);
    CHECK(result("w") == 0);
  }
  SECTION("the whole u32 is compared") {
    set(key(0), 0x01000007);
    CHECK(fm.wait(mem, key(0), 7, kBitsetMatchAny, make("w")).immediate == -EAGAIN);
  }
}

TEST_CASE_METHOD(Fixture, "futex: wait argument errors, in Linux's order", "[futex]") {
  SECTION("unmapped -> EFAULT") {
    CHECK(fm.wait(mem, FutexKey{kMm, kUnmapped}, 0, kBitsetMatchAny, make("w")).immediate == -EFAULT);
  }
  SECTION("a word only partly mapped -> EFAULT") {
    mem.map(kBase + 0x200, 2);
    CHECK(fm.wait(mem, key(0x200), 0, kBitsetMatchAny, make("w")).immediate == -EFAULT);
  }
  SECTION("misaligned -> EINVAL, even when unmapped") {
    CHECK(fm.wait(mem, key(2), 0, kBitsetMatchAny, make("w")).immediate == -EINVAL);
    CHECK(fm.wait(mem, FutexKey{kMm, kUnmapped + 1}, 0, kBitsetMatchAny, make("w2")).immediate == -EINVAL);
  }
  SECTION("bitset 0 -> EINVAL, before anything else") {
    CHECK(fm.wait(mem, key(0), 0, 0, make("w")).immediate == -EINVAL);
    CHECK(fm.wait(mem, FutexKey{kMm, kUnmapped}, 0, 0, make("w2")).immediate == -EINVAL);
  }
  CHECK(fm.waiter_count() == 0);
}

TEST_CASE_METHOD(Fixture, "futex: wake argument errors; wake reads no memory", "[futex]") {
  CHECK(fm.wake(key(0), 1, 0) == -EINVAL);
  CHECK(fm.wake(key(1), 1, kBitsetMatchAny) == -EINVAL);
  CHECK(fm.wake(key(3), 1, kBitsetMatchAny) == -EINVAL);
  // A private wake on an address nobody mapped is just a wake of nobody.
  CHECK(fm.wake(FutexKey{kMm, kUnmapped}, 1, kBitsetMatchAny) == 0);
  CHECK(fm.key_count() == 0);  // no queue created by looking
}

TEST_CASE_METHOD(Fixture, "futex: keys of different address spaces never match", "[futex]") {
  wait(key(0, kMm), "mine");
  CHECK(fm.wake(key(0, kOtherMm), 1, kBitsetMatchAny) == 0);
  CHECK(calls("mine") == 0);
  CHECK(fm.queued_on(key(0, kMm)) == 1);
  CHECK(fm.queued_on(key(0, kOtherMm)) == 0);
  // Nor does a requeue from the other address space move it.
  CHECK(fm.requeue(mem, key(0, kOtherMm), key(4, kOtherMm), 0, 10, std::nullopt) == 0);
  CHECK(fm.queued_on(key(0, kMm)) == 1);
  // Nor a different address in the same address space.
  CHECK(fm.wake(key(4, kMm), 1, kBitsetMatchAny) == 0);
  CHECK(fm.wake(key(0, kMm), 1, kBitsetMatchAny) == 1);
}

// ---------------------------------------------------------------- requeue

TEST_CASE_METHOD(Fixture, "futex: requeue wakes the first nwake, moves the next nrequeue after to's waiters", "[futex]") {
  const FutexKey from = key(0), to = key(8);
  wait(to, "x");
  wait(from, "a");
  wait(from, "b");
  wait(from, "c");
  wait(from, "d");

  CHECK(fm.requeue(mem, from, to, 1, 2, std::nullopt) == 3);  // the sum, as Linux returns
  CHECK(woken == Names{"a"});
  CHECK(fm.queued_on(from) == 1);
  CHECK(fm.queued_on(to) == 3);
  // Order on `to`: its own waiter first, then the moved ones in their order.
  CHECK(wake_all(to) == 3);
  CHECK(woken == Names{"a", "x", "b", "c"});
  CHECK(wake_all(from) == 1);
  CHECK(woken == Names{"a", "x", "b", "c", "d"});
}

TEST_CASE_METHOD(Fixture, "futex: requeue counts", "[futex]") {
  const FutexKey from = key(0), to = key(8);
  wait(from, "a");
  wait(from, "b");
  wait(from, "c");
  SECTION("nwake 0 wakes nobody (unlike FUTEX_WAKE)") {
    CHECK(fm.requeue(mem, from, to, 0, 1, std::nullopt) == 1);
    CHECK(woken.empty());
    CHECK(fm.queued_on(to) == 1);
    CHECK(fm.queued_on(from) == 2);
  }
  SECTION("0 and 0 does nothing") {
    CHECK(fm.requeue(mem, from, to, 0, 0, std::nullopt) == 0);
    CHECK(woken.empty());
    CHECK(fm.queued_on(from) == 3);
    CHECK(fm.key_count() == 1);  // no empty queue created for `to`
  }
  SECTION("more asked than queued: returns what was done") {
    CHECK(fm.requeue(mem, from, to, 2, INT32_MAX, std::nullopt) == 3);
    CHECK(woken == Names{"a", "b"});
    CHECK(fm.queued_on(from) == 0);
    CHECK(fm.queued_on(to) == 1);
  }
  SECTION("a dead waiter in the wake part is skipped and not counted") {
    wake_all(from);
    woken.clear();
    wait_dead(from, "dead");
    wait(from, "p");
    wait(from, "q");
    CHECK(fm.requeue(mem, from, to, 1, 1, std::nullopt) == 2);
    CHECK(woken == Names{"p"});
    CHECK(calls("dead") == 1);
    CHECK(fm.queued_on(to) == 1);
    CHECK(fm.queued_on(from) == 0);
  }
  SECTION("empty source") {
    CHECK(fm.requeue(mem, key(16), to, 1, 1, std::nullopt) == 0);
  }
  wake_all(from);
  wake_all(to);
}

TEST_CASE_METHOD(Fixture, "futex: requeue argument errors", "[futex]") {
  const FutexKey from = key(0), to = key(8);
  wait(from, "a");
  CHECK(fm.requeue(mem, from, to, -1, 1, std::nullopt) == -EINVAL);
  CHECK(fm.requeue(mem, from, to, 1, -1, std::nullopt) == -EINVAL);
  // Counts are checked before anything else.
  CHECK(fm.requeue(mem, key(1), to, -1, 0, std::nullopt) == -EINVAL);
  CHECK(fm.requeue(mem, key(2), to, 1, 1, std::nullopt) == -EINVAL);
  CHECK(fm.requeue(mem, from, key(10), 1, 1, std::nullopt) == -EINVAL);
  // Misalignment beats the value check.
  CHECK(fm.requeue(mem, FutexKey{kMm, kUnmapped + 2}, to, 1, 1, 0u) == -EINVAL);
  CHECK(calls("a") == 0);
  CHECK(fm.queued_on(from) == 1);
  // Plain REQUEUE reads no memory: an unmapped source is fine.
  CHECK(fm.requeue(mem, FutexKey{kMm, kUnmapped}, to, 1, 1, std::nullopt) == 0);
  wake_all(from);
}

TEST_CASE_METHOD(Fixture, "futex: CMP_REQUEUE compares *from first", "[futex]") {
  const FutexKey from = key(0), to = key(8);
  set(from, 5);
  wait(from, "a");
  wait(from, "b");
  SECTION("mismatch: -EAGAIN, nobody woken or moved") {
    CHECK(fm.requeue(mem, from, to, 1, 1, 6u) == -EAGAIN);
    CHECK(woken.empty());
    CHECK(fm.queued_on(from) == 2);
    CHECK(fm.queued_on(to) == 0);
  }
  SECTION("match") {
    CHECK(fm.requeue(mem, from, to, 1, 1, 5u) == 2);
    CHECK(woken == Names{"a"});
    CHECK(fm.queued_on(to) == 1);
  }
  SECTION("the value of `to` is irrelevant") {
    set(to, 99);
    CHECK(fm.requeue(mem, from, to, 0, 1, 5u) == 1);
  }
  SECTION("unmapped source with a compare: -EFAULT") {
    CHECK(fm.requeue(mem, FutexKey{kMm, kUnmapped}, to, 1, 1, 0u) == -EFAULT);
  }
  wake_all(from);
  wake_all(to);
}

TEST_CASE_METHOD(Fixture, "futex: requeue to the same key keeps the waiters in place", "[futex]") {
  // requeue_futex() does not move a futex_q that stays in the same hash bucket.
  const FutexKey k = key(0);
  wait(k, "a");
  wait(k, "b");
  wait(k, "c");
  wait(k, "d");
  CHECK(fm.requeue(mem, k, k, 1, 2, std::nullopt) == 3);
  CHECK(woken == Names{"a"});
  CHECK(fm.queued_on(k) == 3);
  // Not rotated to the tail: b, c still come before d.
  CHECK(wake_all(k) == 3);
  CHECK(woken == Names{"a", "b", "c", "d"});
}

TEST_CASE_METHOD(Fixture, "futex: a requeued waiter keeps its id and bitset", "[futex]") {
  const FutexKey from = key(0), to = key(8);
  WaiterId a = wait(from, "a", 2);
  WaiterId b = wait(from, "b");
  CHECK(fm.requeue(mem, from, to, 0, 2, std::nullopt) == 2);  // bitsets do not matter to requeue
  CHECK(fm.is_queued(a));
  CHECK(fm.wake(to, 1, 1) == 1);  // skips a (bitset 2)
  CHECK(woken == Names{"b"});
  CHECK(fm.cancel(a, -ETIMEDOUT));
  CHECK(result("a") == -ETIMEDOUT);
  CHECK(!fm.cancel(b, -ETIMEDOUT));
  CHECK(result("b") == 0);
}

// ---------------------------------------------------------------- wake_op

TEST_CASE("futex: decode_wake_op", "[futex]") {
  WakeOp w = decode_wake_op(FUTEX_OP(FUTEX_OP_ADD, 0x7ff, FUTEX_OP_CMP_GE, 0x800));
  CHECK(w.op == FUTEX_OP_ADD);
  CHECK(w.cmp == FUTEX_OP_CMP_GE);
  CHECK(w.oparg == 2047);
  CHECK(w.cmparg == -2048);
  w = decode_wake_op(FUTEX_OP(FUTEX_OP_SET, 0xfff, FUTEX_OP_CMP_EQ, 0xfff));
  CHECK(w.oparg == -1);
  CHECK(w.cmparg == -1);
  // FUTEX_OP_OPARG_SHIFT is bit 31; op is bits 28..30 only.
  w = decode_wake_op(FUTEX_OP(FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT, 4, FUTEX_OP_CMP_NE, 0));
  CHECK(w.op == FUTEX_OP_OR);
  CHECK(w.oparg == 16);
  w = decode_wake_op(FUTEX_OP(FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, 31, 0, 0));
  CHECK(static_cast<std::uint32_t>(w.oparg) == 0x80000000u);
  // Out-of-range shifts are masked with & 31 (Linux warns, then masks).
  w = decode_wake_op(FUTEX_OP(FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, 33, 0, 0));
  CHECK(w.oparg == 2);
  w = decode_wake_op(FUTEX_OP(FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, 0xfff, 0, 0));  // -1 & 31 = 31
  CHECK(static_cast<std::uint32_t>(w.oparg) == 0x80000000u);
  w = decode_wake_op(FUTEX_OP(FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, 0x800, 0, 0));  // -2048 & 31 = 0
  CHECK(w.oparg == 1);
  // Invalid op / cmp are decoded, and reported as unknown.
  w = decode_wake_op(0x7f000000u);
  CHECK(w.op == 7);
  CHECK(w.cmp == 15);
  CHECK(!wake_op_known(w));
  CHECK(!apply_wake_op(w, 0));
  CHECK(!compare_wake_op(w, 0));
}

TEST_CASE_METHOD(Fixture, "futex: wake_op applies every op to *uaddr2", "[futex]") {
  const FutexKey k1 = key(0), k2 = key(8);
  struct Case {
    std::uint32_t op;
    std::uint32_t oparg;  // 12-bit field
    std::uint32_t before, after;
  };
  const Case cases[] = {
      {FUTEX_OP_SET, 5, 0xdeadbeef, 5},
      {FUTEX_OP_SET, 0xfff, 3, 0xffffffff},  // -1 sign-extended
      {FUTEX_OP_ADD, 5, 10, 15},
      {FUTEX_OP_ADD, 0xfff, 10, 9},            // + (-1)
      {FUTEX_OP_ADD, 1, 0xffffffff, 0},        // wraps
      {FUTEX_OP_ADD, 0x800, 0, 0xfffff800},    // -2048
      {FUTEX_OP_OR, 0x0f0, 0x00f, 0x0ff},
      {FUTEX_OP_OR, 0x800, 0, 0xfffff800},     // sign-extended operand
      {FUTEX_OP_ANDN, 0x00f, 0xff, 0xf0},
      {FUTEX_OP_ANDN, 0xfff, 0xffffffff, 0},   // ~(-1) = 0
      {FUTEX_OP_XOR, 0x0ff, 0x0f0, 0x00f},
      {FUTEX_OP_XOR, 0xfff, 0x12345678, 0xedcba987},
      {FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, 31, 0, 0x80000000},
      {FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT, 3, 1, 9},
      {FUTEX_OP_ANDN | FUTEX_OP_OPARG_SHIFT, 0, 3, 2},
      {FUTEX_OP_ADD | FUTEX_OP_OPARG_SHIFT, 40, 0, 256},  // 40 & 31 = 8
  };
  for (const Case& c : cases) {
    INFO("op " << c.op << " oparg " << c.oparg << " before " << c.before);
    set(k2, c.before);
    CHECK(fm.wake_op(mem, k1, k2, 1, 1, FUTEX_OP(c.op, c.oparg, FUTEX_OP_CMP_EQ, 0)) == 0);
    CHECK(get(k2) == c.after);
  }
}

TEST_CASE_METHOD(Fixture, "futex: wake_op compares the OLD value, signed", "[futex]") {
  const FutexKey k1 = key(0), k2 = key(8);
  struct Case {
    std::uint32_t cmp;
    std::uint32_t cmparg;  // 12-bit field
    std::uint32_t old;
    bool wakes;
  };
  const Case cases[] = {
      {FUTEX_OP_CMP_EQ, 5, 5, true},   {FUTEX_OP_CMP_EQ, 5, 6, false},
      {FUTEX_OP_CMP_NE, 5, 5, false},  {FUTEX_OP_CMP_NE, 5, 6, true},
      {FUTEX_OP_CMP_LT, 5, 4, true},   {FUTEX_OP_CMP_LT, 5, 5, false},
      {FUTEX_OP_CMP_LE, 5, 5, true},   {FUTEX_OP_CMP_LE, 5, 6, false},
      {FUTEX_OP_CMP_GT, 5, 6, true},   {FUTEX_OP_CMP_GT, 5, 5, false},
      {FUTEX_OP_CMP_GE, 5, 5, true},   {FUTEX_OP_CMP_GE, 5, 4, false},
      // Signed: 0xffffffff is -1, which is less than 0 ...
      {FUTEX_OP_CMP_LT, 0, 0xffffffff, true},
      {FUTEX_OP_CMP_GT, 0, 0xffffffff, false},
      // ... and cmparg is sign-extended: 0xfff is -1, 0x800 is -2048.
      {FUTEX_OP_CMP_EQ, 0xfff, 0xffffffff, true},
      {FUTEX_OP_CMP_EQ, 0xfff, 0x00000fff, false},
      {FUTEX_OP_CMP_LE, 0x800, 0xfffff800, true},
      {FUTEX_OP_CMP_GT, 0x800, 0xfffff7ff, false},
  };
  for (const Case& c : cases) {
    INFO("cmp " << c.cmp << " cmparg " << c.cmparg << " old " << c.old);
    set(k2, c.old);
    wait(k1, "w1");
    wait(k2, "w2");
    // The op (ADD 1) changes the word first: the comparison uses the old value.
    CHECK(fm.wake_op(mem, k1, k2, 1, 1, FUTEX_OP(FUTEX_OP_ADD, 1, c.cmp, c.cmparg)) == (c.wakes ? 2 : 1));
    CHECK(get(k2) == c.old + 1);
    CHECK(result("w1") == 0);
    CHECK(calls("w2") == (c.wakes ? 1 : 0));
    if (!c.wakes) CHECK(wake_all(k2) == 1);
    rec.clear();
  }
}

TEST_CASE_METHOD(Fixture, "futex: wake_op budgets", "[futex]") {
  const FutexKey k1 = key(0), k2 = key(8);
  for (const char* n : {"a1", "a2", "a3"}) wait(k1, n);
  for (const char* n : {"b1", "b2", "b3"}) wait(k2, n, 4);  // wake_op ignores bitsets
  const std::uint32_t always = FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 0);  // old is 0
  CHECK(fm.wake_op(mem, k1, k2, 2, 1, always) == 3);
  CHECK(woken == Names{"a1", "a2", "b1"});
  // Budgets of 0 and -1 mean one, for both keys.
  CHECK(fm.wake_op(mem, k1, k2, 0, -1, always) == 2);
  CHECK(woken == Names{"a1", "a2", "b1", "a3", "b2"});
  // Nobody left on k1; k2 still woken.
  CHECK(fm.wake_op(mem, k1, k2, 1, 5, always) == 1);
  CHECK(woken == Names{"a1", "a2", "b1", "a3", "b2", "b3"});
}

TEST_CASE_METHOD(Fixture, "futex: wake_op on one key wakes key1's budget, then key2's", "[futex]") {
  const FutexKey k = key(0);
  for (const char* n : {"a", "b", "c", "d"}) wait(k, n);
  CHECK(fm.wake_op(mem, k, k, 1, 2, FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 0)) == 3);
  CHECK(woken == Names{"a", "b", "c"});
  CHECK(wake_all(k) == 1);
}

TEST_CASE_METHOD(Fixture, "futex: wake_op skips dead waiters", "[futex]") {
  const FutexKey k1 = key(0), k2 = key(8);
  wait_dead(k1, "d1");
  wait(k1, "a");
  wait_dead(k2, "d2");
  wait(k2, "b");
  CHECK(fm.wake_op(mem, k1, k2, 1, 1, FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 0)) == 2);
  CHECK(woken == Names{"a", "b"});
}

TEST_CASE_METHOD(Fixture, "futex: wake_op errors", "[futex]") {
  const FutexKey k1 = key(0), k2 = key(8);
  set(k2, 42);
  wait(k1, "a");
  wait(k2, "b");
  SECTION("unknown op: -ENOSYS, *uaddr2 untouched") {
    for (std::uint32_t op : {5u, 6u, 7u, 5u | FUTEX_OP_OPARG_SHIFT}) {
      INFO("op " << op);
      CHECK(fm.wake_op(mem, k1, k2, 1, 1, FUTEX_OP(op, 1, FUTEX_OP_CMP_EQ, 42)) == -ENOSYS);
      CHECK(get(k2) == 42);
    }
    // Reported before the fault, too.
    CHECK(fm.wake_op(mem, k1, FutexKey{kMm, kUnmapped}, 1, 1, FUTEX_OP(7, 1, FUTEX_OP_CMP_EQ, 42)) == -ENOSYS);
  }
  SECTION("unknown cmp: -ENOSYS AFTER *uaddr2 was written, nobody woken") {
    std::uint32_t expect = 42;
    for (std::uint32_t cmp = 6; cmp < 16; ++cmp) {
      INFO("cmp " << cmp);
      CHECK(fm.wake_op(mem, k1, k2, 1, 1, FUTEX_OP(FUTEX_OP_ADD, 1, cmp, 0)) == -ENOSYS);
      CHECK(get(k2) == ++expect);
    }
  }
  SECTION("unmapped uaddr2: -EFAULT") {
    CHECK(fm.wake_op(mem, k1, FutexKey{kMm, kUnmapped}, 1, 1, FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 0)) ==
          -EFAULT);
  }
  SECTION("read-only uaddr2: -EFAULT, unchanged") {
    ReadOnlyMemory ro;
    std::uint32_t v = 42;
    ro.map_bytes(k2.addr, &v, sizeof v);
    CHECK(fm.wake_op(ro, k1, k2, 1, 1, FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_NE, 0)) == -EFAULT);
    REQUIRE(ro.read_value(k2.addr, &v));
    CHECK(v == 42);
  }
  SECTION("misaligned: -EINVAL, unchanged") {
    CHECK(fm.wake_op(mem, key(2), k2, 1, 1, FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_NE, 0)) == -EINVAL);
    CHECK(fm.wake_op(mem, k1, key(9), 1, 1, FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_NE, 0)) == -EINVAL);
    CHECK(fm.wake_op(mem, k1, key(9), 1, 1, FUTEX_OP(7, 0, 15, 0)) == -EINVAL);  // before the op check
    CHECK(get(k2) == 42);
  }
  // In every case nobody was woken.
  CHECK(woken.empty());
  CHECK(wake_all(k1) == 1);
  CHECK(wake_all(k2) == 1);
}

// ---------------------------------------------------------------- cancel

TEST_CASE_METHOD(Fixture, "futex: cancel", "[futex]") {
  const FutexKey k = key(0);
  SECTION("true once, then false") {
    WaiterId a = wait(k, "a");
    WaiterId b = wait(k, "b");
    CHECK(fm.cancel(a, -ETIMEDOUT));
    CHECK(result("a") == -ETIMEDOUT);
    CHECK(!fm.cancel(a, -ETIMEDOUT));
    CHECK(!fm.cancel(a, -EINTR));
    CHECK(calls("a") == 1);
    CHECK(!fm.is_queued(a));
    CHECK(fm.is_queued(b));
    // The cancelled waiter no longer takes a wake.
    CHECK(fm.wake(k, 1, kBitsetMatchAny) == 1);
    CHECK(!fm.is_queued(b));
    CHECK(result("b") == 0);
    CHECK(woken == Names{"a", "b"});
  }
  SECTION("after a wake: false, the result stays 0") {
    WaiterId a = wait(k, "a");
    CHECK(fm.wake(k, 1, kBitsetMatchAny) == 1);
    CHECK(!fm.cancel(a, -ETIMEDOUT));
    CHECK(result("a") == 0);
    CHECK(calls("a") == 1);
  }
  SECTION("a dead waiter: still removed, true") {
    WaiterId d = wait_dead(k, "d");
    CHECK(fm.cancel(d, -EINTR));
    CHECK(calls("d") == 1);
  }
  SECTION("ids are unique and never 0; unknown ids are not queued") {
    WaiterId a = wait(k, "a");
    WaiterId b = wait(key(4), "b");
    CHECK(a != b);
    CHECK(!fm.cancel(0, -EINTR));
    CHECK(!fm.cancel(a + b + 1000, -EINTR));
    CHECK(fm.cancel(b, -EINTR));
    CHECK(fm.cancel(a, -EINTR));
  }
  SECTION("a requeued waiter is cancelled by its id, from its new queue") {
    WaiterId a = wait(k, "a");
    wait(k, "b");
    CHECK(fm.requeue(mem, k, key(8), 0, 2, std::nullopt) == 2);
    CHECK(fm.cancel(a, -ETIMEDOUT));
    CHECK(result("a") == -ETIMEDOUT);
    CHECK(fm.queued_on(key(8)) == 1);
    CHECK(wake_all(key(8)) == 1);
    CHECK(result("b") == 0);
  }
  SECTION("discard removes without delivering") {
    WaiterId a = wait(k, "a");
    CHECK(fm.discard(a));
    CHECK(calls("a") == 0);
    CHECK(rec.at("a")->destroyed);
    CHECK(!fm.discard(a));
    CHECK(!fm.cancel(a, -EINTR));
  }
}

// ---------------------------------------------------------------- wait_multiple

TEST_CASE_METHOD(Fixture, "futex: wait_multiple answers with the index of the woken key", "[futex]") {
  const FutexKey k0 = key(0), k1 = key(4), k2 = key(8);
  set(k1, 1);
  set(k2, 2);
  WaitResult r = fm.wait_multiple(mem, {{k0, 0}, {k1, 1}, {k2, 2}}, make("m"));
  REQUIRE(r.queued());
  CHECK(fm.waiter_count() == 1);
  CHECK(fm.queued_on(k0) == 1);
  CHECK(fm.queued_on(k1) == 1);
  CHECK(fm.queued_on(k2) == 1);

  CHECK(fm.wake(k1, 1, kBitsetMatchAny) == 1);
  CHECK(result("m") == 1);
  CHECK(fm.queued_on(k0) == 0);  // gone from every other key
  CHECK(fm.queued_on(k2) == 0);
  CHECK(fm.wake(k0, 1, kBitsetMatchAny) == 0);
  CHECK(calls("m") == 1);
}

TEST_CASE_METHOD(Fixture, "futex: wait_multiple checks all keys before queueing any", "[futex]") {
  const FutexKey k0 = key(0), k1 = key(4), k2 = key(8);
  set(k1, 1);
  const FutexKey bad{kMm, kUnmapped};
  SECTION("a mismatch on a later key: -EAGAIN, nothing queued") {
    CHECK(fm.wait_multiple(mem, {{k0, 0}, {k1, 7}}, make("m")).immediate == -EAGAIN);
  }
  SECTION("errors in key order: fault before mismatch") {
    CHECK(fm.wait_multiple(mem, {{k0, 0}, {bad, 0}, {k1, 7}}, make("m")).immediate == -EFAULT);
  }
  SECTION("errors in key order: mismatch before fault") {
    CHECK(fm.wait_multiple(mem, {{k0, 0}, {k1, 7}, {bad, 0}}, make("m")).immediate == -EAGAIN);
  }
  SECTION("misalignment anywhere beats every value check") {
    CHECK(fm.wait_multiple(mem, {{k0, 9}, {bad, 0}, {key(6), 0}}, make("m")).immediate == -EINVAL);
  }
  SECTION("an empty list: -EINVAL") {
    CHECK(fm.wait_multiple(mem, {}, make("m")).immediate == -EINVAL);
  }
  CHECK(fm.waiter_count() == 0);
  CHECK(fm.queued_on(k0) == 0);
  CHECK(fm.queued_on(k2) == 0);
  CHECK(calls("m") == 0);
}

TEST_CASE_METHOD(Fixture, "futex: a multi-key waiter counts once", "[futex]") {
  const FutexKey k0 = key(0), k1 = key(4);
  SECTION("woken through one key, the next waiter on that key is woken too") {
    REQUIRE(fm.wait_multiple(mem, {{k0, 0}, {k1, 0}}, make("m")).queued());
    wait(k1, "s");
    CHECK(fm.wake(k1, 2, kBitsetMatchAny) == 2);
    CHECK(result("m") == 1);
    CHECK(result("s") == 0);
  }
  SECTION("a key listed twice takes one wake, and answers with its first index") {
    REQUIRE(fm.wait_multiple(mem, {{k1, 0}, {k0, 0}, {k0, 0}}, make("m")).queued());
    wait(k0, "s");
    CHECK(fm.queued_on(k0) == 3);
    CHECK(fm.wake(k0, 2, kBitsetMatchAny) == 2);
    CHECK(result("m") == 1);
    CHECK(result("s") == 0);
    CHECK(fm.queued_on(k1) == 0);
  }
  SECTION("a key listed twice, adjacent positions, wake 1: the one after it stays") {
    REQUIRE(fm.wait_multiple(mem, {{k0, 0}, {k0, 0}}, make("m")).queued());
    wait(k0, "s");
    CHECK(fm.wake(k0, 1, kBitsetMatchAny) == 1);
    CHECK(result("m") == 0);
    CHECK(fm.queued_on(k0) == 1);
    CHECK(wake_all(k0) == 1);
  }
  SECTION("dead: skipped and removed from every key") {
    REQUIRE(fm.wait_multiple(mem, {{k0, 0}, {k1, 0}}, make("m", false)).queued());
    wait(k1, "s");
    CHECK(fm.wake(k1, 1, kBitsetMatchAny) == 1);
    CHECK(result("s") == 0);
    CHECK(calls("m") == 1);
    CHECK(fm.queued_on(k0) == 0);
  }
}

TEST_CASE_METHOD(Fixture, "futex: a multi-key waiter can be requeued and cancelled", "[futex]") {
  const FutexKey k0 = key(0), k1 = key(4), k2 = key(8);
  WaitResult r = fm.wait_multiple(mem, {{k0, 0}, {k1, 0}}, make("m"));
  REQUIRE(r.queued());
  SECTION("requeued: answers with its original index from the new key") {
    CHECK(fm.requeue(mem, k1, k2, 0, 1, std::nullopt) == 1);
    CHECK(fm.queued_on(k1) == 0);
    CHECK(fm.queued_on(k2) == 1);
    CHECK(fm.wake(k2, 1, kBitsetMatchAny) == 1);
    CHECK(result("m") == 1);
    CHECK(fm.queued_on(k0) == 0);
  }
  SECTION("woken by a requeue's wake part") {
    CHECK(fm.requeue(mem, k0, k2, 1, 1, std::nullopt) == 1);
    CHECK(result("m") == 0);
    CHECK(fm.queued_on(k1) == 0);
  }
  SECTION("requeue wakes one slot and would requeue the same waiter's other slot") {
    // Both slots on k0 (after moving k1's): the wake part takes the waiter
    // whole, so the requeue part finds nothing of it left to move.
    CHECK(fm.requeue(mem, k1, k0, 0, 1, std::nullopt) == 1);
    CHECK(fm.queued_on(k0) == 2);
    wait(k0, "s");
    CHECK(fm.requeue(mem, k0, k2, 1, 5, std::nullopt) == 2);
    CHECK(result("m") == 0);
    CHECK(fm.queued_on(k2) == 1);
    CHECK(wake_all(k2) == 1);
    CHECK(result("s") == 0);
  }
  SECTION("cancelled: removed from every key") {
    CHECK(fm.cancel(r.id, -ETIMEDOUT));
    CHECK(result("m") == -ETIMEDOUT);
    CHECK(fm.queued_on(k0) == 0);
    CHECK(fm.queued_on(k1) == 0);
  }
}

// ---------------------------------------------------------------- address spaces

TEST_CASE_METHOD(Fixture, "futex: forget_address_space drops that address space's waiters only", "[futex]") {
  wait(key(0, kMm), "a");
  wait(key(4, kMm), "b");
  REQUIRE(fm.wait_multiple(mem, {{key(8, kMm), 0}, {key(12, kMm), 0}}, make("m")).queued());
  wait(key(0, kOtherMm), "other");
  fm.forget_address_space(kMm);
  CHECK(fm.waiter_count() == 1);
  for (const char* n : {"a", "b", "m"}) {
    INFO(n);
    CHECK(calls(n) == 0);
    CHECK(rec.at(n)->destroyed);
  }
  CHECK(fm.wake(key(0, kMm), 1, kBitsetMatchAny) == 0);
  CHECK(fm.wake(key(0, kOtherMm), 1, kBitsetMatchAny) == 1);
  fm.forget_address_space(kMm);  // nothing left: harmless
}

// ---------------------------------------------------------------- against a reference

namespace {

// The same semantics, written the slow and obvious way: one vector per key.
struct Reference {
  struct W {
    int id;
    std::uint32_t bitset;
    bool alive;
  };
  std::map<int, std::vector<W>> q;  // key index -> FIFO
  std::map<int, std::int64_t> results;

  bool deliver(const W& w, std::int64_t r) {
    results[w.id] = r;
    return w.alive;
  }
  std::int64_t wake(int k, int n, std::uint32_t mask) {
    std::int64_t budget = n <= 0 ? 1 : n, woken = 0;
    auto& v = q[k];
    for (std::size_t i = 0; i < v.size() && woken < budget;) {
      if (!(v[i].bitset & mask)) {
        ++i;
        continue;
      }
      W w = v[i];
      v.erase(v.begin() + static_cast<std::ptrdiff_t>(i));
      if (deliver(w, 0)) ++woken;
    }
    return woken;
  }
  std::int64_t requeue(int from, int to, int nwake, int nrequeue) {
    std::int64_t woken = 0, moved = 0;
    auto& v = q[from];
    std::vector<W> kept, out;
    std::size_t i = 0;
    for (; i < v.size(); ++i) {
      if (woken < nwake) {
        if (deliver(v[i], 0)) ++woken;
      } else if (moved < nrequeue) {
        ++moved;
        (from == to ? kept : out).push_back(v[i]);
      } else {
        break;
      }
    }
    for (; i < v.size(); ++i) kept.push_back(v[i]);
    v = kept;
    for (const W& w : out) q[to].push_back(w);
    return woken + moved;
  }
  bool cancel(int id, std::int64_t r) {
    for (auto& [k, v] : q)
      for (std::size_t i = 0; i < v.size(); ++i)
        if (v[i].id == id) {
          W w = v[i];
          v.erase(v.begin() + static_cast<std::ptrdiff_t>(i));
          deliver(w, r);
          return true;
        }
    return false;
  }
};

}  // namespace

TEST_CASE_METHOD(Fixture, "futex: random operations agree with a reference model", "[futex]") {
  std::mt19937 rng(12345);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  Reference ref;
  std::map<int, WaiterId> ids;  // reference id -> manager id
  const int kKeys = 3;
  for (int step = 0; step < 5000; ++step) {
    INFO("step " << step);
    switch (pick(0, 4)) {
      case 0:
      case 1: {  // wait
        int k = pick(0, kKeys - 1);
        std::uint32_t bitset = static_cast<std::uint32_t>(pick(1, 3));
        bool alive = pick(0, 5) != 0;
        int id = static_cast<int>(ids.size());
        std::string name = std::to_string(id);
        ids[id] = wait(key(4 * k), name, bitset, alive);
        ref.q[k].push_back({id, bitset, alive});
        break;
      }
      case 2: {  // wake
        int k = pick(0, kKeys - 1), n = pick(-1, 3);
        std::uint32_t mask = static_cast<std::uint32_t>(pick(1, 3));
        REQUIRE(fm.wake(key(4 * k), n, mask) == ref.wake(k, n, mask));
        break;
      }
      case 3: {  // requeue
        int from = pick(0, kKeys - 1), to = pick(0, kKeys - 1), nw = pick(0, 2), nr = pick(0, 3);
        REQUIRE(fm.requeue(mem, key(4 * from), key(4 * to), nw, nr, std::nullopt) == ref.requeue(from, to, nw, nr));
        break;
      }
      case 4: {  // cancel a random id, queued or not
        if (ids.empty()) break;
        int id = pick(0, static_cast<int>(ids.size()) - 1);
        REQUIRE(fm.cancel(ids[id], -ETIMEDOUT) == ref.cancel(id, -ETIMEDOUT));
        break;
      }
    }
    for (int k = 0; k < kKeys; ++k) REQUIRE(fm.queued_on(key(4 * k)) == ref.q[k].size());
  }
  // Same results for every waiter.
  for (const auto& [id, mid] : ids) {
    INFO("waiter " << id);
    auto it = ref.results.find(id);
    CHECK(result(std::to_string(id)) == (it == ref.results.end() ? std::nullopt : std::optional(it->second)));
  }
  // Same order among the remaining waiters: drain both and compare.
  for (int k = 0; k < kKeys; ++k) {
    woken.clear();
    std::vector<std::string> expect;
    for (const auto& w : ref.q[k])
      if (w.alive) expect.push_back(std::to_string(w.id));
    CHECK(wake_all(key(4 * k)) == static_cast<std::int64_t>(expect.size()));
    CHECK(woken == expect);
  }
}
