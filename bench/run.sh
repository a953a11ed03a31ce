#!/usr/bin/env bash
# The benchmark suite, one command: a Release build, a private MariaDB, glance-registry and
# glance-api with a file store, all in one temporary directory (removed on exit), then
#   - upload of a 1 GiB and a 100 MiB image, Content-Length and chunked;
#   - download of the same images by 1 client and by 8 and 32 concurrent ones (aggregate);
#   - metadata at concurrency 16 over 10,000 images seeded by SQL: create (POST /v1/images,
#     no data; wrk), HEAD /v1/images/{id} (ab -k -i: wrk cannot HEAD),
#     GET /v1/images/detail?limit=25 and ?limit=1000 (wrk), and our v2 routes
#     GET /v2/images/{id} and GET /v2/images?limit=25 (wrk), compared with upstream's;
#   - glance-api's CPU seconds per GiB and peak RSS during the 1 GiB upload and the 32
#     downloads;
#   - the machine's limits in the same run (bench/limits.sh, once per run, between workloads);
#   - with the peer (PEER=1, or PEER=auto and Debian's glance-api installed): upstream Glance
#     through its v2 routes, the same workloads, interleaved run by run (bench/glance-peer.sh).
# Prints one Markdown table: each figure's median over RUNS runs (min-max), its limit, the
# ratio, upstream Glance and the ratio to it, and the target of issue 7.
#   [RUNS=5] [SECS=5] [SIZES="1024 100"] [PEER=auto|0|1] [PLOT=file.png] bench/run.sh
# SIZES are MiB; the first one is the "large" image the CPU and RSS figures are taken on.
# SCALE=1 measures how the cost grows instead (bench/scale.sh): latency against 10^4, 10^5 and
# 10^6 images in the registry (SIZES there counts images), upstream Glance's v2 list and show
# beside ours with the peer, and RSS against idle connections; PLOT=PREFIX draws the curves.
#   SCALE=1 [PEER=auto|0|1] [PLOT=docs/benchmarks-scale] bench/run.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-5}
SECS=${SECS:-5}
SIZES=${SIZES:-1024 100}
PEER=${PEER:-auto}
read -r -a sizes <<<"$SIZES"
big=${sizes[0]}

log() { echo "[$(date +%T)] $*" >&2; }

# --- dependencies and build -----------------------------------------------------------------
"$root/scripts/install-deps.sh" build
need=()
for p in wrk apache2-utils iperf3 nginx-light curl bc openssl python3; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
[ -n "${PLOT:-}" ] && ! command -v gnuplot >/dev/null && need+=(gnuplot-nox)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get -o DPkg::Lock::Timeout=1200 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
if [ "$PEER" = 1 ]; then
  "$root/bench/glance-peer.sh" install || { log "upstream Glance not installed; measuring ours only"; PEER=0; }
elif [ "$PEER" = auto ]; then
  if [ -x /usr/bin/glance-api ] && dpkg-query -W -f='${Status}' python3-pymysql 2>/dev/null | grep -q "ok installed"; then
    PEER=1
  else
    PEER=0
  fi
fi
build=$root/build/release
log "building Release in $build"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DGLANCE_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "$(nproc)" >/dev/null
if [ "${SCALE:-0}" = 1 ]; then
  # How the cost grows instead of the suite: registry sizes and idle connections, with PLOT
  # as the prefix of the plots' files (bench/scale.sh).
  BUILD=$build PEER=$PEER exec "$root/bench/scale.sh"
fi

