#!/bin/bash
# Hostile-guest test: runs every attack of hostile_guest under sentry and
# judges, from the host, whether it reached anything outside the sandbox.
#
# Usage: run_hostile.sh SENTRY GUEST [--platform unotify|ptrace]
#   SENTRY  the sentry binary (or no_sandbox.sh: the judge's own check, where
#           most attacks must come out as ESCAPE)
#   GUEST   hostile_guest, built statically
#
# Each attack runs as
#     SENTRY run [--platform P] -- /usr/bin/env -u HOSTILE_SENTRY_SECRET GUEST <attack> <args>
# in its own working directory under /tmp, stdin /dev/null (the terminal
# attacks get a fresh pty), with HOSTILE_SENTRY_SECRET in sentry's (not the
# guest's) environment and sentry's fd 9 open on a secret file. The argument
# @SENTRY@ becomes sentry's host pid.
#
# What the script plants, outside every writable area, and checks after EVERY
# attack (so that any attack that reaches one of them is caught, not only the
# one aimed at it):
#   * a victim process (host pid, own session) running as the same host uid
#     as the guest's root (found by a first run that creates a file), so that
#     only the sandbox's namespaces, not uid checks, stand between them; fd 3
#     on the secret file, cwd in a 0700 directory, a secret in its
#     environment. It must stay alive, unstopped, with the same environment,
#     nice, ionice, affinity and limits, and must not receive SIGURG (what
#     kill_all_probe sends);
#   * $VT=/var/tmp/hostile.XXXXXX: a 0600 root secret, a 0644 read-only file, a
#     1777 directory, a 0700 directory, a 0700 script, a setuid copy of the
#     guest: nothing there may change (mode, owner, size, links, mtime, ctime,
#     content) and no file may appear;
#   * secrets (file contents, the victim's environment and command line,
#     sentry's environment and fd 9, key payloads, SysV shm, /dev/shm, kernel
#     log, a uevent, lo traffic): none may appear in the guest's output;
#   * the host's hostname, domain name, core_pattern, lo MTU and addresses,
#     cgroup v1 release_agent files, mount table, /etc, /usr, /dev/shm;
#   * host listeners (abstract stream and datagram unix sockets, a 0600 path
#     socket) must get nothing, and a packet sniffer on the host's lo must see
#     no frame carrying the guest's marker;
#   * no guest process may outlive `sentry run`.
# Attack-specific judges (judge_<attack> below) add what only that attack can
# show: the run must survive attacks on sentry itself, the host's kernel log
# must not gain the guest's lines, the host shell on the pty must not read an
# injected line, and so on. A few judgements use the guest's own report where
# the host cannot see the effect; each says so.
#
# Output: one line per attack, `PASS <name>`, `ESCAPE <name>: <evidence>` or
# `SKIP <name>: <reason>` (gates, missing host features, a guest that never
# ran; a PASS whose run did not end normally carries a note), then a summary.
# Exit: 0 no escape, 1 at least one escape (or sentry cannot run the guest at
# all: the preflight), 77 a prerequisite is missing.
#
# Environment: HOSTILE_ITERS (race iterations, default 10000), HOSTILE_ONLY
# (space-separated attack names to run; the others are not listed),
# HOSTILE_VERBOSE=1 (print each attack's output), HOSTILE_KEEP=1 (keep the
# temporary directories).
#
# The native run (no_sandbox.sh) really does what the attacks try: the script
# restores every host setting it finds changed (hostname, core_pattern, lo,
# release_agent, mounts, files) and never runs the two attacks that would
# take the host down (kill(-1, SIGKILL), pivot_root) unless the harmless
# probes before them showed a sandbox around the guest.
set -u

