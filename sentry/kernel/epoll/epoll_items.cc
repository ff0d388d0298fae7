#include "sentry/kernel/epoll/epoll_items.h"

namespace sentry::kernel::epoll {

void EpollItems::add(std::uint64_t id, const Item& item) { items_[id] = Entry{item, -1}; }

const Item* EpollItems::find(std::uint64_t id) const {
  auto it = items_.find(id);
  return it == items_.end() ? nullptr : &it->second.item;
}

std::optional<std::uint64_t> EpollItems::guest_data(std::uint64_t id) const {
  const Item* item = find(id);
  if (item == nullptr) return std::nullopt;
  return item->data;
}

void EpollItems::sweep(const std::unordered_set<std::uint64_t>& live, std::int64_t now_ns) {
  for (auto it = items_.begin(); it != items_.end();) {
    Entry& e = it->second;
    if (live.count(it->first) != 0) {
      e.dead_since_ns = -1;
    } else if (e.dead_since_ns < 0) {
      e.dead_since_ns = now_ns;
    } else if (now_ns - e.dead_since_ns >= kGraceNs) {
      it = items_.erase(it);
      continue;
    }
    ++it;
  }
  after_sweep_ = items_.size();
}

}  // namespace sentry::kernel::epoll
