#!/usr/bin/env bash
# Connections: what many open connections cost glance-api (file store, 2 workers, on a
# private MariaDB and glance-registry; all on loopback, in one temporary directory).
#   (a) IDLE idle keep-alive connections (each made one HEAD, then stays open): glance-api's
#       RSS and descriptors, and HEAD /v1/images/{id} latency (median, p99 of REQUESTS) of one
#       active client alone, beside the IDLE idle ones, and after they closed; the descriptors
#       must come back to where they were. The idle connections are opened and closed ROUNDS
#       times, RSS read after each, to tell memory leaked from memory the allocator keeps.
#   (b) CLIENTS concurrent slow downloads of one SIZE MiB image, each read at RATE bytes/s
#       (a small SO_RCVBUF and paced reads), every byte compared with the uploaded file:
#       RSS (during, and peak VmHWM), CPU (utime+stime over the run, as % of one core).
# glance-api is started afresh for each part, with max_connections raised above IDLE.
#   [IDLE=10000] [REQUESTS=2000] [ROUNDS=3] [CLIENTS=1000] [SIZE=30] [RATE=1000000]
#   [PARTS="idle slow"] bench/connections.sh [BUILD_DIR]
# BUILD_DIR defaults to build/release, configured and built (glance-api, glance-registry,
# glance-manage only) when missing.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
IDLE=${IDLE:-10000}
REQUESTS=${REQUESTS:-2000}
ROUNDS=${ROUNDS:-3}
CLIENTS=${CLIENTS:-1000}
SIZE=${SIZE:-30}
RATE=${RATE:-1000000}
PARTS=${PARTS:-idle slow}
build=${1:-$root/build/release}
log() { echo "[$(date +%T)] $*" >&2; }

if [ ! -x "$build/src/api/glance-api" ]; then
  log "building Release in $build"
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$build" -j2 glance-api glance-registry glance-manage >/dev/null
fi
build=$(realpath "$build")

# The client holds IDLE sockets itself; glance-api raises its own soft limit to the hard one.
need=$((IDLE + 2 * CLIENTS + 256))
[ "$(ulimit -Sn)" -lt "$need" ] && { ulimit -Sn "$need" 2>/dev/null || ulimit -Sn "$(ulimit -Hn)"; }
if [ "$(ulimit -n)" -lt "$need" ]; then
  echo "open file limit $(ulimit -Hn) < $need: lower IDLE or raise the hard limit" >&2
  exit 1
fi

# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
private_workdir glance-conn
start_private_registry "workers = 2"
show_id=$(seed_images glance)

api() {  # a fresh glance-api; the image files stay in $work/store
  if [ -n "$api_pid" ]; then kill "$api_pid"; wait "$api_pid" 2>/dev/null || true; fi
  start_glance_api "api-$1" "workers = 2
max_connections = $((IDLE + CLIENTS + 1000))" "stores = file
filesystem_store_datadir = $work/store"
  local nofile
  nofile=$(awk '/Max open files/ {print $4}' "/proc/$api_pid/limits")
  log "glance-api pid $api_pid on port $api_port, open file limit $nofile"
}
client() { /usr/bin/python3 "$root/bench/connections_client.py" "$@"; }

echo "machine: $(nproc) cores shared by glance-api, glance-registry, MariaDB and the client;" \
  "load $(cut -d' ' -f1-3 /proc/loadavg)"
for part in $PARTS; do
  case $part in
    idle)
      api idle
      log "idle: $IDLE connections, $REQUESTS HEADs timed"
      echo "## idle: IDLE=$IDLE REQUESTS=$REQUESTS ROUNDS=$ROUNDS"
      client idle --port "$api_port" --registry-port "$reg_port" --pid "$api_pid" \
        --image "$show_id" --idle "$IDLE" --requests "$REQUESTS" --rounds "$ROUNDS"
      ;;
    slow)
      api slow
      head -c $((SIZE << 20)) /dev/urandom >"$work/image"
      want=$(md5sum "$work/image" | cut -d' ' -f1)
      read -r slow_id checksum < <(curl -sSf -X POST -H 'Content-Type: application/octet-stream' \
        -H 'x-image-meta-name: slow' -H 'x-image-meta-disk_format: raw' \
        -H 'x-image-meta-container_format: bare' -H 'x-image-meta-is_public: true' \
        -T "$work/image" "http://127.0.0.1:$api_port/v1/images" |
        python3 -c 'import json,sys; i=json.load(sys.stdin)["image"]; print(i["id"], i["checksum"])')
      if [ "$checksum" != "$want" ]; then
        echo "upload checksum $checksum, file's md5 $want" >&2
        exit 1
      fi
      # One download checked by md5 end to end; the slow ones compare every byte with the file.
      got=$(curl -sSf "http://127.0.0.1:$api_port/v1/images/$slow_id" | md5sum | cut -d' ' -f1)
      [ "$got" = "$want" ] || { echo "download md5 $got, want $want" >&2; exit 1; }
      log "slow: $CLIENTS downloads of $SIZE MiB at $RATE B/s each"
      echo "## slow: CLIENTS=$CLIENTS SIZE=${SIZE}MiB RATE=$RATE md5=$want"
      client slow --port "$api_port" --registry-port "$reg_port" --pid "$api_pid" \
        --image "$slow_id" --file "$work/image" --clients "$CLIENTS" --rate "$RATE"
      ;;
    *) echo "unknown part $part" >&2; exit 2 ;;
  esac
  if ! kill -0 "$api_pid" 2>/dev/null; then
    echo "glance-api DIED; last log lines:"; tail -n 5 "$work/api-$part.log"
  fi
  echo "api log lines with error or warn: $(grep -ciE "error|warn" "$work/api-$part.log" || true)"
done
