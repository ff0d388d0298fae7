#!/bin/bash
# Installs sentry's build and test dependencies (Debian 12, as root) and builds.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends \
    g++ cmake make pkg-config \
    libseccomp-dev libboost-dev libspdlog-dev libcli11-dev catch2 nlohmann-json3-dev \
    libbenchmark-dev libfuse3-dev ffmpeg strace python3 procps busybox nginx-light libnginx-mod-rtmp \
    xxd iproute2 util-linux \
    podman runc containerd netavark aardvark-dns iptables uidmap catatonit curl >/dev/null
fi
# sentry serves the model's /proc and /sys files through FUSE. Debian's udev
# makes /dev/fuse mode 0666 (ordinary users mount FUSE filesystems, a rootless
# sentry among them); a machine without udev keeps the kernel's 0600.
if [ "$(id -u)" -eq 0 ] && [ -c /dev/fuse ] && [ "$(stat -c %a /dev/fuse)" != 666 ]; then
  chmod 0666 /dev/fuse
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2
