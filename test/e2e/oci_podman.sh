#!/bin/bash
# podman with sentry as its OCI runtime (`podman --runtime build/sentry`), on
# an image imported from a root filesystem of the host's own files (no
# registry): run --rm, the CPUs a container sees (--cpus), hostname, exit
# codes, run -d / ps / logs / stop (SIGTERM, then SIGKILL after the timeout)
# / rm, exec, a published port with a volume.
set -u
sentry=$(readlink -f "$1")
here=$(cd "$(dirname "$0")/../.." && pwd)
[ "$(id -u)" = 0 ] || { echo "SKIP: podman's runtime tests run as root"; exit 77; }
command -v podman >/dev/null || { echo "SKIP: podman is not installed (scripts/setup.sh installs it)"; exit 77; }
work=$(mktemp -d /tmp/oci_podman.XXXXXX)
image=localhost/sentry-e2e-$$
P="podman --runtime $sentry"
cleanup() {
  podman rm -f sentry-e2e-d-$$ sentry-e2e-k-$$ sentry-e2e-w-$$ >/dev/null 2>&1
  podman rmi -f "$image" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
"$here/tools/oci/make_rootfs.sh" "$work/rootfs" || { echo "FAIL: cannot make a rootfs"; exit 1; }
tar -C "$work/rootfs" -c . | podman import - "$image" >/dev/null 2>&1 || { echo "FAIL: podman import"; exit 1; }
fail=0
check() {  # check WHAT GOT WANT
  if [ "$2" = "$3" ]; then echo "ok: $1: $2"; else echo "FAIL: $1: got '$2', want '$3'"; fail=1; fi
}

out=$(timeout 120 $P run --rm "$image" sh -c 'id; nproc; cat /proc/self/status | head -1' 2>&1)
check "run --rm: id" "$(echo "$out" | sed -n 1p)" "uid=0(root) gid=0(root)"
check "run --rm: nproc" "$(echo "$out" | sed -n 2p)" "$(nproc)"
check "run --rm: cat /proc/self/status | head" "$(echo "$out" | sed -n 3p)" "$(printf 'Name:\tcat')"
# The model's CPUs follow --cpus (the cgroup quota) and --cpuset-cpus.
check "--cpus 1: nproc" "$(timeout 120 $P run --rm --cpus 1 "$image" nproc 2>&1)" 1
check "--cpus 1: /proc/cpuinfo" "$(timeout 120 $P run --rm --cpus 1 "$image" grep -c ^processor /proc/cpuinfo 2>&1)" 1
check "--cpuset-cpus 0: nproc" "$(timeout 120 $P run --rm --cpuset-cpus 0 "$image" nproc 2>&1)" 1
check "--hostname" "$(timeout 120 $P run --rm --hostname box1 "$image" hostname 2>&1)" box1
timeout 120 $P run --rm "$image" sh -c 'exit 42' >/dev/null 2>&1
check "exit code" "$?" 42
timeout 120 $P run --rm "$image" sh -c 'kill -9 $$' >/dev/null 2>&1
check "killed by SIGKILL" "$?" 137

d=sentry-e2e-d-$$
timeout 120 $P run -d --name $d "$image" sh -c 'trap "echo got-term; exit 5" TERM; echo up; while :; do sleep 0.1; done' >/dev/null
sleep 1
check "run -d: ps" "$(podman ps --filter name=$d --format '{{.Status}}' | cut -d' ' -f1)" Up
check "run -d: logs" "$(podman logs $d 2>&1)" up
# exec: another program in the running container, supervised by its sentry.
check "exec: output" "$(timeout 60 $P exec $d sh -c 'echo from-exec; hostname' 2>&1 | head -1)" from-exec
timeout 60 $P exec $d sh -c 'exit 6' >/dev/null 2>&1
check "exec: exit code" "$?" 6
check "exec -u 1000 -e -w" "$(timeout 60 $P exec -u 1000 -e X=y -w /tmp $d sh -c 'echo $(id -u) $X $(pwd)' 2>&1)" "1000 y /tmp"
check "exec -t: a terminal of the container's devpts" "$(timeout 60 $P exec -t $d tty 2>&1 | tr -d '\r')" /dev/pts/0
timeout 120 $P stop -t 10 $d >/dev/null 2>&1
check "stop (SIGTERM): exit code" "$(podman inspect $d --format '{{.State.ExitCode}}')" 5
check "stop: logs" "$(podman logs $d 2>&1 | tr '\n' ' ')" "up got-term "
timeout 60 $P rm $d >/dev/null 2>&1
check "rm" "$(podman ps -a --filter name=$d --format '{{.Names}}')" ""

# A published port and a volume: busybox httpd in the container, curl from the host.
w=sentry-e2e-w-$$
port=$((20000 + $$ % 20000))
mkdir -p "$work/www" && echo served-by-sentry > "$work/www/index.html"
timeout 120 $P run -d --name $w -p 127.0.0.1:$port:8080 -v "$work/www:/www:ro" "$image" httpd -f -p 8080 -h /www >/dev/null
got=""
for _ in $(seq 50); do got=$(curl -s --max-time 2 "http://127.0.0.1:$port/index.html") && [ -n "$got" ] && break; sleep 0.2; done
check "-p and -v: the host fetches the container's page" "$got" served-by-sentry
timeout 60 podman rm -f $w >/dev/null 2>&1

k=sentry-e2e-k-$$
timeout 120 $P run -d --name $k "$image" sh -c 'trap "" TERM; while :; do sleep 0.1; done' >/dev/null
sleep 1
timeout 120 $P stop -t 1 $k >/dev/null 2>&1
check "stop of a container ignoring SIGTERM (SIGKILL after 1 s): exit code" "$(podman inspect $k --format '{{.State.ExitCode}}')" 137
timeout 60 $P rm $k >/dev/null 2>&1
check "no container state left in /run/sentry" "$(ls /run/sentry 2>/dev/null | grep -c .)" 0
exit $fail
