#include "sentry/sandbox/sandbox.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "sentry/platform/tracer.h"
#include "sentry/sandbox/fd_passing.h"
#include "sentry/sandbox/sandbox_fork.h"
#include "sentry/sandbox/write_file.h"
#include "vfs/namespace_builder.h"

extern char** environ;

namespace sentry::sandbox {

namespace {

// Messages from the sandbox's processes to sentry, on a SOCK_SEQPACKET pair:
//   'I' pid_t   the init's host pid (from the process that forked it)
//   'R'         the program is ready to be seized (sentry reads its host
//               pid from the credentials the kernel attaches)
//   'M' text    setup failed (what, for the user)
//   'E' int     the program's execve failed with this errno
void send_message(int fd, char kind, const void* data = nullptr, std::size_t len = 0) {
  char buf[512];
  buf[0] = kind;
  if (len > sizeof buf - 1) len = sizeof buf - 1;
  if (len) std::memcpy(buf + 1, data, len);
  (void)!send(fd, buf, len + 1, MSG_NOSIGNAL);
}

// The largest "go" message: the filter's program is a few KB.
constexpr std::size_t kMaxGoMessage = 128 * 1024;
// The most fds that come with one program request (one SCM_RIGHTS message
// holds at most 253): control, stdio, a console, what it should inherit.
constexpr std::size_t kMaxProgramFds = 250;

[[noreturn]] void setup_failed(int fd, const std::string& what) {
  send_message(fd, 'M', what.data(), what.size());
  _exit(125);
}

std::string errno_text(const std::string& what, int err = errno) { return what + ": " + std::strerror(err); }

// The guest's user namespace, made by a helper that unshares it and waits
// while sentry (in the parent namespace, with CAP_SETUID there) writes its
// maps; then the namespace lives on through its fd.
int make_user_namespace(const IdMap& ids, std::string* error) {
  int ready[2] = {-1, -1}, done[2] = {-1, -1};
  auto close_pipes = [&] {
    for (int fd : {ready[0], ready[1], done[0], done[1]})
      if (fd >= 0) close(fd);
  };
  if (pipe2(ready, O_CLOEXEC) != 0 || pipe2(done, O_CLOEXEC) != 0) {
    *error = errno_text("pipe2");
    close_pipes();
    return -1;
  }
  pid_t helper = sandbox_fork();
  if (helper < 0) {
    *error = errno_text("fork");
    close_pipes();
    return -1;
  }
  if (helper == 0) {
    close(ready[0]);
    close(done[1]);
    // 0: done, else the errno (a byte: every errno unshare gives fits).
    char ok = unshare(CLONE_NEWUSER) == 0 ? 0 : static_cast<char>(errno);
    (void)!write(ready[1], &ok, 1);
    (void)!read(done[0], &ok, 1);  // EOF: sentry has the fd
    _exit(0);
  }
  close(ready[1]);
  close(done[0]);
  char result = 0;
  int fd = -1;
  if (read(ready[0], &result, 1) != 1 || result != 0) {
    *error = std::string("cannot create a user namespace (unshare(CLONE_NEWUSER): ") +
             (result != 0 ? std::strerror(result) : "the helper died") +
             "; check /proc/sys/user/max_user_namespaces and, on Debian, kernel.unprivileged_userns_clone; "
             "EINVAL: the helper has threads)";
  } else {
    const std::string base = "/proc/" + std::to_string(helper) + "/";
    if (!write_file(base + "uid_map", ids.map_line()) || !write_file(base + "gid_map", ids.gid_map_line())) {
      *error = errno_text("writing the guest's uid_map/gid_map (" + ids.map_line().substr(0, ids.map_line().size() - 1) +
                          "); sentry needs CAP_SETUID and CAP_SETGID");
    } else {
      fd = open((base + "ns/user").c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) *error = errno_text("open " + base + "ns/user");
    }
  }
  close(ready[0]);
  close(done[1]);
  waitpid(helper, nullptr, 0);
  return fd;
}

int capset_empty() {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  return static_cast<int>(syscall(SYS_capset, &hdr, data));
}

// The program's path as execvp would find it, searched in the guest's tree
// with the guest's identity (a PATH directory it may not search, such as a
// 0700 home, is skipped) before the filter is loaded, so the guest's trace
// shows one execve, as natively. The name itself when none is found: the
// execve then fails as Linux would.
std::string find_program(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* env = getenv("PATH");
  const std::string dirs = env ? env : "/usr/local/bin:/usr/bin:/bin";
  std::size_t start = 0;
  while (start <= dirs.size()) {
    std::size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string dir = dirs.substr(start, end - start);
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    struct stat st;
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        faccessat(AT_FDCWD, candidate.c_str(), X_OK, AT_EACCESS) == 0)
      return candidate;
    start = end + 1;
  }
  return name;
}

// The container's console: a pty of the guest's own devpts (/dev/ptmx in its
// tree), whose master goes to `console_fd` with SCM_RIGHTS and the name as
// data, as runc sends it; the slave becomes stdio and the controlling
// terminal. "" or what failed.
std::string open_console(int console_fd) {
  int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || unlockpt(master) != 0) return errno_text("opening the console (/dev/ptmx)");
  int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  if (slave < 0) return errno_text("opening the console's slave");
  if (send_with_fds(console_fd, "/dev/ptmx", {master}) < 0)
    return errno_text("sending the console to the console socket");
  close(master);
  close(console_fd);
  for (int fd = 0; fd <= 2; ++fd)
    if (dup2(slave, fd) < 0) return errno_text("dup2 of the console");
  if (slave > 2) close(slave);
  if (ioctl(STDIN_FILENO, TIOCSCTTY, 0) != 0) return errno_text("making the console the controlling terminal");
  return "";
}

