// Scheduling policy calls: priority ranges, sched_setscheduler/getscheduler/
// getparam, SCHED_RESET_ON_FORK, per-thread policies, sched_setattr/getattr
// (raw), sched_rr_get_interval, sched_yield, getcpu, and nice via
// setpriority/getpriority (including the raw syscall's 20-nice encoding).
// Runs as root; unprivileged cases run in a forked child that becomes nobody.
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <grp.h>

#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "conformance.h"

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif
#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

namespace {

// struct sched_attr, SCHED_ATTR_SIZE_VER0 (48 bytes) plus the VER1 utilization
// clamp fields (56 bytes), plus room to probe larger user sizes.
struct SchedAttr {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
  uint32_t sched_util_min;
  uint32_t sched_util_max;
  unsigned char pad[64];
};
constexpr unsigned kVer0 = 48;
constexpr unsigned kVer1 = 56;
static_assert(offsetof(SchedAttr, sched_util_min) == kVer0);
static_assert(offsetof(SchedAttr, pad) == kVer1);

long sched_setattr_raw(pid_t pid, void* attr, unsigned flags) {
  return syscall(SYS_sched_setattr, pid, attr, flags);
}
long sched_getattr_raw(pid_t pid, void* attr, unsigned size, unsigned flags) {
  return syscall(SYS_sched_getattr, pid, attr, size, flags);
}


// Runs fn in a forked child; the child's CHECK failures are printed by the
// child and turned into its exit status, which the parent asserts.
template <typename F>
bool in_child(F fn) {
  std::fflush(nullptr);
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    const int before = conformance::failures();
    fn();
    _exit(conformance::failures() != before ? 1 : 0);
  }
  int st = 0;
  if (waitpid(pid, &st, 0) != pid) return false;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

// CHECK_CHILD(in_child(...)): reports the parent's line, not the lambda text.
#define CHECK_CHILD(...)                                                  \
  do {                                                                    \
    bool child_ok_ = (__VA_ARGS__);                                       \
    if (!child_ok_)                                                       \
      conformance::fail(__FILE__, __LINE__, "checks in child failed", 0); \
  } while (0)

bool become_nobody() {
  return setgroups(0, nullptr) == 0 && setresgid(65534, 65534, 65534) == 0 &&
         setresuid(65534, 65534, 65534) == 0;
}

int get_policy(pid_t pid) { return sched_getscheduler(pid); }

int get_prio(pid_t pid) {
  sched_param p{};
  p.sched_priority = -1;
  if (sched_getparam(pid, &p) != 0) return -1;
  return p.sched_priority;
}

int set_policy(pid_t pid, int policy, int prio) {
  sched_param p{};
  p.sched_priority = prio;
  return sched_setscheduler(pid, policy, &p);
}

long raw_getpriority(int which, int who) {
  return syscall(SYS_getpriority, which, who);
}

// nice value via glibc; errno distinguishes -1 from an error.
int get_nice(int who) {
  errno = 0;
  int n = getpriority(PRIO_PROCESS, static_cast<id_t>(who));
  if (n == -1 && errno != 0) return INT_MIN;
  return n;
}

struct ThreadResult {
  bool set_ok = false;
  int own_policy = -1;
  int own_prio = -1;
  int child_policy = -1;  // policy observed by a thread this thread created
  long rr_sec = -1, rr_nsec = -1;
  int nice = INT_MIN;
};

void* inherit_probe(void* arg) {
  *static_cast<int*>(arg) = sched_getscheduler(0);
  return nullptr;
}

void* fifo_thread(void* arg) {
  auto* r = static_cast<ThreadResult*>(arg);
  r->set_ok = set_policy(0, SCHED_FIFO, 10) == 0;
  r->own_policy = get_policy(0);
  r->own_prio = get_prio(0);
  timespec ts{-1, -1};
  if (sched_rr_get_interval(0, &ts) == 0) {
    r->rr_sec = ts.tv_sec;
    r->rr_nsec = ts.tv_nsec;
  }
  // A thread created by a FIFO thread inherits FIFO (clone copies the policy).
  pthread_t t;
  if (pthread_create(&t, nullptr, inherit_probe, &r->child_policy) == 0)
    pthread_join(t, nullptr);
  set_policy(0, SCHED_OTHER, 0);
  return nullptr;
}

void* rr_thread(void* arg) {
  auto* r = static_cast<ThreadResult*>(arg);
  r->set_ok = set_policy(0, SCHED_RR, 5) == 0;
  r->own_policy = get_policy(0);
  r->own_prio = get_prio(0);
  timespec ts{-1, -1};
  if (sched_rr_get_interval(0, &ts) == 0) {
    r->rr_sec = ts.tv_sec;
    r->rr_nsec = ts.tv_nsec;
  }
  set_policy(0, SCHED_OTHER, 0);
  return nullptr;
}

void* nice_thread(void* arg) {
  auto* r = static_cast<ThreadResult*>(arg);
  r->set_ok = setpriority(PRIO_PROCESS, 0, 7) == 0;
  r->nice = get_nice(0);
  return nullptr;
}

// Fields 18 (priority), 19 (nice), 40 (rt_priority) and 41 (policy) of a
// /proc stat file; all -100 when it cannot be read.
struct StatSched {
  long prio = -100, nice = -100, rt = -100, policy = -100;
  bool operator==(const StatSched&) const = default;
};

StatSched stat_sched(const std::string& path) {
  StatSched r;
  FILE* f = std::fopen(path.c_str(), "re");
  if (f == nullptr) return r;
  char buf[2048];
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  const char* p = std::strrchr(buf, ')');
  if (p == nullptr) return r;
  long field[64] = {};
  int i = 3;  // the first field after the comm is field 3 (state)
  for (p += 2; *p != '\0' && i < 64; ++i) {
    if (i > 3) field[i] = std::strtol(p, nullptr, 10);
    p = std::strchr(p, ' ');
    if (p == nullptr) break;
    ++p;
  }
  if (i < 41) return r;
  r.prio = field[18];
  r.nice = field[19];
  r.rt = field[40];
  r.policy = field[41];
  return r;
}

std::string task_stat(pid_t tid) {
  return "/proc/self/task/" + std::to_string(tid) + "/stat";
}

// A new thread reads its own stat before anything else.
void* read_own_stat(void* arg) {
  *static_cast<StatSched*>(arg) = stat_sched(task_stat(static_cast<pid_t>(syscall(SYS_gettid))));
  return nullptr;
}

struct Parked {
  int fds[2];
  pid_t tid = 0;
};

// A thread that reports its tid and waits until its pipe is written.
void* parked_thread(void* arg) {
  auto* p = static_cast<Parked*>(arg);
  __atomic_store_n(&p->tid, static_cast<pid_t>(syscall(SYS_gettid)), __ATOMIC_RELEASE);
  char c;
  while (read(p->fds[0], &c, 1) < 0 && errno == EINTR) {
  }
  return nullptr;
}

}  // namespace

