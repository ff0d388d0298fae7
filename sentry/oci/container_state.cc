#include "sentry/oci/container_state.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace sentry::oci {

const char* status_name(Status s) {
  switch (s) {
    case Status::kCreating: return "creating";
    case Status::kCreated: return "created";
    case Status::kRunning: return "running";
    case Status::kStopped: return "stopped";
  }
  return "unknown";
}

unsigned long long live_start_time(pid_t pid) {
  if (pid <= 0) return 0;
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t close = text.rfind(')');
  if (close == std::string::npos) return 0;
  std::istringstream rest(text.substr(close + 2));
  std::string field;
  rest >> field;  // field 3: the state
  if (field == "Z" || field == "X") return 0;
  for (int i = 4; i < 22 && rest >> field;) ++i;
  unsigned long long start = 0;
  rest >> start;
  return start;
}

std::string rfc3339_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t secs = std::chrono::system_clock::to_time_t(now);
  const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count() % 1000000000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[96];
  std::snprintf(out, sizeof out, "%s.%09lldZ", buf, static_cast<long long>(nanos));
  return out;
}

namespace {

bool valid_id(const std::string& id) {
  if (id.empty() || id == "." || id == ".." || id.size() > 1024) return false;
  for (char c : id)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '+')) return false;
  return true;
}

}  // namespace

std::optional<StateDir> StateDir::create(const std::string& root, const std::string& id, std::string* error) {
  if (!valid_id(id)) {
    *error = "invalid container id \"" + id + "\" (letters, digits, _ - . + only)";
    return std::nullopt;
  }
  std::error_code ec;
  std::filesystem::create_directories(root, ec);
  chmod(root.c_str(), 0700);
  const std::string path = root + "/" + id;
  if (mkdir(path.c_str(), 0700) != 0) {
    *error = errno == EEXIST ? "container with id " + id + " already exists"
                             : "cannot make " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    *error = "cannot open " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  return StateDir(path, fd);
}

std::optional<StateDir> StateDir::open(const std::string& root, const std::string& id, std::string* error) {
  if (!valid_id(id)) {
    *error = "invalid container id \"" + id + "\"";
    return std::nullopt;
  }
  const std::string path = root + "/" + id;
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    *error = errno == ENOENT ? "container " + id + " does not exist" : "cannot open " + path + ": " + std::strerror(errno);
    return std::nullopt;
  }
  return StateDir(path, fd);
}

StateDir::~StateDir() {
  if (fd_ >= 0) close(fd_);
}

bool StateDir::save(const ContainerState& s, std::string* error) const {
  nlohmann::json j = {{"id", s.id},           {"bundle", s.bundle}, {"rootfs", s.rootfs},
                      {"created", s.created}, {"pid", s.pid},       {"start_time", s.start_time},
                      {"annotations", s.annotations}, {"cgroups", s.cgroups}};
  const std::string tmp = path_ + "/state.json.tmp";
  {
    std::ofstream out(tmp);
    out << j.dump() << "\n";
    if (!out) {
      *error = "cannot write " + tmp;
      return false;
    }
  }
  if (rename(tmp.c_str(), (path_ + "/state.json").c_str()) != 0) {
    *error = "cannot write " + path_ + "/state.json: " + std::strerror(errno);
    return false;
  }
  return true;
}

std::optional<ContainerState> StateDir::load(std::string* error) const {
  std::ifstream in(path_ + "/state.json");
  if (!in) return ContainerState{};  // creating: nothing written yet
  nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    *error = path_ + "/state.json is damaged";
    return std::nullopt;
  }
  ContainerState s;
  s.id = j.value("id", "");
  s.bundle = j.value("bundle", "");
  s.rootfs = j.value("rootfs", "");
  s.created = j.value("created", "");
  s.pid = j.value("pid", 0);
  s.start_time = j.value("start_time", 0ull);
  s.annotations = j.value("annotations", std::map<std::string, std::string>{});
  s.cgroups = j.value("cgroups", std::vector<std::string>{});
  return s;
}

void StateDir::mark_started() const {
  int fd = openat(fd_, "started", O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
  if (fd >= 0) close(fd);
}

bool StateDir::started() const { return faccessat(fd_, "started", F_OK, 0) == 0; }

Status StateDir::status(const ContainerState& s) const {
  if (s.pid <= 0) return Status::kCreating;
  if (live_start_time(s.pid) != s.start_time) return Status::kStopped;
  return started() ? Status::kRunning : Status::kCreated;
}

void StateDir::remove() const {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

nlohmann::json state_json(const ContainerState& s, Status status) {
  nlohmann::json j = {{"ociVersion", "1.0.2"},
                      {"id", s.id},
                      {"pid", status == Status::kStopped ? 0 : s.pid},
                      {"status", status_name(status)},
                      {"bundle", s.bundle},
                      {"rootfs", s.rootfs},
                      {"created", s.created},
                      {"owner", ""}};
  if (!s.annotations.empty()) j["annotations"] = s.annotations;
  return j;
}

}  // namespace sentry::oci
