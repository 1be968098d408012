#!/usr/bin/env bash
# The test command (README, .ci/run): installs the real tools the tests drive, then runs every test.
#   haproxy     – every rendered haproxy.cfg is checked with `haproxy -c`
#   cloud-init  – every rendered user-data is checked with `cloud-init schema`
#   nftables    – the host firewall of HAProxy VMs is checked with `nft -c`
#   prometheus, prometheus-alertmanager – `promtool check/test rules` and `amtool check-config`; the real alert chain
#               (Watch/RealAlertChainTests) runs both servers with the rendered configs
#   prometheus-mysqld-exporter, prometheus-elasticsearch-exporter – the real alert chain's exporters, against the real
#               MariaDB pair and the Elasticsearch stand-ins
#   mariadb-server, mariadb-client – a real primary and replica on loopback from the rendered my.cnf
#   etcd-server – the recovery lease, with two contenders on a real etcd
#   git         – recovery commits and pushes the stack file; the tests push to a bare repository on disk
#   clang, zlib1g-dev – the Native AOT toolchain: bin/es-dr publishes the compiler Native AOT with them, and the
#               tests compare that binary with the JIT build (they fail, not skip, without it)
# Only the .NET SDK is assumed; Debian packages come from apt-get (as root, or through sudo).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

need=()
command -v haproxy >/dev/null 2>&1 || need+=(haproxy)
command -v cloud-init >/dev/null 2>&1 || need+=(cloud-init)
[ -x /usr/sbin/nft ] || command -v nft >/dev/null 2>&1 || need+=(nftables)
command -v promtool >/dev/null 2>&1 || need+=(prometheus)
command -v amtool >/dev/null 2>&1 || need+=(prometheus-alertmanager)
[ -x /usr/bin/prometheus-mysqld-exporter ] || need+=(prometheus-mysqld-exporter)
[ -x /usr/bin/prometheus-elasticsearch-exporter ] || need+=(prometheus-elasticsearch-exporter)
command -v mariadbd >/dev/null 2>&1 || [ -x /usr/sbin/mariadbd ] || need+=(mariadb-server)
command -v mariadb >/dev/null 2>&1 || need+=(mariadb-client)
command -v etcd >/dev/null 2>&1 || need+=(etcd-server)
command -v clang >/dev/null 2>&1 || need+=(clang)
command -v git >/dev/null 2>&1 || need+=(git)
[ -f /usr/include/zlib.h ] || need+=(zlib1g-dev)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing ${need[*]} (Debian packages the tests run for real)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

# Build the compiler the way Pulumi will run it (Native AOT), so the tests that start it do not pay for the build.
# A ReadyToRun build from before clang was installed (.ci/run's first step on a fresh machine) is built again.
if [ -f .artifacts/compiler/es-dr.dll ] && command -v clang >/dev/null 2>&1 && [ "${ESDR_COMPILER_BUILD:-aot}" != readytorun ]; then
  rm -f .artifacts/compiler.stamp
fi
start=$(date +%s)
./bin/es-dr --help >/dev/null
echo "compiler built (Native AOT where clang is installed) in $(( $(date +%s) - start )) s"

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
# One test assembly at a time: both start real servers (MariaDB, etcd, haproxy) whose timings they assert.
dotnet test IaC.sln -c Release --nologo -- RunConfiguration.DisableParallelization=true 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for every test assembly together.
awk '/(Passed|Failed)!/ { for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1); if ($i == "Skipped:") s += $(i+1) } }
     END { gsub(",", "", p); printf "tests: %d passed, %d failed, %d skipped\n", p, f, s }' "$log"
exit "$status"
