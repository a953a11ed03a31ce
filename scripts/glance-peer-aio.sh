#!/usr/bin/env bash
# Upstream Glance on loopback: Debian 12's glance-api (the Zed release, Images API v2) run
# without Keystone (the unauthenticated-context pipeline: every request is admin), with a file
# store, everything under DIR. The peer of the differential test and of the benchmarks.
#   scripts/glance-peer-aio.sh start DIR [DB_PORT]
#                     stops a peer still running in DIR, wipes its state, starts a new one on
#                     a free port and writes DIR/glance-peer.env (GLANCE_PEER_URL,
#                     GLANCE_PEER_PORT, GLANCE_PEER_PGID) once it answers; prints the port.
#                     Without DB_PORT it runs its own MariaDB (scripts/mariadb.sh) in DIR/db;
#                     with DB_PORT it uses the MariaDB there (user glance, database
#                     glance_peer).
#   scripts/glance-peer-aio.sh stop DIR
#                     stops what start left running (the server's process group and its own
#                     MariaDB)
# GLANCE_PEER_WORKERS (default 1) sets the server's workers. GLANCE_PEER_FLAVOR=trusted-auth
# runs it with upstream's context middleware instead: each request's identity comes from its
# X-Identity-Status, X-Tenant-Id and X-Roles headers (as behind a trusted proxy), so that
# requests can be made as a tenant rather than as admin.
# The packaged service never starts: scripts/install-deps.sh installs glance-api with
# policy-rc.d denying service starts.
set -euo pipefail
cmd=${1:?start|stop}
D=$(realpath -m "${2:?state directory}")
HERE=$(cd "$(dirname "$0")" && pwd)
# Glance's modules are Debian's; a python3 earlier on the PATH (pyenv, venv) lacks them.
PY=/usr/bin/python3
ready_timeout=${GLANCE_PEER_READY_TIMEOUT:-120}
workers=${GLANCE_PEER_WORKERS:-1}
flavor=${GLANCE_PEER_FLAVOR:-}
AIO_MARK=GLANCE_PEER_AIO_DIR
# shellcheck source=scripts/aio-lib.sh
. "$HERE/aio-lib.sh"

# glance-api runs in its own session: its workers are in the process group of the pid file.
stop_server() {
  local pid deadline
  pid=$(our_pid api) || { rm -f "$D/run/api.pid"; return 0; }
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 15))
  while alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  if alive "$pid"; then kill -KILL -- "-$pid" 2>/dev/null || true; fi
  while alive "$pid"; do sleep 0.1; done
  rm -f "$D/run/api.pid"
}

stop_all() {
  stop_server
  [ -d "$D/db" ] && "$HERE/mariadb.sh" stop "$D/db" >/dev/null 2>&1 || true
  rm -f "$D/glance-peer.env"
}

write_config() {
  cp /etc/glance/glance-api-paste.ini "$D/etc/paste.ini"
  # Debian's paste file has no trusted-auth pipeline: the keystone one without authtoken.
  if [ "$flavor" = trusted-auth ]; then
    printf '\n[pipeline:glance-api-trusted-auth]\npipeline = %s\n' \
      'cors healthcheck http_proxy_to_wsgi versionnegotiation osprofiler context rootapp' \
      >>"$D/etc/paste.ini"
  fi
  # Found before the packaged /etc/glance/schema-image.json: no operator-defined properties
  # in the image schema, as in a deployment without that file.
  echo '{}' >"$D/etc/schema-image.json"
  cat >"$D/etc/glance-api.conf" <<CONF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $1
workers = $workers
enabled_backends = fs:file
log_file = $D/log/glance-api.log
use_stderr = false
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $D/images/
[os_glance_staging_store]
filesystem_store_datadir = $D/staging/
[os_glance_tasks_store]
filesystem_store_datadir = $D/tasks/
[database]
connection = mysql+pymysql://glance:glancepw@127.0.0.1:$db_port/glance_peer?charset=utf8
[paste_deploy]
config_file = $D/etc/paste.ini
${flavor:+flavor = $flavor}
[oslo_policy]
enforce_scope = false
enforce_new_defaults = false
[oslo_concurrency]
lock_path = $D/locks
CONF
}

