#!/usr/bin/env bash
# One client's download through glance-api's image cache next to the same download without
# it, in one run: a Swift-backed image served from the cache (warm) next to the file store,
# and the first download that fills the cache (cold) next to a direct Swift download. Two
# glance-api in front of one registry, a private Swift all-in-one (scripts/swift-aio.sh) and
# one file store directory: "cache" (flavor caching, default store Swift) and "plain" (no
# cache). Each run uploads two fresh images of SIZE_MIB (256) random bytes, one to Swift and
# one to the file store, then downloads, in turn: the Swift image through plain (direct
# Swift) and through cache (cold, fills the cache; the two in alternating order, after one
# untimed read), through cache again (warm), and the file image through plain (file store).
# Every body is checked by its MD5. With STORE_RATE (tc's syntax, e.g. 1gbit; needs root) the
# Swift proxy's traffic is limited to that rate (shape_loopback_port in bench/lib.sh), as if
# Swift were across a link of that speed: the network bounds the downloads, not the two cores
# Swift's processes share with glance-api and the client.
#   [STORE_RATE=RATE] bench/cache_single.sh BUILD_DIR [SIZE_MIB] [RUNS]
# Prints one line per run, then glance-api's peak RSS, the medians and the two ratios, and
# the api's CPU seconds per download (utime + stime of the api that served it).
set -euo pipefail
build=$(realpath "${1:?build directory with src/api/glance-api}")
size_mib=${2:-256}
runs=${3:-5}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/glance-bench.XXXXXX)
cache_pid=
cleanup() {
  [ -n "$cache_pid" ] && kill "$cache_pid" 2>/dev/null
  [ -n "${STORE_RATE:-}" ] && unshape_loopback
  stop_private_daemons
  "$repo/scripts/swift-aio.sh" stop "$work/swift" >/dev/null 2>&1 || true
  rm -rf "$work"
}
# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
trap cleanup EXIT
trap 'exit 130' INT TERM

"$repo/scripts/swift-aio.sh" start "$work/swift" >/dev/null
# shellcheck disable=SC1091
. "$work/swift/cluster.env"
start_private_registry
if [ -n "${STORE_RATE:-}" ]; then
  shape_loopback_port "$PROXY_PORT" "$STORE_RATE"
  echo "Swift's proxy (port $PROXY_PORT) limited to $STORE_RATE"
fi

stores="stores = file, swift
default_store = swift
filesystem_store_datadir = $work/images
swift_store_auth_address = $SWIFT_AUTH_URL
swift_store_auth_version = 1
swift_store_user = $SWIFT_USER
swift_store_key = $SWIFT_KEY
swift_store_container = glance-bench
swift_store_create_container_on_put = True"
mkdir -p "$work/cache"
start_glance_api cache "workers = 2
image_cache_dir = $work/cache" "$stores" "[paste_deploy]
flavor = caching"
cache_pid=$api_pid cache_port=$api_port
start_glance_api plain "workers = 2" "$stores"
plain_pid=$api_pid plain_port=$api_port

head -c $((size_mib << 20)) /dev/urandom >"$work/image.bin"
want=$(md5sum <"$work/image.bin" | cut -d' ' -f1)
upload() {  # $1 store; prints the new image's id
  curl -fsS -X POST -H 'Content-Type: application/octet-stream' \
    -H 'x-image-meta-name: bench' -H 'x-image-meta-disk_format: raw' \
    -H 'x-image-meta-container_format: bare' -H "x-image-meta-size: $((size_mib << 20))" \
    -H "x-image-meta-store: $1" -T "$work/image.bin" "http://127.0.0.1:$plain_port/v1/images" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["image"]["id"])'
}
ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime of process $1
download() {  # $1 port, $2 id, $3 the api's pid; prints the wall time of one download and
  # the api's CPU seconds over it, checking its bytes
  local t0 t1 c0 c1 sum
  c0=$(cpu_ticks "$3")
  t0=$(date +%s.%N)
  sum=$(curl -fsS "http://127.0.0.1:$1/v1/images/$2" | md5sum | cut -d' ' -f1)
  t1=$(date +%s.%N)
  c1=$(cpu_ticks "$3")
  [ "$sum" = "$want" ] || { echo "download of $2 through port $1 differs" >&2; exit 1; }
  echo "$(echo "$t1 - $t0" | bc) $(echo "scale=2; ($c1 - $c0) / $ticks" | bc)"
}
results="$work/results"
: >"$results"
for run in $(seq 1 "$runs"); do
  swift_id=$(upload swift)
  file_id=$(upload file)
  # Swift's first read of a new object is slower than the next ones (its object server's
  # page cache): one untimed read first, then odd runs read directly first, even runs
  # through the cache first.
  download "$plain_port" "$swift_id" "$plain_pid" >/dev/null
  if [ $((run % 2)) = 1 ]; then
    direct=$(download "$plain_port" "$swift_id" "$plain_pid")
    cold=$(download "$cache_port" "$swift_id" "$cache_pid")
  else
    cold=$(download "$cache_port" "$swift_id" "$cache_pid")
    direct=$(download "$plain_port" "$swift_id" "$plain_pid")
  fi
  warm=$(download "$cache_port" "$swift_id" "$cache_pid")
  file=$(download "$plain_port" "$file_id" "$plain_pid")
  [ -e "$work/cache/$swift_id" ] || { echo "run $run: the image was not cached" >&2; exit 1; }
  echo "$direct $cold $warm $file" >>"$results"
  # shellcheck disable=SC2086 # each of the four is "seconds cpu-seconds"
  printf 'run %d: direct Swift %.3f s (api CPU %.2f s), cold (cache fill) %.3f s (%.2f), warm (cache) %.3f s (%.2f), file store %.3f s (%.2f)\n' \
    "$run" $direct $cold $warm $file
  for id in "$swift_id" "$file_id"; do
    curl -fsS -o /dev/null -X DELETE "http://127.0.0.1:$plain_port/v1/images/$id"
  done
done
rss() { awk '/VmHWM/ {printf "%.1f", $2 / 1024}' "/proc/$1/status"; }
echo "glance-api peak RSS: cache $(rss "$cache_pid") MiB, plain $(rss "$api_pid") MiB"
python3 - "$results" "$size_mib" <<'PY'
import statistics, sys
rows = [list(map(float, l.split())) for l in open(sys.argv[1])]
mb = int(sys.argv[2]) * 1.048576
direct, cold, warm, file = (statistics.median(r[2 * i] for r in rows) for i in range(4))
cpu = [statistics.median(r[2 * i + 1] for r in rows) for i in range(4)]
print(f"medians over {len(rows)} runs of {sys.argv[2]} MiB: direct Swift {direct:.3f} s "
      f"({mb / direct:.0f} MB/s), cold {cold:.3f} s ({mb / cold:.0f} MB/s), "
      f"warm {warm:.3f} s ({mb / warm:.0f} MB/s), file store {file:.3f} s ({mb / file:.0f} MB/s)")
print(f"warm / file store time {warm / file:.2f}; cold / direct Swift time {cold / direct:.2f}")
print("glance-api CPU seconds per download (medians): direct Swift {:.2f}, cold {:.2f}, "
      "warm {:.2f}, file store {:.2f}".format(*cpu))
PY
