#!/usr/bin/env bash
# Upstream Glance (Debian 12's glance-api, the Zed release, Images API v2) as the benchmark peer.
#   bench/glance-peer.sh                    runs bench/run.sh with the peer: the table gains an
#                                           "upstream Glance" column and the ratio to it
#   bench/glance-peer.sh install            installs glance-api + python3-pymysql, if apt would
#                                           not remove anything (simulated first)
#   bench/glance-peer.sh start DIR DB_PORT  runs it from DIR (config, store, logs) against the
#                                           private MariaDB on DB_PORT (database glance_peer);
#                                           prints the API port once it answers
#                                           (scripts/glance-peer-aio.sh, with 2 workers)
#   bench/glance-peer.sh stop DIR
# The packaged service never starts: policy-rc.d denies it during the install, and the peer
# runs only here, noauth (unauthenticated-context pipeline), file store, loopback, 2 workers.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

install_peer() {
  local pkgs=(glance-api python3-pymysql) missing=() p
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  # Keep the packaged glance-api service from starting during the install.
  local rcd=/usr/sbin/policy-rc.d created_rcd=0
  if [ ! -e "$rcd" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$rcd" >/dev/null && $sudo chmod +x "$rcd"
    created_rcd=1
  fi
  local sim
  sim=$($sudo apt-get -s install --no-install-recommends "${missing[@]}" 2>&1) || {
    echo "glance-peer: apt cannot install ${missing[*]}:" >&2; echo "$sim" >&2; return 1; }
  if grep -q '^Remv' <<<"$sim"; then
    echo "glance-peer: installing ${missing[*]} would remove packages; not installing:" >&2
    grep '^Remv' <<<"$sim" >&2
    return 1
  fi
  echo "installing: ${missing[*]}" >&2
  $sudo apt-get -o DPkg::Lock::Timeout=1200 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  [ "$created_rcd" = 1 ] && $sudo rm -f "$rcd"
  return 0
}

case ${1:-} in
install) install_peer ;;
start) GLANCE_PEER_WORKERS=2 exec "$here/../scripts/glance-peer-aio.sh" start "${2:?DIR}" "${3:?DB_PORT}" ;;
stop) exec "$here/../scripts/glance-peer-aio.sh" stop "${2:?DIR}" ;;
"") PEER=1 exec "$here/run.sh" ;;
*) echo "usage: $0 [install | start DIR DB_PORT | stop DIR]" >&2; exit 2 ;;
esac