// The program, pid 2 of the sandbox: takes the guest's identity and waits
// for sentry before its filter and exec.
[[noreturn]] void program_main(const SandboxSpec& spec, int control, int userns) {
  // The working directory is entered while still host root: a granted place
  // may lie below a directory the guest's identity cannot search (a 0700
  // mktemp directory), and relative paths from it then work as natively.
  if (chdir(spec.cwd.c_str()) != 0 && chdir("/") != 0) setup_failed(control, errno_text("chdir " + spec.cwd));
  if (!spec.ids.rootless) {
    if (setns(userns, CLONE_NEWUSER) != 0) setup_failed(control, errno_text("setns(user namespace)"));
    close(userns);
  }
  // Granted places are the guest root's own (idmapped): no set-ID bit may
  // survive a write there (CAP_FSETID) and no file capability may be set
  // (CAP_SETFCAP), or the guest could leave host root's powers on the host
  // for anyone to run (docs/security.md). Gone from the bounding set, they
  // are gone after the exec below.
  for (int cap : {CAP_FSETID, CAP_SETFCAP}) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) setup_failed(control, errno_text("dropping a capability"));
  }
  // Host root's supplementary groups must not follow the guest in (a
  // rootless sandbox has setgroups denied: its user's groups stay, unmapped).
  if (!spec.ids.rootless && syscall(SYS_setgroups, 0, nullptr) != 0) setup_failed(control, errno_text("setgroups"));
  if (syscall(SYS_setresgid, spec.gid, spec.gid, spec.gid) != 0)
    setup_failed(control, errno_text("setresgid(" + std::to_string(spec.gid) + ")"));
  if (syscall(SYS_setresuid, spec.uid, spec.uid, spec.uid) != 0)
    setup_failed(control, errno_text("setresuid(" + std::to_string(spec.uid) + ")"));
  // A session keyring of the guest's own (the inherited one is host root's).
  syscall(SYS_keyctl, 1 /* KEYCTL_JOIN_SESSION_KEYRING */, nullptr);
  // No controlling terminal: TIOCSTI and job-control signals cannot reach
  // the user's terminal (bubblewrap's --new-session, CVE-2017-5226).
  if (setsid() < 0) setup_failed(control, errno_text("setsid"));
  if (spec.console_fd >= 0) {
    std::string e = open_console(spec.console_fd);
    if (!e.empty()) setup_failed(control, e);
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) setup_failed(control, errno_text("no_new_privs"));

  const std::string program = find_program(spec.program);
  std::vector<char*> argv;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  // "go": 'G', whether the filter notifies, then its program. Received into
  // memory taken beforehand: nothing is allocated once the filter is loaded,
  // so the guest's first traced call is its execve.
  std::vector<std::uint8_t> go(kMaxGoMessage);
  send_message(control, 'R');
  const ssize_t got = recv(control, go.data(), go.size(), 0);
  if (got < 2 || go[0] != 'G') _exit(127);  // sentry gave up before attaching
  sigprocmask(SIG_SETMASK, &spec.sigmask, nullptr);
  int rc = platform::SeccompFilter::load_program(go.data() + 2, static_cast<std::size_t>(got - 2), go[1] != 0);
  if (rc < 0) {
    int e = -rc;
    send_message(control, 'E', &e, sizeof e);
    _exit(127);
  }
  execve(program.c_str(), argv.data(), environ);
  int e = errno;
  send_message(control, 'E', &e, sizeof e);
  _exit(127);
}

