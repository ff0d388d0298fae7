// The /proc, /sys and /dev files programs read, with the values they read
// from them, checked against what the syscalls say: /proc/self/exe,
// /proc/self/{status,stat,comm,cmdline,limits,cgroup}, /proc/self/task/*,
// /proc/filesystems, /proc/sys/vm/overcommit_memory,
// /sys/devices/system/cpu (online and its listing), /dev/urandom, /dev/null;
// and that these files behave as files (byte-wise reads, lseek, pread,
// fstat, poll). Nothing here hard-codes the CPU count.
//
// Host facts asserted: vm.overcommit_memory is 0 (the kernel default, and
// what sentry serves).
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "conformance.h"
#include "file_util.h"

namespace {

using namespace conformance;

pid_t gettid_raw() { return static_cast<pid_t>(syscall(SYS_gettid)); }

// `text` without the lines that start with one of `volatile_prefixes` (values
// that change between two reads: memory use, context switches, CPU MHz).
std::string stable_lines(const std::string& text, const std::vector<std::string>& volatile_prefixes) {
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    bool skip = false;
    for (const std::string& p : volatile_prefixes) skip = skip || line.rfind(p, 0) == 0;
    if (!skip) out += line + "\n";
  }
  return out;
}

// "ff,ffffffff" (comma-separated 32-bit chunks, most significant first).
std::optional<std::set<int>> parse_cpu_mask(const std::string& s) {
  std::vector<std::string> chunks;
  std::stringstream in(s);
  for (std::string part; std::getline(in, part, ',');) chunks.push_back(part);
  std::set<int> out;
  int base = 0;
  for (auto it = chunks.rbegin(); it != chunks.rend(); ++it, base += 32) {
    if (it->empty() || it->size() > 8) return std::nullopt;
    char* end = nullptr;
    const unsigned long v = std::strtoul(it->c_str(), &end, 16);
    if (*end != '\0') return std::nullopt;
    for (int b = 0; b < 32; ++b)
      if (v & (1ul << b)) out.insert(base + b);
  }
  return out;
}

std::set<int> affinity_set() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::set<int> out;
  if (sched_getaffinity(0, sizeof set, &set) != 0) return out;
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (CPU_ISSET(c, &set)) out.insert(c);
  return out;
}

// "Key:\tvalue" lines -> value of `key` (nullopt if absent).
std::optional<std::string> status_field(const std::string& status, const std::string& key) {
  std::istringstream in(status);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + ":\t", 0) == 0) return line.substr(key.size() + 2);
  }
  return std::nullopt;
}

// /proc/self/status through stdio (fopen + getline), as most programs do.
std::vector<std::string> status_lines_stdio(const char* path) {
  std::vector<std::string> out;
  FILE* f = std::fopen(path, "re");
  if (f == nullptr) return out;
  char* line = nullptr;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, f)) != -1) {
    std::string s(line, static_cast<std::size_t>(n));
    if (!s.empty() && s.back() == '\n') s.pop_back();
    out.push_back(s);
  }
  free(line);
  std::fclose(f);
  return out;
}

struct Dirent {
  std::string name;
  unsigned char type;
};

