#include "sentry/kernel/credentials.h"

#include <linux/capability.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "sentry/kernel/kernel.h"

namespace sentry::kernel {

namespace {

constexpr int kCapSetgid = 6;
constexpr int kCapSetuid = 7;
constexpr int kCapSetpcap = 8;

constexpr std::uint64_t kPrCapAmbientIsSet = 1;   // PR_CAP_AMBIENT_IS_SET
constexpr std::uint64_t kPrCapAmbientRaise = 2;   // PR_CAP_AMBIENT_RAISE
constexpr std::uint64_t kPrCapAmbientLower = 3;   // PR_CAP_AMBIENT_LOWER
constexpr std::uint64_t kPrCapAmbientClearAll = 4;  // PR_CAP_AMBIENT_CLEAR_ALL

constexpr uid_t kNoUid = static_cast<uid_t>(-1);
constexpr gid_t kNoGid = static_cast<gid_t>(-1);

struct IdRange {
  std::uint64_t first, count;
};

// /proc/self/{uid,gid}_map: "inside outside count" lines. Unreadable: the
// initial namespace's full map.
std::vector<IdRange> read_id_map(const char* path) {
  std::vector<IdRange> out;
  std::ifstream in(path);
  std::uint64_t inside = 0, outside = 0, count = 0;
  while (in >> inside >> outside >> count) out.push_back({inside, count});
  if (out.empty()) out.push_back({0, 4294967295ull});
  return out;
}

bool in_map(const std::vector<IdRange>& map, std::uint32_t id) {
  if (id == 0xffffffffu) return false;
  for (const IdRange& r : map)
    if (id >= r.first && id - r.first < r.count) return true;
  return false;
}

bool is_root_uid(uid_t u) { return u == 0; }

}  // namespace

int cap_last_cap() {
  static const int last = [] {
    int v = 40;  // CAP_CHECKPOINT_RESTORE, Linux 5.9+
    if (std::FILE* f = std::fopen("/proc/sys/kernel/cap_last_cap", "r")) {
      int got = 0;
      if (std::fscanf(f, "%d", &got) == 1 && got > 0 && got < 64) v = got;
      std::fclose(f);
    }
    return v;
  }();
  return last;
}

std::uint64_t cap_valid_mask() {
  int last = cap_last_cap();
  return last >= 63 ? ~0ull : ((1ull << (last + 1)) - 1);
}

namespace {
// The guest's user namespace: guest ids 0..count-1 are host ids base.. (unset:
// sentry's own namespace, for unit tests).
std::optional<IdRange> g_guest_uids, g_guest_gids;

std::uint32_t guest_of(const std::optional<IdRange>& r, std::uint32_t host_id) {
  if (!r) return host_id;
  if (host_id >= r->first && host_id - r->first < r->count) return static_cast<std::uint32_t>(host_id - r->first);
  return 65534;  // the overflow id, as the kernel shows an unmapped id
}
}  // namespace

void set_guest_id_range(std::uint32_t host_uid_base, std::uint32_t host_gid_base, std::uint32_t count) {
  g_guest_uids = IdRange{host_uid_base, count};
  g_guest_gids = IdRange{host_gid_base, count};
}
void clear_guest_id_range() {
  g_guest_uids.reset();
  g_guest_gids.reset();
}

std::uint32_t guest_id_of_host(std::uint32_t host_id) { return guest_of(g_guest_uids, host_id); }
std::uint32_t guest_gid_of_host(std::uint32_t host_gid) { return guest_of(g_guest_gids, host_gid); }

bool uid_valid(uid_t uid) {
  if (g_guest_uids) return in_map({{0, g_guest_uids->count}}, uid);
  static const std::vector<IdRange> map = read_id_map("/proc/self/uid_map");
  return in_map(map, uid);
}

bool gid_valid(gid_t gid) {
  if (g_guest_gids) return in_map({{0, g_guest_gids->count}}, gid);
  static const std::vector<IdRange> map = read_id_map("/proc/self/gid_map");
  return in_map(map, gid);
}

unsigned cap_version_words(std::uint32_t version) {
  switch (version) {
    case kCapVersion1: return 1;
    case kCapVersion2:
    case kCapVersion3: return 2;
    default: return 0;
  }
}

// --- Construction. ---

Credentials Credentials::from_host(std::optional<uid_t> uid_override,
                                   std::optional<gid_t> gid_override) {
  Credentials c;
  getresuid(&c.ruid, &c.euid, &c.suid);
  getresgid(&c.rgid, &c.egid, &c.sgid);
  // An invalid id (-1) changes nothing: setfsuid/setfsgid then only report.
  c.fsuid = static_cast<uid_t>(::setfsuid(kNoUid));
  c.fsgid = static_cast<gid_t>(::setfsgid(kNoGid));
  int n = getgroups(0, nullptr);
  if (n > 0) {
    c.groups.resize(static_cast<std::size_t>(n));
    n = getgroups(n, c.groups.data());
    c.groups.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
  }
  std::sort(c.groups.begin(), c.groups.end());

  __user_cap_header_struct h{kCapVersion3, 0};
  __user_cap_data_struct d[2] = {};
  if (syscall(SYS_capget, &h, d) == 0) {
    c.cap_effective = d[0].effective | (static_cast<std::uint64_t>(d[1].effective) << 32);
    c.cap_permitted = d[0].permitted | (static_cast<std::uint64_t>(d[1].permitted) << 32);
    c.cap_inheritable = d[0].inheritable | (static_cast<std::uint64_t>(d[1].inheritable) << 32);
  }
  for (int cap = 0; cap <= cap_last_cap(); ++cap) {
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) c.cap_bounding |= 1ull << cap;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) == 1) c.cap_ambient |= 1ull << cap;
  }
  int sb = prctl(PR_GET_SECUREBITS, 0, 0, 0, 0);
  c.securebits = sb > 0 ? static_cast<std::uint32_t>(sb) : 0;
  c.no_new_privs = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1;
  int mode = prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
  c.seccomp_mode = mode > 0 ? mode : 0;

  if (uid_override) {
    const uid_t u = *uid_override;
    c.ruid = c.euid = c.suid = c.fsuid = u;
    c.cap_inheritable = 0;
    c.cap_ambient = 0;
    c.cap_permitted = u == 0 ? c.cap_bounding : 0;
    c.cap_effective = c.cap_permitted;
  }
  if (gid_override) c.rgid = c.egid = c.sgid = c.fsgid = *gid_override;
  if (uid_override || gid_override) c.groups.clear();
  return c;
}