// Writes `title` over this process's argument area (arg_start..arg_end of
// /proc/self/stat, fields 48 and 49), NUL-filling the rest.
void retitle(const char* title) {
  std::FILE* f = std::fopen("/proc/self/stat", "re");
  if (f == nullptr) return;
  char buf[4096];
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = 0;
  const char* p = std::strrchr(buf, ')');
  if (p == nullptr) return;
  unsigned long start = 0, end = 0;
  int field = 2;  // the comm's
  for (const char* q = p + 1; *q != 0 && field < 49; ++q) {
    if (*q != ' ') continue;
    ++field;
    if (field == 48) start = std::strtoul(q + 1, nullptr, 10);
    if (field == 49) end = std::strtoul(q + 1, nullptr, 10);
  }
  if (start == 0 || end <= start) return;
  char* area = reinterpret_cast<char*>(start);
  const std::size_t len = end - start;
  std::memset(area, 0, len);
  std::strncpy(area, title, len - 1);
}

// pid 1: builds the tree, starts the program, reaps until the tree is gone.
[[noreturn]] void init_main(const SandboxSpec& spec, int control, int userns) {
  std::string error = vfs::build_guest_tree(*spec.mounts, userns);
  if (!error.empty()) setup_failed(control, "building the guest's filesystem: " + error);
  if (!spec.hostname.empty() && sethostname(spec.hostname.data(), spec.hostname.size()) != 0)
    setup_failed(control, errno_text("sethostname " + spec.hostname));
  if (spec.private_network) {
    // The loopback interface of the guest's network namespace comes up, as
    // in a container (the kernel gives it 127.0.0.1 and ::1).
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ifreq ifr{};
    std::strcpy(ifr.ifr_name, "lo");
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0 ||
        (ifr.ifr_flags |= IFF_UP, ioctl(s, SIOCSIFFLAGS, &ifr) != 0)) {
      setup_failed(control, errno_text("bringing up the guest's loopback interface"));
    }
    close(s);
  }
  pid_t program = sandbox_fork();
  if (program < 0) setup_failed(control, errno_text("fork"));
  if (program == 0) program_main(spec, control, userns);
  close(control);
  if (userns >= 0) close(userns);
  // The guest sees pid 1 as sentry's init, not as a copy of sentry's
  // command line (a fork keeps the parent's argument area, which the guest
  // can read in /proc/1/cmdline): the area is overwritten in place.
  prctl(PR_SET_NAME, "sentry-init", 0, 0, 0);
  retitle("sentry-init");
  // Nothing of host root is left for a guest to take over.
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  for (int cap = 0; cap <= 63; ++cap) prctl(PR_CAPBSET_DROP, cap, 0, 0, 0);
  capset_empty();
  for (;;) {
    pid_t p = wait(nullptr);
    if (p < 0 && errno == ECHILD) _exit(0);
  }
}

