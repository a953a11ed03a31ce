#!/usr/bin/env bash
# Builds the Debian packages (debian/, dpkg-buildpackage) and checks them as an operator meets
# them: lintian first; then, in a throw-away copy of this machine (an overlay of / in a private
# mount namespace: the machine itself is never changed, and Debian's own glance packages, which
# own the same paths, may be installed on it), installs them with apt, checks what they put
# where, runs the installed glance-registry and glance-api as the glance user from their
# shipped configs against a private MariaDB, uploads and downloads an image, purges them, and
# checks that nothing is left behind.
#   scripts/package-test.sh [build|check]   one half alone (default: both): build and lintian,
#                                           or install, run and purge what build left
# The packages, the build and its log are kept in build/package.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-all}
packages=$root/build/package

build_packages() {
  "$root/scripts/install-deps.sh" test
  # dpkg-buildpackage writes its results beside the source tree: build a copy, always at the
  # same path, so that ccache finds the previous build's objects.
  local src=$packages/glance-cpp
  rm -rf "$packages" && mkdir -p "$src"
  tar -C "$root" --exclude=./build --exclude=./state --exclude=./.git -cf - . | tar -C "$src" -xf -
  # debhelper gives the build a HOME of its own; ccache keeps using the builder's cache.
  if command -v ccache >/dev/null; then
    CCACHE_DIR=$(ccache -k cache_dir)
    export CCACHE_DIR
  fi
  # noopt: an -O0 build costs a third of the Release one, and the packaging it checks is the
  # same (debian/rules); noddebs: no -dbgsym packages.
  echo "building the packages" >&2
  (cd "$src" && DEB_BUILD_OPTIONS="nocheck noopt noddebs parallel=$(nproc)" \
    dpkg-buildpackage -b -uc -us \
    >"$packages/build.log" 2>&1) || {
    tail -n 80 "$packages/build.log" >&2
    return 1
  }
  # No overrides (debian/ has no *.lintian-overrides): any warning or error fails the build half,
  # the manual pages' checks (manpage-has-errors-from-man, no-manual-page, ...) included.
  echo "lintian" >&2
  lintian --fail-on error,warning --info "$packages"/glance-cpp_*.changes >&2
}

check_packages() {
  # The three packages; their -dbgsym companions are not installed.
  local debs=("$packages"/glance-cpp-{common,registry,api}_*.deb)
  [ -f "${debs[0]}" ] && [ -f "${debs[1]}" ] && [ -f "${debs[2]}" ] || {
    echo "no packages in $packages: run scripts/package-test.sh build first" >&2
    return 1
  }
  local work db_port status=0
  work=$(mktemp -d)
  cp "${debs[@]}" "$work/"
  db_port=$("$root/scripts/mariadb.sh" start "$work/db")
  free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
  }
  GLANCE_PACKAGE_TEST_INSIDE=1 GLANCE_PACKAGE_WORK=$work GLANCE_DB_PORT=$db_port \
    GLANCE_REGISTRY_PORT=$(free_port) GLANCE_API_PORT=$(free_port) \
    unshare --mount --propagation private "$0" || status=$?
  "$root/scripts/mariadb.sh" stop "$work/db" >/dev/null 2>&1 || true
  rm -rf "$work"
  return $status
}

if [ "${GLANCE_PACKAGE_TEST_INSIDE:-}" != 1 ]; then
  case $mode in
  build) build_packages ;;
  check) check_packages ;;
  all)
    build_packages
    check_packages
    ;;
  *) echo "usage: $0 [build|check]" >&2; exit 2 ;;
  esac
  exit
fi

# In a private mount namespace from here on: every mount ends with this process.
work=$GLANCE_PACKAGE_WORK
merged=$work/root
mkdir -p "$work/upper" "$work/overlay-work" "$merged"
mount -t overlay overlay -o "lowerdir=/,upperdir=$work/upper,workdir=$work/overlay-work" "$merged"
mount -t proc proc "$merged/proc"
mount --rbind /dev "$merged/dev"
mount -t tmpfs tmpfs "$merged/run"
mount -t tmpfs tmpfs "$merged/tmp"
in_root() { chroot "$merged" "$@"; }
export DEBIAN_FRONTEND=noninteractive
pids=()
stop_daemons() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
}
trap stop_daemons EXIT
fail() {
  echo "package test: $*" >&2
  exit 1
}

