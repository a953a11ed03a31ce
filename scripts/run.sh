#!/usr/bin/env bash
# Installs what is missing, builds (Release), and runs the service in the foreground:
# a private MariaDB, `glance-manage db_sync`, glance-registry on 127.0.0.1:9191 and
# glance-api on 127.0.0.1:9292 with a file store, all under ./state (or $GLANCE_STATE_DIR).
# Ctrl-C stops everything cleanly.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state=$(realpath -m "${GLANCE_STATE_DIR:-$root/state}")
registry_port=${GLANCE_REGISTRY_PORT:-9191}
api_port=${GLANCE_API_PORT:-9292}

"$root/scripts/install-deps.sh" build
build=$root/build/release
# clang: Debian 12's GCC miscompiles the daemons' coroutines (see CMakeLists.txt).
export CC=clang CXX=clang++
launcher=$(command -v ccache >/dev/null && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache || true)
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGLANCE_BUILD_TESTS=OFF \
  $launcher >/dev/null
cmake --build "$build" -j "$(nproc)"

mkdir -p "$state/images" "$state/log"
db_port=$("$root/scripts/mariadb.sh" start "$state/db" "$(cat "$state/db/port" 2>/dev/null || echo 0)")
pids=()
stop_all() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  "$root/scripts/mariadb.sh" stop "$state/db"
  echo "stopped" >&2
}
trap stop_all INT TERM EXIT

cat >"$state/glance-registry.conf" <<CONF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $registry_port
[database]
connection = mysql://glance:glancepw@127.0.0.1:$db_port/glance
CONF
cat >"$state/glance-api.conf" <<CONF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $api_port
registry_host = 127.0.0.1
registry_port = $registry_port
[glance_store]
default_store = file
filesystem_store_datadir = $state/images/
CONF

"$build/src/registry/glance-manage" --config-file "$state/glance-registry.conf" db_sync >/dev/null
"$build/src/registry/glance-registry" --config-file "$state/glance-registry.conf" &
pids+=($!)
if [ -x "$build/src/api/glance-api" ]; then
  "$build/src/api/glance-api" --config-file "$state/glance-api.conf" &
  pids+=($!)
fi
echo "glance-registry on 127.0.0.1:$registry_port, glance-api on 127.0.0.1:$api_port;" \
  "MariaDB on 127.0.0.1:$db_port; state in $state. Ctrl-C stops." >&2
wait -n "${pids[@]}"
