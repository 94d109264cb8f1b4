"""Drop-in facades: code written against the source documents runs with only its import
line changed. Amounts come back as floats and objects as the sources show them; underneath,
every call goes through the ledger (validated, hash-chained, projected).

Each constructor takes an optional path or URL; without one, `ROI_LEDGER_DB`, else
`./roi-ledger.db`.
"""

from __future__ import annotations

import os
from types import TracebackType
from typing import Any, Self

from ledger.app.facade import Ledger
from ledger.present.encoding import jsonable

plain = jsonable
"""Decimals to floats, recursively: the sources' REAL columns."""


class Record(dict[str, Any]):
    """A row that reads both ways: `row.total_executions` and `row["total_executions"]`."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class _Facade:
    """Holds one open ledger for the facade's lifetime."""

    def __init__(self, db_path: str | os.PathLike[str] | None = None) -> None:
        self.ledger = Ledger.open(db_path)

    def close(self) -> None:
        """Close the ledger."""
        self.ledger.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class RoiTrackingService(_Facade):
    """The ROI Tracking System's service (`roi_tracking_service`), on the ledger."""

    def record_execution(
        self,
        pattern_id: str,
        execution_time_seconds: float,
        estimated_time_seconds: float | None = None,
        actual_cost: float = 0.0,
        estimated_cost: float | None = None,
        success: bool = True,
        workflow_id: int | None = None,
        error_message: str | None = None,
        executed_at: str | None = None,
    ) -> dict[str, Any]:
        """Record one execution; answers as the source's POST /executions."""
        options = {
            "workflow_id": workflow_id,
            "estimated_time_seconds": estimated_time_seconds,
            "estimated_cost": estimated_cost,
            "error_message": error_message,
            "executed_at": executed_at,
        }
        result = self.ledger.record_execution(
            pattern_id,
            execution_time_seconds,
            actual_cost,
            success,
            **{k: v for k, v in options.items() if v is not None},
        )
        return {k: result[k] for k in ("message", "execution_id", "pattern_id")}

    def get_pattern_roi(self, pattern_id: str) -> Record | None:
        """The pattern's summary (attribute access), or None if unknown."""
        from commands.base import NotFoundError

        try:
            return Record(plain(self.ledger.pattern_roi(pattern_id)))
        except NotFoundError:
            return None

    def get_all_summaries(self) -> list[Record]:
        """Every pattern's summary, by cost saved."""
        return [Record(plain(r)) for r in self.ledger.roi_summary()]

    def generate_roi_report(self, pattern_id: str) -> dict[str, Any]:
        """Executions, summary, effectiveness rating and recommendations."""
        return dict(plain(self.ledger.roi_report(pattern_id)))

    def get_top_performers(self, limit: int = 10) -> list[Record]:
        """Patterns with at least rules.MIN_TOP executions, by ROI."""
        return [Record(plain(r)) for r in self.ledger.top_performers(limit)]

    def get_underperformers(self, limit: int = 10) -> list[Record]:
        """Patterns with at least rules.MIN_RATED executions rated poor or failed, worst first."""
        return [Record(plain(r)) for r in self.ledger.underperformers(limit)]

    def calculate_effectiveness(self, pattern_id: str) -> str:
        """The rating's name, e.g. "good" (the source's confidence example keys a dict by it)."""
        return str(self.ledger.effectiveness(pattern_id)["effectiveness_rating"])


def track_pattern_execution(
    pattern_id: str,
    workflow_id: int | None,
    execution_time_seconds: float,
    estimated_time_seconds: float,
    actual_cost: float,
    estimated_cost: float,
    success: bool,
    error_message: str | None = None,
) -> dict[str, Any]:
    """The observability module's one-call recorder, on the default ledger."""
    with RoiTrackingService() as service:
        return service.record_execution(
            pattern_id,
            execution_time_seconds,
            estimated_time_seconds,
            actual_cost,
            estimated_cost,
            success,
            workflow_id=workflow_id,
            error_message=error_message,
        )


