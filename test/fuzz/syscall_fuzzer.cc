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
//                       [--rows NAME,...] [--no-events] [--trace] [--timer-ms N]
// Exit: 0 no impossible result, 1 at least one, 2 usage or setup error.
//
// Safety: it runs as root natively. Every call that could reach outside the
// process (host mounts, clock, hostname, network config, filesystems, other
// processes) is either skipped, confined to forked children, or given only
// arguments that fail before anything happens (nonexistent paths, invalid
// pointers, invalid magic/flags). Comments at each row say which.
#include <atomic>
#include <cerrno>
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
// The rows sentry handles itself. Generated once from abi/syscalls_x86_64.def:
//   grep -E '^SYSCALL\(' abi/syscalls_x86_64.def | grep -vE ',\s*kForward\s*,' |
//     awk -F'[(,]' '{for(i=2;i<=6;i++) gsub(/ /,"",$i);
//                    printf "    {\"%s\", %s, %s, %s},\n",$2,$3,$5,$6}'
// (name, x86-64 number, SERVE, the errno a kDeny/kUnsupported row returns).
enum Serve { kEmulate, kTranslate, kSupervise, kDeny, kUnsupported };
struct Row {
  const char* name;
  int nr;
  Serve serve;
  int err;
};
constexpr Row kRows[] = {
    {"open", 2, kEmulate, 0},
    {"ioctl", 16, kEmulate, 0},
    {"dup", 32, kEmulate, 0},
    {"dup2", 33, kEmulate, 0},
    {"socket", 41, kEmulate, 0},
    {"connect", 42, kTranslate, 0},
    {"accept", 43, kTranslate, 0},
    {"sendto", 44, kTranslate, 0},
    {"recvfrom", 45, kTranslate, 0},
    {"sendmsg", 46, kTranslate, 0},
    {"recvmsg", 47, kTranslate, 0},
    {"bind", 49, kTranslate, 0},
    {"getsockname", 51, kTranslate, 0},
    {"getpeername", 52, kTranslate, 0},
    {"setsockopt", 54, kEmulate, 0},
    {"getsockopt", 55, kEmulate, 0},
    {"uname", 63, kEmulate, 0},
    {"fcntl", 72, kEmulate, 0},
    {"creat", 85, kEmulate, 0},
    {"getrlimit", 97, kEmulate, 0},
    {"sysinfo", 99, kEmulate, 0},
    {"ptrace", 101, kDeny, EPERM},
    {"getuid", 102, kEmulate, 0},
    {"syslog", 103, kDeny, EPERM},
    {"getgid", 104, kEmulate, 0},
    {"setuid", 105, kEmulate, 0},
    {"setgid", 106, kEmulate, 0},
    {"geteuid", 107, kEmulate, 0},
    {"getegid", 108, kEmulate, 0},
    {"setreuid", 113, kEmulate, 0},
    {"setregid", 114, kEmulate, 0},
    {"getgroups", 115, kEmulate, 0},
    {"setgroups", 116, kEmulate, 0},
    {"setresuid", 117, kEmulate, 0},
    {"getresuid", 118, kEmulate, 0},
    {"setresgid", 119, kEmulate, 0},
    {"getresgid", 120, kEmulate, 0},
    {"setfsuid", 122, kEmulate, 0},
    {"setfsgid", 123, kEmulate, 0},
    {"capget", 125, kEmulate, 0},
    {"capset", 126, kEmulate, 0},
    {"uselib", 134, kUnsupported, ENOSYS},
    {"getpriority", 140, kEmulate, 0},
    {"setpriority", 141, kEmulate, 0},
    {"sched_setparam", 142, kEmulate, 0},
    {"sched_getparam", 143, kEmulate, 0},
    {"sched_setscheduler", 144, kEmulate, 0},
    {"sched_getscheduler", 145, kEmulate, 0},
    {"sched_get_priority_max", 146, kEmulate, 0},
    {"sched_get_priority_min", 147, kEmulate, 0},
    {"sched_rr_get_interval", 148, kEmulate, 0},
    {"vhangup", 153, kDeny, EPERM},
    {"pivot_root", 155, kDeny, EPERM},
    {"_sysctl", 156, kUnsupported, ENOSYS},
    {"prctl", 157, kEmulate, 0},
    {"adjtimex", 159, kDeny, EPERM},
    {"setrlimit", 160, kEmulate, 0},
    {"chroot", 161, kDeny, EPERM},
    {"acct", 163, kDeny, EPERM},
    {"settimeofday", 164, kDeny, EPERM},
    {"mount", 165, kDeny, EPERM},
    {"umount2", 166, kDeny, EPERM},
    {"swapon", 167, kDeny, EPERM},
    {"swapoff", 168, kDeny, EPERM},
    {"reboot", 169, kDeny, EPERM},
    {"sethostname", 170, kDeny, EPERM},
    {"setdomainname", 171, kDeny, EPERM},
    {"iopl", 172, kDeny, EPERM},
    {"ioperm", 173, kDeny, EPERM},
    {"create_module", 174, kUnsupported, ENOSYS},
    {"init_module", 175, kDeny, EPERM},
    {"delete_module", 176, kDeny, EPERM},
    {"get_kernel_syms", 177, kUnsupported, ENOSYS},
    {"query_module", 178, kUnsupported, ENOSYS},
    {"quotactl", 179, kDeny, EPERM},
    {"nfsservctl", 180, kUnsupported, ENOSYS},
    {"getpmsg", 181, kUnsupported, ENOSYS},
    {"putpmsg", 182, kUnsupported, ENOSYS},
    {"afs_syscall", 183, kUnsupported, ENOSYS},
    {"tuxcall", 184, kUnsupported, ENOSYS},
    {"security", 185, kUnsupported, ENOSYS},
    {"futex", 202, kEmulate, 0},
    {"sched_setaffinity", 203, kEmulate, 0},
    {"sched_getaffinity", 204, kEmulate, 0},
    {"set_thread_area", 205, kUnsupported, ENOSYS},
    {"get_thread_area", 211, kUnsupported, ENOSYS},
    {"lookup_dcookie", 212, kUnsupported, ENOSYS},
    {"epoll_create", 213, kEmulate, 0},
    {"epoll_ctl_old", 214, kUnsupported, ENOSYS},
    {"epoll_wait_old", 215, kUnsupported, ENOSYS},
    {"clock_settime", 227, kDeny, EPERM},
    {"epoll_ctl", 233, kEmulate, 0},
    {"vserver", 236, kUnsupported, ENOSYS},
    {"kexec_load", 246, kDeny, EPERM},
    {"openat", 257, kEmulate, 0},
    {"unshare", 272, kDeny, EPERM},
    {"accept4", 288, kTranslate, 0},
    {"epoll_create1", 291, kEmulate, 0},
    {"dup3", 292, kEmulate, 0},
    {"perf_event_open", 298, kDeny, EPERM},
    {"recvmmsg", 299, kTranslate, 0},
    {"fanotify_mark", 301, kDeny, EPERM},
    {"prlimit64", 302, kEmulate, 0},
    {"name_to_handle_at", 303, kDeny, EOPNOTSUPP},
    {"open_by_handle_at", 304, kDeny, EPERM},
    {"clock_adjtime", 305, kDeny, EPERM},
    {"sendmmsg", 307, kTranslate, 0},
    {"setns", 308, kDeny, EPERM},
    {"getcpu", 309, kEmulate, 0},
    {"finit_module", 313, kDeny, EPERM},
    {"sched_setattr", 314, kEmulate, 0},
    {"sched_getattr", 315, kEmulate, 0},
    {"kexec_file_load", 320, kDeny, EPERM},
    {"bpf", 321, kDeny, EPERM},
    {"userfaultfd", 323, kDeny, EPERM},
    {"io_uring_setup", 425, kDeny, ENOSYS},
    {"io_uring_enter", 426, kDeny, ENOSYS},
    {"io_uring_register", 427, kDeny, ENOSYS},
    {"open_tree", 428, kDeny, EPERM},
    {"move_mount", 429, kDeny, EPERM},
    {"fsopen", 430, kDeny, EPERM},
    {"fsconfig", 431, kDeny, EPERM},
    {"fsmount", 432, kDeny, EPERM},
    {"fspick", 433, kDeny, EPERM},
    {"openat2", 437, kEmulate, 0},
    {"mount_setattr", 442, kDeny, EPERM},
    {"quotactl_fd", 443, kDeny, EPERM},
    {"futex_waitv", 449, kEmulate, 0},
    {"futex_wake", 454, kEmulate, 0},
    {"futex_wait", 455, kEmulate, 0},
    {"futex_requeue", 456, kEmulate, 0},
    {"setxattrat", 463, kUnsupported, ENOSYS},
    {"getxattrat", 464, kUnsupported, ENOSYS},
    {"listxattrat", 465, kUnsupported, ENOSYS},
    {"removexattrat", 466, kUnsupported, ENOSYS},
    {"open_tree_attr", 467, kDeny, EPERM},
    {"file_getattr", 468, kUnsupported, ENOSYS},
    {"file_setattr", 469, kUnsupported, ENOSYS},
};
constexpr int kNumRows = sizeof(kRows) / sizeof(kRows[0]);

const char* serve_name(Serve s) {
  switch (s) {
    case kEmulate: return "kEmulate";
    case kTranslate: return "kTranslate";
    case kSupervise: return "kSupervise";
    case kDeny: return "kDeny";
    case kUnsupported: return "kUnsupported";
  }
  return "?";
}

}  // namespace

int main(int argc, char** argv) {
  (void)argc; (void)argv;
  for (const Row& r : kRows) printf("%s %d %s %d\n", r.name, r.nr, serve_name(r.serve), r.err);
  return 0;
}
