#!/bin/bash
# Fault injection under sentry, judged from the host (issue 14). Each mode
# of fault_guest runs natively first (it must pass there), then under
# sentry on each platform; sentry must exit with the guest's status (a
# crash or abort of sentry shows as another one), and from the guest's
# setup to its end sentry's descriptors and RSS must come back to where
# they were (no leak), staying bounded meanwhile. Last, sentry runs with a
# soft RLIMIT_NOFILE of 64 under descriptor pressure from the guest.
# Usage: run_faults.sh SENTRY FAULT_GUEST [SECONDS]
# FAULT_MODES and FAULT_PTRACE_MODES choose the modes (default: all) run on
# the unotify and the ptrace platform; FAULT_RSS_SLACK_MB is the growth of
# sentry's RSS allowed over a run (default 8; a sanitized build's quarantine
# needs far more).
set -u
SENTRY=${1:?usage: run_faults.sh SENTRY FAULT_GUEST [SECONDS]}
GUEST=${2:?usage: run_faults.sh SENTRY FAULT_GUEST [SECONDS]}
SECONDS_PER_MODE=${3:-3}
ALL="kill-churn stop-cont ptrace fd-exhaust mem-exhaust exit-race fd-pressure"
MODES=${FAULT_MODES:-$ALL}
PTRACE_MODES=${FAULT_PTRACE_MODES:-$ALL}
RSS_SLACK_KB=$(( ${FAULT_RSS_SLACK_MB:-8} * 1024 ))
[ "$RSS_SLACK_KB" -gt 8192 ] && echo "note: sentry's RSS may grow by ${FAULT_RSS_SLACK_MB} MB (a sanitized build)"
[ "$(id -u)" = 0 ] || { echo "SKIP: sentry's sandbox needs root"; exit 77; }
fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }

fds_of() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }
rss_kb_of() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

for mode in $ALL; do
  if out=$(timeout 120 "$GUEST" "$mode" "$SECONDS_PER_MODE" 2>&1); then
    ok "native $mode"
  else
    bad "native $mode fails: the mode is wrong, not sentry"; echo "$out" | sed 's/^/  /'
  fi
done

# run_one LABEL [SENTRY_WRAPPER...] -- SENTRY_ARGS... -- MODE
run_one() {
  local label=$1 mode=$2; shift 2
  local sync; sync=$(mktemp -d /tmp/sentry-fault.XXXXXX)
  chmod 0777 "$sync"
  local log="$sync/log"
  FAULT_SYNC=$sync "$@" -- "$GUEST" "$mode" "$SECONDS_PER_MODE" >"$log" 2>&1 &
  local spid=$! i
  # The supervising process: the one whose exe is sentry (a wrapper such as
  # prlimit execs it).
  for i in $(seq 1 500); do [ -e "$sync/start" ] && break; kill -0 $spid 2>/dev/null || break; sleep 0.01; done
  if [ ! -e "$sync/start" ]; then
    bad "$label: the guest never started"; sed 's/^/  /' "$log"; wait $spid; rm -rf "$sync"; return
  fi
  local fd0 rss0 fdmax=0 rssmax=0 n r
  fd0=$(fds_of $spid); rss0=$(rss_kb_of $spid)
  touch "$sync/begin"
  for i in $(seq 1 12000); do
    [ -e "$sync/end" ] && break
    kill -0 $spid 2>/dev/null || break
    n=$(fds_of $spid); r=$(rss_kb_of $spid)
    [ "$n" -gt "$fdmax" ] && fdmax=$n
    [ "${r:-0}" -gt "$rssmax" ] && rssmax=$r
    sleep 0.05
  done
  local fd1=-1 rss1=0
  if [ -e "$sync/end" ]; then
    sleep 0.3  # the guest's own exits are reaped
    fd1=$(fds_of $spid); rss1=$(rss_kb_of $spid)
  fi
  touch "$sync/go"
  # sentry ends once the guest has (no waiting on a task it lost track of).
  for i in $(seq 1 300); do kill -0 $spid 2>/dev/null || break; sleep 0.1; done
  if kill -0 $spid 2>/dev/null; then
    bad "$label: sentry still runs 30 s after its guest ended (a hang)"; sed 's/^/  /' "$log"
    pkill -9 -P $spid; kill -9 $spid; wait $spid; rm -rf "$sync"; return
  fi
  local code=0
  wait $spid || code=$?
  if [ $code -ne 0 ]; then
    bad "$label: exit status $code (0 is the guest passing; a crash of sentry shows as 128+N)"; sed 's/^/  /' "$log"
  elif [ "$fd1" -lt 0 ]; then
    bad "$label: the guest did not reach its end"; sed 's/^/  /' "$log"
  elif [ "$fd1" -gt $((fd0 + 2)) ]; then
    bad "$label: sentry held $fd0 fds after the guest's setup and $fd1 at its end (a leak)"
  elif [ "${rss1:-0}" -gt $((rss0 + RSS_SLACK_KB)) ]; then
    bad "$label: sentry's RSS grew from $rss0 kB to $rss1 kB"
  else
    ok "$label: sentry's fds $fd0 -> $fd1 (at most $fdmax), RSS $((rss0 / 1024)) -> $((rss1 / 1024)) MB (at most $((rssmax / 1024)) MB)"
    grep '^ok:' "$log" | sed 's/^/  guest /'
    if grep -q "sentry: \[" "$log"; then echo "  sentry said:"; grep "sentry: \[" "$log" | sort | uniq -c | sed 's/^/  /'; fi
  fi
  rm -rf "$sync"
}

for mode in $MODES; do run_one "unotify $mode" "$mode" "$SENTRY" run --platform unotify; done
for mode in $PTRACE_MODES; do run_one "ptrace $mode" "$mode" "$SENTRY" run --platform ptrace; done
for mode in $ALL; do
  case " $MODES " in *" $mode "*) ;; *) echo "NOT RUN: unotify $mode (docs/reliability.md says why)";; esac
  case " $PTRACE_MODES " in *" $mode "*) ;; *) echo "NOT RUN: ptrace $mode (docs/reliability.md says why)";; esac
done
# sentry's own descriptor limit: a soft limit of 64 (the guest raises its
# own to the hard limit and opens hundreds of objects that cost sentry one).
if command -v prlimit >/dev/null; then
  run_one "sentry at a soft RLIMIT_NOFILE of 64, fd-pressure" fd-pressure prlimit --nofile=64:4096 "$SENTRY" run
else
  bad "prlimit (util-linux) is missing: sentry's own descriptor limit is not tested"
fi
exit $fail
