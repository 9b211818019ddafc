#!/usr/bin/env bash
# Request counts of a Kubernetes deploy: a generated N-service stack (default 20) deployed detached to the in-process
# Kubernetes API test double (not a cluster): first deploy, unchanged redeploy, one service's image changed.
# Prints objects, writes, reads, total requests and a breakdown by verb. Usage: bench/kubernetes/request-counts.sh [N]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
exec dotnet run -c Release --project "$root/bench/Berth.Bench" -- k8s-requests "${1:-20}"
