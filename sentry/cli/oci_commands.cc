#include "sentry/cli/oci_commands.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <functional>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>

#include <nlohmann/json.hpp>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/spdlog.h>

#include "abi/linux_names.h"
#include "sentry/oci/bundle.h"
#include "sentry/oci/container_state.h"
#include "sentry/oci/control.h"
#include "sentry/oci/monitor.h"

namespace sentry::cli {

namespace {

using nlohmann::json;

// runc's JSON log lines (logrus): {"level":"error","msg":"...","time":"..."}.
// Engines read the last error from the log when the runtime fails.
class JsonLogSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit JsonLogSink(const std::string& path) : out_(path, std::ios::app) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    json line = {{"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                                       spdlog::level::to_string_view(msg.level).size())},
                 {"msg", std::string(msg.payload.data(), msg.payload.size())},
                 {"time", oci::rfc3339_now()}};
    if (line["level"] == "warning") line["level"] = "warn";
    out_ << line.dump() << "\n";
    out_.flush();
  }
  void flush_() override { out_.flush(); }

 private:
  std::ofstream out_;
};

// An error for the caller: on stderr and in the runtime log.
int fail(const std::string& what) {
  spdlog::error("{}", what);
  if (spdlog::default_logger()->name() != "sentry") std::fprintf(stderr, "sentry: %s\n", what.c_str());
  return 1;
}

std::optional<int> parse_signal(std::string text) {
  if (text.empty()) return std::nullopt;
  if (std::isdigit(static_cast<unsigned char>(text[0]))) {
    try {
      int n = std::stoi(text);
      if (n >= 1 && n <= 64) return n;
    } catch (...) {
    }
    return std::nullopt;
  }
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (text.rfind("SIG", 0) != 0) text = "SIG" + text;
  for (int s = 1; s <= 64; ++s) {
    if (text == abi::signal_name(s)) return s;
  }
  return std::nullopt;
}

struct Opened {
  oci::StateDir dir;
  oci::ContainerState state;
  oci::Status status;
};

std::optional<Opened> open_container(const OciGlobals& g, const std::string& id, std::string* error) {
  auto dir = oci::StateDir::open(g.root, id, error);
  if (!dir) return std::nullopt;
  auto state = dir->load(error);
  if (!state) return std::nullopt;
  const oci::Status status = dir->status(*state);
  return Opened{std::move(*dir), std::move(*state), status};
}

// Waits until the monitor `pid` has exited (it is not our child).
bool wait_gone(pid_t pid, unsigned long long start_time, int timeout_ms) {
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return true;
  bool gone = false;
  if (oci::live_start_time(pid) != start_time) {
    gone = true;
  } else {
    pollfd p{pidfd, POLLIN, 0};
    gone = poll(&p, 1, timeout_ms) > 0;
  }
  close(pidfd);
  // A zombie the engine has not reaped yet is gone too.
  return gone || oci::live_start_time(pid) != start_time;
}

bool write_pid_file(const std::string& path, pid_t pid, std::string* error) {
  if (path.empty()) return true;
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp);
    out << pid;
    if (!out) {
      *error = "cannot write the pid file " + path;
      return false;
    }
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    *error = "cannot write the pid file " + path + ": " + std::strerror(errno);
    return false;
  }
  return true;
}

