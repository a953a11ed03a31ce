#!/usr/bin/env bash
# A private Keystone on loopback for the token validation tests: Debian's keystone run
# standalone (no Apache, no system service) with fernet tokens, on its own MariaDB
# (scripts/mariadb.sh), everything under DIR.
#   scripts/keystone-aio.sh start DIR        stops a Keystone still running in DIR, wipes its
#                                            state, starts a new one, creates the test
#                                            projects and users, and writes DIR/keystone.env
#                                            once tokens are issued and validated
#   scripts/keystone-aio.sh stop DIR         stops every process start left running
#   scripts/keystone-aio.sh serve DIR NAME [PORT]
#                                            starts one more server process on the same
#                                            database and keys, on PORT or a free port, and
#                                            prints the port (a Keystone a test may stop and
#                                            start again)
#   scripts/keystone-aio.sh unserve DIR NAME stops that server
# Users (password = name + "pw"): admin (admin of project admin), glance (service user:
# roles service and admin on project service), alice (member of alpha), bob (member of beta),
# nova (service on project service, for service tokens).
set -euo pipefail
cmd=${1:?start|stop|serve|unserve}
D=$(realpath -m "${2:?state directory}")
HERE=$(cd "$(dirname "$0")" && pwd)
# Keystone's modules are Debian's; a python3 earlier on the PATH (pyenv, venv) lacks them.
PY=/usr/bin/python3
ready_timeout=${KEYSTONE_AIO_READY_TIMEOUT:-120}
AIO_MARK=KEYSTONE_AIO_DIR
# shellcheck source=scripts/aio-lib.sh
. "$HERE/aio-lib.sh"

stop_server() {
  local pid deadline
  pid=$(our_pid "$1") || { rm -f "$D/run/$1.pid"; return 0; }
  kill -TERM "$pid" 2>/dev/null || true
  deadline=$((SECONDS + 15))
  while alive "$pid" && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
  if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  while alive "$pid"; do sleep 0.1; done
  rm -f "$D/run/$1.pid"
}

