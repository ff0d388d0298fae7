// epoll registration data as the caller sees it: every returned event
// carries exactly the 64-bit data last registered for it (extreme values,
// data.fd-style values with garbage high bits, after EPOLL_CTL_MOD, also
// for a thread already blocked in epoll_wait), across thousands of
// ADD/MOD/DEL/close-without-DEL cycles that reuse fd numbers, across fork
// (registrations made by either side, even with an fd only the child has)
// and SCM_RIGHTS, through nested instances, with maxevents smaller than the
// ready list, and with an events buffer whose tail is unwritable (the
// undelivered event stays queued). /proc/self/fdinfo/<epfd> shows the
// registered fd number, event mask and data; kcmp(KCMP_EPOLL_TFD) finds a
// registered file by the caller's fd number. EPOLLWAKEUP is accepted (and
// never reported as an event).
#include <fcntl.h>
#include <linux/kcmp.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <initializer_list>
#include <map>
#include <thread>
#include <vector>

#include "conformance.h"
#include "thread_state.h"

namespace {

using namespace conformance;
using V = std::vector<uint64_t>;

int ctl(int ep, int op, int fd, uint32_t events, uint64_t data) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = data;
  return epoll_ctl(ep, op, fd, &ev);
}

// Non-blocking pipe: [0] read end, [1] write end.
void make_pipe(int p[2]) { CHECK_OK(pipe2(p, O_NONBLOCK)); }

void close_all(std::initializer_list<int> fds) {
  for (int fd : fds) close(fd);
}

// Reads the single byte a test wrote.
bool read1(int fd) {
  char c;
  return read(fd, &c, 1) == 1;
}

// Waits up to `timeout` ms; the data values of the events, in order.
V wait_data(int ep, int max = 256, int timeout = 0) {
  std::vector<epoll_event> evs(static_cast<size_t>(max));
  int n = epoll_wait(ep, evs.data(), max, timeout);
  V out;
  for (int i = 0; i < n; ++i) out.push_back(evs[size_t(i)].data.u64);
  return out;
}

uint64_t splitmix(uint64_t x) {  // a bijection: distinct in, distinct out
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

void test_roundtrip() {
  static int anchor;
  V vals = {0, 1, UINT64_MAX, 1ull << 63, 0x7fffffffffffffff, 0xffffffff};
  vals.insert(vals.end(), {uintptr_t(&anchor), (1ull << 40) + 1, 1ull << 40});
  for (uint64_t v = 2; v <= 10; ++v) vals.push_back(v);
  size_t n_plain = vals.size();
  int ep = epoll_create1(EPOLL_CLOEXEC);
  std::vector<std::array<int, 2>> pipes(n_plain + 2);
  for (auto& p : pipes) make_pipe(p.data());
  for (size_t i = 0; i < n_plain; ++i)
    CHECK_OK(ctl(ep, EPOLL_CTL_ADD, pipes[i][0], EPOLLIN, vals[i]));
  // data.fd style: the low 32 bits set through the union, high bits garbage.
  for (size_t i = n_plain; i < pipes.size(); ++i) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = i == n_plain ? 0xa5a5a5a5deadbeefull : 0xffffffff00000000ull;
    ev.data.fd = pipes[i][0];
    vals.push_back(ev.data.u64);
    CHECK_OK(epoll_ctl(ep, EPOLL_CTL_ADD, pipes[i][0], &ev));
  }
  CHECK(wait_data(ep).empty());
  // One at a time: each readiness reports exactly its own data.
  for (size_t i = 0; i < pipes.size(); ++i) {
    CHECK(write(pipes[i][1], "x", 1) == 1);
    epoll_event ev{};
    CHECK(epoll_wait(ep, &ev, 1, 0) == 1);
    CHECK(ev.events == EPOLLIN && ev.data.u64 == vals[i]);
    if (i >= n_plain) CHECK(ev.data.fd == pipes[i][0]);
    CHECK(read1(pipes[i][0]));
  }
  CHECK(wait_data(ep).empty());  // nothing stale after the drains
  // All at once: in readiness order, each exactly once.
  for (auto& p : pipes) CHECK(write(p[1], "x", 1) == 1);
  CHECK(wait_data(ep) == vals);
  for (auto& p : pipes) close_all({p[0], p[1]});
  close(ep);
}