// The directory's entries via the raw getdents64 syscall (small buffer, so
// several calls are needed for large directories).
std::optional<std::vector<Dirent>> list_dir(const char* path) {
  const int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::vector<Dirent> out;
  alignas(8) char buf[512];
  for (;;) {
    const long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
    if (n < 0) {
      close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    for (long off = 0; off < n;) {
      struct linux_dirent64 {
        std::uint64_t d_ino;
        std::int64_t d_off;
        unsigned short d_reclen;
        unsigned char d_type;
        char d_name[];
      };
      auto* d = reinterpret_cast<linux_dirent64*>(buf + off);
      out.push_back({d->d_name, d->d_type});
      off += d->d_reclen;
    }
  }
  close(fd);
  return out;
}

const Dirent* find_entry(const std::vector<Dirent>& entries, const std::string& name) {
  for (const Dirent& d : entries)
    if (d.name == name) return &d;
  return nullptr;
}

std::string prctl_name() {
  char name[17] = {};
  if (prctl(PR_GET_NAME, name, 0, 0, 0) != 0) return "?";
  return name;
}

// ---- Checks. ----

void check_exe(const char* argv0) {
  char link[PATH_MAX + 1] = {};
  const ssize_t n = readlink("/proc/self/exe", link, PATH_MAX);
  CHECK(n > 0);
  if (n <= 0) return;
  link[n] = '\0';
  CHECK(link[0] == '/');
  if (std::strchr(argv0, '/') != nullptr) {
    char real[PATH_MAX] = {};
    CHECK(realpath(argv0, real) != nullptr);
    CHECK(std::strcmp(real, link) == 0);
    if (std::strcmp(real, link) != 0)
      std::fprintf(stderr, "  readlink(/proc/self/exe)=%s realpath(argv[0])=%s\n", link, real);
  }
  struct stat a {}, b {};
  CHECK_OK(stat(link, &a));
  CHECK_OK(stat("/proc/self/exe", &b));
  CHECK(a.st_dev == b.st_dev && a.st_ino == b.st_ino);
}

void check_cmdline(int argc, char** argv) {
  std::string expected;
  for (int i = 0; i < argc; ++i) {
    expected += argv[i];
    expected += '\0';
  }
  const std::optional<std::string> got = read_file("/proc/self/cmdline");
  CHECK(got && *got == expected);
}

// Name/Pid/PPid/Tgid/Threads/Uid/Cpus_allowed(_list) against the syscalls.
void check_status(int expected_threads) {
  const std::vector<std::string> lines = status_lines_stdio("/proc/self/status");
  CHECK(!lines.empty());
  std::string text;
  for (const std::string& l : lines) text += l + "\n";
  CHECK(lines.size() > 0 && lines[0].rfind("Name:\t", 0) == 0);  // the first line, as on Linux

  const std::optional<std::string> name = status_field(text, "Name");
  CHECK(name && *name == prctl_name());
  const std::optional<std::string> pid = status_field(text, "Pid");
  CHECK(pid && std::atoi(pid->c_str()) == getpid());
  const std::optional<std::string> tgid = status_field(text, "Tgid");
  CHECK(tgid && std::atoi(tgid->c_str()) == getpid());
  const std::optional<std::string> ppid = status_field(text, "PPid");
  CHECK(ppid && std::atoi(ppid->c_str()) == getppid());
  const std::optional<std::string> threads = status_field(text, "Threads");
  CHECK(threads && std::atoi(threads->c_str()) == expected_threads);
  const std::optional<std::string> tracer = status_field(text, "TracerPid");
  CHECK(tracer && *tracer == "0");

  uid_t r, e, s;
  CHECK_OK(getresuid(&r, &e, &s));
  const std::optional<std::string> uid = status_field(text, "Uid");
  unsigned u[4] = {~0u, ~0u, ~0u, ~0u};
  CHECK(uid && std::sscanf(uid->c_str(), "%u\t%u\t%u\t%u", &u[0], &u[1], &u[2], &u[3]) == 4);
  CHECK(u[0] == r && u[1] == e && u[2] == s && u[3] == e);  // fsuid follows euid
  gid_t gr, ge, gs;
  CHECK_OK(getresgid(&gr, &ge, &gs));
  const std::optional<std::string> gid = status_field(text, "Gid");
  unsigned g[4] = {~0u, ~0u, ~0u, ~0u};
  CHECK(gid && std::sscanf(gid->c_str(), "%u\t%u\t%u\t%u", &g[0], &g[1], &g[2], &g[3]) == 4);
  CHECK(g[0] == gr && g[1] == ge && g[2] == gs && g[3] == ge);
  // "Groups:\t" then each group followed by a space.
  const std::optional<std::string> groups = status_field(text, "Groups");
  CHECK(groups && !groups->empty() && groups->back() == ' ');

  const std::set<int> aff = affinity_set();
  const std::optional<std::string> list = status_field(text, "Cpus_allowed_list");
  CHECK(list.has_value());
  const std::optional<std::set<int>> from_list = parse_cpu_list(list.value_or("x"));
  CHECK(from_list && *from_list == aff);
  const std::optional<std::string> mask = status_field(text, "Cpus_allowed");
  CHECK(mask.has_value());
  const std::optional<std::set<int>> from_mask = parse_cpu_mask(mask.value_or("x"));
  CHECK(from_mask && *from_mask == aff);
  // The mask is printed over nr_cpu_ids bits: one 8-digit chunk per 32
  // possible CPUs (the first one shorter).
  const long conf = sysconf(_SC_NPROCESSORS_CONF);
  CHECK(mask && static_cast<long>(mask->size()) <= (conf + 31) / 32 * 9 - 1);
}

// /proc/self/stat: pid (comm) state ppid ... num_threads ... processor.
void check_stat(int expected_threads) {
  const std::optional<std::string> s = read_file("/proc/self/stat");
  CHECK(s.has_value());
  if (!s) return;
  const std::size_t open = s->find('(');
  const std::size_t close_paren = s->rfind(')');
  CHECK(open != std::string::npos && close_paren != std::string::npos);
  if (open == std::string::npos || close_paren == std::string::npos) return;
  CHECK(std::atoi(s->c_str()) == getpid());
  CHECK(s->substr(open + 1, close_paren - open - 1) == prctl_name());
  std::istringstream in(s->substr(close_paren + 2));
  std::vector<std::string> f;
  for (std::string w; in >> w;) f.push_back(w);
  CHECK(f.size() == 50);  // fields 3..52
  if (f.size() < 50) return;
  CHECK(f[0].size() == 1 && std::strchr("RSD", f[0][0]) != nullptr);
  CHECK(std::atoi(f[1].c_str()) == getppid());
  CHECK(std::atoi(f[17].c_str()) == expected_threads);
  const int cpu = std::atoi(f[36].c_str());
  CHECK(affinity_set().count(cpu) == 1);
  CHECK(s->back() == '\n');
}

void check_limits() {
  const std::optional<std::string> s = read_file("/proc/self/limits");
  CHECK(s.has_value());
  if (!s) return;
  CHECK(s->rfind("Limit                     Soft Limit           Hard Limit           Units     \n",
                 0) == 0);
  struct rlimit rl {};
  CHECK_OK(getrlimit(RLIMIT_NOFILE, &rl));
  char expected[128];
  std::snprintf(expected, sizeof expected, "\nMax open files            %-20llu %-20llu files     \n",
                static_cast<unsigned long long>(rl.rlim_cur),
                static_cast<unsigned long long>(rl.rlim_max));
  CHECK(s->find(expected) != std::string::npos);
  int lines = 0;
  for (char c : *s) lines += c == '\n';
  CHECK(lines == 17);
}

void check_comm() {
  const std::optional<std::string> comm = read_file("/proc/self/comm");
  CHECK(comm && *comm == prctl_name() + "\n");
  CHECK_OK(prctl(PR_SET_NAME, "seed-files", 0, 0, 0));
  const std::optional<std::string> after = read_file("/proc/self/comm");
  CHECK(after && *after == "seed-files\n");
  const std::optional<std::string> status = read_file("/proc/self/status");
  CHECK(status && status_field(*status, "Name") == std::string("seed-files"));
  const std::optional<std::string> stat = read_file("/proc/self/stat");
  CHECK(stat && stat->find(" (seed-files) ") != std::string::npos);
}

void check_cgroup() {
  // One cgroup v2 line "0::<path>" (hosts with v1 hierarchies list more).
  const std::optional<std::string> s = read_file("/proc/self/cgroup");
  CHECK(s && (s->rfind("0::/", 0) == 0 || s->find("\n0::/") != std::string::npos));
}

void check_filesystems() {
  const std::optional<std::string> s = read_file("/proc/filesystems");
  CHECK(s && s->find("nodev\tproc\n") != std::string::npos);
  CHECK(s && s->find("nodev\tsysfs\n") != std::string::npos);
}

void check_overcommit() {
  const std::optional<std::string> s = read_file("/proc/sys/vm/overcommit_memory");
  CHECK(s && *s == "0\n");
}

std::optional<std::set<int>> online_cpus() {
  const std::optional<std::string> s = read_file("/sys/devices/system/cpu/online");
  if (!s) return std::nullopt;
  return parse_cpu_list(*s);
}

void check_sys_cpu() {
  const std::optional<std::set<int>> online = online_cpus();
  CHECK(online && !online->empty());
  if (!online) return;
  const long n = static_cast<long>(online->size());
  CHECK(sysconf(_SC_NPROCESSORS_ONLN) == n);
  // The affinity never names an offline CPU; unrestricted, it is all of them.
  const std::set<int> aff = affinity_set();
  bool subset = true;
  for (int c : aff) subset = subset && online->count(c) == 1;
  CHECK(subset);
  if (static_cast<long>(aff.size()) != n)
    std::printf("note: affinity restricted to %zu of %ld online CPUs\n", aff.size(), n);

  const std::optional<std::vector<Dirent>> entries = list_dir("/sys/devices/system/cpu");
  CHECK(entries.has_value());
  if (!entries) return;
  for (int c : *online) {
    const Dirent* d = find_entry(*entries, "cpu" + std::to_string(c));
    CHECK(d != nullptr);
    if (d) CHECK(d->type == DT_DIR || d->type == DT_UNKNOWN);
  }
  const Dirent* on = find_entry(*entries, "online");
  CHECK(on != nullptr);
  if (on) CHECK(on->type == DT_REG || on->type == DT_UNKNOWN);
  CHECK(find_entry(*entries, ".") != nullptr);
  CHECK(find_entry(*entries, "..") != nullptr);
  const std::optional<std::set<int>> possible =
      parse_cpu_list(read_file("/sys/devices/system/cpu/possible").value_or("x"));
  CHECK(possible && online->size() <= possible->size());
}

void check_dev() {
  const int r = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  CHECK(r >= 0);
  unsigned char buf[64] = {};
  CHECK(read(r, buf, sizeof buf) == static_cast<ssize_t>(sizeof buf));
  bool nonzero = false;
  for (unsigned char b : buf) nonzero = nonzero || b != 0;
  CHECK(nonzero);
  close(r);

  const int z = open("/dev/null", O_RDWR | O_CLOEXEC);
  CHECK(z >= 0);
  CHECK(read(z, buf, sizeof buf) == 0);
  CHECK(write(z, "hello", 5) == 5);
  close(z);
}

// A synthetic file behaves as the same file does on Linux: byte-wise reads
// give the whole content, lseek(0) rereads it, pread works, fstat says
// regular file, poll says readable. `volatile_prefixes` lists lines that may
// change between two reads.
// Whether a and b have the same stable lines; prints both when not.
bool same_stable(const std::string& a, const std::string& b, const std::vector<std::string>& volatile_prefixes) {
  const std::string sa = stable_lines(a, volatile_prefixes), sb = stable_lines(b, volatile_prefixes);
  if (sa == sb) return true;
  std::fprintf(stderr, "  --- read:\n%s  --- first read:\n%s", sa.c_str(), sb.c_str());
  return false;
}

void check_file_behaviour(const std::string& path, const std::vector<std::string>& volatile_prefixes,
                          bool bytewise = true) {
  const std::optional<std::string> full = read_file(path);
  CHECK(full && !full->empty());
  if (!full || full->empty()) {
    std::fprintf(stderr, "  (%s)\n", path.c_str());
    return;
  }
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  CHECK(fd >= 0);
  if (fd < 0) return;
  const int before = conformance::failures();

  if (bytewise) {
    std::string bytes;
    char c;
    ssize_t n;
    while ((n = read(fd, &c, 1)) == 1) bytes += c;
    CHECK(n == 0);
    CHECK(same_stable(bytes, *full, volatile_prefixes));
    CHECK(read(fd, &c, 1) == 0);  // still EOF
    CHECK(lseek(fd, 0, SEEK_SET) == 0);
  }
  char buf[65536];
  const ssize_t again = read(fd, buf, sizeof buf);
  CHECK(again > 0);
  if (again > 0) {
    const std::string s(buf, static_cast<std::size_t>(again));
    CHECK(same_stable(s, *full, volatile_prefixes));
  }
  if (bytewise && full->size() > 1) {
    const ssize_t p = pread(fd, buf, sizeof buf, 1);
    CHECK(p > 0);
    if (p > 0) {
      const std::string s(buf, static_cast<std::size_t>(p));
      CHECK(same_stable(s, full->substr(1), volatile_prefixes));
    }
  }
  struct stat st {};
  CHECK_OK(fstat(fd, &st));
  CHECK(S_ISREG(st.st_mode));
  // Linux: size 0 in /proc, 4096 in /sys. sentry's FUSE files say 0 in both
  // (docs/vfs.md: no page of them may be mappable).
  const off_t linux_size = path.rfind("/sys/", 0) == 0 ? 4096 : 0;
  CHECK(st.st_size == linux_size || st.st_size == 0);
  struct pollfd pfd = {fd, POLLIN, 0};
  CHECK(poll(&pfd, 1, 0) == 1);
  // No terminal; a process's /proc files cannot be watched with epoll (no
  // poll method: EPERM). (/proc's machine-wide files can on Linux, and
  // cannot under sentry: docs/vfs.md.)
  char termios_buf[64];
  CHECK_ERR(ioctl(fd, TCGETS, termios_buf), ENOTTY);
  if (path.rfind("/proc/self/", 0) == 0) {
    const int ep = epoll_create1(EPOLL_CLOEXEC);
    epoll_event ev{};
    ev.events = EPOLLIN;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev), EPERM);
    close(ep);
  }
  CHECK((pfd.revents & POLLIN) != 0);
  // sendfile as busybox's cat uses it: the content, an empty copy (Linux's
  // answer for a process's own files here) or EINVAL (sentry's for its FUSE
  // files, whose splice would end at their size 0); either way the caller
  // falls back to read, which the checks above cover. Nothing else, and no
  // hang (e2e.machine_model compares busybox cat's output).
  int pipefd[2];
  CHECK_OK(pipe(pipefd));
  CHECK(lseek(fd, 0, SEEK_SET) == 0);
  const ssize_t sent = sendfile(pipefd[1], fd, nullptr, 4096);
  const int sent_errno = errno;
  CHECK(sent >= 0 || sent_errno == EINVAL);
  close(pipefd[0]);
  close(pipefd[1]);
  close(fd);
  if (conformance::failures() != before) std::fprintf(stderr, "  (%s)\n", path.c_str());
}