stop_all() {
  local f
  for f in "$D"/run/*.pid; do
    [ -e "$f" ] || continue
    stop_server "$(basename "$f" .pid)"
  done
  [ -d "$D/db" ] && "$HERE/mariadb.sh" stop "$D/db" >/dev/null 2>&1 || true
  rm -f "$D/keystone.env"
}

write_config() {
  cat >"$D/etc/keystone.conf" <<CONF
[DEFAULT]
log_file = $D/log/keystone.log
[database]
connection = mysql+pymysql://keystone:keystonepw@127.0.0.1:$db_port/keystone
[token]
provider = fernet
expiration = 3600
[fernet_tokens]
key_repository = $D/fernet-keys
[fernet_receipts]
key_repository = $D/fernet-keys
[credential]
key_repository = $D/credential-keys
[identity]
# bcrypt's least cost: password checks would otherwise dominate the tests' run time.
password_hash_rounds = 4
[cache]
enabled = false
CONF
}

# One server process on PORT, named NAME; 0 once it answers, 1 if it died, 2 if its port was
# taken.
launch_server() {
  local name=$1 port=$2 pid deadline
  # wsgiref (keystone-wsgi-public's own server) is single-threaded; uwsgi serves the tests'
  # parallel requests, with HTTP/1.1 keep-alive, and headers up to 64 KiB: a client's long
  # bogus token must come back 404, not as a closed connection.
  KEYSTONE_AIO_DIR=$D OS_KEYSTONE_CONFIG_FILES="$D/etc/keystone.conf" \
    uwsgi --plugins python3 --http11-socket "127.0.0.1:$port" --buffer-size 65535 \
    --wsgi-file /usr/bin/keystone-wsgi-public --master --processes 2 --threads 2 \
    --die-on-term --need-app --disable-logging \
    </dev/null >"$D/log/$name.log" 2>&1 &
  pid=$!
  echo "$pid" >"$D/run/$name.pid"
  deadline=$((SECONDS + ready_timeout))
  while [ $SECONDS -lt $deadline ]; do
    # Not our_pid: uwsgi execs itself again while it starts, and its environment cannot be
    # read meanwhile. This pid is the child just started, so it cannot be a recycled one.
    if ! alive "$pid"; then
      grep -qiE 'address already in use|bind\(\)' "$D/log/$name.log" && return 2
      echo "keystone-aio: server $name exited during start-up" >&2
      tail -n 30 "$D/log/$name.log" >&2
      return 1
    fi
    curl -fs -m 5 -o /dev/null "http://127.0.0.1:$port/v3" && return 0
    sleep 0.2
  done
  echo "keystone-aio: server $name not ready after ${ready_timeout} s" >&2
  return 1
}

serve_on_free_port() {
  local name=$1 attempt rc port
  for attempt in 1 2 3 4 5; do
    port=$(free_ports 1)
    rc=0
    launch_server "$name" "$port" || rc=$?
    [ $rc -eq 0 ] && { echo "$port"; return 0; }
    stop_server "$name"
    [ $rc -eq 2 ] || return 1
  done
  return 1
}

create_accounts() {
  $PY - "http://127.0.0.1:$1/v3" <<'PY'
import json, sys, urllib.request
base = sys.argv[1]

def call(method, path, body=None, token=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("X-Auth-Token", token)
    with urllib.request.urlopen(req, timeout=60) as r:
        text = r.read()
        return r.headers, (json.loads(text) if text else None)

def token(user, project):
    h, _ = call("POST", "/auth/tokens", {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": user, "domain": {"id": "default"}, "password": user + "pw"}}},
        "scope": {"project": {"name": project, "domain": {"id": "default"}}}}})
    return h["X-Subject-Token"]

admin = token("admin", "admin")
ids = {}
for p in ("service", "alpha", "beta"):
    _, b = call("POST", "/projects", {"project": {"name": p, "domain_id": "default"}}, admin)
    ids[p] = b["project"]["id"]
_, b = call("POST", "/roles", {"role": {"name": "service"}}, admin)
ids["role:service"] = b["role"]["id"]
_, b = call("GET", "/roles", None, admin)
for r in b["roles"]:
    ids["role:" + r["name"]] = r["id"]
grants = {"glance": [("service", "service"), ("service", "admin")],
          "nova": [("service", "service")],
          "alice": [("alpha", "member")], "bob": [("beta", "member")]}
for user, roles in grants.items():
    _, b = call("POST", "/users", {"user": {"name": user, "domain_id": "default",
                                            "password": user + "pw"}}, admin)
    ids["user:" + user] = b["user"]["id"]
    for project, role in roles:
        call("PUT", "/projects/%s/users/%s/roles/%s" % (ids[project], b["user"]["id"],
                                                         ids["role:" + role]), None, admin)
# The service user must be able to validate another user's token.
glance = token("glance", "service")
alice = token("alice", "alpha")
req = urllib.request.Request(base + "/auth/tokens", method="GET")
req.add_header("X-Auth-Token", glance)
req.add_header("X-Subject-Token", alice)
urllib.request.urlopen(req, timeout=60).read()
for k in ("alpha", "beta", "service"):
    print("%s_PROJECT_ID=%s" % (k.upper(), ids[k]))
for k in ("alice", "bob", "glance", "nova"):
    print("%s_USER_ID=%s" % (k.upper(), ids["user:" + k]))
PY
}

case $cmd in
start)
  began=$SECONDS
  mkdir -p "$D"
  stop_all
  rm -rf "${D:?}/etc" "${D:?}/run" "${D:?}/log" "${D:?}/db" "${D:?}/fernet-keys" \
    "${D:?}/credential-keys"
  mkdir -p "$D/etc" "$D/run" "$D/log" "$D/fernet-keys" "$D/credential-keys"
  db_port=$("$HERE/mariadb.sh" start "$D/db")
  mariadb --no-defaults --socket="$D/db/mysqld.sock" -uroot <<'SQL'
CREATE DATABASE keystone;
CREATE USER 'keystone'@'127.0.0.1' IDENTIFIED BY 'keystonepw';
GRANT ALL ON keystone.* TO 'keystone'@'127.0.0.1';
SQL
  write_config
  # Each keystone-manage run costs seconds of Python start-up, so the key repositories are
  # written here (what fernet_setup and credential_setup write: one random Fernet key per
  # file, 0 the staged key, 1 the primary), and the server starts while bootstrap runs.
  $PY - "$D" <<'PY'
import base64, os, sys
for repo in ("fernet-keys", "credential-keys"):
    for name in ("0", "1"):
        path = os.path.join(sys.argv[1], repo, name)
        with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as f:
            f.write(base64.urlsafe_b64encode(os.urandom(32)).decode())
PY
  chmod 700 "$D/fernet-keys" "$D/credential-keys"
  KM=(keystone-manage --config-file "$D/etc/keystone.conf")
  "${KM[@]}" db_sync >"$D/log/manage.log" 2>&1 ||
    { cat "$D/log/manage.log" >&2; stop_all; exit 1; }
  port=$(free_ports 1)
  url="http://127.0.0.1:$port/v3"
  "${KM[@]}" bootstrap --bootstrap-password adminpw --bootstrap-username admin \
    --bootstrap-project-name admin --bootstrap-role-name admin \
    --bootstrap-service-name keystone --bootstrap-region-id RegionOne \
    --bootstrap-admin-url "$url" --bootstrap-public-url "$url" \
    --bootstrap-internal-url "$url" >>"$D/log/manage.log" 2>&1 &
  bootstrap=$!
  rc=0
  launch_server main "$port" || rc=$?
  wait $bootstrap || { cat "$D/log/manage.log" >&2; stop_all; exit 1; }
  # A port lost to another process meanwhile: the catalog names it, so start over on another.
  if [ $rc -ne 0 ]; then
    stop_all
    attempt=${KEYSTONE_AIO_ATTEMPT:-1}
    if [ $rc -eq 2 ] && [ "$attempt" -lt 5 ]; then
      KEYSTONE_AIO_ATTEMPT=$((attempt + 1)) exec "$0" start "$D"
    fi
    exit 1
  fi
  if ! ids=$(create_accounts "$port"); then stop_all; exit 1; fi
  {
    echo "KEYSTONE_URL=http://127.0.0.1:$port"
    echo "KEYSTONE_PORT=$port"
    echo "$ids"
  } >"$D/keystone.env.tmp"
  mv "$D/keystone.env.tmp" "$D/keystone.env"
  echo "keystone-aio: ready on port $port after $((SECONDS - began)) s"
  ;;
stop)
  stop_all
  ;;
serve)
  name=${3:?server name}
  [ -s "$D/keystone.env" ] || { echo "keystone-aio: no Keystone in $D" >&2; exit 1; }
  stop_server "$name"
  if [ -n "${4:-}" ]; then
    launch_server "$name" "$4" || { stop_server "$name"; exit 1; }
    echo "$4"
  else
    serve_on_free_port "$name"
  fi
  ;;
unserve)
  stop_server "${3:?server name}"
  ;;
*)
  echo "usage: $0 start|stop|serve|unserve DIR [NAME]" >&2
  exit 2
  ;;
esac
