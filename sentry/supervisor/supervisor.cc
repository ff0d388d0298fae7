#include "sentry/supervisor/supervisor.h"

#include "abi/syscall_table.h"
#include "sentry/platform/syscall_regs.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string>

#include <spdlog/spdlog.h>

#include "abi/forward_rules.h"
#include "proc_synth/host_parse.h"
#include "sentry/kernel/virtual_cpus.h"
#include "sentry/syscalls/handler_table.h"
#include "sentry/sandbox/sandbox.h"
#include "sentry/sandbox/self_filter.h"
#include "vfs/path_walk.h"

namespace sentry {

namespace {

// Signals sentry forwards to the guest's root when someone sends them to
// sentry itself (kill(1)); terminal-generated ones already reach the guest.
constexpr int kForwarded[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

// The seccomp listener of `pid`: the fd whose link reads "anon_inode:seccomp notify".
// (glibc 2.36's <sys/pidfd.h> lacks extern "C": use the raw calls.)
int take_listener(pid_t pid) {
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return -1;
  std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = opendir(dir.c_str());
  int result = -1;
  while (d != nullptr) {
    dirent* ent = readdir(d);
    if (ent == nullptr) break;
    char target[256];
    std::string link = dir + "/" + ent->d_name;
    ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
    if (n <= 0) continue;
    target[n] = 0;
    if (std::strcmp(target, "anon_inode:seccomp notify") == 0) {
      result = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, std::atoi(ent->d_name), 0));
      break;
    }
  }
  if (d) closedir(d);
  close(pidfd);
  return result;
}

// What delivering `sig` to `tid` does, from its SigCgt and SigIgn masks.
enum class Disposition { kHandler, kIgnored, kDefault };
Disposition disposition_of(pid_t tid, int sig) {
  if (sig < 1 || sig > 64) return Disposition::kDefault;
  const auto status = proc_synth::parse_status(proc_synth::read_host_file("/proc/" + std::to_string(tid) + "/status"));
  const auto has_bit = [&status, sig](std::string_view key) {
    const std::optional<std::string> v = proc_synth::status_value(status, key);
    return v && ((std::strtoull(v->c_str(), nullptr, 16) >> (sig - 1)) & 1);
  };
  if (has_bit("SigCgt")) return Disposition::kHandler;
  // SIG_IGN, or a signal whose default action is to ignore it.
  if (has_bit("SigIgn") || sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH) return Disposition::kIgnored;
  return Disposition::kDefault;
}

// Calls that end with -EINTR itself when a signal is pending, instead of an
// -ERESTART* code the kernel turns into a restart when no handler runs.
bool ends_with_plain_eintr(long nr) {
  return nr == SYS_epoll_wait || nr == SYS_epoll_pwait || nr == 441 /*epoll_pwait2*/ || nr == SYS_semop ||
         nr == SYS_semtimedop || nr == SYS_io_getevents || nr == SYS_io_pgetevents;
}

}  // namespace

Supervisor::Supervisor(RunOptions opts)
    : opts_(opts),
      kernel_(io_, opts.machine),
      observer_(kernel_.tree, opts.trace_out, opts.report),
      tracer_(kernel_.tree, observer_, *this) {
  if (opts_.report) kernel_.tree.set_listener(opts_.report);
  if (opts_.mounts) {
    kernel_.mounts = *opts_.mounts;
  } else {
    vfs::MountOptions defaults;
    defaults.host_cwd = std::filesystem::current_path().string();
    std::string error;
    if (auto table = vfs::MountTable::build(defaults, &error)) kernel_.mounts = std::move(*table);
  }
  // The guest's identity is real (its user namespace's): the host's
  // credentials after an execve are the model's, in guest ids.
  tracer_.set_real_identity(true);
  kernel::set_guest_id_range(opts_.ids.host_base, opts_.ids.host_gid_base, opts_.ids.count);
}

Supervisor::~Supervisor() = default;

