#!/bin/bash
# The demo: sentry runs a real program tree and shows its coverage report.
set -euo pipefail
cd "$(dirname "$0")/.."
S="$PWD/build/sentry"
out=$(mktemp -d)
echo "== sentry run -- /bin/sh -c 'which ffmpeg'"
$S run -- /bin/sh -c 'which ffmpeg'
echo
echo "== sentry run --report $out/ffmpeg.json -- ffmpeg -f lavfi -i testsrc=d=2 -threads 4 ... -f null -"
$S run --report "$out/ffmpeg.json" -- ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc=d=2 -threads 4 -f null -
echo "exit status: $?"
echo
echo "== sentry run --rw ./hls -- ffmpeg ... -f hls ./hls/x.m3u8   (the rest of the guest's tree is read-only)"
mkdir -p "$out/hls"
(cd "$out" && $S run --rw ./hls -- ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc=d=2 \
  -c:v libx264 -preset ultrafast -f hls -hls_time 1 ./hls/x.m3u8 && ls "$out/hls")
echo "a write next to it is refused:"
(cd "$out" && $S run --rw ./hls -- sh -c 'echo x > elsewhere.txt' || true)
echo
# (Through a file: with pipefail, head's early exit would fail the demo by SIGPIPE.)
$S report "$out/ffmpeg.json" --html "$out/ffmpeg.html" > "$out/summary.txt"
head -n 60 "$out/summary.txt"
echo
echo "Full report: $out/ffmpeg.json   HTML page: $out/ffmpeg.html"
