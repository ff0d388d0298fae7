#!/bin/bash
# SIGKILL to sentry while the guest runs: within 1 s no guest process remains.
# Usage: sentry_killed.sh SENTRY
set -u
SENTRY=$1
tag=$((4000 + RANDOM % 1000))
pattern="^sleep ${tag}[123]$"
# A tree: a shell with a background child, a subshell with a grandchild, and
# the shell itself exec'd into a sleep.
"$SENTRY" run -- /bin/sh -c "sleep ${tag}1 & (sleep ${tag}2 & wait) & exec sleep ${tag}3" &
spid=$!
for _ in $(seq 1 50); do
  [ "$(pgrep -c -f "$pattern")" -ge 3 ] && break
  sleep 0.1
done
n=$(pgrep -c -f "$pattern")
[ "$n" -ge 3 ] || { echo "FAIL: guest tree did not start ($n processes)"; kill -9 $spid; exit 1; }
kill -KILL $spid
for _ in $(seq 1 10); do
  sleep 0.1
  pgrep -f "$pattern" >/dev/null || { echo "ok: all $n guests gone within 1 s of SIGKILL to sentry"; exit 0; }
done
echo "FAIL: guests still running 1 s after sentry was killed:"; pgrep -af "$pattern"
pkill -9 -f "$pattern"
exit 1
