#!/bin/sh
# make_rootfs.sh DIR [PROGRAM...]: a small root filesystem for OCI bundles
# and `podman import`, made from the host's own files: busybox with its
# applets, each PROGRAM given (with the shared libraries it needs and their
# loader), /etc/passwd and /etc/group. No network, no registry.
set -eu
dir=${1:?usage: make_rootfs.sh DIR [PROGRAM...]}
shift
bb=$(command -v busybox) || { echo "make_rootfs.sh: busybox is missing (apt-get install busybox)" >&2; exit 1; }
mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/proc" "$dir/sys" "$dir/dev" "$dir/root" "$dir/run" "$dir/var/tmp"
chmod 1777 "$dir/tmp" "$dir/var/tmp"
copy_with_libs() {
  src=$1 dst=$2
  mkdir -p "$(dirname "$dir$dst")"
  cp -L "$src" "$dir$dst"
  # The libraries and the loader (paths as the loader will look them up).
  ldd "$src" 2>/dev/null | awk '/=> \// { print $3 } /^\t\/[^ ]+ \(/ { print $1 }' | while read -r lib; do
    [ -e "$dir$lib" ] && continue
    mkdir -p "$dir$(dirname "$lib")"
    cp -L "$lib" "$dir$lib"
  done
}
copy_with_libs "$bb" /bin/busybox
for applet in $("$bb" --list); do
  [ -e "$dir/bin/$applet" ] || ln -s busybox "$dir/bin/$applet"
done
for p in "$@"; do
  path=$(command -v "$p") || { echo "make_rootfs.sh: $p not found" >&2; exit 1; }
  copy_with_libs "$path" "$path"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$dir/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$dir/etc/group"
echo "127.0.0.1 localhost" > "$dir/etc/hosts"
: > "$dir/etc/resolv.conf"
