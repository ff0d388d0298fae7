// prctl basics (thread names, capability bounding set, parent-death signal,
// dumpable, no_new_privs, keepcaps, timer slack, subreaper, unknown options),
// plus uname() and sysinfo(). Process-wide or irreversible changes happen in
// forked children.
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "conformance.h"

namespace {

pid_t gettid_raw() { return static_cast<pid_t>(syscall(SYS_gettid)); }

std::string get_name() {
  char buf[32];
  std::memset(buf, 'x', sizeof(buf));
  if (prctl(PR_GET_NAME, buf, 0, 0, 0) != 0) return "<error>";
  buf[31] = 0;
  return buf;
}

std::string read_file(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return "<unreadable>";
  char buf[256];
  size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  buf[n] = 0;
  return buf;
}

std::string comm_of(pid_t tid) {
  return read_file("/proc/self/task/" + std::to_string(tid) + "/comm");
}

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

#define CHECK_CHILD(...)                                                  \
  do {                                                                    \
    bool child_ok_ = (__VA_ARGS__);                                       \
    if (!child_ok_)                                                       \
      conformance::fail(__FILE__, __LINE__, "checks in child failed", 0); \
  } while (0)

struct NamedThread {
  pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
  pid_t tid = 0;
  bool done = false;
  std::string name_after;
};

void* named_thread(void* arg) {
  auto* t = static_cast<NamedThread*>(arg);
  prctl(PR_SET_NAME, "worker-thread-name", 0, 0, 0);
  std::string n = get_name();
  pthread_mutex_lock(&t->mu);
  t->name_after = n;
  t->tid = gettid_raw();
  pthread_cond_broadcast(&t->cv);
  while (!t->done) pthread_cond_wait(&t->cv, &t->mu);
  pthread_mutex_unlock(&t->mu);
  return nullptr;
}

}  // namespace

