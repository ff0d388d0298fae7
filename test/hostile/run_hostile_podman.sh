#!/bin/bash
# The hostile-guest set inside containers that podman starts with sentry as
# its OCI runtime: run_hostile.sh, unchanged, judges every attack from the
# host; only the way the guest is started differs.
#
# Usage: run_hostile_podman.sh SENTRY GUEST [--platform unotify|ptrace]
#
# run_hostile.sh runs `SENTRY run [--platform P] [--pids-limit N] -- CMD...`
# for each attack. Here SENTRY is a launcher written below that runs
#     podman --runtime SENTRY run --rm -i --uidmap 0:B:65536 --gidmap 0:B:65536
#            -v /var/tmp:/var/tmp:ro -v /tmp:/tmp -w $PWD [--annotation dev.sentry.platform=P] [--pids-limit N] IMAGE CMD...
# IMAGE is a busybox root filesystem with /usr/bin/env (tools/oci/make_rootfs.sh).
# The volumes give the container what `sentry run` shows a guest by default
# and what the attacks aim at: the planted files under /var/tmp (read-only)
# and a writable /tmp that holds the attack's working directory. Everything
# else is podman's defaults: its network (a bridge), its /etc/hosts, its
# cgroup, the container's own writable root.
#
# Differences from `sentry run` that the verdicts inherit:
#   * @SENTRY@ (the pid the "sentry itself" attacks aim at) is podman's pid,
#     the process that started the sandbox; the container's sentry (the
#     monitor, a child of conmon) has a pid the guest is never told;
#   * podman holds the runner's fd 9 and environment; neither reaches the
#     runtime, so the sentry-fd and sentry-env secrets are out of reach by
#     construction;
#   * the terminal attacks run with podman -i (no -t): the container's stdin
#     is conmon's pipe, not the host's pty.
set -u
[ $# -ge 2 ] || { echo "usage: $0 SENTRY GUEST [--platform unotify|ptrace]" >&2; exit 2; }
SENTRY=$(realpath -- "$1")
GUEST=$(realpath -- "$2")
shift 2
PLATFORM=unotify
if [ "${1:-}" = --platform ]; then PLATFORM=${2:?}; shift 2; fi
HERE=$(dirname -- "$(realpath -- "$0")")
ROOT=$(cd "$HERE/../.." && pwd)

[ "$(id -u)" = 0 ] || { echo "SKIP: needs host root (podman's runtime tests run as root)"; exit 77; }
command -v podman >/dev/null || { echo "SKIP: podman is not installed (scripts/setup.sh installs it)"; exit 77; }

# The launcher and the image's files live where no guest can write
# (/var/tmp is read-only in the container; the directory is 0755 root).
D=$(mktemp -d /var/tmp/hostile-podman.XXXXXX)
chmod 755 "$D"
IMAGE=localhost/sentry-hostile-$$
cleanup() {
  podman ps -a --filter label=sentry-hostile=$$ --format '{{.ID}}' | xargs -r podman rm -f >/dev/null 2>&1
  podman rmi -f "$IMAGE" >/dev/null 2>&1
  rm -rf -- "$D"
}
trap cleanup EXIT
"$ROOT/tools/oci/make_rootfs.sh" "$D/rootfs" || { echo "FAIL: cannot make a rootfs"; exit 1; }
mkdir -p "$D/rootfs/usr/bin" && ln -sf /bin/busybox "$D/rootfs/usr/bin/env"
tar -C "$D/rootfs" -c . | podman import - "$IMAGE" >/dev/null 2>&1 || { echo "FAIL: podman import"; exit 1; }
rm -rf -- "$D/rootfs"

# The container's root is an unprivileged host uid (what `sentry run` gives a
# guest). Without a user namespace podman asks for what runc gives: the
# container's root has host root's access to the files of its volumes, and
# sentry's idmapped binds give exactly that (docs/oci.md).
BASE=2000000000
cat > "$D/sentry" <<EOF
#!/bin/bash
# run_hostile.sh's SENTRY: \`run [--platform P] [--pids-limit N] -- CMD...\` as a podman container.
[ "\${1:-}" = run ] || { echo "\$0: only run" >&2; exit 2; }
shift
[ "\${1:-}" = --help ] && exec podman run --help
opts=(--annotation dev.sentry.platform=$PLATFORM)
while [ \$# -gt 0 ] && [ "\$1" != -- ]; do
  case \$1 in
    --platform) opts+=(--annotation "dev.sentry.platform=\$2"); shift 2 ;;
    --pids-limit) opts+=(--pids-limit "\$2"); shift 2 ;;
    *) echo "\$0: no podman equivalent for \$1" >&2; exit 2 ;;
  esac
done
shift
exec podman --runtime "$SENTRY" run --rm -i --label sentry-hostile=$$ \\
  --uidmap 0:$BASE:65536 --gidmap 0:$BASE:65536 -v /var/tmp:/var/tmp:ro -v /tmp:/tmp -w "\$PWD" "\${opts[@]}" "$IMAGE" "\$@"
EOF
chmod 755 "$D/sentry"
"$HERE/run_hostile.sh" "$D/sentry" "$GUEST"
