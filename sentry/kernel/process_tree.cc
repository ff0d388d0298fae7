#include "sentry/kernel/process_tree.h"

#include <fstream>
#include <sstream>

namespace sentry::kernel {

ThreadGroup& ProcessTree::ensure_group(pid_t tgid) {
  auto& g = groups_[tgid];
  if (!g) {
    g = std::make_unique<ThreadGroup>();
    g->tgid = tgid;
  }
  return *g;
}

namespace {

// The id of host process `pid` in the sandbox's PID namespace: the second
// NSpid field (the first is sentry's own namespace; a guest that made PID
// namespaces of its own adds fields after it). 0 if it is gone, `pid` itself
// when it has no inner namespace.
pid_t read_ns_pid(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("NSpid:", 0) != 0) continue;
    std::istringstream fields(line.substr(6));
    pid_t first = 0, second = 0;
    if (!(fields >> first)) return 0;
    return fields >> second ? second : first;
  }
  return 0;
}

}  // namespace

pid_t ProcessTree::guest_tid(pid_t host) const {
  if (host <= 0) return 0;
  auto it = guest_tids_.find(host);
  if (it != guest_tids_.end()) return it->second;
  pid_t ns = read_ns_pid(host);
  if (ns == 0 && tasks_.count(host) && !std::ifstream("/proc/" + std::to_string(host) + "/status")) {
    ns = host;  // a task of a unit test's tree: no host process behind it
  }
  if (ns != 0 && tasks_.count(host)) guest_tids_[host] = ns;
  return ns;
}

pid_t ProcessTree::host_tid(pid_t guest) const {
  if (guest <= 0) return 0;
  for (const auto& [tid, task] : tasks_)
    if (guest_tid(tid) == guest) return tid;
  return 0;
}

void ProcessTree::add_root(pid_t pid, const std::string& image, bool primary) {
  if (primary) root_ = pid;
  ThreadGroup& g = ensure_group(pid);
  g.image = image;
  g.mm = new_address_space();
  g.tids.insert(pid);
  Task& t = tasks_[pid];
  t.tid = pid;
  t.tgid = pid;
  // Not announced: the root becomes a program at its first exec.
}

void ProcessTree::add_task(pid_t parent_tid, pid_t new_tid, const CloneInfo& how) {
  if (tasks_.count(new_tid)) return;  // already known (events may arrive in either order)
  const Task* parent_task = task(parent_tid);
  Task child;
  child.tid = new_tid;
  child.tgid = new_tid;
  if (parent_task) {
    child.sched = parent_task->sched.for_child();
    child.creds = parent_task->creds;
    child.comm = parent_task->comm;
  }
  const ThreadGroup* parent = group_of(parent_tid);
  if (how.thread && parent != nullptr) {
    ThreadGroup& g = ensure_group(parent->tgid);
    g.tids.insert(new_tid);
    child.tgid = g.tgid;
    tasks_[new_tid] = child;
    if (listener_) listener_->on_new_thread(g, new_tid);
    return;
  }
  ThreadGroup& g = ensure_group(new_tid);
  g.parent_tgid = parent ? parent->tgid : 0;
  g.image = parent ? parent->image : std::string();
  g.mm = (how.share_vm && parent) ? parent->mm : new_address_space();
  if (parent) g.limits = parent->limits;
  if (parent) g.routed_fds = parent->routed_fds;
  g.tids.insert(new_tid);
  tasks_[new_tid] = child;
  if (listener_) listener_->on_new_process(g);
}

void ProcessTree::exec(pid_t tid, pid_t former_tid, const std::string& image) {
  const Task* t = task(former_tid);
  Task survivor = t ? *t : Task{};
  if (!t) survivor.tgid = tid;
  survivor.comm.clear();  // exec renames the thread after the new image
  ThreadGroup& g = ensure_group(survivor.tgid);
  // execve destroys every other thread of the group; the caller keeps its own
  // state and takes the leader's tid.
  for (pid_t other : g.tids) tasks_.erase(other), guest_tids_.erase(other);
  guest_tids_.erase(former_tid);
  g.tids.clear();
  g.tids.insert(tid);
  survivor.tid = tid;
  tasks_[tid] = survivor;
  g.image = image;
  g.mm = new_address_space();
  if (listener_) listener_->on_exec(g);
}

bool ProcessTree::remove_task(pid_t tid) {
  guest_tids_.erase(tid);
  auto it = tasks_.find(tid);
  if (it == tasks_.end()) return false;
  pid_t tgid = it->second.tgid;
  tasks_.erase(it);
  auto git = groups_.find(tgid);
  if (git == groups_.end()) return false;
  git->second->tids.erase(tid);
  if (!git->second->tids.empty()) return false;
  git->second->exited = true;
  return true;
}

const Task* ProcessTree::task(pid_t tid) const {
  auto it = tasks_.find(tid);
  return it == tasks_.end() ? nullptr : &it->second;
}

const ThreadGroup* ProcessTree::group(pid_t tgid) const {
  auto it = groups_.find(tgid);
  return it == groups_.end() ? nullptr : it->second.get();
}

Task* ProcessTree::task(pid_t tid) {
  auto it = tasks_.find(tid);
  return it == tasks_.end() ? nullptr : &it->second;
}

ThreadGroup* ProcessTree::group_of(pid_t tid) {
  Task* t = task(tid);
  if (t == nullptr) return nullptr;
  auto it = groups_.find(t->tgid);
  return it == groups_.end() ? nullptr : it->second.get();
}

const ThreadGroup* ProcessTree::group_of(pid_t tid) const {
  const Task* t = task(tid);
  return t ? group(t->tgid) : nullptr;
}

void ProcessTree::for_each_group(const std::function<void(const ThreadGroup&)>& fn) const {
  for (const auto& [tgid, g] : groups_) fn(*g);
}

}  // namespace sentry::kernel
