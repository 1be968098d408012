#!/usr/bin/env bash
# Benchmark: the watch daemon's CPU and memory. The WatchLoop (real ElasticsearchObserver and _remote/info peer
# probes, real loopback HTTP, the Alertmanager webhook on Kestrel) watches N regions at a 1 s interval; the
# Elasticsearch stand-ins run in a child process so only the daemon is measured. Prints a markdown table.
# Usage: benchmarks/watch-footprint.sh [seconds=60] [regions=10] [warmup=15]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet build benchmarks/WatchFootprint/WatchFootprint.csproj -c Release -o "$out" --nologo -v quiet >/dev/null
dotnet "$out/WatchFootprint.dll" "$@"