// Requests to the spawner: one SEQPACKET message of NUL-separated fields
//   program, cwd, uid, gid, argc, argv..., envc, env...
// with fds [control, stdin, stdout, stderr(, console)].
std::string encode_request(const ProgramRequest& r) {
  std::string m;
  auto add = [&m](const std::string& f) { m.append(f).push_back('\0'); };
  add(r.program);
  add(r.cwd);
  add(std::to_string(r.uid));
  add(std::to_string(r.gid));
  add(std::to_string(r.argv.size()));
  for (const auto& a : r.argv) add(a);
  add(std::to_string(r.env.size()));
  for (const auto& e : r.env) add(e);
  // The fds that come with it: control, stdio, then these.
  add(r.console_fd >= 0 ? "1" : "0");
  add(std::to_string(r.extra_fds.size()));
  return m;
}

std::optional<ProgramRequest> decode_request(const char* data, std::size_t len) {
  std::vector<std::string> f;
  for (std::size_t at = 0; at < len;) {
    const void* nul = std::memchr(data + at, 0, len - at);
    if (nul == nullptr) return std::nullopt;
    const std::size_t end = static_cast<std::size_t>(static_cast<const char*>(nul) - data);
    f.emplace_back(data + at, end - at);
    at = end + 1;
  }
  try {
    ProgramRequest r;
    std::size_t i = 0;
    r.program = f.at(i++);
    r.cwd = f.at(i++);
    r.uid = static_cast<std::uint32_t>(std::stoul(f.at(i++)));
    r.gid = static_cast<std::uint32_t>(std::stoul(f.at(i++)));
    for (std::size_t n = std::stoul(f.at(i++)); n > 0; --n) r.argv.push_back(f.at(i++));
    for (std::size_t n = std::stoul(f.at(i++)); n > 0; --n) r.env.push_back(f.at(i++));
    r.console_fd = f.at(i++) == "1" ? 0 : -1;     // a placeholder: the fd comes with the message
    r.extra_fds.resize(std::stoul(f.at(i++)), -1);  // as many placeholders
    if (i != f.size()) return std::nullopt;
    return r;
  } catch (...) {
    return std::nullopt;
  }
}

// The spawner: a child of sentry forked before sentry hardens itself, host
// root like the init before it drops everything, and not dumpable. It holds
// the sandbox's namespaces and serves only sentry's socket: each request
// forks a process that enters them (the PID namespace's for its own child),
// whose child becomes the program as the first one did (program_main). It
// ends when the init does.
[[noreturn]] void spawner_main(int sock, pid_t init, int userns, const SandboxSpec& base) {
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  prctl(PR_SET_NAME, "sentry-spawner", 0, 0, 0);
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  const char* kinds[] = {"ipc", "uts", "net", "cgroup", "pid", "mnt"};
  std::vector<int> ns;
  for (const char* k : kinds) {
    int fd = open(("/proc/" + std::to_string(init) + "/ns/" + k).c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) _exit(1);
    ns.push_back(fd);
  }
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, init, 0));
  if (pidfd < 0) _exit(1);
  std::vector<char> buf(256 * 1024);
  for (;;) {
    pollfd p[2] = {{sock, POLLIN, 0}, {pidfd, POLLIN, 0}};
    if (poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      _exit(1);
    }
    if (p[1].revents != 0) _exit(0);
    Received got = recv_with_fds(sock, buf.data(), buf.size(), kMaxProgramFds);
    const ssize_t n = got.n;
    if (n <= 0) _exit(0);
    std::vector<int>& fds = got.fds;
    const std::size_t nfds = fds.size();
    auto req = decode_request(buf.data(), static_cast<std::size_t>(n));
    const std::size_t extra = req ? req->extra_fds.size() : 0;
    const std::size_t console = req && req->console_fd >= 0 ? 1 : 0;
    if (req && nfds == 4 + console + extra) {
      pid_t c1 = sandbox_fork();
      if (c1 == 0) {
        for (int fd : ns)
          if (setns(fd, 0) != 0) setup_failed(fds[0], errno_text("entering the sandbox's namespaces"));
        pid_t c2 = sandbox_fork();
        if (c2 < 0) setup_failed(fds[0], errno_text("fork"));
        if (c2 == 0) {
          // Every fd still needed moves above the program's 0..2+extra
          // first, so that placing one never overwrites another.
          const int above = 3 + static_cast<int>(extra);
          for (int& fd : fds)
            if (fd < above && (fd = fcntl(fd, F_DUPFD_CLOEXEC, above)) < 0) setup_failed(fds[0], errno_text("fcntl"));
          for (int i = 0; i < 3; ++i)
            if (dup2(fds[1 + i], i) < 0) setup_failed(fds[0], errno_text("dup2"));
          for (std::size_t i = 0; i < extra; ++i)
            if (dup2(fds[4 + console + i], 3 + static_cast<int>(i)) < 0) setup_failed(fds[0], errno_text("dup2"));
          clearenv();
          for (const std::string& e : req->env) putenv(strdup(e.c_str()));
          SandboxSpec spec = base;
          spec.program = req->program;
          spec.argv = req->argv;
          spec.cwd = req->cwd;
          spec.uid = req->uid;
          spec.gid = req->gid;
          spec.console_fd = console ? fds[4] : -1;
          program_main(spec, fds[0], userns);
        }
        _exit(0);
      }
      if (c1 > 0) waitpid(c1, nullptr, 0);
    } else if (nfds >= 1) {
      const std::string what = "a malformed request to the spawner";
      send_message(fds[0], 'M', what.data(), what.size());
    }
    for (std::size_t i = 0; i < nfds; ++i) close(fds[i]);
  }
}

