#!/usr/bin/env bash
# A private single-node Ceph on loopback for the RBD store tests: one monitor and one OSD on the
# in-memory memstore objectstore, auth none, no mgr, no systemd. Everything lives under DIR;
# the data is gone once the OSD stops.
#   scripts/ceph-aio.sh start DIR   stops a cluster still running in DIR, wipes it, starts a new
#                                   one with an RBD pool and writes DIR/cluster.env (CEPH_CONF,
#                                   CEPH_FSID, CEPH_POOL) once the pool takes images
#   scripts/ceph-aio.sh stop DIR    stops what start left running; idempotent
#   scripts/ceph-aio.sh again DIR   starts the daemons of a stopped cluster in DIR again on their
#                                   data (same fsid, monitor port and pool; memstore saves its
#                                   objects at a clean stop), as an operator brings Ceph back
#                                   after an outage; waits until the pool takes I/O
# The monitor's port is one the kernel reports free at start (the monmap names it, so it
# cannot bind port 0); the OSD binds the first free ports of a range above it. A monitor start
# sometimes refuses early commands, or the OSD never comes up: each attempt runs in a fresh
# directory with a new fsid, up to 3 attempts, and a start that never succeeds exits non-zero.
# CEPH_AIO_MEMSTORE_BYTES caps the OSD's memory store (default 1 GiB); CEPH_AIO_POOL names the
# pool (default images, glance_store's default rbd_store_pool). CEPH_AIO_KEEP_DATA=1 makes the
# OSD save its memory store at stop (a slower stop), so that `again` finds the images.
set -euo pipefail
cmd=${1:?start|stop|again}
D=$(realpath -m "${2:?state directory}")
PY=/usr/bin/python3
memstore_bytes=${CEPH_AIO_MEMSTORE_BYTES:-1073741824}
# An OSD's fast shutdown skips unmounting its store, and memstore saves only at unmount.
fast_shutdown=true
[ "${CEPH_AIO_KEEP_DATA:-0}" = 1 ] && fast_shutdown=false
pool=${CEPH_AIO_POOL:-images}
# Every ceph CLI call: bounded, since it waits 300 s for a monitor that does not answer.
cli() { timeout 30 "$@" --connect-timeout 10 -c "$D/ceph.conf"; }

AIO_MARK=CEPH_AIO_DIR
# shellcheck source=scripts/aio-lib.sh
. "$(dirname "$0")/aio-lib.sh"

stop_one() {
  local pid deadline
  pid=$(our_pid "$1") || return 0
  kill -CONT "$pid" 2>/dev/null || true  # a test may have paused it
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 15))
  while alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
}

# The OSD first: one whose monitor is gone waits seconds before it exits.
stop_all() {
  stop_one osd.0
  stop_one mon.a
}

write_conf() {
  local fsid=$1 port=$2
  cat >"$D/ceph.conf" <<CONF
[global]
fsid = $fsid
mon host = v1:127.0.0.1:$port
public network = 127.0.0.0/8
auth cluster required = none
auth service required = none
auth client required = none
ms bind ipv6 = false
ms bind port min = $((port + 1))
ms bind port max = $((port + 200))
osd pool default size = 1
osd pool default min size = 1
# Tests make a pool per store instance: few placement groups each, and many pools allowed.
osd pool default pg num = 8
osd pool default pgp num = 8
mon max pg per osd = 100000
mon allow pool size one = true
mon allow pool delete = true
mon warn on pool no redundancy = false
osd objectstore = memstore
memstore device bytes = $memstore_bytes
osd fast shutdown = $fast_shutdown
osd crush chooseleaf type = 0
osd class update on start = false
auth expose insecure global id reclaim = false
mon warn on insecure global id reclaim = false
mon warn on insecure global id reclaim allowed = false
run dir = $D/run
# Logs and admin sockets for the daemons only: clients (the tests, glance-api, the rbd CLI)
# would all claim the one client.admin socket.
[mon.a]
mon data = $D/mon.a
log file = $D/log/mon.a.log
pid file = $D/run/mon.a.pid
admin socket = $D/run/mon.a.asok
[osd.0]
osd data = $D/osd.0
log file = $D/log/osd.0.log
pid file = $D/run/osd.0.pid
admin socket = $D/run/osd.0.asok
CONF
}

