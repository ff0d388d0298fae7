// sentry as an OCI runtime, with runc's command-line conventions (what
// podman, containerd's runc shim and other engines drive):
//   sentry [--root DIR] [--log FILE] [--log-format text|json] [--systemd-cgroup]
//          create|start|state|kill|delete|run|ps|features|spec ...
// See docs/oci.md.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace sentry::cli {

struct OciGlobals {
  std::string root;                  // where containers' state lives (default_state_root())
  std::string log;                   // runtime log file ("": stderr)
  std::string log_format = "text";
  bool systemd_cgroup = false;       // accepted; sentry makes its own cgroups
  bool debug = false;
  bool given = false;                // a runc-style global option was given
};

struct OciArgs {
  std::string id;
  std::string bundle;
  std::string pid_file;
  std::string console_socket;
  int preserve_fds = 0;
  bool detach = false;
  bool keep = false;
  bool all = false;
  bool force = false;
  bool rootless_spec = false;
  std::string signal = "SIGTERM";
  std::string format = "table";
  bool flag_ignored = false;  // --no-pivot, --no-new-keyring: accepted
  // exec
  std::string process_file;           // --process: an OCI process JSON
  bool tty = false;
  std::string cwd;
  std::vector<std::string> env;       // -e K=V
  std::string user;                   // -u UID[:GID]
  std::vector<std::string> exec_argv;  // ID CMD ARGS... (as given)
};

// The global options and the subcommands; returns the subcommands by name.
void add_oci_globals(CLI::App& app, OciGlobals& g);
void add_oci_commands(CLI::App& app, OciArgs& args);
// The options `run` takes when an engine calls it runc's way.
void add_oci_run_options(CLI::App* run, OciArgs& args);
// Whether `run` was called runc's way (a bundle, a detach or pid file, or a
// global runtime option): then its one argument is a container id.
bool oci_run_requested(const OciGlobals& g, const OciArgs& args);

// /run/sentry for root; $XDG_RUNTIME_DIR/sentry (or /tmp/sentry-UID) for
// an ordinary user, as runc does.
std::string default_state_root();

// Sends sentry's log where --log says, in --log-format.
void setup_runtime_log(const OciGlobals& g);

// The parsed subcommand's work; nullopt if none of these was parsed.
std::optional<int> oci_command(CLI::App& app, const OciGlobals& g, const OciArgs& args);
int oci_run(const OciGlobals& g, const OciArgs& args);

}  // namespace sentry::cli