// The capabilities sentry needs to build a sandbox, or a message naming
// those it lacks.
std::string missing_capabilities() {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &hdr, data) != 0) return "";
  const std::pair<int, const char*> needed[] = {{CAP_SYS_ADMIN, "CAP_SYS_ADMIN (namespaces, mounts)"},
                                                {CAP_SETUID, "CAP_SETUID"},
                                                {CAP_SETGID, "CAP_SETGID (the guest's id maps)"},
                                                {CAP_SYS_PTRACE, "CAP_SYS_PTRACE (supervising the guest)"},
                                                {CAP_DAC_OVERRIDE, "CAP_DAC_OVERRIDE"}};
  std::string missing;
  for (const auto& [cap, name] : needed) {
    if (!((data[cap / 32].effective >> (cap % 32)) & 1)) missing += std::string(missing.empty() ? "" : ", ") + name;
  }
  if (missing.empty()) return "";
  return "sentry run needs root: it builds the guest's namespaces and mounts as root and runs the guest "
         "unprivileged (missing: " + missing + "; running sentry as an ordinary user is not supported yet)";
}


// A rootless sandbox's user namespace, made by the process that will make
// the other namespaces inside it: an ordinary user may map its own ids only,
// with setgroups denied.
bool enter_rootless_user_namespace(const IdMap& ids, std::string* error) {
  if (unshare(CLONE_NEWUSER) != 0) {
    *error = errno_text("cannot create a user namespace as an ordinary user (check "
                        "/proc/sys/user/max_user_namespaces and kernel.unprivileged_userns_clone)");
    return false;
  }
  if (!write_file("/proc/self/uid_map", ids.map_line()) || !write_file("/proc/self/setgroups", "deny") ||
      !write_file("/proc/self/gid_map", ids.gid_map_line())) {
    *error = errno_text("writing the rootless sandbox's id maps");
    return false;
  }
  return true;
}

}  // namespace

