// Signal storms over calls that block, park or act (issue 14). Pairs of
// threads run lock-step rounds through a futex wait, an epoll_wait on a pipe,
// a blocking accept, a blocking UDP recvfrom and a blocking pipe read, and one
// thread renames, links, creates, removes and mkdirs files, while another
// process sends each of these threads SIGUSR1 in a tight loop. The storm runs
// three times: handled without SA_RESTART, handled with SA_RESTART, ignored.
//
// Every round carries a sequence number and is acknowledged, so a lost
// wake-up hangs the round (the watchdog names it), a call done twice or not
// at all shows as a wrong number or a wrong answer, and an answer lost on
// the way shows as either. EINTR is counted per call and checked where Linux
// fixes it (signal(7)):
//   * ignored signals never interrupt anything;
//   * with SA_RESTART, the untimed futex wait, accept, connect, recvfrom and
//     read are restarted: no EINTR;
//   * epoll_wait is never restarted: with a handler it ends with EINTR
//     (checked to have happened at least once while the storm hit it);
//   * calls that never sleep (rename, link, unlink, mkdir, rmdir, an
//     O_CREAT|O_EXCL open, small writes and sends that fit) never fail with
//     EINTR, and each happens exactly once.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "conformance.h"

namespace {

enum class Mode { kHandled, kRestart, kIgnored };

const char* mode_name(Mode m) {
  switch (m) {
    case Mode::kHandled: return "handled, no SA_RESTART";
    case Mode::kRestart: return "handled, SA_RESTART";
    case Mode::kIgnored: return "ignored";
  }
  return "?";
}

std::atomic<long> g_handled{0};
void on_signal(int) { g_handled.fetch_add(1, std::memory_order_relaxed); }

double now_s() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

// Per call: how often it failed with EINTR, and with anything unexpected.
struct CallTally {
  const char* name;
  std::atomic<long> eintr{0};
  std::atomic<long> wrong{0};
};

// The calls this program checks, by the rule Linux applies to each.
enum Call {
  kFutexWait, kEpollWait, kAccept, kRecvfrom, kRead, kConnect,  // sleep until woken
  kRename, kLink, kUnlink, kMkdir, kRmdir, kCreate,             // never sleep
  kWrite, kSend, kSendto, kSocket,                              // never sleep
  kCalls
};
CallTally g_calls[kCalls] = {{"futex_wait"}, {"epoll_wait"}, {"accept"}, {"recvfrom"}, {"read"}, {"connect"},
                             {"rename"},     {"link"},       {"unlink"}, {"mkdir"},    {"rmdir"},
                             {"open(O_CREAT|O_EXCL)"},       {"write"},  {"send"},     {"sendto"},
                             {"socket"}};

std::atomic<bool> g_stop{false};
// `signal_storm CHANNEL...` runs only those channels (futex, epoll_wait,
// pipe read, accept, udp, path calls); all of them by default.
std::vector<std::string> g_only;
bool selected(const char* channel) {
  if (g_only.empty()) return true;
  for (const auto& o : g_only)
    if (o == channel) return true;
  return false;
}

// Runs `call` until it does not fail with EINTR (what a correct program does
// with a blocking call), counting the EINTRs. Returns the last result; errno
// is that call's.
long retrying(Call c, const std::function<long()>& call) {
  for (;;) {
    errno = 0;
    const long r = call();
    if (r == -1 && errno == EINTR) {
      g_calls[c].eintr.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    return r;
  }
}

// A result other than `expected` (or any -1) is a wrong answer; printed for
// the first few.
void expect(Call c, long r, bool ok, long round) {
  if (ok) return;
  const int err = errno;
  if (g_calls[c].wrong.fetch_add(1) < 3)
    std::fprintf(stderr, "%s in round %ld: unexpected answer %ld (errno %d, %s)\n", g_calls[c].name, round, r, err,
                 std::strerror(err));
}

// A call that never sleeps, issued once: an EINTR is counted (it must not
// happen) and any result but the expected one is a wrong answer.
void once(Call c, long r, bool ok, long round) {
  if (r == -1 && errno == EINTR) g_calls[c].eintr.fetch_add(1);
  expect(c, r, ok, round);
}

long futex(std::atomic<uint32_t>* w, int op, uint32_t val) {
  return syscall(SYS_futex, reinterpret_cast<uint32_t*>(w), op, val, nullptr, nullptr, 0);
}

// One lock-step channel: a driver thread starts round n, a waiter thread
// blocks until it sees round n and acknowledges it. `rounds` counts the
// acknowledged rounds; a channel that stops advancing is reported by name.
struct Channel {
  const char* name;
  std::atomic<long> rounds{0};
  std::atomic<bool> done{false};
  std::atomic<pid_t> tids[2] = {0, 0};
};

// --- futex: the driver publishes n and wakes, the waiter acks through a
// second word. Both sides wait untimed.
struct FutexPair {
  std::atomic<uint32_t> word{0}, ack{0};
};

void futex_wait_for(std::atomic<uint32_t>* w, uint32_t want, long round) {
  for (;;) {
    const uint32_t seen = w->load();
    if (seen == want) return;
    const long r = retrying(kFutexWait, [&] { return futex(w, FUTEX_WAIT_PRIVATE, seen); });
    expect(kFutexWait, r, r == 0 || (r == -1 && errno == EAGAIN), round);
  }
}

void futex_driver(Channel* ch, FutexPair* p) {
  ch->tids[0] = gettid();
  for (uint32_t n = 1;; ++n) {
    const bool last = g_stop.load();
    p->word.store(last ? UINT32_MAX : n);
    futex(&p->word, FUTEX_WAKE_PRIVATE, 1);
    if (last) break;
    futex_wait_for(&p->ack, n, n);
    ch->rounds.fetch_add(1);
  }
}

void futex_waiter(Channel* ch, FutexPair* p) {
  ch->tids[1] = gettid();
  for (uint32_t n = 1;; ++n) {
    for (;;) {  // n, or the driver's last word
      const uint32_t seen = p->word.load();
      if (seen == n || seen == UINT32_MAX) break;
      const long r = retrying(kFutexWait, [&] { return futex(&p->word, FUTEX_WAIT_PRIVATE, seen); });
      expect(kFutexWait, r, r == 0 || (r == -1 && errno == EAGAIN), n);
    }
    if (p->word.load() == UINT32_MAX) break;
    p->ack.store(n);
    futex(&p->ack, FUTEX_WAKE_PRIVATE, 1);
  }
}

// --- epoll + pipes: the driver writes n into one pipe and reads the ack
// from another (a blocking read); the waiter sleeps in epoll_wait.
struct PipePair {
  int to_waiter[2], to_driver[2];
};

void pipe_driver(Channel* ch, PipePair* p) {
  ch->tids[0] = gettid();
  for (uint32_t n = 1;; ++n) {
    const bool last = g_stop.load();
    const uint32_t v = last ? UINT32_MAX : n;
    long r = retrying(kWrite, [&] { return write(p->to_waiter[1], &v, sizeof v); });
    expect(kWrite, r, r == sizeof v, n);
    if (last) break;
    uint32_t ack = 0;
    r = retrying(kRead, [&] { return read(p->to_driver[0], &ack, sizeof ack); });
    expect(kRead, r, r == sizeof ack && ack == n, n);
    ch->rounds.fetch_add(1);
  }
}

void epoll_waiter(Channel* ch, PipePair* p) {
  ch->tids[1] = gettid();
  const int ep = epoll_create1(EPOLL_CLOEXEC);
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = 42;
  CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, p->to_waiter[0], &ev));
  for (uint32_t n = 1;; ++n) {
    epoll_event out[4];
    const long r = retrying(kEpollWait, [&] { return epoll_wait(ep, out, 4, -1); });
    expect(kEpollWait, r, r == 1 && out[0].data.u64 == 42 && (out[0].events & EPOLLIN), n);
    uint32_t v = 0;
    const long rr = read(p->to_waiter[0], &v, sizeof v);  // ready: does not sleep
    once(kRead, rr, rr == sizeof v && (v == n || v == UINT32_MAX), n);
    if (v == UINT32_MAX || rr != sizeof v) break;
    const long w = write(p->to_driver[1], &n, sizeof n);
    once(kWrite, w, w == sizeof n, n);
  }
  close(ep);
}

