#!/usr/bin/env bash
# A private three-node MariaDB Galera cluster on loopback, for the registry's Galera tests.
#   scripts/galera-aio.sh start DIR   stops a cluster still running for DIR, starts a new one
#                                     and writes DIR/cluster.env once all three nodes are
#                                     synced and the glance user exists
#   scripts/galera-aio.sh stop DIR    stops every node start left running; idempotent
# The nodes' data lives in a temporary directory named in cluster.env (socket paths must stay
# short), owned by the mysql user: rsync state transfers drop privileges and fail as root.
# Ports (SQL, group communication, IST, SST for each node) are picked free by the kernel; a
# start that loses one to another process is retried with new ones.
set -euo pipefail
cmd=${1:?start|stop}
D=$(realpath -m "${2:?state directory}")
PY=/usr/bin/python3
AIO_MARK=GALERA_AIO_DIR
env_file=$D/cluster.env
# shellcheck source=scripts/aio-lib.sh
. "$(dirname "$0")/aio-lib.sh"

# The value of KEY in the env file of a previous start, if any.
previous() {
  [ -f "$env_file" ] && sed -n "s/^$1=//p" "$env_file" || true
}

stop_all() {
  local data pid n pids=()
  data=$(previous GALERA_DATA_DIR)
  [ -n "$data" ] && [ -d "$data" ] || return 0
  for n in 1 2 3; do
    pid=$(cat "$data/n$n.pid" 2>/dev/null) || continue
    # Only a mariadbd serving this data directory: a recycled pid is left alone.
    grep -qF -- "$data/n$n.cnf" "/proc/$pid/cmdline" 2>/dev/null || continue
    kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
  done
  local deadline=$((SECONDS + 30))
  for pid in "${pids[@]}"; do
    while alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$data"
}

node_config() {
  local n=$1
  cat <<CONF
[mysqld]
user=mysql
datadir=$data/n$n
socket=$data/n$n.sock
port=${sql[$n]}
bind-address=127.0.0.1
pid-file=$data/n$n.pid
log-error=$data/n$n.err
skip-name-resolve
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
innodb_buffer_pool_size=64M
innodb_log_file_size=16M
character-set-server=utf8mb4
collation-server=utf8mb4_general_ci
max_connections=500
wsrep_on=ON
wsrep_provider=/usr/lib/galera/libgalera_smm.so
wsrep_cluster_name=glance-test
wsrep_cluster_address=gcomm://127.0.0.1:${gcomm[1]},127.0.0.1:${gcomm[2]},127.0.0.1:${gcomm[3]}
wsrep_node_name=n$n
wsrep_node_address=127.0.0.1:${gcomm[$n]}
wsrep_provider_options=gmcast.listen_addr=tcp://127.0.0.1:${gcomm[$n]};ist.recv_addr=127.0.0.1:${ist[$n]};gcache.size=64M
wsrep_sst_method=rsync
wsrep_sst_receive_address=127.0.0.1:${sst[$n]}
CONF
}

client() {
  mariadb --no-defaults --socket="$data/n$1.sock" -uroot -N -B -e "$2"
}

# Waits until node N answers and reports itself synced with a cluster of three... or fewer
# while the others are still joining (WANT is the size to wait for).
wait_synced() {
  local n=$1 want=$2 i state size
  for i in $(seq 1 600); do
    state=$(client "$n" "SHOW STATUS LIKE 'wsrep_local_state_comment'" 2>/dev/null | cut -f2) || true
    size=$(client "$n" "SHOW STATUS LIKE 'wsrep_cluster_size'" 2>/dev/null | cut -f2) || true
    [ "$state" = Synced ] && [ "${size:-0}" -ge "$want" ] && return 0
    sleep 0.1
  done
  echo "galera-aio: node $n not synced (state '${state:-}', cluster size '${size:-}'); its log:" >&2
  tail -n 30 "$data/n$n.err" >&2 || true
  return 1
}

start_once() {
  data=$(mktemp -d /tmp/glance-galera-XXXXXX)
  chmod 755 "$data"
  declare -gA sql gcomm ist sst
  local n ports
  read -r -a ports <<<"$(free_ports 12)"
  for n in 1 2 3; do
    sql[$n]=${ports[n * 4 - 4]}; gcomm[$n]=${ports[n * 4 - 3]}
    ist[$n]=${ports[n * 4 - 2]}; sst[$n]=${ports[n * 4 - 1]}
  done
  for n in 1 2 3; do
    node_config "$n" >"$data/n$n.cnf"
    mariadb-install-db --defaults-file="$data/n$n.cnf" --user=mysql \
      --auth-root-authentication-method=socket --skip-test-db >"$data/install$n.log" 2>&1
  done
  chown -R mysql:mysql "$data"
  {
    echo "GALERA_DATA_DIR=$data"
    for n in 1 2 3; do
      echo "GALERA_NODE${n}_PORT=${sql[$n]}"
      echo "GALERA_NODE${n}_CNF=$data/n$n.cnf"
    done
  } >"$env_file.partial"
  cp "$env_file.partial" "$env_file"  # so that stop_all finds the nodes if the start fails
  setsid mariadbd --defaults-file="$data/n1.cnf" --wsrep-new-cluster >/dev/null 2>&1 </dev/null &
  wait_synced 1 1 || return 1
  for n in 2 3; do
    setsid mariadbd --defaults-file="$data/n$n.cnf" >/dev/null 2>&1 </dev/null &
    wait_synced "$n" "$n" || return 1
  done
  client 1 "CREATE USER 'glance'@'127.0.0.1' IDENTIFIED BY 'glancepw';
            GRANT ALL PRIVILEGES ON *.* TO 'glance'@'127.0.0.1';"
  mv "$env_file.partial" "$env_file"
}

case $cmd in
start)
  mkdir -p "$D"
  stop_all
  rm -f "$env_file"
  for attempt in 1 2 3; do
    if start_once; then
      echo "galera-aio: three nodes synced on SQL ports ${sql[1]} ${sql[2]} ${sql[3]}"
      exit 0
    fi
    echo "galera-aio: start attempt $attempt failed; trying again on new ports" >&2
    stop_all
    rm -f "$env_file" "$env_file.partial"
  done
  exit 1
  ;;
stop)
  stop_all
  rm -f "$env_file" "$env_file.partial"
  ;;
*)
  echo "usage: $0 start|stop DIR" >&2
  exit 2
  ;;
esac
