#!/usr/bin/env bash
# Installs Debian's Chromium (and a font) for the console's browser tests (tests/Berth.Console.Tests, classes named
# *Browser*): Playwright drives it at /usr/bin/chromium; no browser is ever downloaded. Idempotent. Needs root.
set -euo pipefail
say() { echo "setup-chromium: $*" >&2; }
# Before apt-get: wait (at most 300 s, BERTH_APT_LOCK_TIMEOUT) for another package manager run to finish.
. "$(dirname "$0")/lib/apt-lock.sh"
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ "${#need[@]}" -gt 0 ]; then
  say "will install ${need[*]} (the headless browser the console's Playwright tests drive, and a font for it)"
  export DEBIAN_FRONTEND=noninteractive
  : >/tmp/berth-setup-chromium-apt.log
  { berth_apt_get setup-chromium /tmp/berth-setup-chromium-apt.log update -qq && berth_apt_get setup-chromium /tmp/berth-setup-chromium-apt.log install -y -qq --no-install-recommends "${need[@]}"; } \
    || { cat /tmp/berth-setup-chromium-apt.log >&2; say "installing ${need[*]} failed (output above)"; exit 1; }
  say "installed ${need[*]}"
else
  say "chromium and fonts-dejavu-core already installed (nothing to install)"
fi
say "ready ($(/usr/bin/chromium --version 2>/dev/null | sed -n 1p))"
