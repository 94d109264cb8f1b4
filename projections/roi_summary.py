"""`pattern_roi_summary`: every key of README "Automation ROI": the per-pattern table, kept current
per append.

Totals are additive, so a batch folds in memory and writes each touched pattern once, and a
retraction subtracts exactly what its execution added.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from events import RecordedEvent
from events.patterns import PatternExecutionRecorded
from events.sql import Sql
from projections.base import Projection, StreamReader, Table, dec
from projections.roi_math import RoiTotals, combine, figures, savings, signed

COLUMNS = (
    "pattern_id",
    "total_executions",
    "successful_executions",
    "success_rate",
    "total_time_saved_seconds",
    "total_cost_saved_usd",
    "average_time_saved_seconds",
    "average_cost_saved_usd",
    "roi_percentage",
    "total_investment_usd",
    "total_failed_cost_usd",
    "total_failed_time_seconds",
    "last_updated",
)
_DECIMALS = tuple(
    c
    for c in COLUMNS
    if c not in ("pattern_id", "total_executions", "successful_executions", "last_updated")
)
"""The columns stored as exact decimal text."""
_UPSERT = (
    f"INSERT INTO pattern_roi_summary ({', '.join(COLUMNS)})"
    f" VALUES ({', '.join('?' * len(COLUMNS))})"
    " ON CONFLICT (pattern_id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[1:])
)


class RoiSummary(Projection):
    """Table `pattern_roi_summary`; a row appears when a pattern is approved."""

    name = "pattern_roi_summary"
    version = 4  # 2: row versions kept for as-of reads (ledger/store/versions.py); 3: failed cost;
    # 4: failed time
    handles = frozenset({"PatternApproved", "PatternExecutionRecorded"})
    tables = (
        Table(
            "pattern_roi_summary",
            (
                ("pattern_id", "TEXT", ""),
                ("total_executions", "INTEGER", "NOT NULL"),
                ("successful_executions", "INTEGER", "NOT NULL"),
                ("success_rate", "TEXT", "NOT NULL"),
                ("total_time_saved_seconds", "TEXT", "NOT NULL"),
                ("total_cost_saved_usd", "TEXT", "NOT NULL"),
                ("average_time_saved_seconds", "TEXT", "NOT NULL"),
                ("average_cost_saved_usd", "TEXT", "NOT NULL"),
                ("roi_percentage", "TEXT", ""),
                ("total_investment_usd", "TEXT", "NOT NULL"),
                ("total_failed_cost_usd", "TEXT", "NOT NULL"),
                ("total_failed_time_seconds", "TEXT", "NOT NULL"),
                ("last_updated", "TEXT", "NOT NULL"),
            ),
            ("pattern_id",),
        ),
    )

    def apply(self, db: Sql, events: Sequence[RecordedEvent], reader: StreamReader) -> None:
        """Fold the batch per pattern in memory, then write each touched row once."""
        pending: dict[str, _Running] = {}
        for recorded in events:
            e = recorded.event
            pattern_id: str = e.pattern_id  # type: ignore[attr-defined]
            running = pending.get(pattern_id)
            if running is None:
                running = pending[pattern_id] = _Running(_load(db, pattern_id) or RoiTotals())
            if isinstance(e, PatternExecutionRecorded):
                running.add(e)
            running.last_updated = recorded.recorded_at
        _write(db, {k: (r.totals(), r.last_updated) for k, r in pending.items()})

    def retract(
        self, db: Sql, target: RecordedEvent, retraction: RecordedEvent, reader: StreamReader
    ) -> None:
        """Subtract a retracted execution; drop the row of a retracted lone approval."""
        e = target.event
        pattern_id: str = e.pattern_id  # type: ignore[attr-defined]
        totals = _load(db, pattern_id) or RoiTotals()
        if isinstance(e, PatternExecutionRecorded):
            _write(db, {pattern_id: (combine(totals, _delta(e, -1)), retraction.recorded_at)})
            return
        approvals = reader.read_stream(db, target.stream_id, retraction.seq, ["PatternApproved"])
        if not approvals and totals.total_executions == 0:
            db.execute("DELETE FROM pattern_roi_summary WHERE pattern_id = ?", (pattern_id,))


class _Running:
    """Totals being folded: plain mutable sums, cheaper per event than a frozen dataclass."""

    __slots__ = (
        "cost", "failed", "failed_time", "investment", "last_updated", "successful", "time",
        "total",
    )  # fmt: skip

    def __init__(self, start: RoiTotals) -> None:
        self.total = start.total_executions
        self.successful = start.successful_executions
        self.time = start.total_time_saved_seconds
        self.cost = start.total_cost_saved_usd
        self.investment = start.total_investment_usd
        self.failed = start.total_failed_cost_usd
        self.failed_time = start.total_failed_time_seconds
        self.last_updated = ""

    def add(self, e: PatternExecutionRecorded) -> None:
        self.total += 1
        saved = savings(e)
        if saved is not None:
            self.successful += 1
            self.time += saved[0]
            self.cost += saved[1]
            self.investment += saved[2]
        else:
            self.failed += e.actual_cost
            self.failed_time += e.execution_time_seconds

    def totals(self) -> RoiTotals:
        return RoiTotals(
            self.total, self.successful, self.time, self.cost, self.investment, self.failed,
            self.failed_time,
        )  # fmt: skip


def _delta(e: PatternExecutionRecorded, sign: int) -> RoiTotals:
    return signed(savings(e), sign, e.actual_cost, e.execution_time_seconds)


def _load(db: Sql, pattern_id: str) -> RoiTotals | None:
    row = db.execute(
        "SELECT total_executions, successful_executions, total_time_saved_seconds,"
        " total_cost_saved_usd, total_investment_usd, total_failed_cost_usd,"
        " total_failed_time_seconds"
        " FROM pattern_roi_summary WHERE pattern_id = ?",
        (pattern_id,),
    ).fetchone()
    if row is None:
        return None
    return RoiTotals(
        int(row[0]), int(row[1]), Decimal(row[2]), Decimal(row[3]), Decimal(row[4]),
        Decimal(row[5]), Decimal(row[6]),
    )  # fmt: skip


def _write(db: Sql, pending: dict[str, tuple[RoiTotals, str]]) -> None:
    rows = []
    for pattern_id, (totals, last_updated) in pending.items():
        f = figures(totals)
        rows.append(
            (
                pattern_id,
                f["total_executions"],
                f["successful_executions"],
                *(dec(f[k]) for k in _DECIMALS),
                last_updated,
            )
        )
    db.executemany(_UPSERT, rows)


def summary_row(row: Sequence[Any]) -> dict[str, Any]:
    """A stored row as a dict with exact Decimals."""
    out = dict(zip(COLUMNS, row, strict=True))
    for key in _DECIMALS:
        if out[key] is not None:
            out[key] = Decimal(out[key])
    return out


def get_summary(db: Sql, pattern_id: str) -> dict[str, Any] | None:
    """One pattern's summary row."""
    row = db.execute(
        f"SELECT {', '.join(COLUMNS)} FROM pattern_roi_summary WHERE pattern_id = ?",
        (pattern_id,),
    ).fetchone()
    return None if row is None else summary_row(row)


def all_summaries(db: Sql) -> list[dict[str, Any]]:
    """Every pattern's summary row (unordered; callers sort exactly in Decimal)."""
    rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM pattern_roi_summary").fetchall()
    return [summary_row(r) for r in rows]
