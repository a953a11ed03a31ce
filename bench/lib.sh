# shellcheck shell=bash
# Sourced by the benchmarks: a private MariaDB under $work/db, glance-registry and glance-api
# on ephemeral loopback ports in front of it, and the 10,000 images the metadata workloads
# run over. Needs $build (a build directory) and $work (the run's temporary directory). The
# caller's cleanup stops what it started (kill $reg_pid $api_pid; scripts/mariadb.sh stop
# "$work/db").
# The caller sets work and build, and uses what the functions set:
# shellcheck disable=SC2034,SC2154
bench_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# The port a daemon logged as "listening on HOST:PORT" in the file $1.
wait_port() {
  local p
  for _ in $(seq 1 400); do
    p=$(grep -o 'listening on [0-9.]*:[0-9]*' "$1" 2>/dev/null | head -1 | cut -d: -f2) || true
    [ -n "$p" ] && { echo "$p"; return; }
    sleep 0.05
  done
  echo "no port in $1" >&2
  exit 1
}

# SQL as MariaDB's root on the private server, e.g. sql glance -e "SELECT 1".
sql() { mariadb --no-defaults --socket="$work/db/mysqld.sock" -uroot "$@"; }

# Starts the private MariaDB and glance-registry on it, with $1 appended to the registry's
# [DEFAULT] (e.g. "workers = 2"). Sets db_port, reg_pid and reg_port.
start_private_registry() {
  db_port=$("$bench_repo/scripts/mariadb.sh" start "$work/db")
  sql -e "CREATE DATABASE IF NOT EXISTS glance; CREATE USER IF NOT EXISTS 'glance'@'127.0.0.1' IDENTIFIED BY 'glancepw';
     GRANT ALL ON glance.* TO 'glance'@'127.0.0.1';"
  cat >"$work/registry.conf" <<CONF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 0
${1:-}
[database]
connection = mysql://glance:glancepw@127.0.0.1:$db_port/glance
CONF
  "$build/src/registry/glance-manage" --config-file "$work/registry.conf" db_sync >/dev/null
  "$build/src/registry/glance-registry" --config-file "$work/registry.conf" >"$work/registry.log" 2>&1 &
  reg_pid=$!
  reg_port=$(wait_port "$work/registry.log")
}

# Starts glance-api in front of the private registry from $work/NAME.conf, logging to
# $work/NAME.log. Arguments: NAME, lines for [DEFAULT] (e.g. "workers = 2"), the lines of
# [glance_store], further sections. Sets api_pid and api_port.
start_glance_api() {
  cat >"$work/$1.conf" <<CONF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 0
registry_host = 127.0.0.1
registry_port = $reg_port
$2
[glance_store]
$3
${4:-}
CONF
  "$build/src/api/glance-api" --config-file "$work/$1.conf" >"$work/$1.log" 2>&1 &
  api_pid=$!
  api_port=$(wait_port "$work/$1.log")
}

# 10,000 public images with two properties and a location each, inserted in bulk through SQL
# into database $1 (the same schema in ours and upstream's Zed database); prints the id of the
# one in the middle.
seed_images() {
  sql "$1" <<'SQL'
INSERT INTO images (id, name, size, status, created_at, updated_at, deleted, disk_format,
                    container_format, checksum, owner, min_disk, min_ram, protected, visibility)
SELECT UUID(), CONCAT('image-', seq), seq * 1024, 'active',
       NOW(6) - INTERVAL seq SECOND, NOW(6) - INTERVAL seq SECOND, 0, 'qcow2', 'bare',
       MD5(seq), CONCAT('tenant-', seq % 50), 0, 0, 0, 'public'
FROM seq_1_to_10000;
INSERT INTO image_properties (image_id, name, value, created_at, updated_at, deleted)
SELECT id, 'os_distro', 'ubuntu', created_at, created_at, 0 FROM images;
INSERT INTO image_properties (image_id, name, value, created_at, updated_at, deleted)
SELECT id, 'hw_disk_bus', 'virtio', created_at, created_at, 0 FROM images;
INSERT INTO image_locations (image_id, value, meta_data, status, created_at, updated_at, deleted)
SELECT id, CONCAT('file:///var/lib/glance/images/', id), '{}', 'active', created_at, created_at, 0
FROM images;
SQL
  sql "$1" -N -B -e "SELECT id FROM images ORDER BY created_at DESC LIMIT 5000, 1"
}
