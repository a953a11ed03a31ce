#!/usr/bin/env bash
# Boot storm through glance-api's image cache: CLIENTS (32) concurrent cold downloads of one
# SIZE_MIB (64) image stored in a private Swift all-in-one (scripts/swift-aio.sh), the api
# with flavor caching. A relay in front of Swift's proxy counts the object GETs, so each run
# shows how many times the store was read; then the same downloads again, warm (served from the
# cache). Each run uploads a fresh image (cold cache). The Swift store names its object after
# the image id, with a suffix.
#   bench/cache.sh BUILD_DIR [SIZE_MIB] [RUNS] [CLIENTS]
# Prints one line per run, then the medians.
set -euo pipefail
build=$(realpath "${1:?build directory with src/api/glance-api}")
size_mib=${2:-64}
runs=${3:-3}
clients=${4:-32}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/glance-bench.XXXXXX)
api_pid=; reg_pid=; relay_pid=
cleanup() {
  kill $api_pid $reg_pid $relay_pid 2>/dev/null || true
  "$repo/scripts/mariadb.sh" stop "$work/db" >/dev/null 2>&1 || true
  "$repo/scripts/swift-aio.sh" stop "$work/swift" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

"$repo/scripts/swift-aio.sh" start "$work/swift" >/dev/null
# shellcheck disable=SC1091
. "$work/swift/cluster.env"
# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
start_private_registry

# The counting relay: one thread per connection, each request line from the api appended to
# $work/requests.
python3 - "$PROXY_PORT" "$work/requests" "$work/relay.port" <<'PY' &
import re, socket, sys, threading
upstream, log_path, port_path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
lock = threading.Lock()
request_line = re.compile(rb"(?:GET|HEAD|PUT|POST|DELETE) /\S* HTTP/1\.[01]\r\n")
def pump(src, dst, log):
    # A request line may follow a body directly, in the same segment: search, not split.
    pending = b""
    try:
        while data := src.recv(1 << 16):
            if log:
                pending += data
                end = 0
                with lock, open(log_path, "ab") as f:
                    for m in request_line.finditer(pending):
                        f.write(m.group(0)[:-2] + b"\n")
                        end = m.end()
                pending = pending[end:][-8192:]
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try: s.shutdown(socket.SHUT_RDWR)
        except OSError: pass
def serve(client):
    server = socket.create_connection(("127.0.0.1", upstream))
    threading.Thread(target=pump, args=(server, client, False), daemon=True).start()
    pump(client, server, True)
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(256)
open(port_path, "w").write(str(listener.getsockname()[1]))
while True:
    c, _ = listener.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
PY
relay_pid=$!
for _ in $(seq 1 200); do [ -s "$work/relay.port" ] && break; sleep 0.05; done
relay_port=$(cat "$work/relay.port")
storage_url=$(curl -fsS -D - -o /dev/null -H "X-Auth-User: $SWIFT_USER" -H "X-Auth-Key: $SWIFT_KEY" \
  "$SWIFT_AUTH_URL" | tr -d '\r' | awk 'tolower($1) == "x-storage-url:" {print $2}')
storage_path=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.urlparse(sys.argv[1]).path)' "$storage_url")

mkdir -p "$work/cache"
start_glance_api api "workers = 2
image_cache_dir = $work/cache" "stores = file, swift
default_store = swift
filesystem_store_datadir = $work/images
swift_store_auth_address = $SWIFT_AUTH_URL
swift_store_auth_version = 1
swift_store_user = $SWIFT_USER
swift_store_key = $SWIFT_KEY
swift_store_container = glance-bench
swift_store_create_container_on_put = True
swift_store_endpoint = http://127.0.0.1:$relay_port$storage_path" "[paste_deploy]
flavor = caching"

head -c $((size_mib << 20)) /dev/urandom >"$work/image.bin"
results="$work/results"
: >"$results"
want=$(md5sum <"$work/image.bin" | cut -d' ' -f1)
download_all() {  # prints the wall time of $clients concurrent downloads of $id, checking each
  local t0 t1 pids=()
  t0=$(date +%s.%N)
  for i in $(seq 1 "$clients"); do
    { curl -fsS "http://127.0.0.1:$api_port/v1/images/$id" | md5sum >"$work/sum.$i"; } & pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  t1=$(date +%s.%N)
  for i in $(seq 1 "$clients"); do
    [ "$(cut -d' ' -f1 "$work/sum.$i")" = "$want" ] || { echo "download $i differs" >&2; exit 1; }
  done
  rm -f "$work"/sum.*
  echo "$t1 - $t0" | bc
}
for run in $(seq 1 "$runs"); do
  curl -fsS -o "$work/created.json" -X POST -H 'Content-Type: application/octet-stream' \
    -H 'x-image-meta-name: bench' -H 'x-image-meta-disk_format: raw' \
    -H 'x-image-meta-container_format: bare' -H "x-image-meta-size: $((size_mib << 20))" \
    -T "$work/image.bin" "http://127.0.0.1:$api_port/v1/images"
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["image"]["id"])' "$work/created.json")
  cold=$(download_all)
  gets=$(grep -c "^GET [^ ?]*/glance-bench/$id[^ ?]* " "$work/requests" || true)
  warm=$(download_all)
  gets_after=$(grep -c "^GET [^ ?]*/glance-bench/$id[^ ?]* " "$work/requests" || true)
  rss=$(awk '/VmHWM/ {print $2 / 1024}' "/proc/$api_pid/status")
  echo "$cold $warm $gets $gets_after $rss" >>"$results"
  printf 'run %d: %d cold downloads %.2f s (%d object GETs), warm %.2f s (%d GETs in all), api peak RSS %.1f MiB\n' \
    "$run" "$clients" "$cold" "$gets" "$warm" "$gets_after" "$rss"
  curl -fsS -o /dev/null -X DELETE "http://127.0.0.1:$api_port/v1/images/$id"
done
python3 - "$results" "$clients" "$size_mib" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
n, mib = int(sys.argv[2]), int(sys.argv[3])
cold = statistics.median(r[0] for r in rows); warm = statistics.median(r[1] for r in rows)
print(f"medians over {len(rows)} runs, {n} clients x {mib} MiB: cold {cold:.2f} s "
      f"({n * mib * 1.048576 / cold:.0f} MB/s aggregate), warm {warm:.2f} s; "
      f"object GETs per cold storm: {sorted(int(r[2]) for r in rows)}")
PY
