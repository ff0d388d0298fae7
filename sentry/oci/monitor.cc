#include "sentry/oci/monitor.h"

#include <fcntl.h>
#include <net/if.h>
#include <linux/close_range.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "sentry/oci/control.h"
#include "sentry/sandbox/cgroup_limits.h"
#include "sentry/sandbox/id_map.h"
#include "sentry/supervisor/supervisor.h"

namespace sentry::oci {

namespace {

std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

void report_ready(int& fd, char kind, const std::string& text = "") {
  if (fd < 0) return;
  const std::string msg = std::string(1, kind) + text;
  (void)!send(fd, msg.data(), msg.size(), MSG_NOSIGNAL);
  close(fd);
  fd = -1;
}

// The engine's console socket, connected: the program opens the console in
// the guest's own devpts and sends its master there (sandbox.h).
int connect_console(const std::string& socket_path, std::string* error) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof a.sun_path) {
    *error = "--console-socket: path too long";
    return -1;
  }
  std::strcpy(a.sun_path, socket_path.c_str());
  int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s < 0 || connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    *error = errno_text("--console-socket " + socket_path);
    if (s >= 0) close(s);
    return -1;
  }
  return s;
}

// Serves the control socket from the supervisor's loop once the container runs.
class ControlServer : public std::enable_shared_from_this<ControlServer> {
 public:
  ControlServer(Supervisor& sup, int listen_fd) : sup_(sup), sock_(sup.io(), listen_fd) {}
  void start() { wait(); }

 private:
  void wait() {
    sock_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                     [self = shared_from_this()](const boost::system::error_code& ec) {
                       if (ec) return;
                       self->serve_one();
                       self->wait();
                     });
  }
  void serve_one() {
    int conn = accept4(sock_.native_handle(), nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) return;
    // A request is one line from the runtime's own user (the directory is
    // 0700), with the fds it passes; a client that sends nothing is dropped.
    std::vector<int> fds;
    auto line = read_request(conn, 1000, &fds);
    if (line && line->rfind("exec ", 0) == 0) {
      exec(conn, line->substr(5), fds);  // answers now and at the program's exit
    } else {
      if (line) write_line(conn, answer(*line));
      close(conn);
    }
    for (int fd : fds) close(fd);
  }
  // exec JSON (args, env, cwd, uid, gid, console, preserve_fds) with fds
  // [stdin, stdout, stderr(, console), preserved...]: "ok PID" once it runs,
  // "exit STATUS" when it has exited.
  void exec(int conn, const std::string& body, const std::vector<int>& fds) {
    nlohmann::json j = nlohmann::json::parse(body, nullptr, false);
    sandbox::ProgramRequest req;
    std::string error;
    try {
      if (j.is_discarded()) throw std::runtime_error("malformed exec request");
      const bool console = j.value("console", false);
      const std::size_t preserved = j.value("preserve_fds", 0u);
      if (fds.size() != 3 + (console ? 1 : 0) + preserved)
        throw std::runtime_error("exec: the request came with " + std::to_string(fds.size()) + " fds, not " +
                                 std::to_string(3 + (console ? 1 : 0) + preserved));
      if (console) req.console_fd = fds[3];
      req.extra_fds.assign(fds.end() - static_cast<std::ptrdiff_t>(preserved), fds.end());
      req.argv = j.at("args").get<std::vector<std::string>>();
      if (req.argv.empty()) throw std::runtime_error("exec: no program given");
      req.program = req.argv[0];
      req.env = j.value("env", std::vector<std::string>{});
      req.cwd = j.value("cwd", std::string("/"));
      req.uid = j.value("uid", 0u);
      req.gid = j.value("gid", 0u);
    } catch (const std::exception& e) {
      write_line(conn, std::string("error ") + e.what());
      close(conn);
      return;
    }
    for (int i = 0; i < 3; ++i) req.stdio[i] = fds[static_cast<std::size_t>(i)];
    auto pid = sup_.exec_program(req, [conn](int status) {
      write_line(conn, "exit " + std::to_string(status));
      close(conn);
    }, &error);
    if (!pid) {
      write_line(conn, "error " + error);
      close(conn);
      return;
    }
    write_line(conn, "ok " + std::to_string(*pid));
  }
  std::string answer(const std::string& line) {
    std::istringstream in(line);
    std::string verb;
    in >> verb;
    if (verb == "kill") {
      int sig = 0, all = 0;
      in >> sig >> all;
      if (sig <= 0 || sig > 64) return "error invalid signal";
      sup_.signal_guests(sig, all != 0);
      return "ok";
    }
    if (verb == "ps") {
      std::string out = "ok";
      for (pid_t p : sup_.guest_pids()) out += " " + std::to_string(p);
      return out;
    }
    if (verb == "start") return "error cannot start a container that is already running";
    return "error unknown request";
  }
  Supervisor& sup_;
  boost::asio::posix::stream_descriptor sock_;
};

