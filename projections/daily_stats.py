"""`pattern_daily_stats`: per pattern and UTC day of execution, the additive ROI totals.

Trends, alerts and the dashboard read these rows — their number grows with patterns × days,
not with executions — so those queries stay flat as the log grows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from events import RecordedEvent
from events.patterns import PatternExecutionRecorded
from events.sql import Sql
from projections.base import Projection, StreamReader, Table
from projections.roi_math import RoiTotals, savings

COLUMNS = (
    "pattern_id",
    "day",
    "total_executions",
    "successful_executions",
    "time_saved_seconds",
    "cost_saved_usd",
    "investment_usd",
    "failed_cost_usd",
    "failed_time_seconds",
    "slower_than_estimate",
    "costlier_than_estimate",
)
_UPSERT = (
    f"INSERT INTO pattern_daily_stats ({', '.join(COLUMNS)})"
    f" VALUES ({', '.join('?' * len(COLUMNS))})"
    " ON CONFLICT (pattern_id, day) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in COLUMNS[2:])
)


class _Day:
    """One (pattern, day) row being folded."""

    __slots__ = (
        "cost", "costlier", "failed", "failed_time", "investment", "slower", "successful",
        "time", "total",
    )  # fmt: skip

    def __init__(self, row: Sequence[Any] | None) -> None:
        if row is None:
            self.total = self.successful = self.slower = self.costlier = 0
            self.time = self.cost = self.investment = self.failed = Decimal(0)
            self.failed_time = Decimal(0)
        else:
            self.total, self.successful = int(row[0]), int(row[1])
            self.time, self.cost = Decimal(row[2]), Decimal(row[3])
            self.investment = Decimal(row[4])
            self.failed, self.failed_time = Decimal(row[5]), Decimal(row[6])
            self.slower, self.costlier = int(row[7]), int(row[8])

    def add(self, e: PatternExecutionRecorded, sign: int) -> None:
        self.total += sign
        saved = savings(e)
        if saved is not None:
            self.successful += sign
            self.time += saved[0] * sign
            self.cost += saved[1] * sign
            self.investment += saved[2] * sign
            self.slower += sign * (e.execution_time_seconds > e.estimated_time_seconds)
            self.costlier += sign * (e.actual_cost > e.estimated_cost)
        else:
            self.failed += e.actual_cost * sign
            self.failed_time += e.execution_time_seconds * sign


class PatternDailyStats(Projection):
    """Table `pattern_daily_stats`, one row per pattern per day it ran."""

    name = "pattern_daily_stats"
    version = 5  # 2: row versions (ledger/store/versions.py); 3: no zero rows; 4: failed cost;
    # 5: failed time
    handles = frozenset({"PatternExecutionRecorded"})
    tables = (
        Table(
            "pattern_daily_stats",
            (
                ("pattern_id", "TEXT", "NOT NULL"),
                ("day", "TEXT", "NOT NULL"),
                ("total_executions", "INTEGER", "NOT NULL"),
                ("successful_executions", "INTEGER", "NOT NULL"),
                ("time_saved_seconds", "TEXT", "NOT NULL"),
                ("cost_saved_usd", "TEXT", "NOT NULL"),
                ("investment_usd", "TEXT", "NOT NULL"),
                ("failed_cost_usd", "TEXT", "NOT NULL"),
                ("failed_time_seconds", "TEXT", "NOT NULL"),
                ("slower_than_estimate", "INTEGER", "NOT NULL"),
                ("costlier_than_estimate", "INTEGER", "NOT NULL"),
            ),
            ("pattern_id", "day"),
            indexes=(("idx_pattern_daily_stats_day", "day"),),
        ),
    )

    def apply(self, db: Sql, events: Sequence[RecordedEvent], reader: StreamReader) -> None:
        """Fold the batch per (pattern, day) in memory; write each touched row once."""
        self._fold(db, [(r, 1) for r in events])

    def retract(
        self, db: Sql, target: RecordedEvent, retraction: RecordedEvent, reader: StreamReader
    ) -> None:
        """Subtract the retracted execution from its day."""
        self._fold(db, [(target, -1)])

    def _fold(self, db: Sql, signed: list[tuple[RecordedEvent, int]]) -> None:
        keys = {(r.event.pattern_id, r.occurred_at[:10]) for r, _ in signed}  # type: ignore[attr-defined]
        stored = _load(db, keys)
        days = {key: _Day(stored.get(key)) for key in keys}
        for recorded, sign in signed:
            e = recorded.event
            assert isinstance(e, PatternExecutionRecorded)
            days[(e.pattern_id, recorded.occurred_at[:10])].add(e, sign)
        # a day whose every execution was retracted is no day of the trend: its row goes
        # (a row of zeros drew a phantom "0 runs, 0 %" point after a retraction)
        gone = [key for key, x in days.items() if x.total == 0]
        if gone:
            db.executemany("DELETE FROM pattern_daily_stats WHERE pattern_id = ? AND day = ?", gone)
        db.executemany(
            _UPSERT,
            [
                (
                    p,
                    d,
                    x.total,
                    x.successful,
                    str(x.time),
                    str(x.cost),
                    str(x.investment),
                    str(x.failed),
                    str(x.failed_time),
                    x.slower,
                    x.costlier,
                )
                for (p, d), x in days.items()
                if x.total != 0
            ],
        )


def _load(db: Sql, keys: set[tuple[str, str]]) -> dict[tuple[str, str], Sequence[Any]]:
    """Stored rows for many (pattern, day) keys: per 400 patterns, one range scan of the
    primary key over the batch's days (a batch is usually a few days of many patterns);
    rows outside the wanted keys are dropped here."""
    patterns = sorted({p for p, _ in keys})
    first, last = min(d for _, d in keys), max(d for _, d in keys)
    out: dict[tuple[str, str], Sequence[Any]] = {}
    for start in range(0, len(patterns), 400):
        chunk = patterns[start : start + 400]
        rows = db.execute(
            f"SELECT pattern_id, day, {', '.join(COLUMNS[2:])} FROM pattern_daily_stats"
            f" WHERE pattern_id IN ({', '.join('?' * len(chunk))}) AND day >= ? AND day <= ?",
            [*chunk, first, last],
        ).fetchall()
        out.update({(r[0], r[1]): r[2:] for r in rows if (r[0], r[1]) in keys})
    return out


def daily_rows(
    db: Sql, first_day: str, last_day: str, pattern_id: str | None = None
) -> list[dict[str, Any]]:
    """Rows with first_day ≤ day ≤ last_day (ISO dates), optionally of one pattern."""
    sql = f"SELECT {', '.join(COLUMNS)} FROM pattern_daily_stats WHERE day >= ? AND day <= ?"
    params: list[Any] = [first_day, last_day]
    if pattern_id is not None:
        sql += " AND pattern_id = ?"
        params.append(pattern_id)
    rows = db.execute(sql + " ORDER BY pattern_id, day", params).fetchall()
    return [_row(r) for r in rows]


def pattern_days(db: Sql, pattern_id: str) -> list[dict[str, Any]]:
    """Every day a pattern ran, oldest first."""
    rows = db.execute(
        f"SELECT {', '.join(COLUMNS)} FROM pattern_daily_stats WHERE pattern_id = ? ORDER BY day",
        (pattern_id,),
    ).fetchall()
    return [_row(r) for r in rows]


def _row(row: Sequence[Any]) -> dict[str, Any]:
    out = dict(zip(COLUMNS, row, strict=True))
    for key in (
        "time_saved_seconds", "cost_saved_usd", "investment_usd", "failed_cost_usd",
        "failed_time_seconds",
    ):  # fmt: skip
        out[key] = Decimal(out[key])
    return out


def totals(days: Iterable[dict[str, Any]]) -> RoiTotals:
    """The additive ROI totals of daily rows (as `daily_rows` reads them), summed exactly."""
    total = successful = 0
    time = cost = investment = failed = failed_time = Decimal(0)
    for d in days:
        total += d["total_executions"]
        successful += d["successful_executions"]
        time += d["time_saved_seconds"]
        cost += d["cost_saved_usd"]
        investment += d["investment_usd"]
        failed += d["failed_cost_usd"]
        failed_time += d["failed_time_seconds"]
    return RoiTotals(total, successful, time, cost, investment, failed, failed_time)