# The server on PORT; 0 once it answers, 1 if it died, 2 if its port was taken.
launch_server() {
  local port=$1 pid deadline
  write_config "$port"
  GLANCE_PEER_AIO_DIR=$D setsid /usr/bin/glance-api --config-file "$D/etc/glance-api.conf" \
    --config-dir "$D/etc/conf.d" </dev/null >"$D/log/stdout.log" 2>&1 &
  pid=$!
  echo "$pid" >"$D/run/api.pid"
  deadline=$((SECONDS + ready_timeout))
  while [ $SECONDS -lt $deadline ]; do
    if ! alive "$pid"; then
      grep -qi 'address already in use' "$D/log/glance-api.log" "$D/log/stdout.log" 2>/dev/null &&
        return 2
      echo "glance-peer-aio: glance-api exited during start-up" >&2
      tail -n 30 "$D/log/glance-api.log" "$D/log/stdout.log" >&2 2>/dev/null || true
      return 1
    fi
    # The identity headers are what trusted-auth needs, and ignored by the default pipeline.
    curl -fs -m 5 -o /dev/null -H 'X-Identity-Status: Confirmed' -H 'X-Roles: admin' \
      -H 'X-Tenant-Id: peer-ready' "http://127.0.0.1:$port/v2/images?limit=1" && return 0
    sleep 0.2
  done
  echo "glance-peer-aio: glance-api not ready after ${ready_timeout} s; see $D/log" >&2
  return 1
}

case $cmd in
start)
  began=$SECONDS
  [ -x /usr/bin/glance-api ] ||
    { echo "glance-peer-aio: no /usr/bin/glance-api (scripts/install-deps.sh test)" >&2; exit 1; }
  mkdir -p "$D"
  stop_all
  rm -rf "${D:?}/etc" "${D:?}/run" "${D:?}/log" "${D:?}/db" "${D:?}/images" "${D:?}/staging" \
    "${D:?}/tasks" "${D:?}/locks"
  mkdir -p "$D/etc/conf.d" "$D/run" "$D/log" "$D/images" "$D/staging" "$D/tasks" "$D/locks"
  if [ -n "${3:-}" ]; then
    db_port=$3
    mariadb --no-defaults -h127.0.0.1 -P"$db_port" -uglance -pglancepw \
      -e 'DROP DATABASE IF EXISTS glance_peer; CREATE DATABASE glance_peer CHARACTER SET utf8'
  else
    db_port=$("$HERE/mariadb.sh" start "$D/db")
    mariadb --no-defaults --socket="$D/db/mysqld.sock" -uroot \
      -e 'CREATE DATABASE glance_peer CHARACTER SET utf8'
  fi
  write_config 0
  glance-manage --config-file "$D/etc/glance-api.conf" db_sync >"$D/log/db_sync.log" 2>&1 ||
    { tail -n 30 "$D/log/db_sync.log" >&2; stop_all; exit 1; }
  port=
  for _ in 1 2 3 4 5; do
    candidate=$(free_ports 1)
    rc=0
    launch_server "$candidate" || rc=$?
    [ $rc -eq 0 ] && { port=$candidate; break; }
    stop_server
    [ $rc -eq 2 ] || break
  done
  [ -n "$port" ] || { stop_all; exit 1; }
  {
    echo "GLANCE_PEER_URL=http://127.0.0.1:$port"
    echo "GLANCE_PEER_PORT=$port"
    echo "GLANCE_PEER_PGID=$(cat "$D/run/api.pid")"
  } >"$D/glance-peer.env.tmp"
  mv "$D/glance-peer.env.tmp" "$D/glance-peer.env"
  echo "glance-peer-aio: ready on port $port after $((SECONDS - began)) s" >&2
  echo "$port"
  ;;
stop)
  stop_all
  ;;
*)
  echo "usage: $0 start DIR [DB_PORT] | stop DIR" >&2
  exit 2
  ;;
esac
