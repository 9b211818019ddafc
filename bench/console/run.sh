#!/usr/bin/env bash
# Benchmark of berth-console's stacks page with many stacks (issue 13): server response time of GET /stacks, signed
# in as an admin (median and p95 over R sequential requests after W warm-up requests), and the console's resident
# memory (after sign-in, after the warm-up, after the requests, and its peak).
#
# Where the 500 stacks come from, and why: creating 500 real Swarm stacks takes far too long on one engine, so the
# stacks live in the Kubernetes API test double (tests/Berth.Kubernetes.ApiDouble; an in-memory API server, not a
# cluster), seeded with the objects Berth writes for a stack (two Deployments and a Service each, labelled
# com.docker.stack.namespace, in five namespaces). berth-console runs as its own process with --kubeconfig pointing at
# the double, so every request goes the console's whole real way: cookie and store check, the Kubernetes stack
# service's LIST calls over HTTP, grouping, scope filter and rendering. A fake IStackService would have skipped the
# HTTP reads and JSON decoding that dominate a real cluster's listing. The console also reads the local Swarm engine
# as it always does (its stacks are listed too; the line printed says how many).
#
# Usage: bench/console/run.sh [STACKS] [REQUESTS] [WARMUP]   (defaults 500 200 30); BENCH_NO_BUILD=1 skips the builds.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
stacks="${1:-500}" requests="${2:-200}" warmup="${3:-30}"
[ -n "${BENCH_NO_BUILD:-}" ] || dotnet build "$root/src/Berth.Console" -c Release --nologo -v quiet >/dev/null
[ -n "${BENCH_NO_BUILD:-}" ] || dotnet build "$root/bench/Berth.Bench" -c Release --nologo -v quiet >/dev/null
exec dotnet "$root/bench/Berth.Bench/bin/Release/net10.0/Berth.Bench.dll" console \
  --console-dll "$root/src/Berth.Console/bin/Release/net10.0/berth-console.dll" \
  --stacks "$stacks" --requests "$requests" --warmup "$warmup"
