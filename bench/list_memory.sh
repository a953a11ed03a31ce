#!/usr/bin/env bash
# glance-api's peak memory while it serves pages of a thousand images: a private MariaDB,
# glance-registry and glance-api (workers = 2, as in bench/run.sh) over the 10,000 images of
# bench/lib.sh, then wrk at concurrency 16 on GET /v1/images/detail?limit=1000 and then on
# GET /v2/images?limit=1000, SECS seconds each. Prints glance-api's VmHWM (peak RSS) when idle
# and after each load, and the req/s. Uses the binaries of an existing build (BUILD, default
# build/release: glance-api, glance-registry, glance-manage); needs wrk, curl and MariaDB.
#   [BUILD=dir] [SECS=20] bench/list_memory.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build/release}
SECS=${SECS:-20}
for b in api/glance-api registry/glance-registry registry/glance-manage; do
  [ -x "$build/src/$b" ] || { echo "no $b in $build: build it first" >&2; exit 1; }
done
log() { echo "[$(date +%T)] $*" >&2; }

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
private_workdir glance-list-memory
start_private_registry "workers = 2"
start_glance_api api "workers = 2" "stores = file
filesystem_store_datadir = $work/store"
seed_images glance >/dev/null
url=http://127.0.0.1:$api_port

hwm() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$api_pid/status"; }
echo "glance-api VmHWM at start: $(hwm) MiB"
count=$(curl -sSf "$url/v1/images/detail?limit=1000" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["images"]))')
[ "$count" = 1000 ] || { echo "a page holds $count images, not 1000" >&2; exit 1; }
echo "glance-api VmHWM idle (after one page): $(hwm) MiB"

load() {  # load NAME URL
  local out bad
  out=$(wrk -t2 -c16 -d"${SECS}s" --timeout 60s "$2" 2>&1)
  bad=$(awk '/Non-2xx|Socket errors/' <<<"$out")
  echo "$1: $(awk '/Requests\/sec/ {print $2}' <<<"$out") req/s${bad:+ ($bad)}; glance-api VmHWM $(hwm) MiB"
}
log "v1 detail, c=16, ${SECS}s"
load "GET /v1/images/detail?limit=1000" "$url/v1/images/detail?limit=1000"
log "v2 list, c=16, ${SECS}s"
load "GET /v2/images?limit=1000" "$url/v2/images?limit=1000"
