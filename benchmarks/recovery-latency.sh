#!/usr/bin/env bash
# Benchmark: recovery latency. (1) injected failure -> decision: the analyser over a 1 s, 2-vantage snapshot stream
# of a 10-region topology (stream time, and CPU per snapshot); (2) decision -> writable MySQL primary: promotion of a
# real MariaDB replica on loopback until an application write succeeds, through MySqlConnector (the product) and through
# the old mariadb-CLI transport (kept in the benchmark only, for comparison). Prints a markdown table.
# Usage: benchmarks/recovery-latency.sh [runs=20] [--skip-mysql]. Needs mariadb-server and mariadb-client.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet build benchmarks/RecoveryLatency/RecoveryLatency.csproj -c Release -o "$out" --nologo -v quiet >/dev/null
dotnet "$out/RecoveryLatency.dll" "$@"