// create (and run -d): forks the monitor and returns once it reports the
// container created. `start_now`: the monitor starts it at once.
int create_container(const OciGlobals& g, const OciArgs& a, bool start_now, bool foreground) {
  std::string error;
  const std::string bundle = a.bundle.empty() ? std::filesystem::current_path().string() : a.bundle;
  auto spec = oci::load_bundle(bundle, &error);
  if (!spec) return fail(error);
  auto dir = oci::StateDir::create(g.root, a.id, &error);
  if (!dir) return fail(error);
  oci::ContainerState st;
  st.id = a.id;
  st.bundle = spec->bundle;
  st.rootfs = spec->root;
  st.created = oci::rfc3339_now();
  st.annotations = spec->annotations;
  if (!dir->save(st, &error)) {
    dir->remove();
    return fail(error);
  }
  oci::MonitorOptions mo{a.id, std::move(*spec), a.console_socket, a.preserve_fds, start_now};
  if (foreground) {
    // `run`: this process is the monitor; the container is removed when it
    // ends unless --keep.
    std::string pid_error;
    if (!write_pid_file(a.pid_file, getpid(), &pid_error)) {
      dir->remove();
      return fail(pid_error);
    }
    int code = oci::run_monitor(mo, *dir, -1);
    if (!a.keep) dir->remove();
    return code;
  }
  // One message from the monitor (the sandbox's processes it forks hold
  // the other end too: no EOF to wait for).
  int ready[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ready) != 0) {
    dir->remove();
    return fail(std::string("socketpair: ") + std::strerror(errno));
  }
  pid_t monitor = fork();
  if (monitor < 0) {
    dir->remove();
    return fail(std::string("fork: ") + std::strerror(errno));
  }
  if (monitor == 0) {
    close(ready[0]);
    setsid();  // the engine's terminal and process group are not the monitor's
    _exit(oci::run_monitor(mo, *dir, ready[1]));
  }
  close(ready[1]);
  std::string reply;
  char buf[4096];
  for (;;) {
    ssize_t n = recv(ready[0], buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n > 0) reply.assign(buf, static_cast<std::size_t>(n));
    break;
  }
  close(ready[0]);
  if (reply.empty() || reply[0] != 'C') {
    waitpid(monitor, nullptr, 0);
    dir->remove();
    return fail(reply.size() > 1 ? reply.substr(1) : "the container's monitor ended before the container was created");
  }
  if (!write_pid_file(a.pid_file, monitor, &error)) {
    kill(monitor, SIGKILL);
    dir->remove();
    return fail(error);
  }
  return 0;
}

int start_container(const OciGlobals& g, const OciArgs& a) {
  std::string error;
  auto c = open_container(g, a.id, &error);
  if (!c) return fail(error);
  if (c->status != oci::Status::kCreated)
    return fail("cannot start a container that is " + std::string(oci::status_name(c->status)) +
                " (only a created one starts)");
  if (!oci::control_request(c->dir.fd(), "start", 10000, &error)) return fail(error);
  return 0;
}

int state_container(const OciGlobals& g, const OciArgs& a) {
  std::string error;
  auto c = open_container(g, a.id, &error);
  if (!c) return fail(error);
  std::cout << oci::state_json(c->state, c->status).dump(2) << std::endl;
  return 0;
}

int kill_container(const OciGlobals& g, const OciArgs& a) {
  std::string error;
  auto sig = parse_signal(a.signal);
  if (!sig) return fail("invalid signal: " + a.signal);
  auto c = open_container(g, a.id, &error);
  if (!c) return fail(error);
  if (c->status != oci::Status::kCreated && c->status != oci::Status::kRunning)
    return fail("container " + a.id + " is not running (" + oci::status_name(c->status) + ")");
  const std::string request = "kill " + std::to_string(*sig) + " " + (a.all ? "1" : "0");
  if (!oci::control_request(c->dir.fd(), request, 5000, &error)) {
    if (*sig != SIGKILL) return fail(error);
    // A monitor that does not answer is killed: its guests die with it.
    kill(c->state.pid, SIGKILL);
  }
  return 0;
}

int delete_container(const OciGlobals& g, const OciArgs& a) {
  std::string error;
  auto c = open_container(g, a.id, &error);
  if (!c) {
    if (a.force && error.find("does not exist") != std::string::npos) return 0;
    return fail(error);
  }
  if (c->status == oci::Status::kRunning && !a.force)
    return fail("cannot delete container " + a.id + " that is not stopped: running (use --force)");
  if (c->status == oci::Status::kCreated || c->status == oci::Status::kRunning) {
    if (!oci::control_request(c->dir.fd(), "kill 9 1", 5000, &error)) kill(c->state.pid, SIGKILL);
    if (!wait_gone(c->state.pid, c->state.start_time, 10000)) {
      kill(c->state.pid, SIGKILL);
      if (!wait_gone(c->state.pid, c->state.start_time, 5000))
        return fail("container " + a.id + ": its monitor (pid " + std::to_string(c->state.pid) + ") does not end");
    }
  }
  for (const std::string& group : c->state.cgroups) rmdir(group.c_str());  // gone already if the monitor ended well
  c->dir.remove();
  return 0;
}

