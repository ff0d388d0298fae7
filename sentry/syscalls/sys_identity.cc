// Identity: uid/gid getters and setters, supplementary groups, fsuid/fsgid,
// capget/capset. Credentials are per task (Task::creds), as Linux's struct
// cred: a raw setresuid in one thread leaves its siblings unchanged, and
// glibc's wrappers reach every thread with one syscall each.
//
// Getters answer from the model. Setters validate against the model with
// Linux's rules (kernel::Credentials) and update it; then:
//   * real identity (Kernel::real_identity: always in a sandbox, where --uid
//     is the guest's real id in its user namespace): the call also runs on
//     the host (continue_on_host) so that the guest's host process really
//     changes identity: file permission checks, signals and ptrace access
//     happen on the host. Model and host apply the same rules to the same
//     state, so they agree (the host's answer equals the model's).
//   * a model with no guest behind it and an identity override (unit
//     tests): the model alone.
// A failing setter is answered from the model in both modes (the host would
// refuse it the same way).
#include <spdlog/spdlog.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <vector>

#include "sentry/kernel/credentials.h"
#include "sentry/syscalls/registry.h"

namespace sentry::syscalls {

namespace {

using kernel::CapData;
using kernel::Credentials;

// The calling task's credentials. For a task the model does not know (the
// tracer adds every task before its first call, so this is a safety net) the
// call runs on the host and nullptr is returned.
Credentials* creds_of_caller(kernel::Kernel& k, const SyscallPtr& call) {
  kernel::Task* t = k.tree.task(call->tid());
  if (t == nullptr) {
    spdlog::warn("tid {}: identity call {} from a task sentry does not know; run on the host",
                 call->tid(), call->nr());
    call->continue_on_host();
    return nullptr;
  }
  return &t->creds;
}

// Answers a model change: its error, or success (on the host too with the
// real identity).
void answer_change(kernel::Kernel& k, const SyscallPtr& call, int rc) {
  if (rc != 0) {
    call->complete(rc);
  } else if (k.real_identity()) {
    call->continue_on_host();
  } else {
    call->complete(0);
  }
}

uid_t uid_arg(const SyscallPtr& call, int i) { return static_cast<uid_t>(call->arg(i)); }
gid_t gid_arg(const SyscallPtr& call, int i) { return static_cast<gid_t>(call->arg(i)); }

void sys_getuid(kernel::Kernel& k, const SyscallPtr& call) {
  if (Credentials* c = creds_of_caller(k, call)) call->complete(c->ruid);
}
void sys_geteuid(kernel::Kernel& k, const SyscallPtr& call) {
  if (Credentials* c = creds_of_caller(k, call)) call->complete(c->euid);
}
void sys_getgid(kernel::Kernel& k, const SyscallPtr& call) {
  if (Credentials* c = creds_of_caller(k, call)) call->complete(c->rgid);
}
void sys_getegid(kernel::Kernel& k, const SyscallPtr& call) {
  if (Credentials* c = creds_of_caller(k, call)) call->complete(c->egid);
}

// getresuid/getresgid: three put_user()s in order; the first fault is EFAULT
// (earlier ids stay written).
void put_three(const SyscallPtr& call, std::uint32_t a, std::uint32_t b, std::uint32_t c) {
  GuestMemory& m = call->memory();
  if (!m.write_value(call->arg(0), a) || !m.write_value(call->arg(1), b) ||
      !m.write_value(call->arg(2), c)) {
    call->fail(EFAULT);
    return;
  }
  call->complete(0);
}

void sys_getresuid(kernel::Kernel& k, const SyscallPtr& call) {
  if (Credentials* c = creds_of_caller(k, call)) put_three(call, c->ruid, c->euid, c->suid);
}
void sys_getresgid(kernel::Kernel& k, const SyscallPtr& call) {
  if (Credentials* c = creds_of_caller(k, call)) put_three(call, c->rgid, c->egid, c->sgid);
}

// getgroups(size, list): size < 0 is EINVAL; 0 returns the count without
// touching `list`; otherwise a list longer than size is EINVAL.
void sys_getgroups(kernel::Kernel& k, const SyscallPtr& call) {
  Credentials* c = creds_of_caller(k, call);
  if (c == nullptr) return;
  const int size = static_cast<int>(call->arg(0));
  if (size < 0) {
    call->fail(EINVAL);
    return;
  }
  const auto n = static_cast<std::int64_t>(c->groups.size());
  if (size != 0) {
    if (n > size) {
      call->fail(EINVAL);
      return;
    }
    if (n > 0 && !call->memory().write(call->arg(1), c->groups.data(),
                                       c->groups.size() * sizeof(gid_t))) {
      call->fail(EFAULT);
      return;
    }
  }
  call->complete(n);
}

// setgroups(size, list): EPERM without CAP_SETGID, then EINVAL above
// NGROUPS_MAX (size is compared as unsigned: negative sizes are too big), then
// EFAULT.
void sys_setgroups(kernel::Kernel& k, const SyscallPtr& call) {
  Credentials* c = creds_of_caller(k, call);
  if (c == nullptr) return;
  if (!c->may_setgroups()) {
    call->fail(EPERM);
    return;
  }
  const auto size = static_cast<std::uint32_t>(call->arg(0));
  if (size > kernel::kNgroupsMax) {
    call->fail(EINVAL);
    return;
  }
  std::vector<gid_t> list(size);
  if (size > 0 && !call->memory().read(call->arg(1), list.data(), size * sizeof(gid_t))) {
    // groups_from_user copies one gid at a time: an invalid gid before the
    // fault is EINVAL, the fault itself EFAULT.
    for (std::uint32_t i = 0; i < size; ++i) {
      gid_t g = 0;
      if (!call->memory().read_value(call->arg(1) + i * sizeof(gid_t), &g)) {
        call->fail(EFAULT);
        return;
      }
      if (!kernel::gid_valid(g)) {
        call->fail(EINVAL);
        return;
      }
      list[i] = g;
    }
  }
  answer_change(k, call, c->setgroups(list));
}

void sys_setuid(kernel::Kernel& k, const SyscallPtr& call) {
  if (Credentials* c = creds_of_caller(k, call)) answer_change(k, call, c->setuid(uid_arg(call, 0)));
}
void sys_setgid(kernel::Kernel& k, const SyscallPtr& call) {
  if (Credentials* c = creds_of_caller(k, call)) answer_change(k, call, c->setgid(gid_arg(call, 0)));
}
void sys_setreuid(kernel::Kernel& k, const SyscallPtr& call) {
  if (Credentials* c = creds_of_caller(k, call))
    answer_change(k, call, c->setreuid(uid_arg(call, 0), uid_arg(call, 1)));
}
void sys_setregid(kernel::Kernel& k, const SyscallPtr& call) {
  if (Credentials* c = creds_of_caller(k, call))
    answer_change(k, call, c->setregid(gid_arg(call, 0), gid_arg(call, 1)));
}
void sys_setresuid(kernel::Kernel& k, const SyscallPtr& call) {
  if (Credentials* c = creds_of_caller(k, call))
    answer_change(k, call, c->setresuid(uid_arg(call, 0), uid_arg(call, 1), uid_arg(call, 2)));
}
void sys_setresgid(kernel::Kernel& k, const SyscallPtr& call) {
  if (Credentials* c = creds_of_caller(k, call))
    answer_change(k, call, c->setresgid(gid_arg(call, 0), gid_arg(call, 1), gid_arg(call, 2)));
}

// setfsuid/setfsgid answer the previous value; with the real identity the
// host runs the call too (and answers the same previous value).
void sys_setfsuid(kernel::Kernel& k, const SyscallPtr& call) {
  Credentials* c = creds_of_caller(k, call);
  if (c == nullptr) return;
  const uid_t old = c->setfsuid(uid_arg(call, 0));
  if (k.real_identity())
    call->continue_on_host();
  else
    call->complete(old);
}
void sys_setfsgid(kernel::Kernel& k, const SyscallPtr& call) {
  Credentials* c = creds_of_caller(k, call);
  if (c == nullptr) return;
  const gid_t old = c->setfsgid(gid_arg(call, 0));
  if (k.real_identity())
    call->continue_on_host();
  else
    call->complete(old);
}

// capget/capset's header check (cap_validate_magic): the number of data
// words, or -EFAULT, or -EINVAL for an unknown version after writing
// _LINUX_CAPABILITY_VERSION_3 into the header.
int validate_cap_header(const SyscallPtr& call, unsigned* words) {
  std::uint32_t version = 0;
  if (!call->memory().read_value(call->arg(0), &version)) return -EFAULT;
  *words = kernel::cap_version_words(version);
  if (*words != 0) return 0;
  if (!call->memory().write_value(call->arg(0), kernel::kCapVersion3)) return -EFAULT;
  return -EINVAL;
}

// capget(hdr, data): an unknown version with NULL data is the version probe
// (0); a known version with NULL data is 0 too. pid 0 or the caller's tid is
// the caller; another tid of the guest is that task; anything else ESRCH
// (sentry shows no task outside the sandbox); a negative pid is EINVAL.
void sys_capget(kernel::Kernel& k, const SyscallPtr& call) {
  Credentials* self = creds_of_caller(k, call);
  if (self == nullptr) return;
  unsigned words = 0;
  int rc = validate_cap_header(call, &words);
  const std::uint64_t data = call->arg(1);
  if (data == 0 || rc != 0) {
    call->complete(data == 0 && rc == -EINVAL ? 0 : rc);
    return;
  }
  std::int32_t pid = 0;
  if (!call->memory().read_value(call->arg(0) + 4, &pid)) {
    call->fail(EFAULT);
    return;
  }
  if (pid < 0) {
    call->fail(EINVAL);
    return;
  }
  const Credentials* target = self;
  const pid_t host = pid == 0 ? call->tid() : k.tree.host_tid(pid);  // pid: the guest's namespace id
  if (host != call->tid()) {
    const kernel::Task* t = k.tree.task(host);
    if (t == nullptr) {
      call->fail(ESRCH);
      return;
    }
    target = &t->creds;
  }
  CapData out[2] = {};
  target->cap_data(out, words);
  if (!call->memory().write(data, out, words * sizeof(CapData))) {
    call->fail(EFAULT);
    return;
  }
  call->complete(0);
}

// capset(hdr, data): only on oneself (pid 0 or the caller's tid; else EPERM).
// Version 1 transfers the low 32 bits; the high words are then 0.
void sys_capset(kernel::Kernel& k, const SyscallPtr& call) {
  Credentials* c = creds_of_caller(k, call);
  if (c == nullptr) return;
  unsigned words = 0;
  int rc = validate_cap_header(call, &words);
  if (rc != 0) {
    call->complete(rc);
    return;
  }
  std::int32_t pid = 0;
  if (!call->memory().read_value(call->arg(0) + 4, &pid)) {
    call->fail(EFAULT);
    return;
  }
  if (pid != 0 && pid != call->tid()) {
    call->fail(EPERM);
    return;
  }
  CapData in[2] = {};
  if (!call->memory().read(call->arg(1), in, words * sizeof(CapData))) {
    call->fail(EFAULT);
    return;
  }
  auto join = [](std::uint32_t lo, std::uint32_t hi) {
    return lo | (static_cast<std::uint64_t>(hi) << 32);
  };
  answer_change(k, call,
                c->capset(join(in[0].effective, in[1].effective), join(in[0].permitted, in[1].permitted),
                          join(in[0].inheritable, in[1].inheritable)));
}

}  // namespace

void register_identity(Registry& r) {
  r.add("getuid", sys_getuid);
  r.add("geteuid", sys_geteuid);
  r.add("getgid", sys_getgid);
  r.add("getegid", sys_getegid);
  r.add("getresuid", sys_getresuid);
  r.add("getresgid", sys_getresgid);
  r.add("getgroups", sys_getgroups);
  r.add("setgroups", sys_setgroups);
  r.add("setuid", sys_setuid);
  r.add("setgid", sys_setgid);
  r.add("setreuid", sys_setreuid);
  r.add("setregid", sys_setregid);
  r.add("setresuid", sys_setresuid);
  r.add("setresgid", sys_setresgid);
  r.add("setfsuid", sys_setfsuid);
  r.add("setfsgid", sys_setfsgid);
  r.add("capget", sys_capget);
  r.add("capset", sys_capset);
}

}  // namespace sentry::syscalls
