# shellcheck shell=bash
# Sourced by the benchmarks: a private MariaDB under $work/db, glance-registry and glance-api
# on ephemeral loopback ports in front of it, and the 10,000 images the metadata workloads
# run over. Needs $build (a build directory) and $work (the run's temporary directory). The
# caller's cleanup stops what it started (stop_private_daemons, or itself for more).
# The caller sets work and build, and uses what the functions set:
# shellcheck disable=SC2034,SC2154
bench_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Makes $work, a temporary directory named after $1, for the calling script: on exit what
# start_private_registry and start_glance_api started is stopped and $work removed.
private_workdir() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")
  api_pid=
  reg_pid=
  trap 'set +e; stop_private_daemons; rm -rf "$work"' EXIT
  trap 'exit 130' INT TERM
}

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

# Stops what start_private_registry and start_glance_api started (the latest api_pid and
# reg_pid, then the MariaDB under $work/db): for the caller's cleanup, which removes $work.
stop_private_daemons() {
  [ -n "${api_pid:-}" ] && kill "$api_pid" 2>/dev/null
  [ -n "${reg_pid:-}" ] && kill "$reg_pid" 2>/dev/null
  wait 2>/dev/null
  "$bench_repo/scripts/mariadb.sh" stop "$work/db" >/dev/null 2>&1
  return 0
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

# $2 images in database $1 for the registry size benchmark, inserted by SQL in bulk: image k
# (k = 1..N, id ending in k in hex) is shared when k % 10 = 0 (with one member, tenant-(k/10 +
# 500) % 1000, accepted unless k % 30 = 0), private when k % 10 = 5, else public; owned by
# tenant-(k % 1000); deleted for 2 % of k; five properties and a location each. Some names,
# sizes, formats and updated_at are NULL and every name is used twice, so that sorts have
# ties and NULLs.
seed_registry() {
  local db=$1 n=$2
  sql "$db" <<SQL
SET unique_checks = 0, foreign_key_checks = 0;
INSERT INTO images (id, name, size, status, created_at, updated_at, deleted_at, deleted,
                    disk_format, container_format, checksum, owner, min_disk, min_ram,
                    protected, visibility)
SELECT CONCAT(LPAD(LOWER(HEX(CRC32(seq))), 8, '0'), '-', LPAD(LOWER(HEX(seq % 65536)), 4, '0'),
              '-4000-8000-', LPAD(LOWER(HEX(seq)), 12, '0')),
       IF(seq % 997 = 0, NULL, CONCAT('image-', LPAD(seq % GREATEST($n DIV 2, 1), 8, '0'))),
       IF(seq % 101 = 0, NULL, (seq % 5000) * 1048576),
       CASE WHEN (seq DIV 7) % 50 = 3 THEN 'deleted' WHEN seq % 100 = 3 THEN 'killed'
            WHEN seq % 100 = 11 THEN 'queued' ELSE 'active' END,
       TIMESTAMP '2026-01-01 00:00:00' + INTERVAL seq SECOND,
       IF(seq % 89 = 0, NULL, TIMESTAMP '2026-01-01 00:00:00' + INTERVAL seq + seq % 1000 SECOND),
       IF((seq DIV 7) % 50 = 3, TIMESTAMP '2026-06-01 00:00:00', NULL),
       (seq DIV 7) % 50 = 3,
       ELT(1 + seq % 4, 'qcow2', 'raw', 'vmdk', NULL),
       ELT(1 + seq % 3, 'bare', 'ovf', NULL),
       MD5(seq), CONCAT('tenant-', seq % 1000), 0, 0, 0,
       CASE seq % 10 WHEN 0 THEN 'shared' WHEN 5 THEN 'private' ELSE 'public' END
FROM seq_1_to_$n;
INSERT INTO image_members (image_id, member, can_share, status, created_at, updated_at, deleted)
SELECT id, CONCAT('tenant-', (CONV(RIGHT(id, 12), 16, 10) DIV 10 + 500) % 1000), 0,
       IF(CONV(RIGHT(id, 12), 16, 10) % 30 = 0, 'pending', 'accepted'), created_at, created_at,
       deleted
FROM images WHERE visibility = 'shared';
INSERT INTO image_properties (image_id, name, value, created_at, updated_at, deleted)
SELECT id, p.name,
       CASE p.name WHEN 'os_distro' THEN ELT(1 + CONV(RIGHT(id, 12), 16, 10) DIV 3 % 5, 'ubuntu',
                                             'debian', 'centos', 'fedora', 'cirros')
                   WHEN 'architecture' THEN IF(CONV(RIGHT(id, 12), 16, 10) % 7 = 0, 'aarch64', 'x86_64')
                   WHEN 'build' THEN CONV(RIGHT(id, 12), 16, 10)
                   ELSE p.value END,
       created_at, created_at, deleted
FROM images JOIN (SELECT 'os_distro' AS name, '' AS value UNION ALL SELECT 'hw_disk_bus', 'virtio'
                  UNION ALL SELECT 'os_version', '24.04' UNION ALL SELECT 'architecture', ''
                  UNION ALL SELECT 'build', '') p;
INSERT INTO image_locations (image_id, value, meta_data, status, created_at, updated_at, deleted)
SELECT id, CONCAT('file:///var/lib/glance/images/', id), '{}', IF(deleted, 'deleted', 'active'),
       created_at, created_at, deleted
FROM images;
ANALYZE TABLE images, image_members, image_properties, image_locations;
SQL
}

# Makes loopback port $1 behave as a server across a link of rate $2 (tc's syntax: 1gbit,
# 800mbit): what is sent from or to it goes through an HTB class of that rate on lo, every
# other flow through an unlimited one. So a store on this machine can be measured as the
# network, not the CPU, bounds it, as it does on separate machines. Needs root and an lo with
# no queueing discipline of its own; more ports join the same link with further calls.
# unshape_loopback removes it (the caller's cleanup must call it).
shape_loopback_port() {
  if ! tc qdisc show dev lo | grep -q 'htb 1:'; then
    tc qdisc show dev lo | grep -q '^qdisc noqueue' ||
      { echo "lo already has a queueing discipline; not touching it" >&2; return 1; }
    tc qdisc add dev lo root handle 1: htb default 10 r2q 100000
    tc class add dev lo parent 1: classid 1:10 htb rate 100gbit
    tc class add dev lo parent 1: classid 1:20 htb rate "$2" ceil "$2" burst 512k cburst 512k
  fi
  tc filter add dev lo protocol ip parent 1: prio 1 u32 match ip sport "$1" 0xffff flowid 1:20
  tc filter add dev lo protocol ip parent 1: prio 1 u32 match ip dport "$1" 0xffff flowid 1:20
}
unshape_loopback() {
  if tc qdisc show dev lo 2>/dev/null | grep -q 'htb 1:'; then tc qdisc del dev lo root; fi
  return 0
}