// Runs `between` while another thread is blocked in epoll_wait(ep); returns
// the data of the one EPOLLIN event that thread got (empty otherwise).
template <typename F>
V run_blocked(int ep, F between) {
  std::atomic<long> tid{0};
  epoll_event ev{};
  int n = 0;
  std::thread t([&] {
    tid = syscall(SYS_gettid);
    n = epoll_wait(ep, &ev, 1, 5000);
  });
  CHECK(wait_until_sleeping(tid));
  between();
  t.join();
  return n == 1 && ev.events == EPOLLIN ? V{ev.data.u64} : V{};
}

void test_mod() {
  int ep = epoll_create1(0);
  int p[2];
  make_pipe(p);
  CHECK_OK(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0x1111));
  CHECK(write(p[1], "x", 1) == 1);
  CHECK(wait_data(ep) == V{0x1111});
  CHECK_OK(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN, 0x2222));
  CHECK(wait_data(ep) == V{0x2222});
  CHECK(wait_data(ep) == V{0x2222});
  CHECK_OK(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLET, UINT64_MAX));
  CHECK(wait_data(ep) == V{UINT64_MAX});
  CHECK(wait_data(ep).empty());
  CHECK(read1(p[0]));
  // A thread blocked on the instance: MOD, then a write wakes it.
  CHECK(run_blocked(ep, [&] {
          CHECK_OK(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN, 0xfeedfacecafeull));
          CHECK(write(p[1], "y", 1) == 1);
        }) == V{0xfeedfacecafeull});
  // Registered with no events while readable; the MOD itself wakes it.
  CHECK_OK(ctl(ep, EPOLL_CTL_MOD, p[0], 0, 0x3333));
  CHECK(wait_data(ep).empty());
  CHECK(run_blocked(ep, [&] {
          CHECK_OK(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN, 0x4444));
        }) == V{0x4444});
  close_all({p[0], p[1], ep});
}

struct Live {
  int rd, wr;
  uint64_t data;
};

// ~50 live registrations among 6000 created; victims are closed without
// DEL, DELed then closed, or MODed to new data. Fd numbers are reused all
// the time.
void test_churn() {
  int ep = epoll_create1(0);
  std::vector<Live> live;
  uint64_t next = 0, rng = 12345;
  for (int i = 0; i < 6000; ++i) {
    int p[2];
    if (i % 2 == 0) {
      make_pipe(p);
    } else {
      CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, p));
    }
    live.push_back({p[0], p[1], splitmix(next++)});
    CHECK_OK(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, live.back().data));
    while (live.size() > 50) {
      rng = splitmix(rng);
      size_t k = rng % live.size();
      Live& v = live[k];
      int action = int((rng >> 32) % 3);
      if (action == 2) {
        v.data = splitmix(next++);
        CHECK_OK(ctl(ep, EPOLL_CTL_MOD, v.rd, EPOLLIN, v.data));
        continue;
      }
      if (action == 1) CHECK_OK(ctl(ep, EPOLL_CTL_DEL, v.rd, 0, 0));
      close_all({v.rd, v.wr});
      live.erase(live.begin() + long(k));
    }
    if (i % 1000 == 999) CHECK(wait_data(ep).empty());
  }
  std::map<uint64_t, int> want, got;
  for (auto& l : live) {
    CHECK(write(l.wr, "z", 1) == 1);
    ++want[l.data];
  }
  for (uint64_t d : wait_data(ep, 256)) ++got[d];
  CHECK(want.size() == 50);
  CHECK(got == want);
  for (auto& l : live) close_all({l.rd, l.wr});
  close(ep);
}

// Forks a child running `body` and returns its wait status (0: all good).
template <typename F>
int in_child(F body) {
  pid_t pid = fork();
  if (pid == 0) _exit(body() ? 0 : 1);
  int st = -1;
  CHECK(pid > 0 && waitpid(pid, &st, 0) == pid);
  return st;
}