std::optional<RunResult> Supervisor::run(const std::vector<std::string>& command, std::string* error) {
  // The guest starts in the guest path of sentry's working directory, or at
  // its root when that directory is outside the guest's tree.
  std::error_code ec;
  const std::string host_cwd = std::filesystem::current_path(ec).string();
  const std::optional<std::string> guest_cwd = kernel_.mounts.guest_path_of(host_cwd);
  const std::string start = opts_.cwd.value_or(guest_cwd.value_or("/"));
  // The program is found in the guest's tree (PATH search as execvp does)
  // and checked on the host before the sandbox is built.
  auto to_host = [&](const std::string& p) { return vfs::host_path_for(kernel_.mounts, start, p); };
  auto program = sandbox::resolve_program(command[0], to_host, error);
  if (!program) return std::nullopt;
  const std::string host_program = to_host(*program).value_or(*program);
  if (!sandbox::check_runnable(host_program, error)) return std::nullopt;

  platform::PolicyOptions policy;
  policy.platform = opts_.platform;
  policy.observe_forwarded = opts_.observe_forwarded;
  policy.no_new_privs = true;  // every guest runs with no_new_privs (docs/security.md)
  policy_ = policy;

  // The sandbox's init is re-parented to sentry once the process that made
  // its namespaces exits.
  prctl(PR_SET_CHILD_SUBREAPER, 1);

  sigset_t mask, original;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  for (int s : kForwarded) sigaddset(&mask, s);
  sigprocmask(SIG_BLOCK, &mask, &original);

  std::optional<sandbox::CgroupLimits> limits;
  if (opts_.tree_limits.any()) {
    limits = sandbox::CgroupLimits::create(opts_.tree_limits, error);
    if (!limits) {
      sigprocmask(SIG_SETMASK, &original, nullptr);
      return std::nullopt;
    }
  }
  if (!ModelViews::check_fuse(error)) {
    sigprocmask(SIG_SETMASK, &original, nullptr);
    return std::nullopt;
  }
  sandbox::SandboxSpec spec;
  spec.limits = limits ? &*limits : nullptr;
  spec.ids = opts_.ids;
  spec.uid = opts_.machine.uid.value_or(0);
  spec.gid = opts_.machine.gid.value_or(0);
  spec.private_network = true;
  spec.mounts = &kernel_.mounts;
  spec.program = command[0];
  spec.argv = command;
  spec.cwd = start;
  spec.make_filter = [policy](std::string* e) { return platform::SeccompFilter::build(policy, e); };
  spec.sigmask = original;
  spec.hostname = opts_.hostname;
  spec.console_fd = opts_.console_fd;
  spec.spawner = opts_.spawner;
  spec.before_go = [this](const sandbox::Sandbox& b, std::string* e) {
    for (const RunOptions::Rlimit& l : opts_.rlimits) {
      const auto res = static_cast<__rlimit_resource>(l.resource);
      rlimit r{l.soft, l.hard};
      if (prlimit(b.root, res, &r, nullptr) == 0) continue;
      int err = errno;
      rlimit now{};
      if (err == EPERM && prlimit(b.root, res, nullptr, &now) == 0 && r.rlim_max > now.rlim_max) {
        // Raising a hard limit takes CAP_SYS_RESOURCE, which sentry may
        // lack (a container host's own limits): the most it can give.
        spdlog::info("limit {}: hard {} asked, {} given (raising a hard limit takes CAP_SYS_RESOURCE)",
                     l.resource, l.hard, now.rlim_max);
        r = {std::min(r.rlim_cur, now.rlim_max), now.rlim_max};
        if (prlimit(b.root, res, &r, nullptr) == 0) continue;
        err = errno;
      }
      *e = std::string("setting the program's limit ") + std::to_string(l.resource) + ": " + std::strerror(err);
      return false;
    }
    return !opts_.before_start || opts_.before_start(b.root, e);
  };
  auto box = sandbox::launch(spec, error);
  if (!box) {
    sigprocmask(SIG_SETMASK, &original, nullptr);
    return std::nullopt;
  }
  // sentry holds descriptors for the guest (copies it installs or registers,
  // netlink pairs, pidfds): its own soft RLIMIT_NOFILE must not be what
  // limits the guest. Raised to the hard limit once the program exists, so
  // that no guest inherits the raise.
  if (rlimit files{}; getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  // The model's /proc and /sys files: sentry's FUSE server, and the mounter
  // that lays them into the guest's tree (started before sentry gives up
  // the mount family below).
  views_ = ModelViews::start(io_, kernel_, box->mntns, box->init,
                             opts_.platform == platform::PlatformKind::kPtrace, error);
  close(box->mntns);
  if (!views_) {
    sandbox::abandon(*box);
    sigprocmask(SIG_SETMASK, &original, nullptr);
    return std::nullopt;
  }
  kernel_.task_files = views_.get();
  // The machine-wide files are laid while the program loads its filter and
  // execs; its launch exec waits for them (the mounter answers in order).
  views_->lay_machine([] {});
  if (opts_.report) {
    views_->set_open_observer([this](pid_t host_tid, const std::string& path) {
      const kernel::ThreadGroup* g = kernel_.tree.group_of(host_tid);
      opts_.report->record_model_file(g ? g->image : std::string("?"), path);
    });
  }
  root_ = box->root;
  sandbox_init_ = box->init;
  spawner_ = box->spawner;
  exec_error_fd_ = box->control;
  kernel_.guest_netns = box->netns;
  if (box->init > 0) {  // the guest's pid 1: host root's, nobody to the guest
    kernel::Task init;
    init.tid = init.tgid = box->init;
    init.creds.ruid = init.creds.euid = init.creds.suid = init.creds.fsuid = 65534;
    init.creds.rgid = init.creds.egid = init.creds.sgid = init.creds.fsgid = 65534;
    init.comm = "sentry-init";
    kernel_.guest_init = init;
    kernel_.guest_init_group.tgid = box->init;
  }
  kernel_.guest_in_user_namespace = true;
  kernel_.isolated_network = opts_.isolated_network;
  if (opts_.ids.rootless) kernel_.config.nodename = opts_.hostname;
  // uname's nodename and domainname are the guest's UTS namespace's (an OCI
  // bundle's hostname): sentry answers uname from there. (A rootless sentry
  // cannot join it; the guest's copy of the host's name stays what it was.)
  if (int uts = opts_.ids.rootless ? -1 : open(("/proc/" + std::to_string(root_) + "/ns/uts").c_str(), O_RDONLY | O_CLOEXEC);
      uts >= 0) {
    if (setns(uts, CLONE_NEWUTS) == 0) {
      kernel_.in_guest_uts = true;  // the guest's sethostname is served here
    } else {
      spdlog::warn("entering the guest's UTS namespace: {}", std::strerror(errno));
    }
    close(uts);
  }
  // From here on sentry needs none of its host powers but those it serves
  // the guest with (sentry/sandbox/self_filter.h).
  if (std::string e = sandbox::harden_self(kernel_.in_guest_uts); !e.empty())
    spdlog::warn("hardening sentry itself: {}", e);
  adopt_program(root_, *program, /*primary=*/true, kernel::Credentials::from_host(kernel_.config));

  int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  signals_ = std::make_unique<boost::asio::posix::stream_descriptor>(io_, sfd);
  watch_signals();
  tracer_.drain();  // stops that arrived before the loop started
  if (opts_.on_running) opts_.on_running(*this);
  io_.run();
  if (opts_.on_stopped) opts_.on_stopped();

  sigprocmask(SIG_SETMASK, &original, nullptr);
  int exec_errno = sandbox::read_exec_error(exec_error_fd_);
  close(exec_error_fd_);
  if (exec_errno != 0) {
    *error = command[0] + ": cannot execute: " + std::strerror(exec_errno);
    return std::nullopt;
  }
  RunResult r;
  int st = root_status_.value_or(0);
  if (WIFSIGNALED(st)) {
    r.signal = WTERMSIG(st);
    r.exit_code = 128 + *r.signal;
  } else {
    r.code = WEXITSTATUS(st);
    r.exit_code = *r.code;
  }
  return r;
}

void Supervisor::watch_signals() {
  signals_->async_wait(boost::asio::posix::stream_descriptor::wait_read,
                       [this](const boost::system::error_code& ec) {
                         if (ec) return;
                         signalfd_siginfo si;
                         bool child = false;
                         while (read(signals_->native_handle(), &si, sizeof si) == sizeof si) {
                           if (si.ssi_signo == SIGCHLD) {
                             child = true;
                           } else {
                             // From kill(1) or the terminal (the guest has
                             // a session of its own and no terminal).
                             forward_signal(static_cast<int>(si.ssi_signo));
                           }
                         }
                         if (child) tracer_.drain();
                         finish_if_done();
                         if (!io_.stopped()) watch_signals();
                       });
}

// A signal someone sent to sentry goes to the root; once the root is gone, to
// every guest process still running (they would have got it from a shell's
// kill of the process group natively; here sentry stands for the group).
void Supervisor::forward_signal(int sig) {
  if (!root_status_) {
    kill(root_, sig);
    return;
  }
  kernel_.tree.for_each_group([sig](const kernel::ThreadGroup& g) {
    if (!g.exited && !g.tids.empty()) kill(g.tgid, sig);
  });
}

void Supervisor::signal_guests(int sig, bool all) {
  if (sig == SIGKILL) return tracer_.kill_all();
  if (all && !root_status_) {
    kernel_.tree.for_each_group([sig](const kernel::ThreadGroup& g) {
      if (!g.exited && !g.tids.empty()) kill(g.tgid, sig);
    });
    return;
  }
  forward_signal(sig);
}

std::vector<pid_t> Supervisor::guest_pids() const {
  std::vector<pid_t> pids;
  kernel_.tree.for_each_group([&pids, this](const kernel::ThreadGroup& g) {
    if (g.exited || g.tids.empty()) return;
    if (g.tgid == root_) pids.insert(pids.begin(), g.tgid);
    else pids.push_back(g.tgid);
  });
  return pids;
}

// A seized program, stopped before its first instruction, enters the model:
// its identity (guest ids; the host's status is re-read at its launch exec)
// with no_new_privs, its limits, and its CPUs. With fewer virtual than host
// CPUs, the CPU numbers the guest reads without a syscall (rseq cpu_id, vDSO
// getcpu) stay below --cpus; children inherit the pinning.
void Supervisor::adopt_program(pid_t pid, const std::string& image, bool primary, kernel::Credentials creds) {
  kernel_.tree.add_root(pid, image, primary);
  creds.no_new_privs = true;
  kernel_.tree.task(pid)->creds = creds;
  kernel_.tree.group_of(pid)->limits = kernel::ResourceLimits::from_host(pid);
  kernel::HostCpuMap::current().pin(pid, kernel::VirtualCpuSet(kernel_.config.cpus).all());
}

std::optional<pid_t> Supervisor::exec_program(const sandbox::ProgramRequest& req,
                                              std::function<void(int status)> done, std::string* error) {
  if (root_status_ && opts_.exit_with_root) {
    *error = "the container's program has exited";
    return std::nullopt;
  }
  sandbox::Sandbox box;
  box.spawner = spawner_;
  auto spawned = sandbox::spawn(box, req, error);
  if (!spawned) return std::nullopt;
  auto give_up = [&](const std::string& what) -> std::optional<pid_t> {
    *error = what;
    kill(spawned->pid, SIGKILL);
    close(spawned->control);
    return std::nullopt;
  };
  if (int rc = platform::Tracer::seize(spawned->pid); rc != 0)
    return give_up(std::string("PTRACE_SEIZE: ") + std::strerror(-rc));
  kernel::Credentials creds = kernel::Credentials::from_host(kernel_.config);
  creds.ruid = creds.euid = creds.suid = creds.fsuid = req.uid;
  creds.rgid = creds.egid = creds.sgid = creds.fsgid = req.gid;
  creds.groups.clear();
  adopt_program(spawned->pid, req.program, /*primary=*/false, creds);
  tracer_.expect_launch(spawned->pid);
  auto filter = platform::SeccompFilter::build(policy_, error);
  if (!filter) return give_up(*error);
  std::string go_error;
  if (!sandbox::let_go(spawned->control, *filter, &go_error)) return give_up(go_error);
  close(spawned->control);
  exec_done_[spawned->pid] = std::move(done);
  return spawned->pid;
}

void Supervisor::on_group_exit(pid_t tgid, int wait_status) {
  auto it = exec_done_.find(tgid);
  if (it == exec_done_.end()) return;
  auto done = std::move(it->second);
  exec_done_.erase(it);
  done(wait_status);
}

void Supervisor::finish_if_done() {
  if (!tracer_.finished()) return;
  for (auto& l : exec_listeners_) l->stop();
  if (listener_) listener_->stop();
  signals_->cancel();
  io_.stop();
}

void Supervisor::on_launch_exec(pid_t pid) {
  // The program's first instruction waits for the model's files: the
  // machine-wide ones (asked for first), and its own where it needs them.
  tracer_.hold(pid);
  views_->after_machine([this, pid] {
    if (!views_->needs_files(pid)) return tracer_.release(pid);
    views_->lay_task(pid, [this, pid] { tracer_.release(pid); });
  });
  if (opts_.platform != platform::PlatformKind::kUnotify) return;
  int fd = take_listener(pid);
  if (fd < 0) {
    spdlog::critical("cannot take the seccomp listener of pid {}: {}", pid, std::strerror(errno));
    kill(pid, SIGKILL);
    return;
  }
  auto listener = std::make_unique<platform::UnotifyListener>(io_, fd, [this](SyscallPtr c) { dispatch(std::move(c)); });
  if (pid != root_) {  // a program started later: a filter, and a listener, of its own
    listener->start();
    exec_listeners_.push_back(std::move(listener));
    return;
  }
  listener_ = std::move(listener);
  // The filter forwards the socket data path (ROUTE_BY_FD): the fds that
  // need translating are routed back to sentry process by process.
  routes_ = std::make_unique<platform::FdRoutes>(tracer_, kernel_.tree);
  kernel_.fd_router = routes_.get();
  listener_->start();
}

// Neither the new task nor its parent runs on before the new task's files
// lie over the kernel's, where it needs them.
void Supervisor::on_new_task(pid_t parent, pid_t child) {
  if (!views_->needs_files(child)) return;
  tracer_.hold(parent);
  tracer_.hold(child);
  views_->lay_task(child, [this, parent, child] {
    tracer_.release(child);
    tracer_.release(parent);
  });
}

void Supervisor::on_root_exit(int wait_status) {
  if (root_status_) return;
  root_status_ = wait_status;
  // By default the run goes on until the last guest exits, so a process the
  // root left behind (a daemon's worker finishing its shutdown) is neither
  // cut short nor left unsupervised. --exit-with-root ends it here, as the
  // init of a PID namespace would.
  if (opts_.exit_with_root) tracer_.kill_all();
}

void Supervisor::on_signal_stop(pid_t tid, int sig) {
  if (sig == 0 && views_) views_->task_gone(tid);  // reaped: its /proc binds are gone
  if (listener_) {
    std::optional<platform::SentAnswers::Answer> sent = take_sent_answer(tid);
    // A call the host ran (a blocking fcntl lock, an open of a FIFO) is
    // interrupted as Linux interrupts it: its -ERESTART* stays.
    if (sent && sent->continued && stopped_in(tid, *sent)) return (void)kernel_.blocked.interrupt(tid);
    if (sent && !sent->continued && sig != 0 && put_back_dropped_answer(tid, *sent)) return;
  }
  std::optional<kernel::OnSignal> mode = kernel_.blocked.interrupt(tid);
  if (sig == 0) return;
  if (!mode) {
    // Neither rule applies to the same rax (-ERESTARTSYS, -EINTR): one read.
    user_regs_struct regs;
    if (ptrace(PTRACE_GETREGS, tid, nullptr, &regs) != 0) return;
    if (restart_unserved_call(regs) || resume_ignored_wait(tid, sig, regs))
      ptrace(PTRACE_SETREGS, tid, nullptr, &regs);
    return;
  }
  if (*mode != kernel::OnSignal::kEintr) return;
  // Ignored or default: Linux restarts transparently.
  if (disposition_of(tid, sig) != Disposition::kHandler) return;
  user_regs_struct regs;
  if (ptrace(PTRACE_GETREGS, tid, nullptr, &regs) != 0) return;
  // -ERESTARTSYS (512) .. -ERESTART_RESTARTBLOCK (516): the interrupted notification.
  auto rax = static_cast<long long>(regs.rax);
  if (rax <= -512 && rax >= -516) {
    regs.rax = static_cast<unsigned long long>(-EINTR);
    ptrace(PTRACE_SETREGS, tid, nullptr, &regs);
  }
}

// A traced thread is woken even by a signal it ignores (sig_ignored() keeps
// every signal of a traced task for its tracer), so a wait that ends with
// plain -EINTR (epoll_wait, semop, io_getevents) would report one. Linux
// drops such a signal before it wakes anything: the wait is restarted
// (-ERESTARTNOHAND: no handler runs). A timed wait starts its timeout again.
// True when it changed `regs`.
bool Supervisor::resume_ignored_wait(pid_t tid, int sig, user_regs_struct& regs) {
  if (static_cast<long long>(regs.rax) != -EINTR || !ends_with_plain_eintr(static_cast<long>(regs.orig_rax)))
    return false;
  if (disposition_of(tid, sig) != Disposition::kIgnored) return false;
  regs.rax = static_cast<unsigned long long>(-514 /*ERESTARTNOHAND*/);
  return true;
}

// The answer sentry last sent `tid`, from whichever listener served it.
std::optional<platform::SentAnswers::Answer> Supervisor::take_sent_answer(pid_t tid) {
  std::optional<platform::SentAnswers::Answer> sent = listener_->sent_answers().take(tid);
  for (auto& l : exec_listeners_) {
    if (sent) break;
    sent = l->sent_answers().take(tid);
  }
  return sent;
}

// At a signal-delivery stop, with no answer of sentry's to put back and no
// wait of the model interrupted: a call that ends in -ERESTART* because the
// signal abandoned its notification before sentry acted on it (before it
// was even received, or while sentry let it continue) never ran. Linux does
// not interrupt a call that does not block, so it is restarted after the
// handler whatever SA_RESTART says (-ERESTARTNOINTR), as if the signal had
// come just before it. Calls the host ran or the model parks keep the
// kernel's own -ERESTART* (futex waits, forwarded and translated calls).
// True when it changed `regs`.
bool Supervisor::restart_unserved_call(user_regs_struct& regs) {
  if (!listener_) return false;  // ptrace platform: a stopped call is never abandoned
  const auto rax = static_cast<long long>(regs.rax);
  if (rax != -512 /*ERESTARTSYS*/) return false;
  const abi::SyscallEntry* e = abi::syscall_by_nr(static_cast<int>(regs.orig_rax));
  const SyscallArgs a = platform::args_of(regs);
  std::uint64_t args[6];
  std::copy(a.begin(), a.end(), args);
  if (e == nullptr || kernel::waits_in_model(e->nr_x86_64, args)) return false;
  if (platform::action_for_call(*e, args, policy_).kind != platform::ActionKind::kNotify) return false;
  regs.rax = static_cast<unsigned long long>(-513 /*ERESTARTNOINTR*/);
  return true;
}

// At a signal-delivery stop: if the thread's call is still the one sentry
// answered and it ends in -ERESTART* (the signal made the kernel drop the
// answer), the answer goes into rax, as Linux would have returned it.
bool Supervisor::put_back_dropped_answer(pid_t tid, const platform::SentAnswers::Answer& sent) {
  user_regs_struct regs;
  if (!stopped_in(tid, sent, &regs)) return false;
  regs.rax = static_cast<unsigned long long>(sent.value);
  return ptrace(PTRACE_SETREGS, tid, nullptr, &regs) == 0;
}

// Whether `tid`'s registers show call `call` (number and arguments) ending
// in -ERESTART*.
bool Supervisor::stopped_in(pid_t tid, const platform::SentAnswers::Answer& call, user_regs_struct* out) {
  user_regs_struct regs;
  if (ptrace(PTRACE_GETREGS, tid, nullptr, &regs) != 0) return false;
  auto rax = static_cast<long long>(regs.rax);
  if (rax > -512 || rax < -516) return false;
  if (static_cast<int>(regs.orig_rax) != call.nr) return false;
  if (platform::args_of(regs) != call.args) return false;
  if (out) *out = regs;
  return true;
}

void Supervisor::on_served_call(SyscallPtr call) {
  // A stop in a new call (translated, observed, exec): the thread has its
  // last notification's answer, which nothing can drop any more.
  if (listener_) listener_->sent_answers().forget(call->tid());
  for (auto& l : exec_listeners_) l->sent_answers().forget(call->tid());
  dispatch(std::move(call));
}

void Supervisor::dispatch(SyscallPtr call) {
  // A call sentry injected (platform/fd_routes.h) is not the guest's.
  if (tracer_.is_injected(call->tid(), call->nr(), call->args())) return (void)call->continue_on_host();
  const abi::SyscallEntry* e = call->entry();
  // An argument the filter refuses (DENY_WHEN) reaches here only when the
  // run observes calls: refused the same way, recorded as denied.
  const abi::ForwardRule* denied = e ? abi::deny_rule_for(e->name, call->args().data()) : nullptr;
  abi::Serve serve = denied ? abi::Serve::kDeny : e ? e->serve : abi::Serve::kUnsupported;
  call->set_served_as(serve);
  if (observer_.enabled()) {
    auto record = std::make_shared<trace::CallRecord>(
        observer_.begin(call->tid(), call->nr(), e, call->args(), &call->memory(), serve));
    call->set_answer_observer([this, record](Syscall& c, std::int64_t value, bool continued) {
      record->served = c.served_as();  // a handler may hand the call to the host
      observer_.end(*record, continued ? std::nullopt : std::optional<std::int64_t>(value), &c.memory(),
                    c.trace_note());
    });
  }
  if (e == nullptr) {
    call->fail(ENOSYS);
    return;
  }
  if (denied) {
    call->fail(denied->deny_errno);
    return;
  }
  switch (serve) {
    case abi::Serve::kDeny:
    case abi::Serve::kUnsupported:
      call->fail(e->deny_errno);
      return;
    case abi::Serve::kForward:
      call->continue_on_host();
      return;
    case abi::Serve::kEmulate:
    case abi::Serve::kTranslate:
    case abi::Serve::kSupervise: {
      syscalls::SyscallHandler h = syscalls::handler_for(call->nr());
      if (h != nullptr) {
        h(kernel_, call);
      } else if (serve != abi::Serve::kEmulate) {
        call->continue_on_host();
      } else {
        spdlog::error("{}: marked emulated but has no handler; answering ENOSYS", e->name);
        call->fail(ENOSYS);
      }
      return;
    }
  }
}

}  // namespace sentry
