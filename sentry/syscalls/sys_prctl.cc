// prctl. Every option is one of three kinds:
//
//  * Model-served: the answer comes from the model (Task::comm,
//    Task::creds); a change also runs on the host when the host must know.
//      PR_SET_NAME / PR_GET_NAME        Task::comm; SET runs on the host too
//                                       (so /proc/<tid>/comm and ps show it).
//                                       GET re-reads the host's
//                                       /proc/<tid>/comm first: exec and
//                                       writes to /proc/<pid>/task/<tid>/comm
//                                       rename a thread without a prctl.
//      PR_CAPBSET_READ / _DROP,         Credentials (per task). Changes run on
//      PR_GET/SET_KEEPCAPS,             the host only with the real identity,
//      PR_GET/SET_SECUREBITS,           as for the setuid family
//      PR_CAP_AMBIENT                   (sys_identity.cc).
//      PR_GET/SET_NO_NEW_PRIVS          Credentials::no_new_privs. sentry sets
//                                       no_new_privs on the guest's host process
//                                       itself (non-root runs need it for the
//                                       seccomp filter), so the host's flag is
//                                       not what the guest would see. SET runs
//                                       on the host too (a restriction the host
//                                       must enforce).
//      PR_GET/SET_SECCOMP               Credentials::seccomp_mode: the host
//                                       always reports sentry's own filter
//                                       (mode 2). A guest filter installed with
//                                       seccomp(2) shows as an extra host filter
//                                       (Seccomp_filters in /proc/<tid>/status).
//                                       Strict mode cannot be entered on top of
//                                       sentry's filter: EINVAL (logged).
//  * Forwarded unchanged (continue_on_host): per-process or per-thread state
//    the host kernel keeps exactly, with all its life-cycle rules (fork clears
//    pdeathsig, exec and uid changes reset dumpable, RT tasks ignore timer
//    slack, ...), and that sentry neither perturbs nor models:
//    PDEATHSIG, DUMPABLE, TIMING, TSC, TIMERSLACK, PERF_EVENTS, MCE_KILL,
//    SET_MM, CHILD_SUBREAPER, TID_ADDRESS, THP_DISABLE, SPECULATION_CTRL,
//    IO_FLUSHER, SYSCALL_USER_DISPATCH, SCHED_CORE, MDWE, MEMORY_MERGE,
//    TIMER_CREATE_RESTORE_IDS, GET_AUXV, SET_PTRACER, SET_VMA.
//  * Not served: EINVAL, logged once per option at warn level. These are
//    unknown options and options of other architectures (Linux answers EINVAL
//    on x86-64 too), and PR_FUTEX_HASH (sentry serves futexes itself).
#include <sys/prctl.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sentry/kernel/credentials.h"
#include "sentry/kernel/thread_name.h"
#include "sentry/syscalls/registry.h"

