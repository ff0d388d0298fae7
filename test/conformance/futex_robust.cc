// Robust futexes: set_robust_list / get_robust_list, the kernel's walk of a
// dying thread's robust list (FUTEX_OWNER_DIED, wake-ups), and glibc robust
// mutexes (EOWNERDEAD) built on it.
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <climits>
#include <cstddef>
#include <cstdint>

#include "conformance.h"
#include "thread_state.h"

namespace {

using namespace conformance;

long futex(void* uaddr, int op, uint32_t val, const void* timeout = nullptr) {
  return syscall(SYS_futex, uaddr, op, val, timeout, nullptr, 0);
}

uint32_t tid() { return static_cast<uint32_t>(syscall(SYS_gettid)); }

uint32_t load(const uint32_t* p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }

long set_robust(void* head, size_t len) {
  return syscall(SYS_set_robust_list, head, len);
}
long get_robust(pid_t pid, void* head_ptr, void* len_ptr) {
  return syscall(SYS_get_robust_list, pid, head_ptr, len_ptr);
}

// A gate one thread parks on until another opens it.
struct Gate {
  uint32_t word = 0;
  void wait() {
    while (load(&word) == 0) futex(&word, FUTEX_WAIT_PRIVATE, 0);
  }
  void open() {
    __atomic_store_n(&word, 1, __ATOMIC_SEQ_CST);
    futex(&word, FUTEX_WAKE_PRIVATE, INT_MAX);
  }
};

struct Entry {
  robust_list list;
  uint32_t futex;
};
constexpr long kFutexOffset =
    static_cast<long>(offsetof(Entry, futex)) - static_cast<long>(offsetof(Entry, list));

// A futex waiter thread.
struct Waiter {
  uint32_t* word = nullptr;
  uint32_t expect = 0;
  int op = FUTEX_WAIT;
  std::atomic<uint32_t> tid{0};
  std::atomic<bool> done{false};
  long ret = -2;
  uint32_t seen = 0;
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

void test_set_get() {
  // The main thread already has glibc's list registered.
  robust_list_head* glibc_head = nullptr;
  size_t len = 0;
  CHECK(get_robust(0, &glibc_head, &len) == 0);
  CHECK(glibc_head != nullptr);
  CHECK(len == sizeof(robust_list_head));
  CHECK(sizeof(robust_list_head) == 24);

  robust_list_head mine{};
  mine.list.next = &mine.list;
  // Only the exact size is accepted.
  CHECK_ERR(set_robust(&mine, 0), EINVAL);
  CHECK_ERR(set_robust(&mine, sizeof mine - 1), EINVAL);
  CHECK_ERR(set_robust(&mine, sizeof mine + 1), EINVAL);
  CHECK_ERR(set_robust(&mine, 2 * sizeof mine), EINVAL);

  // The head pointer is not validated at registration.
  CHECK(set_robust(reinterpret_cast<void*>(0x10), sizeof mine) == 0);
  robust_list_head* got = nullptr;
  len = 0;
  CHECK(get_robust(0, &got, &len) == 0);
  CHECK(got == reinterpret_cast<robust_list_head*>(0x10));
  CHECK(len == 24);
  CHECK(set_robust(nullptr, sizeof mine) == 0);
  CHECK(get_robust(0, &got, &len) == 0);
  CHECK(got == nullptr);

  CHECK(set_robust(&mine, sizeof mine) == 0);
  CHECK(get_robust(0, &got, &len) == 0);
  CHECK(got == &mine);
  CHECK(len == 24);
  // pid == own tid is the same as 0.
  got = nullptr;
  CHECK(get_robust(static_cast<pid_t>(tid()), &got, &len) == 0);
  CHECK(got == &mine);

  // Another thread's list (same thread group) can be read by its tid.
  std::atomic<uint32_t> other_tid{0};
  std::atomic<robust_list_head*> other_head{nullptr};
  Gate release;
  struct Ctx {
    std::atomic<uint32_t>* tid;
    std::atomic<robust_list_head*>* head;
    Gate* release;
  } ctx{&other_tid, &other_head, &release};
  pthread_t t;
  CHECK(pthread_create(
            &t, nullptr,
            [](void* a) -> void* {
              auto* c = static_cast<Ctx*>(a);
              robust_list_head* h = nullptr;
              size_t l = 0;
              get_robust(0, &h, &l);
              c->head->store(h);
              c->tid->store(tid());
              c->release->wait();
              return nullptr;
            },
            &ctx) == 0);
  for (int i = 0; i < 5000 && other_tid.load() == 0; ++i) sleep_ms(1);
  got = nullptr;
  CHECK(get_robust(static_cast<pid_t>(other_tid.load()), &got, &len) == 0);
  CHECK(got == other_head.load());
  CHECK(got != nullptr && got != &mine && got != glibc_head);
  release.open();
  CHECK(pthread_join(t, nullptr) == 0);

  // Errors.
  CHECK_ERR(get_robust(0x3ffffff0, &got, &len), ESRCH);
  CHECK_ERR(get_robust(0, reinterpret_cast<void*>(8), &len), EFAULT);
  CHECK_ERR(get_robust(0, &got, reinterpret_cast<void*>(8)), EFAULT);

  // Restore glibc's list.
  CHECK(set_robust(glibc_head, sizeof mine) == 0);
  CHECK(get_robust(0, &got, &len) == 0);
  CHECK(got == glibc_head);
}

// Storage for the raw robust-list tests; it outlives the dying threads.
robust_list_head g_head;
Entry g_entry[3];

struct Dier {
  // Called on the dying thread before it parks; sets up its robust list.
  void (*setup)(uint32_t self) = nullptr;
  std::atomic<uint32_t> tid{0};
  Gate go;
};

void* dier_main(void* arg) {
  auto* d = static_cast<Dier*>(arg);
  uint32_t self = tid();
  d->setup(self);
  d->tid.store(self);
  d->go.wait();
  return nullptr;  // thread exit: the kernel walks g_head
}

// Runs a dying thread with the given setup. Before letting it exit, calls
// `before_exit` (after the setup is visible). pthread_join returning implies
// the kernel already processed the robust list: Linux walks the robust list
// before it clears and wakes the CLONE_CHILD_CLEARTID word join waits on.
template <typename F>
void run_dier(void (*setup)(uint32_t), F before_exit) {
  Dier d;
  d.setup = setup;
  pthread_t t;
  CHECK(pthread_create(&t, nullptr, dier_main, &d) == 0);
  for (int i = 0; i < 5000 && d.tid.load() == 0; ++i) sleep_ms(1);
  CHECK(d.tid.load() != 0);
  before_exit(d.tid.load());
  d.go.open();
  CHECK(pthread_join(t, nullptr) == 0);
}

void reset_list() {
  g_head.list.next = &g_head.list;
  g_head.futex_offset = kFutexOffset;
  g_head.list_op_pending = nullptr;
  for (auto& e : g_entry) {
    e.list.next = nullptr;
    e.futex = 0;
  }
}

void register_list() { CHECK(set_robust(&g_head, sizeof g_head) == 0); }

void test_raw_list_waiters() {
  reset_list();
  // Two entries owned by the dying thread, with FUTEX_WAITERS set; a third
  // owned by someone else.
  run_dier(
      [](uint32_t self) {
        g_entry[0].futex = self | FUTEX_WAITERS;
        g_entry[1].futex = self;
        g_entry[2].futex = 12345;  // not ours: must be left alone
        g_head.list.next = &g_entry[0].list;
        g_entry[0].list.next = &g_entry[1].list;
        g_entry[1].list.next = &g_entry[2].list;
        g_entry[2].list.next = &g_head.list;
        register_list();
      },
      [](uint32_t) {});
  // After the exit: OWNER_DIED set, tid cleared, WAITERS preserved.
  CHECK(g_entry[0].futex == (FUTEX_OWNER_DIED | FUTEX_WAITERS));
  CHECK(g_entry[1].futex == FUTEX_OWNER_DIED);
  CHECK(g_entry[2].futex == 12345u);
}

// Shared and private waiters on a robust entry.
Waiter g_shared_w, g_private_w;

void test_raw_list_wakeups() {
  reset_list();
  run_dier(
      [](uint32_t self) {
        g_entry[0].futex = self | FUTEX_WAITERS;
        g_head.list.next = &g_entry[0].list;
        g_entry[0].list.next = &g_head.list;
        register_list();
      },
      [](uint32_t dier) {
        start(g_shared_w, &g_entry[0].futex, dier | FUTEX_WAITERS, FUTEX_WAIT);
        start(g_private_w, &g_entry[0].futex, dier | FUTEX_WAITERS, FUTEX_WAIT_PRIVATE);
      });
  // The kernel's wake is a shared FUTEX_WAKE of one waiter: the shared waiter
  // is woken and sees OWNER_DIED | WAITERS with tid 0.
  join(g_shared_w);
  CHECK(g_shared_w.ret == 0);
  CHECK(g_shared_w.seen == (FUTEX_OWNER_DIED | FUTEX_WAITERS));
  CHECK((g_shared_w.seen & FUTEX_TID_MASK) == 0);
  // The private waiter was not woken: it is still there for a private wake.
  CHECK(!g_private_w.done.load());
  CHECK(futex(&g_entry[0].futex, FUTEX_WAKE_PRIVATE, INT_MAX) == 1);
  join(g_private_w);
  CHECK(g_private_w.ret == 0);

  // Without FUTEX_WAITERS in the word the kernel does not wake anyone.
  reset_list();
  static Waiter quiet;
  run_dier(
      [](uint32_t self) {
        g_entry[0].futex = self;
        g_head.list.next = &g_entry[0].list;
        g_entry[0].list.next = &g_head.list;
        register_list();
      },
      [](uint32_t dier) { start(quiet, &g_entry[0].futex, dier, FUTEX_WAIT); });
  CHECK(g_entry[0].futex == FUTEX_OWNER_DIED);
  CHECK(!quiet.done.load());
  CHECK(futex(&g_entry[0].futex, FUTEX_WAKE, INT_MAX) == 1);
  join(quiet);
  CHECK(quiet.ret == 0);
}

void test_raw_list_pending() {
  // list_op_pending naming a futex we own: processed like a list entry.
  reset_list();
  run_dier(
      [](uint32_t self) {
        g_entry[0].futex = self;
        g_head.list_op_pending = &g_entry[0].list;
        register_list();
      },
      [](uint32_t) {});
  CHECK(g_entry[0].futex == FUTEX_OWNER_DIED);

  // list_op_pending naming a futex whose word is 0 (the thread died between
  // unlocking and removing the entry): the kernel wakes one shared waiter and
  // leaves the word 0.
  reset_list();
  static Waiter w;
  run_dier(
      [](uint32_t) {
        g_entry[1].futex = 0;
        g_head.list_op_pending = &g_entry[1].list;
        register_list();
      },
      [](uint32_t) { start(w, &g_entry[1].futex, 0, FUTEX_WAIT); });
  join(w);
  CHECK(w.ret == 0);
  CHECK(g_entry[1].futex == 0);

  // A PI entry (bit 0 set in the link): OWNER_DIED is set, tid cleared.
  reset_list();
  run_dier(
      [](uint32_t self) {
        g_entry[2].futex = self;
        g_head.list.next = reinterpret_cast<robust_list*>(
            reinterpret_cast<uintptr_t>(&g_entry[2].list) | 1);
        g_entry[2].list.next = &g_head.list;
        register_list();
      },
      [](uint32_t) {});
  CHECK(g_entry[2].futex == FUTEX_OWNER_DIED);
}

// Robust lists are also walked when a whole process exits or is killed.
void test_process_exit() {
  long page = sysconf(_SC_PAGESIZE);
  void* m = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                 -1, 0);
  CHECK(m != MAP_FAILED);
  if (m == MAP_FAILED) return;
  struct Shared {
    robust_list_head head;
    Entry entry;
    uint32_t ready;
  };
  auto* sh = static_cast<Shared*>(m);
  for (int kill_it = 0; kill_it < 2; ++kill_it) {
    std::memset(sh, 0, sizeof *sh);
    pid_t child = fork();
    CHECK_OK(child);
    if (child == 0) {
      sh->head.list.next = &sh->entry.list;
      sh->head.futex_offset = kFutexOffset;
      sh->entry.list.next = &sh->head.list;
      sh->entry.futex = tid();
      if (set_robust(&sh->head, sizeof sh->head) != 0) _exit(2);
      __atomic_store_n(&sh->ready, 1, __ATOMIC_SEQ_CST);
      futex(&sh->ready, FUTEX_WAKE, 1);
      if (kill_it) {
        for (;;) pause();
      }
      _exit(0);
    }
    while (load(&sh->ready) == 0) futex(&sh->ready, FUTEX_WAIT, 0);
    if (kill_it) CHECK_OK(kill(child, SIGKILL));
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child);
    if (kill_it) {
      CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    } else {
      CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    CHECK(sh->entry.futex == FUTEX_OWNER_DIED);
  }
  CHECK_OK(munmap(m, page));
}

pthread_mutex_t g_mutex;
void* lock_and_die(void*) {
  CHECK(pthread_mutex_lock(&g_mutex) == 0);
  return nullptr;  // exits holding the mutex
}

uint32_t mutex_word(pthread_mutex_t* m) {
  return load(reinterpret_cast<uint32_t*>(&m->__data.__lock));
}

void test_pthread_robust(int protocol) {
  pthread_mutexattr_t attr;
  CHECK(pthread_mutexattr_init(&attr) == 0);
  CHECK(pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST) == 0);
  CHECK(pthread_mutexattr_setprotocol(&attr, protocol) == 0);
  CHECK(pthread_mutex_init(&g_mutex, &attr) == 0);
  CHECK(pthread_mutexattr_destroy(&attr) == 0);

