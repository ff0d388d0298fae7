#include "sentry/kernel/futex/futex_manager.h"

#include <algorithm>
#include <cassert>
#include <cerrno>

#include "sentry/kernel/futex/futex_op.h"

namespace sentry::kernel::futex {

// Marks a public operation in progress, so that a Waiter::deliver() calling
// back into the manager (which would invalidate the iterators of the loop
// that called it) trips an assertion instead of corrupting the queues.
class FutexManager::Busy {
 public:
  explicit Busy(FutexManager& m) : m_(m) {
    assert(!m_.busy_ && "Waiter::deliver() must not call back into FutexManager");
    m_.busy_ = true;
  }
  ~Busy() { m_.busy_ = false; }
  Busy(const Busy&) = delete;
  Busy& operator=(const Busy&) = delete;

 private:
  FutexManager& m_;
};

namespace {

// The first queue position after `it` that does not belong to `e`: the loops
// below step there before finish(e) unlinks every node of `e`.
template <typename It, typename E>
It step_past(It it, It end, const E* e) {
  do ++it;
  while (it != end && it->entry == e);
  return it;
}

}  // namespace

FutexManager::FutexManager() = default;
FutexManager::~FutexManager() = default;

WaiterId FutexManager::enqueue(std::unique_ptr<Waiter> w, std::uint32_t bitset, const std::vector<FutexKey>& keys) {
  auto e = std::make_unique<Entry>();
  e->id = next_id_++;
  e->waiter = std::move(w);
  e->bitset = bitset;
  e->slots.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    Queue& q = queues_[keys[i]];
    q.push_back(Node{e.get(), static_cast<std::uint32_t>(i)});
    e->slots.push_back(Slot{keys[i], std::prev(q.end())});
  }
  WaiterId id = e->id;
  entries_.emplace(id, std::move(e));
  return id;
}

std::unique_ptr<FutexManager::Entry> FutexManager::detach(Entry* e) {
  for (const Slot& s : e->slots) {
    auto q = queues_.find(s.key);
    assert(q != queues_.end());
    q->second.erase(s.pos);
    maybe_empty_.push_back(s.key);  // erased later: a caller may be iterating it
  }
  auto it = entries_.find(e->id);
  assert(it != entries_.end());
  std::unique_ptr<Entry> owned = std::move(it->second);
  entries_.erase(it);
  return owned;
}

bool FutexManager::finish(Entry* e, std::int64_t result) {
  std::unique_ptr<Entry> owned = detach(e);
  return owned->waiter->deliver(result);
}

void FutexManager::prune() {
  for (const FutexKey& k : maybe_empty_) {
    auto q = queues_.find(k);
    if (q != queues_.end() && q->second.empty()) queues_.erase(q);
  }
  maybe_empty_.clear();
}

std::int64_t FutexManager::wake_queue(const FutexKey& key, std::int64_t budget, std::uint32_t bitset) {
  auto qit = queues_.find(key);
  if (qit == queues_.end()) return 0;
  Queue& q = qit->second;
  std::int64_t woken = 0;
  for (auto it = q.begin(); it != q.end() && woken < budget;) {
    Entry* e = it->entry;
    if ((e->bitset & bitset) == 0) {
      ++it;
      continue;
    }
    std::uint32_t index = it->index;
    it = step_past(it, q.end(), e);
    if (finish(e, index)) ++woken;  // a dead waiter is dropped, not counted
  }
  return woken;
}

WaitResult FutexManager::wait(GuestMemory& mem, FutexKey key, std::uint32_t expected, std::uint32_t bitset,
                              std::unique_ptr<Waiter> w) {
  Busy busy(*this);
  assert(w != nullptr);
  if (bitset == 0) return {-EINVAL, 0};
  if (!futex_aligned(key.addr)) return {-EINVAL, 0};
  std::uint32_t value = 0;
  if (!mem.read_value(key.addr, &value)) return {-EFAULT, 0};
  if (value != expected) return {-EAGAIN, 0};
  return {std::nullopt, enqueue(std::move(w), bitset, {key})};
}

std::int64_t FutexManager::wake(FutexKey key, int n, std::uint32_t bitset) {
  Busy busy(*this);
  if (bitset == 0) return -EINVAL;
  if (!futex_aligned(key.addr)) return -EINVAL;
  std::int64_t woken = wake_queue(key, n <= 0 ? 1 : n, bitset);
  prune();
  return woken;
}

