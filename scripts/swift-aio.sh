#!/usr/bin/env bash
# A private OpenStack Swift all-in-one on loopback for the Swift and S3 store tests: one proxy
# (tempauth and s3api, so the same cluster serves the Swift API and the S3 API), one account,
# container and object server on one directory-backed device with one replica, and its own
# memcached. Everything lives under DIR; the system's Swift services are never used.
#   scripts/swift-aio.sh start DIR   stops a cluster still running in DIR, wipes its state,
#                                    starts a new one and writes DIR/cluster.env once the
#                                    proxy answers and tempauth hands out tokens
#   scripts/swift-aio.sh stop DIR    stops every process start left running; idempotent
# Ports come from SWIFT_AIO_{PROXY,MEMCACHED,ACCOUNT,CONTAINER,OBJECT}_PORT when set, else the
# kernel picks free ones. Swift's rings name each server's port, so the servers cannot bind
# port 0 and report it back; a start that loses a port to another process is retried with new
# ports instead.
# Needs /etc/swift/swift.conf: Swift reads its hash prefix and suffix from there whatever
# swift_dir says. Debian's swift package ships one; as root the script writes one if missing.
set -euo pipefail
cmd=${1:?start|stop}
D=$(realpath -m "${2:?state directory}")
# The Swift modules are Debian's; a python3 earlier on the PATH (pyenv, venv) lacks them.
PY=/usr/bin/python3
ready_timeout=${SWIFT_AIO_READY_TIMEOUT:-120}
AIO_MARK=SWIFT_AIO_DIR
# shellcheck source=scripts/aio-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/aio-lib.sh"
daemons=(memcached account container object proxy)

