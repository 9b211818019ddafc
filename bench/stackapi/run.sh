#!/usr/bin/env bash
# Benchmark of the Stack API server: starts a real etcd (3.4, own ports and data folder) and berth-apiserver
# (standalone: a token file, AlwaysAllow, its generated CA) on loopback, then runs Berth.Bench's `stackapi`: C
# concurrent clients (default 8) for S seconds (default 5) per operation — raw etcd put/get through dotnet-etcd, then,
# after unmeasured API calls until the server's code is optimised (tier 1: at least WARMUP seconds, default 40, then
# until its CPU per call stops falling, at most 180 s), the API's create, get, update, list and watch delivery, raw
# etcd again, the API/raw ratios, and the server's memory and list latency with N stored stacks (default 10000).
# Every line gives the CPU ms per operation of the server, etcd and the benchmark's client.
# Usage: bench/stackapi/run.sh [C] [S] [N] [WARMUP]; BENCH_NO_BUILD=1 skips the builds.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
clients="${1:-8}" seconds="${2:-5}" stacks="${3:-10000}" warmup="${4:-40}"
command -v etcd >/dev/null || bash "$root/scripts/setup-etcd.sh"
[ -n "${BENCH_NO_BUILD:-}" ] || dotnet build "$root/src/Berth.ApiServer" -c Release --nologo -v quiet >/dev/null
[ -n "${BENCH_NO_BUILD:-}" ] || dotnet build "$root/bench/Berth.Bench" -c Release --nologo -v quiet >/dev/null
dir="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
eport=$(port) pport=$(port) sport=$(port)
etcd --data-dir "$dir/etcd" --listen-client-urls "http://127.0.0.1:$eport" --advertise-client-urls "http://127.0.0.1:$eport" \
  --listen-peer-urls "http://127.0.0.1:$pport" --initial-advertise-peer-urls "http://127.0.0.1:$pport" \
  --initial-cluster "default=http://127.0.0.1:$pport" > "$dir/etcd.log" 2>&1 &
etcdpid=$!
pids+=($etcdpid)
echo 'bench-token,bench,1001,"system:masters"' > "$dir/tokens.csv"
# BERTH_APISERVER_DLL: another build of the server to measure (e.g. main's, for a before/after comparison).
dotnet "${BERTH_APISERVER_DLL:-$root/src/Berth.ApiServer/bin/Release/net10.0/berth-apiserver.dll}" --etcd-servers "http://127.0.0.1:$eport" \
  --secure-port "$sport" --bind-address 127.0.0.1 --cert-dir "$dir/certs" --token-auth-file "$dir/tokens.csv" \
  --authorization-mode AlwaysAllow > "$dir/server.log" 2>&1 &
server=$!
pids+=($server)
for _ in $(seq 1 100); do
  [ -f "$dir/certs/ca.crt" ] && curl -sf --cacert "$dir/certs/ca.crt" "https://127.0.0.1:$sport/readyz" >/dev/null 2>&1 && break
  sleep 0.3
done
curl -sf --cacert "$dir/certs/ca.crt" "https://127.0.0.1:$sport/readyz" >/dev/null || { echo "berth-apiserver did not become ready:"; tail -20 "$dir/server.log"; exit 1; }
echo "== $(etcd --version | sed -n 1p); berth-apiserver pid $server; $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
dotnet "$root/bench/Berth.Bench/bin/Release/net10.0/Berth.Bench.dll" stackapi --server "https://127.0.0.1:$sport" \
  --token bench-token --ca "$dir/certs/ca.crt" --etcd "http://127.0.0.1:$eport" --clients "$clients" --seconds "$seconds" \
  --stacks "$stacks" --warmup "$warmup" --pid "$server" --etcd-pid "$etcdpid"