// The created state: answers requests until `start` (true) or `kill`
// (false: the container ends before its program ran).
bool wait_for_start(int listen_fd, pid_t root, int* killed_by, std::string* error) {
  for (;;) {
    int conn = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) {
      if (errno == EINTR) continue;
      *error = errno_text("control socket");
      return false;
    }
    auto line = read_line(conn, 1000);
    std::istringstream in(line.value_or(""));
    std::string verb;
    in >> verb;
    if (verb == "start") {
      write_line(conn, "ok");
      close(conn);
      return true;
    }
    if (verb == "kill") {
      int sig = 0;
      in >> sig;
      if (sig <= 0 || sig > 64) {
        write_line(conn, "error invalid signal");
        close(conn);
        continue;
      }
      write_line(conn, "ok");
      close(conn);
      *killed_by = sig;
      *error = "killed by signal " + std::to_string(sig) + " before it started";
      return false;
    }
    write_line(conn, verb == "ps" ? "ok " + std::to_string(root) : "error unknown request");
    close(conn);
  }
}

}  // namespace

int run_monitor(const MonitorOptions& o, const StateDir& dir, int ready_fd) {
  const ContainerSpec& spec = o.spec;
  auto fail = [&](const std::string& what) {
    spdlog::error("{}", what);
    report_ready(ready_fd, 'E', what);
    return 1;
  };
  for (const std::string& why : spec.ignored) spdlog::info("config.json: ignored {}", why);
  // Nothing of the engine's but stdio and the preserved fds reaches the
  // program (sentry's own fds are close-on-exec).
  syscall(SYS_close_range, 3 + o.preserve_fds, ~0u, CLOSE_RANGE_CLOEXEC);
  if (ready_fd >= 0) fcntl(ready_fd, F_SETFD, FD_CLOEXEC);
  // The program's environment is the container's: the launcher passes
  // sentry's own, and searches its PATH.
  clearenv();
  for (const std::string& e : spec.env) {
    const std::size_t eq = e.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    setenv(e.substr(0, eq).c_str(), e.substr(eq + 1).c_str(), 1);
  }
  bool opts_isolated = false;
  // The container's network namespace is the monitor's own: sentry makes
  // the guest's TCP and UDP sockets there, and an engine that sets up the
  // namespace after `create` finds it through the pid it was given
  // (/proc/PID/ns/net), as with runsc's sandbox process.
  if (spec.network == NetworkMode::kJoin) {
    int fd = open(spec.netns_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) != 0)
      return fail(errno_text("joining the network namespace " + spec.netns_path));
    close(fd);
  } else if (spec.network == NetworkMode::kPrivate && geteuid() != 0) {
    // An ordinary user cannot make a network namespace outside a user
    // namespace: the guest gets sentry's isolated network (loopback only),
    // which is what a new namespace gives it.
    opts_isolated = true;
  } else if (spec.network == NetworkMode::kPrivate) {
    if (unshare(CLONE_NEWNET) != 0) return fail(errno_text("creating the container's network namespace"));
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq ifr{};
    std::strcpy(ifr.ifr_name, "lo");
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0 || (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) != 0))
      return fail(errno_text("bringing up the container's loopback interface"));
    close(s);
  }
  RunOptions opts;
  opts.platform = platform::PlatformKind::kUnotify;
  if (auto it = spec.annotations.find(kAnnotationPlatform); it != spec.annotations.end()) {
    if (it->second == "ptrace") opts.platform = platform::PlatformKind::kPtrace;
    else if (it->second != "unotify") return fail(std::string(kAnnotationPlatform) + ": unotify or ptrace");
  }
  opts.isolated_network = opts_isolated;
  opts.exit_with_root = true;  // a container ends with its init, as a PID namespace does
  opts.spawner = geteuid() == 0;  // `exec` (a rootless sandbox cannot have more programs yet)
  opts.machine.cpus = spec.cpus.value_or(cli::host_cpu_count());
  if (spec.memory_limit) {
    opts.machine.memory_bytes = *spec.memory_limit;
    opts.tree_limits.memory_bytes = *spec.memory_limit;
  }
  if (spec.pids_limit) opts.tree_limits.pids = *spec.pids_limit;
  if (spec.cpu_quota_us) opts.tree_limits.cpu_quota_us = *spec.cpu_quota_us;
  opts.machine.uid = spec.uid;
  opts.machine.gid = spec.gid;
  if (geteuid() != 0) {
    opts.ids = sandbox::IdMap::rootless_for(getuid(), getgid());
  } else if (spec.host_uid_base) {
    std::string e;
    auto ids = sandbox::parse_id_map(std::to_string(*spec.host_uid_base) + ":" +
                                         std::to_string(spec.id_count.value_or(65536)), &e);
    if (!ids) return fail("linux.uidMappings: " + e);
    opts.ids = *ids;
  }
  opts.cwd = spec.cwd;
  opts.hostname = spec.hostname;
  for (const Rlimit& l : spec.rlimits) opts.rlimits.push_back({l.resource, l.soft, l.hard});

  vfs::MountOptions mounts;
  mounts.root = spec.root;
  mounts.root_writable = !spec.root_readonly;
  mounts.binds = spec.binds;
  mounts.tmpfs = spec.tmpfs;
  mounts.default_places = false;
  // With a user namespace in the bundle, the engine gave the root's files the
  // container's host ids already; without, the root is idmapped so host
  // root's files are the guest root's, where its filesystem allows
  // (overlayfs does not: host root's files are then nobody's to the guest).
  mounts.root_host_ids = spec.host_uid_base.has_value();
  mounts.root_idmap_optional = true;
  std::string error;
  opts.mounts = vfs::MountTable::build(mounts, &error);
  if (!opts.mounts) return fail(error);

  if (spec.terminal) {
    if (!o.console_socket.empty()) {
      opts.console_fd = connect_console(o.console_socket, &error);
      if (opts.console_fd < 0) return fail(error);
    } else if (!o.start_now) {
      return fail("process.terminal is true: --console-socket is needed to hand the console to the caller");
    }
    // `run` in the foreground with the caller's own terminal: the program
    // uses it as it is, without taking it as its controlling terminal.
  }

  int listen_fd = listen_control(dir.fd(), &error);
  if (listen_fd < 0) return fail(error);
  int killed_by = 0;
  bool created = false;
  opts.before_start = [&](pid_t root, std::string* e) {
    ContainerState st;
    std::string load_error;
    if (auto loaded = dir.load(&load_error)) st = *loaded;
    st.pid = getpid();
    st.start_time = live_start_time(getpid());
    if (!dir.save(st, e)) return false;
    created = true;
    report_ready(ready_fd, 'C');
    if (o.start_now) {
      dir.mark_started();
      return true;
    }
    if (!wait_for_start(listen_fd, root, &killed_by, e)) return false;
    dir.mark_started();
    return true;
  };
  std::shared_ptr<ControlServer> server;
  opts.on_running = [&](Supervisor& sup) {
    // The tree's cgroups, for a `delete` after this monitor was killed.
    if (auto st = dir.load(&error)) {
      st->cgroups = sandbox::CgroupLimits::made_by(getpid());
      if (!st->cgroups.empty()) dir.save(*st, &error);
    }
    server = std::make_shared<ControlServer>(sup, listen_fd);
    server->start();
  };
  opts.on_stopped = [&] { server.reset(); };
  cli::RunOutputs out;
  if (auto it = spec.annotations.find(kAnnotationReport); it != spec.annotations.end()) out.report_file = it->second;
  if (auto it = spec.annotations.find(kAnnotationTrace); it != spec.annotations.end()) out.trace_file = it->second;
  auto code = cli::supervise(opts, spec.args, out, &error);
  unlinkat(dir.fd(), "control", 0);
  if (!code) {
    if (killed_by != 0) return 128 + killed_by;
    if (!created) return fail(error);
    spdlog::error("{}", error);
    return error.find("not found") != std::string::npos ? 127 : 126;
  }
  return *code;
}

}  // namespace sentry::oci