# --- one temporary directory for everything, removed on exit -----------------------------------
log "disk before: $(df -h / | awk 'NR==2 {print $4 " free of " $2}')"
work=$(mktemp -d "${TMPDIR:-/tmp}/glance-bench.XXXXXX")
api_pid=; reg_pid=; sampler=
cleanup() {
  set +e
  [ -n "$sampler" ] && kill "$sampler" 2>/dev/null
  [ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null
  [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null
  [ "$PEER" = 1 ] && "$root/bench/glance-peer.sh" stop "$work/peer" 2>/dev/null
  wait 2>/dev/null
  "$root/scripts/mariadb.sh" stop "$work/db" >/dev/null 2>&1
  rm -rf "$work"
  log "disk after: $(df -h / | awk 'NR==2 {print $4 " free of " $2}')"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/res" "$work/limits"

# --- servers -----------------------------------------------------------------------------------
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"
start_private_registry "workers = 2"
start_glance_api api "workers = 2" "stores = file
filesystem_store_datadir = $work/store"
ours_url=http://127.0.0.1:$api_port
targets=(ours)
if [ "$PEER" = 1 ]; then
  log "starting upstream Glance"
  peer_port=$("$root/bench/glance-peer.sh" start "$work/peer" "$db_port")
  peer_url=http://127.0.0.1:$peer_port
  peer_pgid=$(sed -n 's/^GLANCE_PEER_PGID=//p' "$work/peer/glance-peer.env")
  targets+=(peer)
fi

# The creates of the metadata workload (run after the lists) are removed after each run: the
# lists always see the same 10,000 images.
purge_created() {
  sql "$1" -e "SET FOREIGN_KEY_CHECKS=0;
    DELETE FROM image_properties WHERE image_id IN (SELECT id FROM images WHERE name LIKE 'bench-%');
    DELETE FROM images WHERE name LIKE 'bench-%';"
}
ours_db=glance; peer_db=glance_peer
ours_show_id=$(seed_images glance)
[ "$PEER" = 1 ] && peer_show_id=$(seed_images glance_peer)

for s in "${sizes[@]}"; do
  head -c $((s << 20)) /dev/urandom >"$work/image-$s"
done
if [ "$big" -ge 1024 ]; then limits_image=$work/image-$big; else
  limits_image=$work/image-limits; head -c $((1024 << 20)) /dev/urandom >"$limits_image"; fi

# --- per-target operations ---------------------------------------------------------------------
# upload_T FILE MODE -> image id; MODE is cl (Content-Length) or chunked.
upload_ours() {
  local te=(); [ "$2" = chunked ] && te=(-H 'Transfer-Encoding: chunked')
  curl -sSf -X POST -H 'Content-Type: application/octet-stream' "${te[@]}" \
    -H 'x-image-meta-name: upload' -H 'x-image-meta-disk_format: raw' \
    -H 'x-image-meta-container_format: bare' -T "$1" "$ours_url/v1/images" |
    python3 -c 'import json,sys; i=json.load(sys.stdin)["image"]; print(i["id"], i["checksum"])'
}
peer_create() {
  curl -sSf -X POST -H 'Content-Type: application/json' \
    -d '{"name": "upload", "disk_format": "raw", "container_format": "bare"}' "$peer_url/v2/images" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
upload_peer() {  # the image record is created before the clock starts (see transfer)
  local te=(); [ "$2" = chunked ] && te=(-H 'Transfer-Encoding: chunked')
  curl -sSf -X PUT -H 'Content-Type: application/octet-stream' "${te[@]}" -T "$1" \
    "$peer_url/v2/images/$3/file"
  echo "$3"
}
delete_ours() { curl -sSf -o /dev/null -X DELETE "$ours_url/v1/images/$1"; }
delete_peer() { curl -sSf -o /dev/null -X DELETE "$peer_url/v2/images/$1"; }
file_url_ours() { echo "$ours_url/v1/images/$1"; }
file_url_peer() { echo "$peer_url/v2/images/$1/file"; }
pids_ours() { echo "$api_pid"; }
pids_peer() { pgrep -g "$peer_pgid" | tr '\n' ' '; }

# --- measuring helpers -------------------------------------------------------------------------
hz=$(getconf CLK_TCK)
cpu_ticks() {  # utime + stime of the given processes (all threads)
  local t=0 p line rest
  for p in "$@"; do
    read -r line <"/proc/$p/stat" || continue
    rest=${line##*) }
    read -r -a f <<<"$rest"
    t=$((t + f[11] + f[12]))
  done
  echo "$t"
}
rss_start() {  # samples the summed VmRSS of the processes every 50 ms, keeps the maximum
  local pids=("$@")
  echo 0 >"$work/rss.max"
  (
    max=0
    while :; do
      sum=0
      for p in "${pids[@]}"; do
        while read -r k v _; do
          [ "$k" = VmRSS: ] && { sum=$((sum + v)); break; }
        done <"/proc/$p/status" 2>/dev/null || true
      done
      [ "$sum" -gt "$max" ] && { max=$sum; echo "$max" >"$work/rss.max"; }
      sleep 0.05
    done
  ) &
  sampler=$!
}
rss_stop() { kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true; sampler=
  awk '{printf "%.1f\n", $1 / 1024}' "$work/rss.max"; }
now() { date +%s.%N; }
# settle T: waits (at most 60 s) until T's processes and MariaDB are idle (< 5 % of a core):
# a server still working through the requests a load generator left in flight (upstream's
# lists of 1000 take seconds each) would slow the next workload down.
settle() {
  local pids a b
  read -r -a pids <<<"$(pids_$1) $(cat "$work/db/mysqld.pid")"
  for _ in $(seq 120); do
    a=$(cpu_ticks "${pids[@]}"); sleep 0.5; b=$(cpu_ticks "${pids[@]}")
    [ $((b - a)) -le $((hz / 40)) ] && return 0
  done
  log "$1 did not settle"
}
put() { echo "$3" >>"$work/res/$1.$2"; }  # put TARGET KEY VALUE

# transfer T: uploads and downloads of every size, one run.
transfer() {
  local t=$1 s f mode id sum t0 t1 c0 c1 c n got pids
  read -r -a pids <<<"$(pids_$t)"
  for s in "${sizes[@]}"; do
    f=$work/image-$s
    local keep=
    for mode in cl chunked; do
      local pre=; [ "$t" = peer ] && pre=$(peer_create)
      [ "$s" = "$big" ] && [ "$mode" = cl ] && rss_start "${pids[@]}"
      c0=$(cpu_ticks "${pids[@]}"); t0=$(now)
      read -r id sum < <(upload_$t "$f" "$mode" "$pre")
      t1=$(now); c1=$(cpu_ticks "${pids[@]}")
      [ -n "$id" ] || { log "$t: upload of $s MiB ($mode) failed"; exit 1; }
      put "$t" "up$s.$mode" "$(echo "$s * 1.048576 / ($t1 - $t0)" | bc -l)"
      if [ "$s" = "$big" ] && [ "$mode" = cl ]; then
        put "$t" "up.cpu" "$(echo "($c1 - $c0) / $hz * 1024 / $s" | bc -l)"
        put "$t" "up.rss" "$(rss_stop)"
      fi
      if [ -n "$sum" ] && [ "$sum" != "$(md5sum <"$f" | cut -d' ' -f1)" ]; then
        log "$t: checksum mismatch on the $s MiB upload ($mode)"; exit 1
      fi
      if [ "$mode" = cl ]; then keep=$id; else delete_$t "$id"; fi
    done
    local url; url=$(file_url_$t "$keep")
    for c in 1 8 32; do
      [ "$s" = "$big" ] && [ "$c" = 32 ] && rss_start "${pids[@]}"
      c0=$(cpu_ticks "${pids[@]}"); t0=$(now)
      local jobs=()
      for n in $(seq "$c"); do
        curl -sSf -o /dev/null -w '%{size_download}\n' "$url" >"$work/dl.$n" &
        jobs+=($!)
      done
      wait "${jobs[@]}"
      t1=$(now); c1=$(cpu_ticks "${pids[@]}")
      got=$(cat "$work"/dl.* | awk '{s += $1} END {printf "%.0f\n", s}'); rm -f "$work"/dl.*
      [ "$got" = $((c * (s << 20))) ] || { log "$t: $c downloads of $s MiB got $got bytes"; exit 1; }
      put "$t" "dl$s.c$c" "$(echo "$c * $s * 1.048576 / ($t1 - $t0)" | bc -l)"
      if [ "$s" = "$big" ] && [ "$c" = 32 ]; then
        put "$t" "dl.cpu" "$(echo "($c1 - $c0) / $hz * 1024 / ($s * $c)" | bc -l)"
        put "$t" "dl.rss" "$(rss_stop)"
      fi
    done
    delete_$t "$keep"
  done
}

# wrk at c=16: puts KEY (req/s), KEY.p50 and KEY.p99 (ms); counts non-2xx answers.
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) print v/1000; else if (v ~ /ms$/) print v+0; else if (v ~ /m$/) print v*60000; else print v*1000 }'; }
wrk_put() {  # wrk_put TARGET KEY SECONDS WRK-ARGS...
  local t=$1 key=$2 secs=$3 out; shift 3
  settle "$t"
  out=$(wrk -t2 -c16 -d"${secs}s" --timeout 60s --latency "$@" 2>&1)
  put "$t" "$key" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  put "$t" "$key.p50" "$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")"
  put "$t" "$key.p99" "$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")"
  local bad; bad=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out")
  [ -z "$bad" ] || { log "$t $key: $bad"; echo "$bad" >>"$work/res/$t.$key.errors"; }
}
ab_head_put() {
  local t=$1 key=$2 url=$3 out
  settle "$t"
  out=$(ab -q -k -i -c 16 -t "$SECS" -n 1000000 "$url" 2>&1)
  put "$t" "$key" "$(awk '/Requests per second/ {print $4}' <<<"$out")"
  put "$t" "$key.p50" "$(awk '$1=="50%" {print $2}' <<<"$out")"
  put "$t" "$key.p99" "$(awk '$1=="99%" {print $2}' <<<"$out")"
  local failed non2xx
  failed=$(awk '/Failed requests/ {print $3}' <<<"$out")
  non2xx=$(awk '/Non-2xx responses/ {print $3}' <<<"$out")
  if [ "${failed:-0}" != 0 ] || [ -n "$non2xx" ]; then
    log "$t $key: failed $failed, non-2xx ${non2xx:-0}"; echo "failed $failed non-2xx $non2xx" >>"$work/res/$t.$key.errors"
  fi
}
metadata() {
  local t=$1
  if [ "$t" = ours ]; then
    ab_head_put ours show "$ours_url/v1/images/$ours_show_id"
    wrk_put ours list25 "$SECS" "$ours_url/v1/images/detail?limit=25"
    wrk_put ours list1000 "$SECS" "$ours_url/v1/images/detail?limit=1000"
    wrk_put ours create "$SECS" -s "$root/bench/create_v1.lua" "$ours_url/v1/images"
    purge_created "$ours_db"
    # Our v2 routes, beside upstream's (which has v2 only).
    wrk_put ours v2show "$SECS" "$ours_url/v2/images/$ours_show_id"
    wrk_put ours v2list25 "$SECS" "$ours_url/v2/images?limit=25"
  else
    wrk_put peer show "$SECS" "$peer_url/v2/images/$peer_show_id"
    wrk_put peer list25 "$SECS" "$peer_url/v2/images?limit=25"
    # At 1-5 req/s a request at c=16 takes seconds: a longer run, or wrk counts none.
    wrk_put peer list1000 $((4 * SECS)) "$peer_url/v2/images?limit=1000"
    wrk_put peer create "$SECS" -s "$root/bench/create_v2.lua" "$peer_url/v2/images"
    purge_created "$peer_db"
  fi
}

# --- the runs ----------------------------------------------------------------------------------
log "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$(cut -d' ' -f1 /proc/loadavg)" >>"$work/load"
for run in $(seq "$RUNS"); do
  log "run $run/$RUNS: limits"
  LIMITS_IMAGE=$limits_image LIMITS_OUT=$work/limits "$root/bench/limits.sh" 1
  for t in "${targets[@]}"; do
    log "run $run/$RUNS: $t transfers"
    settle "$t"
    transfer "$t"
    log "run $run/$RUNS: $t metadata"
    metadata "$t"
  done
  echo "$(cut -d' ' -f1 /proc/loadavg)" >>"$work/load"
done
for t in "${targets[@]}"; do
  read -r -a pids <<<"$(pids_$t)"
  hwm=0
  for p in "${pids[@]}"; do hwm=$((hwm + $(awk '/VmHWM/ {print $2}' "/proc/$p/status"))); done
  put "$t" "hwm" "$(echo "$hwm / 1024" | bc -l)"
done
log "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- the table ---------------------------------------------------------------------------------
# stat FILE -> "median min max" (empty if the file is missing)
stat3() {
  [ -s "$1" ] && sort -g "$1" | awk '{v[NR]=$1} END {
    m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; print m, v[1], v[NR]}'
}
fmt() {  # fmt VALUE DECIMALS
  awk -v v="$1" -v d="$2" 'BEGIN { s = sprintf("%.*f", d, v); n = split(s, p, ".");
    i = p[1]; neg = (i ~ /^-/); if (neg) i = substr(i, 2); o = "";
    while (length(i) > 3) { o = "," substr(i, length(i) - 2) o; i = substr(i, 1, length(i) - 3) }
    o = (neg ? "-" : "") i o; if (n > 1) o = o "." p[2]; print o }'
}
cell() {  # cell FILE DECIMALS -> "median (min–max)"
  local m lo hi
  read -r m lo hi <<<"$(stat3 "$1")" || true
  [ -n "${m:-}" ] || { echo "—"; return; }
  if [ "$RUNS" -gt 1 ]; then echo "$(fmt "$m" "$2") ($(fmt "$lo" "$2")–$(fmt "$hi" "$2"))"; else fmt "$m" "$2"; fi
}
median() { read -r m _ <<<"$(stat3 "$1")" || true; echo "${m:-}"; }
ratio() {  # ratio A B [percent] -> A/B as "0.93×" or "93 %"
  [ -n "$1" ] && [ -n "$2" ] || { echo "—"; return; }
  awk -v a="$1" -v b="$2" -v pct="${3:-}" 'BEGIN { if (b == 0) { print "—"; exit }
    r = a / b; if (pct) printf "%.0f %%\n", 100 * r; else if (r >= 10) printf "%.0f×\n", r; else if (r >= 0.1) printf "%.2f×\n", r;
    else printf "%.4f×\n", r }'
}
# check EXPR over m (ours), l (limit), u (upstream): "met", "missed" or "—" when unknown
check() {
  [ -n "$2" ] || { echo "—"; return; }
  awk -v m="$2" -v l="${3:-}" -v u="${4:-}" "BEGIN { if ($1) print \"met\"; else print \"**missed**\" }"
}
L=$work/limits; R=$work/res
errs() { [ -s "$R/ours.$1.errors" ] || [ -s "$R/peer.$1.errors" ] && echo " (errors!)" || true; }
# row LABEL KEY DECIMALS LIMITFILE LIMITLABEL LIMITPCT TARGETTEXT CHECKEXPR [PEERKEY]
# PEERKEY: upstream's figure to compare with, when its key is not KEY.
row() {
  local label=$1 key=$2 d=$3 lf=$4 ll=$5 pct=$6 tt=$7 ce=$8 pk=${9:-$2}
  local m l u
  m=$(median "$R/ours.$key"); u=$(median "$R/peer.$pk" 2>/dev/null)
  l=""; [ -n "$lf" ] && l=$(median "$L/$lf")
  local lcell="—" lratio="—"
  if [ -n "$lf" ]; then lcell="$ll $(cell "$L/$lf" "$d")"; lratio=$(ratio "$m" "$l" "$pct"); fi
  local ucell="—" uratio="—"
  if [ "$PEER" = 1 ]; then ucell=$(cell "$R/peer.$pk" "$d"); uratio=$(ratio "$m" "$u"); fi
  local ok="—"
  if [ -n "$ce" ]; then
    if [[ $ce == *u* ]] && [ "$PEER" != 1 ]; then ce=${ce%%&&*}; [[ $ce == *u* ]] && ce=""; fi
    [ -n "$ce" ] && ok=$(check "$ce" "$m" "$l" "$u")
  fi
  echo "| $label$(errs "$key") | $(cell "$R/ours.$key" "$d") | $lcell | $lratio | $ucell | $uratio | $tt | $ok |"
}
mb=MB/s
echo
echo "| figure | ours: median (min–max) | limit, same run | ours / limit | upstream Glance | ours / upstream | target | |"
echo "|---|---|---|---|---|---|---|---|"
for s in "${sizes[@]}"; do
  for mode in cl chunked; do
    [ $mode = cl ] && ml="Content-Length" || ml="chunked"
    if [ "$s" = "$big" ] && [ $mode = cl ]; then
      row "upload $s MiB, $ml ($mb)" "up$s.$mode" 0 md5 "MD5, 1 core:" pct \
        "≥ 85 % MD5, ≥ 2.4× upstream" "m >= 0.85 * l && m >= 2.4 * u"
    else
      row "upload $s MiB, $ml ($mb)" "up$s.$mode" 0 md5 "MD5, 1 core:" pct "" ""
    fi
  done
