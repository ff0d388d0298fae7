#!/bin/bash
# The OCI runtime's state machine and errors (create, start, state, kill,
# delete, run; --preserve-fds of run and exec), judged against runc on the same bundles: each step's outcome
# (ok/fail, and the status `state` prints) is recorded for sentry and, when
# runc is installed, for runc; the two transcripts must match, and sentry's
# must match the one written here (runc 1.1's, recorded on Debian 12).
set -u
sentry=$(readlink -f "$1")
here=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "SKIP: the OCI runtime needs root"; exit 77; }
work=$(mktemp -d /tmp/oci_lifecycle.XXXXXX)
trap 'rm -rf "$work"' EXIT

# bundle NAME ARGS-JSON: a bundle running ARGS (runc refuses a symlinked rootfs).
bundle() {
  mkdir -p "$work/$1"
  "$here/tools/oci/make_rootfs.sh" "$work/$1/rootfs" || { echo "FAIL: cannot make a rootfs"; exit 1; }
  python3 - "$work/$1/config.json" "$2" <<'PY'
import json, sys
path, args = sys.argv[1], json.loads(sys.argv[2])
c = {"ociVersion": "1.0.2",
     "process": {"terminal": False, "user": {"uid": 0, "gid": 0}, "args": args,
                 "env": ["PATH=/bin"], "cwd": "/", "noNewPrivileges": True},
     "root": {"path": "rootfs", "readonly": True}, "hostname": "oci",
     "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
                {"destination": "/dev", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "mode=755"]}],
     "linux": {"namespaces": [{"type": t} for t in ("pid", "network", "ipc", "uts", "mount")]}}
json.dump(c, open(path, "w"))
PY
}
bundle loop '["sh","-c","trap \"exit 3\" TERM; echo up; while :; do sleep 0.1; done"]'
bundle exit7 '["sh","-c","echo hostname=$(hostname); exit 7"]'
bundle fds '["sh","-c","echo read=$(cat <&3); echo to-four >&4"]'
echo preserved > "$work/in.txt"
mkdir -p "$work/broken"

# transcript RUNTIME: one line per step.
transcript() {
  local rt=$1 state="$work/state-$(basename "$1")"
  local R="$rt --root $state"
  step() { local what=$1; shift; if "$@" >/dev/null 2>&1; then echo "$what: ok"; else echo "$what: fail"; fi; }
  status() { echo "$1: $($R state "$2" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' 2>/dev/null || echo none)"; }
  wait_stopped() { for _ in $(seq 50); do [ "$($R state "$1" 2>/dev/null | grep -c '"stopped"')" = 1 ] && return; sleep 0.1; done; }
  step "create c1" $R create --bundle "$work/loop" --pid-file "$work/pid-$(basename "$rt")" c1
  status "after create" c1
  step "pid file holds state's pid" sh -c "[ \"\$(cat $work/pid-$(basename "$rt"))\" = \"\$($R state c1 | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"pid\"])')\" ]"
  step "create c1 again" $R create --bundle "$work/loop" c1
  step "start c1" $R start c1
  status "after start" c1
  step "start c1 again" $R start c1
  step "delete running c1" $R delete c1
  step "kill c1 with a bad signal" $R kill c1 NOSUCHSIG
  step "kill c1 TERM" $R kill c1 TERM
  wait_stopped c1
  status "after kill" c1
  step "kill stopped c1" $R kill c1 TERM
  step "start stopped c1" $R start c1
  step "delete c1" $R delete c1
  status "after delete" c1
  step "delete c1 again" $R delete c1
  step "delete --force absent c1" $R delete --force c1
  step "create c2" $R create --bundle "$work/loop" c2
  step "kill created c2 KILL" $R kill c2 KILL
  wait_stopped c2
  status "created c2 after kill" c2
  step "delete c2" $R delete c2
  step "create c3" $R create --bundle "$work/loop" c3
  step "delete --force created c3" $R delete --force c3
  status "after force delete" c3
  step "create c5" $R create --bundle "$work/loop" c5
  step "start c5" $R start c5
  step "delete --force running c5" $R delete --force c5
  status "after force delete of running" c5
  $R run --bundle "$work/exit7" c4 > "$work/out-$(basename "$rt")" 2>&1
  echo "run c4 exit: $?"
  echo "run c4 output: $(grep hostname= "$work/out-$(basename "$rt")")"
  status "after run" c4
  # --preserve-fds: the caller's fds 3.. become the program's, for run and exec.
  local f4="$work/fd4-$(basename "$rt")"
  out=$($R run --preserve-fds 2 --bundle "$work/fds" c7 3<"$work/in.txt" 4>"$f4" 2>&1)
  echo "run --preserve-fds 2: exit $?, $out, fd 4 got: $(cat "$f4")"
  step "create c8" $R create --bundle "$work/loop" c8
  step "start c8" $R start c8
  echo "exec --preserve-fds 1: $($R exec --preserve-fds 1 c8 sh -c 'echo read=$(cat <&3)' 3<"$work/in.txt" 2>&1)"
  echo "exec without --preserve-fds: $($R exec c8 sh -c 'cat <&3 || echo no-fd-3' 3<"$work/in.txt" 2>/dev/null)"
  step "delete --force c8" $R delete --force c8
  step "create from a bundle without config.json" $R create --bundle "$work/broken" c6
  step "state of an invalid id" $R state ../x
}

