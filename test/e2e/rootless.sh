#!/bin/bash
# sentry run by an ordinary user (issue 11: the rootless mapping podman and
# runsc use): the guest's root is that user, in user, PID, mount, IPC, UTS,
# cgroup and network namespaces the user owns; no idmapped mounts, cgroup
# limits or other host ids.
#  * `id` inside is uid 0; on the host the guest runs as the invoking user;
#  * files it writes land as that user's;
#  * conformance programs that need no second id pass, on both platforms;
#  * what needs root is refused with a message (--uid, --host-ids, limits).
# Usage: rootless.sh SENTRY CONFORMANCE_DIR
set -u
SENTRY=$(realpath -- "$1")
CONF=$(realpath -- "$2")
. "$(dirname "$0")/checks.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root to become an ordinary user (setpriv)"; exit 77; }
command -v setpriv >/dev/null || { echo "SKIP: setpriv (util-linux) is not installed"; exit 77; }
USER_ID=65534
as_user() { setpriv --reuid=$USER_ID --regid=$USER_ID --clear-groups -- "$@"; }
as_user unshare -U true 2>/dev/null || { echo "SKIP: this kernel refuses user namespaces to ordinary users"; exit 77; }

as_user test -x "$CONF/conf_smoke_exit" || { echo "SKIP: the build tree ($CONF) is not reachable for uid $USER_ID (a directory on the way is not searchable by others)"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
chmod 777 "$T"
cd "$T" || exit 1

out=$(as_user "$SENTRY" run -- sh -c 'id -u; cat /proc/self/uid_map' 2>&1)
[ "$(echo "$out" | head -1)" = 0 ] && [ "$(echo $out | cut -d' ' -f2-)" = "0 $USER_ID 1" ] \
  && ok "uid 0 inside, mapped to the user ($(echo $out | cut -d' ' -f2-))" || bad "identity: $out"

as_user "$SENTRY" run -- sh -c 'echo guest > written; exec sleep 5' &
RUN=$!
guest=""
for _ in $(seq 50); do guest=$(pgrep -u $USER_ID -f '^sleep 5$' | head -n 1); [ -n "$guest" ] && break; sleep 0.1; done
if [ -n "$guest" ]; then
  [ "$(ps -o uid= -p "$guest" | tr -d ' ')" = $USER_ID ] && ok "the guest runs as the user on the host" || bad "host uid of the guest"
  [ "$(readlink /proc/"$guest"/ns/user)" != "$(readlink /proc/self/ns/user)" ] && [ "$(readlink /proc/"$guest"/ns/net)" != "$(readlink /proc/self/ns/net)" ] \
    && ok "in user and network namespaces of its own" || bad "namespaces shared with the host"
else
  bad "the guest did not start"
fi
kill $RUN 2>/dev/null; wait $RUN 2>/dev/null
[ "$(stat -c %u written 2>/dev/null)" = $USER_ID ] && ok "its files land as the user's" || bad "owner of a written file: $(stat -c %u written 2>&1)"

for platform in unotify ptrace; do
  for prog in smoke_exit futex_wait net_v6_listener proc_seed_files epoll_model fd_table fs_namespace_ops; do
    out=$(as_user "$SENTRY" run --platform $platform -- "$CONF/conf_$prog" 2>&1) \
      && ok "$prog ($platform)" || bad "$prog ($platform): $(echo "$out" | tail -3)"
  done
done

for opt in "--uid 5" "--host-ids 100000" "--pids-limit 10"; do
  out=$(as_user "$SENTRY" run $opt -- true 2>&1); rc=$?
  [ $rc -ne 0 ] && [ -n "$out" ] && ok "$opt refused: $out" || bad "$opt: exit $rc, $out"
done
exit $fail
