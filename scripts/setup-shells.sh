#!/usr/bin/env bash
# Installs the shells whose completion scripts the tests drive for real (Berth.Swarm.Tests CompletionShellTests):
# zsh and fish (bash is always there; pwsh is not packaged for Debian, its script is checked as text).
# Idempotent: safe to run before every test run. Needs root (CI and developer machines run as root).
set -euo pipefail

need=()
command -v zsh >/dev/null 2>&1 || need+=(zsh)
command -v fish >/dev/null 2>&1 || need+=(fish)
if [ "${#need[@]}" -gt 0 ]; then
  echo "setup-shells: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
  apt-get install -y -qq -o DPkg::Lock::Timeout=300 "${need[@]}" >/tmp/berth-setup-shells-apt.log 2>&1 || { cat /tmp/berth-setup-shells-apt.log >&2; exit 1; }
fi

echo "setup-shells: ready ($(zsh --version | head -1), $(fish --version))" >&2
