"""Load for bench/connections.sh: many idle keep-alive connections, or many slow downloads,
against one glance-api, with its descriptors, memory and CPU read from /proc.

  idle --port P --pid PID --image ID [--idle 10000] [--requests 2000]
      One client times HEAD /v1/images/ID over one keep-alive connection; then IDLE more
      connections each make one HEAD and stay open, and the same client is timed again;
      then they close, and glance-api's descriptors must come back to where they were.
  slow --port P --pid PID --image ID --file F [--clients 1000] [--rate 1000000]
      CLIENTS downloads of image ID at once, each read at RATE bytes/s (a small receive
      buffer and paced reads), every byte compared with F.

Standard library only; loopback only; every socket has a timeout. Prints "key value" lines.
"""

import argparse
import asyncio
import multiprocessing
import os
import re
import resource
import socket
import statistics
import sys
import threading
import time

HOST = "127.0.0.1"
TIMEOUT = 60.0
HZ = os.sysconf("SC_CLK_TCK")


def out(key, value):
    print(key, value, flush=True)


# --- /proc -------------------------------------------------------------------------------------

def status_kib(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError("no %s for pid %d" % (field, pid))


def mib(pid, field="VmRSS"):
    return status_kib(pid, field) / 1024.0


def fds(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def tcp_sockets():
    """inode -> (local port, remote port, state) of every TCP socket on the machine."""
    table = {}
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(name) as f:
                next(f)
                for line in f:
                    c = line.split()
                    table[c[9]] = (int(c[1].rsplit(":", 1)[1], 16),
                                   int(c[2].rsplit(":", 1)[1], 16), c[3])
        except OSError:
            pass
    return table


def fd_kinds(pid, api_port, registry_port):
    """pid's descriptors: clients' connections to api_port, connections to the registry, and
    the rest (listener, files, epoll, ...)."""
    table = tcp_sockets()
    kinds = {"clients": 0, "registry": 0, "other": 0}
    for fd in os.listdir("/proc/%d/fd" % pid):
        try:
            target = os.readlink("/proc/%d/fd/%s" % (pid, fd))
        except OSError:
            continue
        m = re.match(r"socket:\[(\d+)\]", target)
        sock = table.get(m.group(1)) if m else None
        if sock and sock[0] == api_port and sock[2] != "0A":  # 0A: LISTEN
            kinds["clients"] += 1
        elif sock and sock[1] == registry_port:
            kinds["registry"] += 1
        else:
            kinds["other"] += 1
    return kinds


def kinds_str(k):
    return "clients=%(clients)d registry=%(registry)d other=%(other)d" % k


def cpu_ticks(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


# --- HTTP over raw sockets (no client library between the clock and the socket) ----------------

def head_request(image, keep_alive=True):
    return ("HEAD /v1/images/%s HTTP/1.1\r\nHost: %s\r\nConnection: %s\r\n\r\n"
            % (image, HOST, "keep-alive" if keep_alive else "close")).encode()


def read_head(sock):
    """Reads one response to HEAD (no body follows); returns its status code."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed after %d bytes" % len(data))
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    if rest:
        raise RuntimeError("unexpected bytes after a HEAD response")
    return int(head.split(b" ", 2)[1])


def time_heads(port, image, n):
    """n HEADs over one keep-alive connection; returns latencies in ms, sorted."""
    sock = socket.create_connection((HOST, port), timeout=TIMEOUT)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    req = head_request(image)
    lat = []
    for _ in range(n):
        t0 = time.perf_counter()
        sock.sendall(req)
        status = read_head(sock)
        lat.append((time.perf_counter() - t0) * 1000)
        if status != 200:
            raise RuntimeError("HEAD answered %d" % status)
    sock.close()
    return sorted(lat)


def pct(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p / 100))]


def report_latency(name, lat):
    out(name + "_median_ms", "%.3f" % statistics.median(lat))
    out(name + "_p99_ms", "%.3f" % pct(lat, 99))


def wait_released(a, base, seconds):
    """Waits until glance-api holds no client connection and no more other descriptors than
    `base` had; returns the last count. Registry connections are pooled (up to the pool's
    size) and are reported, not waited for."""
    deadline = time.monotonic() + seconds
    k = fd_kinds(a.pid, a.port, a.registry_port)
    while (k["clients"] > 0 or k["other"] > base["other"]) and time.monotonic() < deadline:
        time.sleep(0.2)
        k = fd_kinds(a.pid, a.port, a.registry_port)
    return k


def report_released(a, name, base):
    k = wait_released(a, base, 30)
    out(name, kinds_str(k))
    ok = k["clients"] == 0 and k["other"] <= base["other"]
    out(name + "_ok", "yes" if ok else "NO (before: %s)" % kinds_str(base))


# --- idle ----------------------------------------------------------------------------------------

def open_idle(a, prefix):
    """Opens a.idle connections, each left idle after one HEAD; returns those answered 200."""
    # In batches of 500: connect and send a HEAD on each, then read the batch's answers. Each
    # connection stays open, idle after its response.
    idle, statuses, errors = [], {}, {}
    req = head_request(a.image)
    t0 = time.monotonic()
    batch = 500
    if not prefix:
        out("curve", "0 %.1f" % mib(a.pid))
    for start in range(0, a.idle, batch):
        socks = []
        for _ in range(min(batch, a.idle - start)):
            try:
                s = socket.create_connection((HOST, a.port), timeout=TIMEOUT)
                s.sendall(req)
                socks.append(s)
            except OSError as e:
                errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
        for s in socks:
            try:
                code = read_head(s)
                statuses[code] = statuses.get(code, 0) + 1
                if code == 200:
                    idle.append(s)
                else:
                    s.close()
            except (OSError, ConnectionError) as e:
                errors[type(e).__name__] = errors.get(type(e).__name__, 0) + 1
                s.close()
        if not prefix:
            # RSS against the connections open so far (first round): "curve N MiB".
            out("curve", "%d %.1f" % (len(idle), mib(a.pid)))
    out(prefix + "idle_open_s", "%.1f" % (time.monotonic() - t0))
    out(prefix + "idle_open", len(idle))
    out(prefix + "idle_statuses", ",".join("%d:%d" % kv for kv in sorted(statuses.items())) or "-")
    out(prefix + "idle_errors", ",".join("%s:%d" % kv for kv in sorted(errors.items())) or "-")
    return idle


def run_idle(a):
    time_heads(a.port, a.image, 200)  # warm the registry client and the page cache
    time.sleep(1)
    base = fd_kinds(a.pid, a.port, a.registry_port)
    out("fds_before", kinds_str(base))
    out("rss_before_mib", "%.1f" % mib(a.pid))
    report_latency("head_alone", time_heads(a.port, a.image, a.requests))
    rss_base = mib(a.pid)

    idle = open_idle(a, "")
    time.sleep(2)
    rss_idle = mib(a.pid)
    out("fds_with_idle", kinds_str(fd_kinds(a.pid, a.port, a.registry_port)))
    out("rss_with_idle_mib", "%.1f" % rss_idle)
    out("per_connection_kib", "%.2f" % ((rss_idle - rss_base) * 1024 / max(1, len(idle))))
    report_latency("head_with_idle", time_heads(a.port, a.image, a.requests))
    # The idle connections must all still be there, and still answer.
    req = head_request(a.image)
    still = 0
    for s in idle[:: max(1, len(idle) // 100)]:
        try:
            s.sendall(req)
            still += read_head(s) == 200
        except (OSError, ConnectionError):
            pass
    out("idle_sampled_still_answer", "%d/%d" % (still, len(idle[:: max(1, len(idle) // 100)])))
    out("fds_with_idle_after", kinds_str(fd_kinds(a.pid, a.port, a.registry_port)))

    for s in idle:
        s.close()
    report_released(a, "fds_after_close", base)
    time.sleep(1)
    out("rss_after_close_mib", "%.1f" % mib(a.pid))
    report_latency("head_after_close", time_heads(a.port, a.image, a.requests))
    out("vmhwm_mib", "%.1f" % mib(a.pid, "VmHWM"))
    # More rounds: memory that grows again by as much each round is leaked; memory the
    # allocator keeps for reuse levels off.
    for r in range(2, a.rounds + 1):
        prefix = "round%d_" % r
        idle = open_idle(a, prefix)
        time.sleep(2)
        out(prefix + "rss_with_idle_mib", "%.1f" % mib(a.pid))
        for s in idle:
            s.close()
        report_released(a, prefix + "fds_after_close", base)
        time.sleep(1)
        out(prefix + "rss_after_close_mib", "%.1f" % mib(a.pid))
        out(prefix + "vmhwm_mib", "%.1f" % mib(a.pid, "VmHWM"))
    out("api_alive", "yes" if alive(a.pid) else "NO")


# --- slow ----------------------------------------------------------------------------------------

class SlowDownload(asyncio.Protocol):
    """One GET of the image, read at `rate` bytes/s: reading pauses until the bytes read so
    far are due, the socket's small receive buffer fills, and TCP's window makes the server
    wait. Every body byte is compared with `ref`."""

    def __init__(self, ref, rate, started):
        self.ref, self.rate, self.started = ref, rate, started
        self.loop = asyncio.get_running_loop()
        self.done = self.loop.create_future()
        self.head = b""
        self.body_start = None
        self.got = 0
        self.same = True
        self.error = ""
        self.last_data = time.monotonic()

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        self.last_data = time.monotonic()
        if self.body_start is None:
            self.head += data
            if b"\r\n\r\n" not in self.head:
                return
            head, data = self.head.split(b"\r\n\r\n", 1)
            status = int(head.split(b" ", 2)[1])
            if status != 200:
                self.error = "status %d" % status
                self.transport.close()
                return
            self.body_start = self.last_data
            self.started.append(self.last_data)
        n = len(data)
        if self.same and (self.got + n > len(self.ref) or data != self.ref[self.got:self.got + n]):
            self.same = False
        self.got += n
        due = self.body_start + self.got / self.rate
        if due > time.monotonic():
            self.transport.pause_reading()
            self.loop.call_at(self.loop.time() + due - time.monotonic(), self.resume)

    def resume(self):
        if not self.transport.is_closing():
            self.last_data = time.monotonic()
            self.transport.resume_reading()

    def connection_lost(self, exc):
        if exc and not self.error:
            self.error = "%s: %s" % (type(exc).__name__, exc)
        if not self.done.done():
            self.done.set_result(None)


async def slow_download(a, ref, started, results, downloads):
    loop = asyncio.get_running_loop()
    t0 = time.monotonic()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)  # before connect: the window
    sock.setblocking(False)
    try:
        await asyncio.wait_for(loop.sock_connect(sock, (HOST, a.port)), TIMEOUT)
        transport, proto = await loop.create_connection(
            lambda: SlowDownload(ref, a.rate, started), sock=sock)
    except Exception as e:  # a failed download is a result, not a crash of the client
        sock.close()
        results.append((False, 0, time.monotonic() - t0, "%s: %s" % (type(e).__name__, e)))
        return
    downloads.append(proto)
    transport.write(("GET /v1/images/%s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
                     % (a.image, HOST)).encode())
    await proto.done
    ok = proto.same and proto.got == len(ref) and not proto.error
    results.append((ok, proto.got, time.monotonic() - t0, proto.error))


async def watchdog(downloads):
    """Aborts a download that received nothing for TIMEOUT seconds (paused ones are fresh)."""
    while True:
        await asyncio.sleep(5)
        now = time.monotonic()
        for d in downloads:
            if not d.done.done() and now - d.last_data > TIMEOUT:
                d.error = "no data for %.0f s" % TIMEOUT
                d.transport.abort()


def slow_worker(a, n, go, queue):
    with open(a.file, "rb") as f:
        ref = f.read()
    started, results, downloads = [], [], []

    async def main():
        dog = asyncio.ensure_future(watchdog(downloads))
        await asyncio.gather(*(slow_download(a, ref, started, results, downloads)
                               for _ in range(n)))
        dog.cancel()

    go.wait()
    asyncio.run(main())
    queue.put((started, results))


def run_slow(a):
    ctx = multiprocessing.get_context("fork")
    go = ctx.Event()
    queue = ctx.Queue()
    procs, per = [], [a.clients // a.procs + (i < a.clients % a.procs) for i in range(a.procs)]
    for n in per:
        p = ctx.Process(target=slow_worker, args=(a, n, go, queue))
        p.start()
        procs.append(p)
    time.sleep(1)
    base = fd_kinds(a.pid, a.port, a.registry_port)
    rss0, hwm0 = mib(a.pid), mib(a.pid, "VmHWM")
    out("fds_before", kinds_str(base))
    out("rss_before_mib", "%.1f" % rss0)
    out("vmhwm_before_mib", "%.1f" % hwm0)

    samples = []  # (t, rss MiB, fds)
    collected = []
    t0 = time.monotonic()
    c0 = cpu_ticks(a.pid)
    go.set()
    # Sample while waiting for the workers' results.
    done = threading.Event()

    def collect():
        for _ in procs:
            collected.append(queue.get())
        done.set()

    threading.Thread(target=collect, daemon=True).start()
    while not done.is_set():
        if alive(a.pid):
            samples.append((time.monotonic() - t0, mib(a.pid), fds(a.pid)))
        done.wait(0.5)
    t1 = time.monotonic()
    c1 = cpu_ticks(a.pid) if alive(a.pid) else c0
    for p in procs:
        p.join()
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    client_cpu = children.ru_utime + children.ru_stime

    started = sorted(t - t0 for s, _ in collected for t in s)
    results = [r for _, rs in collected for r in rs]
    ok = sum(1 for r in results if r[0])
    size = os.path.getsize(a.file)
    durations = sorted(r[2] for r in results)
    total = sum(r[1] for r in results)
    wall = t1 - t0
    out("clients", len(results))
    out("image_bytes", size)
    out("complete_byte_exact", "%d/%d" % (ok, len(results)))
    errs = {}
    for r in results:
        if r[3]:
            errs[r[3]] = errs.get(r[3], 0) + 1
    for e, n in sorted(errs.items(), key=lambda kv: -kv[1])[:5]:
        out("error", "%d x %s" % (n, e))
    out("wall_s", "%.1f" % wall)
    out("download_s_median", "%.1f" % statistics.median(durations))
    out("download_s_min_max", "%.1f-%.1f" % (durations[0], durations[-1]))
    out("per_client_mb_s_median", "%.2f" % (size / statistics.median(durations) / 1e6))
    out("aggregate_mb_s", "%.0f" % (total / wall / 1e6))
    out("all_started_by_s", "%.1f" % (started[-1] if started else -1))
    # "During": from the moment all had their headers to the first one finished.
    first_end = durations[0]
    window = [s for s in samples if (started and s[0] >= started[-1]) and s[0] <= first_end]
    if window:
        rss = sorted(s[1] for s in window)
        out("rss_during_median_mib", "%.1f" % statistics.median(rss))
        out("rss_during_max_mib", "%.1f" % rss[-1])
        out("fds_during_max", max(s[2] for s in window))
    out("rss_sampled_max_mib", "%.1f" % max((s[1] for s in samples), default=0))
    out("client_cpu_pct_of_one_core", "%.0f" % (client_cpu / wall * 100))
    out("cpu_s", "%.2f" % ((c1 - c0) / HZ))
    out("cpu_pct_of_one_core", "%.0f" % ((c1 - c0) / HZ / wall * 100))
    if alive(a.pid):
        out("vmhwm_after_mib", "%.1f" % mib(a.pid, "VmHWM"))
        report_released(a, "fds_after", base)
        time.sleep(1)
        out("rss_after_mib", "%.1f" % mib(a.pid))
    out("api_alive", "yes" if alive(a.pid) else "NO")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["idle", "slow"])
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--pid", type=int, required=True)
    p.add_argument("--registry-port", type=int, required=True)
    p.add_argument("--image", required=True)
    p.add_argument("--idle", type=int, default=10000)
    p.add_argument("--requests", type=int, default=2000)
    p.add_argument("--rounds", type=int, default=3, help="times the idle connections are opened")
    p.add_argument("--file")
    p.add_argument("--clients", type=int, default=1000)
    p.add_argument("--rate", type=float, default=1e6, help="bytes/s per download")
    p.add_argument("--rcvbuf", type=int, default=131072, help="SO_RCVBUF of each download")
    p.add_argument("--procs", type=int, default=2, help="client processes for slow")
    a = p.parse_args()
    if a.mode == "idle":
        run_idle(a)
    else:
        if not a.file:
            p.error("slow needs --file")
        run_slow(a)


if __name__ == "__main__":
    sys.exit(main())
