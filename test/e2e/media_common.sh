# Shared helpers for the media end-to-end scenarios (bash; source it).
#
#   media_init NAME        check tools, make $WORK (removed on exit unless
#                          MEDIA_KEEP=1), start the wall clock
#   media_make_clip F S    deterministic h264 (libx264, no B-frames) + aac mp4 of S seconds
#   media_free_port        print a random free high TCP port
#   media_check_reports R... FAIL on any call a sentry report marks unsupported/denied
#   media_log_tail F...    the last lines of ffmpeg logs (progress \r turned into lines)
#   media_ok / media_fail  print a result line; media_fail sets MEDIA_FAILED=1
#   media_finish           print the wall time and exit 0 or 1
#
# Results are printed as "ok: ..." / "FAIL: ..." lines; 77 means skipped.

MEDIA_E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MEDIA_SRC_DIR=$(cd "$MEDIA_E2E_DIR/../.." && pwd)
STREAM_CHECK="$MEDIA_SRC_DIR/tools/stream_check.py"
MEDIA_FAILED=0
MEDIA_BG_PIDS=()

media_now() { echo "${EPOCHREALTIME/,/.}"; }
media_elapsed() { awk -v a="$1" -v b="$(media_now)" 'BEGIN { printf "%.2f", b - a }'; }

media_ok() { echo "ok: $*"; }
media_fail() { echo "FAIL: $*"; MEDIA_FAILED=1; }
media_skip() { echo "SKIP: $*"; exit 77; }

media_cleanup() {
  local pid
  for pid in "${MEDIA_BG_PIDS[@]}"; do
    kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null
  done
  if [ -n "${WORK:-}" ] && [ -d "$WORK" ]; then
    if [ "${MEDIA_KEEP:-0}" = 1 ]; then echo "note: kept $WORK"; else rm -rf "$WORK"; fi
  fi
}

media_init() {
  MEDIA_NAME=$1
  MEDIA_T0=$(media_now)
  local t
  for t in ffmpeg ffprobe python3 timeout; do
    command -v "$t" >/dev/null || media_skip "$t not found"
  done
  ffmpeg -hide_banner -encoders 2>/dev/null | grep -q ' libx264 ' || media_skip "ffmpeg lacks libx264"
  # Every `sentry run` here grants the guest this directory (--rw "$WORK"):
  # a 0700 directory of host root's, which the guest reaches only as a place
  # granted to it (idmapped), not through the shared /tmp where it is nobody.
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/sentry-media.XXXXXX") || { echo "FAIL: mktemp"; exit 1; }
  case $WORK in *[!A-Za-z0-9/._-]*) echo "FAIL: work dir $WORK has unusual characters"; exit 1;; esac
  trap media_cleanup EXIT
  trap 'exit 143' TERM INT
}

# Deterministic input: -threads 1, fixed GOP, no scene cut, no B-frames (RTP
# carries no DTS, so ffmpeg 5.1 cannot mux B-frames received over RTSP into
# MPEG-TS: "first pts and dts value must be set").
media_make_clip() {
  local out=$1 secs=$2
  ffmpeg -nostdin -hide_banner -loglevel error -y \
    -f lavfi -i "testsrc2=size=320x240:rate=25:duration=$secs" \
    -f lavfi -i "sine=frequency=440:sample_rate=44100:duration=$secs" \
    -c:v libx264 -preset veryfast -bf 0 -g 12 -keyint_min 12 -sc_threshold 0 -pix_fmt yuv420p \
    -c:a aac -b:a 64k -threads 1 -shortest -movflags +faststart "$out" \
    || { echo "FAIL: could not generate the input clip"; exit 1; }
}

media_port_in_use() {  # PORT: anything bound to it (TCP or UDP, any state)?
  if command -v ss >/dev/null; then
    ss -Htuan 2>/dev/null | awk '{print $5}' | grep -q ":$1\$"
  else
    local hex; hex=$(printf ':%04X ' "$1")
    cat /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 2>/dev/null | grep -q "$hex"
  fi
}

media_free_port() {
  local p i
  for i in $(seq 50); do
    p=$((20000 + RANDOM % 12000))  # below the usual ephemeral range (32768+)
    media_port_in_use "$p" || { echo "$p"; return 0; }
  done
  echo "FAIL: no free port found" >&2
  return 1
}

media_log_tail() {
  local f
  for f in "$@"; do
    echo "---- tail of $(basename "$f")"
    if [ -f "$f" ]; then tr '\r' '\n' < "$f" | grep -v '^\s*$' | tail -n 15 | sed 's/^/  | /'
    else echo "  | (no such file)"; fi
  done
}

