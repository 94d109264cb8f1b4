"""How fast does `record batch` append, next to raw sqlite3 and the eventsourcing library?

    python bench/batch_append.py [--executions 100000] [--patterns 50]

Ours: every line parsed and validated, decided against the pattern's state, hash-chained,
appended with the inline projections (pattern_executions, pattern_roi_summary, registry)
and committed with fsync every chunk (synchronous=FULL). Baselines, same machine, same run:
raw `sqlite3.executemany` of the very same event rows into an identical `events` table in
one transaction; the `eventsourcing` library (SQLite) saving 100 events per save, its best
case, each event carrying the same fields as ours. And the floor of this design: every SQL
statement our run issued (log rows, projection rows, state reads, checkpoints, commits),
recorded and replayed through plain `sqlite3` on a fresh ledger file, with no Python work in
between: what appending *with inline projections* costs in SQLite alone.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Statement, machine, recording, replay, report, timed, write_executions
from ledger import Ledger
from ledger.app.batch import read_commands
from ledger.store.sqlite import LOG_DDL


def ours(workdir: Path, source: Path, name: str) -> tuple[float, int, Path]:
    db = workdir / f"{name}.db"
    with Ledger.open(db) as led, source.open("rb") as handle:
        seconds, outcome = timed(lambda: led.execute_batch(read_commands(handle)))
    assert not outcome.rejected, outcome.rejected[:3]
    return seconds, outcome.accepted, db


def record_sql(workdir: Path, source: Path) -> list[Statement]:
    """Every statement a `record batch` of the file issues (a separate, untimed run)."""
    led = Ledger.open(workdir / "recorded.db")
    with led, source.open("rb") as handle, recording(led) as statements:
        led.execute_batch(read_commands(handle))
    return statements


def replay_sql(workdir: Path, statements: list[Statement]) -> float:
    """Replay recorded statements on a fresh ledger file (same schema, same pragmas)."""
    db = workdir / "replayed.db"
    Ledger.open(db).close()  # the schema, nothing else
    return replay(db, statements)


def raw_sqlite(workdir: Path, rows: list[tuple[object, ...]]) -> float:
    db = workdir / "raw.db"
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    for statement in LOG_DDL:
        conn.execute(statement)

    def insert() -> None:
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO events VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
        conn.execute("COMMIT")

    seconds, _ = timed(insert)
    conn.close()
    return seconds


def eventsourcing_lib(workdir: Path, executions: int, patterns: int) -> float | None:
    try:
        from eventsourcing.application import Application
        from eventsourcing.domain import Aggregate, event
    except ImportError:
        return None

    class Pattern(Aggregate):  # type: ignore[misc]
        @event("Approved")
        def __init__(self, pattern_id: str) -> None:
            self.pattern_id = pattern_id

        @event("ExecutionRecorded")
        def record(
            self,
            workflow_id: int,
            execution_time_seconds: Decimal,
            estimated_time_seconds: Decimal,
            actual_cost: Decimal,
            estimated_cost: Decimal,
            success: bool,
            error_message: str | None,
            executed_at: str,
        ) -> None:
            pass

    env = {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(workdir / "es.db")}
    app = Application(env=env)
    aggregates = [Pattern(f"pattern-{p:03d}") for p in range(patterns)]
    for agg in aggregates:
        app.save(agg)

    def run() -> None:
        per_save = 100
        done = 0
        while done < executions:
            agg = aggregates[(done // per_save) % patterns]
            for i in range(done, min(done + per_save, executions)):
                agg.record(
                    i,
                    Decimal(40 + i % 30),
                    Decimal(60),
                    Decimal(f"{0.010 + (i % 7) / 1000}"),
                    Decimal("0.015"),
                    i % 13 != 0,
                    None,
                    f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T12:00:00Z",
                )
            app.save(agg)
            done += per_save

    seconds, _ = timed(run)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executions", type=int, default=100_000)
    parser.add_argument("--patterns", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_DIR")) as tmp:
        workdir = Path(tmp)
        plain = workdir / "plain.jsonl"
        keyed = workdir / "keyed.jsonl"
        total = write_executions(plain, args.executions, args.patterns)
        write_executions(keyed, args.executions, args.patterns, keys=True)

        ours_s, accepted, db = ours(workdir, plain, "ours")
        ours_keyed_s, _, _ = ours(workdir, keyed, "ours_keyed")
        rows = [tuple(r) for r in sqlite3.connect(db).execute("SELECT * FROM events ORDER BY seq")]
        raw_s = raw_sqlite(workdir, rows)
        floor_s = replay_sql(workdir, record_sql(workdir, plain))
        es_s = eventsourcing_lib(workdir, args.executions, args.patterns)

    rate = accepted / ours_s
    raw_rate = len(rows) / raw_s
    print(f"# {machine()}; {total} events ({args.executions} executions, {args.patterns} patterns)")
    lines = [
        ("roi-ledger record batch", f"{rate:,.0f} ev/s", f"{rate / raw_rate:.0%} of raw sqlite3"),
        (
            "  … with idempotency keys",
            f"{accepted / ours_keyed_s:,.0f} ev/s",
            f"{accepted / ours_keyed_s / raw_rate:.0%} of raw sqlite3",
        ),
        ("raw sqlite3.executemany", f"{raw_rate:,.0f} rows/s", "one transaction, same rows"),
        (
            "our SQL alone, replayed",
            f"{total / floor_s:,.0f} ev/s",
            f"{floor_s / ours_s:.0%} of our time; {total / floor_s / raw_rate:.0%} of raw",
        ),
    ]
    if es_s is not None:
        es_rate = args.executions / es_s
        lines.append(
            ("eventsourcing (100/save)", f"{es_rate:,.0f} ev/s", f"ours is {rate / es_rate:.1f}x")
        )
        lines.append(
            (
                "  … our SQL alone against it",
                "",
                f"{total / floor_s / es_rate:.1f}x (the most any Python layer could reach)",
            )
        )
    report("record batch throughput", lines)


if __name__ == "__main__":
    main()
