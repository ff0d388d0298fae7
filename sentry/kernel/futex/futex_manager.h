// The futex model: wait queues for the guest's PRIVATE futexes, and the
// operations of futex(2) / futex_waitv(2) over them. Pure: it reads and writes
// guest memory only through GuestMemory, owns no timers and no clocks, and
// answers a blocked thread through the abstract Waiter.
//
// Atomicity. The supervisor is single-threaded, so every call here runs with
// no other futex operation in between: reading *uaddr and queueing the waiter
// in wait() is as atomic against wake() as Linux's hash-bucket lock makes it.
//
// Dead waiters. A waiter's delivery may fail (the thread took a signal or
// died, so the kernel rejected the answer). A wake skips such a waiter, drops
// it, does not count it and wakes the next one instead, so no wake-up is lost
// to a thread that will never see it. (In Linux the interrupted thread would
// have unqueued itself under the bucket lock; the effect is the same.)
//
// Cancellation. The caller arms a timer (or notices a signal) and calls
// cancel(id, -ETIMEDOUT / -EINTR ...). cancel() returns false once the waiter
// was woken, as Linux's futex_wait() returns 0 when futex_unqueue() finds it
// already woken: a wake that won the race is never undone.
//
// Argument decoding (op word, FUTEX_PRIVATE_FLAG, u32 -> int conversion of the
// counts, timeouts, futex_waitv's flags / __reserved / count limits) belongs
// to the caller; this class takes the decoded values. So does Linux's
// access_ok() check (-EFAULT for an address above the user address range, even
// for a wake), which depends on the host's address-space layout.
//
// Not thread-safe. Waiter::deliver() must not call back into the manager.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "sentry/kernel/futex/futex_key.h"
#include "sentry/kernel/futex/futex_waiter.h"
#include "sentry/memory/guest_memory.h"

namespace sentry::kernel::futex {

// The outcome of a wait: either an immediate answer (a negative errno: the
// Waiter was destroyed without deliver(), the caller answers the syscall
// itself), or the waiter was queued as `id` and will be answered through
// Waiter::deliver().
struct WaitResult {
  std::optional<std::int64_t> immediate;
  WaiterId id = 0;
  bool queued() const { return !immediate.has_value(); }
};

class FutexManager {
 public:
  FutexManager();
  ~FutexManager();
  FutexManager(const FutexManager&) = delete;
  FutexManager& operator=(const FutexManager&) = delete;

  // FUTEX_WAIT (bitset = kBitsetMatchAny) / FUTEX_WAIT_BITSET / futex_wait(2).
  // Checks, in Linux's order (waitwake.c __futex_wait, futex_wait_setup):
  //   bitset == 0 -> -EINVAL; key.addr % 4 -> -EINVAL;
  //   *key.addr unreadable -> -EFAULT; *key.addr != expected -> -EAGAIN;
  // otherwise queues `w` at the tail of key's queue. `mem` is key.mm's memory.
  // When woken, the waiter gets 0.
  WaitResult wait(GuestMemory& mem, FutexKey key, std::uint32_t expected, std::uint32_t bitset,
                  std::unique_ptr<Waiter> w);

  // FUTEX_WAKE (bitset = kBitsetMatchAny) / FUTEX_WAKE_BITSET. Wakes, in FIFO
  // order, up to n waiters whose bitset & `bitset` != 0; returns how many were
  // delivered. n <= 0 wakes ONE waiter, as Linux's loop tests its budget only
  // after a wake (`if (++ret >= nr_wake) break;`). bitset == 0 -> -EINVAL;
  // misaligned -> -EINVAL. Reads no memory: a private wake on an unmapped
  // address returns 0, as in Linux.
  std::int64_t wake(FutexKey key, int n, std::uint32_t bitset);

  // FUTEX_REQUEUE (cmp = nullopt) / FUTEX_CMP_REQUEUE (cmp = val3) /
  // futex_requeue(2). Linux's futex_requeue() (kernel/futex/requeue.c):
  //   nwake < 0 || nrequeue < 0 -> -EINVAL; either address misaligned ->
  //   -EINVAL; with cmp: *from unreadable -> -EFAULT, != *cmp -> -EAGAIN
  //   (nothing woken, nothing moved).
  // Then walks `from`'s queue in order: the first nwake waiters are woken (0,
  // not "at least one": nwake == 0 wakes nobody here), the next nrequeue are
  // moved to the tail of `to`'s queue, keeping their order, bitset and
  // WaiterId. Returns woken + requeued. Bitsets are ignored, as in Linux.
  // from == to: requeued waiters stay where they are (requeue_futex() does
  // not move a futex_q within one hash bucket) but are counted.
  std::int64_t requeue(GuestMemory& mem, FutexKey from, FutexKey to, int nwake, int nrequeue,
                       std::optional<std::uint32_t> cmp);

