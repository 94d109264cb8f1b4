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

from bench.common import best_of, machine, report, timed, write_executions
from ledger import Ledger
from ledger.batch import read_commands
from ledger.replay import rebuild

QUERIES: dict[str, Callable[[Ledger], Any]] = {
    "roi summary": lambda led: led.roi_summary(),
    "roi pattern": lambda led: led.pattern_roi("pattern-007"),
}


def build(path: Path, events: int, workdir: Path) -> Ledger:
    source = workdir / f"{path.stem}.jsonl"
    write_executions(source, events - 50, 50)
    led = Ledger.open(path)
    with source.open() as handle:
        led.execute_batch(read_commands(handle))
    return led


def extra_queries() -> dict[str, Callable[[Ledger], Any]]:
    """Queries added by later features, timed when present."""
    out = dict(QUERIES)
    optional = {
        "roi top-performers": "top_performers",
        "roi underperformers": "underperformers",
        "roi dashboard": "dashboard",
        "roi alerts": "alerts",
        "roi report": "roi_report",
        "roi trend": "trend",
        "decisions conversions": "conversion_metrics",
        "decisions roi": "roi_by_type",
        "decisions insights": "insights",
    }
    for label, method in optional.items():
        if hasattr(Ledger, method):
            if method in ("roi_report", "trend"):
                out[label] = lambda led, m=method: getattr(led, m)("pattern-007")
            else:
                out[label] = lambda led, m=method: getattr(led, m)()
    return out


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
        rebuild_s, _ = timed(lambda: rebuild(big))
        queries = extra_queries()
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
