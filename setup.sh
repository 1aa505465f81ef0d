#!/usr/bin/env bash
# One-time set-up on a fresh Debian/Ubuntu machine (run as root): the system packages the
# tracer, the tests and the real-consumer checks need, then the npm dependencies and the build.
set -euo pipefail
cd "$(dirname "$0")"

# strace: ground truth in tests and the benchmark peer. gcc/libc6-dev: C fixtures (int 0x80, x32).
# libseccomp-dev: compiles the `libseccomp` output. bubblewrap, runc: real consumers of our bpf/oci output.
# docker.io (dockerd, containerd), podman, conmon, crun: the container engines the container tests start
# themselves (test/container; dockerd on a private socket, stopped afterwards).
# python3, git, tar, coreutils, make: real workloads in the end-to-end tests (make: its jobserver fds
# pass through the profiler). systemd: systemd-analyze and systemd-socket-activate. python3-yaml:
# reads the k8s output as a YAML 1.1 reader (as go-yaml) does.
PACKAGES=(strace gcc libc6-dev libseccomp-dev libseccomp2 bubblewrap runc crun podman conmon docker.io containerd python3 python3-yaml git tar coreutils systemd bsdutils make)

missing=()
for pkg in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup.sh: missing packages (${missing[*]}); run as root or install them first" >&2
    exit 1
  fi
  echo "setup.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # /tmp is not world-writable on some of our machines: apt's sandbox user could not use it.
  apt-get -o APT::Sandbox::User=root update -qq
  apt-get -o APT::Sandbox::User=root install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund
