#!/usr/bin/env bash
# Benchmark: the compiler as a whole process started the way Pulumi starts it (the command from Pulumi.yaml,
# executed directly in the project directory, with PULUMI_CONFIG set), for the dev and prod stacks and a
# generated 10-region stack, Native AOT (what bin/es-dr builds) and JIT (`dotnet es-dr.dll`, the same sources)
# side by side, next to the start-up of a trivial dotnet program. The commands alternate run by run (one round
# runs each once, RUNS rounds, default 15), so a neighbour's build slows every command alike; each figure is a
# median. Prints the load average before and after: figures taken while the machine is busy are noisy.
# Needs python3 with PyYAML; hyperfine is not needed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
benchmarks/generate-stack.sh 10 > "$work/Pulumi.bench10.yaml"
dotnet build benchmarks/Hello -c Release -o "$work/hello" --nologo -v quiet >/dev/null
dotnet build infra/EsDr.Compiler -c Release -o "$work/jit" --nologo -v quiet -p:PublishAot=false >/dev/null
./bin/es-dr --help >/dev/null   # build once; the runs below measure start-up and compilation only
[ ! -f .artifacts/compiler/es-dr.dll ] || echo "warning: bin/es-dr built ReadyToRun, not Native AOT (is clang installed?)" >&2

python3 - "$work" "${RUNS:-15}" <<'PY'
import json, os, shlex, statistics, subprocess, sys, time, yaml

work, rounds = sys.argv[1], int(sys.argv[2])

def config_of(path):
    cfg = (yaml.safe_load(open(path)) or {}).get("config") or {}
    out = {}
    for k, v in cfg.items():
        key = k if ":" in k else "es-dr:" + k
        out[key] = json.dumps(v) if isinstance(v, (dict, list)) else ("true" if v is True else "false" if v is False else str(v))
    return json.dumps(out)

compiler = shlex.split(yaml.safe_load(open("Pulumi.yaml"))["runtime"]["options"]["compiler"])
jit = ["dotnet", f"{work}/jit/es-dr.dll", *compiler[1:]]
base = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
base.update(PULUMI_PROJECT="es-dr", PULUMI_ORGANIZATION="organization", PULUMI_ROOT_DIRECTORY=os.getcwd())
stacks = [("dev stack (62 resources)", "dev", "Pulumi.dev.yaml"),
          ("prod stack (186 resources, every tier)", "prod", "Pulumi.prod.yaml"),
          ("10-region stack (610 resources)", "bench10", f"{work}/Pulumi.bench10.yaml")]
commands = [("trivial", "trivial dotnet program", ["dotnet", f"{work}/hello/Hello.dll"], base)]
for label, stack, path in stacks:
    env = dict(base, PULUMI_STACK=stack, PULUMI_CONFIG=config_of(path))
    commands.append((f"aot {stack}", label, compiler, env))
    commands.append((f"jit {stack}", label, jit, env))

def run(argv, env):
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()}")
    return elapsed * 1000

load_before = os.getloadavg()
for _ in range(3):  # warm-up: page cache, and the JIT build's first start
    for _, _, argv, env in commands:
        run(argv, env)
times = {key: [] for key, *_ in commands}
for _ in range(rounds):
    for key, _, argv, env in commands:
        times[key].append(run(argv, env))
load_after = os.getloadavg()

median = {key: statistics.median(v) for key, v in times.items()}
trivial = median["trivial"]
print(f"{rounds} alternating rounds; load average (1/5/15 min) before {load_before[0]:.2f}/{load_before[1]:.2f}/{load_before[2]:.2f}, "
      f"after {load_after[0]:.2f}/{load_after[1]:.2f}/{load_after[2]:.2f}\n")
print("| process | Native AOT, median | ratio to trivial | JIT (`dotnet es-dr.dll`), median | ratio to trivial |")
print("| --- | ---: | ---: | ---: | ---: |")
print(f"| trivial `dotnet` program | {trivial:.0f} ms | 1.0 | | |")
for label, stack, _ in stacks:
    aot, j = median[f"aot {stack}"], median[f"jit {stack}"]
    print(f"| compile the {label} | {aot:.0f} ms | {aot / trivial:.2f} | {j:.0f} ms | {j / trivial:.2f} |")
print("\nmin–max, ms: " + "; ".join(f"{key} {min(v):.0f}–{max(v):.0f}" for key, v in times.items()))
PY
