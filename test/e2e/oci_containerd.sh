#!/bin/bash
# containerd with sentry as the runc binary of its runc v2 shim
# (`ctr run --runtime io.containerd.runc.v2 --runc-binary build/sentry`): a
# private containerd (its own root, state and socket) imports an image made
# from the host's files and runs containers to completion.
set -u
sentry=$(readlink -f "$1")
here=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "SKIP: containerd runs as root"; exit 77; }
for tool in containerd ctr podman; do
  command -v $tool >/dev/null || { echo "SKIP: $tool is not installed (scripts/setup.sh installs it)"; exit 77; }
done
work=$(mktemp -d /tmp/oci_containerd.XXXXXX)
sock=$work/containerd.sock
containerd --root "$work/root" --state "$work/state" --address "$sock" > "$work/containerd.log" 2>&1 &
daemon=$!
image=localhost/sentry-ctr-$$
cleanup() {
  kill $daemon 2>/dev/null; wait $daemon 2>/dev/null
  podman rmi -f "$image" >/dev/null 2>&1
  umount -R "$work"/root/* 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
C="ctr --address $sock"
for _ in $(seq 50); do $C version >/dev/null 2>&1 && break; sleep 0.2; done
"$here/tools/oci/make_rootfs.sh" "$work/rootfs" || { echo "FAIL: cannot make a rootfs"; exit 1; }
tar -C "$work/rootfs" -c . | podman import - "$image" >/dev/null 2>&1 &&
  podman save --format oci-archive -o "$work/image.tar" "$image" >/dev/null 2>&1 &&
  $C image import --base-name "$image" "$work/image.tar" >/dev/null 2>&1 || { echo "FAIL: image import"; exit 1; }
fail=0
check() {
  if [ "$2" = "$3" ]; then echo "ok: $1: $2"; else echo "FAIL: $1: got '$2', want '$3'"; fail=1; fi
}
R="$C run --rm --runtime io.containerd.runc.v2 --runc-binary $sentry"
out=$(timeout 120 $R "$image:latest" t1 sh -c 'id; nproc; touch /run/x && echo run-writable' 2>&1)
check "ctr run: id" "$(echo "$out" | sed -n 1p)" "uid=0(root) gid=0(root)"
check "ctr run: nproc" "$(echo "$out" | sed -n 2p)" "$(nproc)"
check "ctr run: containerd's tmpfs /run" "$(echo "$out" | sed -n 3p)" run-writable
timeout 120 $R "$image:latest" t2 sh -c 'exit 3' >/dev/null 2>&1
check "ctr run: exit code" "$?" 3
check "no container left" "$($C containers ls -q | grep -c .)" 0
exit $fail
