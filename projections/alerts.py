"""`alerts` and `alert_transitions`: each alert's lifecycle (firing or resolved) and every
raising and resolution, with whether a webhook has been told of it.

An alert is a (pattern_id, alert_type) pair. The `roi-alerts` job raises one the first run
that finds it, records nothing while it keeps firing, and resolves it the first run that no
longer finds it; each of those transitions is delivered to the webhook once
(`AlertDelivered` names its seq).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from commands.ledger import AlertState
from events import RecordedEvent
from events.ledger_events import AlertDelivered, AlertRaised, AlertResolved
from events.sql import Sql
from projections.base import Projection, StreamReader, Table

ALERT_COLUMNS = (
    "pattern_id",
    "alert_type",
    "state",
    "severity",
    "message",
    "raised_seq",
    "raised_at",
    "raised_period",
    "resolved_seq",
    "resolved_at",
    "resolved_period",
)
TRANSITION_COLUMNS = (
    "seq",
    "pattern_id",
    "alert_type",
    "transition",
    "severity",
    "message",
    "period",
    "recorded_at",
    "delivered_seq",
    "delivered_at",
    "target",
    "attempts",
    "status_code",
)


class AlertLifecycle(Projection):
    """Tables `alerts` (one row per alert ever raised) and `alert_transitions`."""

    name = "alert_lifecycle"
    version = 1
    handles = frozenset({"AlertRaised", "AlertResolved", "AlertDelivered"})
    tables = (
        Table(
            "alerts",
            (
                ("pattern_id", "TEXT", "NOT NULL"),
                ("alert_type", "TEXT", "NOT NULL"),
                ("state", "TEXT", "NOT NULL"),
                ("severity", "TEXT", "NOT NULL"),
                ("message", "TEXT", "NOT NULL"),
                ("raised_seq", "INTEGER", "NOT NULL"),
                ("raised_at", "TEXT", "NOT NULL"),
                ("raised_period", "TEXT", "NOT NULL"),
                ("resolved_seq", "INTEGER", ""),
                ("resolved_at", "TEXT", ""),
                ("resolved_period", "TEXT", ""),
            ),
            ("pattern_id", "alert_type"),
            seq_columns=("raised_seq", "resolved_seq"),
        ),
        Table(
            "alert_transitions",
            (
                ("seq", "INTEGER", "NOT NULL"),
                ("pattern_id", "TEXT", "NOT NULL"),
                ("alert_type", "TEXT", "NOT NULL"),
                ("transition", "TEXT", "NOT NULL"),
                ("severity", "TEXT", "NOT NULL"),
                ("message", "TEXT", "NOT NULL"),
                ("period", "TEXT", "NOT NULL"),
                ("recorded_at", "TEXT", "NOT NULL"),
                ("delivered_seq", "INTEGER", ""),
                ("delivered_at", "TEXT", ""),
                ("target", "TEXT", ""),
                ("attempts", "INTEGER", ""),
                ("status_code", "INTEGER", ""),
            ),
            ("seq",),
            indexes=(("idx_alert_transitions_alert", "pattern_id, alert_type"),),
            per_event=True,
            seq_columns=("seq", "delivered_seq"),
        ),
    )

    def apply(self, db: Sql, events: Sequence[RecordedEvent], reader: StreamReader) -> None:
        """Each transition in order: the alert's row moves, the transition gets its row."""
        for recorded in events:
            e = recorded.event
            if isinstance(e, AlertRaised):
                db.execute(
                    "DELETE FROM alerts WHERE pattern_id = ? AND alert_type = ?",
                    (e.pattern_id, e.alert_type),
                )
                db.execute(
                    "INSERT INTO alerts (pattern_id, alert_type, state, severity, message,"
                    " raised_seq, raised_at, raised_period) VALUES (?, ?, 'firing', ?, ?, ?, ?, ?)",
                    (e.pattern_id, e.alert_type, e.severity, e.message, recorded.seq,
                     recorded.recorded_at, e.period),
                )  # fmt: skip
                _transition(db, recorded, "raised", e.severity, e.message, e.period)
            elif isinstance(e, AlertResolved):
                db.execute(
                    "UPDATE alerts SET state = 'resolved', resolved_seq = ?, resolved_at = ?,"
                    " resolved_period = ? WHERE pattern_id = ? AND alert_type = ?",
                    (recorded.seq, recorded.recorded_at, e.period, e.pattern_id, e.alert_type),
                )
                row = db.execute(
                    "SELECT severity, message FROM alerts WHERE pattern_id = ? AND alert_type = ?",
                    (e.pattern_id, e.alert_type),
                ).fetchone()
                severity, message = (row[0], row[1]) if row else ("", "")
                _transition(db, recorded, "resolved", severity, message, e.period)
            elif isinstance(e, AlertDelivered):
                db.execute(
                    "UPDATE alert_transitions SET delivered_seq = ?, delivered_at = ?,"
                    " target = ?, attempts = ?, status_code = ? WHERE seq = ?",
                    (recorded.seq, recorded.recorded_at, e.target, e.attempts, e.status_code,
                     e.transition_seq),
                )  # fmt: skip

    def retract(
        self, db: Sql, target: RecordedEvent, retraction: RecordedEvent, reader: StreamReader
    ) -> None:
        """Alert records cannot be retracted (commands.ledger refuses it)."""


def _transition(
    db: Sql, recorded: RecordedEvent, kind: str, severity: str, message: str, period: str
) -> None:
    e: Any = recorded.event
    db.execute(
        "INSERT INTO alert_transitions (seq, pattern_id, alert_type, transition, severity,"
        " message, period, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (recorded.seq, e.pattern_id, e.alert_type, kind, severity, message, period,
         recorded.recorded_at),
    )  # fmt: skip


def alert_state(db: Sql, pattern_id: str, alert_type: str) -> AlertState:
    """What deciding a transition or a delivery of one alert needs."""
    row = db.execute(
        "SELECT state FROM alerts WHERE pattern_id = ? AND alert_type = ?",
        (pattern_id, alert_type),
    ).fetchone()
    rows = db.execute(
        "SELECT seq, delivered_seq FROM alert_transitions WHERE pattern_id = ? AND alert_type = ?",
        (pattern_id, alert_type),
    ).fetchall()
    return AlertState(
        firing=row is not None and row[0] == "firing",
        transitions=frozenset(int(r[0]) for r in rows),
        delivered=frozenset(int(r[0]) for r in rows if r[1] is not None),
    )


def list_alerts(db: Sql, state: str | None = None) -> list[dict[str, Any]]:
    """Every alert ever raised (or those in `state`), firing first, then by pattern, type."""
    sql = f"SELECT {', '.join(ALERT_COLUMNS)} FROM alerts"
    params: tuple[Any, ...] = ()
    if state is not None:
        sql, params = sql + " WHERE state = ?", (state,)
    rows = db.execute(sql + " ORDER BY state, pattern_id, alert_type", params).fetchall()
    return [dict(zip(ALERT_COLUMNS, r, strict=True)) for r in rows]


def transitions(db: Sql, *, undelivered: bool = False, limit: int = 1000) -> list[dict[str, Any]]:
    """Raisings and resolutions, oldest first (only those no webhook has been told of)."""
    where = " WHERE delivered_seq IS NULL" if undelivered else ""
    rows = db.execute(
        f"SELECT {', '.join(TRANSITION_COLUMNS)} FROM alert_transitions{where}"
        " ORDER BY seq LIMIT ?",
        (limit,),
    ).fetchall()
    return [dict(zip(TRANSITION_COLUMNS, r, strict=True)) for r in rows]
