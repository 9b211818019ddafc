#!/usr/bin/env bash
# Benchmark: a 20-service stack deployed by `docker stack deploy` and by `berth stack deploy` on the same engine,
# then an unchanged redeploy by each, in two modes: detached (`--detach=true` vs `--detach`: the writes only) and
# converged (`docker stack deploy --detach=false` vs berth's default wait: until every task runs).
# Needs scripts/setup-swarm.sh and the AOT berth (scripts/berth.sh). Prints medians and the Berth/docker ratios.
# Both sides run with --resolve-image never: the digest lookup asks a registry (none is reachable here; with
# several lookups at once this machine's resolver can stall one for 5 s), which is not what is compared.
# Only the local image and loopback are used. RUNS=n sets the number of runs (default 5); CONVERGED=0 measures
# the detached mode only.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
berth="$root/artifacts/berth/berth"
[ -x "$berth" ] || "$root/scripts/berth.sh" --version >/dev/null
dir="$(mktemp -d)"; trap 'rm -rf "$dir"' EXIT
{
  echo 'version: "3.9"'; echo 'services:'
  for i in $(seq 1 20); do
    printf '  s%02d:\n    image: berth-test/busybox:1\n    command: ["sleep", "3600"]\n    environment: {N: "%d"}\n    deploy: {replicas: 1}\n' "$i" "$i"
  done
} > "$dir/compose.yaml"
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
wait_gone() { while [ -n "$(docker network ls -q --filter label=com.docker.stack.namespace=$1)" ]; do docker stack rm "$1" >/dev/null 2>&1 || true; sleep 0.5; done; }
cd "$dir"
runs=${RUNS:-5}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
d1s=(); d2s=(); b1s=(); b2s=(); dc1s=(); dc2s=(); bc1s=(); bc2s=()
for r in $(seq 1 "$runs"); do
  d1s+=("$(t docker stack deploy --detach=true --resolve-image never -c compose.yaml benchd)")
  d2s+=("$(t docker stack deploy --detach=true --resolve-image never -c compose.yaml benchd)")
  docker stack rm benchd >/dev/null 2>&1 || true; wait_gone benchd
  b1s+=("$(t "$berth" stack deploy --detach --resolve-image never -c compose.yaml benchb)")
  b2s+=("$(t "$berth" stack deploy --detach --resolve-image never -c compose.yaml benchb)")
  "$berth" stack rm benchb --wait >/dev/null 2>&1 || true; wait_gone benchb
  # Converged: both commands return only once every service has its task running (CONVERGED=0 skips it:
  # docker's --detach=false takes ~100 s per deploy).
  [ "${CONVERGED:-1}" = 0 ] && continue
  dc1s+=("$(t docker stack deploy --detach=false --resolve-image never -c compose.yaml benchd)")
  dc2s+=("$(t docker stack deploy --detach=false --resolve-image never -c compose.yaml benchd)")
  docker stack rm benchd >/dev/null 2>&1 || true; wait_gone benchd
  bc1s+=("$(t "$berth" stack deploy --resolve-image never -c compose.yaml benchb)")
  bc2s+=("$(t "$berth" stack deploy --resolve-image never -c compose.yaml benchb)")
  "$berth" stack rm benchb --wait >/dev/null 2>&1 || true; wait_gone benchb
done
d1=$(printf '%s\n' "${d1s[@]}" | median); d2=$(printf '%s\n' "${d2s[@]}" | median)
b1=$(printf '%s\n' "${b1s[@]}" | median); b2=$(printf '%s\n' "${b2s[@]}" | median)
dc1=$(printf '%s\n' "${dc1s[@]}" | median); dc2=$(printf '%s\n' "${dc2s[@]}" | median)
bc1=$(printf '%s\n' "${bc1s[@]}" | median); bc2=$(printf '%s\n' "${bc2s[@]}" | median)
echo "medians of $runs runs (20 services; wall time of the whole command, including process start):"
printf 'detached  first deploy:        docker %.3fs  berth %.3fs  ratio %.2f\n' "$d1" "$b1" "$(echo "$b1 / $d1" | bc -l)"
printf 'detached  unchanged redeploy:  docker %.3fs  berth %.3fs  ratio %.2f\n' "$d2" "$b2" "$(echo "$b2 / $d2" | bc -l)"
[ "${CONVERGED:-1}" = 0 ] && exit 0
printf 'converged first deploy:        docker %.3fs  berth %.3fs  ratio %.2f\n' "$dc1" "$bc1" "$(echo "$bc1 / $dc1" | bc -l)"
printf 'converged unchanged redeploy:  docker %.3fs  berth %.3fs  ratio %.2f\n' "$dc2" "$bc2" "$(echo "$bc2 / $dc2" | bc -l)"
