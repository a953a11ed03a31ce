#!/usr/bin/env bash
# Registry latency against the number of images. For each size in SIZES: a private MariaDB
# and glance-registry (trusted-auth, so that requests carry a tenant), the schema from the
# registry's own migrations (glance-manage db_sync), then N images seeded by SQL in bulk
# (seed_registry in bench/lib.sh: INSERT ... SELECT from the sequence engine), then each list,
# show, write and member query the registry makes, WARM times (3) to warm up, then REQS times
# one after another with curl; prints the median milliseconds of each. With EXPLAIN=DIR, the statements each request ran
# (from MariaDB's general log) and their EXPLAIN go to DIR/<size>/<query>.txt.
# With PEER=1, the Images API v2 requests are also timed through glance-api (in front of the
# registry, trusted-auth) and through upstream Glance (Debian's glance-api, the Zed release,
# bench/glance-peer.sh with upstream's context middleware) over the same images seeded into
# its own schema on the same MariaDB, PEER_REQS times each (default REQS).
# With DATA=FILE, every median is also written to FILE as "query size ms" lines (for plots).
#   [SIZES="10000 100000"] [REQS=21] [WARM=3] [BUILD=build/release] [EXPLAIN=dir] \
#     [PEER=0|1] [PEER_REQS=N] [DATA=file] bench/registry_size.sh
# BUILD is a build directory with src/registry/glance-registry and glance-manage (and
# src/api/glance-api for PEER=1); without it, a Release build is made in build/release.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
SIZES=${SIZES:-10000 100000}
REQS=${REQS:-21}
WARM=${WARM:-3}
PEER=${PEER:-0}
PEER_REQS=${PEER_REQS:-$REQS}
if [ -z "${BUILD:-}" ]; then
  "$root/scripts/install-deps.sh" build
  build=$root/build/release
  CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DGLANCE_BUILD_TESTS=OFF >/dev/null
  cmake --build "$build" -j "$(nproc)" --target glance-registry glance-manage glance-api >/dev/null
else
  build=$(cd "$BUILD" && pwd)
fi
[ -n "${EXPLAIN:-}" ] && mkdir -p "$EXPLAIN" && EXPLAIN=$(cd "$EXPLAIN" && pwd)
if [ "$PEER" = 1 ]; then
  "$root/bench/glance-peer.sh" install
  [ -x "$build/src/api/glance-api" ] || { echo "PEER=1 needs $build/src/api/glance-api" >&2; exit 1; }
fi
if [ -n "${DATA:-}" ]; then : >"$DATA"; fi

