#!/usr/bin/env bash
# Aggregate throughput through HAProxy (docs/topology.md) with one glance-api node behind it
# against two: one registry on a private MariaDB, two glance-api processes over one file store
# directory, and HAProxy (Debian's haproxy) started once per shape, "one" (node 1 only) and
# "two" (both, round robin), with the health checks of the reference configuration. Each run
# measures, for node 1 directly and through each shape: HEAD /v1/images/{id} (ab -k -i, 32
# clients; wrk cannot HEAD) and downloads of a SIZE_MIB (4) image (wrk, 8 connections).
# HAPROXY_DEFAULTS adds lines to HAProxy's defaults section (e.g. "option splice-auto").
#   [HAPROXY_DEFAULTS=LINES] bench/haproxy.sh BUILD_DIR [SECONDS] [RUNS] [SIZE_MIB]
# Prints one line per run and shape, then the medians and the two-to-one ratios. All of it
# shares this machine's cores: see docs/benchmarks.md for what the ratio means here.
set -euo pipefail
# build is read by bench/lib.sh, which sets work, api_pid and api_port:
# shellcheck disable=SC2034,SC2154
build=$(realpath "${1:?build directory with src/api/glance-api}")
secs=${2:-10}
runs=${3:-3}
size_mib=${4:-4}
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"
for p in haproxy apache2-utils wrk; do
  dpkg -s "$p" >/dev/null 2>&1 || apt-get install -y -qq --no-install-recommends "$p" >/dev/null
done
private_workdir glance-bench-haproxy
node1_pid='' haproxy_pid=''
trap 'set +e; kill $haproxy_pid $node1_pid 2>/dev/null; stop_private_daemons; rm -rf "$work"' EXIT

start_private_registry "workers = 2"
store="filesystem_store_datadir = $work/images"
start_glance_api node1 "" "$store"
node1_pid=$api_pid node1_port=$api_port
start_glance_api node2 "" "$store"
node2_port=$api_port

head -c $((size_mib << 20)) /dev/urandom >"$work/image.bin"
id=$(curl -fsS -X POST -H 'Content-Type: application/octet-stream' \
  -H 'x-image-meta-name: bench' -H 'x-image-meta-disk_format: raw' \
  -H 'x-image-meta-container_format: bare' -H 'x-image-meta-is_public: true' \
  -T "$work/image.bin" "http://127.0.0.1:$node1_port/v1/images" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["image"]["id"])')

# HAProxy cannot report a port it picked; take one the kernel had free a moment ago.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts HAProxy in front of the api nodes on ports $@; sets haproxy_pid and haproxy_port.
start_haproxy() {
  haproxy_port=$(free_port)
  {
    cat <<CFG
global
  maxconn 4096
defaults
  mode http
  timeout connect 2s
  timeout client 120s
  timeout server 120s
  option redispatch
  retries 2
${HAPROXY_DEFAULTS:-}
frontend api
  bind 127.0.0.1:$haproxy_port
  default_backend apis
backend apis
  balance roundrobin
  option httpchk GET /healthcheck
  default-server inter 500ms fall 2 rise 2
CFG
    local n=0
    for port in "$@"; do
      n=$((n + 1))
      echo "  server a$n 127.0.0.1:$port check"
    done
  } >"$work/haproxy.cfg"
  haproxy -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
  haproxy_pid=$!
  # Every server up (its health check passed) before the load.
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "http://127.0.0.1:$haproxy_port/healthcheck" 2>/dev/null && break
    sleep 0.1
  done
  sleep 1.5
}
stop_haproxy() { kill "$haproxy_pid"; wait "$haproxy_pid" 2>/dev/null || true; haproxy_pid=; }

head_rate() {  # $1 port: HEAD requests per second
  ab -k -i -q -c 32 -t "$secs" -n 10000000 "http://127.0.0.1:$1/v1/images/$id" 2>/dev/null |
    awk '/Requests per second/ {print $4}'
}
download_rate() {  # $1 port: MB/s of whole-image downloads
  local rps
  rps=$(wrk -t2 -c8 -d"${secs}s" "http://127.0.0.1:$1/v1/images/$id" 2>/dev/null |
    awk '/Requests\/sec/ {print $2}')
  echo "$rps * $size_mib * 1.048576" | bc -l | xargs printf '%.0f'
}

results="$work/results"
: >"$results"
for run in $(seq 1 "$runs"); do
  for shape in direct one two; do
    case $shape in
      direct) port=$node1_port ;;
      one) start_haproxy "$node1_port"; port=$haproxy_port ;;
      two) start_haproxy "$node1_port" "$node2_port"; port=$haproxy_port ;;
    esac
    heads=$(head_rate "$port")
    mbs=$(download_rate "$port")
    [ "$shape" = direct ] || stop_haproxy
    echo "$shape $heads $mbs" >>"$results"
    printf 'run %d, %-6s HEAD %8.0f req/s, download %6d MB/s (load %s)\n' "$run" "$shape" \
      "$heads" "$mbs" "$(cut -d' ' -f1 /proc/loadavg)"
  done
done
python3 - "$results" <<'PY'
import statistics, sys
rows = {}
for line in open(sys.argv[1]):
    shape, head, mbs = line.split()
    rows.setdefault(shape, []).append((float(head), float(mbs)))
med = {s: (statistics.median(h for h, _ in r), statistics.median(m for _, m in r))
       for s, r in rows.items()}
for s in ("direct", "one", "two"):
    print(f"median {s:6s} HEAD {med[s][0]:8.0f} req/s, download {med[s][1]:6.0f} MB/s")
print("two nodes / one node: HEAD %.2f, download %.2f" % (
    med["two"][0] / med["one"][0], med["two"][1] / med["one"][1]))
PY
