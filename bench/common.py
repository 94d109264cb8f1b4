"""Shared helpers for the benchmark scripts: timing, sample files, printing a comparison."""

from __future__ import annotations

import json
import platform
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

YEAR = datetime(2026, 1, 1)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Wall seconds and result of one call."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def best_of(runs: int, fn: Callable[[], Any]) -> float:
    """The fastest of several runs (seconds)."""
    return min(timed(fn)[0] for _ in range(runs))


def write_executions(
    path: Path, executions: int, patterns: int, keys: bool = False, days: int | None = None
) -> int:
    """A `record batch` file: approvals, then executions spread over the patterns, in time
    order like a real log — over `days` days of one month if given, else over a year."""
    with path.open("w") as handle:
        for p in range(patterns):
            handle.write(
                json.dumps(
                    {
                        "command": "approve",
                        "pattern_id": f"pattern-{p:03d}",
                        "estimated_time_seconds": 60,
                        "estimated_cost": 0.015,
                    }
                )
                + "\n"
            )
        for i in range(executions):
            line: dict[str, Any] = {
                "command": "execution",
                "pattern_id": f"pattern-{i % patterns:03d}",
                "workflow_id": i,
                "execution_time_seconds": 40 + i % 30,
                "actual_cost": 0.010 + (i % 7) / 1000,
                "success": i % 13 != 0,
                "executed_at": (
                    f"2026-03-{1 + i // patterns % days:02d}T12:00:00Z"
                    if days
                    else (YEAR + timedelta(days=i * 365 // executions)).strftime(
                        "%Y-%m-%dT12:00:00Z"
                    )
                ),
            }
            if keys:
                line["idempotency_key"] = f"run-{i}"
            handle.write(json.dumps(line) + "\n")
    return executions + patterns


def machine() -> str:
    """What the figures were measured on."""
    return (
        f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"{platform.machine()}, {platform.system()}"
    )


def report(title: str, rows: list[tuple[str, str, str]]) -> None:
    """Print a small three-column table: what, figure, comparison."""
    print(f"\n{title}")
    width = max(len(r[0]) for r in rows)
    for name, figure, note in rows:
        print(f"  {name:<{width}}  {figure:>18}  {note}")


Statement = tuple[str, Any, bool]
"""One SQL statement as issued: text, parameters (rows, for executemany), executemany?"""


class Recorder:
    """Stands in for a ledger's connection: forwards every statement and keeps a copy."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.statements: list[Statement] = []

    def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        self.statements.append((sql, params, False))
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Any) -> sqlite3.Cursor:
        rows = list(rows)
        self.statements.append((sql, rows, True))
        return self.conn.executemany(sql, rows)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.conn, name)


@contextmanager
def recording(ledger: Any) -> Iterator[list[Statement]]:
    """Record every statement a SQLite ledger issues inside the block (bench-only: it swaps
    the backend's private connection for a recorder and back)."""
    backend = ledger.service.backend
    recorder = Recorder(backend.connection)
    backend._conn = recorder
    try:
        yield recorder.statements
    finally:
        backend._conn = recorder.conn


def replay(db: Path, statements: list[Statement]) -> float:
    """Seconds to run recorded statements through plain sqlite3 (WAL, synchronous=FULL, as
    the ledger runs), reading every SELECT's rows: SQLite's share of the recorded work."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")

    def run() -> None:
        for sql, params, many in statements:
            if many:
                conn.executemany(sql, params)
            else:
                conn.execute(sql, params).fetchall()

    seconds, _ = timed(run)
    conn.close()
    return seconds
