"""Response bodies of the decision loop's endpoints (`/api/decisions/…`,
`/api/opportunities/…`), on the same terms as every answer (models.py): figures are JSON
numbers, extra keys are passed through."""

from __future__ import annotations

from typing import Any

from ledger.interfaces.http.models import Answer, Num, Stated


class Conversion(Answer):
    """Conversion figures of one source, type or (source, type)."""

    total_decisions: int
    conversion_rate: Num
    response_rate: Num = None
    total_revenue: Num = None
    avg_revenue_per_decision: Num = None
    conversion_rate_interval: list[Num] | None = None


class RevenueByType(Answer):
    """Revenue of one opportunity type, and by source within it."""

    opportunity_type: str
    total_revenue: Num
    avg_revenue_per_decision: Num
    total_decisions: int
    deals_closed: int
    by_source: list[dict[str, Any]]


class Insight(Answer):
    """What the outcomes say."""

    insight_type: str
    title: str
    description: str
    confidence_score: Num
    data_points: int


class Calibration(Stated):
    """How well past predictions matched outcomes."""

    count: int
    brier_score: Num
    reliability: Num
    resolution: Num
    uncertainty: Num
    within_bucket_spread: Num
    expected_calibration_error: Num
    buckets: list[dict[str, Any]]
    decisions: list[dict[str, Any]]


class DecisionSummary(Stated):
    """The daily (or weekly) decision summary."""

    decisions_made: int
    outcomes_recorded: int
    revenue: Num
    customers_acquired: int
    deals_closed: int
    performance_summary: str


class Prediction(Answer):
    """An opportunity's predicted outcome from history."""

    predicted_outcome: str
    conversion_probability: Num
    predicted_revenue: Num
    confidence: Num
    reasoning: str
    similar_count: int
    model_version: str


class Scored(Answer):
    """An opportunity as given, with its adjusted score and prediction."""

    opportunity_id: str
    adjusted_score: Num
    conversion_probability: Num
    recommendation: str