namespace sentry::syscalls {

namespace {

// linux/prctl.h numbers (some newer than Debian 12's headers).
enum PrctlOption : int {
  kSetPdeathsig = 1,
  kGetPdeathsig = 2,
  kGetDumpable = 3,
  kSetDumpable = 4,
  kGetKeepcaps = 7,
  kSetKeepcaps = 8,
  kGetTiming = 13,
  kSetTiming = 14,
  kSetName = 15,
  kGetName = 16,
  kGetSeccomp = 21,
  kSetSeccomp = 22,
  kCapbsetRead = 23,
  kCapbsetDrop = 24,
  kGetTsc = 25,
  kSetTsc = 26,
  kGetSecurebits = 27,
  kSetSecurebits = 28,
  kSetTimerslack = 29,
  kGetTimerslack = 30,
  kTaskPerfEventsDisable = 31,
  kTaskPerfEventsEnable = 32,
  kMceKill = 33,
  kMceKillGet = 34,
  kSetMm = 35,
  kSetChildSubreaper = 36,
  kGetChildSubreaper = 37,
  kSetNoNewPrivs = 38,
  kGetNoNewPrivs = 39,
  kGetTidAddress = 40,
  kSetThpDisable = 41,
  kGetThpDisable = 42,
  kCapAmbient = 47,
  kGetSpeculationCtrl = 52,
  kSetSpeculationCtrl = 53,
  kSetIoFlusher = 57,
  kGetIoFlusher = 58,
  kSetSyscallUserDispatch = 59,
  kSchedCore = 62,
  kSetMdwe = 65,
  kGetMdwe = 66,
  kSetMemoryMerge = 67,
  kGetMemoryMerge = 68,
  kTimerCreateRestoreIds = 77,
  kSetPtracer = 0x59616d61,
  kSetVma = 0x53564d41,
  kGetAuxv = 0x41555856,
};

constexpr std::uint64_t kPrCapAmbientIsSet = 1;
constexpr int kSeccompModeStrict = 1;
constexpr int kSeccompModeFilter = 2;
constexpr std::uint64_t kBpfMaxInsns = 4096;
constexpr int kCapSysAdmin = 21;

void warn_once(int option, const char* what) {
  static std::set<int> warned;
  if (warned.insert(option).second) spdlog::warn("prctl option {} {}", option, what);
}

void not_served(int option, const SyscallPtr& call) {
  warn_once(option, "not served: EINVAL");
  call->fail(EINVAL);
}

// Answers a credential change as sys_identity.cc does.
void answer_change(kernel::Kernel& k, const SyscallPtr& call, int rc) {
  if (rc != 0)
    call->complete(rc);
  else if (k.real_identity())
    call->continue_on_host();
  else
    call->complete(0);
}

// PR_SET_NAME copies at most 15 bytes up to a NUL (strncpy_from_user): a
// fault before the NUL or the 15th byte is EFAULT.
std::optional<std::string> read_name(GuestMemory& m, std::uint64_t addr) {
  char buf[kernel::kTaskCommLen - 1];
  if (m.read(addr, buf, sizeof buf)) return kernel::comm_from_bytes(buf, sizeof buf);
  // The 15 bytes cross into unmapped memory: a shorter name may end before.
  std::string name;
  for (std::size_t i = 0; i < sizeof buf; ++i) {
    char c = 0;
    if (!m.read(addr + i, &c, 1)) return std::nullopt;
    if (c == 0) break;
    name.push_back(c);
  }
  return name;
}

// Seccomp_filters of /proc/<tid>/status (Linux 5.9+), or -1.
long host_seccomp_filters(const std::string& status_path) {
  std::ifstream in(status_path);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("Seccomp_filters:", 0) == 0) return std::strtol(line.c_str() + 16, nullptr, 10);
  return -1;
}

// The guest's seccomp mode as it would see it without sentry: the model's,
// or filter mode when the host shows more filters than sentry put there (its
// own inherited ones plus the one it loads before the guest's first exec).
int seccomp_mode_of(const kernel::Credentials& c, pid_t tid) {
  if (c.seccomp_mode != 0) return c.seccomp_mode;
  static const long baseline = [] {
    long own = host_seccomp_filters("/proc/self/status");
    return own < 0 ? -1 : own + 1;
  }();
  if (baseline < 0) return 0;
  long now = host_seccomp_filters("/proc/" + std::to_string(tid) + "/status");
  return now > baseline ? kSeccompModeFilter : 0;
}

void set_seccomp(kernel::Kernel& k, const SyscallPtr& call, kernel::Credentials& c) {
  const std::uint64_t mode = call->arg(1);
  if (mode == static_cast<std::uint64_t>(kSeccompModeStrict)) {
    // The host refuses strict mode on top of sentry's filter (EINVAL); say so.
    warn_once(kSetSeccomp, "(SECCOMP_MODE_STRICT) cannot be served under sentry's filter: EINVAL");
    call->fail(EINVAL);
    return;
  }
  if (mode != static_cast<std::uint64_t>(kSeccompModeFilter)) {
    call->fail(EINVAL);
    return;
  }
  // struct sock_fprog { unsigned short len; struct sock_filter* filter; }
  struct {
    std::uint16_t len;
    std::uint8_t pad[6];
    std::uint64_t filter;
  } prog{};
  if (!call->memory().read_value(call->arg(2), &prog)) {
    call->fail(EFAULT);
    return;
  }
  if (prog.len == 0 || prog.len > kBpfMaxInsns) {
    call->fail(EINVAL);
    return;
  }
  if (!c.no_new_privs && !c.has_capability(kCapSysAdmin)) {
    call->fail(EACCES);
    return;
  }
  std::vector<std::uint8_t> insns(8 * static_cast<std::size_t>(prog.len));  // struct sock_filter: 8 bytes
  if (!call->memory().read(prog.filter, insns.data(), insns.size())) {
    call->fail(EFAULT);
    return;
  }
  // The host validates the program itself; an invalid one fails there
  // (EINVAL) after the model recorded filter mode.
  c.seccomp_mode = kSeccompModeFilter;
  call->continue_on_host();
}

void sys_prctl(kernel::Kernel& k, const SyscallPtr& call) {
  const int option = static_cast<int>(call->arg(0));
  const std::uint64_t a2 = call->arg(1), a3 = call->arg(2), a4 = call->arg(3), a5 = call->arg(4);
  kernel::Task* task = k.tree.task(call->tid());
  if (task == nullptr) {
    spdlog::warn("tid {}: prctl from a task sentry does not know; run on the host", call->tid());
    call->continue_on_host();
    return;
  }
  kernel::Credentials& creds = task->creds;
  switch (option) {
    // --- Model-served. ---
    case kSetName: {
      std::optional<std::string> name = read_name(call->memory(), a2);
      if (!name) {
        call->fail(EFAULT);
        return;
      }
      task->comm = *name;
      call->continue_on_host();
      return;
    }
    case kGetName: {
      if (std::optional<std::string> host = kernel::read_host_comm(call->tid())) task->comm = *host;
      const auto buf = kernel::comm_buffer(task->comm);
      if (!call->memory().write(a2, buf.data(), buf.size())) {
        call->fail(EFAULT);
        return;
      }
      call->complete(0);
      return;
    }
    case kCapbsetRead:
      call->complete(creds.capbset_read(a2));
      return;
    case kCapbsetDrop:
      answer_change(k, call, creds.capbset_drop(a2));
      return;
    case kGetKeepcaps:
      call->complete(creds.get_keepcaps());
      return;
    case kSetKeepcaps:
      answer_change(k, call, creds.set_keepcaps(a2));
      return;
    case kGetSecurebits:
      call->complete(creds.securebits);
      return;
    case kSetSecurebits:
      answer_change(k, call, creds.set_securebits(a2));
      return;
    case kCapAmbient: {
      int rc = creds.cap_ambient_op(a2, a3, a4, a5);
      if (a2 == kPrCapAmbientIsSet)
        call->complete(rc);
      else
        answer_change(k, call, rc);
      return;
    }
    case kGetNoNewPrivs:
      if (a2 | a3 | a4 | a5) {
        call->fail(EINVAL);
        return;
      }
      call->complete(creds.no_new_privs ? 1 : 0);
      return;
    case kSetNoNewPrivs:
      if (a2 != 1 || a3 || a4 || a5) {
        call->fail(EINVAL);
        return;
      }
      creds.no_new_privs = true;
      call->continue_on_host();
      return;
    case kGetSeccomp:
      call->complete(seccomp_mode_of(creds, call->tid()));
      return;
    case kSetSeccomp:
      set_seccomp(k, call, creds);
      return;

    // --- Forwarded unchanged. ---
    case kSetPdeathsig:
    case kGetPdeathsig:
    case kGetDumpable:
    case kSetDumpable:
    case kGetTiming:
    case kSetTiming:
    case kGetTsc:
    case kSetTsc:
    case kSetTimerslack:
    case kGetTimerslack:
    case kTaskPerfEventsDisable:
    case kTaskPerfEventsEnable:
    case kMceKill:
    case kMceKillGet:
    case kSetMm:
    case kSetChildSubreaper:
    case kGetChildSubreaper:
    case kGetTidAddress:
    case kSetThpDisable:
    case kGetThpDisable:
    case kGetSpeculationCtrl:
    case kSetSpeculationCtrl:
    case kSetIoFlusher:
    case kGetIoFlusher:
    case kSetSyscallUserDispatch:
    case kSchedCore:
    case kSetMdwe:
    case kGetMdwe:
    case kSetMemoryMerge:
    case kGetMemoryMerge:
    case kTimerCreateRestoreIds:
    case kSetPtracer:
    case kSetVma:
    case kGetAuxv:
      call->continue_on_host();
      return;

    default:
      not_served(option, call);
      return;
  }
}

}  // namespace

void register_prctl(Registry& r) { r.add("prctl", sys_prctl); }

}  // namespace sentry::syscalls
