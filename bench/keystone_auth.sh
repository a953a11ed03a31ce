#!/usr/bin/env bash
# What token validation costs glance-api: HEAD /v1/images/{id} with a cached Keystone token
# (flavor keystone) against the same request with trusted identity headers (flavor
# trusted-auth), with ab -k -i -c 16; then the latency of the first request of a new token
# (one Keystone validation) against the next request with the same token (cached).
#   [KEYSTONE_DIR=dir] bench/keystone_auth.sh BUILD_DIR [REQUESTS] [ROUNDS]
# KEYSTONE_DIR: a Keystone already started by scripts/keystone-aio.sh; otherwise one is started
# (and stopped) under the work directory. Needs ab (apache2-utils) and curl.
set -euo pipefail
build=$(realpath "${1:?build directory with src/api/glance-api}")
requests=${2:-20000}
rounds=${3:-3}
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/glance-bench-ks.XXXXXX)
api_pids=(); reg_pid=
own_keystone=
cleanup() {
  kill "${api_pids[@]}" $reg_pid 2>/dev/null || true
  "$repo/scripts/mariadb.sh" stop "$work/db" >/dev/null 2>&1 || true
  [ -n "$own_keystone" ] && "$repo/scripts/keystone-aio.sh" stop "$own_keystone" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "${KEYSTONE_DIR:-}" ]; then
  own_keystone=$work/keystone
  KEYSTONE_DIR=$own_keystone
  "$repo/scripts/keystone-aio.sh" start "$KEYSTONE_DIR"
fi
# shellcheck disable=SC1091
. "$KEYSTONE_DIR/keystone.env"

# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
start_private_registry

start_api() {  # name, [paste_deploy] and further sections
  start_glance_api "$1" "workers = 2" "stores = file
filesystem_store_datadir = $work/images" "$2"
  api_pids+=("$api_pid")
}
start_api trusted "[paste_deploy]
flavor = trusted-auth"
trusted_port=$api_port
start_api keystone "[paste_deploy]
flavor = keystone
[keystone_authtoken]
www_authenticate_uri = $KEYSTONE_URL/v3
auth_url = $KEYSTONE_URL
username = glance
password = glancepw
project_name = service
region_name = RegionOne"
keystone_port=$api_port

token() {  # user project
  curl -sS -D - -o /dev/null -X POST "$KEYSTONE_URL/v3/auth/tokens" \
    -H 'Content-Type: application/json' -d '{"auth":{"identity":{"methods":["password"],
    "password":{"user":{"name":"'"$1"'","domain":{"id":"default"},"password":"'"$1"'pw"}}},
    "scope":{"project":{"name":"'"$2"'","domain":{"id":"default"}}}}}' |
    awk -F': ' 'tolower($1)=="x-subject-token"{print $2}' | tr -d '\r'
}
admin_token=$(token admin admin)
identity=(-H 'X-Identity-Status: Confirmed' -H 'X-Roles: admin' -H 'X-Project-Id: bench'
  -H 'X-User-Id: bench')
id=$(curl -sS -X POST "http://127.0.0.1:$trusted_port/v1/images" "${identity[@]}" \
  -H 'x-image-meta-name: bench' -H 'x-image-meta-disk_format: raw' \
  -H 'x-image-meta-container_format: bare' -H 'Content-Type: application/octet-stream' \
  --data-binary 'some bytes' | python3 -c 'import json,sys; print(json.load(sys.stdin)["image"]["id"])')
# Warm both: the keystone api validates the token once here (and gets its service token).
curl -sfS -o /dev/null -I "http://127.0.0.1:$keystone_port/v1/images/$id" -H "X-Auth-Token: $admin_token"
curl -sfS -o /dev/null -I "http://127.0.0.1:$trusted_port/v1/images/$id" "${identity[@]}"

rate() {  # port, header arguments for ab
  local port=$1; shift
  ab -q -k -i -c 16 -n "$requests" "$@" "http://127.0.0.1:$port/v1/images/$id" |
    awk '/Non-2xx/ {bad=$3} /Requests per second/ {r=$4} END {if (bad) {print "non-2xx: " bad > "/dev/stderr"; exit 1}; print r}'
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
trusted=(); keystone=()
for _ in $(seq 1 "$rounds"); do
  trusted+=("$(rate "$trusted_port" -H 'X-Identity-Status: Confirmed' -H 'X-Roles: admin' \
    -H 'X-Project-Id: bench' -H 'X-User-Id: bench')")
  keystone+=("$(rate "$keystone_port" -H "X-Auth-Token: $admin_token")")
done
t=$(printf '%s\n' "${trusted[@]}" | median)
k=$(printf '%s\n' "${keystone[@]}" | median)
echo "HEAD /v1/images/{id}, ab -k -i -c 16 -n $requests, median of $rounds rounds (req/s):"
echo "  trusted-auth identity headers: $t  (${trusted[*]})"
echo "  keystone, cached token:        $k  (${keystone[*]})"
awk -v t="$t" -v k="$k" 'BEGIN { printf "  keystone / trusted-auth: %.1f %%\n", 100 * k / t }'

# First request of a new token (one validation) against the next one (cached), one at a time.
first=(); again=()
for _ in $(seq 1 10); do
  fresh=$(token alice alpha)
  url="http://127.0.0.1:$keystone_port/v1/images/detail?limit=1"
  first+=("$(curl -sfS -o /dev/null -w '%{time_total}' "$url" -H "X-Auth-Token: $fresh")")
  again+=("$(curl -sfS -o /dev/null -w '%{time_total}' "$url" -H "X-Auth-Token: $fresh")")
done
f=$(printf '%s\n' "${first[@]}" | median)
a=$(printf '%s\n' "${again[@]}" | median)
awk -v f="$f" -v a="$a" 'BEGIN { printf "GET /v1/images/detail?limit=1, median of 10 new tokens: first request %.1f ms (one Keystone validation), next %.1f ms (cached)\n", f * 1000, a * 1000 }'
