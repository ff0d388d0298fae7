// Which namespaces a guest thread is in, against sentry's own.
//
// sentry lives in the sandbox's UTS namespace (Supervisor: it joins it at
// launch). A guest process may make namespaces of its own (clone, unshare of
// UTS and IPC: sys_unshare.cc); calls that sentry answers from its own
// namespace (uname, sethostname) are then the host's to answer in the
// caller's.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <string>

namespace sentry::kernel {

// Whether thread `tid` is in sentry's own namespace of `kind` ("uts", "net",
// ...). A thread that cannot be looked at counts as in it.
inline bool in_sentry_namespace(pid_t tid, const char* kind) {
  struct stat theirs, ours;
  if (stat(("/proc/" + std::to_string(tid) + "/ns/" + kind).c_str(), &theirs) != 0) return true;
  if (stat((std::string("/proc/self/ns/") + kind).c_str(), &ours) != 0) return true;
  return theirs.st_ino == ours.st_ino && theirs.st_dev == ours.st_dev;
}

}  // namespace sentry::kernel
