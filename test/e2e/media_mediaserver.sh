#!/bin/bash
# Seed scenario: ZLMediaKit's MediaServer receives an RTSP push (TCP
# interleaved) from ffmpeg and writes HLS; once natively, once under sentry
# (MediaServer and ffmpeg each under their own `sentry run --report`); the two
# HLS outputs must be identical frame by frame.
#
# Usage: media_mediaserver.sh SENTRY copy|reencode [sentry|podman]
#   copy      ffmpeg -c copy: also the video of each HLS output must equal the
#             input's frames
#   reencode  ffmpeg re-encodes (libx264 -threads 1 -bf 0 -g 12, aac)
#   sentry    (default) the second run is `sentry run` (MediaServer and ffmpeg)
#   podman    the second run is a container: `podman --runtime SENTRY run` of
#             an image holding MediaServer's libraries (tools/oci/make_rootfs.sh),
#             the run's directory a volume at /srv (MediaServer, config.ini and
#             the HLS it writes), RTSP and HTTP published on the host's
#             127.0.0.1, the report through the dev.sentry.report annotation;
#             ffmpeg pushes natively to the published port; `podman stop`
#             stops it (needs root and podman, else skipped)
# The MediaServer binary comes ONLY from $SENTRY_MEDIASERVER; unset: exit 77.
# Exit 0 pass, 1 fail, 77 skipped. MEDIA_KEEP=1 keeps the work dir.
#
# Nothing is written next to the binary: each run copies it into its own dir
# under $WORK together with a config.ini, so config.ini, log/ and www/ (which
# MediaServer resolves relative to its binary's dir) all land in $WORK. The
# config starts from the one MediaServer generates on its first start (a native
# start with every listener disabled), then: [hls] segNum=0 (keep all segments,
# #EXT-X-ENDLIST when the stream ends), [general] wait_audio_track_data_ms=5000,
# listen_ip=:: (the default, kept on purpose: the guest listens on AF_INET6 and
# ffmpeg connects to 127.0.0.1), RTSP/HTTP/RTMP on free high ports, every other
# listener (TLS ports, rtp_proxy, shell, rtc, srt) 0 = off, onvif on a free port
# (rtc/srt keys are written even if the build lacks WebRTC/SRT: it only warns
# "unknow config").
#
# Audio: MediaServer re-packetises AAC, natively too (the HLS audio does not
# match the input's frames from frame 0 on, and has fewer frames), so the
# criterion is (1) copy: the HLS video equals the input's frames, natively and
# under sentry; (2) sentry's HLS equals native's, audio and video, frame by
# frame (stream_check --mode reencode --reference <native hls.m3u8>).
#
# Stop: `MediaServer -d` is a watchdog that forks the worker. SIGTERM goes to
# the watchdog natively, to sentry under sentry (forwarded to the guest's root,
# the watchdog); the watchdog SIGINTs the worker and exits 0. Natively the
# worker then shuts down on its own; under sentry it is killed when the root
# exits (sentry behaves as the init of a PID namespace). The HLS is final before
# that: #EXT-X-ENDLIST is written when the push ends, and the test waits for it.
set -u
SENTRY=${1:?usage: media_mediaserver.sh SENTRY copy|reencode}
VARIANT=${2:?usage: media_mediaserver.sh SENTRY copy|reencode}
LAUNCH=${3:-sentry}
. "$(dirname "$0")/media_common.sh"

case $VARIANT in copy|reencode) ;; *) echo "usage: variant must be copy or reencode"; exit 2;; esac
case $LAUNCH in sentry|podman) ;; *) echo "usage: launch must be sentry or podman"; exit 2;; esac
[ -n "${SENTRY_MEDIASERVER:-}" ] || media_skip "SENTRY_MEDIASERVER is not set: the MediaServer scenario did not run"
[ -f "$SENTRY_MEDIASERVER" ] && [ -x "$SENTRY_MEDIASERVER" ] \
  || { echo "FAIL: SENTRY_MEDIASERVER=$SENTRY_MEDIASERVER is not an executable file"; exit 1; }
[ -x "$SENTRY" ] || { echo "FAIL: sentry binary $SENTRY not found"; exit 1; }
if [ "$LAUNCH" = podman ]; then
  [ "$(id -u)" = 0 ] || media_skip "the podman run needs root (podman's runtime tests run as root)"
  command -v podman >/dev/null || media_skip "podman is not installed (scripts/setup.sh installs it)"