void test_fork() {
  int ep = epoll_create1(0);
  int p[2], q[2], sync[2], done[2];
  make_pipe(p);
  make_pipe(q);
  CHECK_OK(pipe(sync));
  CHECK_OK(pipe(done));
  // The child registers an inherited pipe; the parent sees its data.
  CHECK(in_child([&] {
          return ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0xc0ffee01ull << 32) ==
                     0 &&
                 write(p[1], "c", 1) == 1;
        }) == 0);
  CHECK(wait_data(ep, 8, 1000) == V{0xc0ffee01ull << 32});
  // The parent registers; the child waits and sees the parent's data (and,
  // edge-triggered, consumes the edge for both).
  CHECK_OK(ctl(ep, EPOLL_CTL_ADD, q[0], EPOLLIN | EPOLLET, 0x9a9e47));
  CHECK_OK(ctl(ep, EPOLL_CTL_DEL, p[0], 0, 0));
  CHECK(write(q[1], "p", 1) == 1);
  CHECK(in_child([&] { return wait_data(ep, 8, 1000) == V{0x9a9e47}; }) == 0);
  CHECK(wait_data(ep).empty());
  // A registration whose fd exists only in the child, which stays alive
  // while the parent waits; its exit closes the file and drops it.
  pid_t pid = fork();
  if (pid == 0) {
    int r[2];
    if (pipe(r) != 0) _exit(2);
    for (int i = 0; i < 3; ++i) dup(r[0]);  // an fd number the parent lacks
    int fd = dup(r[0]);
    bool ok = ctl(ep, EPOLL_CTL_ADD, fd, EPOLLIN, 0xc1d0000000000042ull) == 0 &&
              write(r[1], "r", 1) == 1;
    char c = ok ? 'k' : 'f';
    if (write(sync[1], &c, 1) != 1 || read(done[0], &c, 1) != 1) _exit(3);
    _exit(0);
  }
  char c = 0;
  CHECK(read(sync[0], &c, 1) == 1 && c == 'k');
  CHECK(wait_data(ep, 8, 1000) == V{0xc1d0000000000042ull});
  CHECK(write(done[1], "d", 1) == 1);
  int st = -1;
  CHECK(waitpid(pid, &st, 0) == pid && st == 0);
  CHECK(wait_data(ep).empty());
  close_all({p[0], p[1], q[0], q[1], sync[0], sync[1], done[0], done[1], ep});
}

// A one-byte message with room for one SCM_RIGHTS fd.
struct FdMsg {
  char byte = 'e';
  iovec iov{&byte, 1};
  alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))] = {};
  msghdr mh{nullptr, 0, &iov, 1, cbuf, sizeof cbuf, 0};
};

void test_scm_rights() {
  int sv[2];
  CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
  pid_t pid = fork();
  if (pid == 0) {  // the receiver never inherited the epoll fd
    FdMsg m;
    if (recvmsg(sv[1], &m.mh, 0) != 1) _exit(2);
    cmsghdr* cm = CMSG_FIRSTHDR(&m.mh);
    if (cm == nullptr || cm->cmsg_type != SCM_RIGHTS) _exit(3);
    int ep;
    memcpy(&ep, CMSG_DATA(cm), sizeof ep);
    _exit(wait_data(ep, 8, 1000) == V{0x5c3a1b2c3d4e5f60ull, 7} ? 0 : 1);
  }
  int ep = epoll_create1(0);
  int p[2], q[2];
  make_pipe(p);
  make_pipe(q);
  CHECK_OK(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0x5c3a1b2c3d4e5f60ull));
  CHECK_OK(ctl(ep, EPOLL_CTL_ADD, q[0], EPOLLIN, 7));
  CHECK(write(p[1], "a", 1) == 1);
  CHECK(write(q[1], "b", 1) == 1);
  FdMsg m;
  cmsghdr* cm = CMSG_FIRSTHDR(&m.mh);
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(cm), &ep, sizeof ep);
  CHECK(sendmsg(sv[0], &m.mh, 0) == 1);
  int st = -1;
  CHECK(waitpid(pid, &st, 0) == pid && st == 0);
  close_all({p[0], p[1], q[0], q[1], sv[0], sv[1], ep});
}

using Info = std::map<int, std::pair<uint32_t, uint64_t>>;

// tfd -> (events, data) from the "tfd:" lines of /proc/self/fdinfo/<ep>.
Info fdinfo(int ep) {
  Info out;
  char path[64], line[256];
  snprintf(path, sizeof path, "/proc/self/fdinfo/%d", ep);
  FILE* f = fopen(path, "r");
  CHECK(f != nullptr);
  while (f != nullptr && fgets(line, sizeof line, f) != nullptr) {
    int tfd;
    unsigned ev;
    unsigned long long data;
    if (strncmp(line, "tfd:", 4) != 0) continue;
    CHECK(sscanf(line, "tfd: %d events: %x data: %llx", &tfd, &ev, &data) == 3);
    CHECK(out.count(tfd) == 0);
    out[tfd] = {ev, data};
  }
  if (f != nullptr) fclose(f);
  return out;
}

