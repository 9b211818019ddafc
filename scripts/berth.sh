#!/usr/bin/env bash
# Builds berth as a native executable (Native AOT) once, then runs it with the given arguments.
# Example: scripts/berth.sh config -c examples/voting-app/compose.yaml
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/artifacts/berth/berth"
# Rebuilt when a project the CLI is built from changed (the servers in src/ are not part of it).
if [ ! -x "$bin" ] || [ -n "$(find "$root"/src/Berth.{Cli,Compose,Kubernetes,Policy,Registry,StackService,Stacks,Swarm} -newer "$bin" \( -name '*.cs' -o -name '*.csproj' \) -not -path '*/obj/*' -not -path '*/bin/*' -print -quit)" ]; then
  echo "building berth (Native AOT, once) ..." >&2
  dotnet publish "$root/src/Berth.Cli" -c Release -r linux-x64 -p:PublishAot=true -o "$root/artifacts/berth" --nologo -v quiet >&2
fi
exec "$bin" "$@"
