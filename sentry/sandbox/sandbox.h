// The sandbox a guest tree runs in: the kernel's namespaces and an identity
// that owns nothing on the host, under an init of sentry's own.
//
//   sentry (host root, host namespaces)
//     └─ init: pid 1 of a new PID namespace, in new mount, IPC, UTS, cgroup
//        and network namespaces owned by the host's user namespace. It builds
//        the guest's tree (vfs/namespace_builder.h), starts the program,
//        reaps orphans, and ends when the tree is gone. It keeps no
//        capability once the program runs, and is not dumpable.
//          └─ the program: joins the guest's user namespace (guest ids
//             0..N-1 = host ids BASE..BASE+N-1), takes the run's uid/gid,
//             a new session (no controlling terminal: TIOCSTI cannot reach
//             the user's), a new session keyring, no_new_privs; waits until
//             sentry has PTRACE_SEIZEd it, loads the filter, execs.
//
// The guest's network namespace is private (its abstract unix names, raw
// and packet sockets live there); sentry creates the guest's TCP and UDP
// sockets in the host's namespace, so the host network stays the default
// (sentry/syscalls/sys_socket.cc). Why each piece: docs/security.md.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sentry/platform/seccomp_policy.h"
#include "sentry/sandbox/cgroup_limits.h"
#include "sentry/sandbox/id_map.h"
#include "vfs/mount_table.h"

namespace sentry::sandbox {

struct Sandbox;

struct SandboxSpec {
  IdMap ids;
  std::uint32_t uid = 0;  // the guest ids the program starts with
  std::uint32_t gid = 0;
  bool private_network = true;  // false: the guest shares the host's network namespace
  const vfs::MountTable* mounts = nullptr;
  // The program (a name execvp searches PATH for, or a guest path), its
  // argv, and the guest directory it starts in.
  std::string program;
  std::vector<std::string> argv;
  std::string cwd = "/";
  // Compiles the guest's filter; called while the sandbox is being built (it
  // takes about as long), and its program is sent to the program with "go".
  std::function<std::unique_ptr<platform::SeccompFilter>(std::string* error)> make_filter;
  sigset_t sigmask;  // the mask the program starts with
  std::string hostname;  // set in the guest's UTS namespace ("": the host's name)
  // A connected unix socket (an OCI engine's console socket): the program
  // opens a pty in the guest's own devpts, sends its master there (as runc
  // does) and takes the slave as its stdio and controlling terminal. -1: none.
  int console_fd = -1;
  // Called once the program is seized, before it is let go to its filter and
  // exec (an OCI container's `created` state lasts this long); false: the
  // launch is abandoned with *error.
  std::function<bool(const Sandbox& box, std::string* error)> before_go;
  // Keep a spawner: more programs can be started in the sandbox later
  // (spawn(); an OCI container's `exec`).
  bool spawner = false;
  CgroupLimits* limits = nullptr;  // the tree's cgroups (none: no limits)
};

struct Sandbox {
  pid_t init = -1;    // host pid of the init
  pid_t root = -1;    // host pid of the program (PTRACE_SEIZEd)
  int control = -1;   // reads the program's exec errno (EOF once it ran)
  int netns = -1;     // the guest's network namespace (-1: the host's)
  int mntns = -1;     // the guest's mount namespace
  int spawner = -1;   // requests to the spawner (SandboxSpec::spawner), or -1
};

// Another program for a running sandbox (an OCI container's `exec`).
struct ProgramRequest {
  std::string program;  // a name searched in the request's PATH, or a guest path
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::string cwd = "/";
  std::uint32_t uid = 0, gid = 0;
  int stdio[3] = {-1, -1, -1};  // sentry's fds that become the program's 0, 1, 2
  int console_fd = -1;          // as SandboxSpec::console_fd
  std::vector<int> extra_fds;   // sentry's fds that become the program's 3, 4, ... (--preserve-fds)
};

struct Spawned {
  pid_t pid = -1;     // host pid, stopped before its filter until let_go()
  int control = -1;   // as Sandbox::control
};

// Starts `req` in `box` through its spawner: the program joins the
// sandbox's namespaces and identity as the first one did and waits for
// let_go(). nullopt with *error set.
std::optional<Spawned> spawn(const Sandbox& box, const ProgramRequest& req, std::string* error);

// Sends the "go" (the filter to load) to a seized program waiting on `control`.
bool let_go(int control, const platform::SeccompFilter& filter, std::string* error);

// Starts the sandbox and the program, stopped before its filter is loaded
// until sentry has seized it. nullopt with *error set (naming what is
// missing when the kernel refuses a namespace).
std::optional<Sandbox> launch(const SandboxSpec& spec, std::string* error);

// Ends a launched sandbox sentry cannot go on with: kills its processes and
// waits until its init is gone.
void abandon(const Sandbox& box);

// After the launch exec: the errno of a failed execve, or 0.
int read_exec_error(int control);

}  // namespace sentry::sandbox
