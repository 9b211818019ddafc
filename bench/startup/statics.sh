#!/usr/bin/env bash
# Counts what the native berth allocates at every start: one GC static base per type with reference-type statics
# (StartupCodeHelpers.InitializeStatics, about a fifth of a short command's time). Reads the symbols of the debug
# file ILC writes beside the binary (berth.dbg), so it needs no run and no profiler.
# Usage: bench/startup/statics.sh [path/to/berth.dbg]   (default artifacts/berth/berth.dbg). Needs nm (binutils).
# Prints the total, the generic types that contribute most, and the libraries whose types they are instantiated
# over; see docs/design/startup.md ("What roots the statics") for how to read it.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
dbg="${1:-$root/artifacts/berth/berth.dbg}"
[ -f "$dbg" ] || { echo "bench/startup/statics.sh: $dbg not found (publish berth first: scripts/berth.sh --version)" >&2; exit 1; }
command -v nm >/dev/null || { echo "bench/startup/statics.sh: nm not found (apt-get install binutils)" >&2; exit 1; }
list="$(mktemp)"
trap 'rm -f "$list"' EXIT
# Pre-initialised statics (PreInit) are data in the image, not allocated at start.
nm "$dbg" | sed -n 's/^[0-9a-f]* [a-zA-Z] __GCSTATICS//p' | grep -v PreInit >"$list" || true
echo "gc_static_bases=$(wc -l <"$list")"
echo "-- by generic type (top 12)"
sed -E 's/<.*//' "$list" | sort | uniq -c | sort -rn | head -12
echo "-- instantiated over the types of (a base can count under two libraries)"
for library in KubernetesClient_Aot Docker_DotNet Json_Schema YamlDotNet Berth_ berth_; do
  printf '%7d %s\n' "$(grep -c "$library" "$list" || true)" "$library"
done
echo "-- of which async stream deserialization (JsonTypeInfo<T>.DeserializeAsync state machines)"
printf '%7d %s\n' "$(grep -c 'JsonTypeInfo_1__DeserializeAsync_d__' "$list" || true)" "AsyncStateMachineBox<T, JsonTypeInfo<T>.DeserializeAsync>"
printf '%7d %s\n' "$(grep -c 'ValueTask_1_ValueTaskSourceAsTask<' "$list" || true)" "ValueTask<T>.ValueTaskSourceAsTask"