// Threads: the count in status/stat, the task directory, per-thread comm and
// status (a thread's own Pid, the group's Tgid), renaming another thread
// through /proc/self/task/<tid>/comm (pthread_setname_np).
struct Parked {
  pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
  pid_t tid = 0;
  bool release = false;
};

void* parked_main(void* arg) {
  auto* p = static_cast<Parked*>(arg);
  prctl(PR_SET_NAME, "seed-worker", 0, 0, 0);
  pthread_mutex_lock(&p->mu);
  p->tid = gettid_raw();
  pthread_cond_broadcast(&p->cv);
  while (!p->release) pthread_cond_wait(&p->cv, &p->mu);
  pthread_mutex_unlock(&p->mu);
  return nullptr;
}

void check_threads() {
  Parked p;
  pthread_t th;
  CHECK(pthread_create(&th, nullptr, parked_main, &p) == 0);
  pthread_mutex_lock(&p.mu);
  while (p.tid == 0) pthread_cond_wait(&p.cv, &p.mu);
  pthread_mutex_unlock(&p.mu);

  check_status(2);
  check_stat(2);
  const std::optional<std::vector<Dirent>> tasks = list_dir("/proc/self/task");
  CHECK(tasks.has_value());
  if (tasks) {
    CHECK(find_entry(*tasks, std::to_string(getpid())) != nullptr);
    CHECK(find_entry(*tasks, std::to_string(p.tid)) != nullptr);
    CHECK(tasks->size() == 4);  // ".", "..", two threads
  }
  const std::string dir = "/proc/self/task/" + std::to_string(p.tid) + "/";
  CHECK(read_file(dir + "comm") == std::string("seed-worker\n"));
  const std::optional<std::string> st = read_file(dir + "status");
  CHECK(st.has_value());
  if (st) {
    CHECK(status_field(*st, "Name") == std::string("seed-worker"));
    CHECK(status_field(*st, "Pid") == std::to_string(p.tid));
    CHECK(status_field(*st, "Tgid") == std::to_string(getpid()));
    CHECK(status_field(*st, "Threads") == std::string("2"));
  }
  const std::optional<std::string> tstat = read_file(dir + "stat");
  CHECK(tstat && tstat->rfind(std::to_string(p.tid) + " (seed-worker) ", 0) == 0);
  // /proc/<tid> works for a non-leader thread too (not listed in /proc).
  const std::optional<std::string> by_tid = read_file("/proc/" + std::to_string(p.tid) + "/status");
  CHECK(by_tid && status_field(*by_tid, "Pid") == std::to_string(p.tid));
  // /proc/thread-self is the calling thread's task directory.
  const std::optional<std::string> self_thread = read_file("/proc/thread-self/status");
  CHECK(self_thread && status_field(*self_thread, "Pid") == std::to_string(gettid_raw()));

  // glibc renames another thread by writing its /proc/self/task/<tid>/comm.
  CHECK(pthread_setname_np(th, "renamed") == 0);
  CHECK(read_file(dir + "comm") == std::string("renamed\n"));
  char got[16] = {};
  CHECK(pthread_getname_np(th, got, sizeof got) == 0);
  CHECK(std::strcmp(got, "renamed") == 0);
  CHECK(read_file("/proc/self/comm") == prctl_name() + "\n");  // the caller is unchanged

  pthread_mutex_lock(&p.mu);
  p.release = true;
  pthread_cond_broadcast(&p.cv);
  pthread_mutex_unlock(&p.mu);
  CHECK(pthread_join(th, nullptr) == 0);
}

}  // namespace

