#!/bin/bash
# Scenario: ffmpeg pushes a clip over RTMP (-c copy, FLV) into nginx with
# libnginx-mod-rtmp, which writes HLS; the HLS must decode to the input's frames.
#
# Usage: media_nginx_rtmp.sh SENTRY native|sentry
#   native  nginx and ffmpeg run directly (baseline; SENTRY is ignored)
#   sentry  nginx (master + 2 workers) under one `sentry run --report`, each
#           ffmpeg attempt under its own `sentry run --report`
# nginx runs in the foreground (daemon off; master_process on) from a config
# written into the work dir (unprivileged port, every path inside the work dir)
# and is stopped gracefully with SIGQUIT: natively sent to the master, under
# sentry sent to the sentry process, which forwards it to the guest's root.
# Under sentry, any syscall a report marks "unsupported" or "denied" is a FAIL,
# and the nginx report must count the master and its workers.
# Exit 0 pass, 1 fail, 77 skipped (nginx or its rtmp module missing).
# MEDIA_KEEP=1 keeps the work dir; MEDIA_STEP_TIMEOUT=S changes the per-process
# timeout (default 60 s); SENTRY_NGINX=/path/to/nginx and
# SENTRY_NGINX_RTMP_MODULE=/path/to/ngx_rtmp_module.so override the defaults.
#
# Tolerances (both natively too, measured with ffmpeg 5.1 / nginx 1.22 /
# nginx-rtmp 1.2.2):
# - nginx-rtmp does not end the playlist (#EXT-X-ENDLIST) when the publisher
#   disconnects (it keeps it "live"): --live-ok.
# - nginx-rtmp buffers AAC frames (up to hls_max_audio_delay, 300 ms) and drops
#   what it still buffers when the stream closes: the last 5 AAC frames of the
#   clip never reach a segment (--allow-tail-loss audio=5). Video is exact.
set -u
SENTRY=${1:?usage: media_nginx_rtmp.sh SENTRY native|sentry}
MODE=${2:?mode: native|sentry}
. "$(dirname "$0")/media_common.sh"

case $MODE in native|sentry) ;; *) echo "usage: mode must be native or sentry"; exit 2;; esac
if [ "$MODE" = sentry ] && [ ! -x "$SENTRY" ]; then echo "FAIL: sentry binary $SENTRY not found"; exit 1; fi

