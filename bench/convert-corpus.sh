#!/usr/bin/env bash
# Whole-process `berth convert` (Native AOT binary from scripts/berth.sh) over the corpus and a generated
# 2,000-service project: per-file mean wall time over N runs, and the total. Files Berth cannot load are skipped
# (the loader's own tests cover them).
# Usage: bench/convert-corpus.sh [runs]   (default 10)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-10}"
"$root/scripts/berth.sh" --version >/dev/null
berth="$root/artifacts/berth/berth"
"$berth" convert --help >/dev/null 2>&1 || { echo "this berth has no 'convert' command yet" >&2; exit 1; }
corpus="$root/testdata/corpus"
[ -d "$corpus" ] || { echo "the corpus is missing: expected $corpus" >&2; exit 1; }
gen="$(mktemp -d)"
trap 'rm -rf "$gen"' EXIT
dotnet run -c Release --project "$root/bench/Berth.Bench" -- quick 2000 >/dev/null
cp /tmp/berth-bench-2000/compose.yaml "$gen/compose.yaml"

mean_us() { # command... ; prints mean microseconds over $runs runs
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$runs"); do "$@" >/dev/null 2>&1 || true; done
  end=$(date +%s%N)
  echo $(( (end - start) / runs / 1000 ))
}

files=()
while IFS= read -r f; do files+=("$f"); done < <(find "$corpus" \( -name '*.yaml' -o -name '*.yml' \) ! -name 'output*' ! -name 'expected*' ! -path '*/provider-files/*' | sort)
printf '%-70s %10s %8s\n' "file" "mean_us" "objects"
total=0; n=0; sum_corpus=0
gen_us=$(cd "$gen" && mean_us "$berth" convert -c "$gen/compose.yaml")
gen_objects=$(cd "$gen" && "$berth" convert -c "$gen/compose.yaml" 2>/dev/null | grep -c '^kind:' || true)
printf '%-70s %10d %8s\n' "generated 2000 services" "$gen_us" "$gen_objects"
for f in "${files[@]}"; do
  dir="$(dirname "$f")"
  (cd "$dir" && "$berth" convert -c "$f" >/dev/null 2>&1) || continue
  us=$(cd "$dir" && mean_us "$berth" convert -c "$f")
  objects=$(cd "$dir" && "$berth" convert -c "$f" 2>/dev/null | grep -c '^kind:' || true)
  sum_corpus=$((sum_corpus + us)); n=$((n + 1))
  printf '%-70s %10d %8s\n' "${f#$corpus/}" "$us" "$objects"
done
total=$sum_corpus
[ "$n" -gt 0 ] || { echo "no corpus file converted" >&2; exit 1; }
printf 'corpus_files=%d corpus_total_ms=%d corpus_mean_us=%d generated_2000_ms=%d runs=%d\n' "$n" $((total / 1000)) $((total / n)) $((gen_us / 1000)) "$runs"
