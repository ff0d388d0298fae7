// syscall_fuzzer: a guest that issues random system calls from the rows of
// abi/syscalls_x86_64.def that sentry itself handles (every SERVE other than
// kForward), with arguments from generators (its own fds and invalid ones,
// valid / unmapped / read-only / page-straddling / NULL pointers, odd lengths,
// random flag words, its own pids), while worker threads churn fds, fork
// children and retire. It records, per row, the calls issued and a histogram
// of errnos, and flags as "impossible" any errno outside 1..133 (512..530:
// kernel-internal ERESTART* leaking to user space).
//
// Standalone on purpose (no project headers): it runs natively as the
// reference and under `sentry run`. See README.md in this directory.
//
// Usage: syscall_fuzzer [--seed N] [--calls N] [--threads N]
//                       [--rows NAME,...] [--skip-rows NAME,...] [--no-events]
//                       [--trace] [--timer-ms N] [--kernel-bugs]
// Exit: 0 no impossible result, 1 at least one, 2 usage or setup error.
//
// Safety: it runs as root natively. Every call that could reach outside the
// process (host mounts, clock, hostname, network config, filesystems, other
// processes) is either skipped, confined to forked children, or given only
// arguments that fail before anything happens (nonexistent paths, invalid
// pointers, invalid magic/flags). Comments at each row say which.
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

namespace {

// ---------------------------------------------------------------------------
// The rows sentry handles itself: every row of abi/syscalls_x86_64.def that
// is not kForward (name, x86-64 number, SERVE, the errno a kDeny /
// kUnsupported row returns), read from the table itself, never copied.
enum Serve { kForward, kEmulate, kTranslate, kSupervise, kDeny, kUnsupported };
struct Row {
  const char* name;
  int nr;
  Serve serve;
  int err;
};
constexpr Row kAllRows[] = {
#define SYSCALL(name, nr, nr_aarch64, serve, err, ...) {#name, nr, serve, err},
#include "abi/syscalls_x86_64.def"
#undef SYSCALL
};
constexpr int kNumRows = [] {
  int n = 0;
  for (const Row& r : kAllRows) n += r.serve != kForward;
  return n;
}();
constexpr std::array<Row, kNumRows> kRows = [] {
  std::array<Row, kNumRows> out{};
  int i = 0;
  for (const Row& r : kAllRows)
    if (r.serve != kForward) out[i++] = r;
  return out;
}();

const char* serve_name(Serve s) {
  switch (s) {
    case kForward: return "kForward";
    case kEmulate: return "kEmulate";
    case kTranslate: return "kTranslate";
    case kSupervise: return "kSupervise";
    case kDeny: return "kDeny";
    case kUnsupported: return "kUnsupported";
  }
  return "?";
}


// ---------------------------------------------------------------------------
// Per-row policy. kMain: issued by worker threads (with the argument
// restrictions in build_call). kChild: only inside forked children (identity,
// namespaces, hangup). kSkip: never issued (would take the process or the
// host down whatever the arguments).
enum Policy { kMain, kChild, kSkip };
Policy policy_of(int nr) {
  switch (nr) {
    case 101:  // ptrace
    case 169:  // reboot
    case 425: case 426: case 427:  // io_uring_*
      return kSkip;
    case 105: case 106: case 113: case 114: case 116: case 117: case 119:  // set*id, setgroups
    case 126:  // capset
    case 153:  // vhangup (after setsid in the child: no controlling tty)
    case 272:  // unshare
    case 308:  // setns
      return kChild;
    default:
      return kMain;
  }
}

// ---------------------------------------------------------------------------
// Random numbers: splitmix64, one stream per worker (seed, serial) and per
// child (drawn from its parent's stream), so a thread's call sequence depends
// only on the seed and its serial number.
struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed = 0) : s(seed) {}
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t below(uint64_t n) { return n ? next() % n : 0; }
  bool one_in(uint64_t n) { return below(n) == 0; }
  template <class T, size_t N>
  T pick(const T (&a)[N]) { return a[below(N)]; }
};
uint64_t mix(uint64_t a, uint64_t b) {
  Rng r(a * 0x100000001b3ULL + b * 0x9e3779b97f4a7c15ULL + 0x1234567);
  r.next();
  return r.next();
}

// ---------------------------------------------------------------------------
// Options.
struct Options {
  uint64_t seed = 1;
  uint64_t calls = 100000;
  int threads = 8;
  bool events = true;  // churn fds, fork children, retire workers
  bool trace = false;  // one line per call on stderr
  int timer_ms = 50;   // a blocked call is interrupted (EINTR) after this
  bool kernel_bugs = false;  // also issue calls known to make Linux itself leak ERESTART*
  bool row_on[kNumRows];
};
Options g_opt;

// ---------------------------------------------------------------------------
// Results, in MAP_SHARED memory so that forked children count too.
constexpr int kMaxErrno = 133;
constexpr int kErrSlots = kMaxErrno + 2;  // [1..133], [134]: outside
struct RowStats {
  std::atomic<uint64_t> calls, ok, impossible;
  std::atomic<uint64_t> err[kErrSlots];
};
struct ImpRec {
  int row;
  int serial;
  int child;
  uint64_t callno;
  uint64_t args[6];
  long ret;
  int err;
};
constexpr int kMaxImp = 64;
struct Shared {
  RowStats rows[kNumRows];
  std::atomic<uint32_t> nimp;
  ImpRec imp[kMaxImp];
  std::atomic<uint64_t> forks, fork_failed, child_calls, child_abnormal, child_stuck;
  std::atomic<uint64_t> churns, retired, started, closed_ret, rights_closed;
  std::atomic<int> abnormal_status[8];
};
Shared* g_sh;

// ---------------------------------------------------------------------------
// Memory the generators point into. Every writable buffer handed to the
// kernel is followed by PROT_NONE pages, so a huge length can never make the
// kernel write past it into live memory.
constexpr size_t kPage = 4096;
constexpr uint32_t kW = 0xFFFFFFF0u;  // fill word of read-only data: as a
// netlink header, a length no message can have (nothing is processed); as a
// timespec/timeval, a negative value (invalid); as a size, huge.
constexpr size_t kRoLen = 2 * kPage;
uint8_t* g_ro;      // kRoLen bytes of kW, read-only, then PROT_NONE
uint8_t* g_none;    // 64 KiB PROT_NONE ("unmapped")
constexpr size_t kNoneLen = 65536;
uint8_t* g_futex;   // one private RW page shared by the threads (futex words)
uint8_t* g_shm;     // one MAP_SHARED page (futex words shared with children)
uint8_t* g_nl;      // 3 read-only pages: netlink GET dump requests
constexpr int kNlMsgs = 3;
size_t g_nl_len[kNlMsgs];

uint8_t* map_region(size_t rw, size_t guard, bool shared) {
  void* p = mmap(nullptr, rw + guard, PROT_READ | PROT_WRITE,
                 (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  if (guard && mprotect(static_cast<uint8_t*>(p) + rw, guard, PROT_NONE) != 0) return nullptr;
  return static_cast<uint8_t*>(p);
}

void fill_w(uint8_t* p, size_t n) {
  for (size_t i = 0; i + 4 <= n; i += 4) memcpy(p + i, &kW, 4);
}

// ---------------------------------------------------------------------------
// Per-thread context: its random stream, its buffers, its interrupt timer.
constexpr size_t kOut = 16384, kSt = 16384, kGuard = 16384;
constexpr size_t kCtxLen = kOut + kGuard + kSt + kGuard + kPage + kGuard;
struct Ctx {
  Rng r;
  int serial = 0;
  bool child = false;
  pid_t tid = 0;
  pid_t pid = 0;
  uint8_t* base = nullptr;
  uint8_t* out = nullptr;   // kOut bytes RW (kernel output), then guard
  uint8_t* st = nullptr;    // kSt bytes RW (structures we build), then guard
  uint8_t* edge = nullptr;  // one RW page, then guard: pointers near its end straddle
  size_t st_used = 0;
  int timer = -1;
  uint64_t callno = 0;
  uint64_t lifetime = 0;
};

bool ctx_map(Ctx& c) {
  uint8_t* b = map_region(kCtxLen, 0, false);
  if (!b) return false;
  c.base = b;
  c.out = b;
  c.st = b + kOut + kGuard;
  c.edge = c.st + kSt + kGuard;
  if (mprotect(b + kOut, kGuard, PROT_NONE) || mprotect(c.st + kSt, kGuard, PROT_NONE) ||
      mprotect(c.edge + kPage, kGuard, PROT_NONE))
    return false;
  return true;
}

void* salloc(Ctx& c, size_t n) {
  size_t off = (c.st_used + 15) & ~size_t(15);
  if (off + n > kSt / 2) off = 0;  // the upper half is for salloc_end
  c.st_used = off + n;
  memset(c.st + off, 0, n);
  return c.st + off;
}
// An array whose end is flush with the guard page: an element count larger
// than what we built makes the kernel fault (EFAULT) instead of reading stale
// memory.
void* salloc_end(Ctx& c, size_t n) {
  if (n > kSt / 2) n = kSt / 2;
  uint8_t* p = c.st + kSt - n;
  memset(p, 0, n);
  return p;
}

// ---------------------------------------------------------------------------
// The interrupt timer: a per-thread POSIX timer (SIGEV_THREAD_ID) armed
// around each call, repeating every --timer-ms until disarmed. Its handler does nothing and has no SA_RESTART, so a
// call that blocks longer than --timer-ms fails with EINTR.
int g_sig;
void on_timer(int) {}

bool timer_setup(Ctx& c) {
  struct sigevent sev;
  memset(&sev, 0, sizeof sev);
  sev.sigev_notify = SIGEV_THREAD_ID;
  sev.sigev_signo = g_sig;
  sev._sigev_un._tid = c.tid;
  int id = -1;
  if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &sev, &id) != 0) return false;
  c.timer = id;
  return true;
}
// Periodic while armed: a one-shot expiry could land between arming and the
// call (the thread preempted), and the call would then block for good.
void timer_arm(Ctx& c, int ms) {
  struct itimerspec its;
  memset(&its, 0, sizeof its);
  its.it_value.tv_sec = ms / 1000;
  its.it_value.tv_nsec = (ms % 1000) * 1000000L;
  its.it_interval = its.it_value;
  syscall(SYS_timer_settime, c.timer, 0, &its, nullptr);
}
void timer_disarm(Ctx& c) {
  struct itimerspec its;
  memset(&its, 0, sizeof its);
  syscall(SYS_timer_settime, c.timer, 0, &its, nullptr);
}

// ---------------------------------------------------------------------------
// Scratch directory (the working directory): every path that may be created,
// truncated or written lives here. Under /dev/shm (tmpfs) when writable.
char g_scratch[128];
constexpr int kNumPaths = 48;
char g_pathbuf[kNumPaths][160];
int g_npaths;
const char* add_path(const char* fmt, const char* a = "") {
  snprintf(g_pathbuf[g_npaths], sizeof g_pathbuf[0], fmt, a);
  return g_pathbuf[g_npaths++];
}
// Paths under the scratch directory (absolute and relative), and the host
// paths that are only ever opened read-only (/proc, which has no xattrs or
// file attributes to change).
const char* g_scratch_abs[8];
const char* g_scratch_rel[8];
const char* g_unix_abs[5];  // s0..s3, ul (the listener)
const char* g_host_ro[] = {"/proc/self/status", "/proc/self/maps", "/proc/self/stat",
                           "/proc/self",        "/proc/self/fd",   "/proc/cpuinfo",
                           "/proc/meminfo",     "/proc/stat",      "/proc/self/mountinfo"};
const char* const kNoSuchAbs = "/nonexistent-syscall-fuzzer/x";
const char* const kNoSuchRel = "nosuch/y";
pid_t g_main_pid;

// ---------------------------------------------------------------------------
// The fd pool: objects the fuzzer made itself, in slots that any thread may
// read at any time. A churn closes a group's fds (while other threads may be
// using them) and makes new ones.
enum Kind : uint8_t {
  kPipeR, kPipeW, kEventfd, kTcpListen, kTcpConn, kTcp6Listen, kTcp6, kUdp4, kUdp6,
  kUnixStream, kUnixDgram, kUnixSeq, kUnixListen, kNetlink, kEpoll, kMemfd, kFile, kDir
};
constexpr uint32_t M(Kind k) { return 1u << k; }
constexpr uint32_t kSockMask = M(kTcpListen) | M(kTcpConn) | M(kTcp6Listen) | M(kTcp6) | M(kUdp4) |
                               M(kUdp6) | M(kUnixStream) | M(kUnixDgram) | M(kUnixSeq) |
                               M(kUnixListen) | M(kNetlink);
struct Slot {
  std::atomic<int> fd{-1};
  Kind kind;
};
constexpr int kNumSlots = 29;
Slot g_slots[kNumSlots];
struct Group {
  int first, count;
  std::atomic_flag busy = ATOMIC_FLAG_INIT;
};
constexpr int kNumGroups = 15;
Group g_groups[kNumGroups] = {{0, 2}, {2, 2}, {4, 2}, {6, 3}, {9, 2}, {11, 2}, {13, 1}, {14, 2},
                              {16, 2}, {18, 2}, {20, 2}, {22, 1}, {23, 2}, {25, 2}, {27, 2}};
const Kind kSlotKinds[kNumSlots] = {
    kPipeR, kPipeW, kPipeR, kPipeW, kEventfd, kEventfd, kTcpListen, kTcpConn, kTcpConn,
    kTcp6Listen, kTcp6, kUdp4, kUdp4, kUdp6, kUnixStream, kUnixStream, kUnixDgram, kUnixDgram,
    kUnixSeq, kUnixSeq, kUnixListen, kUnixDgram, kNetlink, kEpoll, kEpoll, kMemfd, kMemfd,
    kFile, kDir};
std::atomic<int> g_port_tcp4{0}, g_port_tcp6{0}, g_port_udp4{0}, g_port_udp6{0};
// Numbers recently closed by churns (so "closed numbers" are realistic).
constexpr int kClosedRing = 16;
std::atomic<int> g_closed[kClosedRing];
std::atomic<unsigned> g_closed_pos{0};

