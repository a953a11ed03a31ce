#!/usr/bin/env bash
# A private RabbitMQ on loopback for the notification tests: Debian's rabbitmq-server run in
# the foreground of its own session (never the packaged service), with its node name, Erlang
# cookie, port mapper (epmd), data and logs all under DIR.
#   scripts/rabbitmq-aio.sh start DIR    stops a broker still running in DIR, wipes its state,
#                                        starts a new one on free loopback ports and writes
#                                        DIR/rabbitmq.env once it accepts AMQP connections
#   scripts/rabbitmq-aio.sh stop DIR     stops the broker and its port mapper; idempotent
#   scripts/rabbitmq-aio.sh halt DIR     stops the broker but keeps DIR/rabbitmq.env (a broker
#                                        outage a test causes)
#   scripts/rabbitmq-aio.sh resume DIR   starts the halted broker again on the same ports
# User guest, password guest, on the default virtual host "/".
set -euo pipefail
cmd=${1:?start|stop|halt|resume}
D=$(realpath -m "${2:?state directory}")
PY=/usr/bin/python3
ready_timeout=${RABBITMQ_AIO_READY_TIMEOUT:-120}
AIO_MARK=RABBITMQ_AIO_DIR
# shellcheck source=scripts/aio-lib.sh
. "$(cd "$(dirname "$0")" && pwd)/aio-lib.sh"
SBIN=/usr/lib/rabbitmq/bin

# The node name is unique per DIR, so brokers of several DIRs never meet.
node="glance$(printf '%s' "$D" | md5sum | cut -c1-10)@localhost"

broker_env() {
  export HOME=$D RABBITMQ_AIO_DIR=$D RABBITMQ_MNESIA_BASE=$D/mnesia RABBITMQ_LOG_BASE=$D/log \
    RABBITMQ_CONFIG_FILE=$D/rabbitmq RABBITMQ_NODENAME=$node RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_PORT=$amqp_port RABBITMQ_DIST_PORT=$dist_port RABBITMQ_PID_FILE=$D/run/beam.pid \
    RABBITMQ_ENABLED_PLUGINS_FILE=$D/enabled_plugins ERL_EPMD_PORT=$epmd_port \
    ERL_EPMD_ADDRESS=127.0.0.1
}

read_ports() {
  [ -s "$D/ports" ] || return 1
  read -r amqp_port dist_port epmd_port <"$D/ports"
}

stop_broker() {
  local pid name deadline
  read_ports || return 0
  broker_env
  # RabbitMQ shuts down cleanly on SIGTERM (closing its clients' connections), without
  # rabbitmqctl's Erlang VM start.
  for name in beam server; do
    pid=$(our_pid "$name") || continue
    kill -TERM "$pid" 2>/dev/null || true
    deadline=$((SECONDS + 30))
    while alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  epmd -port "$epmd_port" -kill >/dev/null 2>&1 || true
  rm -f "$D/run/beam.pid" "$D/run/server.pid"
}

# Starts the broker on the ports in $D/ports; 0 once it accepts AMQP, 1 if it failed, 2 if a
# port was taken.
launch() {
  local pid deadline
  read_ports
  broker_env
  rm -f "$D/log/$node.log"
  setsid "$SBIN/rabbitmq-server" </dev/null >"$D/log/server.out" 2>&1 &
  pid=$!
  echo "$pid" >"$D/run/server.pid"
  deadline=$((SECONDS + ready_timeout))
  while [ $SECONDS -lt $deadline ]; do
    if ! alive "$pid"; then
      grep -qiE 'eaddrinuse|address already in use' "$D/log/server.out" "$D"/log/*.log 2>/dev/null &&
        return 2
      echo "rabbitmq-aio: the broker exited during start-up" >&2
      tail -n 30 "$D/log/server.out" >&2
      return 1
    fi
    # Ready: the node says so and its AMQP listener answers. Not rabbitmqctl await_startup:
    # each CLI call boots an Erlang VM, seconds on a busy machine.
    if grep -qs 'Server startup complete' "$D/log/$node.log" &&
      $PY -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 2)' \
        "$amqp_port" 2>/dev/null; then
      return 0
    fi
    sleep 0.2
  done
  echo "rabbitmq-aio: broker not ready after ${ready_timeout} s" >&2
  return 1
}

write_env() {
  {
    echo "RABBITMQ_PORT=$amqp_port"
    echo "RABBITMQ_URL=rabbit://guest:guest@127.0.0.1:$amqp_port/"
    echo "RABBITMQ_NODENAME=$node"
  } >"$D/rabbitmq.env.tmp"
  mv "$D/rabbitmq.env.tmp" "$D/rabbitmq.env"
}

case $cmd in
start)
  began=$SECONDS
  mkdir -p "$D"
  stop_broker
  rm -rf "${D:?}/mnesia" "${D:?}/log" "${D:?}/run" "$D/rabbitmq.env" "$D/ports" "$D/.erlang.cookie"
  mkdir -p "$D/mnesia" "$D/log" "$D/run"
  echo '[].' >"$D/enabled_plugins"
  # guest may log in over loopback only by default; the listener is on loopback anyway.
  printf 'loopback_users = none\n' >"$D/rabbitmq.conf"
  for attempt in 1 2 3 4 5; do
    free_ports 3 >"$D/ports"
    rc=0
    launch || rc=$?
    [ $rc -eq 0 ] && break
    stop_broker
    [ $rc -eq 2 ] || exit 1
    [ "$attempt" -lt 5 ] || exit 1
    rm -rf "${D:?}/mnesia" && mkdir -p "$D/mnesia"
  done
  write_env
  echo "rabbitmq-aio: ready on port $amqp_port after $((SECONDS - began)) s"
  ;;
stop)
  stop_broker
  rm -f "$D/rabbitmq.env"
  ;;
halt)
  stop_broker
  ;;
resume)
  [ -s "$D/rabbitmq.env" ] || { echo "rabbitmq-aio: no broker in $D" >&2; exit 1; }
  launch || { stop_broker; exit 1; }
  ;;
*)
  echo "usage: $0 start|stop|halt|resume DIR" >&2
  exit 2
  ;;
esac