int main(int argc, char** argv) {
  check_exe(argv[0]);
  check_cmdline(argc, argv);
  check_status(1);
  check_stat(1);
  check_limits();
  check_cgroup();
  check_filesystems();
  check_overcommit();
  check_sys_cpu();
  check_dev();
  check_comm();
  check_threads();

  // Threads: a thread pthread_join saw exit (its tid cleared) is counted
  // until it is released, later in its exit on Linux, once sentry reaped it
  // under sentry (ptrace makes sentry its reaper): check_threads's threads
  // may still be counted here.
  const std::vector<std::string> status_volatile = {
      "State:", "Vm", "Rss", "HugetlbPages:", "SigQ:", "voluntary_ctxt_switches:",
      "nonvoluntary_ctxt_switches:", "Threads:"};
  check_file_behaviour("/proc/self/status", status_volatile);
  check_file_behaviour("/proc/self/limits", {});
  check_file_behaviour("/proc/self/cmdline", {});
  check_file_behaviour("/proc/self/comm", {});
  check_file_behaviour("/proc/self/cgroup", {});
  check_file_behaviour("/proc/cpuinfo", {"cpu MHz"});
  check_file_behaviour("/proc/filesystems", {});
  check_file_behaviour("/proc/version", {});
  check_file_behaviour("/sys/devices/system/cpu/online", {});
  check_file_behaviour("/sys/devices/system/cpu/possible", {});
  // Integer sysctls answer EOF to any read at a nonzero offset on Linux
  // (proc_dointvec), so they are checked with whole reads only.
  check_file_behaviour("/proc/sys/vm/overcommit_memory", {}, /*bytewise=*/false);
  return conformance::finish();
}
