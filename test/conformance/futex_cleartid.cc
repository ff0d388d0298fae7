// CLONE_CHILD_CLEARTID / set_tid_address: when a thread exits, the kernel
// writes 0 to its clear-tid word and does a FUTEX_WAKE (shared, one waiter)
// on it. pthread_join is built on this. Also CLONE_PARENT_SETTID and
// CLONE_CHILD_SETTID.
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstdint>

#include "conformance.h"
#include "thread_state.h"

#if !defined(__x86_64__)
int main() { conformance::skip("raw clone helpers are x86-64 only"); }
#else

namespace {

using namespace conformance;

long futex(void* uaddr, int op, uint32_t val) {
  return syscall(SYS_futex, uaddr, op, val, nullptr, nullptr, 0);
}

uint32_t tid() { return static_cast<uint32_t>(syscall(SYS_gettid)); }
uint32_t load(const uint32_t* p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }

// Raw syscall that touches neither errno nor any other TLS: the raw clone
// children below run on the parent's TLS.
long raw_syscall(long n, long a1 = 0, long a2 = 0, long a3 = 0) {
  long ret;
  register long r10 asm("r10") = 0;
  register long r8 asm("r8") = 0;
  register long r9 asm("r9") = 0;
  asm volatile("syscall"
               : "=a"(ret)
               : "a"(n), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
               : "rcx", "r11", "memory");
  return ret;
}

// A futex waiter thread (pthread).
struct Waiter {
  uint32_t* word = nullptr;
  uint32_t expect = 0;
  int op = FUTEX_WAIT;
  std::atomic<uint32_t> tid{0};
  std::atomic<bool> done{false};
  long ret = -2;
  uint32_t seen = 1;
  pthread_t thread{};
};

void* waiter_main(void* arg) {
  auto* w = static_cast<Waiter*>(arg);
  w->tid.store(tid());
  w->ret = futex(w->word, w->op, w->expect);
  w->seen = load(w->word);
  w->done.store(true);
  return nullptr;
}

void start(Waiter& w, uint32_t* word, uint32_t expect, int op) {
  w.word = word;
  w.expect = expect;
  w.op = op;
  CHECK(pthread_create(&w.thread, nullptr, waiter_main, &w) == 0);
  CHECK(wait_until_sleeping(w.tid));
}

void join(Waiter& w) { CHECK(pthread_join(w.thread, nullptr) == 0); }

// A raw clone()d thread: no glibc thread descriptor, parent's TLS, raw
// syscalls only.
struct Child {
  uint32_t* ctid_seen_from = nullptr;  // word the child reads at start
  uint32_t* set_tid_addr = nullptr;    // if set: set_tid_address(this)
  bool call_set_tid = false;
  uint32_t ready = 0;
  uint32_t go = 0;
  long self = 0;
  long ctid_seen = -1;
  long set_tid_ret = -1;
};

int child_main(void* arg) {
  auto* c = static_cast<Child*>(arg);
  c->self = raw_syscall(SYS_gettid);
  if (c->ctid_seen_from != nullptr) c->ctid_seen = load(c->ctid_seen_from);
  if (c->call_set_tid) {
    c->set_tid_ret = raw_syscall(SYS_set_tid_address, reinterpret_cast<long>(c->set_tid_addr));
  }
  __atomic_store_n(&c->ready, 1, __ATOMIC_SEQ_CST);
  raw_syscall(SYS_futex, reinterpret_cast<long>(&c->ready), FUTEX_WAKE_PRIVATE, INT_MAX);
  while (__atomic_load_n(&c->go, __ATOMIC_SEQ_CST) == 0) {
    raw_syscall(SYS_futex, reinterpret_cast<long>(&c->go), FUTEX_WAIT_PRIVATE, 0);
  }
  return 0;  // glibc's clone() then calls SYS_exit (this thread only)
}

constexpr int kThreadFlags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |
                             CLONE_THREAD | CLONE_SYSVSEM;
constexpr size_t kStack = 64 * 1024;

struct Spawned {
  void* stack = nullptr;
  pid_t tid = -1;
};

Spawned spawn(Child& c, int extra_flags, uint32_t* ptid, uint32_t* ctid) {
  Spawned s;
  s.stack = mmap(nullptr, kStack, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  CHECK(s.stack != MAP_FAILED);
  if (s.stack == MAP_FAILED) return s;
  s.tid = clone(child_main, static_cast<char*>(s.stack) + kStack,
                kThreadFlags | extra_flags, &c, ptid, nullptr, ctid);
  CHECK(s.tid > 0);
  if (s.tid > 0) {
    while (load(&c.ready) == 0) futex(&c.ready, FUTEX_WAIT_PRIVATE, 0);
  }
  return s;
}

void release(Child& c) {
  __atomic_store_n(&c.go, 1, __ATOMIC_SEQ_CST);
  futex(&c.go, FUTEX_WAKE_PRIVATE, INT_MAX);
}

// Bounded wait until *word reads 0 (the child is gone once it does).
bool until_zero(const uint32_t* word) {
  for (int i = 0; i < 5000; ++i) {
    if (load(word) == 0) return true;
    sleep_ms(1);
  }
  return false;
}

// Bounded wait until the thread no longer exists.
bool until_gone(pid_t t) {
  return poll_until([&] { return task_state(t) == '?'; }, 5000);
}

void test_clone_cleartid() {
  uint32_t ptid = 0, ctid = 0;
  Child c;
  c.ctid_seen_from = &ctid;
  Spawned s = spawn(c, CLONE_PARENT_SETTID | CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID,
                    &ptid, &ctid);
  if (s.tid <= 0) return;
  const uint32_t t = static_cast<uint32_t>(s.tid);
  CHECK(c.self == s.tid);
  CHECK(ptid == t);          // CLONE_PARENT_SETTID
  CHECK(c.ctid_seen == t);   // CLONE_CHILD_SETTID, visible to the child at once
  CHECK(ctid == t);

  // A shared, a second shared and a private waiter on the clear-tid word.
  Waiter shared1, shared2, priv;
  start(shared1, &ctid, t, FUTEX_WAIT);
  start(shared2, &ctid, t, FUTEX_WAIT);
  start(priv, &ctid, t, FUTEX_WAIT_PRIVATE);
  release(c);
  CHECK(until_zero(&ctid));
  // The kernel's FUTEX_WAKE is shared and wakes ONE waiter: the first shared
  // waiter (FIFO). The second shared and the private waiter still sleep.
  join(shared1);
  CHECK(shared1.ret == 0);
  CHECK(shared1.seen == 0);
  CHECK(!shared2.done.load());
  CHECK(!priv.done.load());
  CHECK(futex(&ctid, FUTEX_WAKE, INT_MAX) == 1);
  join(shared2);
  CHECK(shared2.ret == 0);
  CHECK(futex(&ctid, FUTEX_WAKE_PRIVATE, INT_MAX) == 1);
  join(priv);
  CHECK(priv.ret == 0);
  CHECK(ptid == t);  // the parent-settid word is not cleared
  CHECK(until_gone(s.tid));
  munmap(s.stack, kStack);
}

void test_no_cleartid() {
  // Without CLONE_CHILD_CLEARTID nothing is written at exit.
  uint32_t ctid = 0xabcdu;
  Child c;
  Spawned s = spawn(c, 0, nullptr, &ctid);
  if (s.tid <= 0) return;
  release(c);
  CHECK(until_gone(s.tid));
  CHECK(ctid == 0xabcdu);
  munmap(s.stack, kStack);
}

void test_set_tid_address() {
  // set_tid_address returns the caller's tid and replaces the clear-tid
  // address set by CLONE_CHILD_CLEARTID.
  uint32_t clone_word = 0, new_word = 0x5555u;
  Child c;
  c.call_set_tid = true;
  c.set_tid_addr = &new_word;
  Spawned s = spawn(c, CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID, nullptr, &clone_word);
  if (s.tid <= 0) return;
  const uint32_t t = static_cast<uint32_t>(s.tid);
  CHECK(c.set_tid_ret == s.tid);
  CHECK(clone_word == t);
  CHECK(new_word == 0x5555u);  // set_tid_address writes nothing now
  Waiter w;
  start(w, &new_word, 0x5555u, FUTEX_WAIT);
  release(c);
  join(w);
  CHECK(w.ret == 0);
  CHECK(w.seen == 0);
  CHECK(new_word == 0);
  CHECK(until_gone(s.tid));
  CHECK(clone_word == t);  // the old address is forgotten
  munmap(s.stack, kStack);

  // set_tid_address(NULL) turns clearing off.
  uint32_t word = 0;
  Child d;
  d.call_set_tid = true;
  d.set_tid_addr = nullptr;
  Spawned s2 = spawn(d, CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID, nullptr, &word);
  if (s2.tid <= 0) return;
  CHECK(d.set_tid_ret == s2.tid);
  CHECK(word == static_cast<uint32_t>(s2.tid));
  release(d);
  CHECK(until_gone(s2.tid));
  CHECK(word == static_cast<uint32_t>(s2.tid));
  munmap(s2.stack, kStack);

}

void test_pthread_join() {
  // pthread_join waits on glibc's copy of the tid, cleared by the kernel.
  struct Ctx {
    uint32_t gate = 0;
  } ctx;
  pthread_t t;
  CHECK(pthread_create(
            &t, nullptr,
            [](void* a) -> void* {
              auto* c = static_cast<Ctx*>(a);
              while (load(&c->gate) == 0) futex(&c->gate, FUTEX_WAIT_PRIVATE, 0);
              return a;
            },
            &ctx) == 0);
  CHECK(pthread_tryjoin_np(t, nullptr) == EBUSY);
  __atomic_store_n(&ctx.gate, 1, __ATOMIC_SEQ_CST);
  futex(&ctx.gate, FUTEX_WAKE_PRIVATE, 1);
  void* out = nullptr;
  CHECK(pthread_join(t, &out) == 0);
  CHECK(out == &ctx);
  // Many short threads.
  for (int i = 0; i < 50; ++i) {
    pthread_t x;
    CHECK(pthread_create(&x, nullptr, [](void* a) -> void* { return a; }, &ctx) == 0);
    CHECK(pthread_join(x, &out) == 0);
    CHECK(out == &ctx);
  }
}

void test_single_threaded_process() {
  // The clear happens only when the mm is shared (mm_users > 1): a
  // single-threaded process that exits leaves its clear-tid word alone, even
  // in MAP_SHARED memory the parent can see.
  long page = sysconf(_SC_PAGESIZE);
  void* m = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                 -1, 0);
  CHECK(m != MAP_FAILED);
  if (m == MAP_FAILED) return;
  auto* word = static_cast<uint32_t*>(m);
  *word = 0;
  pid_t child = fork();
  CHECK_OK(child);
  if (child == 0) {
    *word = tid();
    syscall(SYS_set_tid_address, word);
    _exit(0);
  }
  int status = 0;
  CHECK(waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CHECK(*word == static_cast<uint32_t>(child));
  CHECK_OK(munmap(m, page));
}

}  // namespace

int main() {
  test_clone_cleartid();
  test_no_cleartid();
  test_set_tid_address();
  test_pthread_join();
  test_single_threaded_process();
  return conformance::finish();
}
#endif
