// A container's state under the runtime's --root: one directory per
// container (mode 0700), holding state.json, a `started` mark and the
// monitor's control socket (sentry/oci/control.h). Any sentry process can
// answer `state`, `kill` and `delete` from it; the monitor that supervises the
// container writes it.
//
// The status follows the OCI runtime spec: creating (the directory exists,
// the monitor has not reported), created (monitor alive, not started),
// running (started, monitor alive), stopped (the monitor is gone: it lives
// exactly as long as the container's processes). The monitor is identified by
// pid and start time, so a reused pid is not mistaken for it.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace sentry::oci {

enum class Status { kCreating, kCreated, kRunning, kStopped };
const char* status_name(Status s);

struct ContainerState {
  std::string id;
  std::string bundle;
  std::string rootfs;
  std::string created;  // RFC 3339, UTC
  pid_t pid = 0;        // the monitor (what --pid-file holds; 0 until created)
  unsigned long long start_time = 0;
  std::map<std::string, std::string> annotations;
  std::vector<std::string> cgroups;  // the tree's groups (removed by `delete` if the monitor could not)
};

// The start time of `pid` (field 22 of /proc/PID/stat), or 0 if it is gone
// or a zombie.
unsigned long long live_start_time(pid_t pid);
// Now, as RFC 3339 with nanoseconds (runc's format).
std::string rfc3339_now();

class StateDir {
 public:
  // Makes ROOT/ID (ROOT too, mode 0700). Errors: a bad id, an existing one.
  static std::optional<StateDir> create(const std::string& root, const std::string& id, std::string* error);
  // Opens an existing container's directory ("container ID does not exist").
  static std::optional<StateDir> open(const std::string& root, const std::string& id, std::string* error);

  StateDir(StateDir&& o) noexcept : path_(std::move(o.path_)), fd_(o.fd_) { o.fd_ = -1; }
  StateDir(const StateDir&) = delete;
  ~StateDir();

  const std::string& path() const { return path_; }
  int fd() const { return fd_; }

  bool save(const ContainerState& s, std::string* error) const;  // atomic (rename)
  std::optional<ContainerState> load(std::string* error) const;
  void mark_started() const;
  bool started() const;
  Status status(const ContainerState& s) const;
  // Removes the directory and everything in it.
  void remove() const;

 private:
  StateDir(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_ = -1;
};

// The state as `sentry state` prints it (the runtime spec's fields).
nlohmann::json state_json(const ContainerState& s, Status status);

}  // namespace sentry::oci
