"""The decision loop's read model: `decisions`, `outcomes` and `conversion_metrics`.

One projection owns all three so a decision's old and new contribution to its (source,
type) group are both at hand: groups move by exact deltas, and a retraction recomputes just
the one decision from its stream. The rows and their queries live in
projections/decision_rows.py, loaded when a decision event is folded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from events import RecordedEvent
from events.sql import Sql
from projections.base import Projection, StreamReader, Table

if TYPE_CHECKING:
    from projections.conversion_math import Contribution
    from projections.decision_rows import DecisionRow


class DecisionMetrics(Projection):
    """Tables `decisions`, `outcomes`, `conversion_metrics` and `conversion_daily`."""

    name = "decision_metrics"
    version = 7  # 2: 8-byte INTEGER and REAL on PostgreSQL; 3: row versions; 4: FTS5 (SQLite);
    # 5: conversion_daily, the groups per UTC day of decided_at (windowed reads stay flat);
    # 6: conversion_durations, whole days from decision to first customer (Kaplan–Meier);
    # 7: revenue_squares (the spread of revenue per decision)
    handles = frozenset({"DecisionLogged", "OutcomeRecorded"})
    tables = (
        Table(
            "decisions",
            (
                ("decision_id", "TEXT", ""),
                ("decided_at", "TEXT", "NOT NULL"),
                ("opportunity_type", "TEXT", "NOT NULL"),
                ("opportunity_source", "TEXT", "NOT NULL"),
                ("opportunity_content", "TEXT", ""),
                ("opportunity_score", "REAL", ""),
                ("sender", "TEXT", ""),
                ("action_taken", "TEXT", "NOT NULL"),
                ("decision_maker", "TEXT", ""),
                ("context", "TEXT", "NOT NULL"),
                ("opportunity_id", "TEXT", ""),
                ("logged_seq", "INTEGER", "NOT NULL"),
                ("outcomes", "INTEGER", "NOT NULL"),
                ("responded", "INTEGER", "NOT NULL"),
                ("customer", "INTEGER", "NOT NULL"),
                ("deal", "INTEGER", "NOT NULL"),
                ("revenue", "TEXT", "NOT NULL"),
                ("first_customer_at", "TEXT", ""),
                ("conversion_seconds", "INTEGER", ""),
                ("last_outcome_at", "TEXT", ""),
                ("updated_at", "TEXT", "NOT NULL"),
            ),
            ("decision_id",),
            indexes=(
                ("idx_decisions_decided_at", "decided_at"),
                ("idx_decisions_opportunity", "opportunity_id"),
            ),
            per_event=True,
            seq_columns=("logged_seq",),
        ),
        Table(
            "outcomes",
            (
                ("id", "INTEGER", ""),
                ("decision_id", "TEXT", "NOT NULL"),
                ("outcome_type", "TEXT", "NOT NULL"),
                ("outcome_status", "TEXT", "NOT NULL"),
                ("revenue_generated", "TEXT", "NOT NULL"),
                ("customer_acquired", "INTEGER", "NOT NULL"),
                ("deal_closed", "INTEGER", "NOT NULL"),
                ("response_received", "INTEGER", "NOT NULL"),
                ("time_to_outcome_hours", "REAL", "NOT NULL"),
                ("notes", "TEXT", ""),
                ("occurred_at", "TEXT", "NOT NULL"),
                ("recorded_at", "TEXT", "NOT NULL"),
            ),
            ("id",),
            indexes=(
                ("idx_outcomes_decision", "decision_id"),
                ("idx_outcomes_occurred_at", "occurred_at"),
            ),
            per_event=True,
            seq_columns=("id",),
        ),
        Table(
            "conversion_metrics",
            (
                ("source_type", "TEXT", "NOT NULL"),
                ("opportunity_type", "TEXT", "NOT NULL"),
                ("total_decisions", "INTEGER", "NOT NULL"),
                ("total_responses", "INTEGER", "NOT NULL"),
                ("total_customers", "INTEGER", "NOT NULL"),
                ("total_deals_closed", "INTEGER", "NOT NULL"),
                ("total_revenue", "TEXT", "NOT NULL"),
                ("conversion_seconds", "INTEGER", "NOT NULL"),
                ("conversions_timed", "INTEGER", "NOT NULL"),
                ("revenue_squares", "TEXT", "NOT NULL"),
                ("last_updated", "TEXT", "NOT NULL"),
            ),
            ("source_type", "opportunity_type"),
        ),
        Table(
            "conversion_daily",
            (
                ("source_type", "TEXT", "NOT NULL"),
                ("opportunity_type", "TEXT", "NOT NULL"),
                ("day", "TEXT", "NOT NULL"),
                ("total_decisions", "INTEGER", "NOT NULL"),
                ("total_responses", "INTEGER", "NOT NULL"),
                ("total_customers", "INTEGER", "NOT NULL"),
                ("total_deals_closed", "INTEGER", "NOT NULL"),
                ("total_revenue", "TEXT", "NOT NULL"),
                ("conversion_seconds", "INTEGER", "NOT NULL"),
                ("conversions_timed", "INTEGER", "NOT NULL"),
                ("revenue_squares", "TEXT", "NOT NULL"),
            ),
            ("source_type", "opportunity_type", "day"),
            indexes=(("idx_conversion_daily_day", "day"),),
        ),
        Table(
            "conversion_durations",
            (
                ("source_type", "TEXT", "NOT NULL"),
                ("opportunity_type", "TEXT", "NOT NULL"),
                ("day", "TEXT", "NOT NULL"),
                ("days", "INTEGER", "NOT NULL"),
                ("customers", "INTEGER", "NOT NULL"),
            ),
            ("source_type", "opportunity_type", "day", "days"),
            indexes=(("idx_conversion_durations_day", "day"),),
        ),
    )

    def apply(self, db: Sql, events: Sequence[RecordedEvent], reader: StreamReader) -> None:
        """Fold each touched decision in memory, then write rows and group deltas once."""
        from projections import decision_rows

        ids = {recorded.event.decision_id for recorded in events}  # type: ignore[attr-defined]
        before = decision_rows.load_many(db, ids)
        after = dict(before)
        outcome_rows: list[tuple[Any, ...]] = []
        for recorded in events:
            decision_id: str = recorded.event.decision_id  # type: ignore[attr-defined]
            row = after[decision_id]
            if recorded.event_type == "DecisionLogged":
                after[decision_id] = decision_rows.logged(recorded)
            elif row is not None:
                after[decision_id] = decision_rows.with_outcome(row, recorded)
                outcome_rows.append(decision_rows.outcome_row(recorded, row.decided_at))
        db.executemany(decision_rows.OUTCOME_INSERT, outcome_rows)
        self._store(db, before, after, events[-1].recorded_at)

    def retract(
        self, db: Sql, target: RecordedEvent, retraction: RecordedEvent, reader: StreamReader
    ) -> None:
        """Recompute the decision from its stream as it stood, less the retracted event."""
        import dataclasses

        from projections import decision_rows

        decision_id: str = target.event.decision_id  # type: ignore[attr-defined]
        old = decision_rows.load(db, decision_id)
        db.execute("DELETE FROM outcomes WHERE decision_id = ?", (decision_id,))
        row: DecisionRow | None = None
        outcome_rows = []
        for recorded in reader.read_stream(db, target.stream_id, retraction.seq, self.handles):
            if recorded.event_type == "DecisionLogged":
                row = decision_rows.logged(recorded)
            elif row is not None:
                outcome_rows.append(decision_rows.outcome_row(recorded, row.decided_at))
                row = decision_rows.with_outcome(row, recorded)
        if row is not None:
            row = dataclasses.replace(row, updated_at=retraction.recorded_at)
        db.executemany(decision_rows.OUTCOME_INSERT, outcome_rows)
        self._store(db, {decision_id: old}, {decision_id: row}, retraction.recorded_at)

    def _store(
        self,
        db: Sql,
        before: dict[str, DecisionRow | None],
        after: dict[str, DecisionRow | None],
        when: str,
    ) -> None:
        from projections import decision_rows
        from projections.conversion_math import Contribution

        deltas: dict[tuple[str, str], Contribution] = {}
        touched: dict[tuple[str, str], str] = {}  # group -> time of the last event touching it
        daily: dict[tuple[str, str, str], Contribution] = {}  # (group, day decided) -> delta
        durations: dict[tuple[str, str, str, int], int] = {}  # (group, day, whole days) -> ±n
        for decision_id, new in after.items():
            old = before[decision_id]
            moment = when if new is None else new.updated_at
            for row, sign in ((old, -1), (new, 1)):
                if row is None:
                    continue
                key = (row.opportunity_source, row.opportunity_type)
                c = row.contribution()
                signed = c if sign > 0 else -c
                deltas[key] = deltas.get(key, Contribution()) + signed
                touched[key] = max(touched.get(key, ""), moment)
                day = (*key, row.decided_at[:10])
                daily[day] = daily.get(day, Contribution()) + signed
                seconds = row.conversion_seconds
                if seconds is not None:
                    took = (*day, max(0, seconds) // 86_400)
                    durations[took] = durations.get(took, 0) + sign
            if new is None:
                db.execute("DELETE FROM decisions WHERE decision_id = ?", (decision_id,))
        db.executemany(
            decision_rows.DECISION_UPSERT, [r.as_db() for r in after.values() if r is not None]
        )
        rows = []
        for (source, kind), delta in deltas.items():
            total = (decision_rows.load_group(db, source, kind) or Contribution()) + delta
            if total.decisions == 0:
                db.execute(
                    "DELETE FROM conversion_metrics WHERE source_type = ? AND opportunity_type = ?",
                    (source, kind),
                )
                continue
            rows.append((source, kind, *decision_rows.stored(total), touched[(source, kind)]))
        db.executemany(decision_rows.GROUP_UPSERT, rows)
        decision_rows.store_days(db, daily)
        decision_rows.store_durations(db, durations)
