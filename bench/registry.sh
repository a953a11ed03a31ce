#!/usr/bin/env bash
# Registry benchmark: a Release build, a private MariaDB and glance-registry in a temporary
# directory, 10,000 public images, then wrk at concurrency 16 (2 threads) for
#   GET /images/{id}, GET /images/detail?limit=25, GET /images/detail?limit=1000, POST /images
# Prints req/s and latency percentiles (median of RUNS runs, with min and max) and the
# registry's RSS idle and after the load. Needs wrk (Debian package wrk).
# Usage: bench/registry.sh [RUNS] [SECONDS]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-5}
secs=${2:-10}
"$root/scripts/install-deps.sh" build
command -v wrk >/dev/null || apt-get install -y -qq --no-install-recommends wrk >/dev/null
build=$root/build/release
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DGLANCE_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null

work=$(mktemp -d /tmp/glance-bench-XXXXXX)
db_port=$("$root/scripts/mariadb.sh" start "$work/db")
cleanup() {
  [ -n "${reg_pid:-}" ] && kill "$reg_pid" 2>/dev/null && wait "$reg_pid" 2>/dev/null || true
  "$root/scripts/mariadb.sh" stop "$work/db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
cat >"$work/registry.conf" <<CONF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 0
workers = 2
[database]
connection = mysql://glance:glancepw@127.0.0.1:$db_port/glance
CONF
"$build/src/registry/glance-manage" --config-file "$work/registry.conf" db_sync >/dev/null
"$build/src/registry/glance-registry" --config-file "$work/registry.conf" 2>"$work/registry.log" &
reg_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/registry.log" && break; sleep 0.05; done
port=$(grep -o 'listening on [^ ]*' "$work/registry.log" | sed 's/.*://')
url=http://127.0.0.1:$port
rss() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$reg_pid/status"; }
rss_idle=$(rss)

# 10,000 public images with two properties each, inserted in bulk through SQL.
mariadb --no-defaults --socket="$work/db/mysqld.sock" -uroot glance <<'SQL'
INSERT INTO images (id, name, size, status, created_at, updated_at, deleted, disk_format,
                    container_format, checksum, owner, min_disk, min_ram, protected, visibility)
SELECT UUID(), CONCAT('image-', seq), seq * 1024, 'active',
       NOW(6) - INTERVAL seq SECOND, NOW(6) - INTERVAL seq SECOND, 0, 'qcow2', 'bare',
       MD5(seq), CONCAT('tenant-', seq % 50), 0, 0, 0, 'public'
FROM seq_1_to_10000;
INSERT INTO image_properties (image_id, name, value, created_at, updated_at, deleted)
SELECT id, 'os_distro', 'ubuntu', created_at, created_at, 0 FROM images;
INSERT INTO image_properties (image_id, name, value, created_at, updated_at, deleted)
SELECT id, 'hw_disk_bus', 'virtio', created_at, created_at, 0 FROM images;
INSERT INTO image_locations (image_id, value, meta_data, status, created_at, updated_at, deleted)
SELECT id, CONCAT('file:///var/lib/glance/images/', id), '{}', 'active', created_at, created_at, 0
FROM images;
SQL
id=$(mariadb --no-defaults --socket="$work/db/mysqld.sock" -uroot glance -N -B \
  -e "SELECT id FROM images ORDER BY created_at DESC LIMIT 5000, 1")

# One wrk run: prints "req/s p50_ms p99_ms".
measure() {
  local out
  out=$(wrk -t2 -c16 -d"${secs}s" --latency "$@" 2>&1)
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) print v/1000; else if (v ~ /ms$/) print v+0; else print v*1000 }'; }
  echo "$rps $(to_ms "$p50") $(to_ms "$p99")"
}
# Median, min and max of column $1 over the lines on stdin.
stats() { sort -n -k"$1" | awk -v c="$1" '{v[NR]=$c} END {printf "%.1f (%.1f-%.1f)", v[int((NR+1)/2)], v[1], v[NR]}'; }

declare -A results
for name in show detail25 detail1000 create; do
  : >"$work/$name.txt"
done
for run in $(seq "$runs"); do
  measure "$url/images/$id" >>"$work/show.txt"
  measure "$url/images/detail?limit=25" >>"$work/detail25.txt"
  measure "$url/images/detail?limit=1000" >>"$work/detail1000.txt"
  measure -s "$root/bench/create_image.lua" "$url/images" >>"$work/create.txt"
done
rss_after=$(rss)
printf "%-36s %-26s %-22s %-22s\n" "workload (c=16, ${secs}s x $runs)" "req/s median (min-max)" "p50 ms" "p99 ms"
for name in show detail25 detail1000 create; do
  case $name in
    show) label="GET /images/{id}";;
    detail25) label="GET /images/detail?limit=25";;
    detail1000) label="GET /images/detail?limit=1000";;
    create) label="POST /images";;
  esac
  printf "%-36s %-26s %-22s %-22s\n" "$label" "$(stats 1 <"$work/$name.txt")" \
    "$(stats 2 <"$work/$name.txt")" "$(stats 3 <"$work/$name.txt")"
done
echo "registry RSS: idle ${rss_idle} MiB, after the runs ${rss_after} MiB"
