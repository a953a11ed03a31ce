"""Load for bench/soak.sh: misbehaving clients against glance-api and glance-registry, one
well-behaved client beside them, and a sampler of both daemons' descriptors and memory.

Standard library only; loopback only; every loop ends at the deadline and every socket has a
timeout, so the run stops by itself.
"""

import argparse
import csv
import hashlib
import http.client
import json
import os
import random
import socket
import struct
import sys
import threading
import time
from collections import Counter, defaultdict

HOST = "127.0.0.1"
SOCKET_TIMEOUT = 15.0
SAMPLE_EVERY = 10.0


class Run:
    def __init__(self, args):
        self.args = args
        self.deadline = time.monotonic() + args.duration
        self.lock = threading.Lock()
        self.behaviours = Counter()
        self.refused = Counter()
        self.latencies = defaultdict(list)
        self.good_errors = Counter()
        self.good_error_samples = []
        self.big_id = None
        self.big_md5 = None

    def left(self):
        return self.deadline - time.monotonic()

    def port(self, daemon):
        return self.args.api_port if daemon == "api" else self.args.registry_port


# ---------------------------------------------------------------------------------------------
# Raw sockets for the misbehaving clients.

def connect(port):
    s = socket.create_connection((HOST, port), timeout=SOCKET_TIMEOUT)
    s.settimeout(SOCKET_TIMEOUT)
    return s


def reset(s):
    """Closes with RST rather than FIN: a client that vanished."""
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    s.close()


def read_some(s, limit):
    got = 0
    while got < limit:
        chunk = s.recv(65536)
        if not chunk:
            break
        got += len(chunk)
    return got


def drain(s, limit=1 << 20):
    try:
        return read_some(s, limit)
    except OSError:
        return 0


def send_and_drain(run, daemon, head, body):
    """Sends `head` (request line and headers), Content-Length and `body` on a new
    connection to `daemon`, reads what it answers, and closes."""
    s = connect(run.port(daemon))
    s.sendall((head + "Content-Length: %d\r\n\r\n" % len(body)).encode() + body)
    drain(s)
    s.close()


def sleep_bounded(run, seconds):
    time.sleep(max(0.0, min(seconds, run.left())))


def upload_head(length, extra=""):
    return ("POST /v1/images HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/octet-stream\r\n"
            "x-image-meta-name: soak-hostile\r\nx-image-meta-disk_format: raw\r\n"
            "x-image-meta-container_format: bare\r\n" + extra +
            "Content-Length: %d\r\n\r\n" % length).encode()


def reset_mid_download(run, daemon):
    if daemon == "api":
        target = "/v1/images/" + run.big_id
    else:
        target = "/images/detail?limit=1000"
    s = connect(run.port(daemon))
    s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % target).encode())
    read_some(s, 64 * 1024)
    reset(s)


