#include "sentry/syscalls/unix_address.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <memory>
#include <string>

#include "sentry/syscalls/guest_path.h"
#include "vfs/host_at.h"

namespace sentry::syscalls {

namespace {

int bind_errno(const kernel::Kernel& k, const vfs::Resolved& o) {
  if (o.type != vfs::NodeType::kMissing) return EADDRINUSE;
  std::size_t slash = o.guest.rfind('/');
  const vfs::Mount& m = k.mounts.find(slash == 0 ? std::string("/") : o.guest.substr(0, slash));
  if (m.kind == vfs::MountKind::kSynthetic) return EACCES;
  if (m.read_only) return EROFS;
  return 0;
}

}  // namespace

bool serve_unix_path_address(const kernel::Kernel& k, const SyscallPtr& call, int addr_arg, int len_arg, UnixUse use) {
  const std::uint64_t addr = call->arg(addr_arg);
  const auto len = static_cast<std::uint32_t>(call->arg(len_arg));
  constexpr std::size_t kPathOffset = offsetof(sockaddr_un, sun_path);
  if (addr == 0 || len <= kPathOffset || len > sizeof(sockaddr_un)) return false;
  sockaddr_un un{};
  if (!call->memory().read(addr, &un, len)) return false;  // the host reports EFAULT
  if (un.sun_family != AF_UNIX || un.sun_path[0] == '\0') return false;
  std::string path(un.sun_path, strnlen(un.sun_path, len - kPathOffset));
  PathQuery q;
  q.path = path;
  q.follow_last = use == UnixUse::kConnect;
  q.slash_needs_dir = use == UnixUse::kConnect;
  auto walked = resolve(k, call->tid(), q);
  if (auto* e = std::get_if<int>(&walked)) {
    call->fail(*e);
    return true;
  }
  const vfs::Resolved& o = std::get<vfs::Resolved>(walked);
  if (use == UnixUse::kBind) {
    if (int e = bind_errno(k, o)) {
      call->fail(e);
      return true;
    }
  } else {
    struct stat st;
    if (o.type == vfs::NodeType::kMissing) {
      call->fail(ENOENT);
      return true;
    }
    if (stat(o.host.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) {
      call->fail(ECONNREFUSED);
      return true;
    }
  }
  if (k.mounts.identity(o.guest)) {
    call->continue_on_host();
    return true;
  }
  // The walked host path, or (when it does not fit in sun_path) the entry
  // reached through sentry's fd of its directory.
  auto parent = std::make_shared<vfs::ParentDir>();
  std::string host = o.host;
  if (host.size() >= sizeof un.sun_path) {
    if (int rc = vfs::open_parent(o.host, parent.get()); rc < 0) {
      call->complete(rc);
      return true;
    }
    host = "/proc/" + std::to_string(getpid()) + "/fd/" + std::to_string(parent->dir.get()) + "/" + parent->name;
    if (host.size() >= sizeof un.sun_path) {
      call->fail(ENAMETOOLONG);
      return true;
    }
  }
  sockaddr_un rewritten{};
  rewritten.sun_family = AF_UNIX;
  std::memcpy(rewritten.sun_path, host.c_str(), host.size() + 1);
  std::uint64_t at = call->scratch_area(sizeof rewritten);
  if (at == 0 || !call->memory().write(at, &rewritten, sizeof rewritten)) {
    call->fail(EFAULT);
    return true;
  }
  SyscallArgs a = call->args();
  a[addr_arg] = at;
  a[len_arg] = kPathOffset + host.size() + 1;
  call->continue_rewritten(a, [parent](std::int64_t r) { return r; });
  return true;
}

}  // namespace sentry::syscalls
