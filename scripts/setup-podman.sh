#!/usr/bin/env bash
# Prepares this machine for the Podman tests (tests/Berth.Kubernetes.Verification.Tests, classes named *Podman*):
# installs podman + catatonit + busybox-static if missing, writes the containers.conf this sandbox needs,
# and imports the busybox-based test image if it is not there yet. Idempotent: safe to run before every test run.
# Needs root (CI and developer machines run as root).
set -euo pipefail

image="localhost/berth-test/busybox:1"

need=()
command -v podman >/dev/null 2>&1 || need+=(podman)
command -v catatonit >/dev/null 2>&1 || [ -x /usr/libexec/podman/catatonit ] || [ -x /usr/bin/catatonit ] || need+=(catatonit)
command -v runc >/dev/null 2>&1 || need+=(runc)
[ -x /bin/busybox ] || need+=(busybox-static)
if [ "${#need[@]}" -gt 0 ]; then
  echo "setup-podman: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq "${need[@]}" >/tmp/berth-setup-podman-apt.log 2>&1 || { cat /tmp/berth-setup-podman-apt.log >&2; exit 1; }
fi

# Without these ulimits every container fails with "error setting rlimit ... operation not permitted";
# the runtime is runc, as docs/ENVIRONMENT.md prescribes for this sandbox.
mkdir -p /etc/containers
printf '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=4096:4096"]\n[engine]\nruntime = "runc"\n' > /etc/containers/containers.conf

if ! podman image exists "$image"; then
  echo "setup-podman: importing $image from /bin/busybox" >&2
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/rootfs/bin" "$tmp/rootfs/tmp" "$tmp/rootfs/etc"
  cp /bin/busybox "$tmp/rootfs/bin/"
  for c in sh sleep httpd nc wget cat echo env ls id stat readlink; do ln -sf busybox "$tmp/rootfs/bin/$c"; done
  tar -C "$tmp/rootfs" -c . | podman import --change 'ENV PATH=/bin' - "$image" >&2
fi

podman image exists "$image"
echo "setup-podman: ready ($(podman --version), image $image)" >&2
