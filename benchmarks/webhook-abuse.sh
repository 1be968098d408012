#!/usr/bin/env bash
# Benchmark: the daemon's memory while an authenticated sender floods its Alertmanager webhook (issue 9, item 4).
# WatchService as `serve` runs it (the webhook on Kestrel, the replay guard in an SQLite audit database, the watch
# loop taking the queue every second into its firing alerts) receives, from a child process with C connections:
# ~1 MiB notifications of 1000 new alerts, single alerts with a 900 KB annotation, 9000-alert notifications, and
# one-alert notifications standing for Alertmanager's own. Prints a markdown table.
# Usage: benchmarks/webhook-abuse.sh [seconds=30] [connections=8] [warmup=5]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
dotnet build benchmarks/WebhookAbuse/WebhookAbuse.csproj -c Release -o "$out" --nologo -v quiet >/dev/null
dotnet "$out/WebhookAbuse.dll" "$@"
