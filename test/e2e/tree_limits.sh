#!/bin/bash
# Hard limits on the whole guest tree (issue 11: fork bombs, runaway
# allocation, a guest taking the host's CPUs): `--pids-limit`,
# `--memory-limit` and `--cpu-limit` put the tree in cgroups of its own.
#  * a fork bomb under --pids-limit 40 gets EAGAIN once the tree holds 40
#    tasks (sentry's init included), and sentry ends normally;
#  * a 256 MiB allocation under --memory-limit 64M is killed by the kernel's
#    OOM killer (exit 137), sentry survives and reports it;
#  * two processes spinning for 2 s under --cpu-limit 0.5 get about 1 s of
#    CPU between them;
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

# Two processes that spin for 2 s of wall time: with a quota of half a CPU
# the tree gets about 1 s of CPU between them (3 to 4 s on two free CPUs).
busy='
import os, time
def busy():
    end = time.time() + 2
    while time.time() < end:
        pass
    os._exit(0)
kids = []
for _ in range(2):
    pid = os.fork()
    if pid == 0:
        busy()
    kids.append(pid)
for k in kids:
    os.waitpid(k, 0)
t = os.times()
print("cpu %.2f" % (t.children_user + t.children_system))
'
if [ -d /sys/fs/cgroup/cpu ] || [ -e /sys/fs/cgroup/cgroup.controllers ]; then
  out=$("$SENTRY" run --cpu-limit 0.5 -- python3 -c "$busy" 2>&1); rc=$?
  cpu=$(echo "$out" | sed -n 's/^cpu \([0-9.]*\)$/\1/p')
  if [ "$rc" = 0 ] && [ -n "$cpu" ] && awk -v c="$cpu" 'BEGIN { exit !(c > 0.5 && c < 1.4) }'; then
    ok "two spinning processes for 2 s under --cpu-limit 0.5: ${cpu} s of CPU"
  else
    bad "cpu limit: exit $rc, output: $out"
  fi
else
  echo "not checked: --cpu-limit (no cgroup cpu hierarchy)"
fi
out=$("$SENTRY" run --cpu-limit 0 -- true 2>&1); rc=$?
[ "$rc" != 0 ] && echo "$out" | grep -q "cpu-limit" && ok "--cpu-limit 0 is refused" || bad "--cpu-limit 0: $rc $out"

left=$(find /sys/fs/cgroup -maxdepth 4 -name 'sentry-*' -type d 2>/dev/null)
[ -z "$left" ] && ok "no sentry cgroup remains" || bad "cgroups remain: $left"

out=$("$SENTRY" run --memory-limit 12X -- true 2>&1); rc=$?
[ "$rc" = 125 ] && echo "$out" | grep -q "unknown unit" && ok "a bad size is refused: $out" || bad "bad size: $rc $out"
exit $fail
