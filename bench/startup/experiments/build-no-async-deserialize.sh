#!/usr/bin/env bash
# Experiment, never a release: publishes the native berth with System.Text.Json's asynchronous stream
# deserialization replaced by a throw (no-async-deserialize.xml), to measure what that code path costs every start
# (docs/design/startup.md, "What roots the statics"). Its Swarm commands fail; compare config/convert/--version.
# Usage: bench/startup/experiments/build-no-async-deserialize.sh [output folder]
#   (default artifacts/experiment-no-async-deserialize; a Native AOT build, minutes).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
out="${1:-$root/artifacts/experiment-no-async-deserialize}"
# ILC does not list substitution files among its inputs: drop the response file so that it runs again (the next
# ordinary publish rewrites the file without the substitution and so runs ILC again as well).
rm -f "$root"/src/Berth.Cli/obj/Release/net10.0/linux-x64/native/berth.ilc.rsp
dotnet publish "$root/src/Berth.Cli" -c Release -r linux-x64 -p:PublishAot=true \
  -p:CustomAfterMicrosoftCommonTargets="$here/substitute.targets" -p:IlcTreatWarningsAsErrors=false \
  -o "$out" --nologo -v quiet
# A signature that no longer matches (a System.Text.Json upgrade) is only an IL2009 warning: check the result.
if nm "$out/berth.dbg" | grep 'JsonTypeInfo_1__DeserializeAsync_d__' >/dev/null; then
  echo "build-no-async-deserialize: the substitution did not apply (see ILC's IL2009 warnings with -v minimal)" >&2
  exit 1
fi
echo "$out/berth"
