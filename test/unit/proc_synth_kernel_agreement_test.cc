// When the kernel's own /proc/<pid>/{status,stat} show what the model's
// would (proc_synth/kernel_agreement.h).
#include <catch2/catch.hpp>

#include "proc_synth/kernel_agreement.h"

using namespace sentry::proc_synth;
namespace kernel = sentry::kernel;

TEST_CASE("proc_synth kernel agreement: the machine's CPUs and sentry's own scheduling") {
  const kernel::HostCpuMap two({0, 1});
  CHECK(kernel_baseline(2, two, 2, kernel::kSchedNormal, 0).any_task_agrees());
  // Fewer or more virtual CPUs than the host's: masks and their width differ.
  CHECK_FALSE(kernel_baseline(1, two, 2, kernel::kSchedNormal, 0).cpus_as_host);
  CHECK_FALSE(kernel_baseline(4, two, 2, kernel::kSchedNormal, 0).cpus_as_host);
  // sentry restricted to some host CPUs: virtual 0 is host 1.
  CHECK_FALSE(kernel_baseline(1, kernel::HostCpuMap({1}), 2, kernel::kSchedNormal, 0).cpus_as_host);
  CHECK_FALSE(kernel_baseline(2, kernel::HostCpuMap({0, 2}), 3, kernel::kSchedNormal, 0).cpus_as_host);
  // Unknown placement.
  CHECK_FALSE(kernel_baseline(2, kernel::HostCpuMap({}), 2, kernel::kSchedNormal, 0).cpus_as_host);
  // sentry itself reniced or batch: every guest thread shows it on the host.
  CHECK_FALSE(kernel_baseline(2, two, 2, kernel::kSchedNormal, 5).any_task_agrees());
  CHECK_FALSE(kernel_baseline(2, two, 2, kernel::kSchedBatch, 0).any_task_agrees());
}

TEST_CASE("proc_synth kernel agreement: a task's modelled scheduling state") {
  const KernelBaseline b = kernel_baseline(2, kernel::HostCpuMap({0, 1}), 2, kernel::kSchedNormal, 0);
  kernel::SchedState s;
  CHECK(kernel_shows(b, s));
  // Affinity is mirrored onto the host thread; reset-on-fork and a custom
  // slice are in neither file.
  s.affinity = kernel::CpuMask::first_n(1);
  s.reset_on_fork = true;
  s.custom_slice_ns = 3'000'000;
  CHECK(kernel_shows(b, s));
  kernel::SchedState nice = s;
  nice.nice = 3;
  CHECK_FALSE(kernel_shows(b, nice));
  kernel::SchedState fifo = s;
  fifo.policy = kernel::kSchedFifo;
  fifo.rt_priority = 10;
  CHECK_FALSE(kernel_shows(b, fifo));
  kernel::SchedState idle = s;
  idle.policy = kernel::kSchedIdle;
  CHECK_FALSE(kernel_shows(b, idle));
  // On a machine the kernel does not show, no task agrees.
  const KernelBaseline other = kernel_baseline(3, kernel::HostCpuMap({0, 1}), 2, kernel::kSchedNormal, 0);
  CHECK_FALSE(kernel_shows(other, kernel::SchedState{}));
}
