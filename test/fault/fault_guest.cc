// Fault injection from inside the guest (issue 14): processes killed at
// random points of served, translated and fd-installing calls, stopped and
// continued, a ptrace attempt, descriptors and memory exhausted, threads
// exiting while sentry reads their memory, and pressure on sentry's own
// descriptors. Every mode passes natively first; run_faults.sh runs it under
// sentry and judges sentry itself from the host (its fds, its RSS, its exit).
//
// Usage: fault_guest MODE [SECONDS]
//   kill-churn     workers in served calls SIGKILLed at random; a sentinel
//                  thread's calls keep their answers and never stall
//   stop-cont      workers SIGSTOPped and SIGCONTed at random: a stopped
//                  worker makes no progress, none gets a wrong answer
//   ptrace         a guest's PTRACE_TRACEME and PTRACE_ATTACH of a sibling
//                  neither hang nor break either process
//   fd-exhaust     calls that install fds at RLIMIT_NOFILE give EMFILE, and
//                  work again once fds are closed
//   mem-exhaust    allocation fails at RLIMIT_AS; the calls still work
//   exit-race      a thread in calls whose arguments sentry reads while
//                  another thread ends the process, 300 times
//   fd-pressure    many NETLINK_ROUTE sockets and epoll registrations (each
//                  costs sentry a descriptor): every failure is an errno
//                  Linux gives, and all works again after closing them
// Prints "ok: ..." or "FAIL: ..." lines; exit status 0 when all passed.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/futex.h>

#include <atomic>
#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

int g_failures = 0;

void fail(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::fprintf(stderr, "FAIL: ");
  std::vfprintf(stderr, fmt, ap);
  std::fprintf(stderr, "\n");
  va_end(ap);
  ++g_failures;
}

double now_ms() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

unsigned rnd(unsigned* seed) { return static_cast<unsigned>(rand_r(seed)); }

// One round of calls sentry serves, translates or installs fds for, each
// answer checked; returns the number of wrong answers (the first few are
// printed with `who`).
struct Round {
  uid_t uid = getuid();
  int pipe_rd = -1;
  int listener = -1;  // a non-blocking IPv6 TCP listener with nothing pending
};

int wrong_answers(const Round& r, const char* who, int* printed) {
  int wrong = 0;
  auto bad = [&](const char* what) {
    ++wrong;
    if ((*printed)++ < 3) std::fprintf(stderr, "  %s: %s (errno %d %s)\n", who, what, errno, std::strerror(errno));
  };
  if (getuid() != r.uid) bad("getuid");
  char name[16] = "fault-x";
  name[6] = static_cast<char>('a' + (static_cast<unsigned>(syscall(SYS_gettid)) % 26));
  char got[16] = {};
  if (prctl(PR_SET_NAME, name) != 0 || prctl(PR_GET_NAME, got) != 0 || std::strcmp(name, got) != 0) bad("PR_SET/GET_NAME");
  const int s = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) {
    bad("socket(AF_INET6)");
  } else {
    sockaddr_in6 a{};
    a.sin6_family = AF_INET6;
    a.sin6_port = htons(9);
    a.sin6_addr = in6addr_loopback;
    if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) bad("connect(::1)");
    sockaddr_in6 b{};
    socklen_t len = sizeof b;
    if (getsockname(s, reinterpret_cast<sockaddr*>(&b), &len) != 0 || b.sin6_family != AF_INET6 ||
        std::memcmp(&b.sin6_addr, &in6addr_loopback, sizeof b.sin6_addr) != 0)
      bad("getsockname after connect(::1)");
    close(s);
  }
  const int e = epoll_create1(EPOLL_CLOEXEC);
  if (e < 0) {
    bad("epoll_create1");
  } else {
    epoll_event ev{};
    ev.events = EPOLLIN;
    if (epoll_ctl(e, EPOLL_CTL_ADD, r.pipe_rd, &ev) != 0) bad("epoll_ctl ADD");
    epoll_event out[2];
    if (epoll_wait(e, out, 2, 0) != 0) bad("epoll_wait on an empty pipe");
    close(e);
  }
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0 || sched_setaffinity(0, sizeof set, &set) != 0) bad("affinity");
  int word = 1;
  if (syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 2, nullptr, nullptr, 0) != -1 || errno != EAGAIN)
    bad("futex wait on a changed word");
  if (syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0) != 0) bad("futex wake");
  if (accept4(r.listener, nullptr, nullptr, SOCK_CLOEXEC) != -1 || (errno != EAGAIN && errno != EWOULDBLOCK))
    bad("accept4 with nothing pending");
  return wrong;
}