mine=$(transcript "$sentry")
expected="create c1: ok
after create: created
pid file holds state's pid: ok
create c1 again: fail
start c1: ok
after start: running
start c1 again: fail
delete running c1: fail
kill c1 with a bad signal: fail
kill c1 TERM: ok
after kill: stopped
kill stopped c1: fail
start stopped c1: fail
delete c1: ok
after delete: none
delete c1 again: fail
delete --force absent c1: ok
create c2: ok
kill created c2 KILL: ok
created c2 after kill: stopped
delete c2: ok
create c3: ok
delete --force created c3: ok
after force delete: none
create c5: ok
start c5: ok
delete --force running c5: ok
after force delete of running: none
run c4 exit: 7
run c4 output: hostname=oci
after run: none
run --preserve-fds 2: exit 0, read=preserved, fd 4 got: to-four
create c8: ok
start c8: ok
exec --preserve-fds 1: read=preserved
exec without --preserve-fds: no-fd-3
delete --force c8: ok
create from a bundle without config.json: fail
state of an invalid id: fail"
fail=0
if [ "$mine" != "$expected" ]; then
  echo "FAIL: sentry's transcript differs from runc's recorded one:"
  diff <(echo "$expected") <(echo "$mine")
  fail=1
else
  echo "ok: sentry: $(echo "$mine" | wc -l) steps as runc"
fi
# Attack, judged from the host: a guest of `sentry run` (which sees the host's
# tree) tries to reach a running container's control socket and kill it.
P="$sentry --root $work/state-attack"
$P create --bundle "$work/loop" victim >/dev/null 2>&1 && $P start victim >/dev/null 2>&1
sock="$work/state-attack/victim/control"
attempt=$(cd / && timeout 60 "$sentry" run -- python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
try:
    s.connect(sys.argv[1]); s.sendall(b"kill 9 1\n"); print("connected")
except OSError as e:
    print("refused", e.errno)' "$sock" 2>&1)
sleep 0.3
status=$($P state victim 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' 2>/dev/null)
if [ "$status" = running ] && [ "${attempt%% *}" = refused ]; then
  echo "ok: a guest cannot reach a container's control socket ($attempt); the container still runs"
else
  echo "FAIL: guest's attempt on the control socket: '$attempt', container status afterwards: '$status'"
  fail=1
fi
$P delete --force victim >/dev/null 2>&1

# Rootless: an ordinary user runs a bundle (state under /tmp/sentry-UID).
if command -v setpriv >/dev/null; then
  chmod -R a+rX "$work"
  out=$(cd / && timeout 60 setpriv --reuid 65534 --regid 65534 --clear-groups env -u XDG_RUNTIME_DIR \
        "$sentry" run --bundle "$work/exit7" r1 2>&1)
  code=$?
  if [ "$code" = 7 ] && [ "$out" = "hostname=oci" ]; then
    echo "ok: rootless run --bundle: exit 7, $out"
  else
    echo "FAIL: rootless run --bundle: exit $code, output: $out"
    fail=1
  fi
fi
if runc=$(command -v runc); then
  theirs=$(transcript "$runc")
  if [ "$theirs" != "$mine" ]; then
    echo "FAIL: runc on this machine differs from sentry:"
    diff <(echo "$theirs") <(echo "$mine")
    fail=1
  else
    echo "ok: runc $(runc --version | head -1 | awk '{print $3}') on this machine gives the same transcript"
  fi
else
  echo "note: runc is not installed; compared with the recorded transcript only"
fi
exit $fail
