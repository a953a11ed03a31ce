"""Load for bench/soak_mixed.sh: a steady mix of metadata requests against glance-api at a
fixed total rate (open loop: each request has a scheduled start, and its latency is counted
from that start, so a server that falls behind shows in the latency and not in a lower rate),
a 1 MiB upload with its download and delete every few seconds, and a sampler that appends one
CSV row per interval with both daemons' RSS, descriptors and threads and the interval's
requests, errors and latency percentiles. At the end it prints a Markdown table and a verdict
per series (the rule is in bench/soak_mixed.sh's header and in verdict() below).

  peak:   closed loop with --threads connections for --duration seconds; prints requests/s.
  soak:   the run itself.
  report: the table again from a run's --csv (with its --duration), e.g. to judge a CSV kept
          from an earlier run.

Standard library only; loopback only; every socket has a timeout and every loop ends at the
deadline, so the run stops by itself.
"""

import argparse
import csv
import hashlib
import http.client
import json
import os
import queue
import random
import statistics
import sys
import threading
import time
from collections import Counter, deque

HOST = "127.0.0.1"
TIMEOUT = 30.0

# The metadata mix (weights in per cent): bench/run.sh's metadata workloads. "create" is
# POST /v1/images without data; "delete" removes the oldest image this run created (a create
# when none is waiting), so the number of live images stays near BACKLOG.
MIX = [("head_v1", 25), ("detail_v1", 20), ("show_v2", 25), ("list_v2", 20),
       ("create_v1", 5), ("delete_v1", 5)]
BACKLOG = 50


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()
        self.errors_by_kind = Counter()

    def reset(self):
        self.done = 0
        self.errors = 0
        self.latencies = []

    def record(self, op, ms, ok, why=None):
        with self.lock:
            self.done += 1
            self.latencies.append(ms)
            if not ok:
                self.errors += 1
                self.errors_by_kind[f"{op}: {why}"] += 1

    def take(self):
        with self.lock:
            out = (self.done, self.errors, self.latencies)
            self.reset()
            return out


class Client:
    """One keep-alive connection, reopened after any failure."""

    def __init__(self, port):
        self.port = port
        self.conn = None

    def request(self, method, path, body=None, headers=None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(HOST, self.port, timeout=TIMEOUT)
        try:
            self.conn.request(method, path, body=body, headers=headers or {})
            resp = self.conn.getresponse()
            data = resp.read()
            if resp.getheader("Connection", "").lower() == "close":
                self.close()
            return resp.status, data
        except Exception:
            self.close()
            raise

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Workload:
    def __init__(self, args):
        self.args = args
        self.stats = Stats()
        self.created = deque()
        self.created_lock = threading.Lock()
        self.seq = 0
        self.ids = self.image_ids()
        ops, weights = zip(*MIX)
        self.ops, self.weights = list(ops), list(weights)

    def image_ids(self):
        c = Client(self.args.api_port)
        status, data = c.request("GET", "/v1/images?limit=1000")
        c.close()
        if status != 200:
            sys.exit(f"GET /v1/images: {status}")
        ids = [i["id"] for i in json.loads(data)["images"]]
        if not ids:
            sys.exit("no images to read: seed them first")
        return ids

    def pick(self):
        return random.choices(self.ops, self.weights)[0]

    def run_op(self, client, op):
        """Performs op; returns (ok, why)."""
        if op == "delete_v1":
            with self.created_lock:
                victim = self.created.popleft() if len(self.created) > BACKLOG else None
            if victim is None:
                op = "create_v1"
            else:
                status, _ = client.request("DELETE", f"/v1/images/{victim}")
                return 200 <= status < 300, status
        if op == "create_v1":
            with self.created_lock:
                self.seq += 1
                n = self.seq
            status, data = client.request("POST", "/v1/images", body=b"", headers={
                "x-image-meta-name": f"soak-{n}", "x-image-meta-disk_format": "raw",
                "x-image-meta-container_format": "bare", "Content-Length": "0"})
            if 200 <= status < 300:
                with self.created_lock:
                    self.created.append(json.loads(data)["image"]["id"])
            return 200 <= status < 300, status
        image = random.choice(self.ids)
        if op == "head_v1":
            status, _ = client.request("HEAD", f"/v1/images/{image}")
        elif op == "detail_v1":
            status, _ = client.request("GET", "/v1/images/detail?limit=25")
        elif op == "show_v2":
            status, _ = client.request("GET", f"/v2/images/{image}")
        else:
            status, _ = client.request("GET", "/v2/images?limit=25")
        return 200 <= status < 300, status

    def timed(self, client, op, start):
        try:
            ok, why = self.run_op(client, op)
        except Exception as e:  # a failed request is a finding, counted and kept going
            ok, why = False, type(e).__name__
        self.stats.record(op, (time.monotonic() - start) * 1000.0, ok, why)

    def delete_leftovers(self):
        c = Client(self.args.api_port)
        while self.created:
            try:
                c.request("DELETE", f"/v1/images/{self.created.popleft()}")
            except Exception:
                pass
        c.close()


def peak(w, args):
    """Closed loop: --threads clients send the mix back to back; prints requests/s."""
    deadline = time.monotonic() + args.duration

    def loop():
        c = Client(args.api_port)
        while time.monotonic() < deadline:
            w.timed(c, w.pick(), time.monotonic())
        c.close()

    threads = [threading.Thread(target=loop) for _ in range(args.threads)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done, errors, lat = w.stats.take()
    w.delete_leftovers()
    secs = time.monotonic() - t0
    print(f"peak: {done / secs:.0f} requests/s with {args.threads} connections "
          f"({done} in {secs:.1f} s, {errors} errors, p50 {pct(lat, 50):.1f} ms, "
          f"p99 {pct(lat, 99):.1f} ms)")


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


def proc(pid):
    """(VmRSS KiB, open descriptors, threads) of pid; empty strings when it is gone."""
    try:
        rss = threads = ""
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1])
                elif line.startswith("Threads:"):
                    threads = int(line.split()[1])
        return rss, len(os.listdir(f"/proc/{pid}/fd")), threads
    except OSError:
        return "", "", ""