Credentials Credentials::from_host(const MachineConfig& config) {
  return from_host(config.uid, config.gid);
}

// --- Capability fix-ups (security/commoncap.c). ---

void Credentials::fix_caps_after_setuid(const Credentials& old) {
  if (securebits & kSecbitNoSetuidFixup) return;
  const bool old_any_root = is_root_uid(old.ruid) || is_root_uid(old.euid) || is_root_uid(old.suid);
  const bool new_any_root = is_root_uid(ruid) || is_root_uid(euid) || is_root_uid(suid);
  if (old_any_root && !new_any_root) {
    if (!(securebits & kSecbitKeepCaps)) {
      cap_permitted = 0;
      cap_effective = 0;
    }
    cap_ambient = 0;
  }
  if (is_root_uid(old.euid) && !is_root_uid(euid)) cap_effective = 0;
  if (!is_root_uid(old.euid) && is_root_uid(euid)) cap_effective = cap_permitted;
}

void Credentials::fix_caps_after_setfsuid(uid_t old_fsuid) {
  if (securebits & kSecbitNoSetuidFixup) return;
  if (is_root_uid(old_fsuid) && !is_root_uid(fsuid)) cap_effective &= ~kCapFsMask;
  if (!is_root_uid(old_fsuid) && is_root_uid(fsuid))
    cap_effective |= cap_permitted & kCapFsMask;
}

// --- The setuid family (kernel/sys.c). ---

int Credentials::setuid(uid_t uid) {
  if (!uid_valid(uid)) return -EINVAL;
  const Credentials old = *this;
  if (old.has_capability(kCapSetuid)) {
    ruid = suid = uid;
  } else if (uid != old.ruid && uid != old.suid) {
    return -EPERM;
  }
  euid = fsuid = uid;
  fix_caps_after_setuid(old);
  return 0;
}

int Credentials::setgid(gid_t gid) {
  if (!gid_valid(gid)) return -EINVAL;
  if (has_capability(kCapSetgid)) {
    rgid = egid = sgid = fsgid = gid;
  } else if (gid == rgid || gid == sgid) {
    egid = fsgid = gid;
  } else {
    return -EPERM;
  }
  return 0;
}

