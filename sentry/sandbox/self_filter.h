// sentry's own seccomp filter, loaded on every sentry thread once the guest
// runs (as gVisor filters its Sentry): if a guest ever took control of sentry
// through a bug, sentry could still not exec, mount, load kernel code, touch
// the host's clock, name, keys or swap, or open files by handle. The calls
// sentry needs to serve a guest (ptrace, process_vm_*, pidfd_getfd, ADDFD,
// socket calls, setns into the guest's network namespace, unshare of its
// descriptor table) stay allowed: this is a denylist of what it never needs.
#pragma once

#include <string>

namespace sentry::sandbox {

// Loads the filter on all of sentry's threads (TSYNC) and makes sentry not
// dumpable. `in_guest_uts`: sentry lives in the guest's own UTS namespace,
// and may set the names there for the guest (sethostname, setdomainname);
// otherwise those stay denied, as it could only rename the host's. Returns
// "" or what failed.
std::string harden_self(bool in_guest_uts);

}  // namespace sentry::sandbox
