// Per-task credentials as the guest sees them (getuid, capget, ...), and the
// rules that change them. Linux keeps credentials per thread (struct cred):
// the raw setuid family changes only the calling thread (glibc broadcasts its
// wrappers' changes to every thread with SIGSETXID, one syscall per thread).
//
// Every rule below is a pure function of the Credentials (plus the host's
// constant facts: /proc/sys/kernel/cap_last_cap and the user namespace's id
// map), returning 0 or -errno exactly as the kernel's sys.c / commoncap.c do.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace sentry::kernel {

struct MachineConfig;

// linux/capability.h
inline constexpr std::uint32_t kCapVersion1 = 0x19980330;  // _LINUX_CAPABILITY_VERSION_1
inline constexpr std::uint32_t kCapVersion2 = 0x20071026;  // _LINUX_CAPABILITY_VERSION_2
inline constexpr std::uint32_t kCapVersion3 = 0x20080522;  // _LINUX_CAPABILITY_VERSION_3

// linux/securebits.h
inline constexpr std::uint32_t kSecbitNoroot = 1u << 0;
inline constexpr std::uint32_t kSecbitNoSetuidFixup = 1u << 2;
inline constexpr std::uint32_t kSecbitKeepCaps = 1u << 4;
inline constexpr std::uint32_t kSecbitKeepCapsLocked = 1u << 5;
inline constexpr std::uint32_t kSecbitNoCapAmbientRaise = 1u << 6;
inline constexpr std::uint32_t kSecureAllBits = 0x55;   // SECURE_ALL_BITS
inline constexpr std::uint32_t kSecureAllLocks = 0xaa;  // SECURE_ALL_LOCKS

// The capabilities cleared from / restored to the effective set when the
// filesystem uid leaves / becomes 0 (CAP_FS_SET): CHOWN, DAC_OVERRIDE,
// DAC_READ_SEARCH, FOWNER, FSETID, LINUX_IMMUTABLE, MKNOD, MAC_OVERRIDE.
inline constexpr std::uint64_t kCapFsMask = (1ull << 0) | (1ull << 1) | (1ull << 2) | (1ull << 3) |
                                            (1ull << 4) | (1ull << 9) | (1ull << 27) | (1ull << 32);

// NGROUPS_MAX of the kernel.
inline constexpr std::size_t kNgroupsMax = 65536;

// The host's CAP_LAST_CAP (/proc/sys/kernel/cap_last_cap; 40 on 5.9+).
int cap_last_cap();
// Bits 0..cap_last_cap().
std::uint64_t cap_valid_mask();
// The kernel's cap_valid(): 0 <= cap <= CAP_LAST_CAP, on an unsigned long. (Not
// named cap_valid: <linux/capability.h> defines a macro of that name.)
inline bool cap_is_valid(std::uint64_t cap) { return cap <= static_cast<std::uint64_t>(cap_last_cap()); }

// Whether an id exists in the guest's user namespace (set_guest_id_range;
// before that, sentry's own /proc/self/uid_map, gid_map). (uid_t)-1 never does.
bool uid_valid(uid_t uid);
bool gid_valid(gid_t gid);

// The guest's user namespace maps guest ids 0..count-1 to host ids
// host_base..: the model then speaks guest ids, and host ids it reads (the
// host's /proc/<tid>/status) are translated; unmapped ones read 65534.
void set_guest_id_range(std::uint32_t host_uid_base, std::uint32_t host_gid_base, std::uint32_t count);
void clear_guest_id_range();  // back to sentry's own namespace (tests)
std::uint32_t guest_id_of_host(std::uint32_t host_id);        // a uid
std::uint32_t guest_gid_of_host(std::uint32_t host_gid);

// capget/capset's header and data (struct __user_cap_header_struct/_data_struct).
struct CapHeader {
  std::uint32_t version = 0;
  std::int32_t pid = 0;
};
struct CapData {
  std::uint32_t effective = 0, permitted = 0, inheritable = 0;
};
// The number of CapData words a capability version transfers: 1 for v1, 2 for
// v2 and v3, 0 for an unknown version (the kernel then writes v3 back into the
// header and fails with EINVAL, or succeeds when the data pointer is NULL: the
// version probe).
unsigned cap_version_words(std::uint32_t version);

struct Credentials {
  uid_t ruid = 0, euid = 0, suid = 0, fsuid = 0;
  gid_t rgid = 0, egid = 0, sgid = 0, fsgid = 0;
  std::vector<gid_t> groups;  // sorted, duplicates kept (as the kernel stores them)
  std::uint64_t cap_effective = 0, cap_permitted = 0, cap_inheritable = 0, cap_bounding = 0;
  std::uint64_t cap_ambient = 0;
  std::uint32_t securebits = 0;  // SECBIT_*; PR_SET_KEEPCAPS is SECBIT_KEEP_CAPS
  // Not part of struct cred in Linux but with the same life cycle in this model
  // (per task, inherited by clone, kept by execve): the no_new_privs flag and
  // the seccomp mode the guest would see without sentry's own filter.
  bool no_new_privs = false;
  int seccomp_mode = 0;  // SECCOMP_MODE_DISABLED / _STRICT / _FILTER

  bool has_capability(int cap) const {
    return cap >= 0 && cap < 64 && (cap_effective >> cap) & 1;
  }

