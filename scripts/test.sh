#!/usr/bin/env bash
# Runs Berth's whole test suite (the README's test command; .ci/run calls this).
# Needs the .NET 10 SDK. Tests that compare with `docker stack config` use the docker CLI
# (/usr/local/bin/docker on these machines); no engine is needed for them.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build Berth.slnx -c Release --nologo -v quiet
dotnet test --solution Berth.slnx -c Release --no-build "$@"
