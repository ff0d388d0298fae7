#!/bin/bash
# The machine sentry models is what the guest sees, and the host is not
# changed by it. Usage: machine_model.sh SENTRY
set -u
SENTRY=$1
fail=0
check() { if [ "$2" != "$3" ]; then echo "FAIL: $1: expected [$2], got [$3]"; fail=1; else echo "ok: $1"; fi; }

# --cpus: nproc (sched_getaffinity) and sysconf (/sys) both see 3 CPUs.
check "nproc under --cpus 3" 3 "$("$SENTRY" run --cpus 3 -- nproc)"
check "getconf under --cpus 3" 3 "$("$SENTRY" run --cpus 3 -- getconf _NPROCESSORS_ONLN)"
# /sys/devices/system/cpu is the model's directory (sentry's FUSE view):
# its listing and stat follow --cpus, more CPUs than the host has included.
check "cpuN entries listed under --cpus 4" "cpu0 cpu1 cpu2 cpu3" \
  "$("$SENTRY" run --cpus 4 -- sh -c 'ls /sys/devices/system/cpu | grep -E "^cpu[0-9]+$" | sort -V | tr "\n" " " | sed "s/ $//"')"
check "stat of cpu3's files under --cpus 4, cpu4 absent" "ok ENOENT" \
  "$("$SENTRY" run --cpus 4 -- sh -c 'stat /sys/devices/system/cpu/cpu3/topology/core_id >/dev/null && printf ok; [ -e /sys/devices/system/cpu/cpu4 ] || printf " ENOENT"')"
# The report names the model's files each program opened: a task's own
# files are the model's once its state differs from the kernel's (here a
# nice value, which never reaches the host), the kernel's before.
r=$(mktemp)
"$SENTRY" run --report "$r" -- sh -c 'cat /proc/cpuinfo /proc/self/status >/dev/null; nice -n 3 cat /proc/self/stat >/dev/null' >/dev/null 2>&1
check "report: model files per program" "/proc/<n>/stat /proc/cpuinfo" \
  "$(python3 -c "import json,sys; print(' '.join(sorted(f for p in json.load(open(sys.argv[1]))['programs'] for f in p.get('model_files', {}))))" "$r")"
rm -f "$r"

# A SCHED_FIFO 99 request is recorded in the model: the guest sees it in
# sched_getscheduler and in its (synthetic) /proc/self/stat policy field,
# while the host thread keeps SCHED_OTHER (checked with chrt below).
out=$("$SENTRY" run -- python3 -c '
import os, time, sys
os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(99))
print(os.sched_getscheduler(0), os.sched_getparam(0).sched_priority, flush=True)
print(open("/proc/self/stat").read().rsplit(")", 1)[1].split()[38], flush=True)
time.sleep(0.3)' 2>&1 &
)
sleep 0.1
check "guest sees SCHED_FIFO 99 in the syscalls and in /proc/self/stat" "1 99
1" "$out"
wait
# And from outside, while it runs: chrt reads the host's policy.
"$SENTRY" run -- python3 -c '
import os, time
os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(99))
print(os.getpid(), flush=True)
time.sleep(1)' > /tmp/machine_model.$$ &
for _ in $(seq 1 50); do [ -s /tmp/machine_model.$$ ] && break; sleep 0.05; done
pid=$(head -1 /tmp/machine_model.$$)
policy=$(chrt -p "$pid" | sed -n 's/.*scheduling policy: //p')
check "host policy of the guest thread (chrt)" SCHED_OTHER "$policy"
wait
rm -f /tmp/machine_model.$$

# busybox's cat copies with sendfile: from a model file that gives EINVAL and
# it falls back to read/write (a FUSE splice of a size-0 file gave nothing).
check "busybox cat /proc/self/status (sendfile)" "$(printf 'Name:\tbusybox')" \
  "$("$SENTRY" run -- busybox cat /proc/self/status 2>&1 | head -1)"
check "busybox cat /proc/cpuinfo under --cpus 2" 2 \
  "$("$SENTRY" run --cpus 2 -- busybox cat /proc/cpuinfo 2>&1 | grep -c ^processor)"

# ffmpeg sizes its x264 thread pool from the CPUs it sees.
threads() {
  r=$(mktemp)
  "$SENTRY" run --cpus "$1" --report "$r" -- ffmpeg -hide_banner -loglevel error -f lavfi -i testsrc=d=1 -c:v libx264 -f null - >/dev/null 2>&1
  python3 -c "import json,sys; print(sum(p['threads'] for p in json.load(open(sys.argv[1]))['programs']))" "$r"
  rm -f "$r"
}
t1=$(threads 1); t3=$(threads 3)
if [ "$t3" -gt "$t1" ]; then echo "ok: ffmpeg threads: $t1 with --cpus 1, $t3 with --cpus 3"; else echo "FAIL: ffmpeg threads do not follow --cpus ($t1 vs $t3)"; fail=1; fi
exit $fail