std::optional<Sandbox> launch(const SandboxSpec& spec, std::string* error) {
  if (!spec.ids.rootless) {
    if (std::string missing = missing_capabilities(); !missing.empty()) {
      *error = missing;
      return std::nullopt;
    }
  } else if (spec.uid != 0 || spec.gid != 0) {
    *error = "--uid/--gid: a rootless sandbox maps one id (the guest's root is the user running sentry)";
    return std::nullopt;
  } else if (spec.limits != nullptr) {
    *error = "--pids-limit/--memory-limit/--cpu-limit need cgroups sentry can create: run sentry as root";
    return std::nullopt;
  }
  int sv[2];
  if (!credentials_pair(sv)) {
    *error = errno_text("socketpair");
    return std::nullopt;
  }
  // Root makes the guest's user namespace beforehand (its fd also idmaps the
  // granted places); a rootless sandbox makes it in the first child.
  int userns = spec.ids.rootless ? -1 : make_user_namespace(spec.ids, error);
  if (userns < 0 && !spec.ids.rootless) {
    close(sv[0]);
    close(sv[1]);
    return std::nullopt;
  }
  // Namespaces are made by a first child (unshare), which forks the init
  // into the new PID namespace and exits; sentry, a child subreaper, becomes
  // the init's parent. The child is born in the tree's cgroups.
  if (spec.limits != nullptr && !spec.limits->enter(error)) {
    close(sv[0]);
    close(sv[1]);
    if (userns >= 0) close(userns);
    return std::nullopt;
  }
  pid_t first = sandbox_fork();
  if (first != 0 && spec.limits != nullptr) spec.limits->leave();
  if (first < 0) {
    *error = errno_text("fork");
    close(sv[0]);
    close(sv[1]);
    if (userns >= 0) close(userns);
    return std::nullopt;
  }
  if (first == 0) {
    close(sv[0]);
    std::string rootless_error;
    if (spec.ids.rootless && !enter_rootless_user_namespace(spec.ids, &rootless_error))
      setup_failed(sv[1], rootless_error);
    int flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP;
    if (spec.private_network) flags |= CLONE_NEWNET;
    if (unshare(flags) != 0) {
      setup_failed(sv[1], errno_text("cannot create the sandbox's namespaces (unshare of mount, PID, IPC, UTS, "
                                     "cgroup" + std::string(spec.private_network ? ", network" : "") +
                                     "; sentry needs CAP_SYS_ADMIN)"));
    }
    pid_t init = sandbox_fork();
    if (init < 0) setup_failed(sv[1], errno_text("fork"));
    if (init == 0) init_main(spec, sv[1], userns);
    send_message(sv[1], 'I', &init, sizeof init);
    _exit(0);
  }
  close(sv[1]);

  Sandbox box;
  box.control = sv[0];
  // The filter is compiled while the sandbox's processes build it.
  std::string filter_error;
  std::unique_ptr<platform::SeccompFilter> filter = spec.make_filter(&filter_error);
  waitpid(first, nullptr, 0);
  auto fail = [&](const std::string& what) -> std::optional<Sandbox> {
    *error = what;
    if (box.init > 0) {
      // The init's exit waits until every process of its namespace is
      // reaped, the seized program included, whose tracer is sentry.
      Sandbox dying = box;
      dying.control = -1;
      abandon(dying);
    }
    close(sv[0]);
    if (userns >= 0) close(userns);
    return std::nullopt;
  };
  for (;;) {
    char buf[512];
    Received got = recv_with_fds(sv[0], buf, sizeof buf, 0);
    const ssize_t n = got.n;
    if (n <= 0) return fail("the sandbox's init ended before the program started");
    if (buf[0] == 'M') return fail(std::string(buf + 1, static_cast<std::size_t>(n - 1)));
    if (buf[0] == 'I' && n == 1 + static_cast<ssize_t>(sizeof(pid_t))) {
      std::memcpy(&box.init, buf + 1, sizeof(pid_t));
      if (box.root > 0) break;
      continue;
    }
    if (buf[0] != 'R') return fail("unexpected message from the sandbox");
    if (!got.cred) return fail("the program's credentials did not arrive");
    box.root = got.cred->pid;
    // The init's pid comes from another sender and may arrive after the
    // program's message: both are needed (the mounter ends with the init).
    if (box.init > 0) break;
  }
  if (!filter) return fail(filter_error);
  int rc = platform::Tracer::seize(box.root);
  if (rc != 0) return fail(std::string("PTRACE_SEIZE: ") + std::strerror(-rc));
  if (spec.private_network) {
    box.netns = open(("/proc/" + std::to_string(box.root) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC);
  }
  box.mntns = open(("/proc/" + std::to_string(box.root) + "/ns/mnt").c_str(), O_RDONLY | O_CLOEXEC);
  if (box.mntns < 0) return fail(errno_text("opening the guest's mount namespace"));
  if (spec.before_go) {
    std::string why;
    if (!spec.before_go(box, &why)) return fail(why);
  }
  if (spec.spawner) {
    // Forked while sentry still holds its powers and the guest's user
    // namespace (a rootless sandbox's is the program's own: it has none).
    int pair[2];
    if (spec.ids.rootless) return fail("more programs in a rootless sandbox (exec) are not supported yet");
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) return fail(errno_text("socketpair"));
    pid_t helper = sandbox_fork();
    if (helper < 0) return fail(errno_text("fork"));
    if (helper == 0) {
      close(pair[0]);
      spawner_main(pair[1], box.init, userns, spec);
    }
    close(pair[1]);
    box.spawner = pair[0];
  }
  if (userns >= 0) close(userns);
  userns = -1;
  std::string go_error;
  if (!let_go(sv[0], *filter, &go_error)) return fail(go_error);
  return box;
}

