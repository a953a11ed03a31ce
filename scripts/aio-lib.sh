# shellcheck shell=bash
# What the scripts/*-aio.sh fixtures share: finding the processes they
# started and free loopback ports. Sourced after setting D (the state directory), PY (the
# python3 to run) and AIO_MARK (the name of the environment variable, set to D, with which
# each of their processes is launched).

# Prints the pid in $D/run/NAME.pid if that process is alive and still one this script
# started for D (its environment holds AIO_MARK=D), so a recycled pid is never signalled.
our_pid() {
  local f="$D/run/$1.pid" pid
  [ -s "$f" ] || return 1
  pid=$(cat "$f")
  [ -r "/proc/$pid/environ" ] || return 1
  { tr '\0' '\n' <"/proc/$pid/environ"; } 2>/dev/null | grep -qxF "$AIO_MARK=$D" || return 1
  echo "$pid"
}

# A zombie counts as gone: once exited, reaping is up to whichever process adopted it.
alive() {
  local state
  state=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null) || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

# Prints N (default 1) distinct free loopback ports on one line: all sockets stay bound until
# every port is known.
free_ports() {
  $PY -c 'import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks: s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in socks])' "${1:-1}"
}