# Debian's own glance packages own /usr/bin/glance-api and /etc/glance: gone from the copy
# before the baseline is taken, so that the baseline is a machine without any Glance.
for pkg in glance-api glance-common; do
  if in_root dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed"; then
    in_root apt-get purge -y -qq "$pkg" >/dev/null
  fi
done

# What a purge must give back: every path under these trees with its kind, mode, owner and
# (for files) size; the package manager's own records are left out, and so are the account
# files: the glance user stays after a purge, as Debian leaves system users. /var/log is
# written to by the machine's own services meanwhile (the overlay shows them live): only
# /var/log/glance is checked there, below. Container storage (/var/lib/containers, left by
# docker/build-and-run.sh) is left out too: its layers are overlay directories themselves,
# which find cannot walk through the overlay. So is man-db's index (/var/cache/man), which its
# trigger rebuilds whenever a package adds or removes manual pages: not the same bytes after.
snapshot() {
  in_root find /etc /usr /lib /var/lib /var/cache -xdev \
    \( -path /var/lib/dpkg -o -path /var/lib/apt -o -path /var/cache/apt \
    -o -path /var/lib/containers -o -path /var/cache/man \
    -o -path /var/cache/debconf -o -path /var/cache/ldconfig -o -path /etc/ld.so.cache \
    -o -path /etc/passwd -o -path /etc/passwd- -o -path /etc/group -o -path /etc/group- \
    -o -path /etc/shadow -o -path /etc/shadow- -o -path /etc/gshadow -o -path /etc/gshadow- \) \
    -prune -o -type d -printf '%p %y %m %u %g\n' -o -printf '%p %y %m %u %g %s\n' | sort
}
snapshot >"$work/before"

mkdir -p "$merged/tmp/debs"
cp "$work"/glance-cpp-*_*.deb "$merged/tmp/debs/"
echo "installing the packages" >&2
# dpkg, not apt: every library they need is on this machine already (install-deps.sh), and a
# missing one fails the install with its name. (apt 2.6 refuses local .deb files in a chroot
# with "Pathname to install is not absolute".)
in_root sh -c 'dpkg -i /tmp/debs/*.deb' >"$work/install.log" 2>&1 ||
  { cat "$work/install.log" >&2; fail "dpkg could not install the packages"; }

echo "checking the installed files" >&2
for bin in glance-api glance-registry glance-manage glance-scrubber glance-cache-pruner \
  glance-cache-cleaner glance-cache-prefetcher; do
  [ -x "$merged/usr/bin/$bin" ] || fail "/usr/bin/$bin is missing"
