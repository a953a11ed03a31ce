#!/usr/bin/env bash
# Private MariaDB for the local run, the tests and the benchmarks: its own datadir, socket
# and loopback port under DIR, never the system service.
#   scripts/mariadb.sh start DIR [PORT]   prints "PORT" once the server accepts connections
#   scripts/mariadb.sh stop DIR
# With PORT 0 (the default) a free port is chosen by asking the kernel, then retried if
# mariadbd loses the race for it.
set -euo pipefail
cmd=${1:?start|stop}
dir=$(realpath -m "${2:?state directory}")
want_port=${3:-0}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

case $cmd in
start)
  # Each server gets its own tmpdir: a starting mariadbd deletes the #sql temp files it finds
  # in its tmpdir, which in a shared /tmp are other servers' live ones (parallel tests).
  mkdir -p "$dir/tmp"
  if [ ! -d "$dir/data/mysql" ]; then
    mariadb-install-db --no-defaults --user="$(id -un)" --datadir="$dir/data" --tmpdir="$dir/tmp" \
      --auth-root-authentication-method=socket --skip-test-db >"$dir/install.log" 2>&1
  fi
  for attempt in 1 2 3 4 5; do
    port=$want_port
    [ "$port" = 0 ] && port=$(free_port)
    /usr/sbin/mariadbd --no-defaults --user="$(id -un)" --datadir="$dir/data" \
      --socket="$dir/mysqld.sock" --port="$port" --bind-address=127.0.0.1 \
      --pid-file="$dir/mysqld.pid" --log-error="$dir/error.log" --tmpdir="$dir/tmp" \
      --skip-log-bin --skip-name-resolve --innodb-buffer-pool-size=128M \
      --innodb-log-file-size=16M \
      --max-connections=500 \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
      </dev/null >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 1 600); do
      if mariadb-admin --no-defaults --socket="$dir/mysqld.sock" -uroot ping >/dev/null 2>&1; then
        break
      fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    if kill -0 "$pid" 2>/dev/null; then
      mariadb --no-defaults --socket="$dir/mysqld.sock" -uroot <<'SQL'
CREATE DATABASE IF NOT EXISTS glance CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci;
CREATE USER IF NOT EXISTS 'glance'@'127.0.0.1' IDENTIFIED BY 'glancepw';
CREATE USER IF NOT EXISTS 'glance'@'localhost' IDENTIFIED BY 'glancepw';
GRANT ALL PRIVILEGES ON *.* TO 'glance'@'127.0.0.1';
GRANT ALL PRIVILEGES ON *.* TO 'glance'@'localhost';
SQL
      echo "$port" >"$dir/port"
      echo "$port"
      exit 0
    fi
    [ "$want_port" != 0 ] && break
  done
  echo "mariadb failed to start; see $dir/error.log" >&2
  exit 1
  ;;
stop)
  if [ -S "$dir/mysqld.sock" ]; then
    mariadb-admin --no-defaults --socket="$dir/mysqld.sock" -uroot shutdown || true
  fi
  ;;
*)
  echo "usage: $0 start|stop DIR [PORT]" >&2
  exit 2
  ;;
esac
