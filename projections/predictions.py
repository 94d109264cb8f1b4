"""`opportunity_predictions`: every prediction the ledger made, to hold against outcomes."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, cast

from events import RecordedEvent
from events.sql import Sql
from projections.base import Projection, StreamReader, Table

if TYPE_CHECKING:
    from events.decisions import OpportunityScored

COLUMNS = (
    "id",
    "opportunity_id",
    "opportunity_type",
    "opportunity_source",
    "original_score",
    "adjusted_score",
    "conversion_probability",
    "predicted_revenue",
    "confidence",
    "similar_count",
    "model_version",
    "recorded_at",
)


class OpportunityPredictions(Projection):
    """Table `opportunity_predictions` (id = the event's seq)."""

    name = "opportunity_predictions"
    version = 3  # 2: 8-byte INTEGER and REAL columns on PostgreSQL; 3: row versions
    handles = frozenset({"OpportunityScored"})
    tables = (
        Table(
            "opportunity_predictions",
            (
                ("id", "INTEGER", ""),
                ("opportunity_id", "TEXT", "NOT NULL"),
                ("opportunity_type", "TEXT", ""),
                ("opportunity_source", "TEXT", ""),
                ("original_score", "REAL", "NOT NULL"),
                ("adjusted_score", "REAL", "NOT NULL"),
                ("conversion_probability", "REAL", "NOT NULL"),
                ("predicted_revenue", "TEXT", "NOT NULL"),
                ("confidence", "TEXT", "NOT NULL"),
                ("similar_count", "INTEGER", "NOT NULL"),
                ("model_version", "TEXT", "NOT NULL"),
                ("recorded_at", "TEXT", "NOT NULL"),
            ),
            ("id",),
            indexes=(("idx_opportunity_predictions_opportunity", "opportunity_id, id"),),
            per_event=True,
            seq_columns=("id",),
        ),
    )

    def apply(self, db: Sql, events: Sequence[RecordedEvent], reader: StreamReader) -> None:
        """Insert a row per prediction."""
        rows = []
        for recorded in events:
            e = cast("OpportunityScored", recorded.event)
            rows.append(
                (
                    recorded.seq,
                    e.opportunity_id,
                    e.opportunity_type,
                    e.opportunity_source,
                    e.original_score,
                    e.adjusted_score,
                    e.conversion_probability,
                    str(e.predicted_revenue),
                    str(e.confidence),
                    e.similar_count,
                    e.model_version,
                    recorded.recorded_at,
                )
            )
        db.executemany(
            f"INSERT INTO opportunity_predictions ({', '.join(COLUMNS)})"
            f" VALUES ({', '.join('?' * len(COLUMNS))})",
            rows,
        )

    def retract(
        self, db: Sql, target: RecordedEvent, retraction: RecordedEvent, reader: StreamReader
    ) -> None:
        """Forget a retracted prediction."""
        db.execute("DELETE FROM opportunity_predictions WHERE id = ?", (target.seq,))


def latest_predictions(
    db: Sql, opportunity_ids: Sequence[str]
) -> dict[str, tuple[int, tuple[Any, ...]]]:
    """Each opportunity's latest prediction: (its seq, its values in the order
    type, source, original, adjusted, probability, revenue, confidence, count, model)."""
    from decimal import Decimal

    wanted = sorted(set(opportunity_ids))
    out: dict[str, tuple[int, tuple[Any, ...]]] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        rows = db.execute(
            "SELECT id, opportunity_id, opportunity_type, opportunity_source, original_score,"
            " adjusted_score, conversion_probability, predicted_revenue, confidence,"
            " similar_count, model_version FROM opportunity_predictions"
            f" WHERE opportunity_id IN ({', '.join('?' * len(chunk))}) ORDER BY id",
            chunk,
        ).fetchall()
        for r in rows:  # in seq order: the last one per opportunity stays
            out[r[1]] = (int(r[0]), (r[2], r[3], float(r[4]), float(r[5]), float(r[6]),
                                     Decimal(r[7]), Decimal(r[8]), int(r[9]), r[10]))  # fmt: skip
    return out


def scored_decisions(db: Sql) -> list[dict[str, Any]]:
    """Decisions with outcomes whose opportunity was scored, each with the prediction that
    informed it: the latest one recorded before the decision (else the first after)."""
    rows = db.execute(
        """
        SELECT d.decision_id, d.customer, d.opportunity_id, p.conversion_probability,
               p.id, d.logged_seq
        FROM decisions d JOIN opportunity_predictions p ON p.opportunity_id = d.opportunity_id
        WHERE d.outcomes > 0
        ORDER BY d.decision_id, p.id
        """
    ).fetchall()
    chosen: dict[str, dict[str, Any]] = {}
    for decision_id, customer, opportunity_id, probability, seq, logged_seq in rows:
        current = chosen.get(decision_id)
        before = seq < logged_seq
        if current is None or (before and (not current["before"] or seq > current["seq"])):
            chosen[decision_id] = {
                "decision_id": decision_id,
                "opportunity_id": opportunity_id,
                "probability": float(probability) / 100,
                "converted": bool(customer),
                "seq": seq,
                "before": before,
            }
    return [chosen[k] for k in sorted(chosen)]
