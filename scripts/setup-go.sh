#!/usr/bin/env bash
# Installs Go (Debian's golang-go) if missing: the Helm chart tests (tests/Berth.Cli.Tests, HelmFormatTests) render
# `berth convert --format helm` charts with Go's text/template, the engine Helm uses, through
# tests/Berth.Cli.Tests/HelmRender/main.go (standard library only, nothing downloaded). Idempotent; needs root.
set -euo pipefail

if ! command -v go >/dev/null 2>&1; then
  echo "setup-go: installing golang-go" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Other setup scripts or unattended upgrades may hold the dpkg lock: wait for it rather than fail.
  apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq golang-go >/tmp/berth-setup-go-apt.log 2>&1 || { cat /tmp/berth-setup-go-apt.log >&2; exit 1; }
fi

echo "setup-go: ready ($(go version))" >&2