# One attempt in a wiped DIR; non-zero when the cluster does not come up.
attempt() {
  stop_all
  rm -rf "$D"
  mkdir -p "$D"/{mon.a,osd.0,run,log}
  local fsid port osd_uuid i
  fsid=$(uuidgen)
  port=$(free_ports 1)
  write_conf "$fsid" "$port"
  export CEPH_AIO_DIR=$D
  monmaptool --create --addv a "v1:127.0.0.1:$port" --fsid "$fsid" "$D/monmap" >/dev/null
  ceph-mon --mkfs -i a --monmap "$D/monmap" -c "$D/ceph.conf"
  ceph-mon -i a -c "$D/ceph.conf" # daemonizes
  for i in $(seq 1 60); do
    cli ceph mon stat 2>/dev/null | grep -q 'quorum 0 a' && break
    sleep 0.5
  done
  cli ceph mon stat 2>/dev/null | grep -q 'quorum 0 a' || { echo "ceph-aio: no quorum" >&2; return 1; }
  osd_uuid=$(uuidgen)
  cli ceph osd new "$osd_uuid" 0 >/dev/null || return 1
  ceph-osd -i 0 -c "$D/ceph.conf" --mkfs --osd-uuid "$osd_uuid" >/dev/null 2>&1 || return 1
  for i in 1 2 3; do ceph-osd -i 0 -c "$D/ceph.conf" && break; sleep 1; done
  for i in $(seq 1 60); do
    cli ceph osd stat 2>/dev/null | grep -q '1 up' && break
    sleep 1
  done
  cli ceph osd stat 2>/dev/null | grep -q '1 up' || { echo "ceph-aio: the OSD never came up" >&2; return 1; }
  cli ceph osd pool create "$pool" 8 8 >/dev/null 2>&1 || return 1
  timeout 60 rbd -c "$D/ceph.conf" pool init "$pool" || return 1
  # Proof that the pool takes images: what the tests will do first.
  timeout 60 rbd -c "$D/ceph.conf" create --size 1 "$pool/ceph-aio-probe" || return 1
  timeout 60 rbd -c "$D/ceph.conf" rm --no-progress "$pool/ceph-aio-probe" || return 1
  cat >"$D/cluster.env.tmp" <<ENV
CEPH_CONF=$D/ceph.conf
CEPH_FSID=$fsid
CEPH_POOL=$pool
CEPH_MON_PORT=$port
ENV
  mv "$D/cluster.env.tmp" "$D/cluster.env"
}

# The daemons of the cluster in DIR, started again on what they kept; non-zero when the pool
# does not answer within about 90 s.
again() {
  stop_all
  [ -s "$D/ceph.conf" ] && [ -s "$D/cluster.env" ] || { echo "ceph-aio: no cluster in $D" >&2; return 1; }
  export CEPH_AIO_DIR=$D
  local deadline=$((SECONDS + 90))
  ceph-mon -i a -c "$D/ceph.conf" || return 1
  # A monitor that has just started refuses an OSD's first commands ('wrong fsid') now and
  # then, and the OSD exits: start it once the monitor has quorum, and again while it is not up.
  until cli ceph mon stat 2>/dev/null | grep -q 'quorum 0 a'; do
    [ $SECONDS -lt $deadline ] || break
    sleep 0.5
  done
  while [ $SECONDS -lt $deadline ]; do
    our_pid osd.0 >/dev/null || ceph-osd -i 0 -c "$D/ceph.conf" || true
    cli ceph osd stat 2>/dev/null | grep -q '1 up' &&
      timeout 30 rbd -c "$D/ceph.conf" ls "$pool" >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "ceph-aio: the cluster in $D did not come back" >&2
  return 1
}

case $cmd in
again)
  pool=$(sed -n 's/^CEPH_POOL=//p' "$D/cluster.env" 2>/dev/null)
  again
  ;;
start)
  for try in 1 2 3; do
    if attempt; then
      echo "ceph-aio: up in $D (attempt $try)"
      exit 0
    fi
    echo "ceph-aio: attempt $try failed; logs:" >&2
    tail -n 20 "$D"/log/*.log >&2 2>/dev/null || true
  done
  stop_all
  echo "ceph-aio: the cluster did not start in 3 attempts" >&2
  exit 1
  ;;
stop)
  stop_all
  ;;
*)
  echo "usage: $0 start|stop|again DIR" >&2
  exit 2
  ;;
esac