int main() {
  const pid_t self = getpid();

  // --- Priority ranges. ---
  CHECK(sched_get_priority_min(SCHED_OTHER) == 0);
  CHECK(sched_get_priority_max(SCHED_OTHER) == 0);
  CHECK(sched_get_priority_min(SCHED_BATCH) == 0);
  CHECK(sched_get_priority_max(SCHED_BATCH) == 0);
  CHECK(sched_get_priority_min(SCHED_IDLE) == 0);
  CHECK(sched_get_priority_max(SCHED_IDLE) == 0);
  CHECK(sched_get_priority_min(SCHED_DEADLINE) == 0);
  CHECK(sched_get_priority_max(SCHED_DEADLINE) == 0);
  CHECK(sched_get_priority_min(SCHED_FIFO) == 1);
  CHECK(sched_get_priority_max(SCHED_FIFO) == 99);
  CHECK(sched_get_priority_min(SCHED_RR) == 1);
  CHECK(sched_get_priority_max(SCHED_RR) == 99);
  CHECK_ERR(sched_get_priority_min(4), EINVAL);  // unused policy number
  CHECK_ERR(sched_get_priority_max(4), EINVAL);
  CHECK_ERR(sched_get_priority_min(42), EINVAL);
  CHECK_ERR(sched_get_priority_max(-1), EINVAL);
  // The RESET_ON_FORK flag is not accepted by the range queries.
  CHECK_ERR(sched_get_priority_max(SCHED_FIFO | SCHED_RESET_ON_FORK), EINVAL);

  // --- pid 1 and the parent exist for the scheduler calls (under sentry: its
  // init, which the guest does not own), and the policy is checked once the
  // task is found: EINVAL for a bad one, ESRCH only for a missing task.
  CHECK(sched_getscheduler(1) >= 0);
  CHECK(sched_getscheduler(getppid()) >= 0);
  {
    sched_param p{};
    CHECK(sched_getparam(1, &p) == 0);
    cpu_set_t set;
    CPU_ZERO(&set);
    CHECK(sched_getaffinity(1, sizeof set, &set) == 0);
    CHECK(CPU_COUNT(&set) >= 1);
    CHECK_ERR(sched_setscheduler(1, 12345, &p), EINVAL);
    CHECK_ERR(sched_setscheduler(0x3fffffff, 12345, &p), ESRCH);
  }

  // --- Initial state. ---
  CHECK(get_policy(0) == SCHED_OTHER);
  CHECK(get_policy(self) == SCHED_OTHER);
  CHECK(get_prio(0) == 0);

  // --- FIFO 99 as root, then back to OTHER 0. ---
  CHECK(set_policy(0, SCHED_FIFO, 99) == 0);
  CHECK(get_policy(0) == SCHED_FIFO);
  CHECK(get_prio(0) == 99);
  {
    // sched_setparam changes only the priority.
    sched_param p{};
    p.sched_priority = 50;
    CHECK(sched_setparam(0, &p) == 0);
    CHECK(get_policy(0) == SCHED_FIFO);
    CHECK(get_prio(0) == 50);
    p.sched_priority = 0;
    CHECK_ERR(sched_setparam(0, &p), EINVAL);
    timespec ts{-1, -1};
    // SCHED_FIFO has no time slice: the interval is 0.
    CHECK(sched_rr_get_interval(0, &ts) == 0);
    CHECK(ts.tv_sec == 0 && ts.tv_nsec == 0);
  }
  CHECK(set_policy(0, SCHED_OTHER, 0) == 0);
  CHECK(get_policy(0) == SCHED_OTHER);
  CHECK(get_prio(0) == 0);

  // --- Parameter validation. ---
  CHECK_ERR(set_policy(0, SCHED_FIFO, 0), EINVAL);
  CHECK_ERR(set_policy(0, SCHED_FIFO, 100), EINVAL);
  CHECK_ERR(set_policy(0, SCHED_RR, 0), EINVAL);
  CHECK_ERR(set_policy(0, SCHED_OTHER, 1), EINVAL);
  CHECK_ERR(set_policy(0, SCHED_BATCH, 1), EINVAL);
  CHECK_ERR(set_policy(0, SCHED_IDLE, 1), EINVAL);
  CHECK_ERR(set_policy(0, 4, 0), EINVAL);
  CHECK_ERR(set_policy(0, 42, 0), EINVAL);
  CHECK_ERR(set_policy(-1, SCHED_OTHER, 0), EINVAL);
  CHECK_ERR(set_policy(INT_MAX, SCHED_OTHER, 0), ESRCH);
  CHECK_ERR(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, nullptr), EINVAL);
  CHECK_ERR(syscall(SYS_sched_getparam, 0, nullptr), EINVAL);
  CHECK_ERR(sched_getscheduler(-1), EINVAL);
  CHECK_ERR(sched_getscheduler(INT_MAX), ESRCH);
  {
    sched_param p{};
    CHECK_ERR(sched_getparam(-1, &p), EINVAL);
    CHECK_ERR(sched_getparam(INT_MAX, &p), ESRCH);
  }
  CHECK(get_policy(0) == SCHED_OTHER);

  // --- BATCH and IDLE round trips. ---
  CHECK(set_policy(0, SCHED_BATCH, 0) == 0);
  CHECK(get_policy(0) == SCHED_BATCH);
  CHECK(set_policy(0, SCHED_IDLE, 0) == 0);
  CHECK(get_policy(0) == SCHED_IDLE);
  CHECK(set_policy(0, SCHED_OTHER, 0) == 0);
  CHECK(get_policy(0) == SCHED_OTHER);

  // --- SCHED_RESET_ON_FORK is reported back and cleared in the child. ---
  CHECK(set_policy(0, SCHED_FIFO | SCHED_RESET_ON_FORK, 20) == 0);
  CHECK(get_policy(0) == (SCHED_FIFO | SCHED_RESET_ON_FORK));
  CHECK(get_prio(0) == 20);
  CHECK_CHILD(in_child([] {
    // An RT policy resets to SCHED_OTHER/0 and the flag itself is cleared.
    CHECK(get_policy(0) == SCHED_OTHER);
    CHECK(get_prio(0) == 0);
  }));
  CHECK(set_policy(0, SCHED_OTHER | SCHED_RESET_ON_FORK, 0) == 0);
  CHECK(get_policy(0) == (SCHED_OTHER | SCHED_RESET_ON_FORK));
  // A negative nice is reset to 0 in the child, too.
  CHECK(setpriority(PRIO_PROCESS, 0, -3) == 0);
  CHECK(get_nice(0) == -3);
  CHECK_CHILD(in_child([] {
    CHECK(get_policy(0) == SCHED_OTHER);
    CHECK(get_nice(0) == 0);
  }));
  // Without the flag, fork inherits policy, priority and nice.
  CHECK(set_policy(0, SCHED_OTHER, 0) == 0);
  CHECK(get_policy(0) == SCHED_OTHER);
  CHECK(get_nice(0) == -3);
  CHECK_CHILD(in_child([] { CHECK(get_nice(0) == -3); }));
  CHECK(set_policy(0, SCHED_RR, 7) == 0);
  CHECK_CHILD(in_child([] {
    CHECK(get_policy(0) == SCHED_RR);
    CHECK(get_prio(0) == 7);
  }));
  CHECK(set_policy(0, SCHED_OTHER, 0) == 0);
  CHECK(setpriority(PRIO_PROCESS, 0, 0) == 0);

  // --- Per-thread policy. ---
  {
    ThreadResult r;
    pthread_t t;
    CHECK(pthread_create(&t, nullptr, fifo_thread, &r) == 0);
    CHECK(pthread_join(t, nullptr) == 0);
    CHECK(r.set_ok);
    CHECK(r.own_policy == SCHED_FIFO);
    CHECK(r.own_prio == 10);
    CHECK(r.rr_sec == 0 && r.rr_nsec == 0);
    CHECK(r.child_policy == SCHED_FIFO);
    CHECK(get_policy(0) == SCHED_OTHER);
    CHECK(get_prio(0) == 0);
  }
  {
    // Observed from the main thread by tid while the other thread is FIFO.
    struct Shared {
      pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
      pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
      pid_t tid = 0;
      bool done = false;
    } sh;
    pthread_t t;
    CHECK(pthread_create(
              &t, nullptr,
              [](void* a) -> void* {
                auto* s = static_cast<Shared*>(a);
                sched_param p{};
                p.sched_priority = 30;
                bool ok = sched_setscheduler(0, SCHED_FIFO, &p) == 0;
                pthread_mutex_lock(&s->mu);
                s->tid = ok ? static_cast<pid_t>(syscall(SYS_gettid)) : -1;
                pthread_cond_broadcast(&s->cv);
                while (!s->done) pthread_cond_wait(&s->cv, &s->mu);
                pthread_mutex_unlock(&s->mu);
                return nullptr;
              },
              &sh) == 0);
    pthread_mutex_lock(&sh.mu);
    while (sh.tid == 0) pthread_cond_wait(&sh.cv, &sh.mu);
    pid_t tid = sh.tid;
    pthread_mutex_unlock(&sh.mu);
    CHECK(tid > 0);
    if (tid > 0) {
      CHECK(get_policy(tid) == SCHED_FIFO);
      CHECK(get_prio(tid) == 30);
      CHECK(get_policy(self) == SCHED_OTHER);
      CHECK(get_policy(0) == SCHED_OTHER);
      // The main thread may change the other thread by tid.
      CHECK(set_policy(tid, SCHED_RR, 31) == 0);
      CHECK(get_policy(tid) == SCHED_RR);
      CHECK(get_prio(tid) == 31);
      CHECK(set_policy(tid, SCHED_OTHER, 0) == 0);
      CHECK(get_policy(tid) == SCHED_OTHER);
    }
    pthread_mutex_lock(&sh.mu);
    sh.done = true;
    pthread_cond_broadcast(&sh.cv);
    pthread_mutex_unlock(&sh.mu);
    CHECK(pthread_join(t, nullptr) == 0);
  }

  // --- sched_rr_get_interval. ---
  {
    ThreadResult r;
    pthread_t t;
    CHECK(pthread_create(&t, nullptr, rr_thread, &r) == 0);
    CHECK(pthread_join(t, nullptr) == 0);
    CHECK(r.set_ok);
    CHECK(r.own_policy == SCHED_RR);
    CHECK(r.own_prio == 5);
    // The RR time slice: sched_rr_timeslice_ms (100 ms by default).
    long rr_ms = 100;
    if (FILE* f = std::fopen("/proc/sys/kernel/sched_rr_timeslice_ms", "r")) {
      if (std::fscanf(f, "%ld", &rr_ms) != 1) rr_ms = 100;
      std::fclose(f);
    }
    CHECK(r.rr_sec == 0 && r.rr_nsec == rr_ms * 1000000L);

    // The fair policies report their slice converted to whole jiffies. The
    // EEVDF slice (0.7 ms * (1 + ilog2(min(ncpus, 8)))) is below one jiffy
    // at HZ=250, so Linux reports 0 for OTHER, BATCH and IDLE.
    timespec ts{-1, -1};
    CHECK(sched_rr_get_interval(0, &ts) == 0);
    CHECK(ts.tv_sec == 0 && ts.tv_nsec == 0);
    CHECK(set_policy(0, SCHED_BATCH, 0) == 0);
    ts = {-1, -1};
    CHECK(sched_rr_get_interval(0, &ts) == 0);
    CHECK(ts.tv_sec == 0 && ts.tv_nsec == 0);
    CHECK(set_policy(0, SCHED_OTHER, 0) == 0);
    // Another thread's or process's interval can be read by pid.
    ts = {-1, -1};
    CHECK(sched_rr_get_interval(self, &ts) == 0);
    CHECK(ts.tv_sec == 0 && ts.tv_nsec == 0);
    CHECK_ERR(sched_rr_get_interval(-1, &ts), EINVAL);
    CHECK_ERR(sched_rr_get_interval(INT_MAX, &ts), ESRCH);
    CHECK_ERR(syscall(SYS_sched_rr_get_interval, 0, nullptr), EFAULT);
  }

  // --- sched_yield / getcpu. ---
  CHECK(sched_yield() == 0);
  CHECK(syscall(SYS_sched_yield) == 0);
  {
    const long onln = sysconf(_SC_NPROCESSORS_ONLN);
    cpu_set_t mask;
    CPU_ZERO(&mask);
    CHECK(sched_getaffinity(0, sizeof(mask), &mask) == 0);
    unsigned cpu = ~0u, node = ~0u;
    CHECK(syscall(309, &cpu, &node, nullptr) == 0);  // SYS_getcpu
    CHECK(cpu < static_cast<unsigned>(onln));
    CHECK(CPU_ISSET(cpu, &mask));
    CHECK(node == 0);
    // Both output pointers are optional.
    CHECK(syscall(309, nullptr, nullptr, nullptr) == 0);
    cpu = ~0u;
    CHECK(syscall(309, &cpu, nullptr, nullptr) == 0);
    CHECK(cpu < static_cast<unsigned>(onln));
    int c = sched_getcpu();
    CHECK(c >= 0 && c < onln);
  }

  // --- sched_setattr / sched_getattr. ---
  {
    SchedAttr a;
    std::memset(&a, 0xee, sizeof(a));
    CHECK(sched_getattr_raw(0, &a, kVer0, 0) == 0);
    CHECK(a.size == kVer0);
    CHECK(a.sched_policy == SCHED_OTHER);
    CHECK(a.sched_flags == 0);
    CHECK(a.sched_nice == 0);
    CHECK(a.sched_priority == 0);
    CHECK(a.pad[0] == 0xee);  // nothing past the user size is written

    // The fair class reports its time slice in sched_runtime (Linux >= 6.12).
    CHECK(a.sched_runtime > 0);
    CHECK(a.sched_deadline == 0 && a.sched_period == 0);

    // A larger user size: attr->size reports the kernel's own size (VER1, 56
    // bytes) and the rest of the user buffer is zero-filled.
    std::memset(&a, 0xee, sizeof(a));
    CHECK(sched_getattr_raw(0, &a, sizeof(a), 0) == 0);
    CHECK(a.size == kVer1);
    bool tail_zero = true;
    for (unsigned char c : a.pad)
      if (c != 0) tail_zero = false;
    CHECK(tail_zero);

    CHECK_ERR(sched_getattr_raw(0, &a, kVer0 - 1, 0), EINVAL);
    CHECK_ERR(sched_getattr_raw(0, &a, 0, 0), EINVAL);
    CHECK_ERR(sched_getattr_raw(0, &a, kVer0, 1), EINVAL);  // flags
    CHECK_ERR(sched_getattr_raw(0, nullptr, kVer0, 0), EINVAL);
    CHECK_ERR(sched_getattr_raw(-1, &a, kVer0, 0), EINVAL);
    CHECK_ERR(sched_getattr_raw(INT_MAX, &a, kVer0, 0), ESRCH);

    // Set OTHER with nice 5 via setattr; getattr and getpriority agree.
    std::memset(&a, 0, sizeof(a));
    a.size = kVer0;
    a.sched_policy = SCHED_OTHER;
    a.sched_nice = 5;
    CHECK(sched_setattr_raw(0, &a, 0) == 0);
    std::memset(&a, 0, sizeof(a));
    CHECK(sched_getattr_raw(0, &a, kVer0, 0) == 0);
    CHECK(a.sched_policy == SCHED_OTHER);
    CHECK(a.sched_nice == 5);
    CHECK(get_nice(0) == 5);

    // size 0 means VER0.
    std::memset(&a, 0, sizeof(a));
    a.size = 0;
    a.sched_policy = SCHED_BATCH;
    a.sched_nice = 3;
    CHECK(sched_setattr_raw(0, &a, 0) == 0);
    CHECK(get_policy(0) == SCHED_BATCH);
    CHECK(get_nice(0) == 3);

    // Out-of-range nice in setattr is clamped, not rejected.
    std::memset(&a, 0, sizeof(a));
    a.size = kVer0;
    a.sched_policy = SCHED_OTHER;
    a.sched_nice = 30;
    CHECK(sched_setattr_raw(0, &a, 0) == 0);
    CHECK(get_nice(0) == 19);

    // A nonzero size below VER0: E2BIG, and the kernel writes its own size
    // back into attr->size.
    std::memset(&a, 0, sizeof(a));
    a.size = 40;
    a.sched_policy = SCHED_OTHER;
    CHECK_ERR(sched_setattr_raw(0, &a, 0), E2BIG);
    CHECK(a.size == kVer1);
    // A larger size whose unknown tail is nonzero: E2BIG; zero tail: OK.
    std::memset(&a, 0, sizeof(a));
    a.size = sizeof(a);
    a.sched_policy = SCHED_OTHER;
    a.pad[10] = 1;
    CHECK_ERR(sched_setattr_raw(0, &a, 0), E2BIG);
    CHECK(a.size == kVer1);
    std::memset(&a, 0, sizeof(a));
    a.size = sizeof(a);
    a.sched_policy = SCHED_OTHER;
    a.sched_nice = 0;
    CHECK(sched_setattr_raw(0, &a, 0) == 0);
    CHECK(get_nice(0) == 0);

    // flags argument nonzero, bad policy, FIFO priority out of range.
    std::memset(&a, 0, sizeof(a));
    a.size = kVer0;
    CHECK_ERR(sched_setattr_raw(0, &a, 1), EINVAL);
    a.sched_policy = 42;
    CHECK_ERR(sched_setattr_raw(0, &a, 0), EINVAL);
    a.sched_policy = SCHED_FIFO;
    a.sched_priority = 0;
    CHECK_ERR(sched_setattr_raw(0, &a, 0), EINVAL);
    a.sched_priority = 100;
    CHECK_ERR(sched_setattr_raw(0, &a, 0), EINVAL);
    CHECK_ERR(sched_setattr_raw(0, nullptr, 0), EINVAL);
    CHECK_ERR(sched_setattr_raw(-1, &a, 0), EINVAL);

    // FIFO via setattr; getattr and getscheduler/getparam agree.
    std::memset(&a, 0, sizeof(a));
    a.size = kVer0;
    a.sched_policy = SCHED_FIFO;
    a.sched_priority = 42;
    CHECK(sched_setattr_raw(0, &a, 0) == 0);
    CHECK(get_policy(0) == SCHED_FIFO);
    CHECK(get_prio(0) == 42);
    std::memset(&a, 0, sizeof(a));
    CHECK(sched_getattr_raw(0, &a, kVer0, 0) == 0);
    CHECK(a.sched_policy == SCHED_FIFO);
    CHECK(a.sched_priority == 42);
    // RESET_ON_FORK is a sched_flags bit (0x1) in the attr interface.
    std::memset(&a, 0, sizeof(a));
    a.size = kVer0;
    a.sched_policy = SCHED_OTHER;
    a.sched_flags = 1;  // SCHED_FLAG_RESET_ON_FORK
    CHECK(sched_setattr_raw(0, &a, 0) == 0);
    CHECK(get_policy(0) == (SCHED_OTHER | SCHED_RESET_ON_FORK));
    std::memset(&a, 0, sizeof(a));
    CHECK(sched_getattr_raw(0, &a, kVer0, 0) == 0);
    CHECK(a.sched_policy == SCHED_OTHER);
    CHECK(a.sched_flags == 1);
    CHECK(set_policy(0, SCHED_OTHER, 0) == 0);
    CHECK(get_policy(0) == SCHED_OTHER);
  }

  // --- setpriority / getpriority. ---
  {
    CHECK(get_nice(0) == 0);
    // The raw syscall returns 20 - nice (1..40), never a negative value.
    CHECK(raw_getpriority(PRIO_PROCESS, 0) == 20);
    CHECK(setpriority(PRIO_PROCESS, 0, 5) == 0);
    CHECK(get_nice(0) == 5);
    CHECK(get_nice(self) == 5);
    CHECK(raw_getpriority(PRIO_PROCESS, 0) == 15);
    CHECK(setpriority(PRIO_PROCESS, 0, -5) == 0);
    CHECK(get_nice(0) == -5);
    CHECK(raw_getpriority(PRIO_PROCESS, 0) == 25);
    // Out-of-range values are clamped to [-20, 19].
    CHECK(setpriority(PRIO_PROCESS, 0, 100) == 0);
    CHECK(get_nice(0) == 19);
    CHECK(raw_getpriority(PRIO_PROCESS, 0) == 1);
    CHECK(setpriority(PRIO_PROCESS, 0, -100) == 0);
    CHECK(get_nice(0) == -20);
    CHECK(raw_getpriority(PRIO_PROCESS, 0) == 40);
    CHECK(setpriority(PRIO_PROCESS, 0, 0) == 0);
    CHECK_ERR(setpriority(42, 0, 0), EINVAL);
    CHECK_ERR(raw_getpriority(42, 0), EINVAL);
    CHECK_ERR(setpriority(PRIO_PROCESS, INT_MAX, 0), ESRCH);
    CHECK_ERR(getpriority(PRIO_PROCESS, INT_MAX), ESRCH);
    // PRIO_PGRP / PRIO_USER of our own group / user.
    CHECK(raw_getpriority(PRIO_PGRP, 0) >= 1);
    CHECK(raw_getpriority(PRIO_USER, 0) >= 1);

    // nice of PRIO_PROCESS 0 is per thread on Linux.
    ThreadResult r;
    pthread_t t;
    CHECK(pthread_create(&t, nullptr, nice_thread, &r) == 0);
    CHECK(pthread_join(t, nullptr) == 0);
    CHECK(r.set_ok);
    CHECK(r.nice == 7);
    CHECK(get_nice(0) == 0);

    // nice() returns the new value.
    errno = 0;
    CHECK(nice(2) == 2 && errno == 0);
    CHECK(get_nice(0) == 2);
    CHECK(setpriority(PRIO_PROCESS, 0, 0) == 0);
  }

  // --- Unprivileged child (nobody). ---
  CHECK(setpriority(PRIO_PROCESS, 0, 5) == 0);
  CHECK_CHILD(in_child([self] {
    rlimit rl{0, 0};
    CHECK(setrlimit(RLIMIT_RTPRIO, &rl) == 0);
    CHECK(setrlimit(RLIMIT_NICE, &rl) == 0);
    CHECK(become_nobody());
    CHECK(geteuid() == 65534);
    // Real-time policies need CAP_SYS_NICE or a nonzero RLIMIT_RTPRIO.
    CHECK_ERR(set_policy(0, SCHED_FIFO, 1), EPERM);
    CHECK_ERR(set_policy(0, SCHED_RR, 1), EPERM);
    CHECK(get_policy(0) == SCHED_OTHER);
    // Invalid priorities are still EINVAL (checked before permission).
    CHECK_ERR(set_policy(0, SCHED_FIFO, 100), EINVAL);
    // Switching among the fair policies is allowed.
    CHECK(set_policy(0, SCHED_BATCH, 0) == 0);
    CHECK(get_policy(0) == SCHED_BATCH);
    CHECK(set_policy(0, SCHED_OTHER, 0) == 0);
    // The nice value inherited from the parent is 5; lowering it needs
    // RLIMIT_NICE headroom (none): EACCES. Raising is fine.
    CHECK(get_nice(0) == 5);
    CHECK_ERR(setpriority(PRIO_PROCESS, 0, 4), EACCES);
    CHECK(setpriority(PRIO_PROCESS, 0, 10) == 0);
    CHECK(get_nice(0) == 10);
    CHECK_ERR(setpriority(PRIO_PROCESS, 0, 9), EACCES);
    errno = 0;
    CHECK(nice(-1) == -1 && errno == EPERM);
    // Lowering nice via sched_setattr: EPERM (not EACCES).
    SchedAttr a;
    std::memset(&a, 0, sizeof(a));
    a.size = kVer0;
    a.sched_policy = SCHED_OTHER;
    a.sched_nice = 0;
    CHECK_ERR(sched_setattr_raw(0, &a, 0), EPERM);
    // Another user's (root's) process: EPERM, for setpriority and
    // sched_setscheduler alike; reading is allowed.
    CHECK_ERR(setpriority(PRIO_PROCESS, static_cast<id_t>(self), 19), EPERM);
    CHECK_ERR(set_policy(self, SCHED_OTHER, 0), EPERM);
    CHECK(get_policy(self) == SCHED_OTHER);
    CHECK(get_nice(self) == 5);
    cpu_set_t m;
    CPU_ZERO(&m);
    CHECK(sched_getaffinity(self, sizeof(m), &m) == 0);
    CHECK_ERR(sched_setaffinity(self, sizeof(m), &m), EPERM);
    // SCHED_IDLE may be entered without privilege, but not left.
    CHECK(set_policy(0, SCHED_IDLE, 0) == 0);
    CHECK(get_policy(0) == SCHED_IDLE);
    CHECK_ERR(set_policy(0, SCHED_OTHER, 0), EPERM);
    CHECK(get_policy(0) == SCHED_IDLE);
  }));
  CHECK_CHILD(in_child([] {
    // SCHED_RESET_ON_FORK cannot be cleared without privilege.
    CHECK(set_policy(0, SCHED_OTHER | SCHED_RESET_ON_FORK, 0) == 0);
    CHECK(become_nobody());
    CHECK(get_policy(0) == (SCHED_OTHER | SCHED_RESET_ON_FORK));
    CHECK_ERR(set_policy(0, SCHED_OTHER, 0), EPERM);
    CHECK(set_policy(0, SCHED_BATCH | SCHED_RESET_ON_FORK, 0) == 0);
    CHECK(get_policy(0) == (SCHED_BATCH | SCHED_RESET_ON_FORK));
  }));
  CHECK(setpriority(PRIO_PROCESS, 0, 0) == 0);
  CHECK(get_nice(0) == 0);

  // --- /proc's stat shows the policy, RT priority and nice as soon as the
  // call that set them returned, for the caller, a thread it creates, a
  // sibling it changes, and a child that resets on fork.
  CHECK_CHILD(in_child([] {
    const pid_t me = static_cast<pid_t>(syscall(SYS_gettid));
    CHECK(stat_sched("/proc/self/stat") == (StatSched{20, 0, 0, SCHED_OTHER}));
    CHECK(setpriority(PRIO_PROCESS, 0, 6) == 0);
    CHECK(stat_sched("/proc/self/stat") == (StatSched{26, 6, 0, SCHED_OTHER}));
    CHECK(stat_sched(task_stat(me)) == (StatSched{26, 6, 0, SCHED_OTHER}));
    CHECK(set_policy(0, SCHED_BATCH, 0) == 0);
    CHECK(stat_sched("/proc/self/stat") == (StatSched{26, 6, 0, SCHED_BATCH}));
    CHECK(set_policy(0, SCHED_FIFO, 10) == 0);
    CHECK(stat_sched("/proc/self/stat") == (StatSched{-11, 6, 10, SCHED_FIFO}));
    StatSched child;
    pthread_t t;
    CHECK(pthread_create(&t, nullptr, read_own_stat, &child) == 0);
    pthread_join(t, nullptr);
    CHECK(child == (StatSched{-11, 6, 10, SCHED_FIFO}));
    CHECK(set_policy(0, SCHED_OTHER, 0) == 0);
    CHECK(setpriority(PRIO_PROCESS, 0, 0) == 0);
    CHECK(stat_sched("/proc/self/stat") == (StatSched{20, 0, 0, SCHED_OTHER}));
    // A sibling changed by another thread.
    Parked parked;
    CHECK(pipe(parked.fds) == 0);
    CHECK(pthread_create(&t, nullptr, parked_thread, &parked) == 0);
    while (__atomic_load_n(&parked.tid, __ATOMIC_ACQUIRE) == 0) sched_yield();
    CHECK(stat_sched(task_stat(parked.tid)) == (StatSched{20, 0, 0, SCHED_OTHER}));
    CHECK(setpriority(PRIO_PROCESS, static_cast<id_t>(parked.tid), 9) == 0);
    CHECK(stat_sched(task_stat(parked.tid)) == (StatSched{29, 9, 0, SCHED_OTHER}));
    CHECK(stat_sched("/proc/self/stat") == (StatSched{20, 0, 0, SCHED_OTHER}));
    CHECK(set_policy(parked.tid, SCHED_RR, 3) == 0);
    CHECK(stat_sched(task_stat(parked.tid)) == (StatSched{-4, 9, 3, SCHED_RR}));
    CHECK(write(parked.fds[1], "x", 1) == 1);
    pthread_join(t, nullptr);
    // A child of a FIFO process that resets on fork.
    CHECK(set_policy(0, SCHED_FIFO | SCHED_RESET_ON_FORK, 5) == 0);
    CHECK_CHILD(in_child([] { CHECK(stat_sched("/proc/self/stat") == (StatSched{20, 0, 0, SCHED_OTHER})); }));
    CHECK(set_policy(0, SCHED_FIFO, 5) == 0);
    CHECK_CHILD(in_child([] { CHECK(stat_sched("/proc/self/stat") == (StatSched{-6, 0, 5, SCHED_FIFO})); }));
  }));

  return conformance::finish();
}