int Credentials::setreuid(uid_t r, uid_t e) {
  if (r != kNoUid && !uid_valid(r)) return -EINVAL;
  if (e != kNoUid && !uid_valid(e)) return -EINVAL;
  const Credentials old = *this;
  const bool cap = old.has_capability(kCapSetuid);
  if (r != kNoUid && r != old.ruid && r != old.euid && !cap) return -EPERM;
  if (e != kNoUid && e != old.ruid && e != old.euid && e != old.suid && !cap) return -EPERM;
  if (r != kNoUid) ruid = r;
  if (e != kNoUid) euid = e;
  if (r != kNoUid || (e != kNoUid && e != old.ruid)) suid = euid;
  fsuid = euid;
  fix_caps_after_setuid(old);
  return 0;
}

int Credentials::setregid(gid_t r, gid_t e) {
  if (r != kNoGid && !gid_valid(r)) return -EINVAL;
  if (e != kNoGid && !gid_valid(e)) return -EINVAL;
  const bool cap = has_capability(kCapSetgid);
  if (r != kNoGid && r != rgid && r != egid && !cap) return -EPERM;
  if (e != kNoGid && e != rgid && e != egid && e != sgid && !cap) return -EPERM;
  const gid_t old_rgid = rgid;
  if (r != kNoGid) rgid = r;
  if (e != kNoGid) egid = e;
  if (r != kNoGid || (e != kNoGid && e != old_rgid)) sgid = egid;
  fsgid = egid;
  return 0;
}

int Credentials::setresuid(uid_t r, uid_t e, uid_t s) {
  if (r != kNoUid && !uid_valid(r)) return -EINVAL;
  if (e != kNoUid && !uid_valid(e)) return -EINVAL;
  if (s != kNoUid && !uid_valid(s)) return -EINVAL;
  // A no-op changes nothing, not even capabilities.
  if ((r == kNoUid || r == ruid) && (e == kNoUid || (e == euid && e == fsuid)) &&
      (s == kNoUid || s == suid))
    return 0;
  auto is_new = [this](uid_t id) { return id != kNoUid && id != ruid && id != euid && id != suid; };
  if ((is_new(r) || is_new(e) || is_new(s)) && !has_capability(kCapSetuid)) return -EPERM;
  const Credentials old = *this;
  if (r != kNoUid) ruid = r;
  if (e != kNoUid) euid = e;
  if (s != kNoUid) suid = s;
  fsuid = euid;
  fix_caps_after_setuid(old);
  return 0;
}

int Credentials::setresgid(gid_t r, gid_t e, gid_t s) {
  if (r != kNoGid && !gid_valid(r)) return -EINVAL;
  if (e != kNoGid && !gid_valid(e)) return -EINVAL;
  if (s != kNoGid && !gid_valid(s)) return -EINVAL;
  if ((r == kNoGid || r == rgid) && (e == kNoGid || (e == egid && e == fsgid)) &&
      (s == kNoGid || s == sgid))
    return 0;
  auto is_new = [this](gid_t id) { return id != kNoGid && id != rgid && id != egid && id != sgid; };
  if ((is_new(r) || is_new(e) || is_new(s)) && !has_capability(kCapSetgid)) return -EPERM;
  if (r != kNoGid) rgid = r;
  if (e != kNoGid) egid = e;
  if (s != kNoGid) sgid = s;
  fsgid = egid;
  return 0;
}

uid_t Credentials::setfsuid(uid_t uid) {
  const uid_t old = fsuid;
  if (!uid_valid(uid)) return old;
  if (uid == ruid || uid == euid || uid == suid || uid == fsuid || has_capability(kCapSetuid)) {
    if (uid != old) {
      fsuid = uid;
      fix_caps_after_setfsuid(old);
    }
  }
  return old;
}

gid_t Credentials::setfsgid(gid_t gid) {
  const gid_t old = fsgid;
  if (!gid_valid(gid)) return old;
  if (gid == rgid || gid == egid || gid == sgid || gid == fsgid || has_capability(kCapSetgid))
    fsgid = gid;
  return old;
}

int Credentials::setgroups(std::span<const gid_t> list) {
  if (!may_setgroups()) return -EPERM;
  if (list.size() > kNgroupsMax) return -EINVAL;
  for (gid_t g : list)
    if (!gid_valid(g)) return -EINVAL;  // groups_from_user: an unmapped gid
  groups.assign(list.begin(), list.end());
  std::sort(groups.begin(), groups.end());
  return 0;
}

