"""Several client processes POSTing executions at one `roi-ledger serve` on loopback.

    python bench/api_load.py [--clients 4] [--requests 250] [--workers 1]

Every execution must be recorded, the log gap-free and `verify` clean afterwards. Throughput
and p50/p99 latency are printed beside the same appends through the Python API (one process,
one call per execution) in the same run.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import machine, report  # noqa: E402
from ledger import Ledger  # noqa: E402

PATTERNS = 8


def execution(client: int, n: int) -> dict[str, object]:
    return {
        "pattern_id": f"p{(client + n) % PATTERNS}",
        "workflow_id": client * 100_000 + n,
        "execution_time_seconds": 30 + n % 40,
        "actual_cost": 0.01,
        "success": n % 10 != 0,
    }


def client_run(args: tuple[int, int, int]) -> list[float]:
    """One client: `requests` POSTs over one keep-alive connection; each latency (s)."""
    port, client, requests = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies = []
    for n in range(requests):
        body = json.dumps(execution(client, n))
        start = time.perf_counter()
        conn.request("POST", "/api/roi-tracking/executions", body,
                     {"Content-Type": "application/json"})  # fmt: skip
        response = conn.getresponse()
        response.read()
        latencies.append(time.perf_counter() - start)
        assert response.status == 201, response.status
    conn.close()
    return latencies


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def approve_all(db: Path) -> None:
    with Ledger.open(db) as led:
        for p in range(PATTERNS):
            led.approve_pattern(f"p{p}", "60", "0.015")


def over_http(db: Path, clients: int, requests: int, workers: int) -> tuple[float, list[float]]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "ledger", "--db", str(db), "serve", "--port", str(port),
         "--workers", str(workers)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        start = time.perf_counter()
        with multiprocessing.Pool(clients) as pool:
            runs = pool.map(client_run, [(port, c, requests) for c in range(clients)])
        seconds = time.perf_counter() - start
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return seconds, [lat for run in runs for lat in run]


def in_process(db: Path, total: int) -> tuple[float, list[float]]:
    latencies = []
    with Ledger.open(db) as led:
        start = time.perf_counter()
        for n in range(total):
            e = execution(n % 4, n)
            t = time.perf_counter()
            led.record_execution(
                str(e["pattern_id"]), str(e["execution_time_seconds"]), "0.01", bool(e["success"])
            )
            latencies.append(time.perf_counter() - t)
        return time.perf_counter() - start, latencies


def pct(values: list[float], q: float) -> str:
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--requests", type=int, default=250, help="per client")
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    total = args.clients * args.requests
    work = Path(tempfile.mkdtemp())
    served, local = work / "served.db", work / "local.db"
    approve_all(served)
    approve_all(local)
    os.environ.pop("ROI_LEDGER_API_TOKEN", None)
    http_s, http_lat = over_http(served, args.clients, args.requests, args.workers)
    local_s, local_lat = in_process(local, total)
    with Ledger.open(served) as led:
        check = led.verify(projections=True)
        head = led.digest()["seq"]
    assert check["ok"], check
    assert head == PATTERNS + total, (head, PATTERNS + total)
    print(f"# {machine()}; {total} executions: {args.clients} clients x {args.requests}, "
          f"{args.workers} worker(s); all recorded, gap-free, verify ok")  # fmt: skip
    report(
        "POST /api/roi-tracking/executions vs the Python API",
        [
            (
                "HTTP, concurrent clients",
                f"{total / http_s:,.0f} ev/s",
                f"p50 {pct(http_lat, 0.5)}, p99 {pct(http_lat, 0.99)}",
            ),
            (
                "Python API, one process",
                f"{total / local_s:,.0f} ev/s",
                f"p50 {pct(local_lat, 0.5)}, p99 {pct(local_lat, 0.99)}",
            ),
            (
                "HTTP / Python API",
                f"{(total / http_s) / (total / local_s):.2f}x",
                f"mean latency {statistics.mean(http_lat) * 1000:.1f} ms",
            ),
        ],
    )


if __name__ == "__main__":
    main()
