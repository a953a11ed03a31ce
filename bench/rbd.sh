#!/usr/bin/env bash
# Times a 1 GiB (or SIZE_MIB) upload and download through glance-api on the rbd store, next to
# `rbd import` and `rbd export` moving the same bytes on the same private single-node Ceph
# (scripts/ceph-aio.sh, memstore raised to hold the image), and samples the api's peak RSS.
# With STORE_RATE (tc's syntax, e.g. 1gbit; needs root) what goes to and from the OSD is
# limited to that rate (shape_loopback_port in bench/lib.sh), as if the OSD were across a
# link of that speed: the network bounds both sides, not the two cores the OSD shares with
# glance-api, rbd and the client.
#   [STORE_RATE=RATE] bench/rbd.sh BUILD_DIR [SIZE_MIB] [RUNS]
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
  [ -n "${STORE_RATE:-}" ] && unshape_loopback
  "$repo/scripts/mariadb.sh" stop "$work/db" >/dev/null 2>&1 || true
  "$repo/scripts/ceph-aio.sh" stop "$work/ceph" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# One image at a time lives in the OSD's memory, plus room for RBD's metadata.
CEPH_AIO_MEMSTORE_BYTES=$(((size_mib + 512) << 20)) "$repo/scripts/ceph-aio.sh" start "$work/ceph" >/dev/null
# shellcheck disable=SC1091
. "$work/ceph/cluster.env"
# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
start_private_registry
start_glance_api api "workers = 2" "stores = file, rbd
default_store = rbd
filesystem_store_datadir = $work/images
rbd_store_ceph_conf = $CEPH_CONF
rbd_store_pool = $CEPH_POOL"

if [ -n "${STORE_RATE:-}" ]; then
  for port in $(ceph -c "$CEPH_CONF" osd dump --format json | python3 -c '
import json, sys
for osd in json.load(sys.stdin)["osds"]:
    for a in osd["public_addrs"]["addrvec"]:
        print(a["addr"].rsplit(":", 1)[1])'); do
    shape_loopback_port "$port" "$STORE_RATE"
  done
  echo "the OSD's public ports limited to $STORE_RATE"
fi

head -c $((size_mib << 20)) /dev/urandom >"$work/image.bin"
# shellcheck source=bench/transfer_timing.sh
. "$repo/bench/transfer_timing.sh"
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

print_medians 'print("api / rbd: upload %.2f, download %.2f" % (
    med["api-upload"] / med["rbd-import"], med["api-download"] / med["rbd-export"]))'