  // --- Construction. ---
  // The invoking process's (sentry's) credentials: getresuid, getresgid,
  // fsuid/fsgid (setfsuid(-1)), getgroups, capget, the bounding set
  // (PR_CAPBSET_READ up to cap_last_cap), the ambient set, securebits,
  // no_new_privs and seccomp mode. The guest starts with exactly these unless
  // overridden:
  //  * uid override U: ruid = euid = suid = fsuid = U, as for a process a
  //    login of U exec'd: U == 0 gets effective = permitted = the host's
  //    bounding set, U != 0 gets empty effective/permitted (Linux's rule for a
  //    non-root user); inheritable and ambient are emptied either way.
  //  * gid override G: rgid = egid = sgid = fsgid = G.
  //  * any override empties the supplementary groups (the host user's list
  //    does not belong to the overriding identity).
  static Credentials from_host(std::optional<uid_t> uid_override = std::nullopt,
                               std::optional<gid_t> gid_override = std::nullopt);
  static Credentials from_host(const MachineConfig& config);

  // --- The setuid family (kernel/sys.c). Each returns 0 or -errno and changes
  // nothing on failure. Every successful uid change applies capabilities(7)
  // "Effect of user ID changes on capabilities" (fix_caps_after_setuid). ---
  int setuid(uid_t uid);
  int setgid(gid_t gid);
  int setreuid(uid_t ruid, uid_t euid);  // (uid_t)-1: unchanged
  int setregid(gid_t rgid, gid_t egid);
  int setresuid(uid_t ruid, uid_t euid, uid_t suid);
  int setresgid(gid_t rgid, gid_t egid, gid_t sgid);
  // setfsuid/setfsgid return the previous fsuid/fsgid whether or not they
  // changed it (an invalid or unpermitted id changes nothing).
  uid_t setfsuid(uid_t uid);
  gid_t setfsgid(gid_t gid);
  // setgroups' privilege check (CAP_SETGID); it precedes the size check.
  bool may_setgroups() const { return has_capability(6 /*CAP_SETGID*/); }
  // -EPERM without CAP_SETGID, -EINVAL above NGROUPS_MAX or for an invalid
  // gid ((gid_t)-1); stores the list sorted.
  int setgroups(std::span<const gid_t> list);

  // --- Capabilities. ---
  // capset on oneself (security/commoncap.c cap_capset): -EPERM when the new
  // inheritable set exceeds inheritable|permitted without CAP_SETPCAP or
  // exceeds inheritable|bounding, when permitted grows, or when effective is
  // not within the new permitted. Bits above cap_last_cap are ignored.
  // Ambient bits no longer in both permitted and inheritable are dropped.
  int capset(std::uint64_t effective, std::uint64_t permitted, std::uint64_t inheritable);
  // capget's data for `words` (1 or 2) words.
  void cap_data(CapData out[2], unsigned words) const;
  // PR_CAPBSET_DROP: -EPERM without CAP_SETPCAP, then -EINVAL for an invalid cap.
  int capbset_drop(std::uint64_t cap);
  // PR_CAPBSET_READ: 0/1, or -EINVAL for an invalid cap.
  int capbset_read(std::uint64_t cap) const;
  // PR_SET_KEEPCAPS (0/1; -EINVAL above 1, -EPERM when locked), PR_GET_KEEPCAPS.
  int set_keepcaps(std::uint64_t value);
  int get_keepcaps() const { return (securebits & kSecbitKeepCaps) ? 1 : 0; }
  // PR_SET_SECUREBITS: -EPERM for locked bits, unlocking, unknown bits or
  // without CAP_SETPCAP.
  int set_securebits(std::uint64_t bits);
  // PR_CAP_AMBIENT (arg2 = op, arg3 = cap, arg4/arg5 must be 0): IS_SET
  // returns 0/1; RAISE needs the cap in permitted and inheritable.
  int cap_ambient_op(std::uint64_t op, std::uint64_t cap, std::uint64_t arg4, std::uint64_t arg5);

  // --- execve. ---
  // The credentials after an execve of a file without file capabilities,
  // with the set-user/group-ID bits given (unset: none), as Linux 6.16+ does
  // it (capabilities(7) "Transformation of capabilities during execve()", the
  // root rules unless SECBIT_NOROOT; security/commoncap.c): no_new_privs
  // ignores set-ID bits and takes back capabilities the root rule would add;
  // an exec that changes the effective ids clears the ambient set;
  // SECBIT_KEEP_CAPS is cleared.
  // Checked against the host kernel (6.18) by a differential test.
  void exec_transform(std::optional<uid_t> file_setuid = std::nullopt,
                      std::optional<gid_t> file_setgid = std::nullopt);
  // After the host ran an execve for `tid`: with the real identity the host's
  // /proc/<tid>/status is authoritative for ids, groups and capability sets
  // (it saw file capabilities and mount flags); no_new_privs and
  // seccomp_mode stay the model's and SECBIT_KEEP_CAPS is cleared. With an
  // identity override, exec_transform() with the set-ID bits of
  // /proc/<tid>/exe (none on a nosuid mount). Returns false if the host's state
  // could not be read (the pure transform without set-ID bits is applied then).
  bool after_exec(pid_t tid, bool real_identity);

 private:
  // cap_emulate_setxuid after a setuid/setreuid/setresuid from `old`.
  void fix_caps_after_setuid(const Credentials& old);
  // After a setfsuid from `old_fsuid`.
  void fix_caps_after_setfsuid(uid_t old_fsuid);
};

}  // namespace sentry::kernel