std::int64_t FutexManager::requeue(GuestMemory& mem, FutexKey from, FutexKey to, int nwake, int nrequeue,
                                   std::optional<std::uint32_t> cmp) {
  Busy busy(*this);
  if (nwake < 0 || nrequeue < 0) return -EINVAL;
  if (!futex_aligned(from.addr) || !futex_aligned(to.addr)) return -EINVAL;
  if (cmp) {
    std::uint32_t value = 0;
    if (!mem.read_value(from.addr, &value)) return -EFAULT;
    if (value != *cmp) return -EAGAIN;
  }
  auto qit = queues_.find(from);
  if (qit == queues_.end()) return 0;
  Queue& q = qit->second;
  // Linux: for each waiter on `from`:
  //   if (task_count - nr_wake >= nr_requeue) break;
  //   if (++task_count <= nr_wake) wake; else requeue_futex();
  // With woken + moved = task_count, but a dead waiter not counted as woken.
  std::int64_t woken = 0, moved = 0;
  for (auto it = q.begin(); it != q.end();) {
    Entry* e = it->entry;
    if (woken < nwake) {
      std::uint32_t index = it->index;
      it = step_past(it, q.end(), e);
      if (finish(e, index)) ++woken;  // a dead waiter is dropped, not counted
      continue;
    }
    if (moved >= nrequeue) break;
    ++moved;
    auto cur = it++;
    e->slots[cur->index].key = to;
    if (from != to) {
      Queue& dst = queues_[to];  // map insertion invalidates no iterator
      dst.splice(dst.end(), q, cur);
    }
  }
  maybe_empty_.push_back(from);
  prune();
  return woken + moved;
}

std::int64_t FutexManager::wake_op(GuestMemory& mem, FutexKey key1, FutexKey key2, int nwake, int nwake2,
                                   std::uint32_t encoded_op) {
  Busy busy(*this);
  if (!futex_aligned(key1.addr) || !futex_aligned(key2.addr)) return -EINVAL;
  const WakeOp op = decode_wake_op(encoded_op);
  // An unknown op is rejected before *uaddr2 is touched, even when it is
  // unmapped (x86 arch_futex_atomic_op_inuser()'s default case).
  if (!wake_op_known(op)) return -ENOSYS;
  std::uint32_t old = 0;
  if (!mem.read_value(key2.addr, &old)) return -EFAULT;
  const std::uint32_t updated = *apply_wake_op(op, old);
  if (!mem.write_value(key2.addr, updated)) return -EFAULT;
  const std::optional<bool> wake2 = compare_wake_op(op, old);
  if (!wake2) return -ENOSYS;  // *uaddr2 already written, as in Linux
  std::int64_t woken = wake_queue(key1, nwake <= 0 ? 1 : nwake, kBitsetMatchAny);
  if (*wake2) woken += wake_queue(key2, nwake2 <= 0 ? 1 : nwake2, kBitsetMatchAny);
  prune();
  return woken;
}

WaitResult FutexManager::wait_multiple(GuestMemory& mem,
                                       const std::vector<std::pair<FutexKey, std::uint32_t>>& keys_and_expected,
                                       std::unique_ptr<Waiter> w) {
  Busy busy(*this);
  assert(w != nullptr);
  if (keys_and_expected.empty()) return {-EINVAL, 0};
  for (const auto& [key, expected] : keys_and_expected)
    if (!futex_aligned(key.addr)) return {-EINVAL, 0};
  std::vector<FutexKey> keys;
  keys.reserve(keys_and_expected.size());
  for (const auto& [key, expected] : keys_and_expected) {
    std::uint32_t value = 0;
    if (!mem.read_value(key.addr, &value)) return {-EFAULT, 0};
    if (value != expected) return {-EAGAIN, 0};
    keys.push_back(key);
  }
  return {std::nullopt, enqueue(std::move(w), kBitsetMatchAny, keys)};
}

bool FutexManager::cancel(WaiterId id, std::int64_t result) {
  Busy busy(*this);
  auto it = entries_.find(id);
  if (it == entries_.end()) return false;
  finish(it->second.get(), result);
  prune();
  return true;
}

bool FutexManager::discard(WaiterId id) {
  Busy busy(*this);
  auto it = entries_.find(id);
  if (it == entries_.end()) return false;
  detach(it->second.get());
  prune();
  return true;
}

void FutexManager::forget_address_space(AddressSpaceId mm) {
  Busy busy(*this);
  std::vector<Entry*> doomed;
  for (auto q = queues_.lower_bound(FutexKey{mm, 0}); q != queues_.end() && q->first.mm == mm; ++q)
    for (const Node& n : q->second) doomed.push_back(n.entry);
  std::sort(doomed.begin(), doomed.end());
  doomed.erase(std::unique(doomed.begin(), doomed.end()), doomed.end());
  for (Entry* e : doomed) detach(e);
  prune();
}

std::size_t FutexManager::queued_on(FutexKey key) const {
  auto q = queues_.find(key);
  return q == queues_.end() ? 0 : q->second.size();
}

}  // namespace sentry::kernel::futex
