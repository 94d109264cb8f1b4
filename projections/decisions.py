"""The decision loop's read model: `decisions`, `outcomes` and the (source, type) groups
(tables declared in projections/decision_tables.py).

One projection owns them all so a decision's old and new contribution to its (source,
type) group are both at hand: groups move by exact deltas, and a retraction recomputes just
the one decision from its stream. How events change the rows is
projections/decision_fold.py, loaded when a decision event is folded; the rows and the
queries that read them, projections/decision_rows.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from events import RecordedEvent
from events.sql import Sql
from projections.base import Projection, StreamReader
from projections.decision_tables import DAYS, DECISIONS, DURATIONS, GROUPS, OUTCOMES

if TYPE_CHECKING:
    from projections.decision_rows import DecisionRow


class DecisionMetrics(Projection):
    """Tables `decisions`, `outcomes`, `conversion_metrics`, `conversion_daily` and
    `conversion_durations`."""

    name = "decision_metrics"
    version = 8  # 2: 8-byte INTEGER and REAL on PostgreSQL; 3: row versions; 4: FTS5 (SQLite);
    # 5: conversion_daily, the groups per UTC day of decided_at (windowed reads stay flat);
    # 6: conversion_durations, whole days from decision to first customer (Kaplan–Meier);
    # 7: revenue_squares (the spread of revenue per decision); 8: which outcome was the
    # first customer and the first deal, folded once (summaries read it)
    handles = frozenset({"DecisionLogged", "OutcomeRecorded"})
    tables = (DECISIONS, OUTCOMES, GROUPS, DAYS, DURATIONS)

    def apply(self, db: Sql, events: Sequence[RecordedEvent], reader: StreamReader) -> None:
        """Fold each touched decision in memory, then write rows and group deltas once."""
        from projections import decision_fold
        from projections.decision_rows import load_many

        ids = {recorded.event.decision_id for recorded in events}  # type: ignore[attr-defined]
        before = load_many(db, ids)
        after = dict(before)
        decision_fold.fold(db, after, events)
        decision_fold.store(db, before, after, events[-1].recorded_at)

    def retract(
        self, db: Sql, target: RecordedEvent, retraction: RecordedEvent, reader: StreamReader
    ) -> None:
        """Recompute the decision from its stream as it stood, less the retracted event."""
        import dataclasses

        from projections import decision_fold
        from projections.decision_rows import load

        decision_id: str = target.event.decision_id  # type: ignore[attr-defined]
        old = load(db, decision_id)
        db.execute("DELETE FROM outcomes WHERE decision_id = ?", (decision_id,))
        after: dict[str, DecisionRow | None] = {decision_id: None}
        stream = reader.read_stream(db, target.stream_id, retraction.seq, self.handles)
        decision_fold.fold(db, after, stream)
        row = after[decision_id]
        if row is not None:
            after[decision_id] = dataclasses.replace(row, updated_at=retraction.recorded_at)
        decision_fold.store(db, {decision_id: old}, after, retraction.recorded_at)
