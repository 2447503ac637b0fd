#!/usr/bin/env bash
# Builds the benchmark in Release and runs it once. Arguments go to the benchmark, e.g.:
#   bench/run.sh --duration 10s --connections 32 --rounds 2
#   bench/run.sh --set Gateway:Session:CacheDuration=00:00:00     (an experiment: session cache off)
# Needs wrk and redis-server on PATH (apt-get install wrk redis-server).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build bench/Bench.csproj -c Release --nologo -v quiet
exec dotnet run -c Release --no-build --project bench/Bench.csproj -- "$@"
