#!/usr/bin/env bash
# Whole-process `berth config` (Native AOT) against `docker stack config` (CLI 28) on the same files.
# Prints per-file mean wall time over N runs and the ratio berth/docker (lower is better; target <= 1.0).
# Usage: bench/config-vs-docker.sh [runs]   (default 20)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-20}"
docker_cli=/usr/local/bin/docker
[ -x "$docker_cli" ] || docker_cli="$(command -v docker)"
"$root/scripts/berth.sh" --version >/dev/null
berth="$root/artifacts/berth/berth"
corpus="$root/testdata/corpus"
[ -d "$corpus" ] || { echo "the corpus is missing: expected $corpus" >&2; exit 1; }
gen="$(mktemp -d)"
dotnet run -c Release --project "$root/bench/Berth.Bench" -- quick 2000 >/dev/null
cp /tmp/berth-bench-2000/compose.yaml "$gen/compose.yaml"

mean_ms() { # command... ; prints mean milliseconds over $runs runs
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$runs"); do "$@" >/dev/null 2>&1 || true; done
  end=$(date +%s%N)
  echo $(( (end - start) / runs / 1000 ))
}

printf '%-60s %10s %10s %7s\n' "file" "berth_us" "docker_us" "ratio"
total_b=0; total_d=0; n=0
files=("$gen/compose.yaml")
while IFS= read -r f; do files+=("$f"); done < <(find "$corpus/awesome-compose" "$corpus/kompose" -name 'compose*.y*ml' -o -name 'docker-compose*.y*ml' | sort)
for f in "${files[@]}"; do
  dir="$(dirname "$f")"
  # Only files the reference accepts are compared.
  (cd "$dir" && "$docker_cli" stack config -c "$f" >/dev/null 2>&1) || continue
  b=$(cd "$dir" && mean_ms "$berth" config -c "$f")
  d=$(cd "$dir" && mean_ms "$docker_cli" stack config -c "$f")
  total_b=$((total_b + b)); total_d=$((total_d + d)); n=$((n + 1))
  printf '%-60s %10d %10d %7s\n' "${f#$corpus/}" "$b" "$d" "$(awk -v b="$b" -v d="$d" 'BEGIN{printf "%.2f", b/d}')"
done
printf 'files=%d mean_berth_us=%d mean_docker_us=%d ratio=%s\n' "$n" $((total_b / n)) $((total_d / n)) "$(awk -v b="$total_b" -v d="$total_d" 'BEGIN{printf "%.2f", b/d}')"
rm -rf "$gen"
