#!/bin/bash
# Scenario: ffmpeg pushes a clip over RTSP (-c copy) into an ffmpeg RTSP server
# (-rtsp_flags listen) that writes HLS; the HLS must decode to the input's frames.
#
# Usage: media_rtsp_listen.sh SENTRY tcp|udp native|separate|shared
#   native    both ffmpegs run directly (baseline; SENTRY is ignored)
#   separate  server and client each under their own `sentry run --report`
#   shared    both under ONE `sentry run --report -- sh -c 'server & client; wait'`
# Under sentry, any syscall a report marks "unsupported" or "denied" is a FAIL.
# Exit 0 pass, 1 fail, 77 skipped. MEDIA_KEEP=1 keeps the work dir;
# MEDIA_STEP_TIMEOUT=S changes the per-process timeout (default 60 s).
#
# Tolerance: the client's RTP AAC packetizer still holds the last AAC frame
# when the stream is torn down (ffmpeg 5.1 does not flush it; -muxdelay 0 keeps
# it to one frame), so the server never receives it, natively too. Exactly that
# is allowed (--allow-tail-loss audio=1); every other frame must be identical.
set -u
SENTRY=${1:?usage: media_rtsp_listen.sh SENTRY tcp|udp native|separate|shared}
TRANSPORT=${2:?transport: tcp|udp}
MODE=${3:?mode: native|separate|shared}
. "$(dirname "$0")/media_common.sh"

case $TRANSPORT in tcp|udp) ;; *) echo "usage: transport must be tcp or udp"; exit 2;; esac
case $MODE in native|separate|shared) ;; *) echo "usage: mode must be native, separate or shared"; exit 2;; esac
if [ "$MODE" != native ] && [ ! -x "$SENTRY" ]; then echo "FAIL: sentry binary $SENTRY not found"; exit 1; fi

CLIP_SECONDS=3
STEP_TIMEOUT=${MEDIA_STEP_TIMEOUT:-60}  # seconds per ffmpeg process (the whole shared run: 2x)
media_init "media_rtsp_${TRANSPORT}_${MODE}"
media_make_clip "$WORK/in.mp4" "$CLIP_SECONDS"

