#!/usr/bin/env bash
# Installs Debian's docker-registry (the CNCF distribution registry, 2.8) and apache2-utils (htpasswd, for bcrypt
# password files) for the image digest tests (tests/Berth.Registry.Tests): each test class starts its own
# `docker-registry serve CONFIG` on a free loopback port with a temp storage folder (RegistryServer.cs), so this
# script installs only; it stops the system service the package may have started, leaving its port (5000) free.
# Idempotent. Needs root.
set -euo pipefail
say() { echo "setup-registry: $*" >&2; }
missing=()
[ -x /usr/bin/docker-registry ] || missing+=(docker-registry)
command -v htpasswd >/dev/null || missing+=(apache2-utils)
if [ "${#missing[@]}" -gt 0 ]; then
  # Before apt-get: wait (at most 300 s, BERTH_APT_LOCK_TIMEOUT) for another package manager run to finish.
  . "$(dirname "$0")/lib/apt-lock.sh"
  say "will install ${missing[*]} (a registry on loopback the digest resolver is tested against; htpasswd for its Basic auth)"
  export DEBIAN_FRONTEND=noninteractive
  : >/tmp/berth-setup-registry-apt.log
  { berth_apt_get setup-registry /tmp/berth-setup-registry-apt.log update -qq && berth_apt_get setup-registry /tmp/berth-setup-registry-apt.log install -y -qq --no-install-recommends "${missing[@]}"; } \
    || { cat /tmp/berth-setup-registry-apt.log >&2; say "installing ${missing[*]} failed (output above)"; exit 1; }
  # The package enables a system registry on :5000; the tests never use it.
  (command -v systemctl >/dev/null && systemctl disable --now docker-registry >/dev/null 2>&1) || true
  say "installed ${missing[*]}"
else
  say "docker-registry and htpasswd already installed (nothing to install)"
fi
say "ready ($(/usr/bin/docker-registry --version))"