// --- accept: the waiter blocks in accept(); the driver connects and sends
// n; the waiter answers n on the accepted connection.
struct AcceptPair {
  int listener;
  sockaddr_in6 addr;
};

void accept_driver(Channel* ch, AcceptPair* p) {
  ch->tids[0] = gettid();
  for (uint32_t n = 1;; ++n) {
    const bool last = g_stop.load();
    const uint32_t v = last ? UINT32_MAX : n;
    const int s = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
    once(kSocket, s, s >= 0, n);
    if (s < 0) continue;
    long r = retrying(kConnect, [&] { return connect(s, reinterpret_cast<sockaddr*>(&p->addr), sizeof p->addr); });
    // connect() sleeps for the handshake, even on loopback: an interrupted
    // one goes on in the background, and the retry waits for it and gives 0.
    expect(kConnect, r, r == 0, n);
    r = retrying(kSend, [&] { return send(s, &v, sizeof v, MSG_NOSIGNAL); });
    expect(kSend, r, r == sizeof v, n);
    if (!last) {
      uint32_t ack = 0;
      r = retrying(kRecvfrom, [&] { return recvfrom(s, &ack, sizeof ack, MSG_WAITALL, nullptr, nullptr); });
      expect(kRecvfrom, r, r == sizeof ack && ack == n, n);
    }
    close(s);
    if (last) break;
    ch->rounds.fetch_add(1);
  }
}

