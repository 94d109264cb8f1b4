"""What each step of appending one execution costs in Python, timed on its own.

    python bench/append_parts.py [--number 50000]

The steps every `record batch` line goes through, each measured in isolation (best of five
`timeit` runs, µs per call): validating the line from its JSON text, creating the event,
serialising its canonical payload, formatting its timestamp, and chaining its hash. Their sum
is a lower bound on the Python work per event, to set beside the SQL alone that
`bench/batch_append.py` replays: no orchestration, projection folding or row building is in it.
"""

from __future__ import annotations

import argparse
import sys
import timeit
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import machine, report
from events.envelope import chain_hash
from events.patterns import PatternExecutionRecorded
from events.timeutil import format_timestamp
from ledger.app.batch import line_adapter

LINE = (
    '{"command": "execution", "pattern_id": "pattern-007", "workflow_id": 12345,'
    ' "execution_time_seconds": 57, "actual_cost": 0.013, "success": true,'
    ' "executed_at": "2026-03-04T12:00:00Z"}'
)


def per_call(fn: Callable[[], Any], number: int) -> float:
    """Microseconds per call, best of five runs."""
    return min(timeit.repeat(fn, number=number, repeat=5)) / number * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--number", type=int, default=50_000)
    args = parser.parse_args()
    adapter = line_adapter()
    command: Any = adapter.validate_json(LINE)
    fields = {
        "pattern_id": command.pattern_id,
        "workflow_id": command.workflow_id,
        "execution_time_seconds": command.execution_time_seconds,
        "estimated_time_seconds": Decimal(60),
        "actual_cost": command.actual_cost,
        "estimated_cost": Decimal("0.015"),
        "success": command.success,
    }
    event = PatternExecutionRecorded(**fields)
    payload = event.payload_json()
    moment = command.executed_at
    stamp = format_timestamp(moment)
    steps = [
        ("validate the line (pydantic, from JSON)", lambda: adapter.validate_json(LINE)),
        ("create the event model", lambda: PatternExecutionRecorded(**fields)),
        ("serialise its canonical payload", event.payload_json),
        ("format its timestamp", lambda: format_timestamp(moment)),
        (
            "chain its hash (body + SHA-256)",
            lambda: chain_hash(
                "0" * 64,
                12345,
                "pattern:pattern-007",
                250,
                "PatternExecutionRecorded",
                1,
                stamp,
                stamp,
                payload,
                None,
            ),
        ),
    ]
    timings = [(name, per_call(fn, args.number)) for name, fn in steps]
    total = sum(t for _, t in timings)
    print(f"# {machine()}; best of 5 x {args.number:,} calls each")
    report(
        "Python work per appended execution, step by step",
        [(name, f"{t:.2f} µs", "") for name, t in timings]
        + [("sum: a lower bound per event", f"{total:.2f} µs", "")],
    )


if __name__ == "__main__":
    main()