class DecisionLog(_Facade):
    """The Decision Log's `DecisionLog`, on the ledger."""

    def log_decision(
        self,
        decision_id: str,
        opportunity_type: str,
        opportunity_source: str,
        action_taken: str,
        opportunity_content: str | None = None,
        opportunity_score: float | None = None,
        sender: str | None = None,
        decision_maker: str | None = None,
        context: dict[str, Any] | None = None,
        **more: Any,
    ) -> dict[str, Any]:
        """Log a decision."""
        options = {
            "opportunity_content": opportunity_content,
            "opportunity_score": opportunity_score,
            "sender": sender,
            "decision_maker": decision_maker,
            "context": context,
            **more,
        }
        return dict(plain(self.ledger.log_decision(
            decision_id, opportunity_type, opportunity_source, action_taken,
            **{k: v for k, v in options.items() if v is not None},
        )))  # fmt: skip

    def record_outcome(
        self,
        decision_id: str,
        outcome_type: str,
        outcome_status: str,
        revenue_generated: float = 0.0,
        customer_acquired: bool = False,
        deal_closed: bool = False,
        response_received: bool = False,
        notes: str | None = None,
        **more: Any,
    ) -> dict[str, Any]:
        """Record an outcome of a logged decision."""
        options = {"notes": notes, **more}
        return dict(plain(self.ledger.record_outcome(
            decision_id, outcome_type, outcome_status, revenue_generated=revenue_generated,
            customer_acquired=customer_acquired, deal_closed=deal_closed,
            response_received=response_received,
            **{k: v for k, v in options.items() if v is not None},
        )))  # fmt: skip

    def get_conversion_rates(self) -> list[dict[str, Any]]:
        """Per (source, type): `source_type`, `opportunity_type`, `conversion_rate`, …"""
        return list(plain(self.ledger.conversion_metrics()))

    def calculate_roi_by_type(self) -> list[dict[str, Any]]:
        """Per type: `opportunity_type`, `total_revenue`, `avg_revenue_per_decision`, …"""
        return list(plain(self.ledger.roi_by_type()))

    def generate_insights(self) -> list[dict[str, Any]]:
        """`insight_type`, `title`, `description`, `confidence_score`, `data_points`."""
        return list(plain(self.ledger.insights()))

    def predict_outcome(self, opportunity: dict[str, Any]) -> dict[str, Any]:
        """Prediction for {'type', 'source', 'content'}."""
        from ledger.app.scoring import labels_of

        kind, source = labels_of(opportunity)
        return dict(plain(self.ledger.predict(kind, source, opportunity.get("content"))))


class OpportunityScorer(_Facade):
    """The Decision Log's `OpportunityScorer`, on the ledger (predictions are recorded)."""

    def score_opportunity(self, opportunity: dict[str, Any]) -> dict[str, Any]:
        """One opportunity, enhanced: adjusted_score, conversion_probability, reasoning, …"""
        return dict(plain(self.ledger.score_opportunities([opportunity])[0]))

    def score_opportunities_batch(
        self, opportunities: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Many, enhanced and sorted by adjusted score (best first)."""
        return list(plain(self.ledger.score_opportunities(opportunities)))

    def generate_scoring_report(self, opportunities: list[dict[str, Any]]) -> dict[str, Any]:
        """The scored list with counts per recommendation and the average score change."""
        scored = self.score_opportunities_batch(opportunities)
        tiers: dict[str, int] = {}
        for item in scored:
            tiers[item["recommendation"]] = tiers.get(item["recommendation"], 0) + 1
        change = (
            sum(o["adjusted_score"] - o["original_score"] for o in scored) / len(scored)
            if scored
            else 0.0
        )
        return {
            "total_opportunities": len(scored),
            "by_recommendation": tiers,
            "average_score_change": round(change, 2),
            "top_opportunities": scored[:5],
            "scored_opportunities": scored,
        }


class DecisionSummaryGenerator(_Facade):
    """The Decision Log's `DecisionSummaryGenerator`, on the ledger."""

    def __init__(
        self,
        db_path: str | os.PathLike[str] | None = None,
        output_dir: str | os.PathLike[str] | None = None,
    ) -> None:
        super().__init__(db_path)
        from ledger.settings import reports_dir

        base = reports_dir()
        self.output_dir = (
            os.fspath(output_dir) if output_dir else os.path.join(base, "decision-summaries")
        )

    def generate_daily_summary(self, date: str | None = None) -> dict[str, Any]:
        """Today's (or `date`'s) summary; `performance_summary` is the printable text."""
        return dict(plain(self.ledger.daily_summary(date)))

    def generate_weekly_summary(self, date: str | None = None) -> dict[str, Any]:
        """The 7 days ending today (or on `date`)."""
        return dict(plain(self.ledger.weekly_summary(date)))

    def save_summary(self, summary: dict[str, Any]) -> tuple[str, str]:
        """Write JSON and Markdown; returns (json_file, md_file)."""
        json_file, md_file = self.ledger.save_summary(summary, self.output_dir)
        return str(json_file), str(md_file)
