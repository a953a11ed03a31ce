#!/usr/bin/env bash
# How the cost grows (bench/run.sh with SCALE=1): the registry's requests against the number of
# images (bench/registry_size.sh, with upstream Glance's v2 list and show over the same seeded
# database when PEER=1), and glance-api's RSS against the number of idle keep-alive connections
# (bench/connections.sh, idle part, one round). Prints both scripts' tables and draws with
# gnuplot, when PLOT=PREFIX is set:
#   PREFIX-registry-lists.png   the list requests' latency against the number of images
#   PREFIX-registry-other.png   show, members, create and delete against the number of images
#   PREFIX-api-v2.png           v2 requests through glance-api and through upstream Glance
#   PREFIX-connections.png      glance-api's RSS against the connections held open
# and keeps the figures drawn in PREFIX-sizes.dat ("query images ms" lines) and
# PREFIX-connections.dat ("connections MiB"); REPLOT=1 draws the plots again from those.
#   BUILD=build/release [SIZES="10000 100000 1000000"] [REQS=21] [PEER=0|1] [PEER_REQS=N]
#     [IDLE=10000] [PLOT=docs/benchmarks-scale] bench/scale.sh
#   REPLOT=1 PLOT=docs/benchmarks-scale bench/scale.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ "${REPLOT:-0}" != 1 ]; then build=$(cd "${BUILD:?a build directory with the daemons}" && pwd); fi
export SIZES=${SIZES:-10000 100000 1000000}
PEER=${PEER:-0}
log() { echo "[$(date +%T)] $*" >&2; }
if [ -n "${PLOT:-}" ] && ! command -v gnuplot >/dev/null; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get -o DPkg::Lock::Timeout=1200 install -y -qq --no-install-recommends gnuplot-nox >/dev/null
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/glance-scale.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ "${REPLOT:-0}" = 1 ]; then
  # Draws the plots again from the figures a measuring run kept (PREFIX-*.dat).
  cp "${PLOT:?REPLOT needs PLOT}-sizes.dat" "$work/size.dat"
  cp "$PLOT-connections.dat" "$work/connections.dat"
  if grep -q '^peer_' "$work/size.dat"; then PEER=1; fi
else
  log "registry sizes: $SIZES"
  BUILD=$build PEER=$PEER DATA=$work/size.dat "$root/bench/registry_size.sh"
  echo
  log "idle connections"
  PARTS=idle ROUNDS=1 "$root/bench/connections.sh" "$build" | tee "$work/connections.out"
  awk '$1 == "curve" {print $2, $3}' "$work/connections.out" >"$work/connections.dat"
  [ -n "${PLOT:-}" ] || exit 0
  # The figures beside the plots, so that they can be read or drawn again (REPLOT=1).
  cp "$work/size.dat" "$PLOT-sizes.dat"
  cp "$work/connections.dat" "$PLOT-connections.dat"
fi

# One data block per query (gnuplot's "index"), its name as the title.
blocks() {  # PATTERN: the queries whose name matches, in the order of the data file
  awk -v re="$1" '$1 ~ re && !seen[$1]++ {print $1}' "$work/size.dat" | while read -r q; do
    awk -v q="$q" '$1 == q && $3 != "failed" {print $2, $3}' "$work/size.dat"
    printf '\n\n'
  done >"$work/$2.dat"
  awk -v re="$1" '$1 ~ re && !seen[$1]++ {print $1}' "$work/size.dat" >"$work/$2.names"
}
# PNG TITLE DATA YLOG [PAIRED]: latency against images, one line per block of DATA; PAIRED=1
# when the blocks come in pairs (ours_, peer_) drawn in one colour.
plot_sizes() {
  local png=$1 title=$2 data=$3 ylog=$4 paired=${5:-0} n
  n=$(wc -l <"$work/$data.names")
  [ "$n" -gt 0 ] || return 0
  gnuplot <<GP
set terminal pngcairo size 1000,600 noenhanced
set output '$png'
set title '$title'
set xlabel 'images in the registry'
set ylabel 'median latency (ms)'
set logscale x 10
set format x '%.0f'
$([ "$ylog" = 1 ] && echo "set logscale y 10" || echo "set yrange [0:*]")
set grid
set key outside right
names = system("tr '\n' ' ' < '$work/$data.names'")
dash(s) = strstrt(s, "peer_") == 1 ? 2 : 1
plot for [i=0:$((n - 1))] '$work/$data.dat' index i using 1:2 with linespoints lw 2 \
  dashtype dash(word(names, i + 1)) $([ "$paired" = 1 ] && echo "linecolor (int(i / 2) + 1)") \
  title word(names, i + 1)
GP
  log "plot written to $png"
}
blocks '^v[12]_(detail|deep|sort|property|changes|admin|index|list|marker|shared)' lists
blocks '^v[12]_(show|members|create|delete)$' other
blocks '^(ours|peer)_api_' api
plot_sizes "$PLOT-registry-lists.png" "glance-registry: list requests (limit=25) against the number of images" lists 0
plot_sizes "$PLOT-registry-other.png" "glance-registry: show, members, create, delete against the number of images" other 0
[ "$PEER" = 1 ] && plot_sizes "$PLOT-api-v2.png" \
  "Images API v2: glance-api (ours_, solid) and upstream Glance Zed (peer_, dashed)" api 1 1
gnuplot <<GP
set terminal pngcairo size 800,500 noenhanced
set output '$PLOT-connections.png'
set title "glance-api's RSS against idle keep-alive connections held open"
set xlabel 'idle connections'
set ylabel 'VmRSS (MiB)'
set yrange [0:*]
set grid
set key off
plot '$work/connections.dat' using 1:2 with linespoints lw 2 pt 7
GP
log "plot written to $PLOT-connections.png"