// --- Capabilities. ---

int Credentials::capset(std::uint64_t eff, std::uint64_t prm, std::uint64_t inh) {
  const std::uint64_t valid = cap_valid_mask();
  eff &= valid;
  prm &= valid;
  inh &= valid;
  const bool inh_capped = !has_capability(kCapSetpcap);
  if (inh_capped && (inh & ~(cap_inheritable | cap_permitted)) != 0) return -EPERM;
  if ((inh & ~(cap_inheritable | cap_bounding)) != 0) return -EPERM;
  if ((prm & ~cap_permitted) != 0) return -EPERM;
  if ((eff & ~prm) != 0) return -EPERM;
  cap_effective = eff;
  cap_permitted = prm;
  cap_inheritable = inh;
  cap_ambient &= prm & inh;
  return 0;
}

void Credentials::cap_data(CapData out[2], unsigned words) const {
  for (unsigned i = 0; i < words && i < 2; ++i) {
    const unsigned shift = 32 * i;
    out[i].effective = static_cast<std::uint32_t>(cap_effective >> shift);
    out[i].permitted = static_cast<std::uint32_t>(cap_permitted >> shift);
    out[i].inheritable = static_cast<std::uint32_t>(cap_inheritable >> shift);
  }
}

int Credentials::capbset_drop(std::uint64_t cap) {
  if (!has_capability(kCapSetpcap)) return -EPERM;
  if (!cap_is_valid(cap)) return -EINVAL;
  cap_bounding &= ~(1ull << cap);
  return 0;
}

int Credentials::capbset_read(std::uint64_t cap) const {
  if (!cap_is_valid(cap)) return -EINVAL;
  return static_cast<int>((cap_bounding >> cap) & 1);
}

int Credentials::set_keepcaps(std::uint64_t value) {
  if (value > 1) return -EINVAL;
  if (securebits & kSecbitKeepCapsLocked) return -EPERM;
  if (value)
    securebits |= kSecbitKeepCaps;
  else
    securebits &= ~kSecbitKeepCaps;
  return 0;
}

int Credentials::set_securebits(std::uint64_t bits) {
  const std::uint64_t old = securebits;
  if ((((old & kSecureAllLocks) >> 1) & (old ^ bits)) != 0 ||  // a locked bit changes
      (old & kSecureAllLocks & ~bits) != 0 ||                    // a lock is released
      (bits & ~static_cast<std::uint64_t>(kSecureAllLocks | kSecureAllBits)) != 0 ||
      !has_capability(kCapSetpcap))
    return -EPERM;
  securebits = static_cast<std::uint32_t>(bits);
  return 0;
}

int Credentials::cap_ambient_op(std::uint64_t op, std::uint64_t cap, std::uint64_t arg4,
                                std::uint64_t arg5) {
  if (op == kPrCapAmbientClearAll) {
    if (cap | arg4 | arg5) return -EINVAL;
    cap_ambient = 0;
    return 0;
  }
  if (!cap_is_valid(cap) || arg4 || arg5) return -EINVAL;
  const std::uint64_t bit = 1ull << cap;
  if (op == kPrCapAmbientIsSet) return (cap_ambient & bit) ? 1 : 0;
  if (op != kPrCapAmbientRaise && op != kPrCapAmbientLower) return -EINVAL;
  if (op == kPrCapAmbientRaise) {
    if (!(cap_permitted & bit) || !(cap_inheritable & bit) || (securebits & kSecbitNoCapAmbientRaise))
      return -EPERM;
    cap_ambient |= bit;
  } else {
    cap_ambient &= ~bit;
  }
  return 0;
}

// --- execve (security/commoncap.c cap_bprm_creds_from_file, without file
// capabilities and without a tracer). ---