def uploader(w, args, deadline):
    """Every --upload-every seconds: a 1 MiB upload with data, its download (md5 checked)
    and its delete, each counted as a request."""
    c = Client(args.api_port)
    payload = os.urandom(args.upload_kib * 1024)
    md5 = hashlib.md5(payload).hexdigest()
    n = 0
    next_at = time.monotonic() + args.upload_every / 2
    while True:
        now = time.monotonic()
        if next_at >= deadline:
            break
        if next_at > now:
            time.sleep(next_at - now)
        next_at += args.upload_every
        n += 1
        start = time.monotonic()
        image = None
        try:
            status, data = c.request("POST", "/v1/images", body=payload, headers={
                "Content-Type": "application/octet-stream", "x-image-meta-name": f"soak-up-{n}",
                "x-image-meta-disk_format": "raw", "x-image-meta-container_format": "bare"})
            ok = status == 201
            if ok:
                info = json.loads(data)["image"]
                image = info["id"]
                ok = info.get("checksum") == md5
                status = status if ok else "checksum"
            w.stats.record("upload", (time.monotonic() - start) * 1000.0, ok, status)
        except Exception as e:
            w.stats.record("upload", (time.monotonic() - start) * 1000.0, False, type(e).__name__)
        if image is None:
            continue
        for method in ("GET", "DELETE"):
            start = time.monotonic()
            try:
                status, data = c.request(method, f"/v1/images/{image}")
                ok = status == 200 and (method == "DELETE" or hashlib.md5(data).hexdigest() == md5)
                why = status if status != 200 else "md5"
                w.stats.record(f"{method.lower()}_file", (time.monotonic() - start) * 1000.0, ok, why)
            except Exception as e:
                w.stats.record(f"{method.lower()}_file", (time.monotonic() - start) * 1000.0,
                               False, type(e).__name__)
    c.close()


FIELDS = ["elapsed_s", "api_rss_kib", "api_fds", "api_threads", "reg_rss_kib", "reg_fds",
          "reg_threads", "requests", "errors", "p50_ms", "p95_ms", "p99_ms"]


def soak(w, args):
    start = time.monotonic()
    deadline = start + args.duration
    slots = queue.Queue()
    stop = object()

    def worker():
        c = Client(args.api_port)
        while True:
            item = slots.get()
            if item is stop:
                break
            w.timed(c, item[1], item[0])
        c.close()

    def pacer():
        # Open loop: slot k starts at start + k / rate whatever the replies do.
        k = 0
        while True:
            at = start + k / args.rate
            if at >= deadline:
                break
            now = time.monotonic()
            if at > now:
                time.sleep(at - now)
            slots.put((at, w.pick()))
            k += 1

    workers = [threading.Thread(target=worker, daemon=True) for _ in range(args.threads)]
    for t in workers:
        t.start()
    helpers = [threading.Thread(target=pacer, daemon=True),
               threading.Thread(target=uploader, args=(w, args, deadline), daemon=True)]
    for t in helpers:
        t.start()

    rows = []
    with open(args.csv, "w", newline="") as f:
        out = csv.writer(f)
        out.writerow(FIELDS)
        f.flush()
        n = 1
        while True:
            at = start + n * args.sample
            if at > deadline + 0.5:
                break
            time.sleep(max(0.0, at - time.monotonic()))
            done, errors, lat = w.stats.take()
            row = [round(at - start)] + list(proc(args.api_pid)) + list(proc(args.registry_pid)) + \
                [done, errors] + [round(pct(lat, p), 2) for p in (50, 95, 99)]
            rows.append(row)
            out.writerow(row)
            f.flush()
            print(" ".join(f"{k}={v}" for k, v in zip(FIELDS, row)), file=sys.stderr, flush=True)
            n += 1
    for t in helpers:
        t.join()
    for _ in workers:
        slots.put(stop)
    for t in workers:
        t.join(TIMEOUT + 5)
    w.delete_leftovers()
    report(rows, args)
    if w.stats.errors_by_kind:
        print("\nErrors by request and status: " +
              ", ".join(f"{k} x{v}" for k, v in w.stats.errors_by_kind.most_common(10)))


