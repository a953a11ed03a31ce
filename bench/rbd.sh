#!/usr/bin/env bash
# Times a 1 GiB (or SIZE_MIB) upload and download through glance-api on the rbd store, next to
# `rbd import` and `rbd export` moving the same bytes on the same private single-node Ceph
# (scripts/ceph-aio.sh, memstore raised to hold the image), and samples the api's peak RSS.
#   bench/rbd.sh BUILD_DIR [SIZE_MIB] [RUNS]
# Prints one line per run and transfer, then the medians and the api/rbd ratios.
set -euo pipefail
build=$(realpath "${1:?build directory with src/api/glance-api}")
size_mib=${2:-1024}
runs=${3:-3}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/glance-bench.XXXXXX)
api_pid=; reg_pid=
cleanup() {
  kill $api_pid $reg_pid 2>/dev/null || true
  "$repo/scripts/mariadb.sh" stop "$work/db" >/dev/null 2>&1 || true
  "$repo/scripts/ceph-aio.sh" stop "$work/ceph" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# One image at a time lives in the OSD's memory, plus room for RBD's metadata.
CEPH_AIO_MEMSTORE_BYTES=$(((size_mib + 512) << 20)) "$repo/scripts/ceph-aio.sh" start "$work/ceph" >/dev/null
# shellcheck disable=SC1091
. "$work/ceph/cluster.env"
# shellcheck source=bench/private_registry.sh
. "$repo/bench/private_registry.sh"
start_private_registry
cat >"$work/api.conf" <<CONF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 0
workers = 2
registry_host = 127.0.0.1
registry_port = $reg_port
[glance_store]
stores = file, rbd
default_store = rbd
filesystem_store_datadir = $work/images
rbd_store_ceph_conf = $CEPH_CONF
rbd_store_pool = $CEPH_POOL
CONF
"$build/src/api/glance-api" --config-file "$work/api.conf" >"$work/api.log" 2>&1 &
api_pid=$!
api_port=$(wait_port "$work/api.log")

head -c $((size_mib << 20)) /dev/urandom >"$work/image.bin"
results="$work/results"
: >"$results"
timed() {  # label, command...: appends "label seconds peak_rss_mib" (rss of the api, or -)
  local label=$1; shift
  local t0; t0=$(date +%s.%N)
  "$@"
  local t1; t1=$(date +%s.%N)
  local rss=-
  if [[ $label == api-* ]]; then rss=$(awk '/VmHWM/ {print $2 / 1024}' "/proc/$api_pid/status"); fi
  local s; s=$(echo "$t1 - $t0" | bc)
  echo "$label $s $rss" >>"$results"
  awk -v l="$label" -v t="$s" -v m="$size_mib" -v r="$rss" \
    'BEGIN { printf "%-16s %6.2f s %6.0f MB/s  api peak RSS %s MiB\n", l, t, m * 1.048576 / t, r }'
}
api_upload() {
  curl -fsS -o "$work/created.json" -X POST -H 'Content-Type: application/octet-stream' \
    -H 'x-image-meta-name: bench' -H 'x-image-meta-disk_format: raw' \
    -H 'x-image-meta-container_format: bare' -T "$work/image.bin" \
    "http://127.0.0.1:$api_port/v1/images"
  id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["image"]["id"])' "$work/created.json")
}
api_download() { curl -fsS -o "$work/down.bin" "http://127.0.0.1:$api_port/v1/images/$id"; }
api_delete() { curl -fsS -o /dev/null -X DELETE "http://127.0.0.1:$api_port/v1/images/$id"; }
rbd_cli() { rbd -c "$CEPH_CONF" --no-progress "$@"; }
# What an operator would do by hand: import (default features) and export the same file.
rbd_import() { rbd_cli import "$work/image.bin" "$CEPH_POOL/direct"; }
rbd_export() { rm -f "$work/down.bin"; rbd_cli export "$CEPH_POOL/direct" "$work/down.bin"; }

for run in $(seq 1 "$runs"); do
  echo "run $run (load $(cut -d' ' -f1 /proc/loadavg))"
  timed api-upload api_upload
  timed api-download api_download
  cmp -s "$work/image.bin" "$work/down.bin" || { echo "download differs"; exit 1; }
  api_delete
  timed rbd-import rbd_import
  timed rbd-export rbd_export
  cmp -s "$work/image.bin" "$work/down.bin" || { echo "export differs"; exit 1; }
  rbd_cli rm "$CEPH_POOL/direct"
  rm -f "$work/down.bin"
done

echo "medians over $runs runs:"
python3 - "$results" <<'PY'
import statistics, sys
times, rss = {}, {}
for line in open(sys.argv[1]):
    label, seconds, peak = line.split()
    times.setdefault(label, []).append(float(seconds))
    if peak != "-": rss[label] = max(rss.get(label, 0.0), float(peak))
med = {k: statistics.median(v) for k, v in times.items()}
for k in sorted(med):
    extra = f"  peak RSS {rss[k]:.1f} MiB" if k in rss else ""
    print(f"  {k:16s} {med[k]:6.2f} s{extra}")
print("api / rbd: upload %.2f, download %.2f" % (
    med["api-upload"] / med["rbd-import"], med["api-download"] / med["rbd-export"]))
PY
