#!/usr/bin/env bash
# Installs Debian's etcd server (3.4) for the Stack API storage tests. Idempotent. Each test fixture starts its own
# etcd on free loopback ports with its own data folder and stops it by process id; nothing is left running here.
set -euo pipefail
if ! command -v etcd >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq -o DPkg::Lock::Timeout=300
  apt-get install -y -qq -o DPkg::Lock::Timeout=300 etcd-server >/dev/null
  # Debian's package starts a system etcd on 2379; the tests use their own, so stop it if a service manager runs.
  (command -v systemctl >/dev/null && systemctl disable --now etcd >/dev/null 2>&1) || true
fi
# The first line only (read whole: head would close the pipe early, and pipefail would fail on the SIGPIPE).
etcd --version | sed -n 1p
