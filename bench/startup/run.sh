#!/usr/bin/env bash
# Start-up benchmark: whole-process time of the native `berth` (Native AOT) for --version, --help, config and
# convert on a small five-service file, each as a ratio to `docker stack config` on the same file, measured in
# one hyperfine run so both sides see the same machine. Prints the binary size too. Target: every ratio <= 0.5.
# Usage: bench/startup/run.sh [runs]   (default 30; CI uses fewer). Needs hyperfine (Debian package) and a docker CLI.
# BENCH_NO_BUILD=1 measures artifacts/berth/berth as it is, without scripts/berth.sh's rebuild check (to compare a
# binary built earlier, or to keep a 3-8 minute Native AOT build out of a timed session).
# Prints only; it does not fail on a ratio (a loaded CI machine moves both sides, not always equally).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${1:-30}"
here="$root/bench/startup"
command -v hyperfine >/dev/null || { echo "bench/startup: hyperfine not found (apt-get install hyperfine)" >&2; exit 1; }
docker_cli=/usr/local/bin/docker
[ -x "$docker_cli" ] || docker_cli="$(command -v docker)"
berth="$root/artifacts/berth/berth"
if [ "${BENCH_NO_BUILD:-}" = 1 ]; then
  [ -x "$berth" ] || { echo "bench/startup: BENCH_NO_BUILD=1 but $berth is missing (build it with scripts/berth.sh --version)" >&2; exit 1; }
else
  "$root/scripts/berth.sh" --version >/dev/null
fi
json="$(mktemp)"
trap 'rm -f "$json"' EXIT
cd "$here"
hyperfine -N --warmup 3 --runs "$runs" --export-json "$json" \
  -n docker-stack-config "$docker_cli stack config -c compose.yaml" \
  -n berth-version "$berth --version" \
  -n berth-help "$berth --help" \
  -n berth-config "$berth config -c compose.yaml" \
  -n berth-convert "$berth convert -c compose.yaml" >/dev/null 2>&1
python3 - "$json" "$berth" <<'PY'
import json, os, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
docker = results["docker-stack-config"]["median"]
print(f"{'command':<22}{'median_ms':>10}{'ratio_to_docker':>17}")
print(f"{'docker stack config':<22}{docker * 1000:>10.1f}{1.0:>17.2f}")
worst = 0.0
for name in ("berth-version", "berth-help", "berth-config", "berth-convert"):
    median = results[name]["median"]
    worst = max(worst, median / docker)
    print(f"{name.replace('-', ' ', 1):<22}{median * 1000:>10.1f}{median / docker:>17.2f}")
size = os.path.getsize(sys.argv[2])
print(f"worst_ratio={worst:.2f} (target <= 0.50) binary_bytes={size} ({size / 1e6:.1f} MB)")
PY
