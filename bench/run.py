"""Every performance goal in one run: each figure beside its baseline from the same run.

    python bench/run.py            # 1M-event ledger, 100k-event batch (tens of minutes)
    python bench/run.py --quick    # small sizes, seconds: proves the benchmarks still run
    python bench/run.py --pg postgresql://postgres@127.0.0.1:5432/test   # writers on PG too

Builds its own data in a temporary folder (BENCH_DIR to choose where). Prints one table:
the figure, its baseline, the ratio and the goal (issue 12). Timings are never asserted:
this machine is shared and noisy, so read ratios within a run, not figures across runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import best_of, machine, timed, write_executions
from bench.log_scale import DAYS, PATTERNS, QUERIES, write_decisions
from ledger import Ledger
from ledger.app.batch import read_commands

Row = tuple[str, str, str, str, str]
"""figure, measured, baseline, ratio, goal."""

AS_OF_QUERIES: dict[str, Callable[[Ledger, Any], Any]] = {
    "roi summary": lambda led, at: led.roi_summary(as_of=at),
    "roi pattern": lambda led, at: led.pattern_roi("pattern-007", as_of=at),
    "decisions conversions": lambda led, at: led.conversion_metrics(as_of=at),
}


def build(path: Path, events: int, workdir: Path, keys: bool = False) -> float:
    """A ledger of `events` events over the same calendar whatever its size: half executions
    over PATTERNS patterns, a quarter decisions, a quarter their outcomes. Returns the
    seconds `record batch` took."""
    executions = workdir / f"{path.stem}-x.jsonl"
    decisions = workdir / f"{path.stem}-d.jsonl"
    write_executions(executions, events // 2 - PATTERNS, PATTERNS, keys=keys, days=DAYS)
    write_decisions(decisions, events // 4)
    with Ledger.open(path) as led:
        start = time.perf_counter()
        for source in (executions, decisions):
            with source.open("rb") as handle:
                outcome = led.execute_batch(read_commands(handle))
                assert not outcome.rejected, outcome.rejected[:3]
        return time.perf_counter() - start


def ingest(workdir: Path, events: int) -> list[Row]:
    """`record batch` of mixed events with idempotency keys, against raw sqlite3 and the
    eventsourcing library."""
    from bench.batch_append import eventsourcing_lib, raw_sqlite

    db = workdir / "ingest.db"
    ours_s = build(db, events, workdir, keys=True)
    rows = [tuple(r) for r in sqlite3.connect(db).execute("SELECT * FROM events ORDER BY seq")]
    raw_s = raw_sqlite(workdir, rows)  # the same rows, raw executemany, one transaction
    ours, raw = len(rows) / ours_s, len(rows) / raw_s
    out: list[Row] = [
        (
            f"record batch, {len(rows):,} mixed events",
            f"{ours:,.0f} ev/s",
            f"raw sqlite3 {raw:,.0f} rows/s",
            f"{ours / raw:.2f}",
            "≥ 0.20",
        )
    ]
    es_s = eventsourcing_lib(workdir, len(rows), PATTERNS)
    if es_s is None:
        out.append(
            ("  vs eventsourcing", "—", "not installed: pip install -e '.[bench]'", "", "≥ 1×")
        )
    else:
        es = len(rows) / es_s
        out.append(
            ("  vs eventsourcing (100/save)", f"{ours:,.0f} ev/s", f"{es:,.0f} ev/s",
             f"{ours / es:.2f}×", "≥ 1×")
        )  # fmt: skip
    return out


def file_size(path: Path, events: int, workdir: Path, raw_events: int) -> list[Row]:
    """Bytes on disk per 1M events: the ledger (log, projections, their row versions and
    indexes) against the log alone (the raw sqlite3 copy of the ingest's events)."""

    def size(db: Path) -> int:
        return sum(p.stat().st_size for p in db.parent.glob(db.name + "*"))

    ours = size(path) / events * 1e6
    raw = size(workdir / "raw.db") / raw_events * 1e6
    return [
        ("file size per 1M events", f"{ours / 2**20:,.0f} MB",
         f"the log alone {raw / 2**20:,.0f} MB", f"{ours / raw:.1f}×", "reported")
    ]  # fmt: skip


def batch_rows(workdir: Path) -> int:
    """Events in the ingest's raw copy of the log."""
    conn = sqlite3.connect(workdir / "raw.db")
    try:
        return int(conn.execute("SELECT count(*) FROM events").fetchone()[0])
    finally:
        conn.close()


def rebuild(db: Path, events: int) -> list[Row]:
    """`rebuild` in a child process (its peak RSS is the rebuild's own) against a raw scan
    of the payloads with json.loads."""

    def raw_scan() -> None:
        conn = sqlite3.connect(db)
        for (payload,) in conn.execute("SELECT payload FROM events ORDER BY seq"):
            json.loads(payload)
        conn.close()

    raw_s = best_of(3, raw_scan)
    code = (
        "import json, resource, sys, time\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parents[1])!r})\n"
        "from ledger import Ledger\n"
        f"led = Ledger.open({str(db)!r})\n"
        "start = time.perf_counter(); led.rebuild(); took = time.perf_counter() - start\n"
        "print(json.dumps([took, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss]))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    took, rss_kb = json.loads(out.stdout.strip().splitlines()[-1])
    return [
        (
            f"rebuild of {events:,} events",
            f"{events / took:,.0f} ev/s",
            f"raw scan {events / raw_s:,.0f} rows/s",
            f"{raw_s / took:.2f}",
            "≥ 0.20",
        ),
        ("  peak RSS of the rebuild", f"{rss_kb / 1024:,.0f} MB", "", "", "≤ 200 MB"),
    ]


def queries_flat(
    small: Ledger, middle: Ledger, big: Ledger, sizes: tuple[int, int, int]
) -> list[Row]:
    """Every report query live on three ledgers over the same calendar."""
    out: list[Row] = []
    for name, query in QUERIES.items():
        times = [best_of(10, lambda led=led, q=query: q(led)) for led in (small, middle, big)]
        out.append(
            (
                f"{name} at {sizes[0]:,} / {sizes[1]:,} / {sizes[2]:,}",
                " / ".join(f"{t * 1000:.2f}" for t in times) + " ms",
                f"{times[0] * 1000:.2f} ms at {sizes[0]:,}",
                f"{times[2] / times[0]:.2f}×",
                "≤ 1.2×",
            )
        )
    return out


def as_of(big: Ledger, db: Path, events: int, runs: int) -> list[Row]:
    """Each goal query as of the middle of the log against the same query live: in-process
    (each run at a new seq, so no state is reused) and as a user runs it, from the shell."""
    out: list[Row] = []
    middle = big.head().seq // 2
    for name, query in AS_OF_QUERIES.items():
        live = best_of(runs, lambda q=query: q(big, None))
        # cold: a new seq each time (its state worked out, a unit's events folded if the seq
        # falls inside one); warm: the same seq again (the per-statement as-of SQL alone)
        cold = sorted(timed(lambda q=query, i=i: q(big, middle + i))[0] for i in range(runs))
        warm = best_of(runs, lambda q=query: q(big, middle))
        out.append(
            (
                f"{name} --as-of {middle:,} (of {events:,}), in-process",
                f"cold {statistics.median(cold) * 1000:.2f} ms (worst {cold[-1] * 1000:.1f}),"
                f" warm {warm * 1000:.2f} ms",
                f"live {live * 1000:.2f} ms",
                f"{statistics.median(cold) / live:.1f}× / {warm / live:.1f}×",
                "≤ 2×",
            )
        )
    shell = {
        "roi summary": ["roi", "summary"],
        "roi pattern": ["roi", "pattern", "pattern-007"],
        "decisions conversions": ["decisions", "conversions"],
    }
    for args in shell.values():
        base = [sys.executable, "-m", "ledger", *args, "--db", str(db), "--json"]

        def run(extra: list[str], base: list[str] = base) -> float:
            start = time.perf_counter()
            subprocess.run([*base, *extra], check=True, capture_output=True)
            return time.perf_counter() - start

        live_s = statistics.median(run([]) for _ in range(5))
        past_s = statistics.median(run(["--as-of", str(middle + 7 + i)]) for i in range(5))
        out.append(
            (
                f"roi-ledger {' '.join(args)} --as-of the middle",
                f"{past_s * 1000:.0f} ms",
                f"live {live_s * 1000:.0f} ms",
                f"{past_s / live_s:.2f}×",
                "≤ 2×",
            )
        )
    return out


WRITER = """
import json, sys, time
sys.path.insert(0, {root!r})
from ledger import Ledger
led = Ledger.open({location!r})
print("ready", flush=True)
sys.stdin.readline()  # every writer is started and connected: go
worst, start = 0.0, time.time()
for i in range({count}):
    t = time.perf_counter()
    led.record_execution(pattern_id="pattern-000", execution_time_seconds=40,
                         actual_cost="0.01", success=True)
    worst = max(worst, time.perf_counter() - t)
print(json.dumps([start, time.time(), worst]))
"""


def writers(location: str, count: int, processes: int = 4) -> tuple[float, float]:
    """`processes` writers appending `count` executions each, one transaction per append:
    total appends per second from the moment all of them are started and connected (so
    the start-up of 16 Python processes is not counted as appending), and the worst single
    append's latency."""
    with Ledger.open(location) as led:
        led.approve_pattern(
            pattern_id="pattern-000", estimated_time_seconds=60, estimated_cost="0.02"
        )
    code = WRITER.format(
        root=str(Path(__file__).resolve().parents[1]), location=location, count=count
    )
    children = [
        subprocess.Popen(
            [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        for _ in range(processes)
    ]
    for child in children:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    results = [json.loads(c.communicate()[0].strip().splitlines()[-1]) for c in children]
    total = max(r[1] for r in results) - min(r[0] for r in results)
    with Ledger.open(location) as led:
        assert led.head().seq == 1 + processes * count, "an append was lost"
        assert led.verify(projections=True)["ok"]
    return processes * count / total, max(r[2] for r in results)


def pg_schema(base: str) -> tuple[str, Callable[[], None]]:
    """A fresh schema on the server and a function that drops it."""
    import uuid

    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(base, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")

    def drop() -> None:
        with psycopg.connect(base, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")

    sep = "&" if "?" in base else "?"
    return f"{base}{sep}options=-csearch_path%3D{schema}", drop


def concurrent(workdir: Path, count: int, pg: str | None) -> list[Row]:
    """4 writer processes on SQLite; on PostgreSQL 1, 4 and 16 (the same appends in all,
    split among them), each against SQLite's 4."""
    rate, worst = writers(str(workdir / "writers.db"), count)
    out: list[Row] = [
        ("4 writer processes, SQLite", f"{rate:,.0f} appends/s",
         f"worst {worst * 1000:.0f} ms", "", "reported")
    ]  # fmt: skip
    if pg is None:
        out.append(("writer processes, PostgreSQL", "—", "no --pg URL given", "", "≥ SQLite"))
        return out
    for processes in (1, 4, 16):
        url, drop = pg_schema(pg)
        try:
            pg_rate, pg_worst = writers(url, count * 4 // processes, processes)
        finally:
            drop()
        out.append(
            (f"{processes} writer process{'es' if processes > 1 else ''}, PostgreSQL",
             f"{pg_rate:,.0f} appends/s", f"worst {pg_worst * 1000:.0f} ms",
             f"{pg_rate / rate:.2f}× SQLite's 4",
             "≥ 1× at 4, rising 1→4→16")
        )  # fmt: skip
    return out


def startup(runs: int) -> list[Row]:
    """One `record execution` from the shell against `import typer, pydantic` (bench/startup.py
    for CPU time and instruction counts)."""
    from bench.startup import shell_append

    measured = shell_append(runs)
    ours, floor = measured["ours_wall"], measured["floor_wall"]
    model = measured["model_wall"]
    return [
        ("one append from the shell (wall)", f"{ours * 1000:.0f} ms",
         f"import typer, pydantic {floor * 1000:.0f} ms", f"{ours / floor:.2f}×", "≤ 1.5×"),
        ("  the same against typer + pydantic + one model", f"{ours * 1000:.0f} ms",
         f"{model * 1000:.0f} ms", f"{ours / model:.2f}×", "reported"),
    ]  # fmt: skip


def table(rows: list[Row]) -> None:
    """The one table the run prints."""
    head: Row = ("figure", "measured", "baseline (same run)", "ratio", "goal")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(5)]
    for r in [head, tuple("-" * w for w in widths), *rows]:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: seconds, not minutes")
    parser.add_argument("--events", type=int, help="events in the big ledger (default 1,000,000)")
    parser.add_argument("--batch", type=int, help="events in the ingest batch (default 100,000)")
    parser.add_argument("--pg", default=os.environ.get("ROI_LEDGER_TEST_PG_URL"),
                        help="a PostgreSQL URL for the writers' comparison")  # fmt: skip
    args = parser.parse_args()
    big_n = args.events or (4_000 if args.quick else 1_000_000)
    batch_n = args.batch or (2_000 if args.quick else 100_000)
    sizes = (1_000, max(big_n // 10, 2_000), max(big_n, 4_000))
    runs = 3 if args.quick else 10
    rows: list[Row] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        workdir = Path(tmp)
        rows += ingest(workdir, batch_n)
        paths = [workdir / f"ledger-{n}.db" for n in sizes]
        for path, n in zip(paths, sizes, strict=True):
            build(path, n, workdir)
        ledgers = [Ledger.open(p) for p in paths]
        try:
            rows += as_of(ledgers[2], paths[2], big_n, runs)
            rows += queries_flat(ledgers[0], ledgers[1], ledgers[2], sizes)
        finally:
            for led in ledgers:
                led.close()
        rows += file_size(paths[2], big_n, workdir, batch_rows(workdir))
        rows += rebuild(paths[2], big_n)
        rows += concurrent(workdir, 25 if args.quick else 250, args.pg)
        rows += startup(3 if args.quick else 11)
    print(f"# {machine()}; {time.perf_counter() - started:,.0f} s in all"
          f"{' (--quick: sizes too small for the goals)' if args.quick else ''}")  # fmt: skip
    table(rows)


if __name__ == "__main__":
    main()
