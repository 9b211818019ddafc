#!/usr/bin/env bash
# Prepares this machine for the Podman tests (tests/Berth.Kubernetes.Verification.Tests, classes named *Podman*):
# installs podman + catatonit + busybox-static if missing, writes the containers.conf this sandbox needs,
# and imports the busybox-based test image if it is not there yet. Idempotent: safe to run before every test run.
# Needs root (CI and developer machines run as root).
set -euo pipefail

image="localhost/berth-test/busybox:1"

say() { echo "setup-podman: $*" >&2; }

# Before apt-get: wait (at most 300 s, BERTH_APT_LOCK_TIMEOUT) for another package manager run to finish.
. "$(dirname "$0")/lib/apt-lock.sh"
need=()
why=()
command -v podman >/dev/null 2>&1 || { need+=(podman); why+=("podman (runs 'podman kube play' on Berth's Kubernetes output in the verification tests)"); }
command -v catatonit >/dev/null 2>&1 || [ -x /usr/libexec/podman/catatonit ] || [ -x /usr/bin/catatonit ] \
  || { need+=(catatonit); why+=("catatonit (the init process podman starts in each pod)"); }
command -v runc >/dev/null 2>&1 || { need+=(runc); why+=("runc (the OCI runtime podman uses in this sandbox)"); }
[ -x /bin/busybox ] || { need+=(busybox-static); why+=("busybox-static (/bin/busybox, the only binary in the test image $image)"); }
if [ "${#need[@]}" -gt 0 ]; then
  for w in "${why[@]}"; do say "will install $w"; done
  export DEBIAN_FRONTEND=noninteractive
  say "apt-get update, then apt-get install ${need[*]} (log: /tmp/berth-setup-podman-apt.log)"
  : >/tmp/berth-setup-podman-apt.log
  { berth_apt_get setup-podman /tmp/berth-setup-podman-apt.log update -qq && berth_apt_get setup-podman /tmp/berth-setup-podman-apt.log install -y -qq "${need[@]}"; } \
    || { cat /tmp/berth-setup-podman-apt.log >&2; say "installing ${need[*]} failed (output above)"; exit 1; }
  say "installed ${need[*]}"
else
  say "podman, catatonit, runc and busybox-static already installed (nothing to install)"
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
