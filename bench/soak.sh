#!/usr/bin/env bash
# Soak test: a private MariaDB, glance-registry and glance-api (file store), then for DURATION
# seconds a few hundred misbehaving clients (resets mid-download and mid-upload, slowloris
# headers, endless chunk extensions, downloads never read, deeply nested JSON to the members
# routes, "Transfer-Encoding: chunked, chunked", idle connections, invalid UTF-8 ids) against
# both daemons, while one well-behaved client uploads (1-8 MB), downloads (md5 checked) and
# lists in a loop. --quiet-run leaves the misbehaving clients out, for comparison.
#   bench/soak.sh BUILD_DIR [--duration SECONDS (600)] [--clients N (300)] [--quiet-run]
#                 [--csv FILE] [--only BEHAVIOUR,...]   (--only: e.g. smuggling,slowloris)
# Prints the good client's errors and p50/p99 latency per operation, and both daemons'
# descriptors and RSS (sampled every 10 s into the CSV: start / max / end), and says whether
# each daemon survived. Loopback only; stops by itself.
set -euo pipefail
build=$(realpath "${1:?build directory with src/api/glance-api}")
shift
duration=600 clients=300 quiet= csv= only=
while [ $# -gt 0 ]; do
  case $1 in
    --duration) duration=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --quiet-run) quiet=--quiet-run; shift ;;
    --only) only=$2; shift 2 ;;
    --csv) csv=$(realpath "$2"); shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/glance-soak.XXXXXX)
csv=${csv:-$PWD/soak-$(date +%Y%m%d-%H%M%S).csv}
api_pid=; reg_pid=
trap 'kill $api_pid $reg_pid 2>/dev/null || true; "$repo/scripts/mariadb.sh" stop "$work/db" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

# shellcheck source=bench/lib.sh
. "$repo/bench/lib.sh"
start_private_registry
start_glance_api api "" "stores = file
filesystem_store_datadir = $work/images"

# So many clients at once need more descriptors than a login shell's default.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
/usr/bin/python3 "$repo/bench/soak_clients.py" --api-port "$api_port" --registry-port "$reg_port" \
  --api-pid "$api_pid" --registry-pid "$reg_pid" --duration "$duration" --clients "$clients" \
  --csv "$csv" --only "$only" $quiet

# A daemon that died is a finding, not a failure of the script: say how it ended.
for daemon in api:$api_pid:$work/api.log registry:$reg_pid:$work/registry.log; do
  IFS=: read -r name pid log <<<"$daemon"
  if kill -0 "$pid" 2>/dev/null; then
    echo "glance-$name: still running"
  else
    status=0; wait "$pid" || status=$?
    echo "glance-$name: DIED, exit status $status (128 + N: signal N); last log lines:"
    tail -n 5 "$log" | sed 's/^/  /'
  fi
done
