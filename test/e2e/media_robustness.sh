#!/bin/bash
# Robustness of sentry around a live media pipeline: the ffmpeg RTSP listen-mode
# pipeline of media_rtsp_listen.sh (TCP; server and client each under their own
# `sentry run`), disturbed mid-stream.
#
# Usage: media_robustness.sh SENTRY guest-killed|sentry-killed|repeat
#   guest-killed   once the first HLS segment is complete, SIGKILL the server
#                  ffmpeg (the guest, a child of its sentry). sentry must exit
#                  within 2 s with status 137 (128+9), no process of the test may
#                  remain, sentry may have left nothing in its TMPDIR, and every
#                  .ts segment on disk must decode (ffprobe -v error, ffmpeg -v
#                  error ... -f null -).
#   sentry-killed  once the first HLS segment is complete, SIGKILL the sentry
#                  running the server: within 1 s none of its guest processes
#                  (recorded before the kill) may remain.
#   repeat         media_rtsp_listen.sh SENTRY tcp separate 10 times in a row
#                  (MEDIA_REPEAT=N to change); stops at the first failure and
#                  shows its output.
# Exit 0 pass, 1 fail, 77 skipped. MEDIA_KEEP=1 keeps the work dir.
#
# "Mid-stream" = the playlist lists the first segment (about 1.5 s into the 3 s
# clip). ffmpeg's hls muxer keeps the segment in progress in memory and writes
# it out whole when it ends, so the .ts files on disk are the completed ones.
# The sentry runs get TMPDIR=<work dir>/sentry-tmp: sentry keeps no state on
# the host's disk (synthetic files are memfds, the rest lives in the guest's
# mount namespace), so it must stay empty, whatever happens to the run.
set -u
SENTRY=${1:?usage: media_robustness.sh SENTRY guest-killed|sentry-killed|repeat}
SCENARIO=${2:?scenario: guest-killed|sentry-killed|repeat}
. "$(dirname "$0")/media_common.sh"

case $SCENARIO in guest-killed|sentry-killed|repeat) ;; *) echo "usage: scenario must be guest-killed, sentry-killed or repeat"; exit 2;; esac
[ -x "$SENTRY" ] || { echo "FAIL: sentry binary $SENTRY not found"; exit 1; }

if [ "$SCENARIO" = repeat ]; then
  N=${MEDIA_REPEAT:-10}
  MEDIA_NAME=media_robust_repeat$N
  MEDIA_T0=$(media_now)
  for i in $(seq "$N"); do
    t=$(media_now)
    out=$("$MEDIA_E2E_DIR/media_rtsp_listen.sh" "$SENTRY" tcp separate 2>&1)
    rc=$?
    if [ $rc = 77 ]; then echo "$out"; media_skip "media_rtsp_listen.sh skipped (run $i)"; fi
    if [ $rc != 0 ]; then
      echo "$out" | sed 's/^/  | /'
      media_fail "run $i/$N of media_rtsp_listen.sh $SENTRY tcp separate exited $rc (output above)"
      media_finish
    fi
    media_ok "run $i/$N passed ($(media_elapsed "$t") s in all, pipeline $(echo "$out" | grep -o 'pipeline: .* s wall' | sed 's/.*: //; s/ wall//'))"
  done
  media_finish
fi

media_init "media_robust_${SCENARIO}"
media_make_clip "$WORK/in.mp4" 3
SENTRY_TMP=$WORK/sentry-tmp
mkdir -p "$SENTRY_TMP"

# Runs "$@" as a child and writes "exit N" or "signal N" (and when) to STATUS:
# bash's wait cannot tell "exited 137" from "killed by SIGKILL". Writes the
# child's pid to STATUS.pid; passes SIGTERM/SIGINT on to it.
RUNNER='
import os, signal, subprocess, sys, time
status = sys.argv[1]
p = subprocess.Popen(sys.argv[2:])
with open(status + ".pid", "w") as f:
    f.write(str(p.pid))
for s in (signal.SIGTERM, signal.SIGINT):
    signal.signal(s, lambda n, _f: p.send_signal(n))
r = p.wait()
t = time.time()
with open(status + ".tmp", "w") as f:
    f.write(("signal %d" % -r if r < 0 else "exit %d" % r) + " %.6f\n" % t)
os.rename(status + ".tmp", status)
'

