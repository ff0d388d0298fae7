#!/bin/sh
# The guest's filesystem view from the command line (issue 5):
#  1. `sentry run --rw ./out -- ffmpeg ... -f hls ./out/x.m3u8` leaves complete,
#     playable segments on the host (stream_check against the same encode run
#     natively), while the working directory itself is read-only (EROFS).
#  2. mkdir -p / O_TRUNC / unlink / rmdir of nested directories in a writable
#     bind mount (--bind HOST:GUEST, the fs_namespace_ops conformance program
#     run inside it), and a read-only bind (:ro) refusing writes.
#  3. --root: a guest root holding busybox and its libraries sees only its own
#     tree (ls /), runs programs from it (exec resolves in the guest's tree),
#     /proc/self/exe names the guest path, writes outside --rw fail, and
#     program interpreters (#!, PT_INTERP) are the root's, never the host's.
# Usage: vfs_views.sh SENTRY NAMESPACE_OPS_PROGRAM
set -u
SENTRY=$1
NSOPS=$2
SRC_DIR=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1"; fail=1; }

for tool in ffmpeg busybox; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (scripts/setup.sh installs it)"; exit 77; }
done

# ---- 1. --rw ./out with ffmpeg writing HLS.
mkdir -p "$T/work/out" "$T/native"
ENC="-loglevel error -f lavfi -i testsrc=d=3:s=320x240:r=25 -c:v libx264 -preset ultrafast -g 25 -threads 1 -f hls -hls_time 1"
(cd "$T/native" && ffmpeg $ENC ./x.m3u8) || bad "native ffmpeg"
if (cd "$T/work" && "$SENTRY" run --rw ./out -- ffmpeg $ENC ./out/x.m3u8); then
  if "$SRC_DIR/tools/stream_check.py" --hls "$T/work/out/x.m3u8" --mode reencode --reference "$T/native/x.m3u8" >"$T/check.txt" 2>&1; then
    ok "ffmpeg HLS under --rw ./out is complete and equals the native encode ($(ls "$T/work/out" | wc -l) files)"
  else
    bad "stream_check: $(cat "$T/check.txt")"
  fi
else
  bad "sentry run --rw ./out -- ffmpeg failed"
fi
msg=$(cd "$T/work" && "$SENTRY" run --rw ./out -- sh -c 'echo x > here.txt' 2>&1)
if [ -e "$T/work/here.txt" ]; then bad "the working directory was writable outside --rw"
elif echo "$msg" | grep -q "Read-only file system"; then ok "cwd outside --rw: EROFS ($msg)"
else bad "unexpected message for a write outside --rw: $msg"; fi

# A granted place below a directory the guest may not search ($T is a 0700
# mktemp directory of host root's): reached by its absolute path through a
# searchable skeleton of $T, whose other entries keep their own permissions
# (a 0644 sibling is readable, a 0600 one is not).
mkdir -p "$T/deep/place" && echo open > "$T/sibling" && echo private > "$T/private" && chmod 600 "$T/private"
chmod 700 "$T"
out=$(cd / && "$SENTRY" run --rw "$T/deep/place" -- sh -c "echo in > $T/deep/place/f && cat $T/deep/place/f; cat $T/sibling; cat $T/private" 2>&1)
if [ "$(cat "$T/deep/place/f" 2>/dev/null)" = in ] && echo "$out" | grep -qx open && ! echo "$out" | grep -qx private \
   && echo "$out" | grep -q "Permission denied"; then
  ok "a place below an unsearchable directory is reachable by its path; its siblings keep their permissions"
else
  bad "place below an unsearchable directory: $out"
fi
rm -f "$T/private" "$T/sibling"

# ---- 2. Writable and read-only bind mounts.
mkdir -p "$T/wbind" "$T/robind"
echo data > "$T/robind/f"
if "$SENTRY" run --bind "$T/wbind:/mnt/wbind" -- sh -c "cd /mnt/wbind && exec $NSOPS" >"$T/nsops.txt" 2>&1; then
  ok "fs_namespace_ops passes inside a writable bind ($(tail -1 "$T/nsops.txt"))"
else
  bad "fs_namespace_ops in a writable bind: $(cat "$T/nsops.txt")"
fi
[ -z "$(ls -A "$T/wbind")" ] || bad "fs_namespace_ops left files in the bind: $(ls -A "$T/wbind")"
out=$("$SENTRY" run --bind "$T/robind:/mnt/ro:ro" -- sh -c 'cat /mnt/ro/f; echo y >> /mnt/ro/f; rm /mnt/ro/f; mkdir /mnt/ro/d' 2>&1)
if [ "$(cat "$T/robind/f")" = data ] && [ ! -e "$T/robind/d" ] && [ "$(echo "$out" | grep -c 'Read-only file system')" -eq 3 ]; then
  ok "read-only bind: readable, three writes refused with EROFS"