int port_of(int fd) {
  struct sockaddr_storage ss;
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return 0;
  if (ss.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return 0;
}
void lo4(sockaddr_in* a, int port) {
  memset(a, 0, sizeof *a);
  a->sin_family = AF_INET;
  a->sin_port = htons(port);
  a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
}
void lo6(sockaddr_in6* a, int port) {
  memset(a, 0, sizeof *a);
  a->sin6_family = AF_INET6;
  a->sin6_port = htons(port);
  a->sin6_addr = in6addr_loopback;
}

// Makes the objects of group g (creation errors leave -1 in a slot).
void make_group(int g) {
  int f[3] = {-1, -1, -1};
  switch (g) {
    case 0: case 1: {
      int p[2];
      if (pipe2(p, O_CLOEXEC | (g == 1 ? O_NONBLOCK : 0)) == 0) { f[0] = p[0]; f[1] = p[1]; }
      break;
    }
    case 2:
      f[0] = eventfd(1, EFD_CLOEXEC);
      f[1] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE);
      break;
    case 3: {
      f[0] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      sockaddr_in a;
      lo4(&a, 0);
      if (f[0] >= 0 && bind(f[0], reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
          listen(f[0], 64) == 0) {
        int port = port_of(f[0]);
        g_port_tcp4 = port;
        lo4(&a, port);
        f[1] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (f[1] >= 0 && connect(f[1], reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
          fcntl(f[1], F_SETFL, O_NONBLOCK);
          for (int i = 0; i < 100 && f[2] < 0; i++) {
            f[2] = accept4(f[0], nullptr, nullptr, SOCK_CLOEXEC);
            if (f[2] < 0) usleep(1000);
          }
        }
      }
      break;
    }
    case 4: {
      f[0] = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
      sockaddr_in6 a;
      lo6(&a, 0);
      if (f[0] >= 0 && bind(f[0], reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
          listen(f[0], 16) == 0)
        g_port_tcp6 = port_of(f[0]);
      f[1] = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      break;
    }
    case 5: {
      sockaddr_in a;
      lo4(&a, 0);
      f[0] = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (f[0] >= 0 && bind(f[0], reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
        g_port_udp4 = port_of(f[0]);
        f[1] = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        lo4(&a, g_port_udp4);
        if (f[1] >= 0) connect(f[1], reinterpret_cast<sockaddr*>(&a), sizeof a);
      }
      break;
    }
    case 6: {
      sockaddr_in6 a;
      lo6(&a, 0);
      f[0] = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (f[0] >= 0 && bind(f[0], reinterpret_cast<sockaddr*>(&a), sizeof a) == 0)
        g_port_udp6 = port_of(f[0]);
      break;
    }
    case 7: case 8: case 9: {
      int type = g == 7 ? SOCK_STREAM : g == 8 ? SOCK_DGRAM | SOCK_NONBLOCK : SOCK_SEQPACKET;
      int p[2];
      if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, p) == 0) { f[0] = p[0]; f[1] = p[1]; }
      break;
    }
    case 10: {
      sockaddr_un a;
      memset(&a, 0, sizeof a);
      a.sun_family = AF_UNIX;
      snprintf(a.sun_path, sizeof a.sun_path, "%s", g_unix_abs[4]);
      unlink(a.sun_path);
      f[0] = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      if (f[0] >= 0 && bind(f[0], reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) listen(f[0], 8);
      f[1] = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      memset(&a, 0, sizeof a);
      a.sun_family = AF_UNIX;
      int n = snprintf(a.sun_path + 1, sizeof a.sun_path - 1, "sfz-%d-d", g_main_pid);
      if (f[1] >= 0) bind(f[1], reinterpret_cast<sockaddr*>(&a), offsetof(sockaddr_un, sun_path) + 1 + n);
      break;
    }
    case 11: {
      f[0] = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
      sockaddr_nl a;
      memset(&a, 0, sizeof a);
      a.nl_family = AF_NETLINK;
      if (f[0] >= 0) bind(f[0], reinterpret_cast<sockaddr*>(&a), sizeof a);
      break;
    }
    case 12: {
      f[0] = epoll_create1(EPOLL_CLOEXEC);
      f[1] = epoll_create1(EPOLL_CLOEXEC);
      for (int s : {0, 4, 6, 11, 14, 22}) {
        int fd = g_slots[s].fd.load();
        struct epoll_event ev;
        ev.events = EPOLLIN | EPOLLOUT;
        ev.data.u64 = s;
        if (f[0] >= 0 && fd >= 0) epoll_ctl(f[0], EPOLL_CTL_ADD, fd, &ev);
      }
      break;
    }
    case 13:
      f[0] = memfd_create("fuzz", MFD_CLOEXEC | MFD_ALLOW_SEALING);
      if (f[0] >= 0) ftruncate(f[0], 8192);
      f[1] = memfd_create("fuzz2", MFD_CLOEXEC);
      break;
    case 14:
      f[0] = open(g_scratch_abs[1], O_RDWR | O_CREAT | O_CLOEXEC | O_NONBLOCK, 0600);
      f[1] = open(g_scratch, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      break;
  }
  for (int i = 0; i < g_groups[g].count; i++) g_slots[g_groups[g].first + i].fd.store(f[i]);
}

// Closes fds the kernel returned to a call, or a pool slot's old fd: with
// the timer armed, so that a lingering socket cannot hold the thread.
void safe_close(Ctx* c, int fd) {
  if (fd < 3) return;
  if (c) timer_arm(*c, 200);
  close(fd);
  if (c) timer_disarm(*c);
}

void churn(Ctx& c) {
  int g = static_cast<int>(c.r.below(kNumGroups));
  Group& grp = g_groups[g];
  if (grp.busy.test_and_set()) return;
  for (int i = 0; i < grp.count; i++) {
    int old = g_slots[grp.first + i].fd.load();
    if (old >= 3) {
      safe_close(&c, old);
      g_closed[g_closed_pos.fetch_add(1) % kClosedRing].store(old);
    }
  }
  timer_arm(c, 500);
  make_group(g);
  timer_disarm(c);
  grp.busy.clear();
  g_sh->churns++;
}

bool is_pool_fd(long fd) {
  for (const Slot& s : g_slots)
    if (s.fd.load() == fd) return true;
  return false;
}


// ---------------------------------------------------------------------------
// Argument generators.
using u64 = uint64_t;
u64 P(const void* p) { return reinterpret_cast<u64>(p); }

// fds: the pool (optionally preferring some kinds), closed numbers, -1,
// 1<<20, never 0..2 (the fuzzer's stdio).
long gen_fd(Ctx& c, uint32_t prefer = 0) {
  if (prefer && c.r.below(100) < 60) {
    int cand[kNumSlots], n = 0;
    for (int i = 0; i < kNumSlots; i++)
      if (prefer & M(kSlotKinds[i])) cand[n++] = i;
    if (n) return g_slots[cand[c.r.below(n)]].fd.load();
  }
  uint64_t k = c.r.below(100);
  long fd;
  if (k < 72) fd = g_slots[c.r.below(kNumSlots)].fd.load();
  else if (k < 82) fd = g_closed[c.r.below(kClosedRing)].load();
  else if (k < 87) fd = -1;
  else if (k < 91) fd = 1 << 20;
  else if (k < 95) fd = 900 + static_cast<long>(c.r.below(100));
  else if (k < 97) fd = 0x7fffffff;
  else fd = static_cast<int>(c.r.next() | 0x80000000u);  // negative garbage
  if (fd >= 0 && fd <= 2) fd = -1;
  return fd;
}
long gen_dirfd(Ctx& c) {
  uint64_t k = c.r.below(100);
  if (k < 35) return AT_FDCWD;
  if (k < 60) return g_slots[28].fd.load();  // the scratch directory
  return gen_fd(c);
}
// A number that is not a live pool fd, for dup2/dup3 targets (plus pool fds:
// replacing an fd other threads use is part of the game).
long gen_newfd(Ctx& c, long oldfd) {
  switch (c.r.below(8)) {
    case 0: case 1: { long fd = g_slots[c.r.below(kNumSlots)].fd.load(); return fd >= 3 ? fd : 950; }
    case 2: return g_closed[c.r.below(kClosedRing)].load();
    case 3: return 900 + static_cast<long>(c.r.below(100));
    case 4: return -1;
    case 5: return 1 << 20;
    case 6: return oldfd;
    default: return 0x7fffffff;
  }
}

u64 bad_ptr(Ctx& c) {
  switch (c.r.below(5)) {
    case 0: return 0;
    case 1: return P(g_none) + (c.r.below(kNoneLen) & ~u64(7));
    case 2: return 0x10000 + 8 * c.r.below(4096);         // low, never mapped
    case 3: return 0xffff800000000000ULL + 8 * c.r.below(1 << 20);  // kernel half
    default: return 0x0000800000000000ULL + 8 * c.r.below(1 << 20); // non-canonical
  }
}
u64 unreadable_ptr(Ctx& c) {
  u64 p = bad_ptr(c);
  return p ? p : P(g_none);
}
// A pointer the kernel writes to: mostly our output buffer.
u64 out_ptr(Ctx& c, size_t sz = 64) {
  uint64_t k = c.r.below(100);
  if (k < 62) return P(c.out) + 8 * c.r.below(64);
  if (k < 70) return 0;
  if (k < 78) return P(g_ro) + 8 * c.r.below(64);  // read-only: EFAULT
  if (k < 90) {  // straddles into the guard page (or just fits)
    size_t lim = sz < 64 ? sz : 64;
    if (lim == 0) lim = 1;
    return P(c.edge) + kPage - (c.r.one_in(4) ? sz : 1 + c.r.below(lim));
  }
  return bad_ptr(c);
}
// A pointer the kernel reads data from (never memory the kernel writes to:
// sent bytes are always kW words or a netlink GET request).
u64 in_ptr(Ctx& c, size_t sz = 64) {
  uint64_t k = c.r.below(100);
  if (k < 62) return P(g_ro) + 8 * c.r.below(64);
  if (k < 70) return P(g_nl) + kPage * c.r.below(kNlMsgs);
  if (k < 78) return 0;
  if (k < 90) {
    size_t lim = sz < 64 ? sz : 64;
    if (lim == 0) lim = 1;
    return P(g_ro) + kRoLen - (c.r.one_in(4) ? sz : 1 + c.r.below(lim));
  }
  return bad_ptr(c);
}
// A structure we built: usually as is, sometimes replaced by a bad pointer
// or by read-only kW memory (to keep its contents safe, callers whose
// structure must never be read from kW use maybe_bad_only).
u64 maybe_bad(Ctx& c, void* built, size_t sz) {
  uint64_t k = c.r.below(100);
  if (k < 80) return P(built);
  if (k < 86) return P(g_ro) + 8 * c.r.below(64);
  if (k < 92) return P(g_ro) + kRoLen - 1 - c.r.below(sz ? sz : 1);  // straddles
  return bad_ptr(c);
}
u64 maybe_bad_only(Ctx& c, void* built, size_t sz) {
  uint64_t k = c.r.below(100);
  if (k < 80) return P(built);
  if (k < 88) return P(g_ro) + kRoLen - 1 - c.r.below(sz > 1 ? sz - 1 : 1);  // straddles: EFAULT
  return bad_ptr(c);
}
u64 gen_len(Ctx& c) {
  switch (c.r.below(10)) {
    case 0: return 0;
    case 1: case 2: case 3: return 1 + c.r.below(64);
    case 4: return 64 + c.r.below(512);
    case 5: return 4096;
    case 6: return 16384;
    case 7: return c.r.one_in(2) ? (1u << 20) : (1u << 30);
    case 8: { const u64 v[] = {0x7fffffff, 0x80000000, 0xffffffff}; return c.r.pick(v); }
    default: return c.r.one_in(2) ? ~u64(0) : (u64(1) << 62);
  }
}
// Random flag words: mostly 32-bit (nothing is mapped below 4 GiB, checked at
// start), so that a word the kernel takes as a pointer never reaches live memory.
u64 gen_flags(Ctx& c) {
  switch (c.r.below(9)) {
    case 0: return 0;
    case 1: return u64(1) << c.r.below(32);
    case 2: return (u64(1) << c.r.below(32)) | (u64(1) << c.r.below(32));
    case 3: return c.r.next() & 0xffffffffu;
    case 4: return c.r.below(16);
    case 5: return 0xffffffffu;
    case 6: return c.r.next() | 0x8000000000000000ULL;  // non-canonical as a pointer
    case 7: return c.r.next() & 0xfff;
    default: return c.r.below(256);
  }
}
// pids: self, own tids, 0, -1, huge. Never another process.
long gen_pid(Ctx& c) {
  switch (c.r.below(8)) {
    case 0: case 1: return 0;
    case 2: return c.pid;
    case 3: case 4: return c.tid;
    case 5: return -1;
    case 6: return 0x3fffffff;  // above pid_max
    default: return static_cast<long>(INT32_MIN);
  }
}
u64 gen_id(Ctx& c) {
  const u64 v[] = {0, 1, 65534, 1000, 0xffffffffu, 0x7fffffffu, 0xfffffffeu};
  return c.r.one_in(8) ? (c.r.next() & 0xffffffffu) : c.r.pick(v);
}

// Paths. host: a path outside the scratch directory (open flags are made
// read-only for those).
struct PathPick {
  u64 p;
  bool host;
};
PathPick gen_path(Ctx& c, bool allow_host = true) {
  uint64_t k = c.r.below(100);
  if (k < 34) return {P(g_scratch_abs[c.r.below(8)]), false};
  if (k < 58) return {P(g_scratch_rel[c.r.below(8)]), false};
  if (k < 74 && allow_host) return {P(g_host_ro[c.r.below(sizeof g_host_ro / sizeof *g_host_ro)]), true};
  if (k < 80) return {P(kNoSuchAbs), false};
  if (k < 84) return {P(""), false};
  if (k < 89) return {P(g_ro), false};  // unterminated: ENAMETOOLONG
  return {bad_ptr(c), false};
}
// A path for the calls that would change the host if it resolved (mount,
// chroot, pivot_root, swapon, acct, the mount API): never resolves.
u64 gen_dpath(Ctx& c, bool allow_null = true) {
  switch (c.r.below(7)) {
    case 0: case 1: return P(kNoSuchAbs);
    case 2: return P(kNoSuchRel);
    case 3: return P("");
    case 4: return P(g_ro);
    case 5: return P(g_ro) + kRoLen - 1 - c.r.below(16);  // straddles
    default: { u64 p = bad_ptr(c); return (p == 0 && !allow_null) ? P(g_none) : p; }
  }
}
u64 gen_open_flags(Ctx& c) {
  if (c.r.one_in(6)) return gen_flags(c);
  const u64 bits[] = {O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC, O_APPEND, O_NONBLOCK, O_DSYNC,
                      O_DIRECT, O_LARGEFILE, O_DIRECTORY, O_NOFOLLOW, O_NOATIME, O_CLOEXEC,
                      O_SYNC, O_PATH, O_TMPFILE};
  u64 f = c.r.below(4);  // O_RDONLY, O_WRONLY, O_RDWR, 3
  int n = static_cast<int>(c.r.below(4));
  for (int i = 0; i < n; i++) f |= c.r.pick(bits);
  return f;
}
u64 host_safe_open_flags(u64 f) {
  return f & ~u64(O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND | __O_TMPFILE);
}

// Socket addresses. Destinations are always loopback (or our own unix paths,
// abstract names and netlink port ids, with no multicast group); bind
// addresses are loopback/any with port 0 or a fixed range.
struct Addr {
  u64 p;
  u64 len;
};
int gen_port(Ctx& c) {
  switch (c.r.below(6)) {
    case 0: return 0;
    case 1: return g_port_tcp4.load();
    case 2: return g_port_tcp6.load();
    case 3: return g_port_udp4.load();
    case 4: return g_port_udp6.load();
    default: return 47000 + static_cast<int>(c.r.below(32));
  }
}
Addr gen_sockaddr(Ctx& c, bool bind_mode) {
  uint8_t* b = static_cast<uint8_t*>(salloc(c, 128));
  u64 exact = 16;
  switch (c.r.below(9)) {
    case 0: case 1: {  // AF_INET (and AF_UNSPEC with a loopback address)
      sockaddr_in* a = reinterpret_cast<sockaddr_in*>(b);
      lo4(a, gen_port(c));
      if (c.r.one_in(4)) a->sin_addr.s_addr = htonl(c.r.one_in(2) ? INADDR_ANY : 0x7f000002);
      if (c.r.one_in(8)) a->sin_family = AF_UNSPEC;
      exact = sizeof *a;
      break;
    }
    case 2: case 3: {
      sockaddr_in6* a = reinterpret_cast<sockaddr_in6*>(b);
      lo6(a, gen_port(c));
      if (c.r.one_in(4)) a->sin6_addr = in6addr_any;
      if (c.r.one_in(6)) { a->sin6_addr.s6_addr[10] = 0xff; a->sin6_addr.s6_addr[11] = 0xff;
                           a->sin6_addr.s6_addr[12] = 127; a->sin6_addr.s6_addr[15] = 1;
                           a->sin6_addr.s6_addr[13] = a->sin6_addr.s6_addr[14] = 0; }
      if (c.r.one_in(8)) a->sin6_scope_id = static_cast<uint32_t>(c.r.below(4));
      exact = sizeof *a;
      break;
    }
    case 4: case 5: {  // AF_UNIX: our paths, abstract names, autobind
      sockaddr_un* a = reinterpret_cast<sockaddr_un*>(b);
      a->sun_family = AF_UNIX;
      uint64_t k = c.r.below(7);
      if (k < 3) {
        // Relative names (the working directory is the scratch directory): a
        // short addrlen binds a prefix of the name, which must stay inside.
        static const char* const rel[] = {"s0", "s1", "s2", "s3", "ul"};
        const char* p = bind_mode ? rel[c.r.below(4)] : rel[c.r.below(5)];
        snprintf(a->sun_path, sizeof a->sun_path, "%s", p);
        exact = offsetof(sockaddr_un, sun_path) + strlen(p) + 1;
      } else if (k < 4) {
        // Absolute paths: never shorter than the whole name (a prefix of
        // /dev/shm/... would be a file outside the scratch directory).
        const char* p = bind_mode ? g_unix_abs[c.r.below(4)] : g_unix_abs[c.r.below(5)];
        snprintf(a->sun_path, sizeof a->sun_path, "%s", p);
        exact = offsetof(sockaddr_un, sun_path) + strlen(p) + 1;
        u64 len = c.r.one_in(3) ? exact + c.r.below(sizeof(sockaddr_un) - exact + 1) : exact;
        return {maybe_bad_only(c, b, exact), len};
      } else if (k < 6) {
        int n = snprintf(a->sun_path + 1, sizeof a->sun_path - 1, "sfz-%d-%c", g_main_pid,
                         "abcd"[c.r.below(4)]);
        exact = offsetof(sockaddr_un, sun_path) + 1 + n;
      } else {
        exact = sizeof(sa_family_t);  // autobind / unnamed
      }
      break;
    }
    case 6: {  // AF_NETLINK
      sockaddr_nl* a = reinterpret_cast<sockaddr_nl*>(b);
      a->nl_family = AF_NETLINK;
      const uint32_t pids[] = {0, static_cast<uint32_t>(g_main_pid), 0x3fffffff};
      a->nl_pid = c.r.pick(pids);
      a->nl_groups = bind_mode ? static_cast<uint32_t>(c.r.next()) : 0;
      exact = sizeof *a;
      break;
    }
    case 7: {  // garbage family, zero address bytes
      const uint16_t fams[] = {0xffff, 46, 99, 255, 1000};
      uint16_t fam = c.r.pick(fams);
      memcpy(b, &fam, 2);
      exact = 16 + c.r.below(100);
      break;
    }
    default:
    { const u64 lens[] = {0, 2, 16, 28, 110, 128}; return {in_ptr(c, 16), c.r.pick(lens)}; }
  }
  u64 len = exact;
  switch (c.r.below(10)) {
    case 0: len = c.r.below(exact + 1); break;           // short
    case 1: len = exact + c.r.below(128 - exact + 1); break;  // long but inside
    case 2: len = c.r.one_in(2) ? 0x7fffffff : ~u64(0); break;
    default: break;
  }
  return {maybe_bad(c, b, exact), len};
}
u64 gen_socklen_ptr(Ctx& c) {
  int* p = static_cast<int*>(salloc(c, 8));
  const int v[] = {128, 128, 16, 28, 0, 1, -1, 0x7fffffff, 110};
  *p = c.r.pick(v);
  return maybe_bad_only(c, p, 4);
}
u64 gen_msg_flags(Ctx& c, bool send) {
  u64 f = c.r.below(10) < 7 ? MSG_DONTWAIT : 0;
  const u64 sb[] = {MSG_NOSIGNAL, MSG_OOB, MSG_MORE, MSG_CONFIRM, MSG_EOR, MSG_FASTOPEN, 0x4000000 /*ZEROCOPY*/};
  const u64 rb[] = {MSG_PEEK, MSG_TRUNC, MSG_WAITALL, MSG_ERRQUEUE, MSG_OOB, MSG_CMSG_CLOEXEC};
  int n = static_cast<int>(c.r.below(3));
  for (int i = 0; i < n; i++) f |= send ? c.r.pick(sb) : c.r.pick(rb);
  if (c.r.one_in(12)) f |= gen_flags(c) & 0xffffffffu;
  return f;
}
// A timespec: zero, short, invalid, negative, or a bad pointer; NULL (wait
// forever, the interrupt timer ends it) when null_ok.
u64 gen_timespec(Ctx& c, bool null_ok, bool absolute = false, clockid_t clk = CLOCK_MONOTONIC) {
  if (null_ok && c.r.one_in(5)) return 0;
  timespec* ts = static_cast<timespec*>(salloc(c, sizeof(timespec)));
  switch (c.r.below(6)) {
    case 0: ts->tv_sec = 0; ts->tv_nsec = 0; break;
    case 1: case 2: ts->tv_sec = 0; ts->tv_nsec = 1000000; break;
    case 3: ts->tv_sec = 0; ts->tv_nsec = 1000000000L + 5; break;
    case 4: ts->tv_sec = -1; ts->tv_nsec = 0; break;
    default: ts->tv_sec = 0; ts->tv_nsec = static_cast<long>(c.r.below(20000000)); break;
  }
  if (absolute && ts->tv_sec >= 0 && ts->tv_nsec < 1000000000L) {
    timespec now;
    clock_gettime(clk, &now);
    ts->tv_sec += now.tv_sec;
    ts->tv_nsec += now.tv_nsec;
    if (ts->tv_nsec >= 1000000000L) { ts->tv_sec++; ts->tv_nsec -= 1000000000L; }
  }
  return maybe_bad(c, ts, sizeof *ts);
}
// A futex word: shared among the threads, shared with children, private,
// misaligned, read-only, NULL, unmapped.
u64 gen_uaddr(Ctx& c) {
  switch (c.r.below(10)) {
    case 0: case 1: case 2: return P(g_futex) + 4 * c.r.below(16);
    case 3: case 4: return P(g_shm) + 4 * c.r.below(16);
    case 5: return P(c.out) + 4 * c.r.below(16);
    case 6: return P(g_futex) + 1 + 4 * c.r.below(4);
    case 7: return P(g_ro);
    default: return bad_ptr(c);
  }
}
uint32_t peek_u32(u64 a) {
  // Only for addresses inside our own RW/RO areas.
  if ((a >= P(g_futex) && a + 4 <= P(g_futex) + kPage) || (a >= P(g_shm) && a + 4 <= P(g_shm) + kPage) ||
      (a >= P(g_ro) && a + 4 <= P(g_ro) + kRoLen)) {
    uint32_t v;
    __atomic_load(reinterpret_cast<uint32_t*>(a & ~u64(3)), &v, __ATOMIC_RELAXED);
    return v;
  }
  return 0;
}

// ---------------------------------------------------------------------------
// One call: number, arguments and what to do with the result.
enum Post { kPostNone, kPostCloseRet, kPostDup, kPostRecvmsg, kPostRecvmmsg, kPostPidfd };
struct Call {
  int row;
  long nr;
  u64 a[6];
  Post post;
  u64 aux;
};

// Builds msghdr for sendmsg (names, iovecs and control are ours; data is kW
// or a netlink GET request) or recvmsg (buffers in our output area).
msghdr* build_msghdr(Ctx& c, bool send, msghdr* m) {
  if (c.r.below(10) < 7) {
    Addr a = send ? gen_sockaddr(c, false) : Addr{out_ptr(c, 128), 128};
    m->msg_name = reinterpret_cast<void*>(a.p);
    m->msg_namelen = static_cast<socklen_t>(a.len);
    if (c.r.one_in(2)) { m->msg_name = nullptr; m->msg_namelen = 0; }
  }
  int n = static_cast<int>(c.r.below(4));
  iovec* iov = static_cast<iovec*>(salloc(c, sizeof(iovec) * 4));
  for (int i = 0; i < n; i++) {
    iov[i].iov_base = reinterpret_cast<void*>(send ? in_ptr(c, 512) : out_ptr(c, 512));
    const u64 lens[] = {0, 1, 16, 512, 4096, 8192, 65536, 0x7fffffff};
    iov[i].iov_len = c.r.pick(lens);
  }
  m->msg_iov = reinterpret_cast<iovec*>(maybe_bad_only(c, iov, sizeof(iovec)));
  const u64 iovlens[] = {0, 1, 2, 3, 1025, 0x7fffffff};
  m->msg_iovlen = c.r.one_in(6) ? c.r.pick(iovlens) : static_cast<u64>(n);
  if (m->msg_iovlen > 4 && m->msg_iovlen <= 1024) m->msg_iovlen = n;
  if (c.r.one_in(3)) {
    if (send) {
      uint8_t* cb = static_cast<uint8_t*>(salloc(c, 128));
      cmsghdr* h = reinterpret_cast<cmsghdr*>(cb);
      switch (c.r.below(4)) {
        case 0: {  // SCM_RIGHTS with pool fds
          int nf = 1 + static_cast<int>(c.r.below(3));
          h->cmsg_level = SOL_SOCKET;
          h->cmsg_type = SCM_RIGHTS;
          h->cmsg_len = CMSG_LEN(sizeof(int) * nf);
          for (int i = 0; i < nf; i++) {
            int fd = static_cast<int>(gen_fd(c));
            memcpy(CMSG_DATA(h) + i * sizeof(int), &fd, sizeof fd);
          }
          m->msg_controllen = CMSG_SPACE(sizeof(int) * nf);
          break;
        }
        case 1: {  // SCM_CREDENTIALS
          h->cmsg_level = SOL_SOCKET;
          h->cmsg_type = SCM_CREDENTIALS;
          h->cmsg_len = CMSG_LEN(sizeof(ucred));
          ucred u = {c.r.one_in(2) ? c.pid : static_cast<pid_t>(gen_pid(c)), 0, 0};
          memcpy(CMSG_DATA(h), &u, sizeof u);
          m->msg_controllen = CMSG_SPACE(sizeof(ucred));
          break;
        }
        case 2: {  // IP_TTL / garbage level (never IPv6 routing headers)
          h->cmsg_level = c.r.one_in(2) ? IPPROTO_IP : 0x7777;
          h->cmsg_type = c.r.one_in(2) ? IP_TTL : static_cast<int>(c.r.below(8));
          h->cmsg_len = CMSG_LEN(sizeof(int));
          int v = 1 + static_cast<int>(c.r.below(255));
          memcpy(CMSG_DATA(h), &v, sizeof v);
          m->msg_controllen = CMSG_SPACE(sizeof(int));
          break;
        }
        default:  // malformed lengths
          h->cmsg_level = SOL_SOCKET;
          h->cmsg_type = SCM_RIGHTS;
          h->cmsg_len = c.r.pick((const size_t[]){0, 1, 200, 0x7fffffff});
          m->msg_controllen = c.r.pick((const size_t[]){8, 16, 128});
          break;
      }
      m->msg_control = reinterpret_cast<void*>(maybe_bad_only(c, cb, 16));
    } else {
      m->msg_control = reinterpret_cast<void*>(c.r.below(10) < 8 ? P(c.out + 8192) : out_ptr(c, 64));
      const size_t cl[] = {0, 16, 64, 256, 4096, 0x7fffffff};
      m->msg_controllen = c.r.pick(cl);
      if (m->msg_control == reinterpret_cast<void*>(c.out + 8192) && m->msg_controllen > 4096)
        m->msg_controllen = 4096;
    }
  }
  m->msg_flags = static_cast<int>(gen_flags(c));
  return m;
}

// Closes the fds an SCM_RIGHTS message installed (only when the control
// buffer is the one in our output area).
void close_rights(Ctx& c, msghdr* m) {
  if (m->msg_control != reinterpret_cast<void*>(c.out + 8192)) return;
  if (m->msg_controllen > 4096 || m->msg_controllen < sizeof(cmsghdr)) return;
  for (cmsghdr* h = CMSG_FIRSTHDR(m); h; h = CMSG_NXTHDR(m, h)) {
    if (h->cmsg_len < CMSG_LEN(0) || h->cmsg_len > m->msg_controllen) break;
    if (h->cmsg_level == SOL_SOCKET && (h->cmsg_type == SCM_RIGHTS || h->cmsg_type == 4 /*SCM_PIDFD*/)) {
      size_t n = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < n; i++) {
        int fd;
        memcpy(&fd, CMSG_DATA(h) + i * sizeof(int), sizeof fd);
        if (fd >= 3 && !is_pool_fd(fd)) { safe_close(&c, fd); g_sh->rights_closed++; }
      }
    }
  }
}

// ioctl requests: read-mostly ones of the kinds our fds have, and random
// numbers of type 0 (nothing dangerous is numbered there). Never SIOCS*
// (interface/route changes), terminal, FIFREEZE/FITRIM ('X'), filesystem
// label/UUID/resize ioctls.
const u64 kIoctls[] = {
    0x541B, 0x5421, 0x5451, 0x5450, 0x5452, 0x5460, 0x5401, 0x5413, 0x540F, 0x5411, 0x5429,
    0x80045430, 0x8912, 0x8913, 0x8915, 0x8933, 0x8910, 0x8921, 0x8927, 0x8905, 0x8906, 0x8907,
    0x894B, 0x891b, 0x8919, 0x8917, 0x891d, 0x8942, 0x8970, 0x8904, 0x8903, 0x8938,
    0x80086601, 0x40086602, 0x80087601, 0x801c581f, 0x80088a02, 0x40088a01, 0xb701, 0xb702,
    0xc050ff0b, 1, 2};
// fcntl commands (F_SETSIG and F_SETOWN get restricted arguments).
const long kFcntls[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15, 16, 17, 36, 37, 38, 1024, 1025,
                        1026, 1027, 1028, 1029, 1030, 1031, 1032, 1033, 1034, 1035, 1036, 1037,
                        1038, 1039, 1040, 12, 13, 14, 1041, 0x7fffffff, -1};
// prctl options allowed in the worker threads. Left out: PDEATHSIG(1),
// DUMPABLE(4), SECCOMP(22), CAPBSET_DROP(24), SET_TSC(26), SECUREBITS(28),
// SET_MM(35), CHILD_SUBREAPER(36), NO_NEW_PRIVS(38), SYSCALL_USER_DISPATCH(59),
// MDWE(65), shadow stack(75,76), TIMER_CREATE_RESTORE_IDS(77), SET_VMA.
const long kPrctls[] = {2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 19, 20, 21, 23, 25, 27,
                        29, 30, 31, 32, 33, 34, 37, 39, 40, 41, 42, 43, 44, 47, 50, 51, 52, 53, 54,
                        55, 56, 57, 58, 62, 66, 67, 68, 74, 78, 0x41555856, 0x59616d61, 1000, 0, -1};
const long kPrctlsChild[] = {24, 28, 77};

bool build_call(Ctx& c, int row, Call& k) {
  Rng& r = c.r;
  c.st_used = 0;
  k.row = row;
  k.nr = kRows[row].nr;
  k.post = kPostNone;
  k.aux = 0;
  u64* a = k.a;
  for (int i = 0; i < 6; i++) a[i] = gen_flags(c);  // registers the call does not read
  switch (k.nr) {
    case 2: {  // open
      PathPick p = gen_path(c);
      a[0] = p.p;
      a[1] = gen_open_flags(c);
      if (p.host) a[1] = host_safe_open_flags(a[1]);
      a[2] = r.below(01000);
      k.post = kPostCloseRet;
      break;
    }
    case 16: {  // ioctl
      a[0] = gen_fd(c);
      if (r.below(10) < 8) {
        a[1] = r.pick(kIoctls);
      } else {
        a[1] = (r.below(4) << 30) | (r.below(1 << 14) << 16) | r.below(256);  // type 0
      }
      switch (r.below(8)) {
        case 0: a[2] = in_ptr(c, 40); break;
        case 1: a[2] = r.below(3); break;
        case 2: a[2] = bad_ptr(c); break;
        default: a[2] = out_ptr(c, 40); break;
      }
      if (a[1] == 0x8912) {  // SIOCGIFCONF reads a pointer: always one we built
        struct ifc { int len; int pad; uint64_t buf; };
        ifc* f = static_cast<ifc*>(salloc(c, sizeof(ifc)));
        f->len = r.pick((const int[]){0, 40, 400, 4096, -1});
        f->buf = out_ptr(c, 400);
        a[2] = maybe_bad_only(c, f, sizeof *f);
      }
      break;
    }
    case 32: a[0] = gen_fd(c); k.post = kPostCloseRet; break;  // dup
    case 33:  // dup2
      a[0] = gen_fd(c);
      a[1] = gen_newfd(c, static_cast<long>(a[0]));
      k.post = kPostDup;
      break;
    case 292:  // dup3
      a[0] = gen_fd(c);
      a[1] = gen_newfd(c, static_cast<long>(a[0]));
      a[2] = r.pick((const u64[]){0, O_CLOEXEC, O_CLOEXEC, 1, 0x80000000u});
      k.post = kPostDup;
      break;
    case 41: {  // socket: families that stay on this host (no packet, key, bluetooth, ...)
      const long doms[] = {AF_UNIX, AF_INET, AF_INET, AF_INET6, AF_INET6, AF_NETLINK, AF_UNSPEC, 46, 60, -1, 1000};
      long d = r.pick(doms);
      const long types[] = {SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET, SOCK_RDM, SOCK_PACKET, 0, 7, 11};
      u64 t = r.pick(types);
      if (r.one_in(2)) t |= SOCK_NONBLOCK;
      if (r.one_in(2)) t |= SOCK_CLOEXEC;
      if (r.one_in(10)) t |= gen_flags(c) & 0xffffffffu;
      long proto = 0;
      if (d == AF_INET || d == AF_INET6) {
        const long ps[] = {0, 0, IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6, IPPROTO_RAW, 132, 136, 262, 1000, -1};
        proto = r.pick(ps);
      } else if (d == AF_NETLINK) {
        const long ps[] = {NETLINK_ROUTE, NETLINK_ROUTE, 25, 31, 32, 1000, -1};
        proto = r.pick(ps);
      } else {
        proto = r.one_in(2) ? 0 : static_cast<long>(gen_flags(c) & 0xffffffffu);
      }
      a[0] = d; a[1] = t; a[2] = proto;
      k.post = kPostCloseRet;
      break;
    }
    case 42: case 49: {  // connect, bind
      a[0] = gen_fd(c, kSockMask);
      Addr ad = gen_sockaddr(c, k.nr == 49);
      a[1] = ad.p; a[2] = ad.len;
      break;
    }
    case 43: case 288:  // accept, accept4
      a[0] = gen_fd(c, M(kTcpListen) | M(kTcp6Listen) | M(kUnixListen));
      a[1] = out_ptr(c, 128);
      a[2] = gen_socklen_ptr(c);
      if (k.nr == 288) a[3] = r.pick((const u64[]){0, SOCK_NONBLOCK, SOCK_CLOEXEC, SOCK_NONBLOCK | SOCK_CLOEXEC, 1, 0x80000000u});
      k.post = kPostCloseRet;
      break;
    case 44: {  // sendto
      a[0] = gen_fd(c, kSockMask);
      u64 kind = r.below(10);
      if (kind < 2) {  // a netlink GET dump request
        int m = static_cast<int>(r.below(kNlMsgs));
        a[1] = P(g_nl) + kPage * m;
        a[2] = r.one_in(4) ? r.below(64) : g_nl_len[m];
      } else {
        a[1] = in_ptr(c, 512);
        a[2] = r.one_in(3) ? gen_len(c) : 1 + r.below(1024);
      }
      a[3] = gen_msg_flags(c, true);
      if (r.below(10) < 6) { a[4] = 0; a[5] = 0; }
      else { Addr ad = gen_sockaddr(c, false); a[4] = ad.p; a[5] = ad.len; }
      break;
    }
    case 45:  // recvfrom
      a[0] = gen_fd(c, kSockMask);
      a[1] = out_ptr(c, 4096);
      a[2] = r.one_in(3) ? gen_len(c) : 1 + r.below(4096);
      a[3] = gen_msg_flags(c, false);
      if (r.one_in(2)) { a[4] = 0; a[5] = 0; }
      else { a[4] = out_ptr(c, 128); a[5] = gen_socklen_ptr(c); }
      break;
    case 46: case 47: {  // sendmsg, recvmsg
      bool send = k.nr == 46;
      a[0] = gen_fd(c, kSockMask);
      msghdr* m = build_msghdr(c, send, static_cast<msghdr*>(salloc(c, sizeof(msghdr))));
      a[1] = send ? maybe_bad(c, m, sizeof *m) : maybe_bad_only(c, m, sizeof *m);
      a[2] = gen_msg_flags(c, send);
      if (!send && a[1] == P(m)) { k.post = kPostRecvmsg; k.aux = P(m); }
      break;
    }
    case 299: case 307: {  // recvmmsg, sendmmsg
      bool send = k.nr == 307;
      a[0] = gen_fd(c, kSockMask);
      int n = 1 + static_cast<int>(r.below(4));
      mmsghdr* v = static_cast<mmsghdr*>(salloc_end(c, sizeof(mmsghdr) * n));
      for (int i = 0; i < n; i++) {
        msghdr tmp;
        memset(&tmp, 0, sizeof tmp);
        build_msghdr(c, send, &tmp);
        v[i].msg_hdr = tmp;
        v[i].msg_len = 0;
      }
      a[1] = maybe_bad_only(c, v, sizeof(mmsghdr));
      const u64 vl[] = {0, 1, 2, 3, 4, 5, 1024, 1025, 0xffffffffu};
      a[2] = r.one_in(3) ? r.pick(vl) : static_cast<u64>(n);
      a[3] = gen_msg_flags(c, send);
      if (!send) {
        // Linux's do_recvmmsg() keeps an error that follows >= 1 received
        // datagram in sk->sk_err for the next call, -ERESTARTSYS included: a
        // signal while it waits for datagram 2 makes the socket's next call
        // return errno 512 (natively too; see README.md). MSG_WAITFORONE
        // turns on MSG_DONTWAIT after the first datagram, so that wait never
        // happens (--kernel-bugs leaves it to chance).
        if (!(a[3] & MSG_DONTWAIT) && !g_opt.kernel_bugs) a[3] |= MSG_WAITFORONE;
        a[4] = gen_timespec(c, true);
        if (a[1] == P(v)) { k.post = kPostRecvmmsg; k.aux = P(v) | (u64(n) << 56); }
      }
      break;
    }
    case 51: case 52:  // getsockname, getpeername
      a[0] = gen_fd(c, kSockMask);
      a[1] = out_ptr(c, 128);
      a[2] = gen_socklen_ptr(c);
      break;
    case 54: case 55: {  // setsockopt, getsockopt
      a[0] = gen_fd(c, kSockMask);
      const long levels[] = {SOL_SOCKET, SOL_SOCKET, SOL_SOCKET, IPPROTO_IP, IPPROTO_TCP,
                             IPPROTO_UDP, IPPROTO_IPV6, 270 /*SOL_NETLINK*/, 255 /*SOL_RAW*/,
                             58 /*ICMPV6*/, 1 /*SOL_SOCKET*/, 0x7fff, -1};
      long level = r.pick(levels);
      long opt = r.one_in(8) ? static_cast<long>(gen_flags(c) & 0xffffffffu) : static_cast<long>(r.below(80));
      a[1] = level; a[2] = opt;
      if (k.nr == 55) {
        a[3] = out_ptr(c, 256);
        a[4] = gen_socklen_ptr(c);
        if (level == SOL_SOCKET && opt == 77 /*SO_PEERPIDFD*/) { k.post = kPostPidfd; k.aux = a[3]; }
        break;
      }
      // TCP_FASTOPEN_KEY on a non-listening socket sets the network
      // namespace's key: never.
      if (level == IPPROTO_TCP && opt == 33) a[2] = opt = 34;
      bool inet = level == IPPROTO_IP || level == IPPROTO_IPV6;
      // Netfilter (iptables/ip6tables/arptables/ebtables replace), multicast
      // routing and IPVS live at optnames >= 64 of SOL_IP/SOL_IPV6: never.
      if (inet && (opt >= 64 || opt < 0)) a[2] = opt = r.below(64);
      uint8_t* v = static_cast<uint8_t*>(salloc(c, 64));
      for (int i = 0; i < 64; i++) v[i] = static_cast<uint8_t>(r.next());
      int iv = r.pick((const int[]){0, 1, 2, 64, 1024, -1, 65536});
      memcpy(v, &iv, sizeof iv);
      a[3] = maybe_bad(c, v, 16);
      const u64 lens[] = {4, 4, 8, 16, 0, 1, 64, 0xffffffffu, 0x7fffffff};
      a[4] = r.pick(lens);
      if (level == SOL_SOCKET && opt == SO_LINGER) {  // at most 1 s of linger
        struct linger* l = static_cast<struct linger*>(salloc(c, sizeof(struct linger)));
        l->l_onoff = static_cast<int>(r.below(2));
        l->l_linger = static_cast<int>(r.below(2));
        a[3] = maybe_bad_only(c, l, sizeof *l);
      }
      if (level == SOL_SOCKET && (opt == SO_SNDBUF || opt == SO_RCVBUF || opt == SO_SNDBUFFORCE || opt == SO_RCVBUFFORCE)) {
        int* b = static_cast<int*>(salloc(c, 8));
        *b = r.pick((const int[]){0, 1024, 65536, 1 << 20, -1});
        a[3] = maybe_bad_only(c, b, 4);
      }
      // IP options and IPv6 extension headers (source routes): never our bytes.
      if ((level == IPPROTO_IP && opt == IP_OPTIONS) ||
          (level == IPPROTO_IPV6 && (opt == 5 || opt == 54 || opt == 55 || opt == 57 || opt == 59 || opt == 4 || opt == 3)))
        a[3] = r.one_in(2) ? P(g_ro) : bad_ptr(c);
      break;
    }
    case 63: case 99: a[0] = out_ptr(c, 512); break;  // uname, sysinfo
    case 72: {  // fcntl
      long cmd = r.pick(kFcntls);
      a[0] = gen_fd(c);
      a[1] = cmd;
      switch (cmd) {
        case 0: case 1030:  // F_DUPFD, F_DUPFD_CLOEXEC
          a[2] = r.pick((const u64[]){0, 3, 10, 100, 1000, 1u << 20, 0xffffffffu});
          k.post = kPostCloseRet;
          break;
        case 5: case 6: case 7: case 36: case 37: case 38: {  // locks
          struct flock* f = static_cast<struct flock*>(salloc(c, sizeof(struct flock)));
          f->l_type = static_cast<short>(r.below(4));
          f->l_whence = static_cast<short>(r.below(4));
          f->l_start = r.one_in(4) ? -1 : static_cast<off_t>(r.below(8192));
          f->l_len = r.one_in(4) ? -1 : static_cast<off_t>(r.below(8192));
          a[2] = maybe_bad(c, f, sizeof *f);
          break;
        }
        case 8:  // F_SETOWN: us, our tid, nobody; never a process group
          a[2] = r.pick((const u64[]){0, 0x3fffffff, static_cast<u64>(-0x3fffffffL)});
          if (r.one_in(2)) a[2] = r.one_in(2) ? c.pid : c.tid;
          break;
        case 10:  // F_SETSIG: only signals that are ignored or handled
          a[2] = r.pick((const u64[]){0, SIGIO, SIGURG, SIGWINCH, static_cast<u64>(g_sig), 65, 0xffffffffu});
          break;
        case 15: {  // F_SETOWN_EX
          struct f_owner_ex* o = static_cast<struct f_owner_ex*>(salloc(c, sizeof(struct f_owner_ex)));
          o->type = static_cast<__pid_type>(r.below(4));
          o->pid = r.one_in(2) ? c.tid : static_cast<pid_t>(r.pick((const long[]){0, 0x3fffffff, -1}));
          if (o->type == F_OWNER_PID && r.one_in(2)) o->pid = c.pid;
          a[2] = maybe_bad(c, o, sizeof *o);
          break;
        }
        case 16: case 17: case 1035: case 1037: a[2] = out_ptr(c, 16); break;
        case 1036: case 1038: {
          uint64_t* h = static_cast<uint64_t*>(salloc(c, 8));
          *h = r.below(7);
          a[2] = maybe_bad(c, h, 8);
          break;
        }
        case 1027: a[2] = gen_fd(c); break;  // F_DUPFD_QUERY
        case 1031: a[2] = r.pick((const u64[]){0, 4096, 65536, 1u << 20, 0x80000000u, 0xffffffffu}); break;
        case 4: {
          const u64 fl[] = {O_NONBLOCK, O_APPEND, O_ASYNC, O_DIRECT, O_NOATIME, O_SYNC, O_DSYNC};
          a[2] = r.one_in(4) ? gen_flags(c) & 0xffffffffu : (r.pick(fl) | (r.one_in(2) ? r.pick(fl) : 0));
          break;
        }
        default: a[2] = r.one_in(2) ? r.below(64) : gen_flags(c) & 0xffffffffu; break;
      }
      break;
    }
    case 85: {  // creat: scratch paths only
      PathPick p = gen_path(c, false);
      a[0] = p.p;
      a[1] = r.below(01000);
      k.post = kPostCloseRet;
      break;
    }
    case 97:  // getrlimit
      a[0] = r.one_in(6) ? gen_flags(c) : r.below(17);
      a[1] = out_ptr(c, 16);
      break;
    case 102: case 104: case 107: case 108: break;  // get[e]uid/gid: no args
    case 103: {  // syslog: reads only (no clear, no console level, no consuming READ)
      a[0] = r.pick((const u64[]){0, 1, 3, 9, 10, 11, 0xffffffffu, 100});
      a[1] = out_ptr(c, 4096);
      a[2] = r.one_in(3) ? gen_len(c) : r.below(8192);
      break;
    }
    case 105: case 106: case 122: case 123:  // setuid, setgid, setfsuid, setfsgid
      a[0] = gen_id(c);
      if (!c.child) a[0] = r.one_in(2) ? 0 : 0xffffffffu;  // fs ids in workers: query / no change
      break;
    case 113: case 114: a[0] = gen_id(c); a[1] = gen_id(c); break;
    case 117: case 119: a[0] = gen_id(c); a[1] = gen_id(c); a[2] = gen_id(c); break;
    case 116: {  // setgroups (children)
      uint32_t* g = static_cast<uint32_t*>(salloc(c, 64));
      for (int i = 0; i < 16; i++) g[i] = static_cast<uint32_t>(gen_id(c));
      a[0] = r.pick((const u64[]){0, 1, 2, 16, 65537, 0xffffffffu});
      a[1] = maybe_bad(c, g, 64);
      break;
    }
    case 115:  // getgroups
      a[0] = r.pick((const u64[]){0, 1, 4, 64, 65536, 0xffffffffu});
      a[1] = out_ptr(c, 256);
      break;
    case 118: case 120: a[0] = out_ptr(c, 4); a[1] = out_ptr(c, 4); a[2] = out_ptr(c, 4); break;
    case 125: case 126: {  // capget, capset
      uint32_t* h = static_cast<uint32_t*>(salloc(c, 8));
      h[0] = r.pick((const uint32_t[]){0x19980330, 0x20071026, 0x20080522, 0x20080522, 0, 0xdeadbeef});
      h[1] = static_cast<uint32_t>(gen_pid(c));
      a[0] = maybe_bad_only(c, h, 8);
      if (k.nr == 125) {
        a[1] = out_ptr(c, 24);
      } else {
        uint32_t* d = static_cast<uint32_t*>(salloc(c, 24));
        for (int i = 0; i < 6; i++) d[i] = r.one_in(2) ? 0 : static_cast<uint32_t>(r.next());
        a[1] = maybe_bad(c, d, 24);
      }
      break;
    }
    case 134: a[0] = gen_path(c).p; break;  // uselib
    case 140: case 141: {  // getpriority, setpriority
      long which = r.pick((const long[]){PRIO_PROCESS, PRIO_PROCESS, PRIO_PGRP, PRIO_USER, 3, -1});
      long who;
      if (which == PRIO_PROCESS || which > 2 || which < 0) who = gen_pid(c);
      else if (k.nr == 140) who = r.one_in(2) ? 0 : 0x3fffffff;
      else who = 0x3fffffff;  // never our process group, never a whole uid
      a[0] = which; a[1] = who;
      a[2] = r.one_in(4) ? gen_flags(c) : static_cast<u64>(static_cast<long>(r.below(46)) - 25);
      break;
    }
    case 142: case 143: case 144: {  // sched_setparam, sched_getparam, sched_setscheduler
      a[0] = gen_pid(c);
      int* p = static_cast<int*>(salloc(c, 8));
      *p = r.pick((const int[]){0, 0, 1, 50, 99, 100, -1});
      if (k.nr == 143) { a[1] = out_ptr(c, 4); break; }
      if (k.nr == 142) { a[1] = maybe_bad(c, p, 4); break; }
      long pol = r.pick((const long[]){SCHED_OTHER, SCHED_BATCH, SCHED_IDLE, 7, -1, 100, SCHED_FIFO, SCHED_RR, 6});
      if (!c.child && (pol == SCHED_FIFO || pol == SCHED_RR || pol == 6) && (a[0] == 0 || static_cast<long>(a[0]) == c.pid || static_cast<long>(a[0]) == c.tid))
        pol = SCHED_OTHER;  // real-time only in children
      if (r.one_in(4)) pol |= 0x40000000;  // SCHED_RESET_ON_FORK
      a[1] = pol;
      a[2] = maybe_bad(c, p, 4);
      break;
    }
    case 145: case 148:  // sched_getscheduler, sched_rr_get_interval
      a[0] = gen_pid(c);
      a[1] = out_ptr(c, 16);
      break;
    case 146: case 147: a[0] = r.pick((const u64[]){0, 1, 2, 3, 5, 6, 7, 0xffffffffu}); break;
    case 153: break;  // vhangup (children, after setsid)
    case 155: a[0] = gen_dpath(c); a[1] = gen_dpath(c); break;  // pivot_root
    case 156: a[0] = r.one_in(2) ? in_ptr(c, 80) : out_ptr(c, 80); break;  // _sysctl
    case 157: {  // prctl
      long op = (c.child && r.one_in(4)) ? r.pick(kPrctlsChild) : r.pick(kPrctls);
      a[0] = op;
      a[1] = r.below(4); a[2] = r.below(4); a[3] = 0; a[4] = 0;
      switch (op) {
        case 2: case 9: case 11: case 16: case 19: case 25: case 40: case 58:
          a[1] = out_ptr(c, 16); break;
        case 15: a[1] = in_ptr(c, 16); break;  // PR_SET_NAME
        case 29: a[1] = r.pick((const u64[]){0, 1, 50000, 1000000}); break;  // timer slack
        case 33: a[1] = r.below(3); a[2] = r.below(4); break;
        case 47: a[1] = r.below(6); a[2] = r.below(42); break;  // CAP_AMBIENT
        case 52: case 53: a[1] = r.below(4); a[2] = r.pick((const u64[]){0, 1, 2, 4, 8, 16}); break;
        case 62:  // SCHED_CORE: never a whole process group
          a[1] = r.below(5); a[2] = gen_pid(c); a[3] = r.below(2); a[4] = out_ptr(c, 8); break;
        case 78: a[1] = r.below(4); a[2] = r.pick((const u64[]){0, 1, 2, 16, 128, 1u << 20}); a[3] = r.below(2); break;
        case 0x41555856: a[1] = out_ptr(c, 512); a[2] = r.one_in(2) ? 512 : gen_len(c); break;
        case 0x59616d61: a[1] = r.pick((const u64[]){0, ~u64(0)}); if (r.one_in(2)) a[1] = c.pid; break;
        case 24: a[1] = r.below(45); break;
        case 28: a[1] = r.below(256); break;
        default:
          if (r.one_in(4)) { a[1] = gen_flags(c) & 0xffffffffu; a[2] = out_ptr(c, 8); }
          break;
      }
      break;
    }
    case 159: case 305: {  // adjtimex, clock_adjtime: read-only modes only
      u64 tx = 0;
      size_t tsz = 208;
      uint8_t* t = static_cast<uint8_t*>(salloc(c, tsz));
      uint32_t modes = r.pick((const uint32_t[]){0, 0, 0xa001 /*ADJ_OFFSET_SS_READ*/, 0x8000 /*EINVAL*/});
      memcpy(t, &modes, 4);
      switch (r.below(8)) {
        case 0: tx = 0; break;
        case 1: tx = bad_ptr(c) | 1; break;
        case 2: tx = P(c.edge) + kPage - 1 - r.below(tsz - 1); break;  // straddles: EFAULT
        default: tx = P(t); break;
      }
      if (k.nr == 159) { a[0] = tx; break; }
      long fd = g_slots[r.below(kNumSlots)].fd.load();
      a[0] = r.pick((const long[]){CLOCK_REALTIME, CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_TAI, 100, -1, (~fd << 3) | 3});
      a[1] = tx;
      break;
    }
    case 160: case 302: {  // setrlimit, prlimit64
      long res = r.one_in(8) ? r.pick((const long[]){16, 100, -1}) : static_cast<long>(r.below(16));
      rlimit* l = static_cast<rlimit*>(salloc(c, sizeof(rlimit)));
      rlimit cur;
      if (res >= 0 && res < 16 && getrlimit(static_cast<__rlimit_resource>(res), &cur) == 0) *l = cur;
      else l->rlim_cur = l->rlim_max = RLIM_INFINITY;
      // Lowering NOFILE, AS, STACK, NPROC, CPU, FSIZE, DATA, SIGPENDING,
      // RTTIME would hurt the fuzzer: those get the current values, the hard
      // limit as soft, or soft > hard (EINVAL). The rest may get anything.
      bool fragile = res == RLIMIT_NOFILE || res == RLIMIT_AS || res == RLIMIT_STACK ||
                     res == RLIMIT_NPROC || res == RLIMIT_CPU || res == RLIMIT_FSIZE ||
                     res == RLIMIT_DATA || res == RLIMIT_SIGPENDING || res == RLIMIT_RTTIME;
      switch (r.below(4)) {
        case 0: break;
        case 1: l->rlim_cur = l->rlim_max; break;
        case 2: if (l->rlim_max != RLIM_INFINITY) { l->rlim_cur = l->rlim_max + 1; } break;
        default:
          if (!fragile) { l->rlim_cur = r.below(4096); l->rlim_max = r.one_in(2) ? l->rlim_cur : RLIM_INFINITY; }
          break;
      }
      // kW (0xfffffff0fffffff0) is no raise for every resource: the kernel
      // compares RLIMIT_FSIZE as a signed loff_t, so it means "0". Fragile
      // resources only get what we built (or a bad pointer).
      u64 np = fragile ? maybe_bad_only(c, l, sizeof *l) : maybe_bad(c, l, sizeof *l);
      if (k.nr == 160) { a[0] = res; a[1] = np; break; }
      a[0] = gen_pid(c);
      a[1] = res;
      a[2] = r.one_in(3) ? 0 : np;
      a[3] = out_ptr(c, 16);
      break;
    }
    case 161: a[0] = gen_dpath(c); break;          // chroot
    case 163: a[0] = gen_dpath(c, false); break;   // acct (NULL would turn accounting off)
    case 164: {  // settimeofday: the time value is always invalid (checked first)
      timeval* tv = static_cast<timeval*>(salloc(c, sizeof(timeval)));
      switch (r.below(3)) {
        case 0: tv->tv_sec = 0; tv->tv_usec = 2000000; break;
        case 1: tv->tv_sec = 0; tv->tv_usec = -1; break;
        default: tv->tv_sec = -1; tv->tv_usec = 0; break;
      }
      switch (r.below(5)) {
        case 0: a[0] = P(g_ro); break;  // kW: negative
        case 1: a[0] = bad_ptr(c) | 1; break;
        default: a[0] = P(tv); break;
      }
      struct timezone* tz = static_cast<struct timezone*>(salloc(c, sizeof(struct timezone)));
      a[1] = r.pick((const u64[]){0, P(tz), P(g_ro), 0x10000});
      break;
    }
    case 165:  // mount: the target never resolves
      a[0] = r.one_in(2) ? gen_path(c).p : gen_dpath(c);
      a[1] = gen_dpath(c);
      a[2] = r.pick((const u64[]){P("tmpfs"), P("proc"), P("fuzzfs"), 0, P(g_ro)});
      a[3] = gen_flags(c) & 0xffffffffu;
      a[4] = in_ptr(c, 64);
      break;
    case 166: a[0] = gen_dpath(c); a[1] = gen_flags(c) & 0xffffffffu; break;  // umount2
    case 167: a[0] = gen_dpath(c); a[1] = gen_flags(c) & 0xffffffffu; break;  // swapon
    case 168: a[0] = gen_dpath(c); break;                                     // swapoff
    case 170: case 171: {  // sethostname, setdomainname: too long, or unreadable
      if (r.one_in(2)) {
        a[1] = r.pick((const u64[]){65, 100, 4096, 0xffffffffu, ~u64(0)});
        a[0] = r.one_in(2) ? in_ptr(c, 64) : P(g_ro);
      } else {
        a[1] = 1 + r.below(64);
        a[0] = r.one_in(2) ? unreadable_ptr(c) : P(g_ro) + kRoLen - r.below(a[1]);  // straddles
      }
      break;
    }
    case 172: a[0] = r.pick((const u64[]){0, 4, 5, 0xffffffffu, 0x7fffffff}); break;  // iopl (never 1..3)
    case 173:  // ioperm: off, or a range past 0xffff (EINVAL)
      if (r.one_in(2)) { a[0] = r.below(0x10000); a[1] = r.below(64); a[2] = 0; }
      else { a[0] = 0xfff0 + r.below(16); a[1] = 100 + r.below(1000); a[2] = 1; }
      break;
    case 175:  // init_module: never an ELF image
      a[0] = r.pick((const u64[]){P(g_ro), 0, P(g_none)});
      a[1] = r.pick((const u64[]){0, 10, 4096, 0xffffffffu});
      a[2] = r.one_in(2) ? P("") : in_ptr(c, 8);
      break;
    case 176:  // delete_module: never a module's name
      a[0] = r.pick((const u64[]){P("syscall_fuzzer_no_such_module"), P(g_ro), 0, P(g_none)});
      a[1] = gen_flags(c) & 0xffffffffu;
      break;
    case 179: case 443: {  // quotactl, quotactl_fd: sync and queries only
      const u64 cmds[] = {0x800001 /*Q_SYNC*/, 0x800004 /*GETFMT*/, 0x800005 /*GETINFO*/,
                          0x800007 /*GETQUOTA*/, 0x800009 /*GETNEXTQUOTA*/, 0x12345678, 0xffffffffu};
      u64 cmd = (r.pick(cmds) << 8) | r.below(3);
      if (r.one_in(2)) cmd = r.pick(cmds);
      if (k.nr == 179) { a[0] = cmd; a[1] = r.one_in(3) ? 0 : gen_dpath(c); }
      else { a[0] = gen_fd(c); a[1] = cmd; }
      a[2] = gen_id(c);
      a[3] = out_ptr(c, 72);
      break;
    }
    case 174: case 177: case 178: case 180: case 181: case 182: case 183: case 184: case 185:
    case 205: case 211: case 212: case 214: case 215: case 236:
      // Not implemented on x86-64 (ENOSYS natively): any registers; pointers
      // for the ones that once took some.
      if (r.one_in(2)) a[0] = r.one_in(2) ? out_ptr(c, 16) : in_ptr(c, 16);
      break;
    case 202: {  // futex
      long op = r.one_in(10) ? static_cast<long>(gen_flags(c) & 0xffffffffu) : static_cast<long>(r.below(14));
      long base = op & 0x7f;
      if (r.below(2) && op < 128) op |= 128;       // FUTEX_PRIVATE_FLAG
      if (r.one_in(5) && op < 512) op |= 256;       // FUTEX_CLOCK_REALTIME
      a[0] = gen_uaddr(c);
      a[1] = op;
      a[2] = r.below(3) ? peek_u32(a[0]) : r.pick((const u64[]){0, 1, 0x7fffffff, 0xffffffffu});
      bool timed = base == 0 || base == 6 || base == 9 || base == 11 || base == 13;
      // LOCK_PI, LOCK_PI2 and WAIT_REQUEUE_PI restart after a signal
      // (-ERESTARTNOINTR): never without a timeout, or a wait could last forever.
      bool pi = base == 6 || base == 11 || base == 13;
      clockid_t clk = (op & 256) || base == 6 ? CLOCK_REALTIME : CLOCK_MONOTONIC;
      if (timed) {
        a[3] = gen_timespec(c, !pi, base == 9 || pi, clk);
        if (pi && a[3] == 0) a[3] = P(g_ro);  // kW: negative, EINVAL
      } else {
        a[3] = r.pick((const u64[]){0, 1, 2, 0x7fffffff, 0xffffffffu});  // val2
      }
      if (base == 1 || base == 10) a[2] = r.pick((const u64[]){1, 1, 0x7fffffff, 0, 0xffffffffu});
      a[4] = gen_uaddr(c);
      a[5] = (base == 4 || base == 12) ? peek_u32(a[0]) : (base == 9 || base == 10) ? r.pick((const u64[]){0xffffffffu, 0, 1, 0x55}) : gen_flags(c) & 0xffffffffu;
      break;
    }
    case 203: case 204: {  // sched_setaffinity, sched_getaffinity
      a[0] = gen_pid(c);
      a[1] = r.pick((const u64[]){8, 8, 16, 128, 0, 3, 0xffffffffu, 1u << 20});
      if (k.nr == 204) { a[2] = out_ptr(c, 128); break; }
      uint64_t* m = static_cast<uint64_t*>(salloc(c, 128));
      m[0] = r.one_in(4) ? 0 : r.one_in(2) ? 1 + r.below(3) : r.next();
      for (int i = 1; i < 16; i++) m[i] = r.one_in(4) ? r.next() : 0;
      a[2] = maybe_bad(c, m, 128);
      break;
    }
    case 213: a[0] = r.pick((const u64[]){0, 1, 100, 0xffffffffu, 0x80000000u}); k.post = kPostCloseRet; break;
    case 291: a[0] = r.pick((const u64[]){0, EPOLL_CLOEXEC, 1, 0xffffffffu}); k.post = kPostCloseRet; break;
    case 227: {  // clock_settime: never a valid time
      long fd = g_slots[r.below(kNumSlots)].fd.load();
      a[0] = r.pick((const long[]){CLOCK_REALTIME, CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_BOOTTIME, CLOCK_TAI, 100, -1, (~fd << 3) | 3});
      timespec* ts = static_cast<timespec*>(salloc(c, sizeof(timespec)));
      switch (r.below(3)) {
        case 0: ts->tv_sec = 1; ts->tv_nsec = 1000000000L; break;
        case 1: ts->tv_sec = 1; ts->tv_nsec = -1; break;
        default: ts->tv_sec = -1; ts->tv_nsec = 0; break;
      }
      a[1] = r.below(4) ? P(ts) : r.one_in(2) ? P(g_ro) : (bad_ptr(c) | 1);
      break;
    }
    case 233: {  // epoll_ctl
      a[0] = gen_fd(c, M(kEpoll));
      a[1] = r.pick((const u64[]){EPOLL_CTL_ADD, EPOLL_CTL_ADD, EPOLL_CTL_DEL, EPOLL_CTL_MOD, 0, 4, 0xffffffffu});
      a[2] = gen_fd(c);
      epoll_event* ev = static_cast<epoll_event*>(salloc(c, sizeof(epoll_event)));
      const uint32_t evb[] = {EPOLLIN, EPOLLOUT, EPOLLET, EPOLLONESHOT, EPOLLEXCLUSIVE, EPOLLWAKEUP, EPOLLRDHUP, EPOLLPRI, EPOLLERR};
      ev->events = r.pick(evb) | (r.one_in(2) ? r.pick(evb) : 0);
      if (r.one_in(8)) ev->events = static_cast<uint32_t>(r.next());
      ev->data.u64 = r.next();
      a[3] = r.one_in(8) ? 0 : maybe_bad(c, ev, sizeof *ev);
      break;
    }
    case 246:  // kexec_load: more segments than allowed (EINVAL)
      a[0] = gen_flags(c);
      a[1] = r.pick((const u64[]){17, 1000, 0xffffffffu});
      a[2] = in_ptr(c, 32);
      a[3] = gen_flags(c) & 0xffffffffu;
      break;
    case 320:  // kexec_file_load: always an unknown flag (EINVAL)
      a[0] = gen_fd(c); a[1] = gen_fd(c); a[2] = gen_len(c); a[3] = in_ptr(c, 16);
      a[4] = (gen_flags(c) & 0xffffffffu) | (u64(1) << (8 + r.below(24)));
      break;
    case 313: a[0] = gen_fd(c); a[1] = in_ptr(c, 8); a[2] = gen_flags(c) & 0xffffffffu; break;  // finit_module
    case 257: case 437: {  // openat, openat2
      a[0] = gen_dirfd(c);
      PathPick p = gen_path(c);
      a[1] = p.p;
      u64 fl = gen_open_flags(c);
      if (p.host) fl = host_safe_open_flags(fl);
      if (k.nr == 257) { a[2] = fl; a[3] = r.below(01000); }
      else {
        struct { uint64_t flags, mode, resolve; } * how = static_cast<decltype(how)>(salloc(c, 32));
        how->flags = fl;
        how->mode = r.one_in(4) ? r.next() : r.below(01000);
        if (!(fl & (O_CREAT | __O_TMPFILE)) && r.below(3)) how->mode = 0;
        how->resolve = r.one_in(2) ? 0 : (u64(1) << r.below(6)) | (r.one_in(8) ? r.next() : 0);
        a[2] = p.host ? maybe_bad_only(c, how, 24) : maybe_bad(c, how, 24);
        a[3] = r.pick((const u64[]){24, 24, 24, 0, 8, 32, 4096, 4097, 0xffffffffu});
      }
      k.post = kPostCloseRet;
      break;
    }
    case 272: {  // unshare (children)
      const u64 fl[] = {CLONE_FILES, CLONE_FS, CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER,
                        CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWCGROUP, CLONE_SYSVSEM, 0x80 /*NEWTIME*/, CLONE_THREAD, CLONE_VM};
      a[0] = r.pick(fl) | (r.one_in(2) ? r.pick(fl) : 0);
      if (r.one_in(6)) a[0] = gen_flags(c) & 0xffffffffu;
      break;
    }
    case 308: a[0] = gen_fd(c); a[1] = r.pick((const u64[]){0, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWUSER, 0xffffffffu}); break;
    case 298: {  // perf_event_open: attr with a bad size (E2BIG) or unreadable
      uint8_t* at = static_cast<uint8_t*>(salloc(c, 136));
      for (int i = 0; i < 136; i++) at[i] = static_cast<uint8_t>(r.next());
      uint32_t sz = 1 + static_cast<uint32_t>(r.below(63));
      memcpy(at + 4, &sz, 4);
      a[0] = r.below(4) ? P(at) : r.one_in(2) ? P(g_ro) : bad_ptr(c);
      a[1] = gen_pid(c);
      a[2] = r.pick((const u64[]){~u64(0), 0, 1, 1000});
      a[3] = r.one_in(2) ? ~u64(0) : static_cast<u64>(gen_fd(c));
      a[4] = r.pick((const u64[]){0, 8, 1, 0xffffffffu});
      k.post = kPostCloseRet;
      break;
    }
    case 301:  // fanotify_mark (our fds are never fanotify groups)
      a[0] = gen_fd(c); a[1] = gen_flags(c) & 0xffffffffu; a[2] = gen_flags(c);
      a[3] = gen_dirfd(c); a[4] = gen_path(c).p;
      break;
    case 303: {  // name_to_handle_at
      a[0] = gen_dirfd(c);
      a[1] = gen_path(c).p;
      uint32_t* h = static_cast<uint32_t*>(salloc(c, 8 + 128));
      h[0] = r.pick((const uint32_t[]){0, 8, 128, 129, 0xffffffffu});
      a[2] = maybe_bad_only(c, h, 8);
      a[3] = out_ptr(c, 8);
      a[4] = r.pick((const u64[]){0, 0x400, 0x1000, 0x200, 1, 0x1400, 0xffffffffu});
      break;
    }
    case 304: {  // open_by_handle_at: read-only flags only
      a[0] = gen_dirfd(c);
      uint32_t* h = static_cast<uint32_t*>(salloc(c, 8 + 128));
      h[0] = r.pick((const uint32_t[]){0, 8, 12, 128, 129, 0xffffffffu});
      h[1] = static_cast<uint32_t>(r.below(0x100));
      for (int i = 2; i < 34; i++) h[i] = static_cast<uint32_t>(r.next());
      a[1] = maybe_bad(c, h, 8);
      a[2] = r.pick((const u64[]){O_RDONLY, O_PATH, O_RDONLY | O_CLOEXEC, O_RDONLY | O_NONBLOCK, O_PATH | O_CLOEXEC});
      k.post = kPostCloseRet;
      break;
    }
    case 309: a[0] = out_ptr(c, 4); a[1] = out_ptr(c, 4); a[2] = r.one_in(2) ? 0 : out_ptr(c, 8); break;  // getcpu
    case 314: case 315: {  // sched_setattr, sched_getattr
      a[0] = gen_pid(c);
      if (k.nr == 315) {
        a[1] = out_ptr(c, 56);
        a[2] = r.pick((const u64[]){48, 56, 56, 4096, 0, 47, 0xffffffffu});
        a[3] = r.one_in(4) ? gen_flags(c) & 0xffffffffu : 0;
        break;
      }
      struct SA { uint32_t size, policy; uint64_t flags; int32_t nice; uint32_t prio; uint64_t rt, dl, per; uint32_t umin, umax; };
      SA* s = static_cast<SA*>(salloc(c, sizeof(SA)));
      s->size = r.pick((const uint32_t[]){48, 56, 56, 0, 3, 4096, 8192});
      s->policy = r.pick((const uint32_t[]){SCHED_OTHER, SCHED_BATCH, SCHED_IDLE, 7, 0xffffffff, SCHED_FIFO, SCHED_RR, 6});
      bool self = a[0] == 0 || static_cast<long>(a[0]) == c.pid || static_cast<long>(a[0]) == c.tid;
      if (!c.child && self && (s->policy == SCHED_FIFO || s->policy == SCHED_RR || s->policy == 6))
        s->policy = SCHED_OTHER;  // real-time and deadline only in children
      s->flags = r.one_in(2) ? 0 : r.below(0x80);
      if (!c.child && self && (s->flags & 0x8 /*KEEP_POLICY*/)) s->flags &= ~u64(0x8);
      s->nice = static_cast<int32_t>(r.below(46)) - 25;
      s->prio = r.one_in(4) ? static_cast<uint32_t>(r.below(100)) : 0;
      s->rt = 1000000; s->dl = 10000000; s->per = 100000000;
      s->umin = static_cast<uint32_t>(r.below(1100)); s->umax = static_cast<uint32_t>(r.below(1100));
      a[1] = maybe_bad(c, s, sizeof *s);
      a[2] = r.one_in(4) ? gen_flags(c) & 0xffffffffu : 0;
      break;
    }
    case 321: {  // bpf: map create / prog load with garbage, or unknown commands
      a[0] = r.pick((const u64[]){0, 5, 1000, 0xffffffffu});
      uint8_t* at = static_cast<uint8_t*>(salloc(c, 160));
      uint32_t* w32 = reinterpret_cast<uint32_t*>(at);
      if (a[0] == 0) {  // BPF_MAP_CREATE: small maps only
        w32[0] = static_cast<uint32_t>(r.below(40)); w32[1] = static_cast<uint32_t>(r.below(65));
        w32[2] = static_cast<uint32_t>(r.below(65)); w32[3] = static_cast<uint32_t>(r.below(17));
        w32[4] = r.one_in(2) ? 0 : static_cast<uint32_t>(r.next());
      } else if (a[0] == 5) {  // BPF_PROG_LOAD: kW words as instructions (rejected)
        w32[0] = static_cast<uint32_t>(r.below(36)); w32[1] = static_cast<uint32_t>(r.below(65));
        u64 insns = P(g_ro), lic = P("GPL"), logbuf = r.one_in(2) ? 0 : P(c.out);
        memcpy(at + 8, &insns, 8); memcpy(at + 16, &lic, 8);
        w32[6] = logbuf ? static_cast<uint32_t>(1 + r.below(2)) : 0; w32[7] = logbuf ? 4096 : 0;
        memcpy(at + 32, &logbuf, 8);
      } else {
        for (int i = 0; i < 160; i++) at[i] = static_cast<uint8_t>(r.next());
      }
      a[1] = maybe_bad(c, at, 160);
      a[2] = r.pick((const u64[]){0, 8, 72, 128, 160, 4096, 0xffffffffu});
      k.post = kPostCloseRet;
      break;
    }
    case 323: a[0] = r.pick((const u64[]){0, O_CLOEXEC, O_NONBLOCK, 1, 0xffffffffu}); k.post = kPostCloseRet; break;
    case 428: case 433: case 467: {  // open_tree, fspick, open_tree_attr: path never resolves
      a[0] = gen_dirfd(c);
      a[1] = gen_dpath(c);
      u64 fl = gen_flags(c) & 0xffffffffu;
      fl &= k.nr == 433 ? ~u64(0x8) /*FSPICK_EMPTY_PATH*/ : ~u64(AT_EMPTY_PATH);
      a[2] = fl;
      if (k.nr == 467) { a[3] = in_ptr(c, 32); a[4] = r.pick((const u64[]){0, 32, 4096}); }
      k.post = kPostCloseRet;
      break;
    }
    case 429:  // move_mount: neither path resolves, never by empty path
      a[0] = gen_dirfd(c); a[1] = gen_dpath(c); a[2] = gen_dirfd(c); a[3] = gen_dpath(c);
      a[4] = gen_flags(c) & 0xffffffffu & ~u64(0x4 | 0x40);
      break;
    case 430:  // fsopen
      a[0] = r.pick((const u64[]){P("tmpfs"), P("fuzzfs"), P(g_ro), 0});
      a[1] = r.pick((const u64[]){0, 1, 0xffffffffu});
      k.post = kPostCloseRet;
      break;
    case 431:  // fsconfig
      a[0] = gen_fd(c); a[1] = r.below(10); a[2] = r.one_in(2) ? P("size") : in_ptr(c, 8);
      a[3] = r.one_in(2) ? P("1m") : in_ptr(c, 8); a[4] = r.below(4);
      break;
    case 432: a[0] = gen_fd(c); a[1] = r.below(3); a[2] = gen_flags(c) & 0xffffffffu; k.post = kPostCloseRet; break;
    case 442:  // mount_setattr: path never resolves, never by empty path
      a[0] = gen_dirfd(c); a[1] = gen_dpath(c); a[2] = gen_flags(c) & 0xffffffffu & ~u64(AT_EMPTY_PATH);
      a[3] = in_ptr(c, 32); a[4] = r.pick((const u64[]){0, 32, 4096});
      break;
    case 449: {  // futex_waitv
      int n = 1 + static_cast<int>(r.below(4));
      struct W { uint64_t val, uaddr; uint32_t flags, rsv; };
      W* w = static_cast<W*>(salloc_end(c, sizeof(W) * n));
      for (int i = 0; i < n; i++) {
        w[i].uaddr = gen_uaddr(c);
        w[i].val = r.below(3) ? peek_u32(w[i].uaddr) : r.next() & 0xffffffffu;
        w[i].flags = r.pick((const uint32_t[]){0x82, 0x82, 2, 0, 3, 0xffffffff});
        w[i].rsv = r.one_in(10) ? 1 : 0;
      }
      a[0] = maybe_bad_only(c, w, sizeof(W));
      a[1] = r.one_in(4) ? r.pick((const u64[]){0, 5, 128, 129, 0xffffffffu}) : static_cast<u64>(n);
      if (a[1] > static_cast<u64>(n) && a[1] <= 128) a[1] = n;
      a[2] = r.one_in(6) ? gen_flags(c) & 0xffffffffu : 0;
      long clk = r.pick((const long[]){CLOCK_MONOTONIC, CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME, -1});
      a[3] = gen_timespec(c, true, true, clk == CLOCK_REALTIME ? CLOCK_REALTIME : CLOCK_MONOTONIC);
      a[4] = clk;
      break;
    }
    case 454:  // futex_wake
      a[0] = gen_uaddr(c);
      a[1] = r.pick((const u64[]){0xffffffffu, 0xffffffffu, ~u64(0), 0, 1});
      a[2] = r.pick((const u64[]){1, 1, 0x7fffffff, 0, 0xffffffffu});
      a[3] = r.pick((const u64[]){0x82, 0x82, 2, 0, 3, 0xffffffffu});
      break;
    case 455: {  // futex_wait
      a[0] = gen_uaddr(c);
      a[1] = r.below(3) ? peek_u32(a[0]) : r.next() & 0xffffffffu;
      a[2] = r.pick((const u64[]){0xffffffffu, 0xffffffffu, ~u64(0), 0, 1});
      a[3] = r.pick((const u64[]){0x82, 0x82, 2, 0, 3, 0xffffffffu});
      long clk = r.pick((const long[]){CLOCK_MONOTONIC, CLOCK_MONOTONIC, CLOCK_REALTIME, -1});
      a[4] = gen_timespec(c, true, true, clk == CLOCK_REALTIME ? CLOCK_REALTIME : CLOCK_MONOTONIC);
      a[5] = clk;
      break;
    }
    case 456: {  // futex_requeue
      struct W { uint64_t val, uaddr; uint32_t flags, rsv; };
      W* w = static_cast<W*>(salloc_end(c, sizeof(W) * 2));
      for (int i = 0; i < 2; i++) {
        w[i].uaddr = gen_uaddr(c);
        w[i].val = r.below(3) ? peek_u32(w[i].uaddr) : r.next() & 0xffffffffu;
        w[i].flags = r.pick((const uint32_t[]){0x82, 0x82, 2, 0, 0xffffffff});
      }
      a[0] = maybe_bad_only(c, w, sizeof(W));
      a[1] = r.one_in(6) ? gen_flags(c) & 0xffffffffu : 0;
      a[2] = r.pick((const u64[]){1, 0, 0x7fffffff, 0xffffffffu});
      a[3] = r.pick((const u64[]){1, 0, 0x7fffffff, 0xffffffffu});
      break;
    }
    case 463: case 464: case 465: case 466: {  // *xattrat: scratch paths only
      a[0] = gen_dirfd(c);
      a[1] = gen_path(c, false).p;
      a[2] = r.pick((const u64[]){0, 0, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, 0xffffffffu});
      const u64 names[] = {P("user.fuzz"), P("trusted.fuzz"), P("security.fuzz"), P("system.posix_acl_access"), P("bogus"), P(""), P(g_ro)};
      if (k.nr == 465) {  // listxattrat(dfd, path, flags, list, size)
        a[3] = out_ptr(c, 256);
        a[4] = r.pick((const u64[]){0, 256, 1, 65536, 0xffffffffu});
        break;
      }
      a[3] = r.one_in(8) ? bad_ptr(c) : r.pick(names);
      if (k.nr == 466) break;
      struct XA { uint64_t value; uint32_t size, flags; };
      XA* x = static_cast<XA*>(salloc(c, sizeof(XA)));
      x->value = k.nr == 463 ? in_ptr(c, 16) : out_ptr(c, 256);
      x->size = r.pick((const uint32_t[]){0, 4, 16, 256, 65537, 0xffffffff});
      x->flags = r.pick((const uint32_t[]){0, 1 /*XATTR_CREATE*/, 2 /*XATTR_REPLACE*/, 3, 0xffff});
      a[4] = maybe_bad_only(c, x, sizeof *x);
      a[5] = r.pick((const u64[]){16, 16, 0, 8, 32, 4096, 0xffffffffu});
      break;
    }
    case 468: case 469: {  // file_getattr, file_setattr: scratch paths only
      a[0] = gen_dirfd(c);
      a[1] = gen_path(c, false).p;
      if (k.nr == 468) {
        a[2] = out_ptr(c, 32);
      } else {
        uint32_t* fa = static_cast<uint32_t*>(salloc(c, 32));
        for (int i = 0; i < 6; i++) fa[i] = r.one_in(2) ? 0 : static_cast<uint32_t>(r.next());
        a[2] = maybe_bad(c, fa, 24);
      }
      a[3] = r.pick((const u64[]){24, 24, 0, 16, 32, 4096, 0xffffffffu});
      a[4] = r.pick((const u64[]){0, 0, AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH, 0xffffffffu});
      break;
    }
    default:
      return false;  // a row without a generator is never issued
  }
  return true;
}

// ---------------------------------------------------------------------------
// Issuing calls and recording results.
std::atomic<uint64_t> g_issued{0};
int g_main_rows[kNumRows], g_n_main_rows;
int g_child_rows[kNumRows], g_n_child_rows;

void trace_line(const Ctx& c, const Call& k, long ret, int err) {
  char buf[512];
  int n = snprintf(buf, sizeof buf, "[%s%d#%llu] %s(%#llx, %#llx, %#llx, %#llx, %#llx, %#llx) = %ld%s%s\n",
                   c.child ? "c" : "w", c.serial, static_cast<unsigned long long>(c.callno),
                   kRows[k.row].name, (unsigned long long)k.a[0], (unsigned long long)k.a[1],
                   (unsigned long long)k.a[2], (unsigned long long)k.a[3], (unsigned long long)k.a[4],
                   (unsigned long long)k.a[5], ret, ret == -1 ? " " : "",
                   ret == -1 ? (strerrorname_np(err) ? strerrorname_np(err) : "E?") : "");
  if (n > 0) write(2, buf, static_cast<size_t>(n < static_cast<int>(sizeof buf) ? n : static_cast<int>(sizeof buf) - 1));
  // The structures we built (arguments pointing into the struct area), as
  // they are after the call, for reproductions: "  argN: hex bytes".
  for (int i = 0; i < 6; i++) {
    u64 p = k.a[i];
    if (p < P(c.st) || p >= P(c.st) + kSt) continue;
    size_t len = P(c.st) + kSt - p < 48 ? P(c.st) + kSt - p : 48;
    n = snprintf(buf, sizeof buf, "  arg%d:", i);
    for (size_t j = 0; j < len && n < static_cast<int>(sizeof buf) - 4; j++)
      n += snprintf(buf + n, sizeof buf - n, "%s%02x", j % 8 ? "" : " ", reinterpret_cast<uint8_t*>(p)[j]);
    buf[n++] = '\n';
    write(2, buf, static_cast<size_t>(n));
  }
}

void record(Ctx& c, const Call& k, long ret, int err) {
  RowStats& s = g_sh->rows[k.row];
  s.calls.fetch_add(1, std::memory_order_relaxed);
  if (ret != -1) {
    s.ok.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  bool impossible = err < 1 || err > kMaxErrno;
  s.err[impossible ? kErrSlots - 1 : err].fetch_add(1, std::memory_order_relaxed);
  if (!impossible) return;
  s.impossible.fetch_add(1, std::memory_order_relaxed);
  uint32_t i = g_sh->nimp.fetch_add(1);
  if (i < kMaxImp) {
    ImpRec& rec = g_sh->imp[i];
    rec.row = k.row;
    rec.serial = c.serial;
    rec.child = c.child;
    rec.callno = c.callno;
    memcpy(rec.args, k.a, sizeof rec.args);
    rec.ret = ret;
    rec.err = err;
  }
}

void post(Ctx& c, const Call& k, long ret) {
  switch (k.post) {
    case kPostNone: break;
    case kPostCloseRet:
      if (ret >= 3 && !is_pool_fd(ret)) { safe_close(&c, static_cast<int>(ret)); g_sh->closed_ret++; }
      break;
    case kPostDup:
      if (ret >= 3 && !is_pool_fd(ret)) { safe_close(&c, static_cast<int>(ret)); g_sh->closed_ret++; }
      break;
    case kPostRecvmsg:
      if (ret >= 0) close_rights(c, reinterpret_cast<msghdr*>(k.aux));
      break;
    case kPostPidfd:  // getsockopt(SO_PEERPIDFD) installed a pidfd
      if (ret == 0 && k.aux >= P(c.out) && k.aux + 4 <= P(c.out) + kOut) {
        int fd;
        memcpy(&fd, reinterpret_cast<void*>(k.aux), sizeof fd);
        if (fd >= 3 && !is_pool_fd(fd)) { safe_close(&c, fd); g_sh->closed_ret++; }
      }
      break;
    case kPostRecvmmsg:
      if (ret > 0) {
        mmsghdr* v = reinterpret_cast<mmsghdr*>(k.aux & ((u64(1) << 56) - 1));
        long n = static_cast<long>(k.aux >> 56);
        for (long i = 0; i < ret && i < n; i++) close_rights(c, &v[i].msg_hdr);
      }
      break;
  }
}

void one_call(Ctx& c, int row) {
  Call k;
  if (!build_call(c, row, k)) return;
  c.callno++;
  timer_arm(c, g_opt.timer_ms);
  long ret = syscall(k.nr, k.a[0], k.a[1], k.a[2], k.a[3], k.a[4], k.a[5]);
  int err = ret == -1 ? errno : 0;
  timer_disarm(c);
  record(c, k, ret, err);
  if (g_opt.trace) trace_line(c, k, ret, err);
  post(c, k, ret);
}

int pick_row(Ctx& c, bool child) {
  if (child && g_n_child_rows && c.r.one_in(3)) return g_child_rows[c.r.below(g_n_child_rows)];
  if (!g_n_main_rows) return -1;
  // Emulated/translated rows twice as often as denied/unsupported ones.
  for (;;) {
    int row = g_main_rows[c.r.below(g_n_main_rows)];
    Serve s = kRows[row].serve;
    if (s == kDeny || s == kUnsupported) { if (c.r.one_in(2)) return row; }
    else return row;
  }
}

// A forked child: a few random calls (identity, namespaces and real-time
// scheduling included), then _exit. Only async-signal-safe work after fork.
[[noreturn]] void child_main(Ctx& parent, uint64_t seed) {
  Ctx c = parent;  // same buffers (copied by fork)
  c.r = Rng(seed);
  c.child = true;
  c.pid = c.tid = static_cast<pid_t>(syscall(SYS_gettid));
  c.callno = 0;
  alarm(5);  // a child that hangs despite the interrupt timer dies of SIGALRM
  if (!timer_setup(c)) _exit(3);
  bool sid = c.r.one_in(2) && setsid() >= 0;
  int n = 1 + static_cast<int>(c.r.below(12));
  for (int i = 0; i < n; i++) {
    int row = pick_row(c, true);
    if (row < 0) break;
    if (kRows[row].nr == 153 && !sid) continue;  // vhangup only without a controlling tty
    one_call(c, row);
    g_sh->child_calls++;
  }
  _exit(0);
}

void fork_child(Ctx& c) {
  uint64_t seed = c.r.next();
  pid_t p = fork();
  if (p < 0) { g_sh->fork_failed++; return; }
  if (p == 0) child_main(c, seed);
  g_sh->forks++;
  int st = 0;
  while (waitpid(p, &st, 0) < 0 && errno == EINTR) {}
  if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM) g_sh->child_stuck++;
  else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    uint64_t i = g_sh->child_abnormal.fetch_add(1);
    if (i < 8) g_sh->abnormal_status[i] = st;
  }
}

struct Worker {
  std::thread th;
  std::atomic<bool> done{false};
  bool running = false;
};

void worker_main(Worker* w, int serial) {
  Ctx c;
  c.serial = serial;
  c.r = Rng(mix(g_opt.seed, static_cast<uint64_t>(serial)));
  c.pid = getpid();
  c.tid = static_cast<pid_t>(syscall(SYS_gettid));
  c.lifetime = g_opt.events ? 500 + c.r.below(20000) : ~u64(0);
  if (!ctx_map(c) || !timer_setup(c)) {
    fprintf(stderr, "syscall_fuzzer: worker %d: setup failed: %s\n", serial, strerror(errno));
    w->done = true;
    return;
  }
  g_sh->started++;
  for (uint64_t i = 0; i < c.lifetime; i++) {
    if (g_issued.fetch_add(1) >= g_opt.calls) break;
    if (g_opt.events) {
      if (c.r.one_in(400)) churn(c);
      if (c.r.one_in(1000)) fork_child(c);
    }
    int row = pick_row(c, false);
    if (row < 0) { fork_child(c); continue; }
    one_call(c, row);
  }
  if (c.lifetime != ~u64(0)) g_sh->retired++;
  syscall(SYS_timer_delete, c.timer);
  munmap(c.base, kCtxLen);
  w->done = true;
}

// ---------------------------------------------------------------------------
// Setup and teardown.
bool setup_memory() {
  g_ro = map_region(kRoLen, kPage, false);
  g_none = map_region(kNoneLen, 0, false);
  g_futex = map_region(kPage, kPage, false);
  g_shm = map_region(kPage, kPage, true);
  g_nl = map_region(kNlMsgs * kPage, kPage, false);
  void* sh = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (!g_ro || !g_none || !g_futex || !g_shm || !g_nl || sh == MAP_FAILED) return false;
  g_sh = new (sh) Shared();
  fill_w(g_ro, kRoLen);
  if (mprotect(g_ro, kRoLen, PROT_READ) != 0 || mprotect(g_none, kNoneLen, PROT_NONE) != 0) return false;
  // Netlink dump requests (GETLINK, GETADDR, GETROUTE), each followed by kW
  // words: whatever length is sent, nothing after the request is processed.
  fill_w(g_nl, kNlMsgs * kPage);
  const uint16_t types[kNlMsgs] = {RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE};
  const size_t bodies[kNlMsgs] = {sizeof(ifinfomsg), sizeof(ifaddrmsg), sizeof(rtmsg)};
  for (int i = 0; i < kNlMsgs; i++) {
    uint8_t* m = g_nl + i * kPage;
    nlmsghdr* h = reinterpret_cast<nlmsghdr*>(m);
    memset(m, 0, NLMSG_SPACE(bodies[i]));
    h->nlmsg_len = static_cast<uint32_t>(NLMSG_LENGTH(bodies[i]));
    h->nlmsg_type = types[i];
    h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    h->nlmsg_seq = 1 + i;
    g_nl_len[i] = h->nlmsg_len;
  }
  if (mprotect(g_nl, kNlMsgs * kPage, PROT_READ) != 0) return false;
  for (int i = 0; i < kClosedRing; i++) g_closed[i] = 200 + i;
  return true;
}

// Random 32-bit words double as pointers for some calls: nothing of ours may
// live below 4 GiB.
bool low_memory_empty() {
  FILE* f = fopen("/proc/self/maps", "r");
  if (!f) return true;
  char line[512];
  bool ok = true;
  while (fgets(line, sizeof line, f)) {
    unsigned long lo = strtoul(line, nullptr, 16);
    if (lo < 0x100000000UL) { ok = false; fprintf(stderr, "syscall_fuzzer: low mapping: %s", line); }
  }
  fclose(f);
  return ok;
}

bool setup_scratch() {
  const char* bases[] = {"/dev/shm", "/tmp"};
  bool made = false;
  for (const char* b : bases) {
    snprintf(g_scratch, sizeof g_scratch, "%s/syscall_fuzzer.XXXXXX", b);
    if (mkdtemp(g_scratch)) { made = true; break; }
  }
  if (!made || chdir(g_scratch) != 0) return false;
  if (mkdir("sub", 0755) != 0) return false;
  for (const char* f : {"f0", "f1", "sub/f"}) {
    int fd = open(f, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    if (write(fd, "syscall fuzzer\n", 15) != 15) return false;
    close(fd);
  }
  const char* names[8] = {"", "/f0", "/f1", "/sub", "/sub/f", "/nosuch/x", "/s0", "/ul"};
  for (int i = 0; i < 8; i++) {
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s%s", g_scratch, names[i]);
    g_scratch_abs[i] = add_path("%s", tmp);
  }
  const char* rel[8] = {"f0", "f1", "sub", "sub/f", ".", "nosuch/x", "s1", "sub/"};
  for (int i = 0; i < 8; i++) g_scratch_rel[i] = rel[i];
  for (int i = 0; i < 4; i++) {
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s/s%d", g_scratch, i);
    g_unix_abs[i] = add_path("%s", tmp);
  }
  g_unix_abs[4] = g_scratch_abs[7];
  return true;
}

// Removes the scratch tree, clearing inode flags (immutable, append-only)
// that file_setattr or FS_IOC_SETFLAGS may have set.
int clear_flags(const char* path, const struct stat*, int type, struct FTW*) {
  if (type == FTW_D || type == FTW_DP || type == FTW_F) {
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
      int zero = 0;
      ioctl(fd, 0x40086602 /*FS_IOC_SETFLAGS*/, &zero);
      close(fd);
    }
  }
  return 0;
}
int remove_one(const char* path, const struct stat*, int, struct FTW*) {
  remove(path);
  return 0;
}
void cleanup_scratch() {
  if (chdir("/") != 0) return;
  nftw(g_scratch, clear_flags, 16, FTW_PHYS);
  nftw(g_scratch, remove_one, 16, FTW_PHYS | FTW_DEPTH);
}

// ---------------------------------------------------------------------------
// Summary.
// Appends printf-style text to the summary, which is written with one
// write(): sentry logs to the same stdout, and a line of ours must not be
// split by one of its warnings.
__attribute__((format(printf, 2, 3))) void add(std::string& o, const char* fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n > 0) o.append(buf, static_cast<size_t>(n < static_cast<int>(sizeof buf) ? n : static_cast<int>(sizeof buf) - 1));
}

void print_summary(double secs) {
  std::string o;
  uint64_t total = 0, ok = 0, imp = 0;
  for (int i = 0; i < kNumRows; i++) {
    total += g_sh->rows[i].calls.load();
    ok += g_sh->rows[i].ok.load();
    imp += g_sh->rows[i].impossible.load();
  }
  add(o, "syscall_fuzzer: seed=%llu calls=%llu threads=%d events=%d timer_ms=%d\n",
         (unsigned long long)g_opt.seed, (unsigned long long)g_opt.calls, g_opt.threads,
         g_opt.events ? 1 : 0, g_opt.timer_ms);
  add(o, "# ROW name nr serve declared_errno policy calls=N ok=N [ERRNO=N ...] [impossible=N]\n");
  for (int i = 0; i < kNumRows; i++) {
    const RowStats& s = g_sh->rows[i];
    Policy pol = policy_of(kRows[i].nr);
    const char* pn = pol == kSkip ? "skip" : pol == kChild ? "child" : "main";
    if (!g_opt.row_on[i]) pn = "off";
    add(o, "ROW %s %d %s %s %s calls=%llu ok=%llu", kRows[i].name, kRows[i].nr, serve_name(kRows[i].serve),
           kRows[i].err ? strerrorname_np(kRows[i].err) : "0", pn,
           (unsigned long long)s.calls.load(), (unsigned long long)s.ok.load());
    for (int e = 1; e < kErrSlots - 1; e++) {
      uint64_t n = s.err[e].load();
      if (n) add(o, " %s=%llu", strerrorname_np(e) ? strerrorname_np(e) : "E?", (unsigned long long)n);
    }
    if (s.err[kErrSlots - 1].load()) add(o, " OUT_OF_RANGE=%llu", (unsigned long long)s.err[kErrSlots - 1].load());
    if (s.impossible.load()) add(o, " impossible=%llu", (unsigned long long)s.impossible.load());
    add(o, "\n");
  }
  uint32_t nimp = g_sh->nimp.load();
  for (uint32_t i = 0; i < nimp && i < kMaxImp; i++) {
    const ImpRec& r = g_sh->imp[i];
    add(o, "IMPOSSIBLE row=%s nr=%d errno=%d%s %s=%d call=%llu args=%#llx,%#llx,%#llx,%#llx,%#llx,%#llx\n",
           kRows[r.row].name, kRows[r.row].nr, r.err,
           (r.err >= 512 && r.err <= 530) ? " (kernel-internal ERESTART*/ENOIOCTLCMD-range errno leaked)" : "",
           r.child ? "child-of-worker" : "worker", r.serial, (unsigned long long)r.callno,
           (unsigned long long)r.args[0], (unsigned long long)r.args[1], (unsigned long long)r.args[2],
           (unsigned long long)r.args[3], (unsigned long long)r.args[4], (unsigned long long)r.args[5]);
  }
  add(o, "CHILDREN forks=%llu fork_failed=%llu calls=%llu abnormal=%llu stuck=%llu",
         (unsigned long long)g_sh->forks.load(), (unsigned long long)g_sh->fork_failed.load(),
         (unsigned long long)g_sh->child_calls.load(), (unsigned long long)g_sh->child_abnormal.load(),
         (unsigned long long)g_sh->child_stuck.load());
  for (int i = 0; i < 8 && i < static_cast<int>(g_sh->child_abnormal.load()); i++)
    add(o, " status[%d]=%#x", i, g_sh->abnormal_status[i].load());
  add(o, "\n");
  add(o, "EVENTS workers_started=%llu retired=%llu churns=%llu result_fds_closed=%llu rights_closed=%llu\n",
         (unsigned long long)g_sh->started.load(), (unsigned long long)g_sh->retired.load(),
         (unsigned long long)g_sh->churns.load(), (unsigned long long)g_sh->closed_ret.load(),
         (unsigned long long)g_sh->rights_closed.load());
  add(o, "TOTAL calls=%llu ok=%llu failed=%llu impossible=%llu seconds=%.1f rate=%.0f/s\n",
         (unsigned long long)total, (unsigned long long)ok, (unsigned long long)(total - ok),
         (unsigned long long)imp, secs, secs > 0 ? total / secs : 0.0);
  add(o, "RESULT exit=%d\n", imp ? 1 : 0);
  fflush(stdout);
  for (size_t off = 0; off < o.size();) {
    ssize_t n = write(1, o.data() + off, o.size() - off);
    if (n <= 0) { if (n < 0 && errno == EINTR) continue; break; }
    off += static_cast<size_t>(n);
  }
}

void usage() {
  fprintf(stderr,
          "usage: syscall_fuzzer [--seed N] [--calls N] [--threads N] [--rows NAME,...] [--skip-rows NAME,...]\n"
          "                      [--no-events] [--trace] [--timer-ms N] [--kernel-bugs]\n");
  exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 0; i < kNumRows; i++) g_opt.row_on[i] = true;
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    auto val = [&]() -> const char* { if (i + 1 >= argc) usage(); return argv[++i]; };
    if (a == "--seed") g_opt.seed = strtoull(val(), nullptr, 0);
    else if (a == "--calls") g_opt.calls = strtoull(val(), nullptr, 0);
    else if (a == "--threads") g_opt.threads = atoi(val());
    else if (a == "--timer-ms") g_opt.timer_ms = atoi(val());
    else if (a == "--no-events") g_opt.events = false;
    else if (a == "--trace") g_opt.trace = true;
    else if (a == "--kernel-bugs") g_opt.kernel_bugs = true;
    else if (a == "--rows" || a == "--skip-rows") {
      bool only = a == "--rows";
      std::string list = std::string(",") + val() + ",";
      for (int r = 0; r < kNumRows; r++) {
        bool listed = list.find(std::string(",") + kRows[r].name + ",") != std::string::npos;
        g_opt.row_on[r] = only ? listed : (g_opt.row_on[r] && !listed);
      }
    } else usage();
  }
  if (g_opt.threads < 1 || g_opt.threads > 64 || g_opt.timer_ms < 1) usage();
  for (int r = 0; r < kNumRows; r++) {
    if (!g_opt.row_on[r]) continue;
    Policy p = policy_of(kRows[r].nr);
    if (p == kMain) g_main_rows[g_n_main_rows++] = r;
    if (p == kChild) g_child_rows[g_n_child_rows++] = r;
  }
  if (!g_n_main_rows && !g_n_child_rows) { fprintf(stderr, "syscall_fuzzer: no rows selected\n"); return 2; }
  if (!g_n_main_rows) g_opt.events = true;  // child-only rows need forks

  // stdio must stay ours: no generator produces 0..2, and they must be open.
  for (int fd = 0; fd < 3; fd++)
    if (fcntl(fd, F_GETFD) < 0) open("/dev/null", O_RDWR);
  g_main_pid = getpid();
  g_sig = SIGRTMIN + 4;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_timer;  // no SA_RESTART: blocked calls end with EINTR
  sigaction(g_sig, &sa, nullptr);
  sa.sa_handler = SIG_IGN;
  for (int s : {SIGPIPE, SIGIO, SIGURG, SIGXFSZ, SIGTTIN, SIGTTOU, SIGHUP, SIGWINCH}) sigaction(s, &sa, nullptr);

  if (!setup_memory() || !setup_scratch()) {
    fprintf(stderr, "syscall_fuzzer: setup failed: %s\n", strerror(errno));
    return 2;
  }
  if (!low_memory_empty()) { cleanup_scratch(); return 2; }
  fprintf(stderr, "syscall_fuzzer: scratch %s\n", g_scratch);  // for a judge that kills us
  for (int g = 0; g < kNumGroups; g++) {
    for (int i = 0; i < g_groups[g].count; i++) g_slots[g_groups[g].first + i].kind = kSlotKinds[g_groups[g].first + i];
    make_group(g);
  }

  if (g_opt.trace) {
    static const char* const kKindNames[] = {"pipe-r", "pipe-w", "eventfd", "tcp4-listen", "tcp4-conn",
                                             "tcp6-listen", "tcp6", "udp4", "udp6", "unix-stream",
                                             "unix-dgram", "unix-seqpacket", "unix-listen", "netlink",
                                             "epoll", "memfd", "file", "dir"};
    fprintf(stderr, "POOL");
    for (const Slot& s : g_slots) fprintf(stderr, " %d=%s", s.fd.load(), kKindNames[s.kind]);
    fprintf(stderr, "\n");
  }
  timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  std::vector<Worker> ws(static_cast<size_t>(g_opt.threads));
  int serial = 0;
  for (;;) {
    bool any = false;
    for (Worker& w : ws) {
      if (w.running && w.done.load()) { w.th.join(); w.running = false; }
      if (!w.running && g_issued.load() < g_opt.calls) {
        w.done = false;
        w.running = true;
        w.th = std::thread(worker_main, &w, serial++);
      }
      any = any || w.running;
    }
    if (!any) break;
    usleep(2000);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);

  // Sockets may have been given SO_LINGER: turn it off before exit closes them.
  struct linger off = {0, 0};
  for (int fd = 3; fd < 1024; fd++) setsockopt(fd, SOL_SOCKET, SO_LINGER, &off, sizeof off);
  syscall(SYS_close_range, 3, ~0U, 0);  // releases leases before the scratch tree goes
  cleanup_scratch();
  print_summary((t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
  return g_sh->nimp.load() ? 1 : 0;
}