done
row "api CPU-s per GiB, $big MiB upload" up.cpu 2 "" "" "" "≤ 3" "m <= 3"
row "api peak RSS, $big MiB upload (MiB)" up.rss 1 "" "" "" "< 32" "m < 32"
for s in "${sizes[@]}"; do
  for c in 1 8 32; do
    if [ "$c" = 1 ]; then lf=iperf1; ll="iperf3 1 stream:"; else lf=iperf8; ll="iperf3 8 streams:"; fi
    tt=""; ce=""
    if [ "$s" = "$big" ] && [ "$c" = 1 ]; then tt="≥ 90 % iperf3, ≥ upstream"; ce="m >= 0.9 * l && m >= u"; fi
    if [ "$s" = "$big" ] && [ "$c" = 32 ]; then tt="≥ 90 % iperf3 8 streams"; ce="m >= 0.9 * l"; fi
    row "download $s MiB, $c client$([ "$c" = 1 ] || echo s) ($mb)" "dl$s.c$c" 0 "$lf" "$ll" pct "$tt" "$ce"
  done
done
row "api CPU-s per GiB, 32 downloads of $big MiB" dl.cpu 3 nginx_cpu "nginx sendfile:" "" "≤ 0.3" "m <= 0.3"
row "api peak RSS, 32 downloads (MiB)" dl.rss 1 nginx_rss "nginx worker:" "" "< 32" "m < 32"
row "create, POST no data, c=16 (req/s)" create 0 nginx_tiny "nginx tiny:" "" "≥ 15× upstream" "m >= 15 * u"
row "HEAD /v1/images/{id} (upstream: GET /v2/images/{id}), c=16 (req/s)" show 0 nginx_tiny "nginx tiny:" "" \
  "≥ 20× upstream, ≥ 2,500" "m >= 2500 && m >= 20 * u"
