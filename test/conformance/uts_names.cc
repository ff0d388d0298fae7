// sethostname/setdomainname in a UTS namespace of the program's own: the
// names uname and /proc/sys/kernel report follow, Linux's errno order holds
// (capability, length, copy), and a caller without CAP_SYS_ADMIN is refused.
// Natively the program first enters a new UTS namespace (so the host keeps
// its name); under sentry the guest's namespace is its own already.
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>

#include "conformance.h"

namespace {

std::string proc_name(const char* file) {
  std::ifstream in(std::string("/proc/sys/kernel/") + file);
  std::string s;
  std::getline(in, s);
  return s;
}

}  // namespace

int main() {
  if (unshare(CLONE_NEWUTS) != 0 && conformance::in_initial_user_namespace())
    conformance::skip("needs a UTS namespace of its own (run as root, or inside a sandbox)");
  CHECK_OK(sethostname("conf-host", 9));
  CHECK_OK(setdomainname("conf-domain", 11));
  utsname u{};
  CHECK_OK(uname(&u));
  CHECK(std::strcmp(u.nodename, "conf-host") == 0);
  CHECK(std::strcmp(u.domainname, "conf-domain") == 0);
  CHECK(proc_name("hostname") == "conf-host");
  CHECK(proc_name("domainname") == "conf-domain");
  // 64 bytes is the longest name; the length is taken, not a NUL.
  const std::string longest(64, 'h');
  CHECK_OK(sethostname(longest.c_str(), 64));
  CHECK_OK(uname(&u));
  CHECK(u.nodename == longest);
  CHECK_OK(sethostname("abcdef", 3));
  CHECK_OK(uname(&u));
  CHECK(std::strcmp(u.nodename, "abc") == 0);
  CHECK_OK(sethostname("", 0));
  CHECK_OK(uname(&u));
  CHECK(u.nodename[0] == '\0');
  CHECK_ERR(sethostname(longest.c_str(), 65), EINVAL);
  CHECK_ERR(syscall(SYS_sethostname, "x", -1), EINVAL);
  void* none = mmap(nullptr, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(none != MAP_FAILED);
  CHECK_ERR(sethostname(static_cast<const char*>(none), 4), EFAULT);
  CHECK_ERR(setdomainname(static_cast<const char*>(none), 4), EFAULT);
  // Without CAP_SYS_ADMIN: EPERM before the length is looked at.
  pid_t pid = fork();
  if (pid == 0) {
    if (setuid(65534) != 0) _exit(2);
    if (sethostname("nobody", 6) != -1 || errno != EPERM) _exit(3);
    if (sethostname(longest.c_str(), 65) != -1 || errno != EPERM) _exit(4);
    if (setdomainname("nobody", 6) != -1 || errno != EPERM) _exit(5);
    _exit(0);
  }
  int status = 0;
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  CHECK_OK(uname(&u));
  CHECK(u.nodename[0] == '\0');

  // A UTS namespace the program makes: its names are its own, another
  // process may join it (setns), and the namespace it came from keeps its
  // names. (Joining the sandbox's own namespaces back is the host's
  // decision: they belong to sentry's user namespace.)
  CHECK_OK(sethostname("outer", 5));
  int ready[2], done[2];
  CHECK_OK(pipe(ready));
  CHECK_OK(pipe(done));
  pid = fork();
  if (pid == 0) {
    char c;
    if (unshare(CLONE_NEWUTS) != 0 || sethostname("inner", 5) != 0) _exit(2);
    if (write(ready[1], "r", 1) != 1) _exit(3);
    (void)!read(done[0], &c, 1);
    utsname mine{};
    _exit(uname(&mine) == 0 && std::strcmp(mine.nodename, "inner") == 0 ? 0 : 4);
  }
  char c;
  CHECK(read(ready[0], &c, 1) == 1);
  CHECK_OK(uname(&u));
  CHECK(std::strcmp(u.nodename, "outer") == 0);
  CHECK(proc_name("hostname") == "outer");
  const int ns = open(("/proc/" + std::to_string(pid) + "/ns/uts").c_str(), O_RDONLY | O_CLOEXEC);
  CHECK(ns >= 0);
  CHECK_ERR(setns(ns, CLONE_NEWIPC), EINVAL);  // the fd is a UTS namespace
  CHECK_OK(setns(ns, CLONE_NEWUTS));
  CHECK_OK(uname(&u));
  CHECK(std::strcmp(u.nodename, "inner") == 0);
  CHECK_OK(sethostname("joined", 6));
  CHECK(write(done[1], "d", 1) == 1);
  CHECK(waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 4);  // the child sees "joined" now
  CHECK_ERR(setns(open("/dev/null", O_RDONLY | O_CLOEXEC), 0), EINVAL);  // not a namespace
  CHECK_OK(unshare(CLONE_NEWIPC));
  return conformance::finish();
}