# Slack below which a rise is noise whatever its ratio: a MiB of RSS, descriptors of
# connections in flight, a thread; latency on a shared machine needs 25 % and 2 ms.
SLACK = {"rss_kib": 1024, "fds": 4, "threads": 1, "ms": 2.0, "errors": 0, "requests": 0}
RATIO = {"ms": 1.25}


def windows(args):
    """(warm-up, window) in seconds: 300 and 600 for an hour; shorter runs scale down."""
    warm = min(300.0, args.duration / 6.0)
    return warm, min(600.0, (args.duration - warm) / 3.0)


def verdict(name, rows, col, args):
    warm, win = windows(args)
    end = rows[-1][0]
    first = [r[col] for r in rows if warm < r[0] <= warm + win and r[col] != ""]
    last = [r[col] for r in rows if r[0] > end - win and r[col] != ""]
    if not first or not last:
        return "n/a (too few samples)", "", ""
    a, b = statistics.median(first), statistics.median(last)
    slack = next(v for k, v in SLACK.items() if name.endswith(k))
    if name == "requests":
        # The rate is fixed: a fall means the client or the server could not keep up.
        return ("falls" if b < a * 0.9 else "flat"), a, b
    ratio = next((v for k, v in RATIO.items() if name.endswith(k)), 1.10)
    grows = b > a * ratio and b - a > slack
    if name == "errors":
        grows = b > a and b > 0
    return ("grows" if grows else "flat"), a, b


def report(rows, args):
    if not rows:
        print("no samples")
        return
    warm, win = windows(args)
    print(f"\n## Mixed soak: {args.duration} s at {args.rate:g} requests/s, "
          f"sampled every {args.sample} s ({len(rows)} samples)\n")
    print("| series | first interval | last interval | max | first window median | "
          "last window median | verdict |")
    print("|---|---:|---:|---:|---:|---:|---|")
    names = {"api_rss_kib": "glance-api VmRSS KiB", "api_fds": "glance-api fds",
             "api_threads": "glance-api threads", "reg_rss_kib": "glance-registry VmRSS KiB",
             "reg_fds": "glance-registry fds", "reg_threads": "glance-registry threads",
             "requests": "requests per interval", "errors": "errors per interval",
             "p50_ms": "latency p50 ms", "p95_ms": "latency p95 ms", "p99_ms": "latency p99 ms"}
    for col, field in enumerate(FIELDS[1:], start=1):
        vals = [r[col] for r in rows if r[col] != ""]
        key = field.split("_", 1)[1] if field.startswith(("api_", "reg_")) else field
        v, a, b = verdict(key, rows, col, args)
        print(f"| {names[field]} | {rows[0][col]} | {rows[-1][col]} | "
              f"{max(vals) if vals else ''} | {a:g} | {b:g} | {v} |")
    print(f"\nWindows: first = samples in ({warm:.0f}, {warm + win:.0f}] s (after the "
          f"warm-up), last = the last {win:.0f} s. Grows: last median > 1.10 x first median "
          f"and by more than a slack ({SLACK['rss_kib']} KiB, {SLACK['fds']} fds, "
          f"{SLACK['threads']} thread; latency 1.25 x and {SLACK['ms']:g} ms); errors grow "
          f"when the last window has more; requests fall when the last median < 0.9 x first.")
    print(f"Total: {sum(r[7] for r in rows)} requests, {sum(r[8] for r in rows)} errors.")


def report_csv(args):
    with open(args.csv, newline="") as f:
        rows = [[float(v) if v != "" else "" for v in r] for r in list(csv.reader(f))[1:]]
    report([[r[0]] + [int(v) if v != "" and col < 9 else v for col, v in enumerate(r[1:], 1)]
            for r in rows], args)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("mode", choices=["peak", "soak", "report"])
    p.add_argument("--api-port", type=int)
    p.add_argument("--api-pid", type=int)
    p.add_argument("--registry-pid", type=int)
    p.add_argument("--duration", type=float, default=3600)
    p.add_argument("--rate", type=float, default=500)
    p.add_argument("--sample", type=float, default=60)
    p.add_argument("--threads", type=int, default=32)
    p.add_argument("--upload-every", type=float, default=5)
    p.add_argument("--upload-kib", type=int, default=1024)
    p.add_argument("--csv")
    args = p.parse_args()
    if args.mode == "report":
        return report_csv(args)
    if args.api_port is None:
        p.error("--api-port is needed")
    w = Workload(args)
    if args.mode == "peak":
        peak(w, args)
    else:
        soak(w, args)


if __name__ == "__main__":
    main()
