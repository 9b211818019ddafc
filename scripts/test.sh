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
dotnet build Berth.slnx -c Release --nologo -v quiet
# The Native AOT binary users run; NativeBinary* tests drive it (rebuilt only when src/ changed).
bash scripts/berth.sh --version > /dev/null
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