log() { echo "[$(date +%T)] $*" >&2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/glance-size.XXXXXX")
reg_pid=
api_pid=
cleanup() {
  set +e
  [ -n "$api_pid" ] && kill "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null
  [ -n "$reg_pid" ] && kill "$reg_pid" 2>/dev/null && wait "$reg_pid" 2>/dev/null
  [ "$PEER" = 1 ] && "$root/bench/glance-peer.sh" stop "$work/peer" >/dev/null 2>&1
  "$root/scripts/mariadb.sh" stop "$work/db" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# shellcheck source=bench/lib.sh
. "$root/bench/lib.sh"

tenant=(-H 'X-Identity-Status: Confirmed' -H 'X-Tenant-Id: tenant-7' -H 'X-Roles: member')
admin=(-H 'X-Identity-Status: Confirmed' -H 'X-Tenant-Id: tenant-admin' -H 'X-Roles: admin')
owner0=(-H 'X-Identity-Status: Confirmed' -H 'X-Tenant-Id: tenant-0' -H 'X-Roles: member')

# The milliseconds of one request: METHOD URL curl-arguments...
once() {
  local m=$1 u=$2; shift 2
  curl -sS -o "$work/body" -w '%{http_code} %{time_total}\n' -X "$m" "$@" "$url$u" |
    awk -v u="$u" '$1 >= 400 { print "HTTP " $1 " " u > "/dev/stderr"; next }
                   { printf "%.2f\n", $2 * 1000 }'
  [ -s "$work/body" ] && grep -q -v '^{' "$work/body" && head -c 300 "$work/body" >&2
  return 0
}
median() { sort -n | awk '{v[NR]=$1} END {if (NR) printf "%.1f", v[int((NR+1)/2)]; else printf "failed"}'; }

# EXPLAIN of the statements one request ran: the registry runs with MariaDB's general log on
# from its start (a statement prepared while the log is off is logged without its values).
explain_request() {
  local file=$1 from; shift
  from=$(($(stat -c %s "$work/general.log") + 1))
  "$@" >/dev/null
  {
    echo "# $*" | sed "s|$url||"
    tail -c +"$from" "$work/general.log" |
      awk -F'\t' '{ for (i = 1; i < NF; i++) if ($i ~ /(Execute|Query)$/) print $(i + 1) }' |
      { grep -E '^(SELECT|UPDATE|DELETE)' || true; } | { grep -v '^SELECT 1$' || true; } |
      while IFS= read -r stmt; do
        echo; echo "$stmt"
        sql glance -B -e "EXPLAIN $stmt" 2>&1 |
          awk -F'\t' '{ printf "  %-12s %-16s %-11s %-40s %8s  %s\n", $2, $3, $4, $6, $9, $10 }' || true
      done
  } >"$file"
}

# Waits (at most 10 minutes) until MariaDB is idle (< 5 % of a core over 2 s): after a bulk
# insert InnoDB merges buffered index changes and purges for minutes, which would be timed.
settle_db() {
  local hz pid a b t0
  hz=$(getconf CLK_TCK); pid=$(cat "$work/db/mysqld.pid"); t0=$(date +%s)
  ticks() { awk '{ sub(/.*\) /, ""); split($0, f, " "); print f[12] + f[13] }' "/proc/$pid/stat"; }
  for _ in $(seq 300); do
    a=$(ticks); sleep 2; b=$(ticks)
    [ $((b - a)) -le $((hz / 10)) ] && break
  done
  log "MariaDB idle after $(($(date +%s) - t0)) s"
}

start_registry() {
  "$build/src/registry/glance-registry" --config-file "$work/registry.conf" >"$work/registry.log" 2>&1 &
  reg_pid=$!
  reg_port=$(wait_port "$work/registry.log")
  url=http://127.0.0.1:$reg_port
}

# name, method, path, identity: the requests measured (marker ids are filled per size).
queries() {
  cat <<Q
v1_detail25 GET /images/detail?limit=25 tenant
v1_deep_marker GET /images/detail?limit=25&marker=$deep tenant
v1_sort_name GET /images/detail?limit=25&sort_key=name&sort_dir=asc tenant
v1_sort_status GET /images/detail?limit=25&sort_key=status&sort_dir=asc tenant
v1_sort_container_format GET /images/detail?limit=25&sort_key=container_format&sort_dir=asc tenant
v1_sort_disk_format GET /images/detail?limit=25&sort_key=disk_format&sort_dir=asc tenant
v1_sort_size GET /images/detail?limit=25&sort_key=size&sort_dir=asc tenant
v1_sort_id GET /images/detail?limit=25&sort_key=id&sort_dir=asc tenant
v1_sort_created_at GET /images/detail?limit=25&sort_key=created_at&sort_dir=asc tenant
v1_sort_updated_at GET /images/detail?limit=25&sort_key=updated_at&sort_dir=desc tenant
v1_sort_name_marker GET /images/detail?limit=25&sort_key=name&sort_dir=asc&marker=$deep tenant
v1_property GET /images/detail?limit=25&property-os_distro=debian tenant
v1_changes_since GET /images/detail?limit=25&changes-since=$since tenant
v1_admin_all GET /images/detail?limit=25&is_public=none admin
v1_admin_all_name GET /images/detail?limit=25&is_public=none&sort_key=name&sort_dir=asc admin
v1_admin_private GET /images/detail?limit=25&is_public=false admin
v1_index25 GET /images?limit=25 tenant
v1_show GET /images/$deep tenant
v1_members GET /images/$shared/members owner0
v1_shared_images GET /shared-images/tenant-7 tenant
v2_list25 GET /v2/images/detail?limit=25 tenant
v2_marker GET /v2/images/detail?limit=25&marker=$deep tenant
v2_sort_name GET /v2/images/detail?limit=25&sort_key=name&sort_dir=asc tenant
v2_shared GET /v2/images/detail?limit=25&visibility=shared tenant
v2_admin GET /v2/images/detail?limit=25 admin
v2_show GET /v2/images/$deep tenant
v2_members GET /v2/images/$shared/members owner0
Q
}

# The Images API v2 requests timed through glance-api and upstream Glance (PEER=1): name,
# method, path, identity, as above.
api_queries() {
  cat <<Q
api_v2_list25 GET /v2/images?limit=25 tenant
api_v2_marker GET /v2/images?limit=25&marker=$deep tenant
api_v2_sort_name GET /v2/images?limit=25&sort_key=name&sort_dir=asc tenant
api_v2_property GET /v2/images?limit=25&os_distro=debian tenant
api_v2_shared GET /v2/images?limit=25&visibility=shared tenant
api_v2_admin GET /v2/images?limit=25 admin
api_v2_show GET /v2/images/$deep tenant
api_v2_members GET /v2/images/$shared/members owner0
Q
}

# Times QUERIES (a function printing name, method, path, identity lines) against $url, COUNT
# times each after WARM, into $work/res.SIZE.PREFIXname.
time_queries() {
  local n=$1 prefix=$2 count=$3 list=$4 name m p who
  while read -r name m p who; do
    local -n hdr=$who
    for _ in $(seq "$WARM"); do once "$m" "$p" "${hdr[@]}" >/dev/null; done
    for _ in $(seq "$count"); do once "$m" "$p" "${hdr[@]}"; done | median >"$work/res.$n.$prefix$name"
    # What the last answer held (images or members listed; 1 for a show): both sides of a
    # comparison must have answered the same question.
    /usr/bin/python3 -c 'import json, sys
b = json.load(open(sys.argv[1]))
print(len(b.get("images", b.get("members", [b]))) if isinstance(b, dict) else "-")' \
      "$work/body" >"$work/res.$n.$prefix$name.count" 2>/dev/null || echo - >"$work/res.$n.$prefix$name.count"
  done < <("$list")
}

# The v2 requests through glance-api in front of the size's registry, then through upstream
# Glance over the same images seeded into its schema.
run_api_size() {
  local n=$1 registry_url=$url t0
  start_glance_api api "workers = 2
send_identity_headers = True
[paste_deploy]
flavor = trusted-auth" "stores = file
filesystem_store_datadir = $work/store"
  url=http://127.0.0.1:$api_port
  log "size $n: glance-api"
  time_queries "$n" ours_ "$REQS" api_queries
  kill "$api_pid" && wait "$api_pid" 2>/dev/null || true
  api_pid=
  log "size $n: upstream Glance: schema and seeding"
  local peer_port
  peer_port=$(GLANCE_PEER_FLAVOR=trusted-auth "$root/bench/glance-peer.sh" start "$work/peer" "$db_port")
  t0=$(date +%s)
  seed_registry glance_peer "$n" >/dev/null
  log "size $n: upstream seeded in $(($(date +%s) - t0)) s"
  settle_db
  url=http://127.0.0.1:$peer_port
  time_queries "$n" peer_ "$PEER_REQS" api_queries
  "$root/bench/glance-peer.sh" stop "$work/peer" >/dev/null
  sql -e "DROP DATABASE glance_peer"
  url=$registry_url
}

run_size() {
  local n=$1 name m p who ids
  log "size $n: seeding"
  # A fresh schema and a fresh registry (its pooled connections would hold the old one).
  kill "$reg_pid" && wait "$reg_pid" 2>/dev/null || true
  sql -e "DROP DATABASE IF EXISTS glance; CREATE DATABASE glance"
  "$build/src/registry/glance-manage" --config-file "$work/registry.conf" db_sync >/dev/null
  local t0; t0=$(date +%s)
  seed_registry glance "$n" >/dev/null
  log "size $n: seeded in $(($(date +%s) - t0)) s"
  settle_db
  start_registry
  # A public image in the middle of the default order (a marker tenant-7 can see), the newest change window of ~100 images, and
  # a shared image of tenant-0's with members.
  deep=$(sql glance -N -B -e "SELECT id FROM images WHERE deleted = 0 AND status <> 'killed'
                               AND visibility = 'public'
                               ORDER BY created_at DESC, id DESC LIMIT $((n * 4 / 10)), 1")
  since=$(sql glance -N -B -e "SELECT DATE_FORMAT(MAX(updated_at) - INTERVAL 100 SECOND,
                                '%Y-%m-%dT%H:%i:%s') FROM images")
  shared=$(sql glance -N -B -e "SELECT image_id FROM image_members m JOIN images i ON
             i.id = m.image_id WHERE i.owner = 'tenant-0' AND i.deleted = 0 LIMIT 1")
  time_queries "$n" "" "$REQS" queries
  # Create then delete (a new image each time; the deletes remove the creates).
  local body='{"image": {"name": "bench-size", "disk_format": "raw", "container_format": "bare", "is_public": false}}'
  ids=()
  : >"$work/create.$n"
  for _ in $(seq "$REQS"); do
    local out
    out=$(curl -sS -w '\n%{time_total}' -X POST -H 'Content-Type: application/json' "${tenant[@]}" \
      -d "$body" "$url/images")
    ids+=("$(head -1 <<<"$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["image"]["id"])')")
    tail -1 <<<"$out" | awk '{printf "%.2f\n", $1 * 1000}' >>"$work/create.$n"
  done
  median <"$work/create.$n" >"$work/res.$n.v1_create"
  for id in "${ids[@]}"; do once DELETE "/images/$id" "${tenant[@]}"; done | median >"$work/res.$n.v1_delete"
  [ "$PEER" = 1 ] && run_api_size "$n"
  [ -n "${EXPLAIN:-}" ] && explain_size "$n"
  return 0
}

# A second registry with the general log on; each request once, then its statements' plans.
explain_size() {
  local n=$1 name m p who last
  mkdir -p "$EXPLAIN/$n"
  kill "$reg_pid" && wait "$reg_pid" 2>/dev/null || true
  sql -e "SET GLOBAL log_output = 'FILE'; SET GLOBAL general_log_file = '$work/general.log';
          SET GLOBAL general_log = 1"
  start_registry
  while read -r name m p who; do
    local -n hdr=$who
    explain_request "$EXPLAIN/$n/$name.txt" once "$m" "$p" "${hdr[@]}"
  done < <(queries)
  local body='{"image": {"name": "bench-size", "disk_format": "raw", "container_format": "bare", "is_public": false}}'
  explain_request "$EXPLAIN/$n/v1_create.txt" curl -sS -o /dev/null -X POST \
    -H 'Content-Type: application/json' "${tenant[@]}" -d "$body" "$url/images"
  last=$(sql glance -N -B -e "SELECT id FROM images WHERE name = 'bench-size' AND deleted = 0 LIMIT 1")
  explain_request "$EXPLAIN/$n/v1_delete.txt" once DELETE "/images/$last" "${tenant[@]}"
  sql -e "SET GLOBAL general_log = 0"
}

start_private_registry "workers = 2
[paste_deploy]
flavor = trusted-auth"
# The database upstream Glance's bench/glance-peer.sh (re)creates as the registry's user.
sql -e "GRANT ALL ON glance_peer.* TO 'glance'@'127.0.0.1'"
# Room for the indexes of a million images; the tests' servers keep the default 128 MiB.
sql -e "SET GLOBAL innodb_buffer_pool_size = 1024 * 1024 * 1024"
read -r -a sizes <<<"$SIZES"
for n in "${sizes[@]}"; do run_size "$n"; done

printf '%-26s' "query (median ms, $REQS reqs)"
for n in "${sizes[@]}"; do printf ' %10s' "$n"; done
echo
for name in $(queries | awk '{print $1}') v1_create v1_delete; do
  printf '%-26s' "$name"
  for n in "${sizes[@]}"; do printf ' %10s' "$(cat "$work/res.$n.$name")"; done
  echo
  if [ -n "${DATA:-}" ]; then
    for n in "${sizes[@]}"; do echo "$name $n $(cat "$work/res.$n.$name")"; done >>"$DATA"
  fi
done
if [ "$PEER" = 1 ]; then
  echo
  printf '%-26s' "v2 API (median ms (items))"
  for n in "${sizes[@]}"; do printf ' %12s %12s' "ours $n" "upstr. $n"; done
  echo
  for name in $(api_queries | awk '{print $1}'); do
    printf '%-26s' "$name"
    for n in "${sizes[@]}"; do
      printf ' %12s %12s' "$(cat "$work/res.$n.ours_$name") ($(cat "$work/res.$n.ours_$name.count"))" \
        "$(cat "$work/res.$n.peer_$name") ($(cat "$work/res.$n.peer_$name.count"))"
    done
    echo
    if [ -n "${DATA:-}" ]; then
      for n in "${sizes[@]}"; do
        echo "ours_$name $n $(cat "$work/res.$n.ours_$name")"
        echo "peer_$name $n $(cat "$work/res.$n.peer_$name")"
      done >>"$DATA"
    fi
  done
fi
exit 0
