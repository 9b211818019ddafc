#!/usr/bin/env bash
# Installs Debian's PostgreSQL 15 server binaries for the console's store tests (tests/Berth.Console.Tests:
# ConsoleStoreTests, ConsoleReplicasTests): each test class runs initdb and its own throw-away server on a free
# loopback port in a temp folder (PostgresServer.cs), so this script installs only; it starts no cluster, and it
# stops the one the package may have started, leaving its port (5432) free. Idempotent. Needs root.
set -euo pipefail
say() { echo "setup-postgres: $*" >&2; }
bin=/usr/lib/postgresql/15/bin
if [ ! -x "$bin/initdb" ] || [ ! -x "$bin/postgres" ]; then
  # Before apt-get: wait (at most 300 s, BERTH_APT_LOCK_TIMEOUT) for another package manager run to finish.
  . "$(dirname "$0")/lib/apt-lock.sh"
  say "will install postgresql (the database server the console's PostgreSQL store is tested against)"
  export DEBIAN_FRONTEND=noninteractive
  : >/tmp/berth-setup-postgres-apt.log
  { berth_apt_get setup-postgres /tmp/berth-setup-postgres-apt.log update -qq && berth_apt_get setup-postgres /tmp/berth-setup-postgres-apt.log install -y -qq --no-install-recommends postgresql; } \
    || { cat /tmp/berth-setup-postgres-apt.log >&2; say "installing postgresql failed (output above)"; exit 1; }
  # The package creates and may start a system cluster; the tests never use it.
  if command -v pg_ctlcluster >/dev/null && pg_lsclusters -h 2>/dev/null | grep -q '^15 main .* online'; then
    pg_ctlcluster 15 main stop || true
  fi
  say "installed postgresql"
else
  say "postgresql 15 already installed (nothing to install)"
fi
id postgres >/dev/null 2>&1 || { say "the postgres user is missing (the package creates it); the tests run the server as that user"; exit 1; }
say "ready ($("$bin/postgres" --version))"
