#!/usr/bin/env bash
# Runs Berth's whole test suite (the README's test command; .ci/run calls this).
# Needs the .NET 10 SDK and root (it installs and starts the real engines the tests use: podman for
# `podman kube play`, dockerd in Swarm mode for the stack tests). Tests that compare with `docker stack config` use the docker CLI (/usr/local/bin/docker).
set -euo pipefail
cd "$(dirname "$0")/.."
# Real engines the tests drive (idempotent; they install packages on a fresh Debian machine, so run as root).
bash scripts/setup-podman.sh
bash scripts/setup-swarm.sh
bash scripts/setup-go.sh
bash scripts/setup-shells.sh
bash scripts/setup-etcd.sh
bash scripts/setup-chromium.sh
bash scripts/setup-postgres.sh
bash scripts/setup-registry.sh
dotnet build Berth.slnx -c Release --nologo -v quiet
# The Native AOT binary users run; NativeBinary* tests drive it (rebuilt only when src/ changed).
bash scripts/berth.sh --version > /dev/null
# Chromium (the console's browser tests) aborts its requests in flight, even to 127.0.0.1, whenever an interface on
# this host gains an address (net::ERR_NETWORK_CHANGED, crbug.com/41465264), and every Swarm task the tests start adds
# a veth that gets an IPv6 link-local address. While the tests run, new interfaces get no IPv6 address; existing ones,
# loopback included, keep theirs, and the setting is put back on exit.
ipv6_default=/proc/sys/net/ipv6/conf/default/disable_ipv6
if [ -w "$ipv6_default" ]; then
  ipv6_was="$(cat "$ipv6_default")"
  trap 'echo "$ipv6_was" > "$ipv6_default"' EXIT
  echo 1 > "$ipv6_default"
  echo "test.sh: new network interfaces get no IPv6 address until the tests end (was disable_ipv6=$ipv6_was)"
fi
log="$(mktemp)"
status=0
dotnet test --solution Berth.slnx -c Release --no-build "$@" 2>&1 | tee "$log" || status=$?
# One plain summary line for humans and CI logs.
passed=$(grep -E '^\s+succeeded: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
failed=$(grep -E '^\s+failed: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
skipped=$(grep -E '^\s+skipped: [0-9]+' "$log" | tail -1 | grep -oE '[0-9]+' || echo 0)
rm -f "$log"
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
exit "$status"