int main() {
  const pid_t main_tid = gettid_raw();

  // --- PR_SET_NAME / PR_GET_NAME / comm. ---
  CHECK(prctl(PR_SET_NAME, "0123456789abcdefXYZ", 0, 0, 0) == 0);
  CHECK(get_name() == "0123456789abcde");  // 15 bytes + NUL
  CHECK(comm_of(main_tid) == "0123456789abcde\n");
  CHECK(read_file("/proc/self/comm") == "0123456789abcde\n");
  {
    // PR_GET_NAME writes exactly 16 bytes: the name and NUL padding.
    CHECK(prctl(PR_SET_NAME, "ab", 0, 0, 0) == 0);
    char buf[32];
    std::memset(buf, 'x', sizeof(buf));
    CHECK(prctl(PR_GET_NAME, buf, 0, 0, 0) == 0);
    CHECK(std::strcmp(buf, "ab") == 0);
    bool padded = true;
    for (int i = 2; i < 16; ++i)
      if (buf[i] != 0) padded = false;
    CHECK(padded);
    CHECK(buf[16] == 'x');
    CHECK(prctl(PR_SET_NAME, "", 0, 0, 0) == 0);
    CHECK(get_name().empty());
    CHECK(comm_of(main_tid) == "\n");
    CHECK_ERR(prctl(PR_SET_NAME, nullptr, 0, 0, 0), EFAULT);
    CHECK_ERR(prctl(PR_GET_NAME, nullptr, 0, 0, 0), EFAULT);
    CHECK(prctl(PR_SET_NAME, "main-name", 0, 0, 0) == 0);
  }
  {
    // A thread's name is its own.
    NamedThread t;
    pthread_t th;
    CHECK(pthread_create(&th, nullptr, named_thread, &t) == 0);
    pthread_mutex_lock(&t.mu);
    while (t.tid == 0) pthread_cond_wait(&t.cv, &t.mu);
    pthread_mutex_unlock(&t.mu);
    CHECK(t.name_after == "worker-thread-n");
    CHECK(comm_of(t.tid) == "worker-thread-n\n");
    CHECK(get_name() == "main-name");
    CHECK(comm_of(main_tid) == "main-name\n");
    CHECK(read_file("/proc/self/comm") == "main-name\n");
    // pthread_getname_np reads another thread's name; setname_np sets it.
    char buf[16];
    CHECK(pthread_getname_np(th, buf, sizeof(buf)) == 0);
    CHECK(std::strcmp(buf, "worker-thread-n") == 0);
    CHECK(pthread_setname_np(th, "renamed") == 0);
    CHECK(comm_of(t.tid) == "renamed\n");
    CHECK(get_name() == "main-name");
    // glibc rejects names longer than 15 characters and short buffers.
    CHECK(pthread_setname_np(th, "0123456789abcdef") == ERANGE);
    CHECK(pthread_setname_np(pthread_self(), "0123456789abcdef") == ERANGE);
    CHECK(pthread_setname_np(pthread_self(), "0123456789abcde") == 0);
    CHECK(get_name() == "0123456789abcde");
    char small[8];
    CHECK(pthread_getname_np(th, small, sizeof(small)) == ERANGE);
    // Writing /proc/self/task/<tid>/comm renames the thread, too.
    if (FILE* f = std::fopen(
            ("/proc/self/task/" + std::to_string(t.tid) + "/comm").c_str(), "w")) {
      std::fputs("via-proc", f);
      CHECK(std::fclose(f) == 0);
    } else {
      CHECK(!"open comm for writing");
    }
    CHECK(comm_of(t.tid) == "via-proc\n");
    pthread_mutex_lock(&t.mu);
    t.done = true;
    pthread_cond_broadcast(&t.cv);
    pthread_mutex_unlock(&t.mu);
    CHECK(pthread_join(th, nullptr) == 0);
    CHECK(prctl(PR_SET_NAME, "main-name", 0, 0, 0) == 0);
  }
  // Names are inherited by fork and new threads, and exec sets the basename.
  CHECK_CHILD(in_child([] {
    CHECK(get_name() == "main-name");
    int p[2];
    CHECK(pipe(p) == 0);
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
      dup2(p[1], 1);
      execl("/bin/cat", "not-cat", "/proc/self/comm", static_cast<char*>(nullptr));
      _exit(127);
    }
    close(p[1]);
    char buf[64] = {};
    ssize_t n = read(p[0], buf, sizeof(buf) - 1);
    CHECK(n > 0);
    CHECK(std::strcmp(buf, "cat\n") == 0);  // from the path, not argv[0]
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }));

  // --- PR_CAPBSET_READ. ---
  CHECK(prctl(PR_CAPBSET_READ, 0 /* CAP_CHOWN */, 0, 0, 0) == 1);
  CHECK(prctl(PR_CAPBSET_READ, 40 /* CAP_CHECKPOINT_RESTORE, the last */, 0, 0,
              0) >= 0);
  CHECK_ERR(prctl(PR_CAPBSET_READ, 41, 0, 0, 0), EINVAL);
  CHECK_ERR(prctl(PR_CAPBSET_READ, 64, 0, 0, 0), EINVAL);
  CHECK_ERR(prctl(PR_CAPBSET_READ, -1L, 0, 0, 0), EINVAL);
  CHECK(read_file("/proc/sys/kernel/cap_last_cap") == "40\n");
  CHECK_CHILD(in_child([] {
    // Dropping a capability from the bounding set is permanent.
    CHECK(prctl(PR_CAPBSET_DROP, 0, 0, 0, 0) == 0);
    CHECK(prctl(PR_CAPBSET_READ, 0, 0, 0, 0) == 0);
    CHECK(prctl(PR_CAPBSET_DROP, 0, 0, 0, 0) == 0);  // again: still fine
    CHECK_ERR(prctl(PR_CAPBSET_DROP, 64, 0, 0, 0), EINVAL);
  }));

  // --- PR_SET_PDEATHSIG / PR_GET_PDEATHSIG. ---
  {
    int sig = -1;
    CHECK(prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0) == 0);
    CHECK(sig == 0);
    CHECK(prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0) == 0);
    sig = -1;
    CHECK(prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0) == 0);
    CHECK(sig == SIGUSR1);
    CHECK(prctl(PR_SET_PDEATHSIG, SIGRTMAX, 0, 0, 0) == 0);  // 64 is valid
    CHECK_ERR(prctl(PR_SET_PDEATHSIG, 65, 0, 0, 0), EINVAL);
    CHECK_ERR(prctl(PR_SET_PDEATHSIG, -1L, 0, 0, 0), EINVAL);
    sig = -1;
    CHECK(prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0) == 0);
    CHECK(sig == SIGRTMAX);
    CHECK(prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0) == 0);
    CHECK_ERR(prctl(PR_GET_PDEATHSIG, nullptr, 0, 0, 0), EFAULT);
    // Not inherited by fork.
    CHECK_CHILD(in_child([] {
      int s = -1;
      CHECK(prctl(PR_GET_PDEATHSIG, &s, 0, 0, 0) == 0);
      CHECK(s == 0);
    }));
    CHECK(prctl(PR_SET_PDEATHSIG, 0, 0, 0, 0) == 0);
    sig = -1;
    CHECK(prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0) == 0);
    CHECK(sig == 0);
  }
  // The signal is delivered when the parent dies; a subreaper collects the
  // orphan. (Runs in a child because the subreaper flag is process-wide.)
  CHECK_CHILD(in_child([] {
    int sr = -1;
    CHECK(prctl(PR_GET_CHILD_SUBREAPER, &sr, 0, 0, 0) == 0);
    CHECK(sr == 0);
    CHECK(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0);
    CHECK(prctl(PR_GET_CHILD_SUBREAPER, &sr, 0, 0, 0) == 0);
    CHECK(sr == 1);
    int p[2];
    CHECK(pipe(p) == 0);
    std::fflush(nullptr);
    pid_t mid = fork();
    if (mid == 0) {
      close(p[0]);
      int q[2];
      if (pipe(q) != 0) _exit(4);
      pid_t leaf = fork();
      if (leaf == 0) {
        close(p[1]);
        close(q[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        char c = 'a';
        if (write(q[1], &c, 1) != 1) _exit(3);
        close(q[1]);
        for (;;) pause();
      }
      if (leaf < 0) _exit(2);
      close(q[1]);
      // Exit only after the leaf has armed its death signal.
      char c = 0;
      if (read(q[0], &c, 1) != 1) _exit(5);
      if (write(p[1], &leaf, sizeof(leaf)) != sizeof(leaf)) _exit(6);
      _exit(0);
    }
    close(p[1]);
    pid_t leaf = 0;
    CHECK(read(p[0], &leaf, sizeof(leaf)) == static_cast<ssize_t>(sizeof(leaf)));
    close(p[0]);
    int st = 0;
    CHECK(waitpid(mid, &st, 0) == mid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK(leaf > 0);
    if (leaf > 0) {
      st = 0;
      CHECK(waitpid(leaf, &st, 0) == leaf);  // reparented to us
      CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    }
  }));

  // --- PR_SET_DUMPABLE / PR_GET_DUMPABLE. ---
  CHECK(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1);
  CHECK(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0);
  CHECK(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 0);
  CHECK(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) == 0);
  CHECK(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1);
  CHECK_ERR(prctl(PR_SET_DUMPABLE, 2, 0, 0, 0), EINVAL);
  CHECK_ERR(prctl(PR_SET_DUMPABLE, 3, 0, 0, 0), EINVAL);
  CHECK(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) == 1);

  // --- PR_SET_KEEPCAPS / PR_GET_KEEPCAPS. ---
  CHECK(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0);
  CHECK(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) == 0);
  CHECK(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 1);
  CHECK_ERR(prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0), EINVAL);
  CHECK(prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) == 0);
  CHECK(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0) == 0);

  // --- PR_SET_TIMERSLACK: default 50 us; 0 resets to the default. ---
  CHECK(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) == 50000);
  CHECK(prctl(PR_SET_TIMERSLACK, 1000, 0, 0, 0) == 0);
  CHECK(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) == 1000);
  CHECK(prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0) == 0);
  CHECK(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) == 50000);

  // --- PR_SET_NO_NEW_PRIVS (irreversible: in a child). ---
  // Normally 0; a launcher that set it (it is inherited) must not fail us.
  const int nnp_before = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0);
  CHECK(nnp_before == 0 || nnp_before == 1);
  CHECK_CHILD(in_child([] {
    CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);
    CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);
    CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0), EINVAL);  // can't clear
    CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0), EINVAL);
    CHECK_ERR(prctl(PR_SET_NO_NEW_PRIVS, 1, 1, 0, 0), EINVAL);  // arg3 != 0
    CHECK_ERR(prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0), EINVAL);  // arg2 != 0
    CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0);  // idempotent
    CHECK_CHILD(in_child([] {
      CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1);  // inherited
    }));
    // ... and kept across execve.
    std::fflush(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
      execl("/bin/sh", "sh", "-c",
            "grep -q '^NoNewPrivs:[[:space:]]*1$' /proc/self/status",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
  }));
  CHECK(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == nnp_before);  // child-only

  // --- Unknown options. ---
  CHECK_ERR(prctl(0x12345678, 0, 0, 0, 0), EINVAL);
  CHECK_ERR(prctl(0, 0, 0, 0, 0), EINVAL);
  CHECK_ERR(prctl(-1, 0, 0, 0, 0), EINVAL);

  // --- uname(). ---
  {
    utsname u{};
    CHECK(uname(&u) == 0);
    CHECK(std::strcmp(u.sysname, "Linux") == 0);
    CHECK(std::strcmp(u.machine, "x86_64") == 0);
    CHECK(u.release[0] != 0);
    CHECK(u.version[0] != 0);
    char host[sizeof(u.nodename)] = {};
    CHECK(gethostname(host, sizeof(host)) == 0);
    CHECK(std::strcmp(host, u.nodename) == 0);
    // The release starts with "<major>.<minor>".
    int major = 0, minor = 0;
    CHECK(std::sscanf(u.release, "%d.%d", &major, &minor) == 2);
    CHECK(major >= 3);
    CHECK(read_file("/proc/sys/kernel/osrelease") == std::string(u.release) + "\n");
    CHECK_ERR(syscall(SYS_uname, nullptr), EFAULT);
  }

  // --- sysinfo(). ---
  {
    struct sysinfo si{};
    CHECK(sysinfo(&si) == 0);
    CHECK(si.totalram > 0);
    CHECK(si.mem_unit >= 1);
    CHECK(si.freeram <= si.totalram);
    CHECK(si.procs >= 1);
    CHECK(si.uptime > 0);
    CHECK(si.totalhigh == 0);  // no highmem on x86-64
    CHECK_ERR(syscall(SYS_sysinfo, nullptr), EFAULT);
  }

  return conformance::finish();
}
