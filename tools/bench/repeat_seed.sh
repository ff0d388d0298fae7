#!/bin/bash
# The MediaServer seed scenario N times in a row (default 100): ctest's
# e2e.media_mediaserver_copy (ffmpeg pushes RTSP into MediaServer -d under
# sentry; its HLS must match the native run frame by frame). Prints each
# run's result and the count; exits 1 if any run failed.
# Usage: SENTRY_MEDIASERVER=... tools/bench/repeat_seed.sh [N] [BUILD_DIR]
set -uo pipefail
n=${1:-100}
build=${2:-build}
if [ -z "${SENTRY_MEDIASERVER:-}" ]; then
  echo "SKIP: set SENTRY_MEDIASERVER to ZLMediaKit's MediaServer binary"
  exit 0
fi
pass=0
for i in $(seq 1 "$n"); do
  start=$(date +%s)
  if out=$(ctest --test-dir "$build" -R '^e2e\.media_mediaserver_copy$' --output-on-failure 2>&1) &&
     echo "$out" | grep -q '100% tests passed'; then
    pass=$((pass + 1))
    echo "run $i: passed ($(( $(date +%s) - start )) s)"
  else
    echo "run $i: FAILED"
    echo "$out" | tail -30
  fi
done
echo "seed scenario: $pass of $n runs passed"
[ "$pass" -eq "$n" ]