void test_fdinfo_and_kcmp() {
  int ep = epoll_create1(0);
  int p[2], q[2], r[2];
  make_pipe(p);
  make_pipe(q);
  CHECK_OK(socketpair(AF_UNIX, SOCK_STREAM, 0, r));
  CHECK(fdinfo(ep).empty());
  constexpr uint32_t kOneshot = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLONESHOT;
  CHECK_OK(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN, 0xfeedface12345678ull));
  CHECK_OK(ctl(ep, EPOLL_CTL_ADD, q[0], EPOLLIN | EPOLLET, UINT64_MAX));
  CHECK_OK(ctl(ep, EPOLL_CTL_ADD, r[0], kOneshot, 0));
  // Linux records EPOLLERR|EPOLLHUP with every ADD/MOD.
  constexpr uint32_t EH = EPOLLERR | EPOLLHUP;
  CHECK(fdinfo(ep) == (Info{{p[0], {EPOLLIN | EH, 0xfeedface12345678ull}},
                            {q[0], {EPOLLIN | EPOLLET | EH, UINT64_MAX}},
                            {r[0], {kOneshot | EH, 0}}}));
  // A fired oneshot registration keeps only its private bits.
  CHECK(wait_data(ep) == V{0});
  CHECK((fdinfo(ep)[r[0]] == Info::mapped_type{EPOLLONESHOT, 0}));
  CHECK_OK(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLOUT, 0x42));
  CHECK_OK(ctl(ep, EPOLL_CTL_DEL, q[0], 0, 0));
  CHECK(fdinfo(ep) ==
        (Info{{p[0], {EPOLLOUT | EH, 0x42}}, {r[0], {EPOLLONESHOT, 0}}}));

  // kcmp(KCMP_EPOLL_TFD): is the file at fd `fd` the one registered as tfd?
  pid_t me = getpid();
  auto kcmp = [&](int fd, int tfd) {
    kcmp_epoll_slot s{uint32_t(ep), uint32_t(tfd), 0};
    return syscall(SYS_kcmp, me, me, KCMP_EPOLL_TFD, fd, &s);
  };
  errno = 0;
  long k = kcmp(p[0], p[0]);
  if (k == -1 && (errno == ENOSYS || errno == EPERM)) {
    printf("kcmp(KCMP_EPOLL_TFD) checks skipped: %s\n", strerror(errno));
  } else {
    CHECK(k == 0);
    int dupfd = dup(p[0]);
    CHECK(kcmp(dupfd, p[0]) == 0);         // same file, other fd number
    CHECK(kcmp(r[0], p[0]) > 0);           // another file: ordered, nonzero
    CHECK_ERR(kcmp(p[0], dupfd), ENOENT);  // not registered under that number
    CHECK_ERR(kcmp(q[0], q[0]), ENOENT);   // deleted
    // Closing the registered fd number keeps the registration (the file
    // lives on through the dup) under the old number.
    int old = p[0];
    close(p[0]);
    CHECK(fdinfo(ep).count(old) == 1 && fdinfo(ep)[old].second == 0x42);
    CHECK(kcmp(dupfd, old) == 0);
    p[0] = dupfd;
  }
  close_all({p[0], p[1], q[0], q[1], r[0], r[1], ep});
}

void test_nested_data() {
  int a = epoll_create1(0), b = epoll_create1(0), c = epoll_create1(0);
  int p[2], q[2];
  make_pipe(p);
  make_pipe(q);
  CHECK_OK(ctl(a, EPOLL_CTL_ADD, p[0], EPOLLIN, 0xa0000000000000a1ull));
  CHECK_OK(ctl(a, EPOLL_CTL_ADD, q[0], EPOLLIN, 1));
  CHECK_OK(ctl(b, EPOLL_CTL_ADD, a, EPOLLIN, 0xb0000000000000b1ull));
  CHECK_OK(ctl(c, EPOLL_CTL_ADD, b, EPOLLIN, 2));
  CHECK(write(p[1], "x", 1) == 1);
  CHECK(write(q[1], "x", 1) == 1);
  CHECK(wait_data(c) == V{2});
  CHECK(wait_data(b) == V{0xb0000000000000b1ull});
  CHECK(wait_data(a) == (V{0xa0000000000000a1ull, 1}));
  CHECK_OK(ctl(b, EPOLL_CTL_MOD, a, EPOLLIN, 3));
  CHECK(wait_data(b) == V{3});
  close_all({p[0], p[1], q[0], q[1], c, b, a});
}

