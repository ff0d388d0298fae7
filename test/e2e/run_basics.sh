#!/bin/bash
# sentry run: output, exit status, signals, and clear errors for bad input.
# Usage: run_basics.sh SENTRY
set -u
SENTRY=$1
fail=0
check() {  # check DESCRIPTION EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then echo "FAIL: $1: expected [$2], got [$3]"; fail=1; else echo "ok: $1"; fi
}

out=$("$SENTRY" run -- /bin/sh -c 'which ffmpeg'); check "which ffmpeg" /usr/bin/ffmpeg "$out"
"$SENTRY" run -- /bin/sh -c 'exit 7'; check "exit status" 7 $?
"$SENTRY" run -- /bin/sh -c 'kill -KILL $$'; check "killed by SIGKILL" 137 $?
"$SENTRY" run -- /bin/sh -c 'kill -TERM $$'; check "killed by SIGTERM" 143 $?
"$SENTRY" run -- no-such-program-xyz 2>/dev/null; check "command not found" 127 $?
err=$("$SENTRY" run -- no-such-program-xyz 2>&1 >/dev/null); check "not-found message" "sentry: no-such-program-xyz: command not found" "$err"
"$SENTRY" run -- /etc/passwd 2>/dev/null; check "not executable" 126 $?
"$SENTRY" run --platform ptrace -- /bin/sh -c 'exit 5'; check "ptrace platform exit status" 5 $?
out=$("$SENTRY" run --platform ptrace -- /bin/sh -c 'echo hi | cat'); check "ptrace platform pipeline" hi "$out"
# stdin reaches the guest; a fork/exec tree with a pipeline works.
out=$(printf 'a\nb\nc\n' | "$SENTRY" run -- /bin/sh -c 'sort -r | head -n 1'); check "stdin and pipeline" c "$out"
# A guest that execs from a non-leader thread (python os.execv in a thread).
if command -v python3 >/dev/null; then
  out=$("$SENTRY" run -- python3 -c '
import os, threading
def f(): os.execv("/bin/echo", ["echo", "exec-from-thread"])
t = threading.Thread(target=f); t.start(); t.join()'); check "execve from a non-leader thread" exec-from-thread "$out"
fi
# The trace shows calls with how they were served.
trace=$("$SENTRY" run --trace -- /bin/true 2>&1 >/dev/null)
echo "$trace" | grep -q 'execve("/bin/true"' || { echo "FAIL: trace lacks execve line"; echo "$trace" | head; fail=1; }
echo "$trace" | grep -q '<forwarded>' || { echo "FAIL: trace lacks served kind"; fail=1; }
# What a call wrote is shown after it returns: read's bytes, and the events
# of a (forwarded) epoll_wait with the guest's own data.
trace=$("$SENTRY" run --trace -- head -c 5 /etc/passwd 2>&1 >/dev/null)
echo "$trace" | grep -q 'read([0-9]*, "root:' || { echo "FAIL: trace lacks read's data"; echo "$trace" | grep 'read(' | head -3; fail=1; }
tracefile=$(mktemp)
out=$("$SENTRY" run -o "$tracefile" -- python3 -c '
import os, select
r, w = os.pipe()
e = select.epoll()
e.register(r, select.EPOLLIN)
os.write(w, b"x")
print(r, e.poll(0))')
trace=$(cat "$tracefile"); rm -f "$tracefile"
fd=$(echo "$out" | sed -n 's/^\([0-9]*\) \[(.*/\1/p' | head -1)
line=$(echo "$trace" | grep 'epoll_wait(' | grep '= 1 ' | head -1)
data=$(echo "$line" | sed -n 's/.*\[{events=EPOLLIN, data=0x\([0-9a-f]*\)}\].*/\1/p')
# Python sets epoll_data.fd, the union's low 32 bits; the rest is whatever
# its stack held.
if [ -z "$fd" ] || [ -z "$data" ] || [ "$(( 0x$data & 0xffffffff ))" != "$fd" ]; then
  echo "FAIL: epoll_wait trace line [$line]: want the event with the guest's data (data.fd = $fd, as Python registers it)"; fail=1
else
  echo "ok: epoll_wait trace shows the event with the guest's data (fd $fd)"
fi
# A call the filter refuses by its argument (a set-ID bit, DENY_WHEN) is seen
# and recorded as denied when the run observes calls.
d=$(mktemp -d)
trace=$(cd "$d" && "$SENTRY" run --trace --report "$d/r.json" -- sh -c 'touch f; chmod 4755 f' 2>&1 >/dev/null)
if echo "$trace" | grep -qE 'fchmodat\(AT_FDCWD, "f", 04755\) = -1 EPERM .*<denied>' &&
   python3 -c "import json,sys; sys.exit(0 if 'denied' in json.dumps(json.load(open('$d/r.json'))) else 1)"; then
  echo "ok: a refused set-ID chmod is traced and reported as denied"
else
  echo "FAIL: refused chmod: $(echo "$trace" | grep chmod)"; fail=1
fi
rm -rf "$d"
exit $fail