done
# Every program the packages put in /usr/bin has its manual page in section 8, from the same
# package, and man formats it without a warning.
while read -r bin; do
  name=${bin#/usr/bin/}
  page=/usr/share/man/man8/$name.8.gz
  [ -f "$merged$page" ] || fail "$bin has no manual page ($page)"
  [ "$(in_root dpkg -S "$page" | cut -d: -f1)" = "$(in_root dpkg -S "$bin" | cut -d: -f1)" ] ||
    fail "$page is not in the package of $bin"
  warnings=$(zcat "$merged$page" | groff -man -Tutf8 -ww -z 2>&1) || true
  [ -z "$warnings" ] || fail "$page: $warnings"
done < <(in_root dpkg -L glance-cpp-common glance-cpp-registry glance-cpp-api | grep '^/usr/bin/.')
for conf in glance-api glance-registry glance-scrubber; do
  pkg=glance-cpp-${conf#glance-}
  [ "$conf" = glance-scrubber ] && pkg=glance-cpp-api
  in_root dpkg-query -W -f='${Conffiles}\n' "$pkg" | grep -q " /etc/glance/$conf.conf " ||
    fail "/etc/glance/$conf.conf is not a conffile of $pkg"
  [ -f "$merged/lib/systemd/system/$conf.service" ] || fail "$conf.service is missing"
  # Neither enabled nor started by the install.
  [ ! -e "$merged/etc/systemd/system/multi-user.target.wants/$conf.service" ] ||
    fail "$conf.service was enabled by the install"
done
# The image cache's commands as oneshot services with their timers: shipped, not enabled.
for job in glance-cache-pruner glance-cache-cleaner glance-cache-prefetcher; do
  for unit in "$job.service" "$job.timer"; do
    [ -f "$merged/lib/systemd/system/$unit" ] || fail "$unit is missing"
    in_root dpkg -S "/lib/systemd/system/$unit" | grep -q '^glance-cpp-api:' ||
      fail "$unit is not glance-cpp-api's"
  done
  grep -qx "ExecStart=/usr/bin/$job --config-file /etc/glance/glance-api.conf" \
    "$merged/lib/systemd/system/$job.service" || fail "$job.service does not run /usr/bin/$job"
  [ ! -e "$merged/etc/systemd/system/timers.target.wants/$job.timer" ] ||
    fail "$job.timer was enabled by the install"
done
[ -f "$merged/etc/logrotate.d/glance" ] || fail "the logrotate policy is missing"
in_root getent passwd glance | grep -q ':/var/lib/glance:' ||
  fail "no glance user with home /var/lib/glance"
for dir in /var/lib/glance /var/lib/glance/images /var/log/glance; do
  [ "$(in_root stat -c '%U:%G %a' "$dir")" = "glance:glance 750" ] ||
    fail "$dir is not glance:glance 0750"
done

echo "running the installed daemons" >&2
cat >"$merged/tmp/registry.conf" <<CONF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $GLANCE_REGISTRY_PORT
[database]
connection = mysql://glance:glancepw@127.0.0.1:$GLANCE_DB_PORT/glance
CONF
cat >"$merged/tmp/api.conf" <<CONF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $GLANCE_API_PORT
registry_port = $GLANCE_REGISTRY_PORT
CONF
chmod 0644 "$merged/tmp/registry.conf" "$merged/tmp/api.conf"
# chroot itself takes the user and execs the command, and `exec` keeps a subshell out of the
# way, so that $! is the daemon and stopping it stops it (a runuser or a subshell in between
# would leave it running).
as_glance() { exec chroot --userspec=glance:glance "$merged" "$@"; }
(as_glance /usr/bin/glance-manage --config-file /etc/glance/glance-registry.conf \
  --config-file /tmp/registry.conf db_sync >/dev/null)
as_glance /usr/bin/glance-registry --config-file /etc/glance/glance-registry.conf \
  --config-file /tmp/registry.conf 2>"$work/registry.log" &
pids+=($!)
as_glance /usr/bin/glance-api --config-file /etc/glance/glance-api.conf \
  --config-file /tmp/api.conf 2>"$work/api.log" &
pids+=($!)
api=http://127.0.0.1:$GLANCE_API_PORT
for _ in $(seq 1 200); do
  curl -fsS "$api/healthcheck" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "$api/healthcheck" >/dev/null || { cat "$work/registry.log" "$work/api.log" >&2; fail "glance-api does not answer"; }

head -c 3000000 /dev/urandom >"$work/image"
created=$(curl -fsS -X POST "$api/v1/images" -H 'x-image-meta-name: packaged' \
  -H 'x-image-meta-disk_format: raw' -H 'x-image-meta-container_format: bare' \
  -H 'Content-Type: application/octet-stream' --data-binary "@$work/image")
id=$(printf '%s' "$created" | python3 -c 'import json,sys; print(json.load(sys.stdin)["image"]["id"])')
curl -fsS "$api/v1/images/$id" -o "$work/downloaded"
cmp "$work/image" "$work/downloaded" || fail "the downloaded image differs from the uploaded one"
[ "$(in_root stat -c %U "/var/lib/glance/images/$id")" = glance ] ||
  fail "the image is not in the packaged file store as the glance user"
daemons=("${pids[@]}")
stop_daemons
for pid in "${daemons[@]}"; do
  ! kill -0 "$pid" 2>/dev/null || fail "a daemon outlived its SIGTERM"
done

echo "purging the packages" >&2
in_root apt-get purge -y -qq glance-cpp-api glance-cpp-registry glance-cpp-common \
  >"$work/purge.log" 2>&1 || { cat "$work/purge.log" >&2; fail "apt could not purge the packages"; }
snapshot >"$work/after"
[ ! -e "$merged/var/log/glance" ] || fail "the purge left /var/log/glance behind"
if ! diff -u "$work/before" "$work/after" >&2; then
  fail "the purge left the changes above behind"
fi
echo "package test passed: built, lintian clean, installed, run, purged without a trace" >&2