void accept_waiter(Channel* ch, AcceptPair* p) {
  ch->tids[1] = gettid();
  for (uint32_t n = 1;; ++n) {
    sockaddr_in6 peer{};
    socklen_t len = sizeof peer;
    const long c = retrying(kAccept, [&] {
      len = sizeof peer;
      return accept4(p->listener, reinterpret_cast<sockaddr*>(&peer), &len, SOCK_CLOEXEC);
    });
    expect(kAccept, c, c >= 0 && peer.sin6_family == AF_INET6, n);
    if (c < 0) break;
    uint32_t v = 0;
    long r = retrying(kRecvfrom, [&] { return recvfrom(static_cast<int>(c), &v, sizeof v, MSG_WAITALL, nullptr, nullptr); });
    expect(kRecvfrom, r, r == sizeof v && (v == n || v == UINT32_MAX), n);
    if (v == UINT32_MAX || r != sizeof v) {
      close(static_cast<int>(c));
      break;
    }
    r = retrying(kSend, [&] { return send(static_cast<int>(c), &n, sizeof n, MSG_NOSIGNAL); });
    expect(kSend, r, r == sizeof n, n);
    close(static_cast<int>(c));
  }
}

// --- UDP: the waiter blocks in recvfrom() and answers to the sender's
// address; the driver sends n and blocks for the answer.
struct UdpPair {
  int waiter_sock, driver_sock;
  sockaddr_in6 waiter_addr;
};

void udp_driver(Channel* ch, UdpPair* p) {
  ch->tids[0] = gettid();
  for (uint32_t n = 1;; ++n) {
    const bool last = g_stop.load();
    const uint32_t v = last ? UINT32_MAX : n;
    long r = retrying(kSendto, [&] {
      return sendto(p->driver_sock, &v, sizeof v, 0, reinterpret_cast<sockaddr*>(&p->waiter_addr), sizeof p->waiter_addr);
    });
    expect(kSendto, r, r == sizeof v, n);
    if (last) break;
    uint32_t ack = 0;
    r = retrying(kRecvfrom, [&] { return recvfrom(p->driver_sock, &ack, sizeof ack, 0, nullptr, nullptr); });
    expect(kRecvfrom, r, r == sizeof ack && ack == n, n);
    ch->rounds.fetch_add(1);
  }
}

