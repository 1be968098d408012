#!/usr/bin/env bash
# Benchmark: the compiler as a whole process started the way Pulumi starts it (the command from
# Pulumi.yaml, in the project directory, with PULUMI_CONFIG set), for the dev and prod stacks and a generated
# 10-region stack, next to the start-up of a trivial dotnet program. Needs hyperfine and python3+yaml.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v hyperfine >/dev/null || { echo "install hyperfine (apt-get install hyperfine)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
benchmarks/generate-stack.sh 10 > "$work/Pulumi.bench10.yaml"
dotnet build benchmarks/Hello -c Release -o "$work/hello" --nologo -v quiet >/dev/null
./bin/es-dr --help >/dev/null   # build once; the runs below measure start-up and compilation only

config_of() { python3 - "$1" <<'PY'
import json, sys, yaml
cfg = (yaml.safe_load(open(sys.argv[1])) or {}).get("config") or {}
out = {}
for k, v in cfg.items():
    key = k if ":" in k else "es-dr:" + k
    out[key] = json.dumps(v) if isinstance(v, (dict, list)) else ("true" if v is True else "false" if v is False else str(v))
print(json.dumps(out))
PY
}
export PULUMI_PROJECT=es-dr PULUMI_ORGANIZATION=organization PULUMI_ROOT_DIRECTORY="$PWD"
dev=$(config_of Pulumi.dev.yaml)
prod=$(config_of Pulumi.prod.yaml)
ten=$(config_of "$work/Pulumi.bench10.yaml")
compiler=$(python3 -c 'import yaml; print(yaml.safe_load(open("Pulumi.yaml"))["runtime"]["options"]["compiler"])')
hyperfine --warmup 3 --runs "${RUNS:-20}" --export-markdown "${OUT:-/dev/stdout}" \
  -n "trivial dotnet program" "dotnet $work/hello/Hello.dll" \
  -n "compile dev stack" "PULUMI_STACK=dev PULUMI_CONFIG='$dev' $compiler > /dev/null" \
  -n "compile prod stack (every tier)" "PULUMI_STACK=prod PULUMI_CONFIG='$prod' $compiler > /dev/null" \
  -n "compile 10-region stack" "PULUMI_STACK=bench10 PULUMI_CONFIG='$ten' $compiler > /dev/null"
