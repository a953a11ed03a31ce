#!/usr/bin/env bash
# glance-api's memory over rounds of the bench suite's heaviest workloads, to tell a peak from
# growth: a private MariaDB, glance-registry and glance-api (file store, workers = 2) with the
# 10,000 seeded images; each round uploads a 1 GiB image, downloads it 32 times at once, runs
# wrk (c=16, 5 s) on v1 detail?limit=25, v1 detail?limit=1000 and v2 images?limit=1000, then
# deletes the image. Prints glance-api's VmRSS and VmHWM (KiB) after each step.
#   bench/memory_rounds.sh [BUILD_DIR] [ROUNDS]     BUILD_DIR: default build/release
# GLIBC_TUNABLES, when set, reaches glance-api alone (e.g. glibc.malloc.arena_max=2).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$root/build/release}")
rounds=${2:-3}
tunables=${GLIBC_TUNABLES:-}
unset GLIBC_TUNABLES
command -v wrk >/dev/null || { echo "wrk is missing (apt install wrk)" >&2; exit 1; }
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
private_workdir glance-memory
start_private_registry "workers = 2"
GLIBC_TUNABLES=$tunables start_glance_api api "workers = 2" "stores = file
filesystem_store_datadir = $work/store"
seed_images glance >/dev/null
url=http://127.0.0.1:$api_port
head -c $((1024 << 20)) /dev/urandom >"$work/image"
report() {
  echo "round $1 $2: VmRSS $(awk '/^VmRSS/ {print $2}' "/proc/$api_pid/status")" \
    "VmHWM $(awk '/^VmHWM/ {print $2}' "/proc/$api_pid/status")"
}
echo "start: VmRSS $(awk '/^VmRSS/ {print $2}' "/proc/$api_pid/status")"
for r in $(seq "$rounds"); do
  id=$(curl -sSf -X POST -H 'x-image-meta-name: memory' -H 'x-image-meta-disk_format: raw' \
    -H 'x-image-meta-container_format: bare' -H 'x-image-meta-is_public: true' \
    -H 'Content-Type: application/octet-stream' -T "$work/image" "$url/v1/images" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["image"]["id"])')
  report "$r" upload
  pids=()
  for _ in $(seq 32); do curl -sSf -o /dev/null "$url/v1/images/$id" & pids+=($!); done
  wait "${pids[@]}"
  report "$r" "32 downloads"
  for q in "v1/images/detail?limit=25" "v1/images/detail?limit=1000" "v2/images?limit=1000"; do
    wrk -t2 -c16 -d5s "$url/$q" >/dev/null
    report "$r" "$q"
  done
  curl -sSf -o /dev/null -X DELETE "$url/v1/images/$id"
done
