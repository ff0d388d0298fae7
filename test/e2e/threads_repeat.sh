#!/bin/bash
# A multithreaded program runs to completion under sentry 20 times in a row.
# Usage: threads_repeat.sh SENTRY [RUNS]
set -u
SENTRY=$1
RUNS=${2:-20}
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
for i in $(seq 1 "$RUNS"); do
  out=$(timeout 60 "$SENTRY" run -- python3 -c '
import threading
total = [0]
lock = threading.Lock()
def work():
    for _ in range(20000):
        with lock:
            total[0] += 1
ts = [threading.Thread(target=work) for _ in range(8)]
for t in ts: t.start()
for t in ts: t.join()
print(total[0])')
  rc=$?
  if [ $rc -ne 0 ] || [ "$out" != 160000 ]; then
    echo "FAIL: run $i: exit $rc, output [$out]"; exit 1
  fi
done
echo "ok: $RUNS runs of 8 threads"
