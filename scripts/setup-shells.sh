#!/usr/bin/env bash
# Installs the shells whose completion scripts the tests drive for real (Berth.Swarm.Tests CompletionShellTests):
# zsh and fish (bash is always there; pwsh is not packaged for Debian, its script is checked as text).
# Idempotent: safe to run before every test run. Needs root (CI and developer machines run as root).
set -euo pipefail
# Before apt-get: wait (at most 300 s, BERTH_APT_LOCK_TIMEOUT) for another package manager run to finish.
. "$(dirname "$0")/lib/apt-lock.sh"

need=()
command -v zsh >/dev/null 2>&1 || need+=(zsh)
command -v fish >/dev/null 2>&1 || need+=(fish)
if [ "${#need[@]}" -gt 0 ]; then
  echo "setup-shells: installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  : >/tmp/berth-setup-shells-apt.log
  { berth_apt_get setup-shells /tmp/berth-setup-shells-apt.log update -qq && berth_apt_get setup-shells /tmp/berth-setup-shells-apt.log install -y -qq "${need[@]}"; } \
    || { cat /tmp/berth-setup-shells-apt.log >&2; exit 1; }
fi

echo "setup-shells: ready ($(zsh --version | head -1), $(fish --version))" >&2