usage() { echo "usage: $0 SENTRY GUEST [--platform unotify|ptrace]" >&2; exit 2; }
[ $# -ge 2 ] || usage
SENTRY=$(realpath -- "$1") || usage
GUEST_SRC=$(realpath -- "$2") || usage
shift 2
PLAT=("$@")
HERE=$(dirname -- "$(realpath -- "$0")")
HELPER=$HERE/host_helpers.py
ITERS=${HOSTILE_ITERS:-10000}

skip_all() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip_all "needs host root (sentry runs as root; the victims and judges need it)"
for tool in python3 timeout sha256sum xxd ip ps pgrep dmesg findmnt mountpoint stat ionice env mount umount; do
  command -v "$tool" >/dev/null || skip_all "$tool is not installed"
done
[ -x /usr/bin/env ] || skip_all "/usr/bin/env is missing (used to keep sentry's secret out of the guest)"
[ -x "$SENTRY" ] || { echo "FAIL: $SENTRY is not executable"; exit 1; }
[ -x "$GUEST_SRC" ] || { echo "FAIL: $GUEST_SRC is not executable"; exit 1; }
[ -f "$HELPER" ] || { echo "FAIL: $HELPER is missing"; exit 1; }

rnd() { head -c "${1:-9}" /dev/urandom | xxd -p | tr -d '\n'; }

# Run the whole test inside a new session keyring holding a secret key, so
# that keyctl_read_session has something to steal and the caller's session
# keyring is never touched.
if [ -z "${HOSTILE_SESSION_READY:-}" ]; then
  export HOSTILE_SESSION_DESC="sentry-hostile-session-$(rnd 6)"
  export HOSTILE_SESSION_PAYLOAD="SESSIONKEY-$(rnd)"
  exec python3 "$HELPER" session-exec "$HOSTILE_SESSION_DESC" -- bash "$0" "$SENTRY" "$GUEST_SRC" "${PLAT[@]}"
fi
SESSION_DESC=$HOSTILE_SESSION_DESC
S_SESSION=$HOSTILE_SESSION_PAYLOAD
SESSION_OK=$HOSTILE_SESSION_READY
unset HOSTILE_SESSION_DESC HOSTILE_SESSION_PAYLOAD HOSTILE_SESSION_READY

# --- names, tokens and secrets ------------------------------------------------
# Tokens are given to the guest (markers it sends or writes); secrets never
# are: a secret in the guest's output means the guest read it from outside.
TAG=$(rnd 6)                              # 12 hex digits, unique to this run
ABS_STREAM="sentry-hostile-$TAG"          # host abstract listeners (>= 25 chars:
ABS_DGRAM="sentry-hostile-d$TAG"          # race_connect needs the address to be
ABS_BIND="sentry-hostile-b$TAG"           # as long as a sockaddr_in6)
NAME="hostile-$TAG"                       # hostname the guest tries to set
INJECT="hostile-injected-$TAG"            # line the guest pushes into the tty
LO_ADDR="10.213.$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1))"
SHM_KEY=$((0x5e000000 + RANDOM * 4 + 1))
DEVSHM="/dev/shm/sentry-hostile-$TAG"     # 0644 host file with a secret
DEVSHM_W="/dev/shm/sentry-hostile-w-$TAG" # must never appear
USERKEY_DESC="sentry-hostile-user-$TAG"   # in root's user keyring, with a secret
UADD_DESC="sentry-hostile-uadd-$TAG"      # keys keyctl_add tries to create
SADD_DESC="sentry-hostile-sadd-$TAG"
declare -A SECRET=(
  [file]="FILESECRET-$(rnd)"     [private]="PRIVSECRET-$(rnd)"  [victim-env]="VICTIMSECRET-$(rnd)"
  [victim-cmdline]="VICTIMCMD-$(rnd)" [sentry-env]="SENTRYENV-$(rnd)" [sentry-fd]="SENTRYFD-$(rnd)"
  [exec]="EXECSECRET-$(rnd)"     [root600]="ROOT600-$(rnd)"     [user-key]="USERKEY-$(rnd)"
  [session-key]="$S_SESSION"     [sysv-shm]="SHMSECRET-$(rnd)"  [dev-shm]="DEVSHMSECRET-$(rnd)"
  [kmsg]="KMSGSECRET-$(rnd)"     [uevent]="UEVENT$(rnd)"        [lo-traffic]="SNIFFSECRET-$(rnd)"
  [block]="BLOCKSECRET-$(rnd)"    [tmp]="TMPSECRET-$(rnd)"
)

# --- directories ----------------------------------------------------------------
# Only the working directories are under /tmp: the guest may write there (and
# in /tmp), so the script's own state, the guest's recorded output and the
# programs the host runs live where it cannot (a guest that escaped must not
# be able to erase the evidence or change what the host executes).
T=$(mktemp -d /var/tmp/hostile-state.XXXXXX)  # the script's own state (0700)
BIN=$(mktemp -d /var/tmp/hostile-bin.XXXXXX)  # the guest binary, readable by anyone
WORK=$(mktemp -d /tmp/hostile-work.XXXXXX)    # one working directory per attack
VT=$(mktemp -d /var/tmp/hostile.XXXXXX)     # victims outside the writable areas
VICT=$(mktemp -d /var/tmp/hostile-victim.XXXXXX)  # the victim process's own files
TMPV=$(mktemp -d /tmp/hostile-tmpvictim.XXXXXX)   # host root's private dir in /tmp (0700)
TMPRO=/tmp/sentry-hostile-tmpro-$TAG               # host root's 0644 file in /tmp
chmod 755 "$BIN" "$WORK" "$VT" "$VICT"
GUEST=$BIN/hostile_guest
cp -- "$GUEST_SRC" "$GUEST" && chmod 755 "$GUEST"
cp -- "$HELPER" "$BIN/host_helpers.py" && chmod 644 "$BIN/host_helpers.py"  # readable by the victim
PIDS_TO_KILL=()

# --- cleanup: runs on any exit ----------------------------------------------------
cleanup() {
  for p in "${PIDS_TO_KILL[@]}" ${VICTIM:-}; do kill -9 "$p" 2>/dev/null; done
  [ -n "${SENDER_PID:-}" ] && kill "$SENDER_PID" 2>/dev/null
  kill_survivors >/dev/null
  restore_host >/dev/null 2>&1
  mountpoint -q "$VT/bound" 2>/dev/null && umount -l "$VT/bound"
  [ -n "${LOOPDEV:-}" ] && losetup -d "$LOOPDEV"
  python3 "$HELPER" key-unlink-user "$USERKEY_DESC"
  python3 "$HELPER" shm-remove "$SHM_KEY"
  rm -f -- "$DEVSHM" "$DEVSHM_W"
  if [ "${HOSTILE_KEEP:-0}" = 1 ]; then
    echo "kept: $T $WORK $VT $VICT $BIN $TMPV $TMPRO"
  else
    rm -rf -- "$T" "$WORK" "$VT" "$VICT" "$BIN" "$TMPV" "$TMPRO" "/tmp/sentry-hostile-suid-$TAG"
  fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- the victim tree in $VT -----------------------------------------------------------
# build_vt: (re)creates every planted file with its content, mode and owner,
# and removes anything else. Existing inodes are kept (the victim holds fd 3
# on the secret and has its cwd in private/).
build_vt() {
  local keep="secret readonly world private private/secret2 forbidden suid mnt bound sock sock/host.sock fdsecret"
  local e rel
  while IFS= read -r -d '' e; do
    rel=${e#"$VT"/}
    [[ " $keep " == *" $rel "* ]] || rm -rf -- "$e"
  done < <(find "$VT" -mindepth 1 -depth -print0 2>/dev/null)
  put() { # put FILE MODE CONTENT
    if [ ! -f "$1" ] || [ "$(cat -- "$1")" != "$3" ]; then printf '%s\n' "$3" > "$1"; fi
    chown root:root "$1"; chmod "$2" "$1"
  }
  mkdir -p "$VT/world" "$VT/private" "$VT/mnt" "$VT/bound" "$VT/sock"
  chown root:root "$VT"/{world,private,mnt,bound,sock}
  chmod 1777 "$VT/world"; chmod 700 "$VT/private"; chmod 755 "$VT/mnt" "$VT/bound" "$VT/sock"
  put "$VT/secret" 600 "${SECRET[file]}"
  put "$VT/readonly" 644 "readonly-$TAG"
  put "$VT/private/secret2" 644 "${SECRET[private]}"
  put "$VT/forbidden" 700 "$(printf '#!/bin/sh\necho %s' "${SECRET[exec]}")"
  put "$VT/fdsecret" 600 "${SECRET[sentry-fd]}"
  if ! cmp -s "$GUEST" "$VT/suid"; then cp -- "$GUEST" "$VT/suid"; fi
  chown root:root "$VT/suid"; chmod 4755 "$VT/suid"
  # Host root's things in the host's /tmp.
  find "$TMPV" -mindepth 1 ! -path "$TMPV/secret" -exec rm -rf -- {} + 2>/dev/null
  chown root:root "$TMPV"; chmod 700 "$TMPV"
  put "$TMPV/secret" 600 "${SECRET[tmp]}"
  put "$TMPRO" 644 "tmp-readonly-$TAG"
}

# snapshot_vt: everything about $VT that an attack could change.
snapshot_vt() {
  find "$VT" "$TMPV" "$TMPRO" -print0 | sort -z | xargs -0 stat -c '%n %F %a %u:%g %s %h %Y %Z'
  find "$VT" "$TMPV" "$TMPRO" -type f -print0 | sort -z | xargs -0 sha256sum
}

# --- host state: baseline, comparison, restoration ---------------------------------
release_agents() {  # cgroup v1 release_agent and notify_on_release of each hierarchy root
  local f
  for f in /sys/fs/cgroup/{,*/}{release_agent,notify_on_release}; do
    [ -e "$f" ] && printf '%s=%s\n' "$f" "$(cat "$f")"
  done
}
lo_addrs() { ip -o addr show dev lo | awk '{print $4}' | sort; }
host_state() {
  echo "hostname=$(cat /proc/sys/kernel/hostname)"
  echo "domainname=$(cat /proc/sys/kernel/domainname)"
  echo "core_pattern=$(cat /proc/sys/kernel/core_pattern)"
  echo "lo-mtu=$(cat /sys/class/net/lo/mtu)"
  echo "lo-addrs=$(lo_addrs | tr '\n' ' ')"
  release_agents
}
# The host mount table where attacks could change it: "/" (remounts), the
# usual system directories, and everything under the script's own
# directories (other mounts on the host may come and go meanwhile).
watched_mounts() {
  awk -v vt="$VT" -v w="$WORK" -v tv="$TMPV" '
    $5 ~ /^\/(tmp|var\/tmp|etc|usr|dev|dev\/shm|proc|sys)?$/ ||
    index($5, vt) == 1 || index($5, w) == 1 || index($5, tv) == 1' /proc/self/mountinfo
}
stray_files() { ls -d /etc/sentry-hostile-* /usr/sentry-hostile-* /usr/bin/sentry-hostile-* "$DEVSHM_W" 2>/dev/null; }

B_HOSTNAME=$(cat /proc/sys/kernel/hostname)
B_DOMAIN=$(cat /proc/sys/kernel/domainname)
B_CORE=$(cat /proc/sys/kernel/core_pattern)
B_MTU=$(cat /sys/class/net/lo/mtu)
B_ADDRS=$(lo_addrs)
B_RA=$(release_agents)

# restore_host: puts back every host setting an escaped attack changed.
restore_host() {
  [ "$(cat /proc/sys/kernel/hostname)" = "$B_HOSTNAME" ] || printf '%s' "$B_HOSTNAME" > /proc/sys/kernel/hostname
  [ "$(cat /proc/sys/kernel/domainname)" = "$B_DOMAIN" ] || printf '%s' "$B_DOMAIN" > /proc/sys/kernel/domainname
  [ "$(cat /proc/sys/kernel/core_pattern)" = "$B_CORE" ] || printf '%s\n' "$B_CORE" > /proc/sys/kernel/core_pattern
  [ "$(cat /sys/class/net/lo/mtu)" = "$B_MTU" ] || ip link set dev lo mtu "$B_MTU"
  local a line
  for a in $(comm -13 <(echo "$B_ADDRS") <(lo_addrs)); do ip addr del "$a" dev lo; done
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    [ "$(cat "${line%%=*}")" = "${line#*=}" ] || printf '%s\n' "${line#*=}" > "${line%%=*}"
  done <<< "$B_RA"
  # Mounts the guest left on the host (only ours: under $VT or $WORK).
  local mp
  for mp in $(awk '{print $5}' /proc/self/mountinfo | grep -E "^($VT|$WORK)/" | sort -r); do
    [ "$mp" = "$VT/bound" ] || umount -l "$mp"
  done
  mountpoint -q "$VT/bound" || mount --bind "$VT/bound" "$VT/bound"
  stray_files | while IFS= read -r f; do rm -f -- "$f"; done
  python3 "$HELPER" key-unlink-user "$UADD_DESC"
}

# --- the victim process ----------------------------------------------------------------
# probe_guest_uid: the host uid and gid of the guest's root, read from the
# host's /proc while a guest sleeps (0 0 when that fails).
probe_guest_uid() {
  local d=$WORK/uid_probe p="" i
  mkdir -p "$d" && chmod 777 "$d"
  (cd "$d" && exec timeout -k 3 30 "$SENTRY" run "${PLAT[@]}" -- "$GUEST" sleep 3000 </dev/null >"$T/out/uid_probe.out" 2>"$T/out/uid_probe.err") &
  local run=$!
  for i in $(seq 50); do
    p=$(pgrep -f "^$GUEST sleep 3000" | head -1)
    [ -n "$p" ] && break
    sleep 0.05
  done
  GUEST_UID=0 GUEST_GID=0
  if [ -n "$p" ]; then
    GUEST_UID=$(awk '/^Uid:/ {print $2}' "/proc/$p/status")
    GUEST_GID=$(awk '/^Gid:/ {print $2}' "/proc/$p/status")
  else
    echo "note: the uid probe guest did not show up: $(tail -c 300 "$T/out/uid_probe.err" | tr '\n' ' ')"
  fi
  kill "$run" 2>/dev/null
  wait "$run" 2>/dev/null
  kill_survivors >/dev/null
}
VICTIM=""
start_victim() {
  [ -n "$VICTIM" ] && kill -9 "$VICTIM" 2>/dev/null
  rm -rf -- "$VICT/d"
  install -d -o "$GUEST_UID" -g "$GUEST_GID" -m 700 "$VICT/d"
  local as=()
  [ "$GUEST_UID" = 0 ] || as=(setpriv --reuid="$GUEST_UID" --regid="$GUEST_GID" --clear-groups)
  (cd "$VT/private" && exec env HOSTILE_VICTIM_SECRET="${SECRET[victim-env]}" "${as[@]}" \
     python3 "$BIN/host_helpers.py" victim "$VICT/d/sigurg" "$VICT/d/ready" "${SECRET[victim-cmdline]}" \
     3<"$VT/secret" </dev/null >/dev/null 2>&1) &
  VICTIM=$!
  disown  # no job notice when an attack kills it
  local i
  for i in $(seq 100); do [ -e "$VICT/d/ready" ] && break; sleep 0.05; done
  [ -e "$VICT/d/ready" ] || { echo "FAIL: the victim process did not start"; exit 1; }
  # env_start/env_end: fields 50 and 51 of /proc/PID/stat (after "(comm)").
  read -r V_ES V_EE < <(sed 's/.*) //' "/proc/$VICTIM/stat" | awk '{print $48, $49}')
  V_FP=$(victim_fp)
}
victim_state() { sed 's/.*) //' "/proc/$VICTIM/stat" 2>/dev/null | awk '{print $1}'; }
victim_fp() {
  sha256sum < "/proc/$VICTIM/environ"
  ps -o ni= -p "$VICTIM"
  grep Cpus_allowed_list "/proc/$VICTIM/status"
  grep 'Max open files' "/proc/$VICTIM/limits"
  ionice -p "$VICTIM"
}
# check_victim: adds evidence when the victim was killed, stopped or changed.
check_victim() {
  local st
  st=$(victim_state)
  if [ -z "$st" ] || [ "$st" = Z ] || [ "$st" = X ]; then
    ev "the host victim (pid $VICTIM) was killed"
    VICTIM_BAD=1
    return
  fi
  case $st in T|t) ev "the host victim was left stopped/traced (state $st)"; VICTIM_BAD=1 ;; esac
  local fp
  fp=$(victim_fp 2>/dev/null)
  if [ "$fp" != "$V_FP" ]; then
    ev "the host victim changed: $(diff <(echo "$V_FP") <(echo "$fp") | grep '^>' | tr '\n' ' ')"
    VICTIM_BAD=1
  fi
  if [ -s "$VICT/d/sigurg" ]; then
    ev "the host victim received the guest's kill(-1, SIGURG)"
    VICTIM_BAD=1
  fi
}

# --- surviving guest processes -------------------------------------------------------
guest_pids() { pgrep -f "^($GUEST|hostile_suid) " ; }
kill_survivors() {
  local p
  for p in $(guest_pids); do kill -9 "$p" 2>/dev/null && echo "$p"; done
}

# --- host listeners --------------------------------------------------------------------
build_vt  # creates $VT/sock for the path listener
mkdir -p "$T/srv"
python3 "$HELPER" servers "$T/srv" "$ABS_STREAM" "$ABS_DGRAM" "$VT/sock/host.sock" </dev/null >/dev/null 2>"$T/srv/err" &
SERVERS_PID=$!
PIDS_TO_KILL+=("$SERVERS_PID")
disown
for _ in $(seq 100); do [ -e "$T/srv/ready" ] && break; sleep 0.05; done
[ -e "$T/srv/ready" ] || { echo "FAIL: host listeners did not start: $(cat "$T/srv/err")"; exit 1; }
TCP6_PORT=$(cat "$T/srv/tcp6.port")
EVENTS=$T/srv/events.log
touch "$EVENTS"
SNIFFER_OK=1
[ -e "$T/srv/sniffer.unavailable" ] && SNIFFER_OK=0

# --- other planted things -------------------------------------------------------------
mount --bind "$VT/bound" "$VT/bound" || { echo "FAIL: cannot bind-mount $VT/bound"; exit 1; }
python3 "$HELPER" key-add-user "$USERKEY_DESC" "${SECRET[user-key]}" >/dev/null 2>&1 && USERKEY_OK=1 || USERKEY_OK=0
python3 "$HELPER" shm-create "$SHM_KEY" "${SECRET[sysv-shm]}" >/dev/null 2>&1 && SHM_OK=1 || SHM_OK=0
printf '%s\n' "${SECRET[dev-shm]}" > "$DEVSHM" && chmod 644 "$DEVSHM"
KMSG_OK=0
if echo "sentry-hostile-kmsg ${SECRET[kmsg]}" > /dev/kmsg 2>/dev/null && dmesg | grep -qF "${SECRET[kmsg]}"; then KMSG_OK=1; fi
NPROC=$(nproc)
# A host block device with a secret at offset 1024: a loop device over a file
# in the script's private directory.
LOOPDEV="" LOOP_WHY=""
head -c 65536 /dev/zero > "$T/loop.img"
printf '%s' "${SECRET[block]}" | dd of="$T/loop.img" bs=1 seek=1024 conv=notrunc 2>/dev/null
if LOOPDEV=$(losetup -f --show "$T/loop.img" 2>"$T/losetup.err"); then
  if dd if="$LOOPDEV" bs=64 skip=16 count=1 2>/dev/null | grep -qF "${SECRET[block]}"; then
    read -r maj min < <(stat -c '%t %T' "$LOOPDEV")
    LOOP_MAJ=$((16#$maj)) LOOP_MIN=$((16#$min))
  else
    LOOP_WHY="the host cannot read its own loop device $LOOPDEV"
  fi
else
  LOOPDEV="" LOOP_WHY="losetup failed: $(head -c 200 "$T/losetup.err")"
fi
UEVENT_FILE=/sys/devices/virtual/mem/full/uevent
# Preflight: sentry must be able to run the guest at all, or every verdict
# below would be meaningless.
mkdir -p "$WORK/preflight" "$T/out" && chmod 777 "$WORK/preflight"
(cd "$WORK/preflight" && timeout -k 3 60 "$SENTRY" run "${PLAT[@]}" -- "$GUEST" noop </dev/null >"$T/out/preflight.out" 2>"$T/out/preflight.err")
rc=$?
if [ "$rc" != 0 ] || ! grep -qx "END noop" "$T/out/preflight.out"; then
  echo "FAIL: $SENTRY run ${PLAT[*]} cannot run the guest at all (exit $rc): $(tail -c 400 "$T/out/preflight.err" | tr '\n' ' ')"
  exit 1
fi
probe_guest_uid
command -v setpriv >/dev/null || { [ "$GUEST_UID" = 0 ] || { echo "note: no setpriv, the victim runs as root"; GUEST_UID=0 GUEST_GID=0; }; }
start_victim
VT_SNAP=$(snapshot_vt)
MOUNTS=$(watched_mounts)
HOST=$(host_state)

# --- running one attack ------------------------------------------------------------------
# The guest's command line; @SENTRY@ becomes sentry's pid (the runner shell's
# $$, since it execs sentry).
RUNNER='a=(); for x in "$@"; do [ "$x" = @SENTRY@ ] && x=$$; a+=("$x"); done; exec "${a[@]}"'
TTY_RUNNER='"$@"; echo "SENTRY-EXIT $?"; IFS= read -t 2 -r line; printf "\nHOSTREAD:[%s]\n" "$line"'

# run_guest NAME TIMEOUT ARGS...: sets OUT, ERR, RC; runs during_NAME (if
# defined) while the guest runs, with RUNPID set.
run_guest() {
  local name=$1 to=$2
  shift 2
  if [[ $name == tiocsti* ]]; then
    (cd "$W" && exec env HOSTILE_SENTRY_SECRET="${SECRET[sentry-env]}" \
       python3 "$HELPER" pty-run "$OUT" "$to" -- bash -c "$TTY_RUNNER" hostile-tty \
       "$SENTRY" run "${PLAT[@]}" "${SENTRY_OPTS[@]}" -- /usr/bin/env -u HOSTILE_SENTRY_SECRET "$GUEST" "$name" "$@" \
       9<"$VT/fdsecret" </dev/null 2>"$ERR")
    sed -i 's/\r$//' "$OUT"  # the pty's line endings
    RC=$(sed -n 's/^SENTRY-EXIT \([0-9]*\).*/\1/p' "$OUT" | head -1)
    RC=${RC:-124}
    return
  fi
  (cd "$W" && exec env HOSTILE_SENTRY_SECRET="${SECRET[sentry-env]}" timeout -k 3 "$to" \
     bash -c "$RUNNER" hostile-run \
     "$SENTRY" run "${PLAT[@]}" "${SENTRY_OPTS[@]}" -- /usr/bin/env -u HOSTILE_SENTRY_SECRET "$GUEST" "$name" "$@" \
     9<"$VT/fdsecret" </dev/null >"$OUT" 2>"$ERR") &
  RUNPID=$!
  declare -F "during_$name" >/dev/null && "during_$name"
  wait "$RUNPID"
  RC=$?
}

EV=()
ev() { EV+=("$(printf '%s' "$*" | tr '\n' ' ' | cut -c1-300)"); }
declare -A VERDICT=()
ESCAPED=() PASSED=() SKIPPED=() UNFINISHED=()
ONLY=" ${HOSTILE_ONLY:-} "

# attack NAME [-t TIMEOUT] [-o SENTRY-OPTION]... [-- ARGS...]: runs one attack
# and prints its verdict. @V@, @ES@, @EE@ become the victim's pid and
# environment range.
attack() {
  local name=$1 to=30
  shift
  SENTRY_OPTS=()
  while [ "${1:-}" = -t ] || [ "${1:-}" = -o ]; do
    if [ "$1" = -t ]; then to=$2; else SENTRY_OPTS+=("$2"); fi
    shift 2
  done
  [ "${1:-}" = -- ] && shift
  [ "$ONLY" = "  " ] || [[ $ONLY == *" $name "* ]] || return 0
  local reason=""
  declare -F "gate_$name" >/dev/null && reason=$("gate_$name")
  if [ -n "$reason" ]; then
    echo "SKIP $name: $reason"
    VERDICT[$name]=SKIP; SKIPPED+=("$name")
    return
  fi
  local args=() x
  for x in "$@"; do
    x=${x//@V@/$VICTIM}; x=${x//@ES@/$V_ES}; x=${x//@EE@/$V_EE}
    args+=("$x")
  done
  W=$WORK/$name OUT=$T/out/$name.out ERR=$T/out/$name.err
  mkdir -p "$W" && chmod 777 "$W"
  declare -F "prep_$name" >/dev/null && "prep_$name"
  EV=()
  VICTIM_BAD=0
  run_guest "$name" "$to" "${args[@]}"
  sleep 0.05  # let the sniffer and listeners log what the attack sent
  declare -F "judge_$name" >/dev/null && "judge_$name"
  check_world
  if [ "${HOSTILE_VERBOSE:-0}" = 1 ]; then
    sed "s/^/  | /" "$OUT"; sed "s/^/  ! /" "$ERR" | head -20
  fi
  if ((${#EV[@]})); then
    local joined
    joined=$(printf '%s; ' "${EV[@]}")
    echo "ESCAPE $name: ${joined%; }"
    VERDICT[$name]=ESCAPE; ESCAPED+=("$name")
  elif ! guest_ran; then
    echo "SKIP $name: not judged, the guest never ran (exit $RC; $(tail -c 200 "$ERR" | tr '\n' ' '))"
    VERDICT[$name]=SKIP; SKIPPED+=("$name")
  elif ! grep -qxE "END ($name|read_file)" "$OUT" || [ "$RC" != 0 ]; then  # setuid_exec ends in read_file
    echo "PASS $name (note: the run did not end normally: exit $RC; $(tail -c 200 "$ERR" | tr '\n' ' '))"
    VERDICT[$name]=PASS; PASSED+=("$name"); UNFINISHED+=("$name")
  else
    echo "PASS $name"
    VERDICT[$name]=PASS; PASSED+=("$name")
  fi
}

# check_world: the checks every attack gets (see the header).
check_world() {
  local k
  for k in "${!SECRET[@]}"; do
    if grep -qF -- "${SECRET[$k]}" "$OUT" "$ERR"; then
      ev "the $k secret appears in the guest's output: $(grep -hF -- "${SECRET[$k]}" "$OUT" "$ERR" | head -1)"
    fi
  done
  check_victim
  local now
  now=$(host_state)
  [ "$now" = "$HOST" ] || ev "host settings changed: $(diff <(echo "$HOST") <(echo "$now") | grep '^>' | tr '\n' ' ')"
  local snap
  snap=$(snapshot_vt)
  [ "$snap" = "$VT_SNAP" ] || ev "planted host files changed ($VT, $TMPV, $TMPRO): $(diff <(echo "$VT_SNAP") <(echo "$snap") | grep '^[<>]' | head -4 | tr '\n' ' ')"
  local stray
  stray=$(stray_files)
  [ -z "$stray" ] || ev "files appeared on the host: $stray"
  local mounts
  mounts=$(watched_mounts)
  [ "$mounts" = "$MOUNTS" ] || ev "the host mount table changed: $(diff <(echo "$MOUNTS") <(echo "$mounts") | grep '^[<>]' | head -3 | tr '\n' ' ')"
  local nev
  nev=$(wc -l < "$EVENTS")
  if [ "$nev" -gt "${EVENTS_SEEN:-0}" ]; then
    ev "host listeners saw $((nev - ${EVENTS_SEEN:-0})) event(s): $(tail -n +"$((${EVENTS_SEEN:-0} + 1))" "$EVENTS" | head -3 | tr '\n' ' ')"
    EVENTS_SEEN=$nev
  fi
  if ! kill -0 "$SERVERS_PID" 2>/dev/null; then
    echo "FAIL: the host listeners died (after $name): $(tail -c 300 "$T/srv/err")"
    exit 1  # every network verdict from here on would be blind
  fi
  local left
  left=$(kill_survivors | tr '\n' ' ')
  [ -z "$left" ] || ev "guest processes outlived sentry run (killed now: $left)"
  # Put the host back for the next attack.
  if ((${#EV[@]})); then
    restore_host >/dev/null 2>&1
    build_vt
    HOST=$(host_state)
    MOUNTS=$(watched_mounts)
    VT_SNAP=$(snapshot_vt)
  fi
  if [ "$VICTIM_BAD" = 1 ]; then start_victim; fi
}

# guest_ran: the guest printed anything at all (else sentry never started it).
guest_ran() { grep -qE '^(RESULT|END|INIT|DEVS|FD|GOTFD|READY)( |$)' "$OUT"; }

# sentry_survived: evidence unless the run, once the guest had started, ended
# normally.
sentry_survived() {
  guest_ran || return 0
  if [ "$RC" != 0 ] || ! grep -qx "END $1" "$OUT"; then
    ev "sentry (or the guest's init) did not survive: the run ended with exit $RC$(grep -qx "END $1" "$OUT" || echo ', the guest never finished')"
  fi
}

# ==========================================================================================
# Attack-specific gates (print a reason to skip), preparation and judges.

gate_kill_all_probe() {
  [ "${VERDICT[signal0_victim]:-}" = PASS ] ||
    echo "signal0_victim did not show the host's pids hidden: kill(-1) could reach every host process"
}
gate_kill_all() {
  [ "${VERDICT[kill_all_probe]:-}" = PASS ] ||
    echo "kill_all_probe did not pass: kill(-1, SIGKILL) could take the host down"
}
# The guest's pid 1 must be shown not to be the host's: it is sent SIGKILL
# and its environment and fds are read. Shown by a /proc/1 that differs from
# the host's, or by host pids being out of reach (signal0_victim and
# kill_all_probe passed).
gate_kill_init() {
  local init
  init=$(grep -m1 '^INIT ' "$T/out/proc_host_init.out" 2>/dev/null)
  [ "${VERDICT[proc_host_init]:-}" = PASS ] || { echo "proc_host_init did not pass: pid 1 may be the host's init"; return; }
  [ -n "$init" ] && [ "$init" != "$(host_init_line)" ] && return
  [ "${VERDICT[kill_all_probe]:-}" = PASS ] && return
  echo "neither proc_host_init nor kill_all_probe showed that pid 1 is not the host's init"
}
gate_proc_init_environ() { gate_kill_init; }
gate_pidfd_getfd_init() { gate_kill_init; }
gate_pivot_root() {
  [ "${VERDICT[mount_tmpfs]:-}" = PASS ] ||
    echo "mount_tmpfs did not pass: the guest may be in the host's mount namespace, where pivot_root moves the host's root"
}
PIDS_LIMIT=32
gate_fork_bomb() {
  "$SENTRY" run --help 2>&1 | grep -q -- --pids-limit || echo "$SENTRY run has no --pids-limit option"
}
# Counts the guest's processes on the host while it runs.
during_fork_bomb() {
  local n max=0
  while kill -0 "$RUNPID" 2>/dev/null; do
    n=$(pgrep -c -f "^$GUEST fork_bomb")
    [ "$n" -gt "$max" ] && max=$n
    sleep 0.02
  done
  FORK_MAX=$max
}
judge_fork_bomb() {
  [ "$FORK_MAX" -gt "$PIDS_LIMIT" ] && ev "the guest ran $FORK_MAX processes at once under --pids-limit $PIDS_LIMIT"
}
gate_affinity_victim() { [ "$NPROC" -ge 2 ] || echo "one CPU: an affinity change cannot be seen"; }
no_sniffer() { [ "$SNIFFER_OK" = 1 ] || echo "no AF_PACKET sniffer on the host's lo: $(cat "$T/srv/sniffer.unavailable")"; }
gate_raw_icmp() { no_sniffer; }
gate_raw_icmpv6() { no_sniffer; }
gate_packet_send() { no_sniffer; }
gate_keyctl_read_session() { [ "$SESSION_OK" = 1 ] || echo "the host could not make a session keyring"; }
gate_keyctl_read_user() { [ "$USERKEY_OK" = 1 ] || echo "the host could not add a key to root's user keyring"; }
gate_sysv_shm() { [ "$SHM_OK" = 1 ] || echo "the host could not create a SysV shm segment"; }
gate_dev_kmsg_read() { [ "$KMSG_OK" = 1 ] || echo "the host cannot write and read its kernel log"; }
gate_syslog_read() { gate_dev_kmsg_read; }
gate_dev_kmsg_write() { gate_dev_kmsg_read; }
gate_netlink_audit() { gate_dev_kmsg_read; }
gate_proc_sysrq() {
  [ -e /proc/sysrq-trigger ] || { echo "the host kernel has no /proc/sysrq-trigger"; return; }
  gate_dev_kmsg_read
}
gate_dev_block() { [ -n "$LOOP_WHY" ] && echo "$LOOP_WHY"; }
gate_dev_mknod() { gate_dev_block; }
gate_netlink_uevent() { [ -w "$UEVENT_FILE" ] || echo "$UEVENT_FILE is missing: cannot send a uevent"; }

# Guest-reported: kill(pid, 0) sends nothing; success means the guest can name
# host pids (the victim's liveness covers the real signals).
judge_signal0_victim() {
  grep -q "RESULT signal0_victim kill-0 ok" "$OUT" && ev "kill(host victim pid, 0) succeeded: host pids are visible (guest-reported)"
}
judge_kill_init() { sentry_survived kill_init; }
judge_sig_sentry() { sentry_survived sig_sentry; }
judge_sig_sentry_pidfd() { sentry_survived sig_sentry_pidfd; }
judge_stop_sentry() { sentry_survived stop_sentry; }
judge_ptrace_sentry() {
  sentry_survived ptrace_sentry
  grep -q "PTRACE_ATTACH ok" "$OUT" && ev "PTRACE_ATTACH to sentry succeeded (guest-reported)"
}
# Guest-reported: an fd obtained from sentry cannot be seen from the host (the
# fd 9 secret, when read through it, is caught by check_world).
judge_pidfd_getfd_sentry() {
  grep -q '^GOTFD' "$OUT" && ev "pidfd_getfd took $(grep -c '^GOTFD' "$OUT") fd(s) of sentry: $(grep '^GOTFD' "$OUT" | head -3 | tr '\n' ' ') (guest-reported)"
}
# Guest-reported: supervisor objects among the guest's own fds.
judge_own_fds() {
  local bad
  bad=$(grep '^FD ' "$OUT" | grep -E 'seccomp|pidfd|signalfd|eventpoll|ptrace|/proc/[0-9]+/mem|memfd:|anon_inode' )
  [ -z "$bad" ] || ev "the guest holds sentry's objects: $(echo "$bad" | head -3 | tr '\n' ' ') (guest-reported)"
}
host_init_line() {
  local st
  st=$(cat /proc/1/stat)
  echo "INIT comm=$(echo "$st" | sed 's/^[0-9]* (\(.*\)) .*/\1/') starttime=$(echo "$st" | sed 's/.*) //' | awk '{print $20}')"
}
judge_proc_host_init() {
  grep -qxF "$(host_init_line)" "$OUT" && ev "the guest's /proc/1 is the host's init: $(host_init_line)"
}
judge_clone_untraced() { :; }  # check_world's survivor check is the judge
# Guest-reported: the kernel's own permission check on the guest's own file.
judge_setuid_own_file() {
  local r
  r=$(grep 'RESULT setuid_own_file open-after-setuid' "$OUT")
  [ -z "$r" ] || [[ $r == *" EACCES"* ]] ||
    ev "after setuid(65534) the guest's own 0600 file was not refused with EACCES: $r"
}
# A file the guest made setuid or setgid, owned by host root (uid or gid 0).
suid_planted() {
  local f=$1 st
  [ -e "$f" ] || return 0
  st=$(stat -c '%a %u %g' "$f")
  read -r mode uid gid <<< "$st"
  if { [ "$uid" = 0 ] && (( 8#$mode & 04000 )); } || { [ "$gid" = 0 ] && (( 8#$mode & 02000 )); }; then
    ev "the guest planted a setuid/setgid file owned by host root: $f (mode $mode, uid $uid, gid $gid)"
  fi
  rm -f -- "$f"
}
judge_suid_plant_cwd() { suid_planted "$W/sentry-hostile-suid-$TAG"; }
judge_model_fs_stall() {
  [ "$RC" = 124 ] || [ "$RC" = 137 ] && ev "sentry stopped answering (killed by the 20 s timeout): it waited on its own FUSE server"
  grep -qx "END model_fs_stall" "$OUT" || ev "the guest never finished its calls on the model's files (exit $RC)"
}
judge_suid_plant_tmp() { suid_planted "/tmp/sentry-hostile-suid-$TAG"; }
judge_suid_create_cwd() {
  local how
  for how in openat openat2 openat2-rdonly tmpfile; do suid_planted "$W/sentry-hostile-suidc-$how-$TAG"; done
}
judge_pidfd_getfd_init() {
  grep -q '^GOTFD' "$OUT" && ev "pidfd_getfd took $(grep -c '^GOTFD' "$OUT") fd(s) of the guest's init (sentry's): $(grep '^GOTFD' "$OUT" | head -3 | tr '\n' ' ') (guest-reported)"
}

judge_netlink_diag_unix() {
  grep -qE "$ABS_STREAM|$ABS_DGRAM" "$OUT" && ev "sock_diag listed the host's abstract sockets: $(grep -E "$ABS_STREAM|$ABS_DGRAM" "$OUT" | head -2 | tr '\n' ' ')"
}
judge_netlink_audit() {
  dmesg | grep -qF "HOSTILE-AUDIT-$TAG" && ev "the host kernel log got the guest's audit message: $(dmesg | grep -F "HOSTILE-AUDIT-$TAG" | head -1)"
}
judge_dev_kmsg_write() {
  dmesg | grep -qF "HOSTILE-KMSG-$TAG" && ev "the host kernel log got the guest's line: $(dmesg | grep -F "HOSTILE-KMSG-$TAG" | head -1)"
}
prep_proc_sysrq() { SYSRQ_BEFORE=$(dmesg | grep -c 'sysrq: HELP'); }
judge_proc_sysrq() {
  [ "$(dmesg | grep -c 'sysrq: HELP')" -gt "$SYSRQ_BEFORE" ] && ev "the host kernel ran the guest's sysrq-trigger (HELP in the host log)"
}
# Devices a private /dev may hold; anything else is a host device.
DEV_OK=" null zero full random urandom tty console ptmx pts shm mqueue fd stdin stdout stderr core hugepages "
judge_dev_list() {
  local extra="" d
  for d in $(sed -n 's/^DEVS//p' "$OUT"); do [[ $DEV_OK == *" $d "* ]] || extra+=" $d"; done
  [ -z "$extra" ] || ev "the guest's /dev shows host devices:$(echo "$extra" | cut -c1-200)"
}
judge_keyctl_add() {
  python3 "$HELPER" key-find user "$UADD_DESC" >/dev/null && ev "a key appeared in host root's user keyring"
  python3 "$HELPER" key-find session "$SADD_DESC" >/dev/null && ev "a key appeared in the host session keyring sentry was started in"
}
# Guest-reported: io_uring requests bypass seccomp, so the host cannot see
# what a ring does; having one at all is the escape.
judge_io_uring() {
  grep -q "RESULT io_uring io_uring_setup ok" "$OUT" && ev "io_uring_setup succeeded (guest-reported)"
}
judge_tiocsti() {
  grep -qF "HOSTREAD:[$INJECT" "$OUT" && ev "the host shell on the terminal read the guest's injected line"
}
judge_tiocsti_devtty() { judge_tiocsti; }

# Polls the host's /proc/net/unix for the guest's abstract name while it runs.
poll_abstract_bind() {
  rm -f "$T/out/seen"
  while kill -0 "$RUNPID" 2>/dev/null; do
    grep -qF "@$ABS_BIND" /proc/net/unix && { grep -F "@$ABS_BIND" /proc/net/unix | head -1 > "$T/out/seen"; break; }
    sleep 0.05
  done
}
during_abstract_bind() { poll_abstract_bind; }
during_race_bind() { poll_abstract_bind; }
judge_abstract_bind() { [ -s "$T/out/seen" ] && ev "the guest's abstract name is in the host's /proc/net/unix: $(cat "$T/out/seen")"; }
judge_race_bind() { judge_abstract_bind; }
# Guest-reported: setns joined a namespace other than the guest's own UTS one
# (the host's hostname and mount table are judged for every attack).
judge_race_setns() {
  grep -qE "RESULT race_setns tally .*joined-(mnt|user|net|pid)" "$OUT" &&
    ev "setns joined a namespace it may not: $(grep 'RESULT race_setns tally' "$OUT") (guest-reported)"
}

# Host traffic on lo that a packet socket in the host's netns would see.
during_packet_sniff() {
  while kill -0 "$RUNPID" 2>/dev/null; do
    printf 'sentry-hostile-sniff:%s' "${SECRET[lo-traffic]}" > /dev/udp/127.0.0.1/9 2>/dev/null
    sleep 0.05
  done
}
# A synthetic uevent carrying a secret, once the guest listens.
during_netlink_uevent() {
  local i
  for i in $(seq 200); do
    grep -q '^READY' "$OUT" 2>/dev/null && break
    kill -0 "$RUNPID" 2>/dev/null || return
    sleep 0.05
  done
  echo "change 00000000-0000-0000-0000-000000000000 HOSTILE=${SECRET[uevent]}" > "$UEVENT_FILE" 2>/dev/null
}

prep_setuid_host_file() { printf '%s\n' "${SECRET[root600]}" > "$W/root600"; chown root:root "$W/root600"; chmod 600 "$W/root600"; }
prep_setuid_regain() { prep_setuid_host_file; }
prep_race_open_read() { echo allowed > "$W/allowed.txt"; chmod 644 "$W/allowed.txt"; }
prep_race_symlink() { prep_race_open_read; }
prep_race_open_write() { echo allowed > "$W/allowed_w"; chmod 666 "$W/allowed_w"; }
prep_race_execve() { echo "not a program" > "$W/noexec.bin"; chmod 755 "$W/noexec.bin"; }

# ==========================================================================================
echo "hostile: sentry=$SENTRY ${PLAT[*]} guest=$GUEST_SRC iterations=$ITERS"
echo "hostile: the guest's root is host uid $GUEST_UID; the victim (pid $VICTIM) runs as that uid"

# Gate attacks first: what they show decides whether the dangerous ones run.
attack proc_host_init
attack signal0_victim -- @V@
attack mount_tmpfs -- "$VT/mnt"

# signals
attack kill_victim -- @V@
attack tgkill_victim -- @V@
attack tkill_victim -- @V@
attack pidfd_signal_victim -- @V@
attack sigqueue_victim -- @V@
attack kill_pgrp_victim -- @V@
attack fsetown_sigio -- @V@
attack kill_all_probe
attack kill_all
attack kill_init

# process access
attack pidfd_getfd_victim -- @V@
attack vm_read_victim -- @V@ @ES@ @EE@
attack vm_write_victim -- @V@ @ES@
attack ptrace_victim -- @V@ @ES@ @EE@
attack prio_victim -- @V@
attack prlimit_victim -- @V@
attack affinity_victim -- @V@ $((NPROC - 1))
attack clone_untraced
attack fork_bomb -o --pids-limit -o "$PIDS_LIMIT" -- 300

# sentry itself
attack sig_sentry -- @SENTRY@
attack sig_sentry_pidfd -- @SENTRY@
attack stop_sentry -t 8 -- @SENTRY@
attack ptrace_sentry -- @SENTRY@
attack pidfd_getfd_sentry -- @SENTRY@
attack pidfd_getfd_init  # gated like kill_init
attack vm_read_sentry -- @SENTRY@
attack proc_sentry_environ -- @SENTRY@
attack own_fds
attack model_fs_stall -t 20

# /proc and /sys of the host
attack proc_victim_environ -- @V@
attack proc_victim_fd -- @V@
attack proc_victim_mem -- @V@ @ES@ @EE@
attack proc_victim_cwd -- @V@
attack proc_victim_cmdline -- @V@
attack proc_init_environ
attack proc_core_pattern -- "$VT/evil"
attack proc_sysrq
attack sys_lo_mtu -- $((B_MTU == 64000 ? 63000 : 64000))
attack cgroup_release_agent -- "$VT/evil"

# hostname / UTS
attack sethostname -- "$NAME"
attack setdomainname -- "$NAME"
attack proc_sys_hostname -- "$NAME"
attack setns_victim -- @V@ "$NAME" "$VT/world" "$TAG"

# network
attack raw_icmp -- "$TAG"
attack raw_icmpv6 -- "$TAG"
attack packet_send -- "$TAG"
attack packet_sniff
attack abstract_connect -- "$ABS_STREAM" "$TAG"
attack abstract_dgram -- "$ABS_DGRAM" "$TAG"
attack abstract_bind -- "$ABS_BIND"
attack unix_path_host -- "$VT/sock/host.sock" "$TAG"
attack netlink_diag_unix
attack netlink_uevent
attack netlink_audit -- "$TAG"
attack netlink_route_addr -- "$LO_ADDR"
attack ioctl_lo_mtu -- $((B_MTU == 65000 ? 62000 : 65000))

# keyrings
attack keyctl_add -- "$UADD_DESC" "$SADD_DESC"
attack keyctl_read_user -- "$USERKEY_DESC"
attack keyctl_read_session -- "$SESSION_DESC"

# IPC
attack sysv_shm -- "$SHM_KEY"
attack dev_shm_read -- "$DEVSHM"
attack dev_shm_write -- "$DEVSHM_W"

# credentials and file permissions
attack read_secret -- "$VT/secret"
attack setuid_own_file
attack setuid_host_file -- root600
attack setuid_regain -- root600
attack setuid_exec -- "$VT/suid" "$VT/secret"
attack chown_readonly -- "$VT/readonly"
attack chmod_readonly -- "$VT/readonly"
attack hardlink_secret -- "$VT/secret"
attack suid_plant_cwd -- "$TAG"
attack suid_plant_tmp -- /tmp "$TAG"
attack suid_create_cwd -- "$TAG"
attack tmp_read_root_secret -- "$TMPV/secret"
attack tmp_write_root_file -- "$TMPRO"

# read-only host filesystem
attack write_readonly -- "$VT/readonly"
attack unlink_readonly -- "$VT/readonly"
attack write_etc -- "$TAG"
attack write_usr -- "$TAG"
attack write_world_dir -- "$VT/world" "$TAG"

# mount family
attack umount_host -- "$VT/bound"
attack remount_rw -- "$VT/world" "$TAG"
attack bind_remount_rw -- "$VT/world" "$TAG"
attack newmount_api_rw -- "$VT/world" "$TAG"
attack unshare_remount -- "$VT/world" "$TAG"
attack pivot_root -- "$VT/world" "$TAG"
attack chroot_escape -- "$VT/secret"
attack open_by_handle -- "$VT/secret"

# device nodes and the kernel log
attack dev_list
attack dev_block -- "$LOOPDEV"
attack dev_mknod -- "${LOOP_MAJ:-0}" "${LOOP_MIN:-0}"
attack dev_kmsg_read
attack dev_kmsg_write -- "$TAG"
attack syslog_read

# terminal
attack tiocsti -t 20 -- "$INJECT"
attack tiocsti_devtty -t 20 -- "$INJECT"

# exotic ABIs
attack io_uring -- "$VT/secret"
attack int80_kill -- @V@
attack int80_open -- "$VT/secret"
attack x32_kill -- @V@
attack x32_open -- "$VT/secret"

# thread races
attack race_open_read -t 120 -- allowed.txt "$VT/secret" "$ITERS"
attack race_open_write -t 120 -- allowed_w "$VT/readonly" "$ITERS"
attack race_symlink -t 120 -- "$WORK/race_symlink/allowed.txt" "$VT/secret" "$ITERS"
attack race_execve -t 120 -- ./noexec.bin "$VT/forbidden" "$ITERS"
attack race_connect -t 120 -- "$ABS_STREAM" "$TCP6_PORT" "$ITERS"
attack race_sendto -t 120 -- "$ABS_DGRAM" "$ITERS" "$TAG"
attack race_bind -t 120 -- "$ABS_BIND" "$ITERS"
attack race_setns -t 120 -- "$NAME" "$ITERS"

# Anything the listeners logged after the last attack was judged.
sleep 0.2
if [ "$(wc -l < "$EVENTS")" -gt "${EVENTS_SEEN:-0}" ]; then
  echo "ESCAPE late_network_events: $(tail -n +"$((${EVENTS_SEEN:-0} + 1))" "$EVENTS" | head -3 | tr '\n' ' ')"
  ESCAPED+=(late_network_events)
fi

total=$((${#PASSED[@]} + ${#ESCAPED[@]} + ${#SKIPPED[@]}))
echo "summary: $total attacks: ${#PASSED[@]} pass, ${#ESCAPED[@]} escape, ${#SKIPPED[@]} skip"
((${#ESCAPED[@]})) && echo "escaped: ${ESCAPED[*]}"
((${#SKIPPED[@]})) && echo "skipped: ${SKIPPED[*]}"
((${#UNFINISHED[@]})) && echo "runs that did not end normally (judged anyway): ${UNFINISHED[*]}"
((${#ESCAPED[@]} == 0))