bool let_go(int control, const platform::SeccompFilter& filter, std::string* error) {
  std::vector<std::uint8_t> go = {static_cast<std::uint8_t>('G'), static_cast<std::uint8_t>(filter.notifies() ? 1 : 0)};
  go.insert(go.end(), filter.program().begin(), filter.program().end());
  if (go.size() > kMaxGoMessage) {
    *error = "the seccomp filter is too large to send";
    return false;
  }
  if (send(control, go.data(), go.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(go.size())) {
    *error = errno_text("starting the program");
    return false;
  }
  return true;
}

std::optional<Spawned> spawn(const Sandbox& box, const ProgramRequest& req, std::string* error) {
  if (box.spawner < 0) {
    *error = "this sandbox has no spawner";
    return std::nullopt;
  }
  int sv[2];
  if (!credentials_pair(sv)) {
    *error = errno_text("socketpair");
    return std::nullopt;
  }
  const std::string body = encode_request(req);
  std::vector<int> fds = {sv[1], req.stdio[0], req.stdio[1], req.stdio[2]};
  if (req.console_fd >= 0) fds.push_back(req.console_fd);
  fds.insert(fds.end(), req.extra_fds.begin(), req.extra_fds.end());
  if (fds.size() > kMaxProgramFds) {
    close(sv[0]);
    close(sv[1]);
    *error = "too many fds for one program";
    return std::nullopt;
  }
  const bool sent = send_with_fds(box.spawner, body, fds) == static_cast<ssize_t>(body.size());
  close(sv[1]);
  if (!sent) {
    *error = errno_text("asking the sandbox's spawner");
    close(sv[0]);
    return std::nullopt;
  }
  // The program's 'R' (its pid from the credentials), or what failed.
  pollfd p{sv[0], POLLIN, 0};
  char buf[512];
  Received got;
  if (poll(&p, 1, 10000) == 1) got = recv_with_fds(sv[0], buf, sizeof buf, 0);
  const ssize_t n = got.n;
  if (n > 0 && buf[0] == 'R' && got.cred) return Spawned{got.cred->pid, sv[0]};
  *error = n > 1 && buf[0] == 'M' ? std::string(buf + 1, static_cast<std::size_t>(n - 1))
                                  : "the new program did not start";
  close(sv[0]);
  return std::nullopt;
}

void abandon(const Sandbox& box) {
  if (box.root > 0) kill(box.root, SIGKILL);
  if (box.init > 0) kill(box.init, SIGKILL);
  // The seized program stops at its exit event: let it go on, or the init
  // (which waits for it) never ends.
  for (pid_t p = 0; p != box.init && box.init > 0;) {
    int status = 0;
    p = waitpid(-1, &status, __WALL);
    if (p < 0 && errno != EINTR) break;
    if (p > 0 && WIFSTOPPED(status)) ptrace(PTRACE_CONT, p, nullptr, nullptr);
  }
  if (box.control >= 0) close(box.control);
  if (box.netns >= 0) close(box.netns);
}

int read_exec_error(int control) {
  char buf[64];
  for (;;) {
    ssize_t n = recv(control, buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n == 1 + static_cast<ssize_t>(sizeof(int)) && buf[0] == 'E') {
      int e;
      std::memcpy(&e, buf + 1, sizeof e);
      return e;
    }
    return 0;
  }
}

}  // namespace sentry::sandbox