void Credentials::exec_transform(std::optional<uid_t> file_setuid,
                                 std::optional<gid_t> file_setgid) {
  const Credentials old = *this;
  // bprm_fill_uid: no_new_privs ignores the set-ID bits altogether.
  if (!no_new_privs) {
    if (file_setuid) euid = *file_setuid;
    if (file_setgid) egid = *file_setgid;
  }
  // get_file_caps (no file capabilities) and handle_privileged_root.
  std::uint64_t permitted = 0;
  bool effective = false;
  if (!(securebits & kSecbitNoroot)) {
    if (is_root_uid(euid) || is_root_uid(ruid)) permitted = old.cap_bounding | old.cap_inheritable;
    if (is_root_uid(euid)) effective = true;
  }
  // Linux 6.16+ ("exec: Correct the permission check for unsafe exec"): an
  // exec changes ids when the euid changes or the egid is not one of the
  // caller's groups (in_group_p). Only such an exec (or one granting
  // capabilities) is downgraded under no_new_privs, and only such an exec
  // clears the ambient set; a process whose euid already differed from its
  // uid keeps both.
  auto in_group = [&old](gid_t g) {
    return g == old.fsgid || std::binary_search(old.groups.begin(), old.groups.end(), g);
  };
  const bool id_changed = euid != old.euid || !in_group(egid);
  const bool cap_gained = (permitted & ~old.cap_permitted) != 0;
  if ((id_changed || cap_gained) && no_new_privs) {
    euid = ruid;
    egid = rgid;
    permitted &= old.cap_permitted;
  }
  suid = fsuid = euid;
  sgid = fsgid = egid;
  // An exec that changed the effective ids cancels ambient.
  if (id_changed) cap_ambient = 0;
  permitted |= cap_ambient;
  cap_permitted = permitted;
  cap_effective = effective ? permitted : cap_ambient;
  securebits &= ~kSecbitKeepCaps;
}

namespace {

// The status fields after_exec needs, from /proc/<tid>/status.
struct HostStatus {
  uid_t uid[4] = {};
  gid_t gid[4] = {};
  std::vector<gid_t> groups;
  std::uint64_t inh = 0, prm = 0, eff = 0, bnd = 0, amb = 0;
  int seen = 0;
};

bool read_status(pid_t tid, HostStatus* st) {
  std::ifstream in("/proc/" + std::to_string(tid) + "/status");
  if (!in) return false;
  std::string line;
  while (std::getline(in, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, colon);
    std::istringstream v(line.substr(colon + 1));
    if (key == "Uid") {
      for (uid_t& u : st->uid) v >> u, u = guest_id_of_host(u);
      st->seen |= 1;
    } else if (key == "Gid") {
      for (gid_t& g : st->gid) v >> g, g = guest_gid_of_host(g);
      st->seen |= 2;
    } else if (key == "Groups") {
      gid_t g;
      while (v >> g) st->groups.push_back(guest_gid_of_host(g));
      st->seen |= 4;
    } else if (key == "CapInh" || key == "CapPrm" || key == "CapEff" || key == "CapBnd" ||
               key == "CapAmb") {
      std::uint64_t x = 0;
      v >> std::hex >> x;
      if (key == "CapInh") st->inh = x, st->seen |= 8;
      if (key == "CapPrm") st->prm = x, st->seen |= 16;
      if (key == "CapEff") st->eff = x, st->seen |= 32;
      if (key == "CapBnd") st->bnd = x, st->seen |= 64;
      if (key == "CapAmb") st->amb = x, st->seen |= 128;
    }
  }
  return st->seen == 255;
}

}  // namespace

bool Credentials::after_exec(pid_t tid, bool real_identity) {
  if (real_identity) {
    HostStatus st;
    if (read_status(tid, &st)) {
      ruid = st.uid[0], euid = st.uid[1], suid = st.uid[2], fsuid = st.uid[3];
      rgid = st.gid[0], egid = st.gid[1], sgid = st.gid[2], fsgid = st.gid[3];
      groups = st.groups;
      std::sort(groups.begin(), groups.end());
      cap_inheritable = st.inh;
      cap_permitted = st.prm;
      cap_effective = st.eff;
      cap_bounding = st.bnd;
      cap_ambient = st.amb;
      securebits &= ~kSecbitKeepCaps;
      return true;
    }
    exec_transform();
    return false;
  }
  struct stat sb {};
  const std::string exe = "/proc/" + std::to_string(tid) + "/exe";
  if (::stat(exe.c_str(), &sb) != 0) {
    exec_transform();
    return false;
  }
  std::optional<uid_t> su;
  std::optional<gid_t> sg;
  struct statvfs fs {};
  const bool nosuid = ::statvfs(exe.c_str(), &fs) == 0 && (fs.f_flag & ST_NOSUID);
  if (!nosuid && (sb.st_mode & S_ISUID)) su = sb.st_uid;
  if (!nosuid && (sb.st_mode & S_ISGID) && (sb.st_mode & S_IXGRP)) sg = sb.st_gid;
  exec_transform(su, sg);
  return true;
}

}  // namespace sentry::kernel