row "list detail limit=25 of 10,000, c=16 (req/s)" list25 0 nginx_tiny "nginx tiny:" "" "≥ 20× upstream" "m >= 20 * u"
row "list detail limit=1000, c=16 (req/s)" list1000 1 nginx_tiny "nginx tiny:" "" "≥ 20× upstream" "m >= 20 * u"
row "v2: GET /v2/images/{id}, both, c=16 (req/s)" v2show 0 nginx_tiny "nginx tiny:" "" "" "" show
row "v2: GET /v2/images?limit=25 of 10,000, both, c=16 (req/s)" v2list25 0 nginx_tiny "nginx tiny:" "" "" "" \
  list25
for k in create show list25 list1000 v2show v2list25; do
  case $k in create) n=create;; show) n=HEAD/show;; list25) n="list 25";; list1000) n="list 1000";;
    v2show) n="v2 show";; v2list25) n="v2 list 25";; esac
  pk=$k
  case $k in v2show) pk=show;; v2list25) pk=list25;; esac
  row "$n, p50 latency (ms)" "$k.p50" 1 "" "" "" "" "" "$pk.p50"
  row "$n, p99 latency (ms)" "$k.p99" 1 "" "" "" "" "" "$pk.p99"
done
row "api peak RSS over the whole run, VmHWM (MiB)" hwm 1 "" "" "" "< 32" "m < 32"
row_limit() { echo "| limit: $1 | — | $(cell "$L/$2" "$3") | — | — | — | — | |"; }
row_limit "MD5, one core, openssl speed -evp ($mb)" md5 0
row_limit "SHA-256, one core ($mb)" sha256 0
row_limit "page-cache read of 1 GiB ($mb)" cache 0
row_limit "loopback TCP, iperf3 1 stream ($mb)" iperf1 0
row_limit "loopback TCP, iperf3 8 streams ($mb)" iperf8 0
row_limit "nginx sendfile, 1 GiB to curl ($mb)" nginx_mb 0
echo
echo "Runs: $RUNS; metadata: ${SECS} s each, wrk -t2 -c16 (HEAD: ab -k -i -c 16); MB = 10^6 bytes." \
  "Upstream Glance: 2 workers, v2 routes, PUT timed without the POST that creates the record," \
  "its list of 1000 runs $((4 * SECS)) s." \
  "1-minute load average per run: $(tr '\n' ' ' <"$work/load")"

