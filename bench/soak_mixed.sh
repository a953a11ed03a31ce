#!/usr/bin/env bash
# Mixed soak: a private MariaDB, glance-registry and glance-api (file store, 2 workers each)
# with the 10,000 seeded images, then for DURATION seconds a steady open-loop mix at RATE
# requests/s in total (bench/soak_mixed_client.py): HEAD /v1/images/{id} 25 %,
# GET /v1/images/detail?limit=25 20 %, GET /v2/images/{id} 25 %, GET /v2/images?limit=25 20 %,
# POST /v1/images without data 5 % and DELETE of the oldest such image 5 % (about 50 live at
# a time), plus a 1 MiB upload, its download (md5 checked) and its delete every 5 s.
# Every SAMPLE seconds one CSV row: elapsed s; glance-api's and glance-registry's VmRSS KiB,
# open descriptors and threads; the interval's requests, errors (non-2xx or exceptions) and
# p50/p95/p99 latency in ms (from each request's scheduled start).
# At the end a Markdown table: first and last interval, max, and a verdict per series.
# Verdict rule: after a warm-up of 5 minutes (DURATION/6 when shorter), the first window is
# the next 10 minutes and the last window the run's last 10 minutes (both (DURATION-warm-up)/3
# when shorter); a series "grows" when the last window's median exceeds the first's by more
# than 10 % and by more than a slack (1024 KiB, 4 fds, 1 thread), else "flat"; latency grows
# beyond 25 % and 2 ms; errors grow when the last window has more than the first; requests
# "fall" below 90 %. `bench/soak_mixed_client.py report --csv FILE --duration S` judges a
# kept CSV again.
# Deleted images stay in the database as soft-deleted rows, as upstream's do: every PURGE
# seconds (0: never) `glance-manage db_purge --age_in_days 0` removes them, as an operator's
# cron job would, so the tables do not grow through the hour.
# PEAK=SECONDS first measures the mix's closed-loop peak (32 connections) for that long.
# RATE's default, 500, is about half the peak measured on a 2-core machine (about 1100/s,
# client included, the machine otherwise busy).
#   [DURATION=3600] [RATE=500] [SAMPLE=60] [PURGE=300] [PEAK=0] [CSV=file] [PLOT=file.png]
#   bench/soak_mixed.sh [BUILD_DIR]
# BUILD_DIR defaults to build/release, configured and built (glance-api, glance-registry,
# glance-manage only) when missing. Loopback only; stops by itself.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
DURATION=${DURATION:-3600}
RATE=${RATE:-500}
PURGE=${PURGE:-300}
SAMPLE=${SAMPLE:-60}
PEAK=${PEAK:-0}
CSV=${CSV:-$PWD/soak-mixed-$(date +%Y%m%d-%H%M%S).csv}
build=${1:-$root/build/release}
log() { echo "[$(date +%T)] $*" >&2; }

if [ ! -x "$build/src/api/glance-api" ]; then
  log "building Release in $build"
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$build" -j2 glance-api glance-registry glance-manage >/dev/null
fi
build=$(realpath "$build")
if [ -n "${PLOT:-}" ] && ! command -v gnuplot >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get -o DPkg::Lock::Timeout=1200 install -y -qq --no-install-recommends gnuplot-nox >/dev/null ||
    log "gnuplot not installed: no plot"
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/glance-soak-mixed.XXXXXX")
api_pid=; reg_pid=; purger=
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
cleanup() {
  set +e
  [ -n "$purger" ] && kill "$purger" 2>/dev/null
  stop_private_daemons
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
start_private_registry "workers = 2"
seed_images glance >/dev/null
start_glance_api api "workers = 2" "stores = file
filesystem_store_datadir = $work/store"
log "glance-api pid $api_pid port $api_port, glance-registry pid $reg_pid port $reg_port"

client() {
  /usr/bin/python3 "$root/bench/soak_mixed_client.py" "$1" --api-port "$api_port" \
    --api-pid "$api_pid" --registry-pid "$reg_pid" "${@:2}"
}
echo "machine: $(nproc) cores shared by glance-api, glance-registry, MariaDB and the client;" \
  "load $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$PEAK" != 0 ] && client peak --duration "$PEAK"
if [ "$PURGE" != 0 ]; then
  (
    trap 'kill "$nap" 2>/dev/null; exit 0' TERM
    while :; do
      sleep "$PURGE" &
      nap=$!
      wait "$nap"
      "$build/src/registry/glance-manage" --config-file "$work/registry.conf" db_purge \
        --age_in_days 0 --max_rows 1000000 >>"$work/purge.log" 2>&1 || true
    done
  ) &
  purger=$!
fi
log "soak: $DURATION s at $RATE requests/s, a row every $SAMPLE s into $CSV"
client soak --duration "$DURATION" --rate "$RATE" --sample "$SAMPLE" --csv "$CSV"

if [ -n "$purger" ]; then
  kill "$purger" 2>/dev/null; wait "$purger" 2>/dev/null || true; purger=
  awk '/from table images$/ {runs++; rows += $2} END {printf "db_purge: %d runs, %d image rows purged\n", runs, rows}' \
    "$work/purge.log" 2>/dev/null || echo "db_purge: no run"
  echo "soft-deleted images left: $(sql glance -N -B -e 'SELECT COUNT(*) FROM images WHERE deleted = 1')," \
    "live images: $(sql glance -N -B -e 'SELECT COUNT(*) FROM images WHERE deleted = 0')"
fi
for daemon in api:$api_pid:$work/api.log registry:$reg_pid:$work/registry.log; do
  IFS=: read -r name pid logfile <<<"$daemon"
  if kill -0 "$pid" 2>/dev/null; then
    echo "glance-$name: still running; log lines with error or warn:" \
      "$(grep -ciE "error|warn" "$logfile" || true)"
  else
    status=0; wait "$pid" || status=$?
    echo "glance-$name: DIED, exit status $status; last log lines:"
    tail -n 5 "$logfile" | sed 's/^/  /'
  fi
done

if [ -n "${PLOT:-}" ] && command -v gnuplot >/dev/null; then
  gnuplot <<GP
set terminal pngcairo size 900,800 noenhanced
set output '$PLOT'
set datafile separator ','
set key autotitle columnhead outside below
set grid
set xlabel 'elapsed s'
set multiplot layout 3,1 title 'Mixed soak at $RATE requests/s'
set ylabel 'VmRSS MiB'
plot '$CSV' using 1:(\$2/1024) with lines lw 2 title 'glance-api', \
     '' using 1:(\$5/1024) with lines lw 2 title 'glance-registry'
set ylabel 'fds, threads'
plot '$CSV' using 1:3 with lines title 'api fds', '' using 1:4 with lines title 'api threads', \
     '' using 1:6 with lines title 'registry fds', '' using 1:7 with lines title 'registry threads'
set ylabel 'latency ms'
plot '$CSV' using 1:10 with lines title 'p50', '' using 1:11 with lines title 'p95', \
     '' using 1:12 with lines title 'p99'
unset multiplot
GP
  log "plot written to $PLOT"
fi
