#!/usr/bin/env bash
# The limits of this machine, measured the same way every time, for the ratios in the other
# benchmarks: one core's MD5 and SHA-256 rate, page-cache read of a 1 GiB file, loopback TCP
# with one and eight streams (iperf3), nginx serving the same file with sendfile (throughput
# and CPU-s per GiB) and a tiny static response (req/s, wrk c=16). Medians of RUNS runs with
# min and max. Needs: openssl, iperf3, nginx-light, wrk, curl (installed if missing).
# Usage: bench/limits.sh [RUNS]
# With LIMITS_IMAGE=FILE it serves and reads that file instead of writing a fresh 1 GiB one;
# with LIMITS_OUT=DIR it appends each run's raw values to DIR/<name> (one per line) and
# prints nothing (bench/run.sh calls it so, once per run, between its own workloads).
set -euo pipefail
runs=${1:-5}
need=()
for p in openssl iperf3 nginx-light wrk curl python3; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
work=$(mktemp -d /tmp/glance-limits-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
stats() {
  sort -g | awk -v f="${1:-%.1f}" '{v[NR]=$1} END {printf f " (" f "-" f ")", v[int((NR+1)/2)], v[1], v[NR]}'
}
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# openssl speed prints k/s for 16384-byte blocks in its last column.
digest_rate() {
  openssl speed -evp "$1" -bytes 65536 -seconds 2 2>/dev/null | awk -v a="$1" '$1==a {gsub("k","",$NF); print $NF/1000}'
}

chmod 755 "$work"  # nginx workers run as an unprivileged user
if [ -n "${LIMITS_IMAGE:-}" ]; then
  ln "$LIMITS_IMAGE" "$work/image" 2>/dev/null || ln -s "$(realpath "$LIMITS_IMAGE")" "$work/image"
else
  dd if=/dev/urandom of="$work/image" bs=1M count=1024 status=none
fi
chmod 644 "$work/image"
size=$(stat -c %s "$work/image")

iperf_port=$(free_port)
iperf3 -s -1 -D -p "$iperf_port" --logfile "$work/iperf.log" >/dev/null 2>&1 || true

nginx_port=$(free_port)
mkdir -p "$work/www" "$work/nginx"
ln "$work/image" "$work/www/image"
echo ok >"$work/www/tiny"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx;
  proxy_temp_path $work/nginx;
  fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx;
  scgi_temp_path $work/nginx;
  server { listen 127.0.0.1:$nginx_port; root $work/www; }
}
CONF
nginx -c "$work/nginx/nginx.conf" -g "daemon off;" &
pids+=($!)
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$nginx_port/tiny" >/dev/null && break; sleep 0.05; done
nginx_worker=$(pgrep -P "${pids[0]}" | head -1)

names=(md5 sha256 cache iperf1 iperf8 nginx_mb nginx_cpu nginx_rss nginx_tiny)
for name in "${names[@]}"; do : >"$work/$name"; done
for run in $(seq "$runs"); do
  digest_rate md5 >>"$work/md5"
  digest_rate sha256 >>"$work/sha256"
  dd if="$work/image" of=/dev/null bs=1M 2>&1 | awk '/copied/ {print $(NF-1) * ($NF == "GB/s" ? 1000 : 1)}' >>"$work/cache"
  for streams in 1 8; do
    iperf3 -s -1 -D -p "$iperf_port" >/dev/null 2>&1 || true
    sleep 0.2
    iperf3 -c 127.0.0.1 -p "$iperf_port" -P "$streams" -t 3 -J 2>/dev/null |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/8e6)' \
      >>"$work/iperf$streams"
  done
  before=$(cpu_ticks "$nginx_worker")
  start=$(date +%s.%N)
  curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/image"
  end=$(date +%s.%N)
  after=$(cpu_ticks "$nginx_worker")
  awk -v s="$size" -v a="$start" -v b="$end" 'BEGIN {print s / (b - a) / 1e6}' >>"$work/nginx_mb"
  awk -v t=$((after - before)) -v hz="$hz" -v s="$size" 'BEGIN {print t / hz / (s / 1073741824)}' >>"$work/nginx_cpu"
  awk '/VmHWM/ {print $2 / 1024}' "/proc/$nginx_worker/status" >>"$work/nginx_rss"
  wrk -t2 -c16 -d5s "http://127.0.0.1:$nginx_port/tiny" | awk '/Requests\/sec/ {print $2}' >>"$work/nginx_tiny"
done
if [ -n "${LIMITS_OUT:-}" ]; then
  mkdir -p "$LIMITS_OUT"
  for name in "${names[@]}"; do cat "$work/$name" >>"$LIMITS_OUT/$name"; done
  exit 0
fi

printf "%-44s %s\n" "limit (median of $runs, min-max)" "value"
printf "%-44s %s\n" "MD5, one core (MB/s)" "$(stats <"$work/md5")"
printf "%-44s %s\n" "SHA-256, one core (MB/s)" "$(stats <"$work/sha256")"
printf "%-44s %s\n" "page-cache read of 1 GiB (MB/s)" "$(stats <"$work/cache")"
printf "%-44s %s\n" "loopback TCP, iperf3 1 stream (MB/s)" "$(stats <"$work/iperf1")"
printf "%-44s %s\n" "loopback TCP, iperf3 8 streams (MB/s)" "$(stats <"$work/iperf8")"
printf "%-44s %s\n" "nginx sendfile 1 GiB to curl (MB/s)" "$(stats <"$work/nginx_mb")"
printf "%-44s %s\n" "nginx sendfile CPU-s per GiB" "$(stats %.3f <"$work/nginx_cpu")"
printf "%-44s %s\n" "nginx worker peak RSS (MiB)" "$(stats <"$work/nginx_rss")"
printf "%-44s %s\n" "nginx tiny response, wrk c=16 (req/s)" "$(stats <"$work/nginx_tiny")"