# start_run NAME CMD...: starts `sentry run -- CMD` under the runner; sets
# RUNNER_PID and SENTRY_PID (waits for the latter).
start_run() {
  local name=$1; shift
  echo "+ TMPDIR=$SENTRY_TMP $SENTRY run --rw $WORK -- $*" >> "$WORK/commands.txt"
  TMPDIR=$SENTRY_TMP python3 -c "$RUNNER" "$WORK/$name.status" "$SENTRY" run --rw "$WORK" -- "$@" > "$WORK/$name.log" 2>&1 &
  RUNNER_PID=$!
  MEDIA_BG_PIDS+=("$RUNNER_PID")
  SENTRY_PID=
  local i
  for i in $(seq 100); do
    [ -s "$WORK/$name.status.pid" ] && { SENTRY_PID=$(cat "$WORK/$name.status.pid"); break; }
    sleep 0.02
  done
  [ -n "$SENTRY_PID" ] || { media_fail "$name: sentry did not start"; media_finish; }
  MEDIA_BG_PIDS+=("$SENTRY_PID")
}

descendants() {  # PID: all descendants, depth first (the guests are below the sandbox's init)
  local c
  for c in $(ps -e -o pid=,ppid= | awk -v p="$1" '$2 == p {print $1}'); do
    echo "$c"; descendants "$c"
  done
}

# "PID:STARTTIME" so that a recycled pid is not taken for the old process.
pid_key() { local s; s=$(cut -d')' -f2- /proc/"$1"/stat 2>/dev/null) && echo "$1:$(echo "$s" | awk '{print $20}')"; }

