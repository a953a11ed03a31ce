#!/usr/bin/env bash
# Builds the container image of docker/Dockerfile without a Docker engine or a registry, then
# runs it the way docker/compose.yaml does and sends an image through it:
#   1. the base image: `mmdebstrap` makes Debian 12 from Debian's mirror, `podman import` stores
#      it as localhost/debian-bookworm-base (kept; GLANCE_DOCKER_REBASE=1 makes it again);
#   2. `buildah bud --isolation chroot --layers` builds docker/Dockerfile on it;
#   3. a private MariaDB on the host (own datadir and socket, a free loopback port);
#   4. from the image, with `buildah run --isolation chroot` on the host network: the db-sync,
#      registry and api services of compose.yaml, with their commands and their config files
#      (docker/glance-*.conf, mounted where compose mounts them), plus one more config file per
#      daemon for the host network (loopback, ports the kernel picks, the private MariaDB);
#   5. with curl, through glance-api's Images API v1: upload a few MB of random bytes, check the
#      store, download and compare them, reject a wrong checksum, delete, check they are gone;
#   6. SIGTERM to both daemons (each must exit 0), then the working containers are removed.
# Needs root (Debian 12); installs what it misses with apt. Exits non-zero on any failure.
#   docker/build-and-run.sh
# Environment: GLANCE_DOCKER_IMAGE (compose.yaml's image), GLANCE_DOCKER_BUILD (0: run that
# image as it is, build nothing), GLANCE_DOCKER_BASE (localhost/debian-bookworm-base),
# GLANCE_DOCKER_JOBS (compile jobs, 2),
# GLANCE_DOCKER_IMAGE_MB (size of the test image, 4), GLANCE_DOCKER_REBASE (1: new base image),
# GLANCE_DOCKER_KEEP (1: keep the run directory with the logs).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
base=${GLANCE_DOCKER_BASE:-localhost/debian-bookworm-base}
jobs=${GLANCE_DOCKER_JOBS:-2}
size_mb=${GLANCE_DOCKER_IMAGE_MB:-4}
t0=$SECONDS

say() { echo "build-and-run: $*" >&2; }
fail() {
  say "FAILED: $*"
  exit 1
}

[ "$(id -u)" -eq 0 ] || fail "run as root (buildah's chroot isolation and mmdebstrap need it)"

# 1. Tools.
tools=(mmdebstrap buildah podman uidmap curl python3 python3-yaml mariadb-server-core mariadb-client)
missing=()
for p in "${tools[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get -o DPkg::Lock::Timeout=1200 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

