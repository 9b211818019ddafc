#!/usr/bin/env bash
# Benchmark: an N-service stack deployed by `docker stack deploy` and by `berth stack deploy` on the same engine,
# then an unchanged redeploy by each, in two modes: detached (`--detach=true` vs `--detach`: the writes only) and
# converged (`docker stack deploy --detach=false` vs berth's default wait: until every task runs).
# Usage: bench/swarm/deploy.sh [N ...]   (default: 20 60; each N is one case)
# Needs scripts/setup-swarm.sh and the AOT berth (scripts/berth.sh; BERTH=path uses another binary, e.g. an older
# build to compare). Prints, per case, medians and the berth/docker ratios.
# Both sides run with --resolve-image never: the digest lookup asks a registry (none is reachable here; with
# several lookups at once this machine's resolver can stall one for 5 s), which is not what is compared.
# Only the local image and loopback are used. RUNS=n sets the number of runs (default 5); CONVERGED=0 measures
# the detached mode only (docker's --detach=false takes ~100 s per 20-service deploy).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
berth="${BERTH:-$root/artifacts/berth/berth}"
# scripts/berth.sh builds the AOT binary when it is missing or older than src/.
[ -n "${BERTH:-}" ] || "$root/scripts/berth.sh" --version >/dev/null
dir="$(mktemp -d)"; trap 'rm -rf "$dir"' EXIT
cd "$dir"
runs=${RUNS:-5}
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
wait_gone() { while [ -n "$(docker network ls -q --filter label=com.docker.stack.namespace=$1)" ]; do docker stack rm "$1" >/dev/null 2>&1 || true; sleep 0.5; done; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
line() { printf '%-30s docker %.3fs  berth %.3fs  ratio %.2f\n' "$1" "$2" "$3" "$(echo "$3 / $2" | bc -l)"; }

bench() {
  local n=$1 d1s=() d2s=() b1s=() b2s=() dc1s=() dc2s=() bc1s=() bc2s=()
  {
    echo 'version: "3.9"'; echo 'services:'
    for i in $(seq 1 "$n"); do
      printf '  s%02d:\n    image: berth-test/busybox:1\n    command: ["sleep", "3600"]\n    environment: {N: "%d"}\n    deploy: {replicas: 1}\n' "$i" "$i"
    done
  } > compose.yaml
  for _ in $(seq 1 "$runs"); do
    d1s+=("$(t docker stack deploy --detach=true --resolve-image never -c compose.yaml benchd)")
    d2s+=("$(t docker stack deploy --detach=true --resolve-image never -c compose.yaml benchd)")
    docker stack rm benchd >/dev/null 2>&1 || true; wait_gone benchd
    b1s+=("$(t "$berth" stack deploy --detach --resolve-image never -c compose.yaml benchb)")
    b2s+=("$(t "$berth" stack deploy --detach --resolve-image never -c compose.yaml benchb)")
    "$berth" stack rm benchb --wait >/dev/null 2>&1 || true; wait_gone benchb
    # Converged: both commands return only once every service has its task running.
    [ "${CONVERGED:-1}" = 0 ] && continue
    dc1s+=("$(t docker stack deploy --detach=false --resolve-image never -c compose.yaml benchd)")
    dc2s+=("$(t docker stack deploy --detach=false --resolve-image never -c compose.yaml benchd)")
    docker stack rm benchd >/dev/null 2>&1 || true; wait_gone benchd
    bc1s+=("$(t "$berth" stack deploy --resolve-image never -c compose.yaml benchb)")
    bc2s+=("$(t "$berth" stack deploy --resolve-image never -c compose.yaml benchb)")
    "$berth" stack rm benchb --wait >/dev/null 2>&1 || true; wait_gone benchb
  done
  echo "medians of $runs runs ($n services; wall time of the whole command, including process start):"
  line "detached  first deploy:" "$(printf '%s\n' "${d1s[@]}" | median)" "$(printf '%s\n' "${b1s[@]}" | median)"
  line "detached  unchanged redeploy:" "$(printf '%s\n' "${d2s[@]}" | median)" "$(printf '%s\n' "${b2s[@]}" | median)"
  [ "${CONVERGED:-1}" = 0 ] && return 0
  line "converged first deploy:" "$(printf '%s\n' "${dc1s[@]}" | median)" "$(printf '%s\n' "${bc1s[@]}" | median)"
  line "converged unchanged redeploy:" "$(printf '%s\n' "${dc2s[@]}" | median)" "$(printf '%s\n' "${bc2s[@]}" | median)"
}

[ "$#" -gt 0 ] || set -- 20 60
for n in "$@"; do bench "$n"; done
