"""The pattern registry: each pattern's status, current estimates and confidence."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from commands.patterns import STATE_EVENTS as _STATE_EVENTS
from commands.patterns import PatternState, evolve
from events import RecordedEvent
from events.patterns import PatternApproved, PatternConfidenceUpdated, PatternRevoked
from events.sql import Sql
from projections.base import Projection, StreamReader, Table, dec

COLUMNS = (
    "pattern_id",
    "status",
    "estimated_time_seconds",
    "estimated_cost",
    "approved_by",
    "description",
    "confidence",
    "confidence_rating",
    "approved_at",
    "revoked_at",
    "revoke_reason",
    "updated_at",
    "failed_runs_lose_time",
)


class PatternRegistry(Projection):
    """Table `patterns`: one row per pattern ever approved."""

    name = "patterns"
    version = 3  # 2: row versions kept for as-of reads (ledger/store/versions.py); 3: lost time
    handles = frozenset(c.__name__ for c in _STATE_EVENTS)
    tables = (
        Table(
            "patterns",
            (
                ("pattern_id", "TEXT", ""),
                ("status", "TEXT", "NOT NULL"),
                ("estimated_time_seconds", "TEXT", "NOT NULL"),
                ("estimated_cost", "TEXT", "NOT NULL"),
                ("approved_by", "TEXT", ""),
                ("description", "TEXT", ""),
                ("confidence", "TEXT", ""),
                ("confidence_rating", "TEXT", ""),
                ("approved_at", "TEXT", "NOT NULL"),
                ("revoked_at", "TEXT", ""),
                ("revoke_reason", "TEXT", ""),
                ("updated_at", "TEXT", "NOT NULL"),
                ("failed_runs_lose_time", "INTEGER", "NOT NULL"),
            ),
            ("pattern_id",),
        ),
    )

    def apply(self, db: Sql, events: Sequence[RecordedEvent], reader: StreamReader) -> None:
        """Fold each event into its pattern's row with the command side's own `evolve`.

        Status, estimates, confidence and revoke reason change only by that one rule; the
        columns beside them say who approved, when, and which rating set the confidence.
        """
        for recorded in events:
            event = recorded.event
            if not isinstance(event, _STATE_EVENTS):
                continue
            state = evolve(load_state(db, event.pattern_id), event)
            figures = (
                state.status,
                dec(state.estimated_time_seconds),
                dec(state.estimated_cost),
                dec(state.confidence),
                state.revoke_reason,
                recorded.recorded_at,
            )
            if isinstance(event, PatternApproved):
                db.execute("DELETE FROM patterns WHERE pattern_id = ?", (event.pattern_id,))
                db.execute(
                    "INSERT INTO patterns (status, estimated_time_seconds, estimated_cost,"
                    " confidence, revoke_reason, updated_at, pattern_id, approved_by,"
                    " description, approved_at, failed_runs_lose_time)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        *figures,
                        event.pattern_id,
                        event.approved_by,
                        event.description,
                        recorded.occurred_at,
                        int(event.failed_runs_lose_time),
                    ),
                )
                continue
            extra = ""
            values: tuple[Any, ...] = ()
            if isinstance(event, PatternRevoked):
                extra, values = ", revoked_at = ?", (recorded.occurred_at,)
            elif isinstance(event, PatternConfidenceUpdated):
                extra, values = ", confidence_rating = ?", (event.rating,)
            db.execute(
                "UPDATE patterns SET status = ?, estimated_time_seconds = ?, estimated_cost = ?,"
                f" confidence = ?, revoke_reason = ?, updated_at = ?{extra} WHERE pattern_id = ?",
                (*figures, *values, event.pattern_id),
            )

    def retract(
        self, db: Sql, target: RecordedEvent, retraction: RecordedEvent, reader: StreamReader
    ) -> None:
        """Recompute the pattern's row from its stream as it stood, less the retracted event."""
        pattern_id = target.stream_id.removeprefix("pattern:")
        db.execute("DELETE FROM patterns WHERE pattern_id = ?", (pattern_id,))
        remaining = reader.read_stream(db, target.stream_id, retraction.seq, self.handles)
        self.apply(db, remaining, reader)
        db.execute(
            "UPDATE patterns SET updated_at = ? WHERE pattern_id = ?",
            (retraction.recorded_at, pattern_id),
        )


def load_state(db: Sql, pattern_id: str) -> PatternState:
    """The command-side state of a pattern, from the registry."""
    row = db.execute(
        "SELECT status, estimated_time_seconds, estimated_cost, confidence, revoke_reason"
        " FROM patterns WHERE pattern_id = ?",
        (pattern_id,),
    ).fetchone()
    return _state(pattern_id, row)


def load_state_and_version(db: Sql, pattern_id: str) -> tuple[PatternState, int]:
    """`load_state` and the version of the pattern's stream in the log, in one statement
    (a write reads both before it appends; on PostgreSQL each read is a round trip)."""
    row = db.execute(
        "SELECT p.status, p.estimated_time_seconds, p.estimated_cost, p.confidence,"
        " p.revoke_reason, (SELECT max(stream_version) FROM events WHERE stream_id = ?)"
        " FROM (SELECT 1 AS one) o LEFT JOIN patterns p ON p.pattern_id = ?",
        (f"pattern:{pattern_id}", pattern_id),
    ).fetchone()
    return _state(pattern_id, None if row[0] is None else row[:5]), int(row[5] or 0)


def _state(pattern_id: str, row: Sequence[Any] | None) -> PatternState:
    if row is None:
        return PatternState(pattern_id)
    return PatternState(
        pattern_id,
        status=row[0],
        estimated_time_seconds=Decimal(row[1]),
        estimated_cost=Decimal(row[2]),
        confidence=None if row[3] is None else Decimal(row[3]),
        revoke_reason=row[4],
    )


def list_patterns(db: Sql) -> list[dict[str, Any]]:
    """Every pattern in the registry, by id."""
    rows = db.execute(f"SELECT {', '.join(COLUMNS)} FROM patterns ORDER BY pattern_id").fetchall()
    return [_row(r) for r in rows]


def get_pattern(db: Sql, pattern_id: str) -> dict[str, Any] | None:
    """One pattern's registry row."""
    row = db.execute(
        f"SELECT {', '.join(COLUMNS)} FROM patterns WHERE pattern_id = ?", (pattern_id,)
    ).fetchone()
    return None if row is None else _row(row)


def _row(row: Sequence[Any]) -> dict[str, Any]:
    out = dict(zip(COLUMNS, row, strict=True))
    for key in ("estimated_time_seconds", "estimated_cost", "confidence"):
        if out[key] is not None:
            out[key] = Decimal(out[key])
    out["failed_runs_lose_time"] = bool(out["failed_runs_lose_time"])
    return out
