// Builds the guest's filesystem tree as a real mount namespace, from the
// mount table (--root, --bind, --rw, the defaults), and pivot_roots into it.
// Path resolution, EXDEV, EROFS, permissions and symlink races are then the
// kernel's, at native cost (docs/vfs.md).
//
// Runs in the sandbox's init (sentry/sandbox/), which the launcher created in
// a new mount namespace owned by the host's user namespace, as host root, so
// the guest (in a user namespace of its own) can neither mount nor unmount
// anything in it.
//
// The tree:
//   /             the table's root, read-only, nosuid, nodev (recursive)
//   binds, --rw   host directories, read-only or writable, nosuid, nodev
//   idmaps        what the user granted (--root, binds, --rw, the working
//                 directory) is idmapped through the guest's user namespace:
//                 the host's owner ids appear as the guest's (host root's
//                 files are the guest root's) and files the guest makes land
//                 on the host with the host's ids. The host's own tree and
//                 its shared /tmp keep the host's ids (Mount::host_ids):
//                 there guest root is nobody. Set-ID bits and file
//                 capabilities cannot be made (docs/security.md).
//   skeletons     a mount point missing from the tree (a --bind target, /proc
//                 in a --root tree) is made in a tmpfs copy of its parent
//                 directory that binds each of the parent's entries back
//   /proc         a new procfs of the guest's PID namespace; /proc/sys,
//                 /proc/sysrq-trigger, /proc/irq and /proc/bus read-only
//   /sys          a new sysfs (the guest's network namespace), read-only
//   /dev          a private tmpfs: null zero full random urandom tty (binds of
//                 the host's nodes), fd stdin stdout stderr ptmx (links), a
//                 new devpts instance, a private tmpfs /dev/shm, mqueue
#pragma once

#include <string>

#include "vfs/mount_table.h"

namespace sentry::vfs {

// Builds the tree and makes it the caller's root; the caller's working
// directory is then "/". `idmap_userns_fd`: the guest's user namespace, for
// writable places (-1: writable places keep the host's ids). Returns "" or
// what failed, for the user.
std::string build_guest_tree(const MountTable& table, int idmap_userns_fd);

}  // namespace sentry::vfs
