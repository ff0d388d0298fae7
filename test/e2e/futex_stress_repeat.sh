#!/bin/bash
# 8 threads x 100k mutex/condvar operations under sentry (private futexes
# served by sentry's model) complete with correct results, 10 runs in a row.
# Usage: futex_stress_repeat.sh SENTRY STRESS_PROGRAM [RUNS]
set -u
SENTRY=$1
PROG=$2
RUNS=${3:-10}
for i in $(seq 1 "$RUNS"); do
  out=$(timeout 120 "$SENTRY" run -- "$PROG" 100000 8 2>&1)
  rc=$?
  if [ $rc -ne 0 ]; then echo "FAIL: run $i exited $rc"; echo "$out" | tail -5; exit 1; fi
done
echo "ok: $RUNS runs of 8 threads x 100000 operations"