// Five ready fds fetched two at a time, in readiness order.
void test_maxevents() {
  for (uint32_t et : {0u, uint32_t{EPOLLET}}) {
    int ep = epoll_create1(0);
    int p[5][2];
    uint64_t d[5];
    for (int i = 0; i < 5; ++i) {
      make_pipe(p[i]);
      d[i] = splitmix(uint64_t(i) + 100);
      CHECK_OK(ctl(ep, EPOLL_CTL_ADD, p[i][0], EPOLLIN | et, d[i]));
    }
    for (auto& pp : p) CHECK(write(pp[1], "x", 1) == 1);
    CHECK(wait_data(ep, 2) == (V{d[0], d[1]}));
    CHECK(wait_data(ep, 2) == (V{d[2], d[3]}));
    if (et) {  // the rest, then nothing
      CHECK(wait_data(ep, 2) == V{d[4]});
      CHECK(wait_data(ep, 2).empty());
    } else {  // level-triggered items rotate to the back
      CHECK(wait_data(ep, 2) == (V{d[4], d[0]}));
      CHECK(wait_data(ep, 8) == (V{d[1], d[2], d[3], d[4], d[0]}));
    }
    for (auto& pp : p) close_all({pp[0], pp[1]});
    close(ep);
  }
}

// Two ready fds, an events buffer running into a PROT_NONE page.
void test_partial_buffer() {
  const size_t pg = size_t(sysconf(_SC_PAGESIZE));
  auto* mem = static_cast<char*>(mmap(nullptr, 2 * pg, PROT_READ | PROT_WRITE,
                                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  CHECK(mem != MAP_FAILED);
  if (mem == MAP_FAILED) return;
  CHECK_OK(mprotect(mem + pg, pg, PROT_NONE));
  constexpr size_t S = sizeof(epoll_event);
  constexpr uint64_t D1 = 0xdddd000000000001ull, D2 = 0xdddd000000000002ull;
  // Element 1 wholly on the bad page; element 1 straddling it (its events
  // field writable, its data not); element 0 on the bad page.
  for (size_t off : {pg - S, pg - S - offsetof(epoll_event, data), pg}) {
    for (uint32_t et : {0u, uint32_t{EPOLLET}}) {
      int ep = epoll_create1(0);
      int p[2], q[2];
      make_pipe(p);
      make_pipe(q);
      CHECK_OK(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | et, D1));
      CHECK_OK(ctl(ep, EPOLL_CTL_ADD, q[0], EPOLLIN | et, D2));
      CHECK(write(p[1], "x", 1) == 1);
      CHECK(write(q[1], "x", 1) == 1);
      auto* evs = reinterpret_cast<epoll_event*>(mem + off);
      if (off == pg) {  // nothing delivered, nothing lost
        CHECK_ERR(epoll_wait(ep, evs, 2, 0), EFAULT);
        CHECK(wait_data(ep) == (V{D1, D2}));
      } else {
        CHECK(epoll_wait(ep, evs, 2, 0) == 1);
        CHECK(evs[0].events == EPOLLIN && evs[0].data.u64 == D1);
        // The undelivered event comes first next time (the delivered one,
        // if level-triggered, went to the back).
        CHECK(wait_data(ep) == (et ? V{D2} : V{D2, D1}));
      }
      close_all({p[0], p[1], q[0], q[1], ep});
    }
  }
  munmap(mem, 2 * pg);
}

}  // namespace

void test_wakeup_accepted() {
  int p[2];
  make_pipe(p);
  int ep = epoll_create1(EPOLL_CLOEXEC);
  CHECK_OK(ctl(ep, EPOLL_CTL_ADD, p[0], EPOLLIN | EPOLLWAKEUP, 0x77));
  CHECK(write(p[1], "w", 1) == 1);
  epoll_event ev{};
  CHECK(epoll_wait(ep, &ev, 1, 0) == 1);
  CHECK(ev.events == EPOLLIN);  // the flag is not an event
  CHECK(ev.data.u64 == 0x77);
  CHECK_OK(ctl(ep, EPOLL_CTL_MOD, p[0], EPOLLIN | EPOLLET | EPOLLWAKEUP, 0x78));
  CHECK(wait_data(ep) == V{0x78});
  CHECK(wait_data(ep).empty());  // edge-triggered now
  CHECK(read1(p[0]));
  close_all({ep, p[0], p[1]});
}

int main() {
  test_roundtrip();
  test_mod();
  test_churn();
  test_fork();
  test_scm_rights();
  test_fdinfo_and_kcmp();
  test_nested_data();
  test_maxevents();
  test_partial_buffer();
  test_wakeup_accepted();
  return conformance::finish();
}
