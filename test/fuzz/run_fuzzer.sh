#!/bin/bash
# Syscall fuzzer judge: runs syscall_fuzzer natively (the reference), then
# under `SENTRY run -- FUZZER ...`, and judges sentry from the outside.
#
# Usage: run_fuzzer.sh SENTRY FUZZER
#
# Environment:
#   FUZZ_SEED     seed (default 1)
#   FUZZ_CALLS    calls of the sentry run (default 600000: about 20-40 s under
#                 sentry on a 2-core VM)
#   FUZZ_NATIVE_FACTOR  the native reference issues this many times more
#                 calls (default 2; same seed, so the same per-thread call
#                 sequences and more), so that errnos that depend on timing
#                 are less likely to be missing from the reference
#   FUZZ_THREADS  worker threads (default: the fuzzer's, 8)
#   FUZZ_ARGS     more fuzzer arguments (e.g. "--skip-rows fcntl")
#   FUZZ_TIMEOUT  seconds each run may take (default 150)
#   FUZZ_MIN_COUNT  a sentry-only errno counts as a failure when sentry gave it
#                 at least this many times (default 3; 1 is the literal rule).
#                 Rarer ones are listed as "rare" but not counted: whether a
#                 connection is pending or data is queued on the shared fds
#                 depends on the interleaving, which no seed fixes
#   FUZZ_RSS_SLACK_MB  how far sentry's VmRSS may grow above its first
#                 sample (default 64; a sanitized build's quarantine needs more)
#   FUZZ_KEEP=1   keep the work directory (it is kept anyway on failure)
#
# Failures (exit 1):
#   * the native run fails (the reference itself is broken: fuzzer or host);
#   * sentry's exit status is not the fuzzer's (its "RESULT exit=N" line), or
#     the fuzzer printed no result (it died);
#   * the fuzzer saw an impossible errno under sentry (outside 1..133,
#     kernel-internal 512..530);
#   * the run hangs (FUZZ_TIMEOUT): the fuzzer threads' /proc/<tid>/syscall
#     and wchan are printed;
#   * sentry's fd count grows more than 64 above its first sample, or its
#     VmRSS more than FUZZ_RSS_SLACK_MB above (sampled every second);
#   * forked children ended abnormally under sentry but not natively;
#   * a row where sentry gave an errno that the native run never saw although
#     it issued at least as many calls of that row. Not counted: the errno a
#     kDeny/kUnsupported row declares (that is the design), and the pairs in
#     expected_differences.txt (reviewed, with reasons).
# The per-row errno sets native vs sentry are printed as an informational
# report. Exit 0 when nothing failed, 77 when a prerequisite is missing.
set -u

usage() { echo "usage: $0 SENTRY FUZZER" >&2; exit 2; }
[ $# -eq 2 ] || usage
SENTRY=$(realpath -- "$1") || usage
FUZZER=$(realpath -- "$2") || usage
HERE=$(dirname -- "$(realpath -- "$0")")
[ -x "$SENTRY" ] || { echo "FAIL: $SENTRY is not executable"; exit 1; }
[ -x "$FUZZER" ] || { echo "FAIL: $FUZZER is not executable"; exit 1; }
for tool in python3 timeout; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed"; exit 77; }
done

SEED=${FUZZ_SEED:-1}
CALLS=${FUZZ_CALLS:-600000}
LIMIT=${FUZZ_TIMEOUT:-150}
MINCOUNT=${FUZZ_MIN_COUNT:-3}
RSS_SLACK_KB=$(( ${FUZZ_RSS_SLACK_MB:-64} * 1024 ))
FACTOR=${FUZZ_NATIVE_FACTOR:-2}
ARGS=(--seed "$SEED")
[ -n "${FUZZ_THREADS:-}" ] && ARGS+=(--threads "$FUZZ_THREADS")
# shellcheck disable=SC2206
[ -n "${FUZZ_ARGS:-}" ] && ARGS+=($FUZZ_ARGS)
WORK=$(mktemp -d /tmp/fuzz_run.XXXXXX)
FAILS=()
fail() { FAILS+=("$*"); echo "FAIL: $*"; }

echo "== syscall fuzzer: seed=$SEED calls=$CALLS (native $((CALLS * FACTOR))) args: ${ARGS[*]}"
echo "   work directory: $WORK"

# --- 1. native reference -----------------------------------------------------
t0=$(date +%s)
timeout -k 5 "$LIMIT" "$FUZZER" "${ARGS[@]}" --calls $((CALLS * FACTOR)) > "$WORK/native.out" 2> "$WORK/native.err"
NRC=$?
echo "== native: exit $NRC in $(( $(date +%s) - t0 )) s"
grep -E '^(TOTAL|CHILDREN|EVENTS|IMPOSSIBLE)' "$WORK/native.out" | sed 's/^/   /'
if [ "$NRC" -eq 124 ] || [ "$NRC" -eq 137 ]; then  # killed: its scratch directory is left behind
  scratch=$(sed -n 's/^syscall_fuzzer: scratch \(.*\)$/\1/p' "$WORK/native.err" | head -1)
  case "$scratch" in /dev/shm/syscall_fuzzer.*|/tmp/syscall_fuzzer.*) rm -rf -- "$scratch" ;; esac
