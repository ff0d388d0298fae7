#!/bin/bash
# sentry diff: a program that behaves the same natively and under sentry is OK
# (exit 0); one printing its pid differs on stdout (exit 1) unless masked.
# Usage: diff_smoke.sh SENTRY
set -u
SENTRY=$1
command -v strace >/dev/null || { echo "skip: strace is not installed"; exit 77; }
# The guest is no host root: a PATH entry only root may search (root's own
# ~/.cargo/bin) answers EACCES under sentry where natively it is ENOENT. The
# programs here are found in the system's directories.
export PATH=/usr/local/bin:/usr/bin:/bin
fail=0
check() {  # check DESCRIPTION EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then echo "FAIL: $1: expected [$2], got [$3]"; fail=1; else echo "ok: $1"; fi
}
expect_in() {  # expect_in DESCRIPTION PATTERN TEXT
  if printf '%s\n' "$3" | grep -qE -- "$2"; then echo "ok: $1"; else
    echo "FAIL: $1: no [$2] in:"; printf '%s\n' "$3" | head -40; fail=1; fi
}

out=$("$SENTRY" diff -- /bin/sh -c 'echo hi; ls /nonexistent; exit 3'); rc=$?
check "same program: exit status" 0 "$rc"
expect_in "same program: says OK" '^OK: ' "$out"
expect_in "same program: both exited with 3" 'native: exited with 3' "$out"

# The pid is printed at a fixed width: the guest's (its namespace's, small)
# and the native one then differ only in digits, which --mask hides.
pidprog='printf "pid %08d\n" $$; echo done'
out=$("$SENTRY" diff -- /bin/sh -c "$pidprog"); rc=$?
check "pid printed: exit status" 1 "$rc"
expect_in "pid printed: says DIFFERENT" '^DIFFERENT: .*stdout' "$out"
expect_in "pid printed: native stdout line" '^-pid [0-9]+$' "$out"
expect_in "pid printed: sentry stdout line" '^\+pid [0-9]+$' "$out"

out=$("$SENTRY" diff --mask '[0-9]+' -- /bin/sh -c "$pidprog"); rc=$?
check "pid masked: exit status" 0 "$rc"
expect_in "pid masked: says OK" '^OK: ' "$out"

# Files written into the scratch dir are compared; its path prints as <scratch>.
out=$("$SENTRY" diff -- /bin/sh -c 'echo x > f; mkdir d; echo $PWD; pwd'); rc=$?
check "scratch files and path: exit status" 0 "$rc"
out=$("$SENTRY" diff --no-syscalls -- /bin/sh -c 'echo $$ > f'); rc=$?
check "file content differs: exit status" 1 "$rc"
expect_in "file content differs: shown" '^  f: native file, ' "$out"

out=$("$SENTRY" diff --json -- /bin/sh -c 'exit 5'); rc=$?
check "json: exit status" 0 "$rc"
expect_in "json: equal" '"equal": true' "$out"

"$SENTRY" diff >/dev/null 2>&1; check "no program: usage error" 2 $?
"$SENTRY" diff --mask '(' -- /bin/true >/dev/null 2>&1; check "bad mask: usage error" 2 $?
err=$(env PATH=/nonexistent "$SENTRY" diff -- /bin/true 2>&1 >/dev/null); rc=$?
check "strace missing: exit status" 2 "$rc"
expect_in "strace missing: message" 'strace not found' "$err"
exit $fail