# One attempt at the pipeline on PORT. Returns 0 when it ran; 3 when the port
# turned out to be taken (caller retries with another port); else 1.
attempt() {
  local port=$1 url="rtsp://127.0.0.1:$1/live/test"
  rm -rf "$WORK/out" "$WORK"/*.log "$WORK"/*.json
  mkdir -p "$WORK/out"
  # -loglevel debug: its "[udp @" lines prove which transport was really used.
  SERVER=(ffmpeg -hide_banner -nostdin -nostats -loglevel debug -y
          -rtsp_flags listen -listen_timeout 30 -i "$url"
          -c copy -f hls -hls_time 1 -hls_list_size 0 "$WORK/out/index.m3u8")
  CLIENT=(ffmpeg -hide_banner -nostdin -nostats -re -i "$WORK/in.mp4"
          -c copy -muxdelay 0 -f rtsp -rtsp_transport "$TRANSPORT" "$url")
  local t0; t0=$(media_now)
  server_rc=; client_rc=not-run; client_attempts=0
  case $MODE in
    native|separate)
      local spfx=()
      [ "$MODE" = separate ] && spfx=("$SENTRY" run --rw "$WORK" --report "$WORK/server.report.json" --)
      echo "+ ${spfx[*]} ${SERVER[*]}" > "$WORK/commands.txt"
      timeout -k 5 "$STEP_TIMEOUT" "${spfx[@]}" "${SERVER[@]}" > "$WORK/server.log" 2>&1 &
      local server_pid=$!
      MEDIA_BG_PIDS+=("$server_pid")
      # The server listens once it is up; until then the client is refused: retry.
      local i
      media_push_with_retry "$server_pid" 40 "$([ "$MODE" = separate ] && echo yes)"
      if [ "$client_rc" != 0 ]; then  # no stream is coming: don't wait out the timeout
        for i in $(seq 20); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.25; done
        kill -TERM "$server_pid" 2>/dev/null
      fi
      wait "$server_pid"; server_rc=$?
      ;;
    shared)
      # POSIX sh run by sentry; the commands' words contain no blanks or quotes.
      local script='
        w=$1; server=$2; client=$3
        $server > $w/server.log 2>&1 &
        spid=$!
        i=0; crc=not-run
        while :; do
          kill -0 $spid 2>/dev/null || break
          i=$((i + 1))
          $client > $w/client.$i.log 2>&1; crc=$?
          [ $crc -eq 0 ] && break
          grep -q "Connection refused" $w/client.$i.log || break
          kill -0 $spid 2>/dev/null || break
          [ $i -ge 40 ] && break
          sleep 0.25
        done
        if [ "$crc" != 0 ]; then  # no stream is coming: stop the server after a grace period
          n=0; while kill -0 $spid 2>/dev/null && [ $n -lt 20 ]; do sleep 0.25; n=$((n + 1)); done
          kill -TERM $spid 2>/dev/null
        fi
        wait $spid; src=$?
        echo "$src $crc $i" > $w/shared.status
        [ $src -eq 0 ] && [ "$crc" = 0 ]'
      echo "+ $SENTRY run --rw $WORK --report $WORK/shared.report.json -- sh -c '<server & client-with-retry; wait>' sh $WORK '${SERVER[*]}' '${CLIENT[*]}'" > "$WORK/commands.txt"
      timeout -k 5 $((2 * STEP_TIMEOUT)) "$SENTRY" run --rw "$WORK" --report "$WORK/shared.report.json" -- \
        sh -c "$script" sh "$WORK" "${SERVER[*]}" "${CLIENT[*]}" > "$WORK/sentry.log" 2>&1
      local rc=$?
      shared_sentry_rc=$rc
      if [ -s "$WORK/shared.status" ]; then
        read -r server_rc client_rc client_attempts < "$WORK/shared.status"
      else
        server_rc=$rc; client_rc=$rc; client_attempts=?
        echo "note: sh under sentry exited $rc without writing its status"
      fi
      [ "$rc" = 124 ] && { server_rc=124; client_rc=124; }
      ;;
  esac
  local f
  for f in $(ls -v "$WORK"/client.*.log 2>/dev/null); do
    echo "==== $(basename "$f")"; cat "$f"
  done > "$WORK/client.log"
  PIPELINE_SECONDS=$(media_elapsed "$t0")
  # The RTSP port itself was taken (not one of the RTP ports ffmpeg probes for UDP).
  if grep -q "^rtsp://127.0.0.1:$port/live/test: Address already in use" "$WORK/server.log" 2>/dev/null; then
    return 3
  fi
  return 0
}

media_with_free_port attempt

echo "pipeline: $MODE, transport $TRANSPORT, port $PORT: ${PIPELINE_SECONDS} s wall" \
     "(clip ${CLIP_SECONDS} s at -re; client attempts: $client_attempts)"
sed 's/^/  /' "$WORK/commands.txt"

show_logs() { media_log_tail "$WORK/server.log" "$WORK/client.log"; [ -f "$WORK/sentry.log" ] && media_log_tail "$WORK/sentry.log"; }
logs_shown=0
for who in server client; do
  rc_var=${who}_rc
  case ${!rc_var} in
    0) media_ok "$who exited 0" ;;
    not-run) media_fail "$who never ran (the server had already exited)" ;;
    124|137) media_fail "$who timed out (killed after $([ "$MODE" = shared ] && echo $((2 * STEP_TIMEOUT)) || echo "$STEP_TIMEOUT") s)" ;;
    *) media_fail "$who exited ${!rc_var}" ;;
  esac
done
# sentry's own status is sh's, which is 0 only if both ffmpegs exited 0.
if [ "$MODE" = shared ] && [ "${shared_sentry_rc:-0}" != 0 ]; then
  media_fail "sentry run (shared) exited $shared_sentry_rc"
fi
[ "$MEDIA_FAILED" = 1 ] && { show_logs; logs_shown=1; }

# Which transport carried the media: the server opens udp contexts only for UDP.
udp_lines=$(grep -c '^\[udp @' "$WORK/server.log" 2>/dev/null)
if [ "$TRANSPORT" = udp ] && [ "${udp_lines:-0}" -gt 0 ]; then media_ok "media went over UDP"
elif [ "$TRANSPORT" = tcp ] && [ "${udp_lines:-0}" = 0 ]; then media_ok "media went over TCP (interleaved)"
else media_fail "transport: asked for $TRANSPORT but the server log has $udp_lines udp lines"; fi

media_check_hls "$WORK/out/index.m3u8" --allow-tail-loss audio=1

case $MODE in
  separate)  # every client attempt ran under sentry, refused ones too
    media_check_reports "$WORK/server.report.json" $(ls -v "$WORK"/client.*.report.json 2>/dev/null) ;;
  shared) media_check_reports "$WORK/shared.report.json" ;;
esac

media_finish