def reset_mid_upload(run, daemon):
    s = connect(run.port(daemon))
    if daemon == "api":
        s.sendall(upload_head(4 << 20))
        s.sendall(os.urandom(256 * 1024))
    else:
        body = json.dumps({"image": {"name": "soak", "disk_format": "raw",
                                     "container_format": "bare", "status": "queued"}})
        s.sendall(("POST /images HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                   "\r\nContent-Length: %d\r\n\r\n" % (len(body) * 4)).encode())
        s.sendall(body[: len(body) // 2].encode())
    reset(s)


def slowloris(run, daemon):
    s = connect(run.port(daemon))
    header = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200
    try:
        for byte in header:
            if run.left() <= 0:
                break
            s.sendall(bytes([byte]))
            sleep_bounded(run, 0.5)
    except OSError:
        pass  # the daemon gave up on us: what it should do
    s.close()


def endless_chunk_extensions(run, daemon):
    s = connect(run.port(daemon))
    if daemon == "api":
        head = upload_head(0).replace(b"Content-Length: 0\r\n", b"Transfer-Encoding: chunked\r\n")
    else:
        head = (b"PUT /images/00000000-0000-0000-0000-000000000000 HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
    try:
        s.sendall(head + b"1")
        stop = time.monotonic() + 10
        while time.monotonic() < stop and run.left() > 0:
            s.sendall(b";ext=" + b"x" * 1000)
    except OSError:
        pass
    s.close()


def never_read_download(run, daemon):
    target = "/v1/images/" + run.big_id if daemon == "api" else "/images/detail?limit=1000"
    s = connect(run.port(daemon))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % target).encode())
    sleep_bounded(run, 20)
    s.close()


def nested_json_members(run, daemon):
    depth = random.choice([100, 10000, 100000])
    body = ('{"memberships": ' + "[" * depth + "]" * depth + "}").encode()
    target = ("/v1/images/%s/members" if daemon == "api" else "/images/%s/members") % run.big_id
    send_and_drain(run, daemon, "PUT %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Content-Type: application/json\r\n" % target, body)


def smuggling(run, daemon):
    target = "/v1/images" if daemon == "api" else "/images"
    smuggled = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" % target).encode()
    body = b"0\r\n\r\n" + smuggled
    send_and_drain(run, daemon, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Transfer-Encoding: chunked, chunked\r\n" % target, body)


def idle_connection(run, daemon):
    s = connect(run.port(daemon))
    sleep_bounded(run, 30)
    s.close()


def invalid_utf8_ids(run, daemon):
    prefix = b"/v1/images/" if daemon == "api" else b"/images/"
    for method in (b"GET", b"HEAD", b"DELETE", b"PUT"):
        for bad in (b"%ff%fe%fd", b"\xff\xfe\xc0\xaf", b"%c0%af" * 30, b"\xed\xa0\x80"):
            if run.left() <= 0:
                return
            s = connect(run.port(daemon))
            s.sendall(method + b" " + prefix + bad + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      b"Content-Length: 0\r\n\r\n")
            drain(s, 65536)
            s.close()


BEHAVIOURS = [reset_mid_download, reset_mid_upload, slowloris, endless_chunk_extensions,
              never_read_download, nested_json_members, smuggling, idle_connection,
              invalid_utf8_ids]


def misbehave(run, seed, behaviours):
    rng = random.Random(seed)
    while run.left() > 0:
        behaviour = rng.choice(behaviours)
        daemon = rng.choice(["api", "registry"])
        name = "%s/%s" % (behaviour.__name__, daemon)
        try:
            behaviour(run, daemon)
        except ConnectionRefusedError:
            with run.lock:
                run.refused[daemon] += 1
            sleep_bounded(run, 1.0)
        except (OSError, ValueError):
            pass  # resets, timeouts and closed connections are the point
        with run.lock:
            run.behaviours[name] += 1
        sleep_bounded(run, rng.uniform(0, 0.5))


# ---------------------------------------------------------------------------------------------
# The well-behaved client.

def request(port, method, target, body=None, headers=None):
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def timed(run, op, fn):
    started = time.monotonic()
    try:
        ok, detail = fn()
    except Exception as e:  # any failure of a good request counts; the run goes on
        ok, detail = False, "%s: %s" % (type(e).__name__, e)
    elapsed = time.monotonic() - started
    with run.lock:
        if ok:
            run.latencies[op].append(elapsed)
        else:
            run.good_errors[op] += 1
            if len(run.good_error_samples) < 10:
                run.good_error_samples.append("%s: %s" % (op, detail))
    return ok


def upload_image(port, data, name):
    status, body = request(port, "POST", "/v1/images", data, {
        "Content-Type": "application/octet-stream", "x-image-meta-name": name,
        "x-image-meta-disk_format": "raw", "x-image-meta-container_format": "bare"})
    if status != 201:
        return None, "upload %d %s" % (status, body[:200])
    return json.loads(body)["image"], ""


def good_client(run):
    rng = random.Random(1)
    port = run.args.api_port
    while run.left() > 0:
        data = rng.randbytes(rng.randint(1, 8) << 20)
        md5 = hashlib.md5(data).hexdigest()
        created = {}

        def upload():
            image, detail = upload_image(port, data, "soak-good")
            if image is None:
                return False, detail
            created["id"] = image["id"]
            return image.get("checksum") == md5, "checksum %s" % image.get("checksum")

        def download():
            status, body = request(port, "GET", "/v1/images/" + created["id"])
            return status == 200 and hashlib.md5(body).hexdigest() == md5, "download %d" % status

        def listing():
            status, body = request(port, "GET", "/v1/images/detail?limit=50")
            return status == 200 and "images" in json.loads(body), "list %d" % status

        ok = timed(run, "upload", upload)
        if "id" in created:
            ok = timed(run, "download", download) and ok
            request_quietly(port, "DELETE", "/v1/images/" + created["id"])
        ok = timed(run, "list", listing) and ok
        if not ok:
            sleep_bounded(run, 0.2)  # a dead daemon fails fast: do not spin


def request_quietly(port, method, target):
    try:
        request(port, method, target)
    except Exception:
        pass


# ---------------------------------------------------------------------------------------------
# Sampling.

def health(pid):
    try:
        fds = len(os.listdir("/proc/%d/fd" % pid))
        with open("/proc/%d/status" % pid) as f:
            rss = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        return fds, rss
    except (OSError, StopIteration):
        return None, None  # gone (or a zombie)


def sample(run, rows, start):
    api = health(run.args.api_pid)
    reg = health(run.args.registry_pid)
    rows.append([round(time.monotonic() - start), api[0], api[1], reg[0], reg[1]])


def sampler(run, rows, start):
    while True:
        sample(run, rows, start)
        if run.left() <= 0:
            return
        sleep_bounded(run, SAMPLE_EVERY)  # at the deadline, one last sample follows


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100.0 * len(ordered)))]


def report(run, rows):
    mode = "quiet run" if run.args.quiet_run else "%d misbehaving clients" % run.args.clients
    print("soak: %d s, %s" % (run.args.duration, mode))
    print("good client errors: %d %s" % (sum(run.good_errors.values()), dict(run.good_errors)))
    for sample in run.good_error_samples:
        print("  e.g. " + sample)
    for op in ("upload", "download", "list"):
        values = run.latencies.get(op, [])
        if values:
            print("  %-8s n=%-5d p50 %7.1f ms  p99 %7.1f ms" % (
                op, len(values), percentile(values, 50) * 1000, percentile(values, 99) * 1000))
        else:
            print("  %-8s n=0" % op)
    if run.behaviours:
        print("misbehaviours run: %d; connections refused: %s" % (
            sum(run.behaviours.values()), dict(run.refused)))
        for name, n in sorted(run.behaviours.items()):
            print("  %-36s %d" % (name, n))
    columns = ["api_fds", "api_rss_kib", "registry_fds", "registry_rss_kib"]
    print("samples every %d s in %s (start / max / end, %d s after the clients left):" % (
        SAMPLE_EVERY, run.args.csv, SAMPLE_EVERY))
    for i, column in enumerate(columns, start=1):
        values = [r[i] for r in rows]
        live = [v for v in values if v is not None]
        end = values[-1] if values[-1] is not None else "gone"
        print("  %-17s %s / %s / %s" % (column, values[0], max(live) if live else "-", end))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--api-port", type=int, required=True)
    parser.add_argument("--registry-port", type=int, required=True)
    parser.add_argument("--api-pid", type=int, required=True)
    parser.add_argument("--registry-pid", type=int, required=True)
    parser.add_argument("--duration", type=int, default=600)
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--quiet-run", action="store_true")
    parser.add_argument("--only", default="",
                        help="comma-separated misbehaviours to run (default: all), to find "
                        "which one hurts")
    parser.add_argument("--csv", required=True)
    args = parser.parse_args()
    known = {b.__name__: b for b in BEHAVIOURS}
    chosen = [known[name] for name in args.only.split(",") if name] or BEHAVIOURS

    # The image that downloads are cut from, and whose members route gets the nested JSON.
    big = random.Random(7).randbytes(16 << 20)
    run = Run(args)
    image, detail = upload_image(args.api_port, big, "soak-big")
    if image is None:
        sys.exit("cannot create the shared image: " + detail)
    run.big_id = image["id"]
    run.deadline = time.monotonic() + args.duration

    rows = []
    start = time.monotonic()
    threads = [threading.Thread(target=sampler, args=(run, rows, start)),
               threading.Thread(target=good_client, args=(run,))]
    if not args.quiet_run:
        threads += [threading.Thread(target=misbehave, args=(run, i, chosen), daemon=True)
                    for i in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        # Misbehaving clients end at the deadline; a socket timeout bounds the overshoot.
        t.join(timeout=max(0.0, run.left()) + 2 * SOCKET_TIMEOUT + 60)
    # The last row: once the clients have gone, and the daemons have had time to notice.
    time.sleep(SAMPLE_EVERY)
    sample(run, rows, start)

    with open(args.csv, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["t_s", "api_fds", "api_rss_kib", "registry_fds", "registry_rss_kib"])
        writer.writerows(rows)
    report(run, rows)


if __name__ == "__main__":
    main()