fi
SENTRY=$(cd "$(dirname "$SENTRY")" && pwd)/$(basename "$SENTRY")  # the runs cd into their dirs

CLIP_SECONDS=4
RUN_LIMIT=${MEDIA_STEP_TIMEOUT:-90}  # safety net per MediaServer run / ffmpeg push (s)
START_WAIT=20                        # s for MediaServer to listen
ENDLIST_WAIT=5                       # s for #EXT-X-ENDLIST after the push ended
EXIT_WAIT=15                         # s for every MediaServer process to be gone after SIGTERM
media_init "media_mediaserver_${VARIANT}_$LAUNCH"
trap 'ms_cleanup; media_cleanup' EXIT

if [ "$VARIANT" = copy ]; then
  PUSH_CODEC=(-c copy)
else
  PUSH_CODEC=(-vcodec libx264 -threads 1 -bf 0 -g 12 -acodec aac)
fi

strip_ansi() { sed 's/\x1b\[[0-9;]*m//g' "$1"; }

# Pids of PID's descendants (children first level by level).
descendants() {
  local p c
  for c in $(pgrep -P "$1" 2>/dev/null); do echo "$c"; descendants "$c"; done
}

# Live (non-zombie) processes running the executable EXE: our own copy, unique
# to this test run, known by its inode (a container sees it by another path).
procs_running() {
  local d p id
  id=$(stat -L -c %d:%i "$1" 2>/dev/null) || return 0
  for d in /proc/[0-9]*; do
    [ "$(stat -L -c %d:%i "$d/exe" 2>/dev/null)" = "$id" ] || continue
    p=${d#/proc/}
    [ "$(awk '{print $3}' "$d/stat" 2>/dev/null)" = Z ] && continue
    echo "$p"
  done
}

port_listening() {  # PORT: a TCP socket listens on it (IPv4 or IPv6)
  local hex; hex=$(printf '%04X' "$1")
  awk -v h=":$hex" 'FNR > 1 && $4 == "0A" && substr($2, length($2) - 4) == h { f = 1 } END { exit !f }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# Everything this test started that may still run (EXIT trap).
CLEANUP_EXES=()
CTR=sentry-e2e-ms-$$ IMAGE=localhost/sentry-e2e-ms-$$
ms_cleanup() {
  local e p
  if [ "$LAUNCH" = podman ]; then
    podman rm -f "$CTR" >/dev/null 2>&1
    podman rmi -f "$IMAGE" >/dev/null 2>&1
  fi
  for e in "${CLEANUP_EXES[@]}"; do
    for p in $(procs_running "$e"); do kill -KILL "$p" 2>/dev/null; done
  done
}

# podman: an image with MediaServer's shared libraries and their loader
# (busybox for a shell); MediaServer itself comes from the volume.
make_image() {
  local t0; t0=$(media_now)
  "$MEDIA_SRC_DIR/tools/oci/make_rootfs.sh" "$WORK/rootfs" "$SENTRY_MEDIASERVER" >/dev/null \
    || { echo "FAIL: cannot make a root filesystem for MediaServer"; exit 1; }
  tar -C "$WORK/rootfs" -c . | podman import - "$IMAGE" >/dev/null 2>&1 \
    || { echo "FAIL: podman import of MediaServer's root filesystem"; exit 1; }
  rm -rf "$WORK/rootfs"
  echo "image: $IMAGE (MediaServer's libraries, busybox) imported ($(media_elapsed "$t0") s)"
}

# MediaServer is up: its RTSP port listens (natively and under sentry, on the
# host; in a container the published port takes a connection) and its log
# says so.
ms_ready() {  # DIR PORT
  if [ "$who" = podman ]; then
    (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null || return 1
  else
    port_listening "$2" || return 1
  fi
  grep -q "TCP server listening on .*: $2\$" <(strip_ansi "$1/ms.log")
}

# Rewrite the ini SRC into DST with KEY=section.key VALUE pairs (every
# occurrence; MediaServer's dump may repeat a section). Keys not present are
# appended.
ini_set() {
  local src=$1 dst=$2; shift 2
  python3 - "$src" "$dst" "$@" <<'EOF' || { echo "FAIL: could not write $dst"; exit 1; }
import re, sys
src, dst, *kv = sys.argv[1:]
ov = {}
for i in range(0, len(kv), 2):
    sec, _, key = kv[i].partition(".")
    ov[(sec, key)] = kv[i + 1]
out, sec, seen = [], None, set()
for ln in open(src, encoding="utf-8", errors="surrogateescape"):
    m = re.match(r"\s*\[([^\]]+)\]\s*$", ln)
    if m:
        sec = m.group(1).strip()
    elif not ln.lstrip().startswith(("#", ";")):
        k, eq, _ = ln.partition("=")
        if eq and (sec, k.strip()) in ov:
            ln = f"{k.strip()}={ov[(sec, k.strip())]}\n"
            seen.add((sec, k.strip()))
    out.append(ln)
if out and not out[-1].endswith("\n"):
    out[-1] += "\n"
for (s, k), v in ov.items():
    if (s, k) not in seen:
        out.append(f"[{s}]\n{k}={v}\n")
open(dst, "w", encoding="utf-8", errors="surrogateescape").writelines(out)
EOF
}

# Every listener off (the seed of the generated config; the final config sets
# the three it needs to free ports again).
LISTENERS_OFF=(general.listen_ip ::
               rtsp.port 0 rtsp.sslport 0 rtmp.port 0 rtmp.sslport 0 http.port 0 http.sslport 0
               rtp_proxy.port 0 shell.port 0 srt.port 0
               rtc.port 0 rtc.tcpPort 0 rtc.signalingPort 0 rtc.signalingSslPort 0 rtc.icePort 0 rtc.iceTcpPort 0)

# 1. The default config, as MediaServer writes it on its first start: a native
#    start with only the listeners switched off (so nothing binds the default,
#    privileged ports); it dumps every setting it knows into config.ini.
generate_config() {
  local d=$WORK/gen t0 i pid
  t0=$(media_now)
  mkdir -p "$d" && cp "$SENTRY_MEDIASERVER" "$d/MediaServer" || { echo "FAIL: cannot copy $SENTRY_MEDIASERVER"; exit 1; }
  CLEANUP_EXES+=("$d/MediaServer")
  : > "$d/seed.ini"
  ini_set "$d/seed.ini" "$d/config.ini" "${LISTENERS_OFF[@]}"
  (cd "$d" && exec timeout -k 5 30 ./MediaServer > ms.log 2>&1) &
  pid=$!
  for i in $(seq 100); do  # the dump has all sections, [hls] among them
    grep -q '^\[hls\]' "$d/config.ini" 2>/dev/null && grep -q '^segNum=' "$d/config.ini" && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  sleep 0.3  # the dump is one write; let it finish
  kill -TERM "$pid" 2>/dev/null
  wait "$pid"
  if ! grep -q '^segNum=' "$d/config.ini"; then
    echo "FAIL: MediaServer did not generate its default config ($d/config.ini)"
    media_log_tail "$d/ms.log"; exit 1
  fi
  for i in $(seq 50); do [ -z "$(procs_running "$d/MediaServer")" ] && break; sleep 0.1; done
  cp "$d/config.ini" "$WORK/config.generated.ini"
  echo "config: generated by MediaServer on first start: $(grep -c '=' "$WORK/config.generated.ini") settings ($(media_elapsed "$t0") s)"
}

# 2. One run: WHO=native|sentry|podman. Sets ${WHO}_HLS; FAILs are recorded.
run_mediaserver() {
  local who=$1 d=$WORK/$1 try rtsp http rtmp onvif t0 t_start t_push t_fin t_stop i
  local launcher top rc push_rc ms_pfx=() ff_pfx=() tracked=() left url failed_before=$MEDIA_FAILED
  MEDIA_FAILED=0  # this run's own failures decide whether its logs are shown
  for try in 1 2 3; do
    rm -rf "$d"; mkdir -p "$d"
    cp "$SENTRY_MEDIASERVER" "$d/MediaServer" || { media_fail "$who: cannot copy the binary"; return 1; }
    CLEANUP_EXES+=("$d/MediaServer")
    for i in $(seq 10); do  # four distinct free ports
      rtsp=$(media_free_port) && http=$(media_free_port) && rtmp=$(media_free_port) && onvif=$(media_free_port) || exit 1
      [ "$(printf '%s\n' "$rtsp" "$http" "$rtmp" "$onvif" | sort -u | wc -l)" = 4 ] && break
    done
    ini_set "$WORK/config.generated.ini" "$d/config.ini" "${LISTENERS_OFF[@]}" \
      rtsp.port "$rtsp" http.port "$http" rtmp.port "$rtmp" onvif.port "$onvif" \
      hls.segNum 0 general.wait_audio_track_data_ms 5000
    url="rtsp://127.0.0.1:$rtsp/live/test"
    if [ "$who" = sentry ]; then
      ms_pfx=("$SENTRY" run --rw "$WORK" --report "$d/ms.report.json" --)
      ff_pfx=("$SENTRY" run --rw "$WORK" --report "$d/ff.report.json" --)
    fi
    MS_CMD=("${ms_pfx[@]}" "$d/MediaServer" -d)
    if [ "$who" = podman ]; then  # the same port numbers inside and published
      MS_CMD=(podman --runtime "$SENTRY" run --rm --name "$CTR" --annotation "dev.sentry.report=$d/ms.report.json"
              -p "127.0.0.1:$rtsp:$rtsp" -p "127.0.0.1:$http:$http" -v "$d:/srv" -w /srv "$IMAGE" /srv/MediaServer -d)
    fi
    FF_CMD=("${ff_pfx[@]}" ffmpeg -hide_banner -nostdin -nostats -re -i "$WORK/in.mp4"
            "${PUSH_CODEC[@]}" -f rtsp -rtsp_transport tcp "$url")
    { echo "+ cd $d && ${MS_CMD[*]}"; echo "+ ${FF_CMD[*]}"; } > "$d/commands.txt"

    t0=$(media_now)
    # timeout is only a safety net (it outlives this script if ctest kills it).
    (cd "$d" && exec timeout -k 5 "$RUN_LIMIT" "${MS_CMD[@]}" > "$d/ms.log" 2> "$d/ms.stderr") &
    launcher=$!
    MEDIA_BG_PIDS+=("$launcher")
    for i in $(seq $((START_WAIT * 10))); do
      kill -0 "$launcher" 2>/dev/null || break
      ms_ready "$d" "$rtsp" && break
      sleep 0.1
    done
    t_start=$(media_elapsed "$t0")
    if kill -0 "$launcher" 2>/dev/null && ms_ready "$d" "$rtsp"; then break; fi
    if grep -q 'Start server failed' <(strip_ansi "$d/ms.log") && [ "$try" -lt 3 ]; then
      echo "note: $who: MediaServer could not listen ($(strip_ansi "$d/ms.log" | grep -m1 'Start server failed' | sed 's/.*| //')); retrying with other ports"
      wait "$launcher"; continue
    fi
    kill -0 "$launcher" 2>/dev/null && { kill -TERM "$launcher"; wait "$launcher"; rc=timeout; } || { wait "$launcher"; rc=$?; }
    media_fail "$who: MediaServer did not listen on RTSP port $rtsp within $START_WAIT s (launcher: $rc)"
    sed 's/^/  /' "$d/commands.txt"
    strip_ansi "$d/ms.log" > "$d/ms.txt"; media_log_tail "$d/ms.txt" "$d/ms.stderr"
    return 1  # MEDIA_FAILED is 1 now
  done
  top=$(pgrep -P "$launcher" | head -n1)  # the watchdog natively, sentry under sentry, podman
  tracked=("$top" $(descendants "$top"))
  [ "$who" = podman ] && tracked=($(procs_running "$d/MediaServer"))  # conmon's, not podman's, children
  echo "$who: MediaServer listening after $t_start s on RTSP $rtsp, HTTP $http, RTMP $rtmp (pids: ${tracked[*]})"
  sed 's/^/  /' "$d/commands.txt"
  if strip_ansi "$d/ms.log" | grep -q "TCP server listening on \[::\]: $rtsp\$"; then
    media_ok "$who: MediaServer listens on [::]:$rtsp (AF_INET6); the push goes to 127.0.0.1"
  else
    media_fail "$who: MediaServer's log does not say it listens on [::]:$rtsp"
  fi

  # Push.
  t0=$(media_now)
  timeout -k 5 "$RUN_LIMIT" "${FF_CMD[@]}" > "$d/ffmpeg.log" 2>&1
  push_rc=$?
  t_push=$(media_elapsed "$t0")
  if [ $push_rc = 0 ]; then media_ok "$who: ffmpeg push exited 0 ($t_push s)"
  else media_fail "$who: ffmpeg push exited $push_rc after $t_push s"; fi

  # Wait for the playlist to be final.
  local m3u8=$d/www/live/test/hls.m3u8
  t0=$(media_now)
  for i in $(seq $((ENDLIST_WAIT * 10))); do
    grep -q '^#EXT-X-ENDLIST' "$m3u8" 2>/dev/null && break
    sleep 0.1
  done
  t_fin=$(media_elapsed "$t0")
  if grep -q '^#EXT-X-ENDLIST' "$m3u8" 2>/dev/null; then media_ok "$who: hls.m3u8 has #EXT-X-ENDLIST ($t_fin s after the push)"
  else media_fail "$who: no #EXT-X-ENDLIST in $m3u8 within $ENDLIST_WAIT s of the push"; fi

  # Stop: SIGTERM to the watchdog (native) or to sentry; everything must go.
  t0=$(media_now)
  if [ "$who" = podman ]; then
    tracked+=($(procs_running "$d/MediaServer"))
    tracked=($(printf '%s\n' "${tracked[@]}" | sort -un))
    timeout 60 podman stop -t "$EXIT_WAIT" "$CTR" > "$d/stop.log" 2>&1 &  # SIGTERM through `sentry kill`
  else
    tracked+=($(descendants "$top"))
    tracked=($(printf '%s\n' "${tracked[@]}" | sort -un))
    kill -TERM "$top" 2>/dev/null
  fi
  for i in $(seq $((EXIT_WAIT * 10))); do
    kill -0 "$launcher" 2>/dev/null || [ -n "$(procs_running "$d/MediaServer")" ] || break
    sleep 0.1
  done
  t_stop=$(media_elapsed "$t0")
  if kill -0 "$launcher" 2>/dev/null; then
    media_fail "$who: ${MS_CMD[0]##*/} still running $EXIT_WAIT s after SIGTERM; killing it"
    kill -KILL "$top" 2>/dev/null
  fi
  wait "$launcher"; rc=$?
  left=$(procs_running "$d/MediaServer")
  for i in "${tracked[@]}"; do
    [ -d "/proc/$i" ] && [ "$(awk '{print $3}' "/proc/$i/stat" 2>/dev/null)" != Z ] \
      && [ "$(stat -L -c %d:%i "/proc/$i/exe" 2>/dev/null)" = "$(stat -c %d:%i "$d/MediaServer")" ] && left="$left $i"
  done
  left=$(echo $left | tr ' ' '\n' | sort -un | tr '\n' ' ')
  if [ -n "${left// /}" ]; then
    media_fail "$who: MediaServer processes still running after SIGTERM + $EXIT_WAIT s: $left(killed now)"
    for i in $left; do kill -KILL "$i" 2>/dev/null; done
  else
    local how="SIGTERM to ${MS_CMD[0]##*/} ($top)"
    [ "$who" = podman ] && how="podman stop $CTR (SIGTERM through sentry kill)"
    media_ok "$who: $how: all ${#tracked[@]} tracked processes gone after $t_stop s"
  fi
  if [ "$rc" = 0 ]; then media_ok "$who: ${MS_CMD[0]##*/} exited 0"
  else media_fail "$who: ${MS_CMD[0]##*/} exited $rc (124: killed by the $RUN_LIMIT s safety timeout)"; fi

  echo "time: $who: start $t_start s, push $t_push s, ENDLIST +$t_fin s, stop $t_stop s"
  strip_ansi "$d/ms.log" > "$d/ms.txt"
  if [ "$MEDIA_FAILED" = 1 ]; then media_log_tail "$d/ms.txt" "$d/ms.stderr" "$d/ffmpeg.log"; fi
  [ "$failed_before" = 1 ] && MEDIA_FAILED=1
  printf -v "${who}_HLS" '%s' "$m3u8"
}

# copy: the video of HLS equals the input's video frames (audio: informative).
check_video_vs_input() {
  local who=$1 hls=$2 out
  out=$(python3 "$STREAM_CHECK" --mode copy --input "$WORK/in.mp4" --hls "$hls" --json 2>&1)
  echo "$out" > "$WORK/$who.copycheck.json"
  python3 - "$WORK/$who.copycheck.json" "$who" <<'EOF'
import json, sys
path, who = sys.argv[1:]
try:
    d = json.load(open(path))
except ValueError:
    print(f"FAIL: {who}: stream_check did not print JSON:"); print(open(path).read()); sys.exit(1)
v, a = d.get("streams", {}).get("video"), d.get("streams", {}).get("audio")
other = [p for p in d.get("problems", []) if not p.startswith("audio:")]
if a:
    print(f"note: {who}: audio vs input (informative, re-packetised natively too): "
          f"{a.get('matched')} identical before the first mismatch (frame {a.get('first_mismatch')}), "
          f"{a.get('actual')} in the output, {a.get('expected')} in the input")
if v and v.get("ok") and not other:
    print(f"ok: {who}: HLS video equals the input's frames ({v['matched']}/{v['expected']})")
    sys.exit(0)
print(f"FAIL: {who}: HLS video does not equal the input's frames: video={v} problems={other}")
sys.exit(1)
EOF
  [ $? = 0 ] || MEDIA_FAILED=1
}

media_make_clip "$WORK/in.mp4" "$CLIP_SECONDS"
generate_config
[ "$LAUNCH" = podman ] && make_image
native_HLS=; sentry_HLS=; podman_HLS=
run_mediaserver native
run_mediaserver "$LAUNCH"
guest_HLS=${LAUNCH}_HLS
guest_HLS=${!guest_HLS}

if [ -s "$native_HLS" ] && [ -s "$guest_HLS" ]; then
  if [ "$VARIANT" = copy ]; then
    check_video_vs_input native "$native_HLS"
    check_video_vs_input "$LAUNCH" "$guest_HLS"
  fi
  # sentry vs native; the native reference must itself be complete (two
  # broken outputs could match each other).
  python3 "$STREAM_CHECK" --mode reencode --reference "$native_HLS" --hls "$guest_HLS" --json \
    > "$WORK/compare.json" 2> "$WORK/compare.stderr"
  cmp_rc=$?
  in_video=$(ffprobe -v error -select_streams v:0 -count_packets -show_entries stream=nb_read_packets \
             -of csv=p=0 "$WORK/in.mp4")
  python3 - "$WORK/compare.json" "$cmp_rc" "${in_video:-0}" <<'EOF'
import json, sys
path, rc, in_video = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
try:
    d = json.load(open(path))
except ValueError:
    print(f"FAIL: stream_check (sentry vs native) exited {rc} without JSON:")
    print(open(path).read()); sys.exit(1)
ok = True
ref = d.get("reference", {}).get("frames", {})
if ref.get("video") == in_video and ref.get("audio", 0) > 0:
    print(f"ok: native HLS (reference): all {in_video} video frames of the input, {ref['audio']} audio frames")
else:
    print(f"FAIL: native HLS (reference): {ref.get('video')} video frames (input: {in_video}), "
          f"{ref.get('audio')} audio frames")
    ok = False
for kind, s in d.get("streams", {}).items():
    print(f"  {kind}: {s.get('matched')}/{s.get('expected')} frames identical, {s.get('actual')} in sentry's output"
          + ("" if s.get("ok") else f", first mismatch at frame {s.get('first_mismatch')}"))
for p in d.get("problems", []):
    print(f"  problem: {p}")
if rc == 0 and d.get("result") == "OK":
    print("ok: sentry's HLS equals native's, audio and video, frame by frame")
else:
    print(f"FAIL: sentry's HLS differs from native's (stream_check exited {rc}, result {d.get('result')})")
    ok = False
sys.exit(0 if ok else 1)
EOF
  [ $? = 0 ] || { MEDIA_FAILED=1; [ -s "$WORK/compare.stderr" ] && sed 's/^/  | /' "$WORK/compare.stderr"; }
else
  [ -s "$native_HLS" ] || media_fail "no native HLS playlist"
  [ -s "$guest_HLS" ] || media_fail "no HLS playlist from the $LAUNCH run"
fi

if [ "$LAUNCH" = podman ]; then
  media_check_reports "$WORK/podman/ms.report.json"  # ffmpeg ran natively
else
  media_check_reports "$WORK/sentry/ms.report.json" "$WORK/sentry/ff.report.json"
fi
media_finish