CLIP_SECONDS=3
STEP_TIMEOUT=${MEDIA_STEP_TIMEOUT:-60}
AUDIO_TAIL_LOSS=5
WORKERS=2
NGINX=${SENTRY_NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
RTMP_MODULE=${SENTRY_NGINX_RTMP_MODULE:-/usr/lib/nginx/modules/ngx_rtmp_module.so}

media_init "media_nginx_rtmp_${MODE}"
[ -x "$NGINX" ] || media_skip "nginx not found (install nginx-light or nginx)"
[ -f "$RTMP_MODULE" ] || media_skip "nginx rtmp module $RTMP_MODULE not found (install libnginx-mod-rtmp)"

# A root master would switch its workers to "nobody", who cannot write into the
# (0700) work dir; unprivileged, nginx ignores "user" (and warns), so only root gets it.
USER_LINE=
[ "$(id -u)" = 0 ] && USER_LINE="user $(id -un) $(id -gn);"

# Does the module load into this nginx at all (same version, same build)? If not, skip.
mkdir -p "$WORK/probe"
printf 'load_module %s;\nerror_log %s/probe/error.log;\npid %s/probe/nginx.pid;\nevents {}\n' \
  "$RTMP_MODULE" "$WORK" "$WORK" > "$WORK/probe/nginx.conf"
if ! probe=$("$NGINX" -t -q -e "$WORK/probe/error.log" -p "$WORK/probe/" -c "$WORK/probe/nginx.conf" 2>&1); then
  media_skip "nginx cannot load $RTMP_MODULE: $(echo "$probe" | tail -n 2 | tr '\n' ' ')"
fi

media_make_clip "$WORK/in.mp4" "$CLIP_SECONDS"

write_config() {  # PORT
  cat > "$WORK/nginx.conf" <<EOF
load_module $RTMP_MODULE;
$USER_LINE
daemon off;
master_process on;
worker_processes $WORKERS;
pid $WORK/nginx.pid;
error_log $WORK/error.log info;
lock_file $WORK/nginx.lock;
events { worker_connections 64; }
rtmp {
  access_log $WORK/access.log;
  server {
    listen 127.0.0.1:$1;
    application live {
      live on;
      hls on;
      hls_path $WORK/hls;
      hls_fragment 1s;
      hls_playlist_length 60s;
      hls_cleanup off;
    }
  }
}
EOF
}

port_listening() {  # PORT: a TCP socket in LISTEN state on it?
  if command -v ss >/dev/null; then
    ss -Htln "sport = :$1" 2>/dev/null | grep -q .
  else
    local hex; hex=$(printf ':%04X ' "$1")
    cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk '$4 == "0A"' | grep -q "$hex"
  fi
}

# One attempt on PORT. Returns 0 when it ran; 3 when the port turned out to be taken.
attempt() {
  local port=$1 url="rtmp://127.0.0.1:$1/live/test"
  rm -rf "$WORK/hls" "$WORK"/*.log "$WORK"/*.json "$WORK/nginx.out" "$WORK/nginx.pid"
  mkdir -p "$WORK/hls"
  write_config "$port"
  NGINX_CMD=("$NGINX" -e "$WORK/error.log" -p "$WORK/" -c "$WORK/nginx.conf")
  CLIENT=(ffmpeg -hide_banner -nostdin -nostats -re -i "$WORK/in.mp4" -c copy -f flv "$url")
  local npfx=() t0; t0=$(media_now)
  [ "$MODE" = sentry ] && npfx=("$SENTRY" run --rw "$WORK" --report "$WORK/nginx.report.json" --)
  echo "+ ${npfx[*]} ${NGINX_CMD[*]}" > "$WORK/commands.txt"
  # timeout is only the safety net; it signals its whole process group when it
  # fires. The graceful stop goes to timeout's child: nginx's master (native)
  # or sentry.
  timeout -k 5 "$STEP_TIMEOUT" "${npfx[@]}" "${NGINX_CMD[@]}" > "$WORK/nginx.out" 2>&1 &
  local tpid=$! i
  MEDIA_BG_PIDS+=("$tpid")
  nginx_pid=
  for i in $(seq 150); do  # up to 15 s for the child to appear and listen
    [ -z "$nginx_pid" ] && nginx_pid=$(pgrep -P "$tpid" | head -n 1)
    [ -n "$nginx_pid" ] && port_listening "$port" && break
    kill -0 "$tpid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$nginx_pid" ] && MEDIA_BG_PIDS+=("$nginx_pid")
  client_rc=not-run; client_attempts=0; nginx_rc=; stop_seconds=
  if kill -0 "$tpid" 2>/dev/null && port_listening "$port"; then
    NGINX_UP=$(media_elapsed "$t0")
    media_push_with_retry "$tpid" 10 "$([ "$MODE" = sentry ] && echo yes)"
  else
    NGINX_UP=never
  fi
  PUSH_DONE=$(media_elapsed "$t0")
  # Graceful stop: SIGQUIT (workers finish their connections, then exit).
  local ts; ts=$(media_now)
  if [ -n "$nginx_pid" ] && kill -0 "$nginx_pid" 2>/dev/null; then
    echo "+ kill -QUIT $nginx_pid  # $([ "$MODE" = sentry ] && echo "sentry, forwards it to nginx's master" || echo "nginx's master")" >> "$WORK/commands.txt"
    kill -QUIT "$nginx_pid"
  fi
  for i in $(seq 150); do kill -0 "$tpid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$tpid" 2>/dev/null; then
    nginx_rc=hung
    [ -n "$nginx_pid" ] && kill -KILL "$nginx_pid" 2>/dev/null
    kill -KILL "$tpid" 2>/dev/null
    wait "$tpid"
  else
    wait "$tpid"; nginx_rc=$?
  fi
  stop_seconds=$(media_elapsed "$ts")
  local f
  for f in $(ls -v "$WORK"/client.*.log 2>/dev/null); do
    echo "==== $(basename "$f")"; cat "$f"
  done > "$WORK/client.log"
  PIPELINE_SECONDS=$(media_elapsed "$t0")
  if grep -q "bind() to 127.0.0.1:$port failed (98" "$WORK/error.log" "$WORK/nginx.out" 2>/dev/null; then
    return 3
  fi
  return 0
}

media_with_free_port attempt

echo "pipeline: $MODE, port $PORT: ${PIPELINE_SECONDS} s wall (nginx listening after ${NGINX_UP}$([ "$NGINX_UP" != never ] && echo " s")," \
     "push done after ${PUSH_DONE} s, graceful stop took ${stop_seconds} s; clip ${CLIP_SECONDS} s at -re;" \
     "client attempts: $client_attempts)"
sed 's/^/  /' "$WORK/commands.txt"

show_logs() { media_log_tail "$WORK/nginx.out" "$WORK/error.log" "$WORK/client.log"; }
logs_shown=0
[ "$NGINX_UP" = never ] && media_fail "nginx never listened on port $PORT"
case $client_rc in
  0) media_ok "ffmpeg (RTMP push) exited 0" ;;
  not-run) media_fail "ffmpeg never ran" ;;
  124|137) media_fail "ffmpeg timed out (killed after $STEP_TIMEOUT s)" ;;
  *) media_fail "ffmpeg exited $client_rc" ;;
esac
case $nginx_rc in
  0) media_ok "nginx stopped gracefully on SIGQUIT, exit 0" ;;
  hung) media_fail "nginx still running 15 s after SIGQUIT (killed)" ;;
  124|137) media_fail "nginx timed out (killed after $STEP_TIMEOUT s)" ;;
  *) media_fail "nginx exited $nginx_rc after SIGQUIT" ;;
esac
# Both workers must have exited normally, and nothing may have gone wrong on the way.
if [ -f "$WORK/error.log" ]; then
  if grep -q 'signal 3 (SIGQUIT) received' "$WORK/error.log"; then media_ok "nginx's master received the SIGQUIT"
  else media_fail "nginx's error.log does not show the SIGQUIT arriving"; fi
  exited=$(grep -c 'worker process [0-9]* exited with code 0' "$WORK/error.log")
  if [ "$exited" -ge "$WORKERS" ]; then media_ok "nginx error.log: $exited worker processes exited with code 0"
  else media_fail "nginx error.log: only $exited of $WORKERS workers exited with code 0"; fi
  bad=$(grep -E '\[(emerg|alert|crit|error)\]' "$WORK/error.log")
  if [ -z "$bad" ]; then media_ok "nginx error.log: no emerg/alert/crit/error lines"
  else media_fail "nginx error.log has errors:"; echo "$bad" | head -n 20 | sed 's/^/  | /'; fi
else
  media_fail "nginx wrote no error.log"
fi
[ "$MEDIA_FAILED" = 1 ] && { show_logs; logs_shown=1; }

PLAYLIST=$WORK/hls/test.m3u8
[ -s "$PLAYLIST" ] && grep -q '^#EXT-X-ENDLIST' "$PLAYLIST" && echo "note: the playlist has #EXT-X-ENDLIST"
media_check_hls "$PLAYLIST" --live-ok --allow-tail-loss audio=$AUDIO_TAIL_LOSS

if [ "$MODE" = sentry ]; then
  media_check_reports "$WORK/nginx.report.json" $(ls -v "$WORK"/client.*.report.json 2>/dev/null)
  if [ -s "$WORK/nginx.report.json" ]; then
    n=$(python3 -c '
import json, os, sys
d = json.load(open(sys.argv[1]))
print(sum(p.get("processes", 0) for p in d.get("programs", [])
          if os.path.basename(p.get("image", "")) == "nginx"))' "$WORK/nginx.report.json" 2>&1)
    if [ "$n" -ge $((WORKERS + 1)) ] 2>/dev/null; then
      media_ok "nginx report: $n nginx processes (master + $WORKERS workers)"
    else
      media_fail "nginx report: expected at least $((WORKERS + 1)) nginx processes (master + workers), got: $n"
    fi
  fi
fi

media_finish
