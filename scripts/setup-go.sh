#!/usr/bin/env bash
# Installs Go (Debian's golang-go) if missing: the Helm chart tests (tests/Berth.Cli.Tests, HelmFormatTests) render
# `berth convert --format helm` charts with Go's text/template, the engine Helm uses, through
# tests/Berth.Cli.Tests/HelmRender/main.go (standard library only, nothing downloaded). Idempotent; needs root.
set -euo pipefail
# Before apt-get: wait (at most 300 s, BERTH_APT_LOCK_TIMEOUT) for another package manager run to finish.
. "$(dirname "$0")/lib/apt-lock.sh"

if ! command -v go >/dev/null 2>&1; then
  echo "setup-go: installing golang-go" >&2
  export DEBIAN_FRONTEND=noninteractive
  : >/tmp/berth-setup-go-apt.log
  { berth_apt_get setup-go /tmp/berth-setup-go-apt.log update -qq && berth_apt_get setup-go /tmp/berth-setup-go-apt.log install -y -qq golang-go; } \
    || { cat /tmp/berth-setup-go-apt.log >&2; exit 1; }
fi

echo "setup-go: ready ($(go version))" >&2
