#!/usr/bin/env bash
# Prepares this machine for the Swarm tests (tests/Berth.Swarm.Tests, class SwarmEngineTests and friends):
# installs Debian's Docker Engine (20.10) and busybox-static if missing, starts dockerd if it is not answering,
# makes this node a single-node Swarm manager, and imports the busybox-based test image berth-test/busybox:1.
# Idempotent: safe to run before every test run, also when dockerd is already running. Needs root.
# Every step says what it did on stderr.
set -euo pipefail

image="berth-test/busybox:1"
log=/var/log/berth-dockerd.log

say() { echo "setup-swarm: $*" >&2; }

# /usr/local/bin/docker (CLI 28) comes first on PATH on these machines; Debian's engine speaks API 1.41 at most,
# which the newer CLI negotiates on its own. Use whichever docker CLI is first on PATH.
# Before apt-get: wait (at most 300 s, BERTH_APT_LOCK_TIMEOUT) for another package manager run to finish.
. "$(dirname "$0")/lib/apt-lock.sh"
need=()
why=()
if ! command -v dockerd >/dev/null 2>&1 || ! command -v docker >/dev/null 2>&1; then
  need+=(docker.io); why+=("docker.io (Debian's Docker Engine 20.10 and CLI: the Swarm manager the tests deploy to)")
fi
[ -x /bin/busybox ] || { need+=(busybox-static); why+=("busybox-static (/bin/busybox, the only binary in the test image berth-test/busybox:1)"); }
if [ "${#need[@]}" -gt 0 ]; then
  for w in "${why[@]}"; do say "will install $w"; done
  export DEBIAN_FRONTEND=noninteractive
  say "apt-get update, then apt-get install ${need[*]} (log: /tmp/berth-setup-swarm-apt.log)"
  : >/tmp/berth-setup-swarm-apt.log
  { berth_apt_get setup-swarm /tmp/berth-setup-swarm-apt.log update -qq && berth_apt_get setup-swarm /tmp/berth-setup-swarm-apt.log install -y -qq "${need[@]}"; } \
    || { cat /tmp/berth-setup-swarm-apt.log >&2; say "installing ${need[*]} failed (output above)"; exit 1; }
  say "installed ${need[*]}"
else
  say "docker.io and busybox-static already installed (nothing to install)"
fi

if docker info >/dev/null 2>&1; then
  say "dockerd already answering"
else
  say "starting dockerd (log: $log)"
  # setsid: the engine must outlive this script and the CI step that runs it.
  setsid dockerd >"$log" 2>&1 < /dev/null &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { say "dockerd did not answer within 60 s; last log lines:"; tail -20 "$log" >&2; exit 1; }
  say "dockerd answering"
fi

state="$(docker info --format '{{.Swarm.LocalNodeState}}/{{.Swarm.ControlAvailable}}')"
case "$state" in
  active/true) say "already a Swarm manager" ;;
  inactive/*)
    say "initialising a single-node Swarm (advertise 127.0.0.1)"
    docker swarm init --advertise-addr 127.0.0.1 >/dev/null
    ;;
  *) say "unexpected Swarm state '$state' (worker, pending or locked); fix it by hand"; exit 1 ;;
esac

if docker image inspect "$image" >/dev/null 2>&1; then
  say "image $image already present"
else
  say "importing $image from /bin/busybox"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/rootfs/bin" "$tmp/rootfs/tmp" "$tmp/rootfs/etc"
  cp /bin/busybox "$tmp/rootfs/bin/"
  for c in sh sleep httpd nc wget cat echo env ls id stat readlink true false test; do ln -sf busybox "$tmp/rootfs/bin/$c"; done
  tar -C "$tmp/rootfs" -c . | docker import --change 'ENV PATH=/bin' - "$image" >/dev/null
fi

docker image inspect "$image" >/dev/null
say "ready ($(docker version --format 'engine {{.Server.Version}}, API {{.Server.APIVersion}}'), Swarm manager, image $image)"