Round make_round() {
  Round r;
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) fail("pipe2: %s", std::strerror(errno));
  r.pipe_rd = p[0];
  r.listener = socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in6 a{};
  a.sin6_family = AF_INET6;
  a.sin6_addr = in6addr_loopback;
  if (r.listener < 0 || bind(r.listener, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(r.listener, 4) != 0)
    fail("listener: %s", std::strerror(errno));
  return r;
}

// --- workers -------------------------------------------------------------

std::atomic<bool> g_stop{false};
void on_term(int) { g_stop = true; }

struct Shared {  // MAP_SHARED: what workers tell the controller
  std::atomic<unsigned long> progress[16];
};

void* thread_rounds(void* arg) {
  const Round* r = static_cast<const Round*>(arg);
  int printed = 0;
  long wrong = 0;
  while (!g_stop) wrong += wrong_answers(*r, "worker thread", &printed);
  return reinterpret_cast<void*>(wrong);
}

// Rounds from its main thread and two more; a short-lived thread and a
// fork+exec now and then. Exits with the number of wrong answers (capped).
[[noreturn]] void worker_main(Shared* shared, int index, unsigned seed) {
  struct sigaction sa {};
  sa.sa_handler = on_term;
  sa.sa_flags = SA_RESTART;  // a wait in progress finishes
  sigaction(SIGTERM, &sa, nullptr);
  const Round r = make_round();
  pthread_t t[2];
  for (pthread_t& th : t) pthread_create(&th, nullptr, thread_rounds, const_cast<Round*>(&r));
  int printed = 0;
  long wrong = 0;
  while (!g_stop) {
    wrong += wrong_answers(r, "worker", &printed);
    shared->progress[index]++;
    const unsigned dice = rnd(&seed) % 16;
    if (dice == 0) {
      pthread_t s;
      if (pthread_create(&s, nullptr, [](void* a) -> void* {
            int p = 0;
            return reinterpret_cast<void*>(static_cast<long>(wrong_answers(*static_cast<Round*>(a), "short thread", &p)));
          }, const_cast<Round*>(&r)) == 0) {
        void* w = nullptr;
        pthread_join(s, &w);
        wrong += reinterpret_cast<long>(w);
      }
    } else if (dice == 1) {
      const pid_t c = fork();
      if (c == 0) {
        execl("/bin/true", "true", static_cast<char*>(nullptr));
        _exit(127);
      }
      int st = 0;
      if (c < 0 || waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        ++wrong;
        if (printed++ < 3) std::fprintf(stderr, "  worker: fork+exec of /bin/true: status %#x\n", st);
      }
    }
  }
  for (pthread_t th : t) {
    void* w = nullptr;
    pthread_join(th, &w);
    wrong += reinterpret_cast<long>(w);
  }
  _exit(wrong > 100 ? 100 : static_cast<int>(wrong));
}

pid_t spawn_worker(Shared* shared, int index, unsigned seed) {
  std::fflush(nullptr);
  const pid_t p = fork();
  if (p == 0) worker_main(shared, index, seed);
  return p;
}

Shared* make_shared() {
  void* m = mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) {
    fail("mmap: %s", std::strerror(errno));
    std::exit(1);
  }
  return new (m) Shared{};
}

// The sentinel: rounds from the controller's own thread while the workers
// suffer; the longest gap between two of its rounds.
struct Sentinel {
  Round round = make_round();
  std::atomic<bool> stop{false};
  long rounds = 0, wrong = 0;
  double max_gap_ms = 0;
  pthread_t thread;

  void start() {
    pthread_create(&thread, nullptr, [](void* a) -> void* {
      auto* s = static_cast<Sentinel*>(a);
      int printed = 0;
      double last = now_ms();
      while (!s->stop) {
        s->wrong += wrong_answers(s->round, "sentinel", &printed);
        ++s->rounds;
        const double t = now_ms();
        if (t - last > s->max_gap_ms) s->max_gap_ms = t - last;
        last = t;
        usleep(1000);
      }
      return nullptr;
    }, this);
  }
  void finish(const char* mode) {
    stop = true;
    pthread_join(thread, nullptr);
    if (wrong != 0) fail("%s: the sentinel got %ld wrong answers", mode, wrong);
    if (rounds < 20) fail("%s: the sentinel made only %ld rounds", mode, rounds);
    if (max_gap_ms > 2000) fail("%s: the sentinel stalled %.0f ms", mode, max_gap_ms);
    std::printf("ok: %s: sentinel %ld rounds, longest gap %.1f ms\n", mode, rounds, max_gap_ms);
  }
};

// --- modes ---------------------------------------------------------------

