#!/usr/bin/env bash
# Packs berth as a dotnet tool (package id 'berth', command 'berth', framework-dependent) into artifacts/tool/,
# then checks the package as a user would get it: installs it from that folder alone into a temporary tool path
# and runs 'berth --version' and 'berth config -c examples/voting-app/compose.yaml' from there.
# Install it yourself with: dotnet tool install --global --add-source artifacts/tool berth
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/artifacts/tool"
rm -rf "$out"
mkdir -p "$out"
dotnet pack "$root/src/Berth.Cli" -c Release -o "$out" --nologo -v quiet >&2
package="$(find "$out" -maxdepth 1 -name 'berth.*.nupkg' -print -quit)"
[ -n "$package" ] || { echo "pack-tool: no berth.*.nupkg in $out" >&2; exit 1; }
version="$(basename "$package" .nupkg)"
version="${version#berth.}"

# Only the local folder as a source and an empty package cache: what is tested is this package, offline.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="berth-tool" value="$out" />
  </packageSources>
</configuration>
CONFIG
NUGET_PACKAGES="$tmp/packages" dotnet tool install --tool-path "$tmp/tools" --configfile "$tmp/nuget.config" berth --version "$version" >&2
installed="$("$tmp/tools/berth" --version)"
[ "$installed" = "$version" ] || { echo "pack-tool: the installed berth says '$installed', the package is $version" >&2; exit 1; }
"$tmp/tools/berth" config -c "$root/examples/voting-app/compose.yaml" > "$tmp/config.yaml"
grep -q '^services:' "$tmp/config.yaml" || { echo "pack-tool: 'berth config' printed no project" >&2; exit 1; }
echo "pack-tool: $package installs with 'dotnet tool install' and runs (berth $installed)"
