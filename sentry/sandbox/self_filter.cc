#include "sentry/sandbox/self_filter.h"

#include <seccomp.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iterator>
#include <vector>

namespace sentry::sandbox {

namespace {

// What sentry never does once the guest runs.
constexpr const char* kDenied[] = {
    "execve",        "execveat",        "mount",          "umount2",       "pivot_root",
    "chroot",        "open_tree",       "move_mount",     "fsopen",        "fsconfig",
    "fsmount",       "fspick",          "mount_setattr",  "open_tree_attr", "init_module",
    "finit_module",  "delete_module",   "kexec_load",     "kexec_file_load", "reboot",
    "swapon",        "swapoff",         "bpf",            "perf_event_open", "iopl",
    "ioperm",        "open_by_handle_at", "name_to_handle_at", "keyctl",      "add_key",
    "request_key",   "acct",            "settimeofday",   "clock_settime",  "clock_adjtime",
    "adjtimex",      "quotactl",        "quotactl_fd",
    "userfaultfd",   "syslog",          "vhangup",        "lookup_dcookie", "io_uring_setup",
    "io_uring_enter", "io_uring_register", "fanotify_init", "create_module", "uselib",
};

}  // namespace

std::string harden_self(bool in_guest_uts) {
  if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return std::string("PR_SET_DUMPABLE: ") + std::strerror(errno);
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == nullptr) return "seccomp_init failed";
  std::string error;
  seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
  // Root loads it without no_new_privs; an ordinary user's sentry needs it.
  seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, geteuid() == 0 ? 0 : 1);
  std::vector<const char*> denied(std::begin(kDenied), std::end(kDenied));
  if (!in_guest_uts) denied.insert(denied.end(), {"sethostname", "setdomainname"});
  for (const char* name : denied) {
    const int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;  // unknown to this libseccomp: nothing to deny
    if (int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0); rc != 0) {
      error = std::string("seccomp_rule_add(") + name + "): " + std::strerror(-rc);
      break;
    }
  }
  if (error.empty()) {
    if (int rc = seccomp_load(ctx); rc != 0) error = std::string("seccomp_load: ") + std::strerror(-rc);
  }
  seccomp_release(ctx);
  return error;
}

}  // namespace sentry::sandbox
