"""`pattern_executions`: one row per recorded execution, as the source's table, exact amounts.

The execution id is the seq of its `PatternExecutionRecorded` event: unique and stable.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from events import RecordedEvent
from events.patterns import PatternExecutionRecorded
from events.sql import Sql
from projections.base import Projection, StreamReader, Table

COLUMNS = (
    "id",
    "pattern_id",
    "workflow_id",
    "execution_time_seconds",
    "estimated_time_seconds",
    "actual_cost",
    "estimated_cost",
    "success",
    "error_message",
    "executed_at",
    "recorded_at",
)
_INSERT = (
    f"INSERT INTO pattern_executions ({', '.join(COLUMNS)})"
    f" VALUES ({', '.join('?' * len(COLUMNS))})"
)


class PatternExecutions(Projection):
    """Table `pattern_executions`."""

    name = "pattern_executions"
    version = 3  # 2: 8-byte INTEGER and REAL columns on PostgreSQL; 3: row versions
    handles = frozenset({"PatternExecutionRecorded"})
    tables = (
        Table(
            "pattern_executions",
            (
                ("id", "INTEGER", ""),
                ("pattern_id", "TEXT", "NOT NULL"),
                ("workflow_id", "INTEGER", ""),
                ("execution_time_seconds", "TEXT", "NOT NULL"),
                ("estimated_time_seconds", "TEXT", "NOT NULL"),
                ("actual_cost", "TEXT", "NOT NULL"),
                ("estimated_cost", "TEXT", "NOT NULL"),
                ("success", "INTEGER", "NOT NULL"),
                ("error_message", "TEXT", ""),
                ("executed_at", "TEXT", "NOT NULL"),
                ("recorded_at", "TEXT", "NOT NULL"),
            ),
            ("id",),
            indexes=(("idx_pattern_executions_pattern", "pattern_id, executed_at"),),
            per_event=True,
            seq_columns=("id",),
        ),
    )

    def apply(self, db: Sql, events: Sequence[RecordedEvent], reader: StreamReader) -> None:
        """Insert a row per execution."""
        rows = []
        for recorded in events:
            e = recorded.event
            assert isinstance(e, PatternExecutionRecorded)
            rows.append(
                (
                    recorded.seq,
                    e.pattern_id,
                    e.workflow_id,
                    str(e.execution_time_seconds),
                    str(e.estimated_time_seconds),
                    str(e.actual_cost),
                    str(e.estimated_cost),
                    int(e.success),
                    e.error_message,
                    recorded.occurred_at,
                    recorded.recorded_at,
                )
            )
        db.executemany(_INSERT, rows)

    def retract(
        self, db: Sql, target: RecordedEvent, retraction: RecordedEvent, reader: StreamReader
    ) -> None:
        """Delete the retracted execution's row."""
        db.execute("DELETE FROM pattern_executions WHERE id = ?", (target.seq,))


def list_executions(
    db: Sql, pattern_id: str, limit: int | None = None, newest_first: bool = True
) -> list[dict[str, Any]]:
    """A pattern's executions, newest first by default."""
    order = "DESC" if newest_first else "ASC"
    sql = (
        f"SELECT {', '.join(COLUMNS)} FROM pattern_executions WHERE pattern_id = ?"
        f" ORDER BY executed_at {order}, id {order}"
    )
    params: tuple[Any, ...] = (pattern_id,)
    if limit is not None:
        sql += " LIMIT ?"
        params = (pattern_id, limit)
    return [_row(r) for r in db.execute(sql, params).fetchall()]


def _row(row: Sequence[Any]) -> dict[str, Any]:
    out = dict(zip(COLUMNS, row, strict=True))
    for key in (
        "execution_time_seconds",
        "estimated_time_seconds",
        "actual_cost",
        "estimated_cost",
    ):
        out[key] = Decimal(out[key])
    out["success"] = bool(out["success"])
    out["execution_id"] = out["id"]
    return out