constexpr int kWorkers = 4;

// What the disruptive modes start with: the workers, and the sentinel
// watching from the controller's own thread.
struct Crew {
  Shared* shared = make_shared();
  Sentinel sentinel;
  pid_t w[kWorkers];
  explicit Crew(unsigned seed_base) {
    sentinel.start();
    for (int i = 0; i < kWorkers; ++i) w[i] = spawn_worker(shared, i, seed_base + static_cast<unsigned>(i));
  }
};

void kill_churn(double seconds) {
  Crew crew(100);
  unsigned seed = 1;
  const double end = now_ms() + seconds * 1000;
  long kills = 0, odd = 0;
  while (now_ms() < end) {
    usleep(rnd(&seed) % 3000);
    const int i = static_cast<int>(rnd(&seed) % kWorkers);
    kill(crew.w[i], SIGKILL);
    int st = 0;
    if (waitpid(crew.w[i], &st, 0) != crew.w[i] || !WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL) {
      if (odd++ < 3) fail("kill-churn: worker %d ended with status %#x, not by SIGKILL", crew.w[i], st);
    }
    ++kills;
    crew.w[i] = spawn_worker(crew.shared, i, 1000 + static_cast<unsigned>(kills));
  }
  for (pid_t p : crew.w) kill(p, SIGKILL);
  for (pid_t p : crew.w) waitpid(p, nullptr, 0);
  crew.sentinel.finish("kill-churn");
  std::printf("ok: kill-churn: %ld workers killed in served calls\n", kills);
}

