# Sourced by the benchmarks: a private MariaDB under $work/db and glance-registry on an
# ephemeral port in front of it. Needs $repo, $build and $work; sets reg_pid and reg_port.
# The caller's cleanup stops both (kill $reg_pid; scripts/mariadb.sh stop "$work/db").

# The port a daemon logged as "listening on HOST:PORT" in the file $1.
wait_port() {
  for _ in $(seq 1 400); do
    p=$(grep -o 'listening on [0-9.]*:[0-9]*' "$1" 2>/dev/null | head -1 | cut -d: -f2) || true
    [ -n "$p" ] && { echo "$p"; return; }
    sleep 0.05
  done
  echo "no port in $1" >&2
  exit 1
}

start_private_registry() {
  local db_port
  db_port=$("$repo/scripts/mariadb.sh" start "$work/db")
  mariadb --no-defaults --socket="$work/db/mysqld.sock" -uroot -e \
    "CREATE DATABASE IF NOT EXISTS glance; CREATE USER IF NOT EXISTS 'glance'@'127.0.0.1' IDENTIFIED BY 'glancepw';
     GRANT ALL ON glance.* TO 'glance'@'127.0.0.1';"
  cat >"$work/registry.conf" <<CONF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 0
[database]
connection = mysql://glance:glancepw@127.0.0.1:$db_port/glance
CONF
  "$build/src/registry/glance-manage" --config-file "$work/registry.conf" db_sync >/dev/null
  "$build/src/registry/glance-registry" --config-file "$work/registry.conf" >"$work/registry.log" 2>&1 &
  reg_pid=$!
  reg_port=$(wait_port "$work/registry.log")
}