fi
if [ "$NRC" -ne 0 ]; then
  fail "native run exited $NRC (the reference must pass; see $WORK/native.out, native.err)"
  head -5 "$WORK/native.err" | sed 's/^/   /'
fi

# --- 2. under sentry, watched --------------------------------------------------
descendants() {  # PID: the process and every descendant, one per line
  local p=$1 c
  echo "$p"
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do descendants "$c"; done
}
dump_threads() {  # every thread of sentry's tree: fuzzer threads first
  local p t exe mark
  for p in $(descendants "$SP"); do
    exe=$(readlink "/proc/$p/exe" 2>/dev/null)
    mark=$([ "$exe" = "$FUZZER" ] && echo "fuzzer" || echo "other ")
    echo "   $mark pid $p ($(cat /proc/"$p"/comm 2>/dev/null), $exe)"
    for t in /proc/"$p"/task/*; do
      [ -d "$t" ] || continue
      echo "      tid ${t##*/} state=$(awk '{print $3}' "$t/stat" 2>/dev/null) wchan=$(cat "$t/wchan" 2>/dev/null)" \
           "syscall=$(cat "$t/syscall" 2>/dev/null)" \
           "SigPnd=$(awk '/^SigPnd/{print $2}' "$t/status" 2>/dev/null)"
    done
  done
  echo "   /proc/locks:"; sed 's/^/      /' /proc/locks
}

t0=$(date +%s)
"$SENTRY" run -- "$FUZZER" "${ARGS[@]}" --calls "$CALLS" > "$WORK/sentry.out" 2> "$WORK/sentry.err" &
SP=$!
FD0=""; RSS0=""; FDMAX=0; RSSMAX=0; HUNG=0; LEAKED=0
while kill -0 "$SP" 2>/dev/null; do
  if [ -r "/proc/$SP/status" ]; then
    fds=$(ls "/proc/$SP/fd" 2>/dev/null | wc -l)
    rss=$(awk '/^VmRSS/{print $2}' "/proc/$SP/status" 2>/dev/null)
    if [ -n "$rss" ] && [ "$fds" -gt 0 ]; then
      [ -z "$FD0" ] && { FD0=$fds; RSS0=$rss; }
      [ "$fds" -gt "$FDMAX" ] && FDMAX=$fds
      [ "$rss" -gt "$RSSMAX" ] && RSSMAX=$rss
      if [ "$LEAKED" = 0 ] && { [ "$fds" -gt $((FD0 + 64)) ] || [ "$rss" -gt $((RSS0 + RSS_SLACK_KB)) ]; }; then
        LEAKED=1
        fail "sentry grows: fds $FD0 -> $fds, VmRSS $RSS0 -> $rss kB after $(( $(date +%s) - t0 )) s"
      fi
    fi
  fi
  if [ $(( $(date +%s) - t0 )) -ge "$LIMIT" ]; then
    HUNG=1
    fail "sentry run still running after $LIMIT s (hang); threads:"
    dump_threads
    kill -KILL "$SP" 2>/dev/null
    break
  fi
  sleep 1
done
wait "$SP"
SRC=$?
echo "== sentry: exit $SRC in $(( $(date +%s) - t0 )) s; sentry fds first/max $FD0/$FDMAX, VmRSS first/max ${RSS0}/${RSSMAX} kB"
grep -E '^(TOTAL|CHILDREN|EVENTS|IMPOSSIBLE)' "$WORK/sentry.out" | sed 's/^/   /'
grep -vE '\[warning\]|^syscall_fuzzer: scratch ' "$WORK/sentry.err" "$WORK/sentry.out" | grep -vE ':(ROW|#|IMPOSSIBLE|CHILDREN|EVENTS|TOTAL|RESULT|syscall_fuzzer: seed)' |
  head -5 | sed 's/^/   other output: /'

if [ "$HUNG" = 0 ]; then
  want=$(sed -n 's/^RESULT exit=\([0-9]*\)$/\1/p' "$WORK/sentry.out")
  if [ -z "$want" ]; then
    fail "the fuzzer printed no result under sentry (it died; sentry exit $SRC)"
  elif [ "$SRC" != "$want" ]; then
    fail "sentry exited $SRC, the fuzzer $want"
  fi
  if grep -q '^IMPOSSIBLE' "$WORK/sentry.out"; then
    fail "impossible errno under sentry:"
    grep '^IMPOSSIBLE' "$WORK/sentry.out" | sed 's/^/   /'
  fi
