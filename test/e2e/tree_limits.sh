#!/bin/bash
# Hard limits on the whole guest tree (issue 11: fork bombs, runaway
# allocation): `--pids-limit` and `--memory-limit` put the tree in cgroups of
# its own.
#  * a fork bomb under --pids-limit 40 gets EAGAIN once the tree holds 40
#    tasks (sentry's init included), and sentry ends normally;
#  * a 256 MiB allocation under --memory-limit 64M is killed by the kernel's
#    OOM killer (exit 137), sentry survives and reports it;
#  * the cgroups are gone afterwards.
# Usage: tree_limits.sh SENTRY
set -u
SENTRY=$1
. "$(dirname "$0")/checks.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: cgroup limits need root"; exit 77; }
[ -d /sys/fs/cgroup/pids ] || [ -e /sys/fs/cgroup/cgroup.controllers ] || { echo "SKIP: no cgroup pids hierarchy"; exit 77; }

out=$("$SENTRY" run --pids-limit 40 -- python3 -c '
import os, time, signal
kids = []
try:
    while len(kids) < 1000:
        pid = os.fork()
        if pid == 0:
            time.sleep(30)
            os._exit(0)
        kids.append(pid)
except BlockingIOError:
    print("refused after", len(kids))
for k in kids:
    os.kill(k, signal.SIGKILL)
for k in kids:
    os.waitpid(k, 0)
' 2>&1); rc=$?
n=$(echo "$out" | sed -n 's/^refused after \([0-9]*\)$/\1/p')
if [ "$rc" = 0 ] && [ -n "$n" ] && [ "$n" -lt 40 ] && [ "$n" -gt 30 ]; then
  ok "fork bomb under --pids-limit 40: fork failed with EAGAIN after $n children"
else
  bad "fork bomb: exit $rc, output: $out"
fi

out=$("$SENTRY" run --memory-limit 64M -- python3 -c 'x = bytearray(256 * 1024 * 1024); print("allocated")' 2>&1); rc=$?
if [ "$rc" = 137 ] && ! echo "$out" | grep -q allocated; then
  ok "256 MiB under --memory-limit 64M: killed by the OOM killer (exit $rc)"
else
  bad "memory limit: exit $rc, output: $out"
fi
out=$("$SENTRY" run --memory-limit 256M -- python3 -c 'x = bytearray(32 * 1024 * 1024); print("allocated")' 2>&1); rc=$?
[ "$rc" = 0 ] && [ "$out" = allocated ] && ok "32 MiB under --memory-limit 256M works" || bad "within the limit: exit $rc, $out"

left=$(find /sys/fs/cgroup -maxdepth 4 -name 'sentry-*' -type d 2>/dev/null)
[ -z "$left" ] && ok "no sentry cgroup remains" || bad "cgroups remain: $left"

out=$("$SENTRY" run --memory-limit 12X -- true 2>&1); rc=$?
[ "$rc" = 125 ] && echo "$out" | grep -q "unknown unit" && ok "a bad size is refused: $out" || bad "bad size: $rc $out"
exit $fail
