// /proc/<pid>/fdinfo/<fd> of an epoll fd, as the host prints it
// (fs/eventpoll.c ep_show_fdinfo): a header, then one line per registration:
//
//   tfd: %8d events: %8x data: %16llx  pos:%lli ino:%lx sdev:%x
//
// The host shows sentry's item ids as `data` (epoll_items.h); the guest must
// see its own data. Used for the guest's fdinfo and to learn which ids a
// host instance still holds.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sentry::kernel::epoll {

struct FdinfoItem {
  int tfd = -1;
  std::uint32_t events = 0;
  std::uint64_t data = 0;
};

// Whether the host fd link at `link` (/proc/<pid>/fd/<n>) names an epoll
// instance.
bool is_epoll_fd_link(const std::string& link);

// The registrations listed in `text`; lines that are not "tfd:" lines are
// skipped.
std::vector<FdinfoItem> parse_epoll_fdinfo(std::string_view text);

// `text` with the data of each "tfd:" line replaced by translate(data),
// printed as the kernel prints it; a line whose data translates to nullopt
// is kept as it is.
std::string translate_epoll_fdinfo(std::string_view text,
                                   const std::function<std::optional<std::uint64_t>(std::uint64_t)>& translate);

}  // namespace sentry::kernel::epoll
