#!/bin/bash
# The guest's identity, seen from inside and from the host (issue 11):
#  * `sentry run -- id` prints uid=0(root) inside;
#  * `ps -o uid` on the host shows an unprivileged uid for the same process
#    (the --host-ids base, 2000000000 by default), and no capability in the
#    host's user namespace can come with it (its user namespace is not the
#    host's);
#  * the guest is pid 2 of its own PID namespace under sentry's init (pid 1),
#    and has no_new_privs;
#  * --uid/--gid start it as another guest id, which is host base + id;
#  * --host-ids moves the range.
# Usage: guest_identity.sh SENTRY
set -u
SENTRY=$1
. "$(dirname "$0")/checks.sh"

out=$("$SENTRY" run -- id 2>&1)
case "$out" in uid=0\(root\)\ gid=0\(root\)*) ok "id inside: $out" ;; *) bad "id inside: $out" ;; esac

# A guest that stays up while the host looks at it.
T=$(mktemp -d)
trap 'rm -rf "$T"; kill $SP 2>/dev/null' EXIT
cd "$T" || exit 1
"$SENTRY" run -- sh -c 'echo $$ > ready; exec sleep 30' >/dev/null 2>&1 &
SP=$!
for _ in $(seq 100); do [ -s ready ] && break; sleep 0.1; done 2>/dev/null
guest=""
for _ in $(seq 50); do
  guest=$(pgrep -f '^sleep 30$' | head -n 1)
  [ -n "$guest" ] && break
  sleep 0.1
done
if [ -z "$guest" ]; then
  bad "the guest did not start"
else
  huid=$(ps -o uid= -p "$guest" | tr -d ' ')
  [ "$huid" = 2000000000 ] && ok "ps -o uid on the host: $huid (unprivileged)" || bad "host uid of the guest: '$huid'"
  nspid=$(awk '/^NSpid:/ {print $2, $3}' /proc/"$guest"/status)
  [ "$(echo "$nspid" | awk '{print $2}')" = 2 ] && ok "NSpid on the host: $nspid (pid 2 in its namespace)" || bad "NSpid: $nspid"
  [ "$(awk '/^NoNewPrivs:/ {print $2}' /proc/"$guest"/status)" = 1 ] && ok "no_new_privs" || bad "no_new_privs not set"
  [ "$(readlink /proc/"$guest"/ns/user)" != "$(readlink /proc/self/ns/user)" ] && ok "its own user namespace" \
    || bad "the guest shares the host's user namespace"
  for ns in pid mnt ipc uts cgroup net; do
    [ "$(readlink /proc/"$guest"/ns/$ns)" != "$(readlink /proc/self/ns/$ns)" ] || bad "the guest shares the host's $ns namespace"
  done
  ok "own pid, mnt, ipc, uts, cgroup and net namespaces"
  init=$(awk '/^PPid:/ {print $2}' /proc/"$guest"/status)
  [ "$(awk '/^NSpid:/ {print $3}' /proc/"$init"/status)" = 1 ] && ok "its parent is the sandbox's init (pid 1 inside)" \
    || bad "parent $init is not pid 1 of the namespace"
  [ "$(awk '/^CapEff:/ {print $2}' /proc/"$init"/status)" = 0000000000000000 ] && ok "the init holds no capability" \
    || bad "init capabilities: $(grep CapEff /proc/"$init"/status)"
fi
kill "$SP" 2>/dev/null
wait "$SP" 2>/dev/null

# pid 1 is sentry's init, and says so (not sentry's command line).
out=$("$SENTRY" run -- sh -c 'tr "\\0" " " < /proc/1/cmdline; echo; cat /proc/1/comm' 2>&1)
[ "$(echo "$out" | head -1 | tr -s ' ' | sed 's/ $//')" = sentry-init ] && [ "$(echo "$out" | tail -1)" = sentry-init ] \
  && ok "pid 1 is sentry-init" || bad "pid 1: $out"

# The init keeps the run's lifecycle: by default the run lasts until the last
# process (an orphan the root left, reaped by the init) is gone; with
# --exit-with-root it ends with the root and takes the orphan along.
t0=$(date +%s%N)
"$SENTRY" run -- sh -c '(sleep 1; echo orphan-done) & echo root-done' > out.txt 2>&1
t1=$(date +%s%N)
[ "$(tr '\n' ' ' < out.txt)" = "root-done orphan-done " ] && [ $(( (t1 - t0) / 1000000 )) -ge 900 ] \
  && ok "the run waits for the orphan the root left ($(( (t1 - t0) / 1000000 )) ms)" || bad "orphan: $(cat out.txt)"
t0=$(date +%s%N)
"$SENTRY" run --exit-with-root -- sh -c 'sleep 30 & echo root-done' > out.txt 2>&1
t1=$(date +%s%N)
[ "$(cat out.txt)" = root-done ] && [ $(( (t1 - t0) / 1000000 )) -lt 5000 ] && ! pgrep -f '^sleep 30$' >/dev/null \
  && ok "--exit-with-root ends with the root and kills the rest" || bad "--exit-with-root: $(cat out.txt)"

# Credentials bind on the host whatever --uid says: after dropping to 65534
# the guest's own 0600 file is the kernel's EACCES.
for opt in "" "--uid 0 --gid 0"; do
  out=$("$SENTRY" run $opt -- python3 -c '
import os
open("own", "w").write("x"); os.chmod("own", 0o600)
os.setresgid(65534, 65534, 65534); os.setresuid(65534, 65534, 65534)
try:
    open("own").read(); print("read")
except PermissionError:
    print("EACCES")' 2>&1)
  rm -f own
  [ "$out" = EACCES ] && ok "setuid(65534) binds on the host (${opt:-no --uid}): EACCES on a 0600 file" \
    || bad "credentials after setuid (${opt:-no --uid}): $out"
done

out=$("$SENTRY" run --uid 1000 --gid 100 -- sh -c 'id -u; id -g; cat /proc/self/uid_map' 2>&1)
[ "$(echo "$out" | head -2 | tr '\n' ' ')" = "1000 100 " ] && ok "--uid 1000 --gid 100: $(echo "$out" | head -2 | tr '\n' ' ')" \
  || bad "--uid/--gid: $out"
out=$("$SENTRY" run --host-ids 3000000000:1000 -- cat /proc/self/uid_map 2>&1)
[ "$(echo $out)" = "0 3000000000 1000" ] && ok "--host-ids 3000000000:1000: uid_map '$(echo $out)'" || bad "--host-ids: $out"
out=$("$SENTRY" run --host-ids 0 -- true 2>&1); rc=$?
[ "$rc" = 125 ] && ok "--host-ids 0 refused: $out" || bad "--host-ids 0: exit $rc $out"
exit $fail