run=$(mktemp -d /tmp/glance-docker.XXXXXX)
mkdir -p "$run/host" "$run/volumes/images"
containers=()
daemons=() # "pid name" of the buildah run processes still running
build_pid=""
descendants() { # PID: every process below PID
  local child
  for child in $(cat /proc/"$1"/task/*/children 2>/dev/null); do
    echo "$child"
    descendants "$child"
  done
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$build_pid" ]; then
    # buildah bud, stopped, leaves its RUN step's processes (a compiler, ninja) behind.
    local below
    below=$(descendants "$build_pid")
    kill -TERM "$build_pid" 2>/dev/null || true
    wait "$build_pid" 2>/dev/null || true
    # shellcheck disable=SC2086
    [ -z "$below" ] || kill -TERM $below 2>/dev/null || true
  fi
  local entry
  for entry in "${daemons[@]}"; do
    stop_daemon "${entry%% *}" "${entry#* }" >/dev/null 2>&1 || true
  done
  "$root/scripts/mariadb.sh" stop "$run/db" >/dev/null 2>&1 || true
  local c
  for c in "${containers[@]}"; do buildah rm "$c" >/dev/null 2>&1 || true; done
  if [ "$status" -ne 0 ]; then
    local log
    for log in "$run"/*.log; do
      [ -f "$log" ] || continue
      say "--- last lines of $(basename "$log")"
      tail -n 30 "$log" >&2
    done
  fi
  if [ "${GLANCE_DOCKER_KEEP:-0}" = 1 ] || [ "$status" -ne 0 ]; then
    say "logs kept in $run"
  else
    rm -rf "$run"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# compose.yaml's services as bash arrays: <service>_cmd (its command) and <service>_mounts
# (its volumes as buildah options: ./FILE from docker/, named volumes from the run directory).
# compose_image: the image they all run.
services=$(/usr/bin/python3 - "$root/docker/compose.yaml" <<'PY'
import shlex, sys, yaml
compose = yaml.safe_load(open(sys.argv[1]))
services = compose["services"]
images = {services[name].get("image") for name in ("db-sync", "registry", "api")}
if len(images) != 1 or None in images:
    sys.exit(f"compose.yaml: db-sync, registry and api run {images}, not one image")
print(f"compose_image={shlex.quote(images.pop())}")
for name in ("db-sync", "registry", "api"):
    service = services[name]
    var = name.replace("-", "_")
    print(f"{var}_cmd=({' '.join(shlex.quote(a) for a in service['command'])})")
    mounts = []
    for volume in service.get("volumes", []):
        source, _, target = volume.partition(":")
        if source.startswith("./"):
            source = "$root/docker/" + source[2:]
        else:
            source = "$run/volumes/" + source
        mounts += ["-v", f'"{source}:{target}"']
    print(f"{var}_mounts=({' '.join(mounts)})")
PY
) || fail "cannot read docker/compose.yaml"
eval "$services"
image=${GLANCE_DOCKER_IMAGE:-$compose_image}

build=${GLANCE_DOCKER_BUILD:-1}
# 2. Base image: Debian 12 from the mirror, without documentation (like debian:12-slim).
if [ "$build" = 1 ] && { [ "${GLANCE_DOCKER_REBASE:-0}" = 1 ] || ! podman image exists "$base"; }; then
  say "making $base with mmdebstrap"
  t=$SECONDS
  mmdebstrap --variant=minbase \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    bookworm - 2>"$run/mmdebstrap.log" | podman import - "$base" >/dev/null
  say "base image made in $((SECONDS - t)) s"
fi

# 3. The image.
build_seconds=0
if [ "$build" = 1 ]; then
  say "building $image (buildah bud, -j$jobs)"
  t=$SECONDS
  buildah bud --isolation chroot --layers --force-rm --pull=never --build-arg "BASE_IMAGE=$base" \
    --build-arg "JOBS=$jobs" -f "$root/docker/Dockerfile" -t "$image" "$root" >"$run/build.log" 2>&1 &
  build_pid=$!
  wait "$build_pid" || fail "buildah bud failed (see build.log)"
  build_pid=""
  build_seconds=$((SECONDS - t))
fi
image_bytes=$(podman image inspect --format '{{.Size}}' "$image")
say "built in $build_seconds s; image size $((image_bytes / 1000000)) MB"

new_container() { # NAME: sets ctr to a new working container of the image, removed at exit
  ctr=$(buildah from --pull=never --name "glance-$1-$$" "$image")
  containers+=("$ctr")
}

in_container() { # CONTAINER MOUNTS-ARRAY ARGS...: runs ARGS in a working container (host network)
  local c=$1
  local -n mounts=$2
  shift 2
  buildah run --isolation chroot --network host "${mounts[@]}" -v "$run/host:/etc/glance/host:ro" \
    "$c" -- "$@"
}
no_mounts=()

# The image itself: every binary finds its libraries, and the daemons run as glance.
new_container check
check=$ctr
if in_container "$check" no_mounts sh -c 'ldd /usr/bin/glance-* /usr/lib/glance-cpp/*.so' >"$run/ldd.log" 2>&1; then :; else
  fail "ldd failed in the image"
fi
! grep -q "not found" "$run/ldd.log" || fail "the image lacks libraries: $(grep 'not found' "$run/ldd.log" | sort -u)"
for tool in clang++ g++ cmake ninja; do
  ! in_container "$check" no_mounts sh -c "command -v $tool" >/dev/null 2>&1 ||
    fail "the runtime image holds the build tool $tool"
done
glance_uid=$(buildah run --isolation chroot "$check" -- id -u)
glance_gid=$(buildah run --isolation chroot "$check" -- id -g)
[ "$glance_uid" != 0 ] || fail "the image runs as root"

# 4. MariaDB, configs, db_sync and the daemons.
chown "$glance_uid:$glance_gid" "$run/volumes/images"
db_port=$("$root/scripts/mariadb.sh" start "$run/db" 0)
say "MariaDB on 127.0.0.1:$db_port"
cat >"$run/host/glance-registry.conf" <<CONF
# Host network: loopback, a port the kernel picks, the private MariaDB.
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 0
[database]
connection = mysql://glance:glancepw@127.0.0.1:$db_port/glance
CONF

# Each service's command from compose.yaml, with the host network's file added after the
# others (db-sync's command ends with its subcommand, which stays last).
[ "${db_sync_cmd[-1]}" = db_sync ] || fail "compose.yaml: db-sync's command does not end with db_sync"
new_container db-sync
in_container "$ctr" db_sync_mounts "${db_sync_cmd[@]:0:${#db_sync_cmd[@]}-1}" \
  --config-file /etc/glance/host/glance-registry.conf db_sync >"$run/db-sync.log" 2>&1 ||
  fail "glance-manage db_sync failed"
tables=$(mariadb --no-defaults --socket="$run/db/mysqld.sock" -uroot -N \
  -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema='glance'")
[ "$tables" -gt 0 ] || fail "db_sync created no table"

descendant() { # PID COMM: the process named COMM below PID (buildah run forks it)
  local pid=$1 comm=$2 child
  for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
    if [ "$(cat /proc/"$child"/comm 2>/dev/null)" = "$comm" ]; then
      echo "$child"
      return 0
    fi
    descendant "$child" "$comm" && return 0
  done
  return 1
}
start_daemon() { # NAME CONTAINER MOUNTS-ARRAY CMD...: starts it; sets pid and port once it listens
  local name=$1 c=$2 m=$3
  port=""
  shift 3
  in_container "$c" "$m" "$@" >"$run/$name.log" 2>&1 &
  pid=$!
  daemons+=("$pid $name")
  for _ in $(seq 1 1200); do
    port=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$run/$name.log" | head -n 1)
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || fail "$name exited at start (see $name.log)"
    sleep 0.1
  done
  [ -n "$port" ] || fail "$name did not listen within 120 s"
}
stop_daemon() { # PID NAME: SIGTERM to the daemon inside, its exit status must be 0
  local pid=$1 name=$2 inner status=0
  inner=$(descendant "$pid" "$name") || {
    wait "$pid" 2>/dev/null || true
    return 1
  }
  kill -TERM "$inner"
  wait "$pid" || status=$?
  local rest=()
  for entry in "${daemons[@]}"; do [ "${entry%% *}" = "$pid" ] || rest+=("$entry"); done
  daemons=("${rest[@]}")
  return "$status"
}
uid_of() { awk '/^Uid:/ {print $2}' /proc/"$1"/status; }

new_container registry
start_daemon glance-registry "$ctr" registry_mounts "${registry_cmd[@]}" \
  --config-file /etc/glance/host/glance-registry.conf
registry_pid=$pid registry_port=$port
curl -fsS "http://127.0.0.1:$registry_port/healthcheck" >/dev/null || fail "registry health check"
say "glance-registry on 127.0.0.1:$registry_port"

cat >"$run/host/glance-api.conf" <<CONF
# Host network: loopback, a port the kernel picks, the registry started before.
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 0
registry_host = 127.0.0.1
registry_port = $registry_port
CONF
new_container api
start_daemon glance-api "$ctr" api_mounts "${api_cmd[@]}" --config-file /etc/glance/host/glance-api.conf
api_pid=$pid api_port=$port
curl -fsS "http://127.0.0.1:$api_port/healthcheck" >/dev/null || fail "api health check"
say "glance-api on 127.0.0.1:$api_port"

for name in glance-registry glance-api; do
  pid_var=${name#glance-}_pid
  inner=$(descendant "${!pid_var}" "$name") || fail "no $name process below buildah run"
  uid=$(uid_of "$inner")
  [ "$uid" = "$glance_uid" ] || fail "$name (pid $inner) runs as uid '$uid', not glance's '$glance_uid'"
done

# 5. An image through glance-api.
api_url=http://127.0.0.1:$api_port
head -c "$((size_mb * 1024 * 1024))" /dev/urandom >"$run/image.bin"
md5=$(md5sum "$run/image.bin" | cut -d' ' -f1)
size=$(stat -c %s "$run/image.bin")

t=$SECONDS
code=$(curl -sS -o "$run/create.json" -w '%{http_code}' -X POST "$api_url/v1/images" \
  -H 'Content-Type: application/octet-stream' -H 'x-image-meta-name: docker-check' \
  -H 'x-image-meta-disk_format: raw' -H 'x-image-meta-container_format: bare' \
  -H 'x-image-meta-is_public: true' -H "x-image-meta-checksum: $md5" \
  --data-binary @"$run/image.bin")
[ "$code" = 201 ] || fail "upload answered $code: $(cat "$run/create.json")"
read -r id status checksum got_size < <(python3 -c '
import json, sys
i = json.load(open(sys.argv[1]))["image"]
print(i["id"], i["status"], i["checksum"], i["size"])' "$run/create.json")
[ "$status" = active ] || fail "uploaded image is $status, not active"
[ "$checksum" = "$md5" ] || fail "registry checksum $checksum, expected $md5"
[ "$got_size" = "$size" ] || fail "registry size $got_size, expected $size"
cmp -s "$run/image.bin" "$run/volumes/images/$id" || fail "the store's file differs from the upload"

code=$(curl -sS -D "$run/download.headers" -o "$run/download.bin" -w '%{http_code}' \
  "$api_url/v1/images/$id")
[ "$code" = 200 ] || fail "download answered $code"
cmp -s "$run/image.bin" "$run/download.bin" || fail "downloaded bytes differ from the upload"
header() { tr -d '\r' <"$run/download.headers" | awk -v h="$1" 'tolower($1) == tolower(h) ":" {print $2}'; }
[ "$(header x-image-meta-checksum)" = "$md5" ] || fail "download checksum header $(header x-image-meta-checksum)"
[ "$(header content-length)" = "$size" ] || fail "download length $(header content-length)"
say "uploaded and downloaded $size bytes (md5 $md5) in $((SECONDS - t)) s"

# A wrong checksum is refused and leaves nothing in the store.
printf 'not the declared bytes' >"$run/bad.bin"
code=$(curl -sS -o "$run/bad.json" -w '%{http_code}' -X POST "$api_url/v1/images" \
  -H 'Content-Type: application/octet-stream' -H 'x-image-meta-name: docker-bad' \
  -H 'x-image-meta-disk_format: raw' -H 'x-image-meta-container_format: bare' \
  -H "x-image-meta-checksum: $md5" --data-binary @"$run/bad.bin")
[ "$code" = 400 ] || fail "an upload with a wrong checksum answered $code"
stored=$(find "$run/volumes/images" -type f | wc -l)
[ "$stored" = 1 ] || fail "$stored files in the store after the refused upload, expected 1"

code=$(curl -sS -o /dev/null -w '%{http_code}' -X DELETE "$api_url/v1/images/$id")
[ "$code" = 200 ] || fail "delete answered $code"
code=$(curl -sS -o /dev/null -w '%{http_code}' "$api_url/v1/images/$id")
[ "$code" = 404 ] || fail "download after delete answered $code"
[ ! -e "$run/volumes/images/$id" ] || fail "the store still holds the deleted image"

# 6. Stop: each daemon drains and exits 0 on SIGTERM.
stop_daemon "$api_pid" glance-api || fail "glance-api did not stop cleanly (see glance-api.log)"
stop_daemon "$registry_pid" glance-registry ||
  fail "glance-registry did not stop cleanly (see glance-registry.log)"
say "OK: image $image ($((image_bytes / 1000000)) MB) built in $build_seconds s;" \
  "upload, download, checksum refusal and delete passed; total $((SECONDS - t0)) s"
