#!/usr/bin/env bash
# Long mutation-fuzzing run outside CI: the same in-process fuzzer as MutationFuzzTests (mutated corpus files through
# 'berth config' and 'berth convert' for Kubernetes and Swarm), for CASES cases from SEED, under nice.
#   bench/fuzz/run.sh [CASES] [SEED]      (default 1000000 cases from seed 1; THREADS=2, OUT=/tmp/berth-fuzz-<seed>)
# Progress and findings go to $OUT/fuzz.log; each distinct finding's minimised input to $OUT/finding-<seed>.yaml
# with its stack trace beside it (.txt). Reproduce one: BERTH_FUZZ_SEED=<seed> BERTH_FUZZ_CASES=1 (same test).
# Exit status: 0 when no case failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
cases="${1:-1000000}"
seed="${2:-1}"
out="${OUT:-/tmp/berth-fuzz-$seed}"
if [[ "${NO_BUILD:-}" != 1 ]]; then
  nice -n 19 dotnet build tests/Berth.Compose.Tests -c Release --nologo -v quiet
fi
mkdir -p "$out"
echo "fuzzing $cases cases from seed $seed; log: $out/fuzz.log"
status=0
BERTH_FUZZ_CASES="$cases" BERTH_FUZZ_SEED="$seed" BERTH_FUZZ_THREADS="${THREADS:-2}" BERTH_FUZZ_OUT="$out" \
  nice -n 19 tests/Berth.Compose.Tests/bin/Release/net10.0/Berth.Compose.Tests \
  -class Berth.Compose.Tests.Fuzz.MutationFuzzTests -method '*NeverCrashOrHang' -noColor || status=$?
tail -n 3 "$out/fuzz.log"
exit $status