stop_all() {
  local n pid pids=()
  for n in "${daemons[@]}"; do
    if pid=$(our_pid "$n"); then
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid")
    fi
  done
  # Wait, so that a start right after this one finds the ports and the data directory free.
  local deadline=$((SECONDS + 20))
  for pid in "${pids[@]}"; do
    while alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  deadline=$((SECONDS + 10))
  for pid in "${pids[@]}"; do
    while alive "$pid"; do
      if [ $SECONDS -ge $deadline ]; then
        echo "swift-aio: process $pid survived SIGKILL" >&2
        return 1
      fi
      sleep 0.1
    done
  done
  rm -f "$D"/run/*.pid "$D/cluster.env"
}

ensure_swift_conf() {
  [ -f /etc/swift/swift.conf ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "/etc/swift/swift.conf is missing (the swift package ships it); Swift cannot start" >&2
    exit 1
  fi
  mkdir -p /etc/swift
  cat >/etc/swift/swift.conf <<'CONF'
[swift-hash]
swift_hash_path_suffix = changeme
swift_hash_path_prefix = changeme

[storage-policy:0]
name = Policy-0
default = yes
CONF
}

write_configs() {
  local n p
  # workers = 0: each server is one process, so its pid file names everything to stop.
  # log_level WARNING: request lines would cost time; -v sends what remains to DIR/log, as
  # there may be no syslog.
  cat >"$D/etc/common.inc" <<CONF
[DEFAULT]
bind_ip = 127.0.0.1
user = $(id -un)
swift_dir = $D/etc
devices = $D/node
mount_check = false
workers = 0
log_level = WARNING
# A port lost to another process should fail the start fast, so that it is retried.
bind_timeout = 5
CONF
  for n in account container object; do
    case $n in account) p=$account_port ;; container) p=$container_port ;; object) p=$object_port ;; esac
    {
      cat "$D/etc/common.inc"
      cat <<CONF
bind_port = $p
log_name = $n-server

[pipeline:main]
pipeline = healthcheck $n-server

[filter:healthcheck]
use = egg:swift#healthcheck

[app:$n-server]
use = egg:swift#$n
CONF
      # No object-updater runs here: a container update that timed out would never reach the
      # listing, and DLO reads (Glance's segmented images) are built from listings. So the
      # object server waits for the update rather than leaving it pending.
      [ $n = object ] && cat <<CONF
node_timeout = 30
container_update_timeout = 30
CONF
    } >"$D/etc/$n-server.conf"
  done
  {
    cat "$D/etc/common.inc"
    cat <<CONF
bind_port = $proxy_port
log_name = proxy-server

[pipeline:main]
# s3api sits before tempauth, which then checks S3 signatures itself (no keystone).
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk s3api tempauth copy slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true
# A loaded test machine can stall a backend for seconds; with one replica there is no other
# node to try, so time-outs and error-limiting would only turn a slow moment into failures.
node_timeout = 60
recoverable_node_timeout = 60
conn_timeout = 5
error_suppression_limit = 1000000

[filter:tempauth]
use = egg:swift#tempauth
user_admin_admin = admin .admin .reseller_admin
user_test_tester = testing .admin
storage_url_scheme = default

[filter:s3api]
use = egg:swift#s3api
location = us-east-1

# tempauth keeps its tokens here, in this cluster's own memcached.
[filter:cache]
use = egg:swift#memcache
memcache_servers = 127.0.0.1:$memcached_port

[filter:catch_errors]
use = egg:swift#catch_errors
[filter:gatekeeper]
use = egg:swift#gatekeeper
[filter:healthcheck]
use = egg:swift#healthcheck
[filter:proxy-logging]
use = egg:swift#proxy_logging
[filter:listing_formats]
use = egg:swift#listing_formats
[filter:bulk]
use = egg:swift#bulk
[filter:copy]
use = egg:swift#copy
[filter:slo]
use = egg:swift#slo
[filter:dlo]
use = egg:swift#dlo
CONF
  } >"$D/etc/proxy-server.conf"
}

# One partition power 8 ring per server type, one replica on device d1. One Python process
# builds all three: swift-ring-builder would start nine, about ten seconds on a busy machine.
build_rings() {
  $PY - "$D/etc" "$account_port" "$container_port" "$object_port" <<'PY'
import sys
from swift.common.ring import RingBuilder
etc = sys.argv[1]
for name, port in zip(("account", "container", "object"), sys.argv[2:]):
    builder = RingBuilder(8, 1, 1)
    builder.add_dev({"region": 1, "zone": 1, "ip": "127.0.0.1", "port": int(port),
                     "device": "d1", "weight": 100})
    builder.rebalance()
    builder.get_ring().save(f"{etc}/{name}.ring.gz")
PY
}

launch() {
  local n=$1
  shift
  SWIFT_AIO_DIR=$D "$@" </dev/null >"$D/log/$n.log" 2>&1 &
  echo $! >"$D/run/$n.pid"
}

start_daemons() {
  # memcached refuses to run as root unless told which user to be.
  launch memcached memcached -l 127.0.0.1 -p "$memcached_port" -U 0 -m 64 -u "$(id -un)"
  local n
  for n in account container object proxy; do
    launch $n "swift-$n-server" "$D/etc/$n-server.conf" -v
  done
}

# Succeeds if a GET answers 2xx within a few seconds: a foreign process holding one of the
# ports may accept and never answer.
probe() {
  curl -fs -m 5 -o /dev/null "$@"
}

# 0 once the cluster serves requests; 1 if a daemon died; 2 if one died for want of its port.
wait_ready() {
  local n deadline=$((SECONDS + ready_timeout)) base="http://127.0.0.1"
  while [ $SECONDS -lt $deadline ]; do
    for n in "${daemons[@]}"; do
      # Not our_pid: a child not yet past its exec still shows this script's environment,
      # without the mark. These pids are the children just started, so none is recycled.
      if ! alive "$(cat "$D/run/$n.pid")"; then
        echo "swift-aio: $n exited during start-up" >&2
        grep -qiE 'address already in use|could not bind' "$D/log/$n.log" && return 2
        return 1
      fi
    done
    # Every backend too, not only the proxy: the first request after start needs all three.
    if probe "$base:$account_port/healthcheck" && probe "$base:$container_port/healthcheck" &&
      probe "$base:$object_port/healthcheck" && probe "$base:$proxy_port/healthcheck" &&
      probe -H 'X-Auth-User: test:tester' -H 'X-Auth-Key: testing' "$base:$proxy_port/auth/v1.0"
    then
      return 0
    fi
    sleep 0.2
  done
  echo "swift-aio: not ready after ${ready_timeout} s" >&2
  return 1
}

write_env() {
  cat >"$D/cluster.env.tmp" <<ENV
SWIFT_AUTH_URL=http://127.0.0.1:$proxy_port/auth/v1.0
SWIFT_USER=test:tester
SWIFT_KEY=testing
SWIFT_ADMIN_USER=admin:admin
SWIFT_ADMIN_KEY=admin
S3_ENDPOINT=http://127.0.0.1:$proxy_port
S3_ACCESS_KEY=test:tester
S3_SECRET_KEY=testing
S3_REGION=us-east-1
PROXY_PORT=$proxy_port
ENV
  mv "$D/cluster.env.tmp" "$D/cluster.env"
}

show_logs() {
  local n
  for n in "${daemons[@]}"; do
    echo "---- $D/log/$n.log (tail)" >&2
    tail -n 30 "$D/log/$n.log" >&2 || true
  done
}

case $cmd in
start)
  ensure_swift_conf
  mkdir -p "$D"
  stop_all
  rm -rf "${D:?}/etc" "${D:?}/node" "${D:?}/run" "${D:?}/log"
  mkdir -p "$D/etc" "$D/node/d1" "$D/run" "$D/log"
  fixed=${SWIFT_AIO_PROXY_PORT:-}${SWIFT_AIO_MEMCACHED_PORT:-}${SWIFT_AIO_ACCOUNT_PORT:-}
  fixed+=${SWIFT_AIO_CONTAINER_PORT:-}${SWIFT_AIO_OBJECT_PORT:-}
  began=$SECONDS
  for attempt in 1 2 3 4 5; do
    ports=$(free_ports 5)
    read -r p1 p2 p3 p4 p5 <<<"$ports"
    proxy_port=${SWIFT_AIO_PROXY_PORT:-$p1}
    memcached_port=${SWIFT_AIO_MEMCACHED_PORT:-$p2}
    account_port=${SWIFT_AIO_ACCOUNT_PORT:-$p3}
    container_port=${SWIFT_AIO_CONTAINER_PORT:-$p4}
    object_port=${SWIFT_AIO_OBJECT_PORT:-$p5}
    write_configs
    build_rings
    start_daemons
    rc=0
    wait_ready || rc=$?
    if [ $rc -eq 0 ]; then
      write_env
      echo "swift-aio: ready on proxy port $proxy_port after $((SECONDS - began)) s"
      exit 0
    fi
    if [ $rc -eq 2 ] && [ -z "$fixed" ] && [ $attempt -lt 5 ]; then
      echo "swift-aio: a port was taken meanwhile; retrying with new ports" >&2
      stop_all
      continue
    fi
    break
  done
  show_logs
  stop_all
  exit 1
  ;;
stop)
  stop_all
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
