#!/bin/bash
# Escape test: does `sentry run --root` keep a program inside its root and out
# of the read-only part of it, exactly as Linux does for a chroot?
#
# Usage: run_escape.sh SENTRY PROBE
#   SENTRY  the sentry binary
#   PROBE   escape_probe built statically (see escape_probe.cc)
#
# The probe runs twice over the same tree T/root:
#   native  chroot T/root in a private mount namespace where T/root is a
#           read-only bind mount, /w and /tmp are writable bind mounts of
#           their own, and /proc is a procfs. This is the reference: it is
#           what `--root T/root --rw /w --rw /tmp` promises.
#   sentry  SENTRY run --root T/root --rw /w --rw /tmp -- /bin/escape_probe
# and the two outputs (one "<case> <result>" line per escape or write
# attempt) must be identical. Also fatal: a LEAK line (the secret outside the
# root was read) in either output, and any change on the host to
# T/outside or to the read-only part of T/root.
#
# Exit: 0 identical, 1 different/leak/host change, 77 skipped (with the
# reason; the native reference needs root, mount namespaces and chroot).
# ESCAPE_NATIVE_ONLY=1 stops after printing the native output.
set -u

if [ $# -ne 2 ]; then echo "usage: $0 SENTRY PROBE" >&2; exit 2; fi
SENTRY=$(realpath -- "$1")
PROBE=$(realpath -- "$2")
[ -x "$PROBE" ] || { echo "FAIL: probe $2 is not executable"; exit 1; }

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" = 0 ] || skip "the native reference (chroot + bind mounts) needs root"
for tool in unshare mount chroot; do
  command -v "$tool" >/dev/null || skip "$tool is not installed"
done
unshare -m --propagation private true 2>/dev/null || skip "cannot create a mount namespace (unshare -m)"

T=$(mktemp -d "${TMPDIR:-/tmp}/escape.XXXXXX") || exit 1
trap 'rm -rf -- "$T"' EXIT
mkdir "$T/out"

# build_tree: (re)creates T/root and T/outside in their initial state.
build_tree() {
  rm -rf -- "$T/root" "$T/outside"
  mkdir -p "$T/root"/{bin,w,r,tmp,proc,dev,sys} "$T/outside"
  printf 'SECRET\n' > "$T/outside/secret"
  printf 'data\n' > "$T/root/r/data"
  ln -s /../../../../../outside/secret "$T/root/w/abs_out"
  ln -s ../../../../../../outside/secret "$T/root/w/rel_out"
  ln -s /r/data "$T/root/w/to_r"
  cp -- "$PROBE" "$T/root/bin/escape_probe"
  chmod 755 "$T/root/bin/escape_probe"
}

# snapshot: everything outside the writable areas, with content checksums,
# modes, owners and mtimes. Must be identical before and after each run.
snapshot() {
  (cd "$T" && find root outside \
     \( -path root/w -o -path root/tmp -o -path root/proc -o -path root/dev -o -path root/sys \) -prune -o -print0 |
     sort -z | xargs -0 stat -c '%n %F %a %u:%g %s %Y %N' &&
   find root outside \
     \( -path root/w -o -path root/tmp -o -path root/proc -o -path root/dev -o -path root/sys \) -prune -o -type f -print0 |
     sort -z | xargs -0 sha256sum)
}

# check_host LABEL BEFORE: the host side of the tree must not have changed.
host_ok=1
check_host() {
  local label=$1 before=$2
  snapshot > "$T/out/after_$label.txt"
  if ! diff -u "$before" "$T/out/after_$label.txt" > "$T/out/host_$label.diff"; then
    echo "FAIL: $label run changed the host tree outside /w and /tmp:"
    cat "$T/out/host_$label.diff"
    host_ok=0
  fi
  if [ "$(cat "$T/outside/secret")" != SECRET ] || [ "$(ls -A "$T/outside")" != secret ]; then
    echo "FAIL: $label run touched $T/outside"; host_ok=0
  fi
  if [ "$(cat "$T/root/r/data")" != data ] || [ "$(ls -A "$T/root/r")" != data ]; then
    echo "FAIL: $label run changed $T/root/r: $(ls -A "$T/root/r" | tr '\n' ' ')"; host_ok=0
  fi
}

# --- native reference -------------------------------------------------------
build_tree
snapshot > "$T/out/before_native.txt"
# Inside the namespace: a setup failure exits 77 (before the probe runs).
unshare -m --propagation private sh -c '
  R=$1
  { mount --bind "$R" "$R" &&
    mount --bind "$R/w" "$R/w" &&
    mount --bind "$R/tmp" "$R/tmp" &&
    mount -o remount,bind,ro "$R" &&
    mount -t proc proc "$R/proc"; } >&2 || { echo "native setup: mount failed" >&2; exit 77; }
  exec chroot "$R" /bin/escape_probe
' sh "$T/root" > "$T/out/native.txt" 2> "$T/out/native.err"
rc=$?
if [ $rc = 77 ]; then skip "$(cat "$T/out/native.err")"; fi
if [ $rc != 0 ] || ! tail -n1 "$T/out/native.txt" | grep -qx 'probe_end ok'; then
  echo "FAIL: native probe run failed (exit $rc):"; cat "$T/out/native.err" "$T/out/native.txt"; exit 1
fi
check_host native "$T/out/before_native.txt"
n=$(wc -l < "$T/out/native.txt")
if [ "${ESCAPE_NATIVE_ONLY:-0}" = 1 ]; then
  echo "native reference ($n lines):"; cat "$T/out/native.txt"
  grep -qw LEAK "$T/out/native.txt" && { echo "FAIL: native run leaked"; exit 1; }
  [ $host_ok = 1 ] || exit 1
  exit 0
fi

# --- sentry run (on a fresh copy of the same tree) ---------------------------
build_tree
snapshot > "$T/out/before_sentry.txt"
(cd "$T/root" && timeout -k 10 300 "$SENTRY" run --root "$T/root" --rw /w --rw /tmp -- /bin/escape_probe) \
  > "$T/out/sentry.txt" 2> "$T/out/sentry.err"
src=$?
check_host sentry "$T/out/before_sentry.txt"

# --- compare ------------------------------------------------------------------
fail=0
if [ $src != 0 ]; then
  echo "FAIL: sentry run exited with $src; its stderr:"; head -40 "$T/out/sentry.err"; fail=1
fi
if ! diff -u --label native "$T/out/native.txt" --label sentry "$T/out/sentry.txt"; then
  echo "FAIL: sentry's answers differ from the native chroot's (- native, + sentry)"; fail=1
fi
for side in native sentry; do
  if grep -w LEAK "$T/out/$side.txt"; then echo "FAIL: $side run read the secret outside the root"; fail=1; fi
done
[ $host_ok = 1 ] || fail=1
[ $fail = 0 ] && echo "ok: $n cases identical (native chroot vs sentry --root), no leak, host tree unchanged"
exit $fail