# FAIL (and list them) if any syscall in any report was served "unsupported" or "denied".
media_check_reports() {
  local r out rc
  for r in "$@"; do
    if [ ! -s "$r" ]; then media_fail "sentry report $(basename "$r") was not written"; continue; fi
    out=$(python3 - "$r" <<'EOF'
import json, sys
path = sys.argv[1]
try:
    d = json.load(open(path))
except ValueError as e:
    print(f"report is not JSON: {e}"); sys.exit(1)
bad = []
for p in d.get("programs", []):
    extra = {u["name"]: u for u in p.get("unsupported", [])}
    for s in p.get("syscalls", []):
        if s.get("served") in ("unsupported", "denied"):
            u = extra.get(s["name"], {})
            bad.append(f"{p.get('image')}: {s['name']} (nr {s.get('nr')}) served={s['served']} "
                       f"x{s.get('count')} errno={u.get('errno', '?')} reason={u.get('reason', '?')}")
t = d.get("totals", {})
summary = ", ".join(f"{k} {t[k]}" for k in ("calls", "forwarded", "emulated", "supervised", "denied", "unsupported") if k in t)
if bad:
    print(summary); print("\n".join(bad)); sys.exit(1)
print(summary)
EOF
)
    rc=$?
    if [ $rc -eq 0 ]; then
      media_ok "report $(basename "$r"): no unsupported/denied calls ($out)"
    else
      media_fail "report $(basename "$r"): unsupported/denied calls:"
      echo "$out" | sed 's/^/  | /'
    fi
  done
}

media_finish() {
  echo "time: $MEDIA_NAME: $(media_elapsed "$MEDIA_T0") s wall in total"
  if [ "$MEDIA_FAILED" = 0 ]; then echo "PASS: $MEDIA_NAME"; exit 0; fi
  echo "FAILED: $MEDIA_NAME (rerun with MEDIA_KEEP=1 to keep the work dir)"
  exit 1
}

# Runs the push client ($CLIENT, logs in $WORK) until it connects: a server
# that is not listening yet refuses it. Retries up to $2 times while process
# $1 lives; with $3 = yes the client runs under $SENTRY with its own report.
# Sets client_rc and client_attempts.
# Checks HLS playlist PLAYLIST against the input clip ($WORK/in.mp4) with
# stream_check in copy mode (further arguments go to stream_check). On a
# failure the caller's show_logs runs once (its logs_shown flag).
media_check_hls() {  # PLAYLIST [STREAM_CHECK ARGS...]
  local playlist=$1
  shift
  if [ -s "$playlist" ]; then
    local out rc
    out=$(python3 "$STREAM_CHECK" --mode copy --input "$WORK/in.mp4" --hls "$playlist" "$@" 2>&1)
    rc=$?
    echo "$out" | sed 's/^/  /'
    if [ $rc = 0 ]; then
      media_ok "HLS output decodes to the input's frames"
      return
    fi
    media_fail "stream_check exited $rc"
  else
    media_fail "no HLS playlist written ($playlist)"
  fi
  [ "$logs_shown" = 0 ] && show_logs && logs_shown=1
}

media_push_with_retry() {
  local server_pid=$1 attempts=$2 under_sentry=$3 i cpfx
  client_rc=not-run
  for i in $(seq "$attempts"); do
    kill -0 "$server_pid" 2>/dev/null || { i=$((i - 1)); break; }  # server gone (e.g. port taken)
    cpfx=()
    [ "$under_sentry" = yes ] && cpfx=("$SENTRY" run --rw "$WORK" --report "$WORK/client.$i.report.json" --)
    [ "$i" = 1 ] && echo "+ ${cpfx[*]} ${CLIENT[*]}" >> "$WORK/commands.txt"
    timeout -k 5 "$STEP_TIMEOUT" "${cpfx[@]}" "${CLIENT[@]}" > "$WORK/client.$i.log" 2>&1
    client_rc=$?
    [ "$client_rc" = 0 ] && break
    grep -q 'Connection refused' "$WORK/client.$i.log" || break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.25
  done
  client_attempts=$i
}

# Runs `$1 PORT` with a free port; when it returns 3 (the port was taken
# between choosing and binding it) tries another, up to 3 times. Sets PORT.
media_with_free_port() {
  local try rc
  for try in 1 2 3; do
    PORT=$(media_free_port) || exit 1
    "$1" "$PORT"; rc=$?
    [ $rc = 3 ] && { echo "note: port $PORT was taken, retrying with another"; continue; }
    break
  done
}