std::string cmdline_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (char& ch : s)
    if (ch == '\0') ch = ' ';
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

int ps_container(const OciGlobals& g, const OciArgs& a) {
  std::string error;
  auto c = open_container(g, a.id, &error);
  if (!c) return fail(error);
  std::vector<pid_t> pids;
  if (c->status == oci::Status::kCreated || c->status == oci::Status::kRunning) {
    auto reply = oci::control_request(c->dir.fd(), "ps", 5000, &error);
    if (!reply) return fail(error);
    std::istringstream in(reply->substr(2));
    for (pid_t p; in >> p;) pids.push_back(p);
  }
  if (a.format == "json") {
    std::cout << json(pids).dump() << std::endl;
    return 0;
  }
  std::cout << "PID\tCMD\n";
  for (pid_t p : pids) std::cout << p << "\t" << cmdline_of(p) << "\n";
  return 0;
}

int exit_code_of(int status) {
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

// The exec request from --process or from the command line, with the
// container's own process (its config.json) for what is not given.
std::optional<json> exec_request(const oci::ContainerState& st, const OciArgs& a, bool* terminal, std::string* error) {
  json base;
  {
    std::ifstream in(st.bundle + "/config.json");
    json config = json::parse(in, nullptr, false);
    if (!config.is_discarded() && config.contains("process")) base = config["process"];
  }
  json process = base;
  if (!a.process_file.empty()) {
    std::ifstream in(a.process_file);
    process = json::parse(in, nullptr, false);
    if (process.is_discarded() || !process.is_object()) {
      *error = "--process " + a.process_file + ": not a JSON object";
      return std::nullopt;
    }
  } else {
    process["args"] = std::vector<std::string>(a.exec_argv.begin() + 1, a.exec_argv.end());
    std::vector<std::string> env = base.value("env", std::vector<std::string>{});
    env.insert(env.end(), a.env.begin(), a.env.end());
    process["env"] = env;
    if (!a.cwd.empty()) process["cwd"] = a.cwd;
    process["terminal"] = a.tty;
    if (!a.user.empty()) {
      try {
        const std::size_t colon = a.user.find(':');
        process["user"]["uid"] = std::stoul(a.user.substr(0, colon));
        process["user"]["gid"] = colon == std::string::npos ? 0ul : std::stoul(a.user.substr(colon + 1));
      } catch (...) {
        *error = "--user " + a.user + ": expected UID[:GID]";
        return std::nullopt;
      }
    }
  }
  json req;
  try {
    req["args"] = process.at("args").get<std::vector<std::string>>();
    req["env"] = process.value("env", std::vector<std::string>{});
    req["cwd"] = process.value("cwd", std::string("/"));
    req["uid"] = process.contains("user") ? process["user"].value("uid", 0u) : 0u;
    req["gid"] = process.contains("user") ? process["user"].value("gid", 0u) : 0u;
    *terminal = process.value("terminal", false);
  } catch (const json::exception& e) {
    *error = std::string("the process to exec: ") + e.what();
    return std::nullopt;
  }
  if (req["args"].empty()) {
    *error = "exec: no command given";
    return std::nullopt;
  }
  return req;
}

// Runs the exec protocol (sentry/oci/control.h) to the program's exit;
// `started` is told once it runs. The program's exit code.
int exec_and_wait(const oci::StateDir& dir, json req, int console_fd, int preserve_fds,
                  const std::function<void(pid_t)>& started, const std::function<void(const std::string&)>& failed) {
  std::vector<int> fds = {0, 1, 2};
  if (console_fd >= 0) fds.push_back(console_fd);
  for (int i = 0; i < preserve_fds; ++i) fds.push_back(3 + i);
  req["console"] = console_fd >= 0;
  req["preserve_fds"] = preserve_fds;
  std::string error;
  int conn = oci::send_request(dir.fd(), "exec " + req.dump(), fds, &error);
  if (conn < 0) {
    failed(error);
    return 1;
  }
  if (console_fd >= 0) close(console_fd);
  auto reply = oci::read_line(conn, 30000);
  if (!reply || reply->rfind("ok ", 0) != 0) {
    failed(reply && reply->rfind("error ", 0) == 0 ? reply->substr(6) : "the monitor did not start the program");
    close(conn);
    return 1;
  }
  started(static_cast<pid_t>(std::atoi(reply->c_str() + 3)));
  auto end = oci::read_line(conn, -1);
  close(conn);
  if (!end || end->rfind("exit ", 0) != 0) return 137;  // the monitor is gone: so is the program
  return exit_code_of(std::atoi(end->c_str() + 5));
}

int exec_container(const OciGlobals& g, const OciArgs& a) {
  std::string error;
  if (a.exec_argv.empty()) return fail("exec: the container id is missing");
  auto c = open_container(g, a.exec_argv[0], &error);
  if (!c) return fail(error);
  if (c->status != oci::Status::kRunning)
    return fail("cannot exec in a container that is " + std::string(oci::status_name(c->status)));
  if (a.preserve_fds < 0 || a.preserve_fds > oci::kMaxPreservedFds)
    return fail("--preserve-fds " + std::to_string(a.preserve_fds) + ": from 0 to " +
                std::to_string(oci::kMaxPreservedFds));
  for (int i = 0; i < a.preserve_fds; ++i)
    if (fcntl(3 + i, F_GETFD) < 0) return fail("--preserve-fds: fd " + std::to_string(3 + i) + " is not open");
  bool terminal = false;
  auto req = exec_request(c->state, a, &terminal, &error);
  if (!req) return fail(error);
  int console_fd = -1;
  if (terminal) {
    if (a.console_socket.empty()) return fail("exec with a terminal needs --console-socket");
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", a.console_socket.c_str());
    console_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (console_fd < 0 || connect(console_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      return fail("--console-socket " + a.console_socket + ": " + std::strerror(errno));
  }
  if (!a.detach) {
    if (!write_pid_file(a.pid_file, getpid(), &error)) return fail(error);
    return exec_and_wait(c->dir, *req, console_fd, a.preserve_fds, [](pid_t) {},
                         [](const std::string& e) { fail(e); });
  }
  // --detach: a waiter process carries the exec to its end and exits with
  // the program's status; the engine (a subreaper) waits for it by the pid
  // written to --pid-file, as for the container's own monitor.
  int ready[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ready) != 0) return fail("socketpair");
  pid_t waiter = fork();
  if (waiter < 0) return fail(std::string("fork: ") + std::strerror(errno));
  if (waiter == 0) {
    close(ready[0]);
    setsid();
    int code = exec_and_wait(
        c->dir, *req, console_fd, a.preserve_fds,
        [&](pid_t) {
          (void)!send(ready[1], "C", 1, MSG_NOSIGNAL);
          close(ready[1]);
        },
        [&](const std::string& e) {
          const std::string m = "E" + e;
          (void)!send(ready[1], m.data(), m.size(), MSG_NOSIGNAL);
        });
    _exit(code);
  }
  close(ready[1]);
  if (console_fd >= 0) close(console_fd);
  char buf[4096];
  ssize_t n = recv(ready[0], buf, sizeof buf, 0);
  close(ready[0]);
  if (n <= 0 || buf[0] != 'C') {
    waitpid(waiter, nullptr, 0);
    return fail(n > 1 ? std::string(buf + 1, static_cast<std::size_t>(n - 1)) : "exec failed");
  }
  if (!write_pid_file(a.pid_file, waiter, &error)) return fail(error);
  return 0;
}

int features() {
  json f = {
      {"ociVersionMin", "1.0.0"},
      {"ociVersionMax", "1.1.0"},
      {"hooks", json::array()},
      {"mountOptions", {"bind", "rbind", "ro", "rw", "nosuid", "nodev", "noexec"}},
      {"linux",
       {{"namespaces", {"cgroup", "ipc", "mount", "network", "pid", "user", "uts"}},
        {"capabilities", json::array()},
        {"cgroup", {{"v1", true}, {"v2", true}, {"systemd", false}, {"systemdUser", false}}},
        {"seccomp", {{"enabled", false}}},
        {"apparmor", {{"enabled", false}}},
        {"selinux", {{"enabled", false}}}}},
      {"annotations",
       {{"org.opencontainers.runc.version", "sentry " SENTRY_VERSION},
        {oci::kAnnotationReport, "FILE: write the syscall-coverage report there"},
        {oci::kAnnotationTrace, "FILE: write the strace-like trace there"},
        {oci::kAnnotationPlatform, "unotify|ptrace"},
        {oci::kAnnotationCpus, "N: virtual CPUs the container sees"}}}};
  std::cout << f.dump(2) << std::endl;
  return 0;
}

int write_spec(const OciArgs& a) {
  const std::string dir = a.bundle.empty() ? "." : a.bundle;
  const std::string path = dir + "/config.json";
  struct stat st;
  if (stat(path.c_str(), &st) == 0) return fail("File " + path + " exists. Remove it first");
  std::ofstream out(path);
  out << oci::default_config(a.rootless_spec).dump(2) << "\n";
  if (!out) return fail("cannot write " + path);
  return 0;
}

}  // namespace

void add_oci_globals(CLI::App& app, OciGlobals& g) {
  auto mark = [&g](const std::string&) { g.given = true; };
  app.add_option("--root", g.root, "OCI runtime: where containers' state lives (default /run/sentry; for an ordinary user $XDG_RUNTIME_DIR/sentry)")
      ->each(mark);
  app.add_option("--log", g.log, "OCI runtime: write sentry's log to FILE")->each(mark);
  app.add_option("--log-format", g.log_format, "OCI runtime: log format, text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->each(mark);
  app.add_flag("--systemd-cgroup", g.systemd_cgroup, "OCI runtime: accepted (sentry makes its own cgroups)");
  app.add_flag("--debug", g.debug, "OCI runtime: debug logging");
}

void add_oci_run_options(CLI::App* run, OciArgs& args) {
  run->add_option("-b,--bundle", args.bundle, "OCI runtime: run the bundle in DIR; the argument is a container id");
  run->add_flag("-d,--detach", args.detach, "OCI runtime: return once the container runs");
  run->add_option("--pid-file", args.pid_file, "OCI runtime: write the monitor's pid to FILE");
  run->add_option("--console-socket", args.console_socket, "OCI runtime: send the console's master to this socket");
  run->add_option("--preserve-fds", args.preserve_fds, "OCI runtime: pass fds 3..3+N-1 to the container");
  run->add_flag("--keep", args.keep, "OCI runtime: keep the container's state after it ends");
  run->add_flag("--no-pivot,--no-new-keyring", args.flag_ignored, "OCI runtime: accepted");
}

bool oci_run_requested(const OciGlobals& g, const OciArgs& a) {
  return g.given || !a.bundle.empty() || a.detach || !a.pid_file.empty() || !a.console_socket.empty() ||
         a.preserve_fds > 0 || a.keep;
}

void add_oci_commands(CLI::App& app, OciArgs& a) {
  CLI::App* create = app.add_subcommand("create", "OCI runtime: create a container from a bundle (then `start`)");
  create->add_option("-b,--bundle", a.bundle, "The bundle directory (default: the working directory)");
  create->add_option("--pid-file", a.pid_file, "Write the monitor's pid (the container's process for the engine)");
  create->add_option("--console-socket", a.console_socket, "Unix socket that receives the console's master (terminal: true)");
  create->add_option("--preserve-fds", a.preserve_fds, "Pass fds 3..3+N-1 to the container");
  create->add_flag("--no-pivot,--no-new-keyring", a.flag_ignored, "Accepted");
  create->add_option("id", a.id, "Container id")->required();

  CLI::App* start = app.add_subcommand("start", "OCI runtime: start a created container");
  start->add_option("id", a.id)->required();
  CLI::App* state = app.add_subcommand("state", "OCI runtime: print a container's state (JSON)");
  state->add_option("id", a.id)->required();
  CLI::App* kill = app.add_subcommand("kill", "OCI runtime: send a signal to a container (default SIGTERM)");
  kill->add_flag("-a,--all", a.all, "Every process of the container");
  kill->add_option("id", a.id)->required();
  kill->add_option("signal", a.signal, "Name (TERM, SIGKILL) or number");
  CLI::App* del = app.add_subcommand("delete", "OCI runtime: remove a stopped container (--force: any)");
  del->add_flag("-f,--force", a.force, "Kill it first if it still runs");
  del->add_option("id", a.id)->required();
  CLI::App* ps = app.add_subcommand("ps", "OCI runtime: list a container's processes (host pids)");
  ps->add_option("-f,--format", a.format, "table or json")->check(CLI::IsMember({"table", "json"}));
  ps->add_option("id", a.id)->required();
  CLI::App* exec = app.add_subcommand("exec", "OCI runtime: run another program in a running container");
  exec->add_option("--process", a.process_file, "The process to run (an OCI process JSON)");
  exec->add_flag("-t,--tty", a.tty, "Give it a terminal (with --console-socket)");
  exec->add_option("--console-socket", a.console_socket, "Unix socket that receives the console's master");
  exec->add_flag("-d,--detach", a.detach, "Return once it runs (--pid-file names a process that exits with it)");
  exec->add_option("--pid-file", a.pid_file, "Write the pid of the process that waits for it");
  exec->add_option("--cwd", a.cwd, "Working directory in the container");
  exec->add_option("-e,--env", a.env, "K=V added to the container's environment (repeatable)")->take_last();
  exec->add_option("-u,--user", a.user, "UID[:GID] in the container");
  exec->add_option("--preserve-fds", a.preserve_fds, "Pass fds 3..3+N-1 to the program");
  exec->add_flag("--no-new-privs", a.flag_ignored, "Accepted: sentry always sets no_new_privs");
  // ID COMMAND ARGS...: everything from the first positional on, options of
  // the command included, is left in remaining().
  exec->prefix_command();
  exec->footer("Usage: sentry exec [OPTIONS] ID [COMMAND [ARGS...]]");
  app.add_subcommand("features", "OCI runtime: what this runtime supports (JSON)");
  CLI::App* spec = app.add_subcommand("spec", "OCI runtime: write a default config.json");
  spec->add_option("-b,--bundle", a.bundle, "Where to write it (default: the working directory)");
  spec->add_flag("--rootless", a.rootless_spec, "For a rootless container");
}

void setup_runtime_log(const OciGlobals& g) {
  if (g.debug) spdlog::set_level(spdlog::level::debug);
  if (g.log.empty()) return;
  std::shared_ptr<spdlog::logger> logger;
  try {
    if (g.log_format == "json") {
      logger = std::make_shared<spdlog::logger>("runtime", std::make_shared<JsonLogSink>(g.log));
    } else {
      logger = std::make_shared<spdlog::logger>(
          "runtime", std::make_shared<spdlog::sinks::basic_file_sink_mt>(g.log));
      logger->set_pattern("%Y-%m-%dT%H:%M:%S.%fZ sentry[%P] %l: %v", spdlog::pattern_time_type::utc);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sentry: cannot write the log %s: %s\n", g.log.c_str(), e.what());
    return;
  }
  logger->set_level(spdlog::get_level());
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

std::string default_state_root() {
  if (geteuid() == 0) return "/run/sentry";
  if (const char* xdg = getenv("XDG_RUNTIME_DIR"); xdg != nullptr && *xdg != '\0') return std::string(xdg) + "/sentry";
  return "/tmp/sentry-" + std::to_string(geteuid());
}

std::optional<int> oci_command(CLI::App& app, const OciGlobals& given, const OciArgs& a) {
  OciGlobals g = given;
  if (g.root.empty()) g.root = default_state_root();
  if (app.got_subcommand("create")) return create_container(g, a, false, false);
  if (app.got_subcommand("start")) return start_container(g, a);
  if (app.got_subcommand("state")) return state_container(g, a);
  if (app.got_subcommand("kill")) return kill_container(g, a);
  if (app.got_subcommand("delete")) return delete_container(g, a);
  if (app.got_subcommand("ps")) return ps_container(g, a);
  if (app.got_subcommand("exec")) {
    OciArgs with_rest = a;
    for (const std::string& r : app.get_subcommand("exec")->remaining()) with_rest.exec_argv.push_back(r);
    return exec_container(g, with_rest);
  }
  if (app.got_subcommand("features")) return features();
  if (app.got_subcommand("spec")) return write_spec(a);
  return std::nullopt;
}

int oci_run(const OciGlobals& given, const OciArgs& a) {
  OciGlobals g = given;
  if (g.root.empty()) g.root = default_state_root();
  if (a.detach) return create_container(g, a, true, false);
  return create_container(g, a, true, true);
}

}  // namespace sentry::cli
