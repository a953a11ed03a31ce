#!/usr/bin/env bash
# Times a 1 GiB (or SIZE_MIB) upload and download through glance-api on the file store, with
# a private MariaDB and glance-registry, and samples the api's peak RSS while each runs.
#   [DATADIR=dir] [TLS=1] bench/api_transfer.sh BUILD_DIR [SIZE_MIB]
# DATADIR: the file store, e.g. on tmpfs. TLS=1: glance-api serves HTTPS (a throwaway
# P-256 certificate; curl verifies it), so the transfers pay for encryption.
# Prints wall time, throughput, the api's CPU seconds and peak RSS for each direction.
set -euo pipefail
build=$(realpath "${1:?build directory with src/api/glance-api}")
size_mib=${2:-1024}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/glance-bench.XXXXXX)
api_pid=; reg_pid=
# Each run writes several GiB: remove all of it, whatever way the run ends.
trap 'kill $api_pid $reg_pid 2>/dev/null || true; "$repo/scripts/mariadb.sh" stop "$work/db" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
start_private_registry
scheme=http; curl_tls=(); tls_conf=
if [ "${TLS:-0}" = 1 ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
    -subj /CN=localhost -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
  tls_conf="cert_file = $work/cert.pem
key_file = $work/key.pem"
  scheme=https; curl_tls=(--cacert "$work/cert.pem")
fi
start_glance_api api "workers = 2
$tls_conf" "stores = file
filesystem_store_datadir = ${DATADIR:-$work/images}"

head -c $((size_mib << 20)) /dev/urandom >"$work/image.bin"
echo "limit: one core's MD5 rate, same run: $(openssl speed -evp md5 -seconds 2 -bytes 1048576 2>/dev/null | awk '/^md5/ {printf "%.0f MB/s", $2 / 1000}')"
cpu_s() { awk '{print ($14 + $15) / 100}' "/proc/$api_pid/stat"; }
peak_rss_mib() { awk '/VmHWM/ {print $2 / 1024}' "/proc/$api_pid/status"; }
measure() {  # label, command...
  local label=$1; shift
  local cpu0; cpu0=$(cpu_s)
  local t0; t0=$(date +%s.%N)
  "$@"
  local t1; t1=$(date +%s.%N)
  local cpu1; cpu1=$(cpu_s)
  awk -v l="$label" -v t="$(echo "$t1 - $t0" | bc)" -v c="$(echo "$cpu1 - $cpu0" | bc)" \
      -v m="$size_mib" -v r="$(peak_rss_mib)" \
      'BEGIN { printf "%s: %.2f s, %.0f MB/s, api %.2f CPU-s (%.2f CPU-s/GiB), api peak RSS %.1f MiB\n",
               l, t, m * 1.048576 / t, c, c * 1024 / m, r }'
}
upload() {
  curl "${curl_tls[@]}" -sS -o "$work/created.json" -X POST -H 'Content-Type: application/octet-stream' \
    -H 'x-image-meta-name: bench' -H 'x-image-meta-disk_format: raw' \
    -H 'x-image-meta-container_format: bare' -T "$work/image.bin" \
    "$scheme://127.0.0.1:$api_port/v1/images"
}
measure upload upload
id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["image"]["id"])' "$work/created.json")
download() { curl "${curl_tls[@]}" -sS -o /dev/null "$scheme://127.0.0.1:$api_port/v1/images/$id"; }
measure download download
parallel_downloads() {
  local pids=()
  for _ in $(seq 1 32); do
    curl "${curl_tls[@]}" -sS -o /dev/null "$scheme://127.0.0.1:$api_port/v1/images/$id" &
    pids+=($!)
  done
  wait "${pids[@]}"  # only the downloads: the daemons are background jobs too
}
size_mib_one=$size_mib; size_mib=$((size_mib * 32))
measure "32 concurrent downloads" parallel_downloads
size_mib=$size_mib_one
if command -v ab >/dev/null; then
  ab -q -k -i -c 16 -n 20000 "$scheme://127.0.0.1:$api_port/v1/images/$id" | awk '/Requests per second|Failed requests|Non-2xx/ {print "HEAD through api and registry, ab -k -i -c 16: " $0}'
fi
echo "md5 of the file: $(md5sum <"$work/image.bin" | cut -d' ' -f1), image checksum: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["image"]["checksum"])' "$work/created.json")"