  // Owner dies with nobody waiting.
  pthread_t t;
  CHECK(pthread_create(&t, nullptr, lock_and_die, nullptr) == 0);
  CHECK(pthread_join(t, nullptr) == 0);
  CHECK(mutex_word(&g_mutex) == FUTEX_OWNER_DIED);
  CHECK(pthread_mutex_lock(&g_mutex) == EOWNERDEAD);
  CHECK((mutex_word(&g_mutex) & FUTEX_TID_MASK) == tid());
  CHECK(pthread_mutex_consistent(&g_mutex) == 0);
  CHECK(pthread_mutex_unlock(&g_mutex) == 0);
  CHECK(pthread_mutex_lock(&g_mutex) == 0);
  CHECK(pthread_mutex_unlock(&g_mutex) == 0);

  // Owner dies while another thread is blocked in pthread_mutex_lock: a dier
  // takes the mutex and parks; a waiter blocks; the dier exits.
  Gate go;
  std::atomic<bool> locked{false};
  struct DierCtx {
    Gate* go;
    std::atomic<bool>* locked;
  } dctx{&go, &locked};
  pthread_t d;
  CHECK(pthread_create(
            &d, nullptr,
            [](void* a) -> void* {
              auto* c = static_cast<DierCtx*>(a);
              pthread_mutex_lock(&g_mutex);
              c->locked->store(true);
              c->go->wait();
              return nullptr;
            },
            &dctx) == 0);
  for (int i = 0; i < 5000 && !locked.load(); ++i) sleep_ms(1);
  CHECK(locked.load());
  struct Ctx {
    std::atomic<uint32_t> tid{0};
    int rc = -1;
  } ctx2;
  pthread_t w;
  CHECK(pthread_create(
            &w, nullptr,
            [](void* a) -> void* {
              auto* c = static_cast<Ctx*>(a);
              c->tid.store(tid());
              c->rc = pthread_mutex_lock(&g_mutex);
              return nullptr;
            },
            &ctx2) == 0);
  CHECK(wait_until_sleeping(ctx2.tid));
  go.open();
  CHECK(pthread_join(d, nullptr) == 0);
  CHECK(pthread_join(w, nullptr) == 0);
  CHECK(ctx2.rc == EOWNERDEAD);
  // The waiter exited holding it (inconsistent) -> the kernel marks it dead
  // again; we get EOWNERDEAD too. Unlocking without pthread_mutex_consistent
  // makes it permanently unusable.
  CHECK(pthread_mutex_lock(&g_mutex) == EOWNERDEAD);
  CHECK(pthread_mutex_unlock(&g_mutex) == 0);
  CHECK(pthread_mutex_lock(&g_mutex) == ENOTRECOVERABLE);
  CHECK(pthread_mutex_destroy(&g_mutex) == 0);
}

}  // namespace

int main() {
  test_set_get();
  test_raw_list_waiters();
  test_raw_list_wakeups();
  test_raw_list_pending();
  test_process_exit();
  test_pthread_robust(PTHREAD_PRIO_NONE);
  test_pthread_robust(PTHREAD_PRIO_INHERIT);
  return conformance::finish();
}