# --- the plot: download throughput versus concurrency ----------------------------------------
if [ -n "${PLOT:-}" ]; then
  {
    for c in 1 8 32; do
      echo "$c $(median "$R/ours.dl$big.c$c") $(median "$R/peer.dl$big.c$c" 2>/dev/null || true)"
    done
  } | awk 'NF == 2 {print $0, "NaN"; next} {print}' >"$work/plot.dat"
  peerplot=""
  [ "$PEER" = 1 ] && peerplot=", '$work/plot.dat' using 1:3 with linespoints lw 2 pt 5 title 'upstream Glance (v2, 2 workers)'"
  gnuplot <<GP
set terminal pngcairo size 800,500 noenhanced
set output '$PLOT'
set title 'Download of a $big MiB image, aggregate throughput (median of $RUNS runs)'
set xlabel 'concurrent clients'
set ylabel 'MB/s'
set logscale x 2
set xtics (1, 8, 32)
set yrange [0:*]
set grid
set key outside below
plot '$work/plot.dat' using 1:2 with linespoints lw 2 pt 7 title 'ours (glance-api v1)'$peerplot, \
     $(median "$L/iperf1") with lines dt 2 title 'iperf3, 1 stream', \
     $(median "$L/iperf8") with lines dt 3 title 'iperf3, 8 streams'
GP
  log "plot written to $PLOT"
fi