fi

# --- 3. per-row errno sets -------------------------------------------------------
if [ -s "$WORK/native.out" ] && [ -s "$WORK/sentry.out" ] && [ "$HUNG" = 0 ]; then
  python3 - "$WORK/native.out" "$WORK/sentry.out" "$HERE/expected_differences.txt" "$MINCOUNT" > "$WORK/compare.txt" <<'PY'
import sys

def load(path):
    rows, children = {}, {}
    for line in open(path, errors="replace"):
        t = line.split()
        if not t:
            continue
        if t[0] == "ROW" and len(t) >= 8:
            d = {}
            for kv in t[6:]:
                k, _, v = kv.partition("=")
                d[k] = int(v) if v.isdigit() else 0
            errs = {k for k in d if k not in ("calls", "ok", "impossible")}
            if d.get("ok", 0):
                errs.add("OK")
            rows[t[1]] = {"serve": t[3], "declared": t[4], "policy": t[5], "calls": d.get("calls", 0), "errs": errs, "counts": d}
        elif t[0] == "CHILDREN":
            children = {k: int(v) for k, _, v in (kv.partition("=") for kv in t[1:]) if v.isdigit()}
    return rows, children

mincount = int(sys.argv[4])
native, nch = load(sys.argv[1])
sentry, sch = load(sys.argv[2])
expected = {}
try:
    for line in open(sys.argv[3]):
        line = line.split("#", 1)[0].strip()
        if line:
            row, err, *why = line.split(None, 2)
            expected[(row, err)] = why[0] if why else ""
except OSError:
    pass

print("== per-row errno sets, native vs sentry (informational)")
print("   %-22s %-12s %8s %8s  %s" % ("row", "serve", "n.calls", "s.calls", "difference"))
failures, allowed, as_declared, rare = [], [], [], []
for name in native:
    n, s = native[name], sentry.get(name)
    if s is None:
        continue
    only_n, only_s = sorted(n["errs"] - s["errs"]), sorted(s["errs"] - n["errs"])
    if s["serve"] in ("kDeny", "kUnsupported") and s["calls"] and s["errs"] == {s["declared"]}:
        as_declared.append(name)  # refused exactly as the table says
        continue
    if only_n or only_s:
        print("   %-22s %-12s %8d %8d  native-only=%s sentry-only=%s" % (
            name, n["serve"], n["calls"], s["calls"], ",".join(only_n) or "-", ",".join(only_s) or "-"))
    if n["calls"] < s["calls"]:
        continue
    for e in only_s:
        if e == s["declared"] and s["serve"] in ("kDeny", "kUnsupported"):
            continue  # the row's declared errno: the design
        if (name, e) in expected:
            allowed.append("%s %s (%d of %d calls): %s" % (name, e, s["counts"].get(e, 0), s["calls"], expected[(name, e)]))
            continue
        count = s["counts"].get(e, 0) if e != "OK" else s["counts"].get("ok", 0)
        line = "%s: sentry %s %d of %d calls, native never in %d calls" % (
            name, e if e != "OK" else "succeeded", count, s["calls"], n["calls"])
        (failures if count >= mincount else rare).append(line)
if as_declared:
    print("   (denied/unsupported rows that always gave their declared errno: %s)" % " ".join(as_declared))
if allowed:
    print("== expected differences (expected_differences.txt)")
    for a in allowed:
        print("   " + a)
if rare:
    print("== rare (fewer than %d times; not counted)" % mincount)
    for r in rare:
        print("   " + r)
print("== rows where sentry gave an errno the native run never saw (native issued at least as many calls)")
for f in failures:
    print("   FAILROW " + f)
if not failures:
    print("   none")
if sch.get("abnormal", 0) > 0 and nch.get("abnormal", 0) == 0:
    print("   FAILCHILD %d forked children ended abnormally under sentry, none natively" % sch["abnormal"])
PY
  cat "$WORK/compare.txt"
  while IFS= read -r line; do fail "$line"; done < <(sed -n 's/^   FAIL\(ROW\|CHILD\) //p' "$WORK/compare.txt")
fi

# --- verdict ---------------------------------------------------------------------
if [ ${#FAILS[@]} -eq 0 ]; then
  echo "PASS: sentry matched the native run (seed $SEED, $CALLS calls)"
  [ "${FUZZ_KEEP:-0}" = 1 ] || rm -rf "$WORK"
  exit 0
fi
echo "FAILED (${#FAILS[@]}): seed $SEED, $CALLS calls; outputs kept in $WORK"
echo "   reproduce: FUZZ_SEED=$SEED FUZZ_CALLS=$CALLS $0 $SENTRY $FUZZER"
exit 1
