"""A real gunicorn server for the benchmarks, and a small keep-alive load generator.

Pure Python (threads and ``http.client``), so it runs wherever the app runs.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

CSRF_RE = re.compile(rb'name="csrf_token"[^>]*value="([^"]+)"')
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A gunicorn process serving ``wsgi:app`` (as in production)."""

    port: int
    process: subprocess.Popen
    log_path: Path
    command: list[str]

    def stop(self) -> None:
        """Stop gunicorn (SIGTERM, then SIGKILL) and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)

    def worker_pids(self) -> set[int]:
        """Return the process ids of the workers (Linux /proc: the master's children)."""
        pids = set()
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == self.process.pid:
                    pids.add(int(stat.parent.name))
        return pids

    def fresh_workers(self, count: int, timeout: float = 60) -> None:
        """Replace every worker by a new one (SIGHUP, as a deploy does) and wait until
        ``count`` new workers answer: none of them has served a request yet."""
        old = self.worker_pids()
        self.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.worker_pids()
            if len(pids) == count and not pids & old:
                # Until they have loaded the app (their CPU time stands still).
                before = self.cpu_seconds()
                while time.monotonic() < deadline:
                    time.sleep(0.3)
                    now = self.cpu_seconds()
                    if now - before < 0.01:
                        return
                    before = now
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not renew its workers:\n{self.log_tail()}")

    def cpu_seconds(self, children: bool = False) -> float:
        """Return the CPU time (user + system) the workers used so far (Linux /proc);
        with ``children``, also that of the programs they ran and waited for (Graphviz)."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0.0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == self.process.pid:  # a worker: its parent is the master
                    total += (int(fields[11]) + int(fields[12])) / tick
                    if children:
                        total += (int(fields[13]) + int(fields[14])) / tick
        return total

    def log_tail(self, lines: int = 20) -> str:
        """Return the end of gunicorn's log."""
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


def gunicorn_command(port: int, workers: int = 2, worker_class: str = "sync",
                     threads: int = 4, app: str = "wsgi:app") -> list[str]:
    """Return the gunicorn command line the benchmark (and docs/deployment.md) uses."""
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers),
               "--worker-class", worker_class, "--bind", f"127.0.0.1:{port}",
               "--timeout", "60", "--graceful-timeout", "10", "--no-control-socket"]
    if worker_class == "gthread":
        command += ["--threads", str(threads)]
    return command + [app]


def start_server(env: dict[str, str], log_path: Path, worker_class: str = "sync",
                 workers: int = 2, threads: int = 4, app: str = "wsgi:app") -> Server:
    """Start gunicorn on a free loopback port and wait until /health answers."""
    port = free_port()
    command = gunicorn_command(port, workers, worker_class, threads, app)
    log = open(log_path, "ab")  # noqa: SIM115 - closed with the process below
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=log,
                               stderr=subprocess.STDOUT)
    log.close()
    server = Server(port, process, log_path, command)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start:\n{server.log_tail()}")
        try:
            status, _headers, _body = request(port, "GET", "/health")
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"gunicorn did not answer /health in 30 s:\n{server.log_tail()}")


def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None, timeout: float = 60
            ) -> tuple[int, http.client.HTTPMessage, bytes]:
    """Make one request on a new connection; return status, headers and body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def _cookies(headers: http.client.HTTPMessage, jar: dict[str, str]) -> None:
    for value in headers.get_all("Set-Cookie") or []:
        name, _sep, rest = value.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]


def sign_in(port: int, email: str, password: str) -> str:
    """Sign in through the real form (CSRF token included); return the Cookie header."""
    jar: dict[str, str] = {}
    status, headers, body = request(port, "GET", "/login")
    _cookies(headers, jar)
    match = CSRF_RE.search(body)
    if status != 200 or not match:
        raise RuntimeError(f"no sign-in form (status {status})")
    form = urlencode({"email": email, "password": password,
                      "csrf_token": match.group(1).decode()}).encode()
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    status, headers, _body = request(port, "POST", "/login", form, {
        "Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    if status != 302:
        raise RuntimeError(f"sign-in refused (status {status})")
    _cookies(headers, jar)
    return "; ".join(f"{k}={v}" for k, v in jar.items())


@dataclass
class LoadResult:
    """What a load run measured."""

    path: str
    clients: int
    seconds: float
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    bytes: int = 0
    load: str = ""
    reconnects: int = 0
    warmup_requests: int = 0
    cpu_ms: float = 0.0

    @property
    def requests(self) -> int:
        """Return how many requests completed in the measured window."""
        return len(self.latencies)

    @property
    def rps(self) -> float:
        """Return requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        """Return a latency percentile in milliseconds."""
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))
        return ordered[index] * 1000

    @property
    def p50(self) -> float:
        """Return the median latency in milliseconds."""
        return statistics.median(self.latencies) * 1000 if self.latencies else float("nan")

    @property
    def p95(self) -> float:
        """Return the 95th-percentile latency in milliseconds."""
        return self.percentile(0.95)

    @property
    def p99(self) -> float:
        """Return the 99th-percentile latency in milliseconds."""
        return self.percentile(0.99)


def drive(port: int, path: str, cookie: str, clients: int = 20, seconds: float = 8.0,
          warmup: float = 1.5) -> LoadResult:
    """Send GET ``path`` from ``clients`` threads, each on its own keep-alive connection.

    Every client sends its next request as soon as the previous answer is read (a closed
    loop). Only requests that start after ``warmup`` seconds and finish before the end are
    counted, so start-up and the last unfinished requests do not skew the figures.
    """
    result = LoadResult(path, clients, seconds)
    lock = threading.Lock()
    barrier = threading.Barrier(clients + 1)
    window: dict[str, float] = {}
    headers = {"Cookie": cookie, "Accept-Encoding": "identity"}

    def client() -> None:
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        errors = 0
        size = 0
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        barrier.wait()
        begin, end = window["begin"], window["end"]
        reconnects = 0
        outside = 0
        while True:
            started = time.perf_counter()
            if started >= end:
                break
            for attempt in (1, 2):
                try:
                    conn.request("GET", path, headers=headers)
                    response = conn.getresponse()
                    body = response.read()
                    status = response.status
                    if response.will_close:
                        conn.close()
                    break
                except (OSError, http.client.HTTPException):
                    # The server closed an idle keep-alive connection just as the request
                    # went out: like a browser, try once more on a new connection.
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    reconnects += 1
                    status = 0
                    if attempt == 2 and started >= begin:
                        errors += 1
            if status == 0:
                continue
            finished = time.perf_counter()
            if not (started >= begin and finished <= end):
                outside += 1
            if started >= begin and finished <= end:
                latencies.append(finished - started)
                statuses[status] = statuses.get(status, 0) + 1
                size += len(body)
                if status != 200:
                    errors += 1
        conn.close()
        with lock:
            result.latencies.extend(latencies)
            result.errors += errors
            result.reconnects += reconnects
            result.warmup_requests += outside
            result.bytes += size
            for status, count in statuses.items():
                result.statuses[status] = result.statuses.get(status, 0) + count

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    now = time.perf_counter()
    window["begin"] = now + warmup
    window["end"] = now + warmup + seconds
    barrier.wait()
    for thread in threads:
        thread.join(timeout=seconds + warmup + 120)
    return result
