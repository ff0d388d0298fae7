// The monitor: the sentry process that supervises one OCI container from
// `create` to its end. `sentry create` forks it (an engine's subreaper, such
// as conmon or containerd's shim, inherits it and waits for it: its exit
// status is the container's, 128+N for signal N); `sentry run` is it.
//
// It builds the sandbox from the bundle, seizes the program and holds it
// before its exec (created), reports to the `create` that forked it, and
// waits on its control socket (sentry/oci/control.h) for `start`; then it
// runs the tree as `sentry run` does, serving `kill` and `ps` from its loop.
#pragma once

#include <string>

#include "sentry/cli/run_command.h"
#include "sentry/oci/bundle.h"
#include "sentry/oci/container_state.h"

namespace sentry::oci {

struct MonitorOptions {
  std::string id;
  ContainerSpec spec;
  std::string console_socket;  // --console-socket: where the console's master goes (terminal containers)
  int preserve_fds = 0;        // --preserve-fds: fds 3..3+N-1 pass to the program
  bool start_now = false;      // `run`: no created state to wait in
};

// Runs the container to its end and returns the monitor's exit status.
// `ready_fd` (or -1) gets "C" once the container is created, or "E" and a
// message if it could not be.
int run_monitor(const MonitorOptions& o, const StateDir& dir, int ready_fd);

}  // namespace sentry::oci
