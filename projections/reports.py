"""`report_periods`: which periods of which scheduled report the log says were produced.

The scheduler asks "which periods of this kind exist?" on every tick; answering it from the
log would mean a range scan over stream ids, whose order depends on the database's collation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from events import RecordedEvent
from events.sql import Sql
from projections.base import Projection, StreamReader, Table

if TYPE_CHECKING:
    from events.ledger_events import ReportGenerated


class ReportPeriods(Projection):
    """Table `report_periods`, one row per produced (kind, period)."""

    name = "report_periods"
    version = 2  # 2: row versions kept for as-of reads (ledger/store/versions.py)
    handles = frozenset({"ReportGenerated"})
    tables = (
        Table(
            "report_periods",
            (
                ("kind", "TEXT", "NOT NULL"),
                ("period", "TEXT", "NOT NULL"),
                ("seq", "INTEGER", "NOT NULL"),
                ("as_of_seq", "INTEGER", "NOT NULL"),
                ("recorded_at", "TEXT", "NOT NULL"),
            ),
            ("kind", "period"),
            seq_columns=("seq", "as_of_seq"),
        ),
    )

    def apply(self, db: Sql, events: Sequence[RecordedEvent], reader: StreamReader) -> None:
        """One row per report record (a (kind, period) is recorded once: its key says so)."""
        rows = []
        for recorded in events:
            e = cast("ReportGenerated", recorded.event)
            rows.append((e.kind, e.period, recorded.seq, e.as_of_seq, recorded.recorded_at))
        db.executemany(
            "INSERT INTO report_periods (kind, period, seq, as_of_seq, recorded_at)"
            " VALUES (?, ?, ?, ?, ?)",
            rows,
        )

    def retract(
        self, db: Sql, target: RecordedEvent, retraction: RecordedEvent, reader: StreamReader
    ) -> None:
        """Report records cannot be retracted (commands.ledger refuses it)."""


def produced(db: Sql, kind: str) -> set[str]:
    """The periods of a kind of report the log says were produced."""
    rows = db.execute("SELECT period FROM report_periods WHERE kind = ?", (kind,)).fetchall()
    return {r[0] for r in rows}
