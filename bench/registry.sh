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
cleanup() {
  [ -n "${reg_pid:-}" ] && kill "$reg_pid" 2>/dev/null && wait "$reg_pid" 2>/dev/null || true
  "$root/scripts/mariadb.sh" stop "$work/db" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
start_private_registry "workers = 2"
url=http://127.0.0.1:$reg_port
rss() { awk '/VmRSS/ {print int($2/1024)}' "/proc/$reg_pid/status"; }
rss_idle=$(rss)

# 10,000 public images with two properties and a location each.
id=$(seed_images glance)

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
