// When the kernel's own /proc/<pid>/{status,stat} of a guest task show what
// the model's would (proc_synth/pid_files.cc), so that sentry need not lay
// the model's files over them (docs/decisions.md, "Per-task binds, only
// where the model differs").
//
// The model owns, in those files, lines the kernel shows alike on its own:
// credentials and capabilities (every identity call also runs on the host),
// limits (applied to the host process), names, thread counts and the
// namespace ids (the guest's procfs is its PID namespace's). What the kernel
// cannot show is the modelled scheduling state (policies, RT priorities and
// nice values never reach the host) and virtual CPUs that are not the
// host's own: those are what this decides on.
#pragma once

#include "sentry/kernel/sched_state.h"
#include "sentry/kernel/virtual_cpus.h"

namespace sentry::proc_synth {

// What every guest task shows on the host before the guest changes anything.
struct KernelBaseline {
  // The virtual CPUs are the host's possible CPUs, numbered alike and all
  // usable: affinity masks, their width and "processor" read the same.
  bool cpus_as_host = false;
  // sentry (so every guest thread on the host) runs SCHED_OTHER at nice 0,
  // the model's initial state.
  bool sched_default = false;

  bool any_task_agrees() const { return cpus_as_host && sched_default; }
};

// `virtual_cpus`: the guest's CPU count; `map`: where they are placed;
// `host_possible`: the host's nr_cpu_ids; `policy`/`nice`: sentry's own.
KernelBaseline kernel_baseline(int virtual_cpus, const kernel::HostCpuMap& map, int host_possible,
                               int policy, int nice);
// The same for this host and this process.
KernelBaseline kernel_baseline_here(int virtual_cpus);

// Whether a task of scheduling state `s` reads right in the kernel's files.
bool kernel_shows(const KernelBaseline& b, const kernel::SchedState& s);

}  // namespace sentry::proc_synth
