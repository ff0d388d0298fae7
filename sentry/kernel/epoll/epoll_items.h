// The guest's epoll registrations as sentry keeps them.
//
// A guest epoll instance is a host epoll instance, the readiness engine: the
// host adds and removes items, wakes waiters (EPOLLEXCLUSIVE included) and
// drops an item when the last reference to its file goes away, exactly as
// Linux does for the guest, because it *is* Linux doing it on the same
// files. What the host never sees is the guest's registration data: each
// registration sentry makes carries a fresh item id as its `data`, and the
// guest's (events, data, fd) live here. Every event the guest receives is
// translated from id to data by this table (sys_epoll.cc, at the exit of the
// wait), and so is /proc/<pid>/fdinfo of an epoll fd.
//
// Ids are never reused. EPOLL_CTL_MOD gives the registration a new id, and
// neither MOD nor DEL (nor the host's silent removal on the last close)
// forgets the old one at once: a wait in another thread may have taken an
// event under the old id just before, and must still translate it. Ids the
// host no longer holds are forgotten by sweep(), run when the table has
// grown to twice the size the last sweep left, and only once they have been
// dead for a grace period (a wait that took an event reaches its exit stop
// within microseconds; the grace is a second).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace sentry::kernel::epoll {

struct Item {
  int fd = -1;               // the guest's fd number (the host key's number too)
  std::uint32_t events = 0;  // as the guest gave them
  std::uint64_t data = 0;    // the guest's data
};

class EpollItems {
 public:
  // A fresh id for a registration about to be made.
  std::uint64_t next_id() { return next_id_++; }
  // Remembers `item` under `id` once the host accepted the registration.
  void add(std::uint64_t id, const Item& item);
  const Item* find(std::uint64_t id) const;
  // The guest's data for an event the host reported under `id`; nullopt for
  // an id sentry never gave out (an epoll instance it did not register).
  std::optional<std::uint64_t> guest_data(std::uint64_t id) const;

  std::size_t size() const { return items_.size(); }
  // Whether the table grew enough since the last sweep to look for dead ids.
  bool sweep_due() const { return items_.size() >= 2 * after_sweep_ + kSweepFloor; }
  // `live`: every id some host epoll instance still holds; `now_ns`: a
  // monotonic clock. Ids found dead at least kGraceNs ago are forgotten.
  void sweep(const std::unordered_set<std::uint64_t>& live, std::int64_t now_ns);
  static constexpr std::int64_t kGraceNs = 1'000'000'000;

 private:
  static constexpr std::size_t kSweepFloor = 1024;
  struct Entry {
    Item item;
    std::int64_t dead_since_ns = -1;  // first sweep that found it dead; -1: alive
  };
  std::unordered_map<std::uint64_t, Entry> items_;
  // Ids start high, tagged: an instance sentry did not register (one the
  // guest inherited from outside) reports its own data, which is then left
  // alone, and small data values such as fd numbers never look like ids.
  std::uint64_t next_id_ = 0x5e27000000000001ULL;
  std::size_t after_sweep_ = 0;
};

}  // namespace sentry::kernel::epoll
