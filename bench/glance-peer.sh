#!/usr/bin/env bash
# Upstream Glance (Debian 12's glance-api, the Zed release, Images API v2) as the benchmark peer.
#   bench/glance-peer.sh                    runs bench/run.sh with the peer: the table gains an
#                                           "upstream Glance" column and the ratio to it
#   bench/glance-peer.sh install            installs glance-api + python3-pymysql, if apt would
#                                           not remove anything (simulated first)
#   bench/glance-peer.sh start DIR DB_PORT  runs it from DIR (config, store, logs) against the
#                                           private MariaDB on DB_PORT (database glance_peer);
#                                           prints the API port once it answers
#   bench/glance-peer.sh stop DIR
# The packaged service never starts: policy-rc.d denies it during the install, and the peer
# runs only here, noauth (unauthenticated-context pipeline), file store, loopback, 2 workers.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

install_peer() {
  local pkgs=(glance-api python3-pymysql) missing=() p
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  # Keep the packaged glance-api service from starting during the install.
  local rcd=/usr/sbin/policy-rc.d created_rcd=0
  if [ ! -e "$rcd" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$rcd" >/dev/null && $sudo chmod +x "$rcd"
    created_rcd=1
  fi
  local sim
  sim=$($sudo apt-get -s install --no-install-recommends "${missing[@]}" 2>&1) || {
    echo "glance-peer: apt cannot install ${missing[*]}:" >&2; echo "$sim" >&2; return 1; }
  if grep -q '^Remv' <<<"$sim"; then
    echo "glance-peer: installing ${missing[*]} would remove packages; not installing:" >&2
    grep '^Remv' <<<"$sim" >&2
    return 1
  fi
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get -o DPkg::Lock::Timeout=1200 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ "$created_rcd" = 1 ] && $sudo rm -f "$rcd"
  return 0
}

start_peer() {
  local dir db_port port
  dir=$(realpath -m "$1"); db_port=$2
  mkdir -p "$dir"/{images,staging,tasks,locks,conf.d}
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  cp /etc/glance/glance-api-paste.ini "$dir/paste.ini"
  mariadb --no-defaults -h127.0.0.1 -P"$db_port" -uglance -pglancepw \
    -e 'CREATE DATABASE IF NOT EXISTS glance_peer CHARACTER SET utf8'
  cat >"$dir/glance-api.conf" <<CONF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $port
workers = 2
enabled_backends = fs:file
log_file = $dir/glance-api.log
use_stderr = false
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $dir/images/
[os_glance_staging_store]
filesystem_store_datadir = $dir/staging/
[os_glance_tasks_store]
filesystem_store_datadir = $dir/tasks/
[database]
connection = mysql+pymysql://glance:glancepw@127.0.0.1:$db_port/glance_peer?charset=utf8
[paste_deploy]
config_file = $dir/paste.ini
[oslo_policy]
enforce_scope = false
enforce_new_defaults = false
[oslo_concurrency]
lock_path = $dir/locks
CONF
  glance-manage --config-file "$dir/glance-api.conf" db_sync >"$dir/db_sync.log" 2>&1
  setsid /usr/bin/glance-api --config-file "$dir/glance-api.conf" --config-dir "$dir/conf.d" \
    >"$dir/stdout.log" 2>&1 </dev/null &
  echo $! >"$dir/pid"
  for _ in $(seq 600); do
    curl -sf -o /dev/null "http://127.0.0.1:$port/v2/images?limit=1" && { echo "$port"; return 0; }
    kill -0 "$(cat "$dir/pid")" 2>/dev/null || break
    sleep 0.1
  done
  echo "glance-peer: glance-api did not start; see $dir/glance-api.log" >&2
  return 1
}

stop_peer() {
  local dir; dir=$(realpath -m "$1")
  [ -f "$dir/pid" ] || return 0
  local pid; pid=$(cat "$dir/pid")
  kill -- "-$pid" 2>/dev/null || kill "$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  rm -f "$dir/pid"
}

case ${1:-} in
install) install_peer ;;
start) start_peer "${2:?DIR}" "${3:?DB_PORT}" ;;
stop) stop_peer "${2:?DIR}" ;;
"") PEER=1 exec "$here/run.sh" ;;
*) echo "usage: $0 [install | start DIR DB_PORT | stop DIR]" >&2; exit 2 ;;
esac
