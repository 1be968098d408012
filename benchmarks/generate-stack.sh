#!/usr/bin/env bash
# Prints a stack config with N regions (default 10), rotating through the four clouds.
set -euo pipefail
n=${1:-10}
clouds=(linode digitalocean aws ovh)
cat <<HEAD
config:
  es-dr:namePrefix: bench
  es-dr:activeRegion: r1
  es-dr:elasticsearch:
    version: 9.5.7
    license: trial
  es-dr:ssh:
    publicKeys:
      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGQw1c6y3Vb5cR9yTQ0h1S8c0k1a6m5Q7n9vX2pW4tZ8 ops@example.com
    allowedCidrs: [203.0.113.0/24]
  es-dr:deployer:
    cidrs: [198.51.100.20/32]
  es-dr:replication:
    indexPatterns: [logs-*, orders-*]
  es-dr:database:
    engine: mariadb
  es-dr:monitoring:
    cloud: linode
    location: nl-ams
    size: g6-standard-2
    network: {cidr: 10.90.0.0/24}
    webhookUrl: https://recovery.example.com/alerts
  es-dr:regions:
HEAD
for i in $(seq 1 "$n"); do
  cloud=${clouds[$(( (i - 1) % 4 ))]}
  state=standby; [ "$i" -eq 1 ] && state=active
  echo "    - name: r$i"
  echo "      cloud: $cloud"
  echo "      state: $state"
  echo "      network: {cidr: 10.$((100 + i)).0.0/24}"
  case $cloud in
    linode) echo "      location: eu-central"; echo "      database: {size: g6-standard-2}"; size=g6-standard-4 ;;
    digitalocean) echo "      location: fra1"; echo "      dnsZone: bench.example.com"; size=s-4vcpu-8gb ;;
    aws) echo "      location: eu-central-1"; echo "      image: ami-0c7e2f9a1b3d5e7f0"; echo "      zones: [eu-central-1a, eu-central-1b, eu-central-1c]"; echo "      database: {size: t3.medium}"; size=m6i.large ;;
    ovh) echo "      location: GRA11"; echo "      projectId: 5f0a6c4e2b8d4a1e9c3f7b6a2d1e0f9a"; echo "      image: 9c4d3b6e-1f2a-4e5b-8c7d-0a1b2c3d4e5f"; size=7f2c1e0a-3b4d-4c5e-9f60-718293a4b5c6 ;;
  esac
  if [ "$cloud" = ovh ]; then echo "      elasticsearch: {nodes: 3, size: $size, memoryGb: 16}"; else echo "      elasticsearch: {nodes: 3, size: $size, volumeGb: 50}"; fi
done