# Which of the recorded "PID:STARTTIME" processes still exist? Prints "PID STATE COMM";
# zombies (dead, waiting for a foreign parent to reap them) are listed with state Z.
alive_of() {
  local k pid st s
  for k in "$@"; do
    pid=${k%%:*}; st=${k#*:}
    s=$(cut -d')' -f2- /proc/"$pid"/stat 2>/dev/null) || continue
    [ "$(echo "$s" | awk '{print $20}')" = "$st" ] || continue
    echo "$pid $(echo "$s" | awk '{print $1}') $(cat /proc/"$pid"/comm 2>/dev/null)"
  done
}
running_of() { alive_of "$@" | awk '$2 != "Z"'; }

# Processes (other than this script) whose command line mentions the work dir.
leftovers() {
  local p
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [ "$p" = $$ ] || [ "$p" = "$BASHPID" ] && continue
    tr '\0' ' ' 2>/dev/null < /proc/"$p"/cmdline | grep -qF "$WORK" || continue
    [ "$(awk '{print $3}' /proc/"$p"/stat 2>/dev/null)" = Z ] && continue
    echo "$p $(tr '\0' ' ' 2>/dev/null < /proc/"$p"/cmdline | cut -c1-150)"
  done
}

PORT=$(media_free_port) || exit 1
URL="rtsp://127.0.0.1:$PORT/live/test"
mkdir -p "$WORK/out"
SERVER=(ffmpeg -hide_banner -nostdin -nostats -loglevel info -y
        -rtsp_flags listen -listen_timeout 30 -i "$URL"
        -c copy -f hls -hls_time 1 -hls_list_size 0 "$WORK/out/index.m3u8")
CLIENT=(ffmpeg -hide_banner -nostdin -nostats -re -i "$WORK/in.mp4"
        -c copy -muxdelay 0 -f rtsp -rtsp_transport tcp "$URL")
T0=$(media_now)

start_run server "${SERVER[@]}"
SERVER_RUNNER=$RUNNER_PID SERVER_SENTRY=$SENTRY_PID
# The client is refused until the server listens: retry (each try its own sentry run).
client_up=0
for i in $(seq 40); do
  start_run client.$i "${CLIENT[@]}"
  CLIENT_RUNNER=$RUNNER_PID CLIENT_SENTRY=$SENTRY_PID
  # Wait for it to connect (it keeps running) or to be refused (it exits).
  for _ in $(seq 50); do
    kill -0 "$CLIENT_RUNNER" 2>/dev/null || break
    grep -q "^Output #0, rtsp" "$WORK/client.$i.log" && break
    sleep 0.1
  done
  if kill -0 "$CLIENT_RUNNER" 2>/dev/null; then client_up=1; break; fi
  grep -q 'Connection refused' "$WORK/client.$i.log" || break
  kill -0 "$SERVER_RUNNER" 2>/dev/null || break
  sleep 0.25
done
CLIENT_LOG=$WORK/client.$i.log
if [ $client_up = 0 ]; then
  media_fail "the client never got a connection (attempt $i)"
  media_log_tail "$WORK/server.log" "$CLIENT_LOG"
  media_finish
fi

# Mid-stream: the playlist lists the first segment.
mid_stream() { grep -q '^index0\.ts$' "$WORK/out/index.m3u8" 2>/dev/null; }
for _ in $(seq 200); do
  mid_stream && break
  kill -0 "$SERVER_RUNNER" 2>/dev/null || break
  sleep 0.05
done
if ! mid_stream; then
  media_fail "no HLS segment completed within 10 s"
  media_log_tail "$WORK/server.log" "$CLIENT_LOG"
  media_finish
fi
kill -0 "$SERVER_SENTRY" 2>/dev/null || { media_fail "the server's sentry already exited"; media_log_tail "$WORK/server.log"; media_finish; }
MID=$(media_elapsed "$T0")

SYNTH_DURING=$(ls -A "$SENTRY_TMP" 2>/dev/null | wc -l)
GUESTS=()  # the server's and the client's guests, "PID:STARTTIME"
SERVER_GUESTS=()
for p in $(descendants "$SERVER_SENTRY"); do k=$(pid_key "$p") && SERVER_GUESTS+=("$k"); done
for p in $(descendants "$CLIENT_SENTRY"); do k=$(pid_key "$p") && GUESTS+=("$k"); done
GUESTS+=("${SERVER_GUESTS[@]}")
ALL=("${GUESTS[@]}")
for p in "$SERVER_RUNNER" "$SERVER_SENTRY" "$CLIENT_RUNNER" "$CLIENT_SENTRY"; do k=$(pid_key "$p") && ALL+=("$k"); done
echo "mid-stream after $MID s: server sentry $SERVER_SENTRY, its guests: $(alive_of "${SERVER_GUESTS[@]}" | awk '{printf "%s(%s) ", $1, $3}')"
echo "  $(grep -c '\.ts$' "$WORK/out/index.m3u8") segment(s) listed; $(ls "$WORK"/out/*.ts | wc -l) .ts file(s) on disk; $SYNTH_DURING entries in sentry's TMPDIR $SENTRY_TMP"
sed 's/^/  /' "$WORK/commands.txt"

case $SCENARIO in
  guest-killed)
    victim=""
    for p in $(descendants "$SERVER_SENTRY"); do
      [ "$(cat /proc/"$p"/comm 2>/dev/null)" = ffmpeg ] && { victim=$p; break; }
    done
    if [ -z "$victim" ]; then
      media_fail "no ffmpeg below the server's sentry ($SERVER_SENTRY); its descendants: $(descendants "$SERVER_SENTRY" | tr '\n' ' ')"
      media_finish
    fi
    echo "+ kill -KILL $victim  # the server ffmpeg, a child of sentry $SERVER_SENTRY"
    tk=$(media_now)
    kill -KILL "$victim"
    for _ in $(seq 250); do [ -s "$WORK/server.status" ] && break; sleep 0.02; done  # up to 5 s
    if [ ! -s "$WORK/server.status" ]; then
      media_fail "sentry still running 5 s after its guest was SIGKILLed; its tree: $(descendants "$SERVER_SENTRY" | tr '\n' ' ')"
      media_log_tail "$WORK/server.log"
      kill -KILL "$SERVER_SENTRY" 2>/dev/null
      wait "$SERVER_RUNNER"
    else
      wait "$SERVER_RUNNER"
      read -r how code when < "$WORK/server.status"
      lat=$(awk -v a="$tk" -v b="$when" 'BEGIN { printf "%.3f", b - a }')
      if [ "$how $code" = "exit 137" ]; then media_ok "sentry exited with status 137 (128+SIGKILL), $lat s after the kill"
      else media_fail "sentry ended with '$how $code' ($lat s after the kill); expected exit 137"; media_log_tail "$WORK/server.log"; fi
      if awk -v l="$lat" 'BEGIN { exit !(l <= 2.0) }'; then media_ok "sentry exited within 2 s ($lat s)"
      else media_fail "sentry took $lat s to exit after its guest was killed (limit 2 s)"; fi
    fi
    ;;
  sentry-killed)
    if [ ${#SERVER_GUESTS[@]} = 0 ]; then media_fail "the server's sentry has no guest processes"; media_finish; fi
    echo "+ kill -KILL $SERVER_SENTRY  # the sentry running the server"
    tk=$(media_now)
    kill -KILL "$SERVER_SENTRY"
    gone_after=
    for _ in $(seq 100); do
      [ -z "$(running_of "${SERVER_GUESTS[@]}")" ] && { gone_after=$(media_elapsed "$tk"); break; }
      sleep 0.01
    done
    if [ -n "$gone_after" ] && awk -v l="$gone_after" 'BEGIN { exit !(l <= 1.0) }'; then
      media_ok "all ${#SERVER_GUESTS[@]} guest process(es) of the killed sentry gone within $gone_after s"
      z=$(alive_of "${SERVER_GUESTS[@]}")
      [ -n "$z" ] && echo "note: dead but not yet reaped (zombies of a foreign parent): $(echo "$z" | tr '\n' ';')"
    else
      media_fail "guests of the killed sentry still running 1 s after the kill:"
      running_of "${SERVER_GUESTS[@]}" | sed 's/^/  | /'
      for k in "${SERVER_GUESTS[@]}"; do kill -KILL "${k%%:*}" 2>/dev/null; done
    fi
    wait "$SERVER_RUNNER"
    read -r how code _ < "$WORK/server.status"
    [ "$how $code" = "signal 9" ] || media_fail "the server's sentry ended with '$how $code', expected signal 9"
    ;;
esac

# The client loses its server: it must notice and exit (its sentry too).
for _ in $(seq 100); do kill -0 "$CLIENT_RUNNER" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$CLIENT_RUNNER" 2>/dev/null; then
  media_fail "the client's sentry run still running 10 s after the server went away"
  media_log_tail "$CLIENT_LOG" "$WORK/client.$i.log"
  kill -KILL "$CLIENT_SENTRY" "$CLIENT_RUNNER" 2>/dev/null
fi
wait "$CLIENT_RUNNER" 2>/dev/null
read -r how code _ < "$WORK/client.$i.status" 2>/dev/null
echo "note: the client's sentry run ended with '$how $code' once its server was gone"

sleep 0.1
left=$(running_of "${ALL[@]}"; leftovers)
if [ -z "$left" ]; then media_ok "no process of this test remains (${#ALL[@]} recorded: runners, sentries, guests)"
else media_fail "processes of this test remain:"; echo "$left" | sort -u | sed 's/^/  | /'; fi

SYNTH_AFTER=$(ls -A "$SENTRY_TMP" 2>/dev/null)
case $SCENARIO in
  guest-killed)
    if [ "$SYNTH_DURING" != 0 ]; then media_fail "sentry wrote into its TMPDIR while the server ran: $(ls -A "$SENTRY_TMP")"; fi
    if [ -z "$SYNTH_AFTER" ]; then media_ok "sentry left no state on the host's disk (its TMPDIR is empty)"
    else media_fail "sentry temp state of this run remains:"; echo "$SYNTH_AFTER" | sed 's/^/  | /'; fi
    # The segments written so far, the one cut short by the kill included.
    n=0
    for ts in $(ls -v "$WORK"/out/*.ts 2>/dev/null); do
      n=$((n + 1))
      size=$(stat -c %s "$ts")
      if ! err=$(ffprobe -v error "$ts" 2>&1); then
        media_fail "$(basename "$ts") ($size bytes): ffprobe fails: $(echo "$err" | head -n 3 | tr '\n' ' ')"; continue
      fi
      if ! err=$(ffmpeg -nostdin -hide_banner -v error -i "$ts" -f null - 2>&1); then
        media_fail "$(basename "$ts") ($size bytes): decoding fails: $(echo "$err" | head -n 3 | tr '\n' ' ')"; continue
      fi
      media_ok "$(basename "$ts") ($size bytes) probes and decodes$([ -n "$err" ] && echo " (decoder messages: $(echo "$err" | wc -l) lines, e.g. $(echo "$err" | head -n 1))")"
    done
    [ $n -gt 0 ] || media_fail "no .ts segment on disk"
    ;;
  sentry-killed)
    # A SIGKILLed sentry cannot clean up after itself; just say what it left.
    [ -z "$SYNTH_AFTER" ] && media_ok "the SIGKILLed sentry left nothing in its TMPDIR" \
      || media_fail "the SIGKILLed sentry left state in its TMPDIR: $SYNTH_AFTER"
    ;;
esac

media_finish
