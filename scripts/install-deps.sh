#!/usr/bin/env bash
# Installs the Debian 12 packages the build, the local run and the tests need, if missing.
# Usage: scripts/install-deps.sh [build|test]
set -euo pipefail
mode=${1:-build}
# clang builds the daemons (Debian 12's GCC miscompiles their coroutines); g++ brings the C++
# standard library it uses.
packages=(
  clang g++ cmake ninja-build pkg-config python3 ca-certificates
  libboost1.81-dev libboost-program-options1.81-dev libboost-url1.81-dev
  nlohmann-json3-dev libspdlog-dev prometheus-cpp-dev libssl-dev libyaml-dev libmariadb-dev libmariadb-dev-compat
  # libsqlite3: the index of glance-api's image cache.
  libsqlite3-dev
  mariadb-server-core mariadb-client
  # The rbd store driver's librbd and librados (C API; Debian ships no pkg-config files).
  librbd-dev
  # rabbitmq-c: glance-api's notifications to RabbitMQ.
  librabbitmq-dev
)
if [ "$mode" = test ]; then
  # systemd: for `systemd-analyze verify` on the units (it needs no running systemd).
  # python3-glanceclient: the v1 CLI the client suite drives; bsdutils: script(1), which gives
  # that CLI the terminal its image-update insists on.
  packages+=(libgtest-dev libgmock-dev curl systemd python3-glanceclient bsdutils openssl)
  # python3-openstackclient: `openstack image ...`, the v2 CLI the openstackclient suite drives.
  packages+=(python3-openstackclient)
  # python3-prometheus-client: its parser reads the daemons' /metrics in the metrics suite.
  packages+=(python3-prometheus-client)
  # A Swift all-in-one (scripts/swift-aio.sh) for the Swift and S3 store tests: the four
  # servers, memcached for tempauth's tokens, and both clients for checking by hand.
  packages+=(swift swift-proxy swift-account swift-container swift-object memcached
    python3-swiftclient python3-boto3)
  # clang's sanitizer and libFuzzer runtimes for the build/asan and build/fuzz trees
  # (scripts/test.sh); ccache keeps their rebuilds short.
  packages+=(libclang-rt-14-dev ccache)
  # A real Keystone (scripts/keystone-aio.sh) for the token validation tests, on MariaDB
  # through PyMySQL; its own service is never started.
  packages+=(keystone python3-pymysql)
  # A three-node MariaDB Galera cluster (scripts/galera-aio.sh) for the registry's Galera
  # tests: the full server package carries the state transfer scripts, rsync runs them.
  packages+=(mariadb-server galera-4 rsync)
  # A single-node Ceph (scripts/ceph-aio.sh: one monitor, one memstore OSD) for the rbd store
  # tests; uuidgen makes its fsid. No mgr: RBD I/O does not need one.
  packages+=(ceph-mon ceph-osd ceph-common uuid-runtime)
  # HAProxy in front of several glance nodes for the scale-out tests; each test runs its own
  # in the foreground on sockets it bound, never the packaged service (policy-rc.d below).
  packages+=(haproxy)
  # Upstream Glance (scripts/glance-peer-aio.sh: Debian's glance-api, no Keystone) for the
  # differential test of the Images API v2, on MariaDB through PyMySQL; its own service is
  # never started.
  packages+=(glance-api python3-pymysql)
  # A private RabbitMQ (scripts/rabbitmq-aio.sh) for the notification tests, whose consumer is
  # oslo.messaging's own notification listener; its own service is never started.
  packages+=(rabbitmq-server python3-oslo.messaging)
  # The Debian packages of debian/ (scripts/package-test.sh): dpkg-buildpackage with
  # debhelper, and lintian; groff checks the manual pages (the install and package tests).
  packages+=(debhelper lintian groff-base)
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing: ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -ne 0 ] && sudo=sudo
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# No package may start its system service here (MariaDB's would take port 3306): invoke-rc.d
# asks policy-rc.d first. Only a policy this script put in place is removed again.
policy=/usr/sbin/policy-rc.d
own_policy=false
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod +x "$policy"
  own_policy=true
fi
status=0
$sudo apt-get -o DPkg::Lock::Timeout=1200 install -y -qq --no-install-recommends "${missing[@]}" \
  >/dev/null || status=$?
if $own_policy; then $sudo rm -f "$policy"; fi
exit $status
