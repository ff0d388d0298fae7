#include "sentry/kernel/epoll/epoll_fdinfo.h"

#include <unistd.h>

#include <cinttypes>
#include <cstdio>

namespace sentry::kernel::epoll {

namespace {

// Calls fn(line_without_newline, has_newline) for each line.
template <typename Fn>
void for_each_line(std::string_view text, Fn fn) {
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    fn(line, nl != std::string_view::npos);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  }
}

// Parses a "tfd:" line; `data_at`/`data_len`: where the data field's digits
// (with their padding) are in the line.
std::optional<FdinfoItem> parse_line(std::string_view line, std::size_t* data_at, std::size_t* data_len) {
  if (line.substr(0, 4) != "tfd:") return std::nullopt;
  const std::string s(line);
  FdinfoItem item;
  unsigned events = 0;
  unsigned long long data = 0;
  int start = 0, end = 0;
  if (std::sscanf(s.c_str(), "tfd: %d events: %x data: %n%llx%n", &item.tfd, &events, &start, &data, &end) != 3)
    return std::nullopt;
  item.events = events;
  item.data = data;
  // The field is %16llx: left-padded with spaces to 16 columns.
  std::size_t field = static_cast<std::size_t>(start);
  while (field > 0 && s[field - 1] == ' ' && static_cast<std::size_t>(end) - (field - 1) <= 16) --field;
  *data_at = field;
  *data_len = static_cast<std::size_t>(end) - field;
  return item;
}

}  // namespace

bool is_epoll_fd_link(const std::string& link) {
  constexpr std::string_view kEventpoll = "anon_inode:[eventpoll]";
  char target[kEventpoll.size() + 1];
  const ssize_t n = readlink(link.c_str(), target, sizeof target);
  return n > 0 && std::string_view(target, static_cast<std::size_t>(n)) == kEventpoll;
}

std::vector<FdinfoItem> parse_epoll_fdinfo(std::string_view text) {
  std::vector<FdinfoItem> out;
  for_each_line(text, [&](std::string_view line, bool) {
    std::size_t at = 0, len = 0;
    if (auto item = parse_line(line, &at, &len)) out.push_back(*item);
  });
  return out;
}

std::string translate_epoll_fdinfo(std::string_view text,
                                   const std::function<std::optional<std::uint64_t>(std::uint64_t)>& translate) {
  std::string out;
  out.reserve(text.size() + 64);
  for_each_line(text, [&](std::string_view line, bool newline) {
    std::size_t at = 0, len = 0;
    std::optional<FdinfoItem> item = parse_line(line, &at, &len);
    std::optional<std::uint64_t> data = item ? translate(item->data) : std::nullopt;
    if (data) {
      char field[32];
      std::snprintf(field, sizeof field, "%16" PRIx64, *data);
      out.append(line.substr(0, at));
      out.append(field);
      out.append(line.substr(at + len));
    } else {
      out.append(line);
    }
    if (newline) out.push_back('\n');
  });
  return out;
}

}  // namespace sentry::kernel::epoll