void stop_cont(double seconds) {
  Crew crew(200);
  unsigned seed = 2;
  usleep(20000);
  const double end = now_ms() + seconds * 1000;
  long stops = 0, moved = 0;
  while (now_ms() < end) {
    const int i = static_cast<int>(rnd(&seed) % kWorkers);
    kill(crew.w[i], SIGSTOP);
    // Stopped once its parent is told so (job control: WUNTRACED); from
    // then on it makes no progress.
    int st = 0;
    pid_t got = 0;
    for (int k = 0; k < 20000 && got == 0; ++k) {
      got = waitpid(crew.w[i], &st, WUNTRACED | WNOHANG);
      if (got == 0) usleep(100);
    }
    if (got != crew.w[i] || !WIFSTOPPED(st) || WSTOPSIG(st) != SIGSTOP) {
      fail("stop-cont: the parent was not told of its child's stop within 2 s (waitpid %d, status %#x)", got, st);
      break;
    }
    const unsigned long before = crew.shared->progress[i];
    usleep(1000 + rnd(&seed) % 3000);
    if (crew.shared->progress[i] != before) ++moved;
    kill(crew.w[i], SIGCONT);
    ++stops;
    usleep(rnd(&seed) % 2000);
  }
  for (pid_t p : crew.w) {
    kill(p, SIGCONT);
    kill(p, SIGTERM);
  }
  for (int i = 0; i < kWorkers; ++i) {
    int st = 0;
    if (waitpid(crew.w[i], &st, 0) != crew.w[i] || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
      fail("stop-cont: worker %d ended with status %#x (exit code: wrong answers)", crew.w[i], st);
  }
  if (moved != 0) fail("stop-cont: a stopped worker made progress %ld times of %ld", moved, stops);
  crew.sentinel.finish("stop-cont");
  std::printf("ok: stop-cont: %ld stops, every answer right, no progress while stopped\n", stops);
}

void ptrace_attempt() {
  Shared* shared = make_shared();
  const pid_t victim = spawn_worker(shared, 0, 300);
  // A child asks to be traced by its parent, then runs rounds.
  std::fflush(nullptr);
  const pid_t tracee = fork();
  if (tracee == 0) {
    const long rc = syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0);
    std::printf("ok: ptrace: PTRACE_TRACEME answered %ld (%s)\n", rc, rc == 0 ? "traced" : std::strerror(errno));
    std::fflush(stdout);
    const Round r = make_round();
    int printed = 0, wrong = 0;
    for (int i = 0; i < 50; ++i) wrong += wrong_answers(r, "tracee", &printed);
    _exit(wrong == 0 ? 0 : 1);
  }
  int st = 0;
  if (waitpid(tracee, &st, 0) != tracee || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
    fail("ptrace: the child that asked PTRACE_TRACEME ended with status %#x", st);
  // Attaching a sibling worker: either it is refused, or it works as Linux's.
  usleep(10000);
  const long at = syscall(SYS_ptrace, 16 /* PTRACE_ATTACH */, victim, 0, 0);
  if (at == 0) {
    if (waitpid(victim, &st, __WALL) != victim || !WIFSTOPPED(st)) fail("ptrace: attached worker did not stop (%#x)", st);
    syscall(SYS_ptrace, 17 /* PTRACE_DETACH */, victim, 0, 0);
  } else if (errno != EPERM) {
    fail("ptrace: PTRACE_ATTACH of a sibling failed with %s, not EPERM", std::strerror(errno));
  }
  const unsigned long before = shared->progress[0];
  for (int i = 0; i < 500 && shared->progress[0] == before; ++i) usleep(10000);
  if (shared->progress[0] == before) fail("ptrace: the worker made no progress in 5 s after the attach attempt");
  kill(victim, SIGTERM);
  if (waitpid(victim, &st, 0) != victim || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
    fail("ptrace: the worker ended with status %#x", st);
  std::printf("ok: ptrace: PTRACE_ATTACH answered %s; both processes went on\n", at == 0 ? "0" : "EPERM");
}

void fd_exhaust() {
  const Round r = make_round();
  // A connection waits on the listener before the table fills up.
  const int client = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in6 a{};
  socklen_t len = sizeof a;
  getsockname(r.listener, reinterpret_cast<sockaddr*>(&a), &len);
  if (client < 0 || connect(client, reinterpret_cast<sockaddr*>(&a), len) != 0) fail("fd-exhaust: connect: %s", std::strerror(errno));
  rlimit lim{64, 64};
  if (setrlimit(RLIMIT_NOFILE, &lim) != 0) fail("fd-exhaust: setrlimit: %s", std::strerror(errno));
  std::vector<int> held;
  for (;;) {
    const int fd = dup(0);
    if (fd < 0) {
      if (errno != EMFILE) fail("fd-exhaust: dup gave %s, not EMFILE", std::strerror(errno));
      break;
    }
    held.push_back(fd);
  }
  auto expect_emfile = [](const char* what, long rc) {
    if (rc >= 0) {
      close(static_cast<int>(rc));
      fail("fd-exhaust: %s succeeded with a full table", what);
    } else if (errno != EMFILE) {
      fail("fd-exhaust: %s gave %s, not EMFILE", what, std::strerror(errno));
    }
  };
  expect_emfile("socket(AF_INET6)", socket(AF_INET6, SOCK_DGRAM, 0));
  expect_emfile("epoll_create1", epoll_create1(0));
  expect_emfile("accept4", accept4(r.listener, nullptr, nullptr, 0));
  expect_emfile("socket(AF_NETLINK)", socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
  expect_emfile("fcntl(F_DUPFD)", fcntl(0, F_DUPFD, 0));
  // Two free slots: a round installs at most two fds at a time... and the
  // connection is still there to accept.
  for (int i = 0; i < 3; ++i) {
    close(held.back());
    held.pop_back();
  }
  const int conn = accept4(r.listener, nullptr, nullptr, SOCK_CLOEXEC);
  if (conn < 0) fail("fd-exhaust: accept4 after freeing fds: %s", std::strerror(errno));
  close(conn);
  int printed = 0;
  const int wrong = wrong_answers(r, "fd-exhaust", &printed);
  if (wrong != 0) fail("fd-exhaust: %d wrong answers after freeing fds", wrong);
  for (int fd : held) close(fd);
  close(client);
  std::printf("ok: fd-exhaust: EMFILE at the limit from every fd-installing call, all fine after\n");
}

void mem_exhaust() {
  const Round r = make_round();
  std::fflush(nullptr);
  const pid_t c = fork();
  if (c == 0) {
    rlimit lim{256ull << 20, 256ull << 20};
    setrlimit(RLIMIT_AS, &lim);
    std::vector<void*> blocks;
    for (;;) {
      void* p = std::malloc(8 << 20);
      if (p == nullptr) break;
      std::memset(p, 1, 8 << 20);
      blocks.push_back(p);
    }
    void* m = mmap(nullptr, 64 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m != MAP_FAILED || errno != ENOMEM) _exit(2);
    int printed = 0;
    const int wrong = wrong_answers(r, "mem-exhaust", &printed);
    _exit(wrong == 0 && !blocks.empty() ? 0 : 1);
  }
  int st = 0;
  if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
    fail("mem-exhaust: child ended with status %#x", st);
  std::printf("ok: mem-exhaust: ENOMEM at RLIMIT_AS, calls still right\n");
}

void exit_race() {
  int odd = 0;
  for (int i = 0; i < 300; ++i) {
    std::fflush(nullptr);
    const pid_t c = fork();
    if (c == 0) {
      static Round r = make_round();
      pthread_t t;
      pthread_create(&t, nullptr, [](void*) -> void* {
        // Calls whose arguments sentry reads: an address, a mask, a name.
        int printed = 100;  // quiet: the process may be half gone
        for (;;) wrong_answers(r, "exit-race", &printed);
        return nullptr;
      }, nullptr);
      unsigned seed = static_cast<unsigned>(i);
      usleep(rnd(&seed) % 400);
      syscall(SYS_exit_group, 7);
    }
    int st = 0;
    if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 7) {
      if (odd++ < 3) fail("exit-race: child %d ended with status %#x, not exit 7", i, st);
    }
  }
  std::printf("ok: exit-race: 300 processes ended by exit_group mid-call\n");
}

void fd_pressure() {
  rlimit lim{};
  getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);
  const Round r = make_round();
  std::vector<int> socks;
  long refused = 0;
  for (int i = 0; i < 400; ++i) {
    const int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (s >= 0) {
      socks.push_back(s);
    } else if (errno == EMFILE || errno == ENFILE || errno == ENOMEM || errno == ENOBUFS) {
      ++refused;
    } else {
      fail("fd-pressure: netlink socket gave %s", std::strerror(errno));
      break;
    }
  }
  std::vector<int> epolls;
  for (int i = 0; i < 100; ++i) {
    const int e = epoll_create1(EPOLL_CLOEXEC);
    if (e < 0) {
      if (errno != EMFILE && errno != ENFILE && errno != ENOMEM) fail("fd-pressure: epoll_create1 gave %s", std::strerror(errno));
      continue;
    }
    epolls.push_back(e);
    epoll_event ev{};
    ev.events = EPOLLIN;
    if (epoll_ctl(e, EPOLL_CTL_ADD, r.pipe_rd, &ev) != 0 && errno != ENOMEM && errno != ENOSPC)
      fail("fd-pressure: epoll_ctl ADD gave %s", std::strerror(errno));
  }
  // A child process still starts and gets right answers meanwhile.
  std::fflush(nullptr);
  const pid_t c = fork();
  if (c == 0) {
    int printed = 0;
    _exit(wrong_answers(r, "fd-pressure child", &printed) == 0 ? 0 : 1);
  }
  int st = 0;
  if (waitpid(c, &st, 0) != c || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
    fail("fd-pressure: a child under pressure ended with status %#x", st);
  for (int s : socks) close(s);
  for (int e : epolls) close(e);
  // Everything works again.
  const int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  if (s < 0) fail("fd-pressure: netlink socket after closing: %s", std::strerror(errno));
  close(s);
  int printed = 0;
  if (wrong_answers(r, "fd-pressure", &printed) != 0) fail("fd-pressure: wrong answers after closing");
  std::printf("ok: fd-pressure: %zu netlink sockets (%ld refused with a Linux errno), %zu epolls; all fine after\n",
              socks.size(), refused, epolls.size());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fault_guest MODE [SECONDS]\n");
    return 2;
  }
  const std::string mode = argv[1];
  const double seconds = argc > 2 ? std::atof(argv[2]) : 3;
  signal(SIGPIPE, SIG_IGN);
  // FAULT_SYNC=DIR: DIR/start, then wait for DIR/begin; DIR/end when done,
  // then wait for DIR/go (run_faults.sh samples sentry's descriptors and
  // memory at both points).
  const char* sync = std::getenv("FAULT_SYNC");
  auto mark = [sync](const char* name) {
    if (sync == nullptr) return;
    const std::string path = std::string(sync) + "/" + name;
    if (FILE* f = std::fopen(path.c_str(), "w")) std::fclose(f);
  };
  auto await = [sync](const char* name) {
    if (sync == nullptr) return;
    const std::string go = std::string(sync) + "/" + name;
    for (int i = 0; i < 1000 && access(go.c_str(), F_OK) != 0; ++i) usleep(10000);
  };
  mark("start");
  await("begin");
  if (mode == "kill-churn") {
    kill_churn(seconds);
  } else if (mode == "stop-cont") {
    stop_cont(seconds);
  } else if (mode == "ptrace") {
    ptrace_attempt();
  } else if (mode == "fd-exhaust") {
    fd_exhaust();
  } else if (mode == "mem-exhaust") {
    mem_exhaust();
  } else if (mode == "exit-race") {
    exit_race();
  } else if (mode == "fd-pressure") {
    fd_pressure();
  } else {
    std::fprintf(stderr, "fault_guest: unknown mode %s\n", mode.c_str());
    return 2;
  }
  std::fflush(nullptr);
  mark("end");
  await("go");
  return g_failures == 0 ? 0 : 1;
}