void udp_waiter(Channel* ch, UdpPair* p) {
  ch->tids[1] = gettid();
  for (uint32_t n = 1;; ++n) {
    uint32_t v = 0;
    sockaddr_in6 from{};
    socklen_t len = sizeof from;
    long r = retrying(kRecvfrom, [&] {
      len = sizeof from;
      return recvfrom(p->waiter_sock, &v, sizeof v, 0, reinterpret_cast<sockaddr*>(&from), &len);
    });
    expect(kRecvfrom, r, r == sizeof v && (v == n || v == UINT32_MAX) && from.sin6_family == AF_INET6, n);
    if (v == UINT32_MAX || r != sizeof v) break;
    r = retrying(kSendto, [&] { return sendto(p->waiter_sock, &n, sizeof n, 0, reinterpret_cast<sockaddr*>(&from), len); });
    expect(kSendto, r, r == sizeof n, n);
  }
}

// --- path calls with side effects: each must succeed exactly once, in
// order; a repeated rename answers ENOENT, a repeated mkdir EEXIST.
void path_worker(Channel* ch, const std::string* dir) {
  ch->tids[0] = gettid();
  const std::string a = *dir + "/a", b = *dir + "/b", c = *dir + "/c", d = *dir + "/d", f = *dir + "/f";
  const int fd = open(a.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
  CHECK(fd >= 0);
  close(fd);
  // These never sleep: each is issued once and must simply succeed.
  auto ok = [](Call call, long r, long round) { once(call, r, r == 0, round); };
  for (long n = 1; !g_stop.load(); ++n) {
    ok(kRename, rename(a.c_str(), b.c_str()), n);
    ok(kRename, rename(b.c_str(), a.c_str()), n);
    ok(kLink, link(a.c_str(), c.c_str()), n);
    ok(kUnlink, unlink(c.c_str()), n);
    ok(kMkdir, mkdir(d.c_str(), 0755), n);
    ok(kRmdir, rmdir(d.c_str()), n);
    const int g = open(f.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
    once(kCreate, g, g >= 0, n);
    if (g >= 0) close(g);
    ok(kUnlink, unlink(f.c_str()), n);
    ch->rounds.fetch_add(1);
  }
  // The tree is as the rounds left it: a, and nothing else.
  struct stat st;
  CHECK(stat(a.c_str(), &st) == 0);
  CHECK(stat(b.c_str(), &st) == -1);
  CHECK(stat(c.c_str(), &st) == -1);
  CHECK(stat(d.c_str(), &st) == -1);
  CHECK(stat(f.c_str(), &st) == -1);
  unlink(a.c_str());
}

// The storm: another process sends SIGUSR1 to every thread of ours, round
// robin, until it is killed. A short pause after each signal keeps it a storm
// a traced program can still make progress through.
pid_t start_storm(pid_t tgid, const std::vector<pid_t>& tids) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  timespec pause{0, 50 * 1000};
  for (;;) {
    for (pid_t t : tids) {
      syscall(SYS_tgkill, tgid, t, SIGUSR1);
      nanosleep(&pause, nullptr);
    }
  }
}

void run_phase(Mode mode, const std::string& dir) {
  struct sigaction sa {};
  sa.sa_handler = mode == Mode::kIgnored ? SIG_IGN : on_signal;
  sa.sa_flags = mode == Mode::kRestart ? SA_RESTART : 0;
  sigemptyset(&sa.sa_mask);
  CHECK_OK(sigaction(SIGUSR1, &sa, nullptr));
  for (auto& c : g_calls) c.eintr = 0, c.wrong = 0;
  g_handled = 0;
  g_stop = false;

  Channel futex_ch{"futex"}, epoll_ch{"epoll_wait"}, read_ch{"pipe read"}, accept_ch{"accept"}, udp_ch{"udp"},
      path_ch{"path calls"};
  FutexPair fp;
  PipePair pp;
  CHECK_OK(pipe2(pp.to_waiter, O_CLOEXEC));
  CHECK_OK(pipe2(pp.to_driver, O_CLOEXEC));
  AcceptPair ap{};
  ap.listener = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ap.addr.sin6_family = AF_INET6;
  ap.addr.sin6_addr = in6addr_loopback;
  socklen_t len = sizeof ap.addr;
  CHECK_OK(bind(ap.listener, reinterpret_cast<sockaddr*>(&ap.addr), sizeof ap.addr));
  CHECK_OK(listen(ap.listener, 16));
  CHECK_OK(getsockname(ap.listener, reinterpret_cast<sockaddr*>(&ap.addr), &len));
  UdpPair up{};
  up.waiter_sock = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  up.driver_sock = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  up.waiter_addr.sin6_family = AF_INET6;
  up.waiter_addr.sin6_addr = in6addr_loopback;
  len = sizeof up.waiter_addr;
  CHECK_OK(bind(up.waiter_sock, reinterpret_cast<sockaddr*>(&up.waiter_addr), sizeof up.waiter_addr));
  CHECK_OK(getsockname(up.waiter_sock, reinterpret_cast<sockaddr*>(&up.waiter_addr), &len));
  // The pipe-read channel: the waiter sleeps in a plain blocking read.
  PipePair rp;
  CHECK_OK(pipe2(rp.to_waiter, O_CLOEXEC));
  CHECK_OK(pipe2(rp.to_driver, O_CLOEXEC));

  struct Thread {
    Channel* ch;
    std::function<void()> body;
    pthread_t t{};
  };
  std::vector<Thread> threads;
  threads.push_back({&futex_ch, [&] { futex_driver(&futex_ch, &fp); }});
  threads.push_back({&futex_ch, [&] { futex_waiter(&futex_ch, &fp); }});
  threads.push_back({&epoll_ch, [&] { pipe_driver(&epoll_ch, &pp); }});
  threads.push_back({&epoll_ch, [&] { epoll_waiter(&epoll_ch, &pp); }});
  threads.push_back({&read_ch, [&] { pipe_driver(&read_ch, &rp); }});
  threads.push_back({&read_ch, [&] {  // the blocking-read waiter
    read_ch.tids[1] = gettid();
    for (uint32_t n = 1;; ++n) {
      uint32_t v = 0;
      long r = retrying(kRead, [&] { return read(rp.to_waiter[0], &v, sizeof v); });
      expect(kRead, r, r == sizeof v && (v == n || v == UINT32_MAX), n);
      if (v == UINT32_MAX || r != sizeof v) break;
      r = retrying(kWrite, [&] { return write(rp.to_driver[1], &n, sizeof n); });
      expect(kWrite, r, r == sizeof n, n);
    }
  }});
  threads.push_back({&accept_ch, [&] { accept_driver(&accept_ch, &ap); }});
  threads.push_back({&accept_ch, [&] { accept_waiter(&accept_ch, &ap); }});
  threads.push_back({&udp_ch, [&] { udp_driver(&udp_ch, &up); }});
  threads.push_back({&udp_ch, [&] { udp_waiter(&udp_ch, &up); }});
  threads.push_back({&path_ch, [&] { path_worker(&path_ch, &dir); }});

  std::erase_if(threads, [](const Thread& t) { return !selected(t.ch->name); });
  std::vector<Channel*> channels;
  for (Channel* c : {&futex_ch, &epoll_ch, &read_ch, &accept_ch, &udp_ch, &path_ch})
    if (selected(c->name)) channels.push_back(c);

  // The threads see only SIGUSR1 from the storm: the main thread blocks it.
  sigset_t usr1;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  pthread_sigmask(SIG_BLOCK, &usr1, nullptr);
  for (auto& t : threads) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_sigmask(SIG_UNBLOCK, &usr1, nullptr);  // inherited by the new thread
    const int rc = pthread_create(
        &t.t, &attr,
        [](void* arg) -> void* {
          (*static_cast<std::function<void()>*>(arg))();
          return nullptr;
        },
        &t.body);
    pthread_sigmask(SIG_BLOCK, &usr1, nullptr);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
      std::fprintf(stderr, "pthread_create: %s\n", std::strerror(rc));
      std::exit(1);
    }
  }
  // Every thread has said who it is before the storm aims at it.
  std::vector<pid_t> tids;
  for (;;) {
    tids.clear();
    for (Channel* c : channels)
      for (auto& t : c->tids)
        if (t.load() != 0) tids.push_back(t.load());
    if (tids.size() == threads.size()) break;
    usleep(1000);
  }
  const pid_t storm = start_storm(getpid(), tids);
  CHECK(storm > 0);
  // 1.5 s, and on until every channel made kMinRounds rounds under the
  // storm (a slow sentry, a sanitized one or a loaded machine, makes fewer
  // per second), so that the EINTR checks below judge enough calls. At most
  // 30 s: a channel that slow is reported below by its count.
  constexpr long kMinRounds = 20;
  const double start = now_s();
  auto slowest = [&] {
    long least = -1;
    for (Channel* c : channels)
      if (least < 0 || c->rounds.load() < least) least = c->rounds.load();
    return least;
  };
  while (now_s() < start + 1.5 || (slowest() < kMinRounds && now_s() < start + 30)) usleep(10000);
  g_stop = true;
  // The rounds end at the next acknowledgement; a channel that does not end
  // within 30 s lost a wake-up or an answer.
  for (auto& t : threads) {
    timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 30;
    if (pthread_timedjoin_np(t.t, nullptr, &deadline) != 0) {
      std::fprintf(stderr, "FAIL: the %s channel hangs after %ld rounds (%s)\n", t.ch->name, t.ch->rounds.load(),
                   mode_name(mode));
      kill(storm, SIGKILL);
      std::_Exit(1);
    }
  }
  kill(storm, SIGKILL);
  int status = 0;
  CHECK(waitpid(storm, &status, 0) == storm);

  std::printf("%s: %.1f s, %ld signals handled; rounds:", mode_name(mode), now_s() - start, g_handled.load());
  for (Channel* c : channels) std::printf(" %s %ld", c->name, c->rounds.load());
  std::printf("\n  EINTR:");
  for (auto& c : g_calls)
    if (c.eintr.load() != 0) std::printf(" %s %ld", c.name, c.eintr.load());
  std::printf("\n");
  std::fflush(stdout);

  // Every channel made progress while the storm ran.
  for (Channel* c : channels)
    if (c->rounds.load() < 1) {
      std::fprintf(stderr, "FAIL: the %s channel made no round (%s)\n", c->name, mode_name(mode));
      ++conformance::failures();
    }
  for (auto& c : g_calls)
    if (c.wrong.load() != 0) {
      std::fprintf(stderr, "FAIL: %s gave %ld wrong answers (%s)\n", c.name, c.wrong.load(), mode_name(mode));
      ++conformance::failures();
    }
  auto no_eintr = [&](Call c) {
    if (g_calls[c].eintr.load() == 0) return;
    std::fprintf(stderr, "FAIL: %s failed with EINTR %ld times (%s); Linux never does here\n", g_calls[c].name,
                 g_calls[c].eintr.load(), mode_name(mode));
    ++conformance::failures();
  };
  for (Call c : {kRename, kLink, kUnlink, kMkdir, kRmdir, kCreate, kWrite, kSend, kSendto, kSocket}) no_eintr(c);
  if (mode == Mode::kIgnored) {
    CHECK(g_handled.load() == 0);
    for (Call c : {kFutexWait, kEpollWait, kAccept, kRecvfrom, kRead, kConnect}) no_eintr(c);
  } else {
    CHECK(g_handled.load() > 100);  // the storm hit
    // epoll_wait ends with EINTR under a handled signal, SA_RESTART or not.
    if (selected("epoll_wait")) CHECK(g_calls[kEpollWait].eintr.load() > 0);
    if (mode == Mode::kRestart)
      for (Call c : {kFutexWait, kAccept, kRecvfrom, kRead, kConnect}) no_eintr(c);
  }

  for (int fd : {pp.to_waiter[0], pp.to_waiter[1], pp.to_driver[0], pp.to_driver[1], rp.to_waiter[0],
                 rp.to_waiter[1], rp.to_driver[0], rp.to_driver[1], ap.listener, up.waiter_sock, up.driver_sock})
    close(fd);
  pthread_sigmask(SIG_UNBLOCK, &usr1, nullptr);
}

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) g_only.emplace_back(argv[i]);
  char dir[] = "/tmp/signal_storm.XXXXXX";
  if (mkdtemp(dir) == nullptr) {
    std::perror("mkdtemp");
    return 1;
  }
  for (Mode m : {Mode::kHandled, Mode::kRestart, Mode::kIgnored}) run_phase(m, dir);
  rmdir(dir);
  return conformance::finish();
}