  // FUTEX_WAKE_OP. Linux's futex_wake_op() / futex_atomic_op_inuser():
  //   either address misaligned -> -EINVAL; unknown op -> -ENOSYS with
  //   *key2.addr untouched; *key2.addr unreadable or unwritable -> -EFAULT;
  //   old = *key2.addr, *key2.addr = op(old, oparg); unknown cmp -> -ENOSYS
  //   (AFTER the write, nothing woken).
  // Then wakes up to nwake on key1 and, if cmp(old, cmparg), up to nwake2 on
  // key2; returns the total. Budgets <= 0 mean one, as in wake(). Bitsets are
  // ignored, as in Linux. `mem` is key2.mm's memory.
  //
  // CAUTION: the read-modify-write of *key2.addr goes through GuestMemory: it
  // is atomic with respect to every other futex operation (the supervisor is
  // single-threaded), but NOT against the guest's own atomic instructions on
  // that word running concurrently on other threads, where Linux uses a locked
  // instruction. glibc >= 2.25 never issues FUTEX_WAKE_OP; a guest that mixes
  // it with user-space atomics on uaddr2 can lose an update.
  std::int64_t wake_op(GuestMemory& mem, FutexKey key1, FutexKey key2, int nwake, int nwake2,
                       std::uint32_t encoded_op);

  // futex_waitv(2): queues ONE waiter on several keys. Checks, in Linux's
  // order (waitwake.c futex_wait_multiple_setup): empty list -> -EINVAL; any
  // key misaligned -> -EINVAL; then for each key in order: unreadable ->
  // -EFAULT, != expected -> -EAGAIN. All or nothing: on an error nothing is
  // queued. Each key is matched with bitset kBitsetMatchAny. When any of its
  // keys is woken the waiter gets that key's INDEX in `keys_and_expected` and
  // leaves every other queue; a wake counts it once. A key listed twice gives
  // two queue positions; the first one reached by a wake answers.
  WaitResult wait_multiple(GuestMemory& mem, const std::vector<std::pair<FutexKey, std::uint32_t>>& keys_and_expected,
                           std::unique_ptr<Waiter> w);

  // Timeout, signal: if `id` is still queued (on any key, including one it was
  // requeued to), removes it and delivers `result`; true. False if it is no
  // longer queued (already woken, cancelled or dropped). The outcome of the
  // delivery itself does not change the return value.
  bool cancel(WaiterId id, std::int64_t result);

  // Removes a queued waiter WITHOUT delivering (its thread is known to be
  // gone). False if it was not queued.
  bool discard(WaiterId id);

  // Drops, without delivering, every waiter queued on a key of `mm` (exec or
  // exit of the whole address space).
  void forget_address_space(AddressSpaceId mm);

  // Introspection for tests and leak checks.
  std::size_t waiter_count() const { return entries_.size(); }
  std::size_t queued_on(FutexKey key) const;  // queue positions on key
  bool is_queued(WaiterId id) const { return entries_.count(id) != 0; }
  std::size_t key_count() const { return queues_.size(); }  // keys with a non-empty queue

 private:
  struct Entry;
  struct Node {
    Entry* entry;
    std::uint32_t index;  // which of entry->slots; also the result on wake
  };
  using Queue = std::list<Node>;
  struct Slot {
    FutexKey key;
    Queue::iterator pos;  // std::list::splice keeps it valid across requeue
  };
  struct Entry {
    WaiterId id = 0;
    std::unique_ptr<Waiter> waiter;
    std::uint32_t bitset = kBitsetMatchAny;
    std::vector<Slot> slots;
  };
  class Busy;

  WaiterId enqueue(std::unique_ptr<Waiter> w, std::uint32_t bitset, const std::vector<FutexKey>& keys);
  // Unlinks `e` from every queue and from entries_, and hands it back.
  std::unique_ptr<Entry> detach(Entry* e);
  // detach(), then deliver `result`. True if the thread took it.
  bool finish(Entry* e, std::int64_t result);
  // Wakes up to `budget` (>= 1) waiters on `key` matching `bitset`.
  std::int64_t wake_queue(const FutexKey& key, std::int64_t budget, std::uint32_t bitset);
  // Erases the queues detach() may have emptied.
  void prune();

  std::map<FutexKey, Queue> queues_;  // no empty queue survives a public call
  std::map<WaiterId, std::unique_ptr<Entry>> entries_;
  std::vector<FutexKey> maybe_empty_;
  WaiterId next_id_ = 1;
  bool busy_ = false;  // guards against re-entry from Waiter::deliver()
};

}  // namespace sentry::kernel::futex