else
  bad "read-only bind: $out"
fi

# ---- 3. --root with a busybox tree.
R="$T/root"
mkdir -p "$R/bin" "$R/tmp" "$R/w" "$R/etc"
cp "$(command -v busybox)" "$R/bin/busybox"
for lib in $(ldd "$(command -v busybox)" | awk '/=>/ {print $3} /ld-linux/ {print $1}'); do
  mkdir -p "$R$(dirname "$lib")"
  cp "$lib" "$R$lib"
done
ln -s busybox "$R/bin/sh"
echo guest-etc > "$R/etc/marker"
run_root() { (cd "$T" && "$SENTRY" run --root "$R" --rw /w --rw /tmp -- /bin/busybox sh -c "$1" 2>&1); }
# The kernel's /dev, /proc and /sys are mounted in the guest's root (made
# in a skeleton of it when the tree lacks them).
listing=$(run_root 'busybox ls /' | tr '\n' ' ')
expected=$( (ls "$R"; printf 'dev\nproc\nsys\n') | sort -u | tr '\n' ' ')
[ "$listing" = "$expected" ] && ok "ls / in the guest root: $listing" || bad "ls /: '$listing', want '$expected'"
[ "$(run_root 'busybox cat /etc/marker')" = guest-etc ] && ok "/etc is the guest's" || bad "/etc/marker not the guest's"
[ "$(run_root 'busybox readlink /proc/self/exe')" = /bin/busybox ] && ok "/proc/self/exe is the guest path" \
  || bad "/proc/self/exe: $(run_root 'busybox readlink /proc/self/exe')"
[ "$(run_root '/bin/sh -c "echo exec-ok"')" = exec-ok ] && ok "exec of /bin/sh resolves in the guest root" \
  || bad "exec /bin/sh in the root: $(run_root '/bin/sh -c "echo exec-ok"')"
[ "$(run_root 'cd /w && busybox mkdir -p a/b/c && echo hi > a/b/c/f && busybox cat /w/a/b/c/f && busybox rm -r a')" = hi ] \
  && ok "mkdir -p / write / rm -r in --rw /w" || bad "writes in /w"
out=$(run_root 'echo x > /etc/new; busybox mkdir /bin/d; busybox rm /etc/marker')
if [ "$(echo "$out" | grep -c 'Read-only file system')" -eq 3 ] && [ -e "$R/etc/marker" ] && [ ! -e "$R/etc/new" ]; then
  ok "writes outside --rw in the root: EROFS"
else
  bad "writes outside --rw: $out"
fi
[ "$(run_root 'cd /; cd ../../..; busybox pwd; busybox ls .. | busybox wc -l')" = "/
$( (ls "$R"; printf 'dev\nproc\nsys\n') | sort -u | wc -l)" ] && ok "cd ../../.. stays at the guest root" || bad "cd .. chain: $(run_root 'cd ../../..; busybox pwd')"

# The guest's mount namespace: its root and --rw places, and the kernel's
# filesystems of its own namespaces.
points=$(run_root 'busybox cat /proc/self/mountinfo' | awk '{print $5 ":" $6}' | cut -d, -f1 | tr '\n' ' ')
missing=""
for want in /:ro /w:rw /tmp:rw /proc:rw /proc/sys:ro /sys:ro /dev:ro /dev/shm:rw /dev/pts:rw; do
  case " $points" in *" $want "*) ;; *) missing="$missing $want" ;; esac
done
[ -z "$missing" ] && ok "mountinfo is the guest's namespace: $points" || bad "mountinfo lacks$missing: $points"
# Interpreters come from the guest's tree: a #! script runs the root's
# /bin/sh (busybox here, dash on the host), and a dynamic program needs the
# root's own loader (without it, exec fails although the host has one).
printf '#!/bin/sh\nbusybox readlink /proc/$$/exe\n' > "$R/w/script"
chmod 755 "$R/w/script"
[ "$(run_root '/w/script')" = /bin/busybox ] && ok "a #! script runs the root's /bin/sh" \
  || bad "#! interpreter: $(run_root '/w/script')"
loader=$(ldd "$(command -v busybox)" | awk '/ld-linux/ {print $1}')
mv "$R$loader" "$R$loader.away"
out=$(cd "$T" && "$SENTRY" run --root "$R" -- /bin/busybox true 2>&1)
mv "$R$loader.away" "$R$loader"
case "$out" in
  *"No such file or directory"*) ok "without the root's own loader the program does not run (the host's $loader is not used)" ;;
  *) bad "a root without its loader: $out" ;;
esac
libc=$(run_root 'busybox grep -m1 libc.so /proc/self/maps' | awk '{print $6}')
case "$libc" in
  /lib/*|/usr/lib/*) ok "maps shows guest paths ($libc)" ;;
  *) bad "maps path of libc: '$libc'" ;;
esac

exit $fail
