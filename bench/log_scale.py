"""Reads at scale: rebuild speed against a raw scan, and query time at 1k vs 300k events.

    python bench/log_scale.py [--events 300000]

Rebuild: every projection dropped and refolded from the log (decode, upcast, fold, write,
checkpoint per batch). Baseline, same run: `SELECT payload FROM events` + `json.loads` of
every row. Queries: the read commands answer from projections, so their time should not
depend on the length of the log; each is timed on a 1k-event and a big ledger.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import best_of, machine, recording, replay, report, timed, write_executions
from ledger import Ledger
from ledger.app.batch import read_commands

PATTERNS, DAYS = 10, 28
"""Both ledgers span the same patterns and the same 28 days; only the number of events
differs, so any growth in query time is growth with the log, not with the calendar."""
NOW = "2026-03-28T12:00:00Z"

QUERIES: dict[str, Callable[[Ledger], Any]] = {
    "roi summary": lambda led: led.roi_summary(),
    "roi pattern": lambda led: led.pattern_roi("pattern-007"),
    "roi report": lambda led: led.roi_report("pattern-007", now=NOW, executions=20),
    "roi trend": lambda led: led.trend("pattern-007"),
    "roi dashboard": lambda led: led.dashboard(now=NOW),
    "roi alerts": lambda led: led.alerts(now=NOW),
    "roi summary --period last-7d": lambda led: led.roi_summary(period="last-7d", now=NOW),
    "roi summary --compare previous": lambda led: led.roi_summary_compared(
        "previous", period="last-14d", now=NOW
    ),
    "roi top-performers": lambda led: led.top_performers(),
    "roi underperformers": lambda led: led.underperformers(),
    "decisions conversions": lambda led: led.conversion_metrics(),
    "decisions conversions --period last-7d": lambda led: led.conversion_metrics(
        period="last-7d", now=NOW
    ),
    "decisions roi": lambda led: led.roi_by_type(),
    "decisions insights": lambda led: led.insights(),
    "decisions predict": lambda led: led.predict("golf", "email"),
}


def write_decisions(path: Path, decisions: int) -> None:
    """Decisions over 3 sources × 4 types, each followed by one outcome."""
    sources, kinds = ("twitter", "email", "revenue_dashboard"), ("golf", "partner", "consult", "fb")
    with path.open("w") as handle:
        for i in range(decisions):
            handle.write(
                json.dumps(
                    {
                        "command": "decision",
                        "decision_id": f"d{i}",
                        "type": kinds[i % 4],
                        "source": sources[i % 3],
                        "action": "replied",
                        "decided_at": f"2026-03-{1 + i % DAYS:02d}T09:00:00Z",
                    }
                )
                + "\n"
            )
            handle.write(
                json.dumps(
                    {
                        "command": "outcome",
                        "decision_id": f"d{i}",
                        "outcome_type": "conversion",
                        "status": "success",
                        "revenue": i % 500,
                        "customer_acquired": i % 3 == 0,
                        "response_received": True,
                        "occurred_at": f"2026-03-{1 + i % DAYS:02d}T17:00:00Z",
                    }
                )
                + "\n"
            )


def build(path: Path, events: int, workdir: Path) -> Ledger:
    """Half executions (50 patterns), half decisions with an outcome each."""
    executions = workdir / f"{path.stem}-executions.jsonl"
    decisions = workdir / f"{path.stem}-decisions.jsonl"
    write_executions(executions, events // 2 - PATTERNS, PATTERNS, days=DAYS)
    write_decisions(decisions, events // 4)
    led = Ledger.open(path)
    for source in (executions, decisions):
        with source.open() as handle:
            led.execute_batch(read_commands(handle))
    return led


def rebuild_sql_alone(led: Ledger, workdir: Path) -> float:
    """Seconds SQLite alone takes for a rebuild: record every statement of one (reads of the
    log, DDL, projection writes, checkpoints, commits), replay them on a copy of the ledger."""
    copy = workdir / "copy.db"
    with sqlite3.connect(copy) as target:
        led.service.backend.connection.backup(target)
    with recording(led) as statements:
        led.rebuild()
    return replay(copy, statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=300_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        small = build(workdir / "small.db", 1_000, workdir)
        big = build(workdir / "big.db", args.events, workdir)

        def raw_scan() -> int:
            conn = sqlite3.connect(workdir / "big.db")
            n = 0
            for (payload,) in conn.execute("SELECT payload FROM events"):
                json.loads(payload)
                n += 1
            conn.close()
            return n

        raw_s = best_of(3, raw_scan)
        rebuild_s, _ = timed(lambda: big.rebuild())
        sql_s = rebuild_sql_alone(big, workdir)
        queries = QUERIES
        timings = {
            name: (best_of(20, lambda q=q: q(small)), best_of(20, lambda q=q: q(big)))
            for name, q in queries.items()
        }
        small.close()
        big.close()
    print(f"# {machine()}; {args.events:,} events in the big ledger")
    n = args.events
    report(
        f"rebuild of {n:,} events",
        [
            ("roi-ledger rebuild", f"{n / rebuild_s:,.0f} ev/s", f"{raw_s / rebuild_s:.0%} of raw"),
            ("raw select + json.loads", f"{n / raw_s:,.0f} rows/s", "baseline"),
            (
                "our rebuild's SQL alone, replayed",
                f"{n / sql_s:,.0f} ev/s",
                f"{sql_s / rebuild_s:.0%} of our time; {raw_s / sql_s:.0%} of raw",
            ),
        ],
    )
    report(
        "query time, best of 20 (1k events → big)",
        [
            (name, f"{s * 1000:.2f} → {b * 1000:.2f} ms", f"{b / s:.2f}x")
            for name, (s, b) in timings.items()
        ],
    )


if __name__ == "__main__":
    main()
