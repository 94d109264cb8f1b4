"""Response bodies of the HTTP API, as pydantic models (so `/openapi.json` says what comes
back). Every figure — money, rates, intervals — is a JSON number, as in the CLI's `--json`
(one representation on every surface; the ledger computes in exact Decimals and converts at
this edge only); extra keys a newer ledger adds are passed through."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    model_serializer,
)

from ledger.present.encoding import jsonable

Number = Annotated[
    Decimal,
    PlainSerializer(jsonable, return_type=Any, when_used="json"),
    WithJsonSchema({"type": "number"}),
]
"""A figure: an exact Decimal inside, a JSON number on the wire (never a string)."""


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")

    @model_serializer(mode="wrap")
    def _figures_as_numbers(self, handler: Any, info: Any) -> Any:
        """On the wire every figure is a JSON number — declared fields, keys passed through
        and figures nested in lists and objects alike — never a decimal string."""
        if not info.mode_is_json():
            return handler(self)
        data = self.model_dump(
            mode="python",
            exclude_unset=info.exclude_unset,
            exclude_defaults=info.exclude_defaults,
            exclude_none=info.exclude_none,
            by_alias=bool(info.by_alias),
        )
        return jsonable(data)


class CommandResult(_Open):
    """Where a command's first event landed, and whether it was the exact retry."""

    seq: int = Field(description="The event's position in the log.")
    stream_id: str
    stream_version: int
    event_type: str
    duplicate: bool = Field(description="True: a retry with the same key; nothing appended.")
    occurred_at: str
    recorded_at: str
    hash: str = Field(description="The event's link in the hash chain.")
    warning: str | None = Field(None, description="Set when the chain was found broken.")


class ExecutionRecorded(CommandResult):
    """The source's response to `POST /api/roi-tracking/executions`, plus the common keys."""

    message: str
    execution_id: int
    pattern_id: str


class PatternRoi(_Open):
    """The source's per-pattern ROI summary, with status, confidence and rating."""

    pattern_id: str
    total_executions: int
    successful_executions: int
    success_rate: Number | None  # None where undefined (no runs)
    total_time_saved_seconds: Number | None  # None where undefined (no runs)
    total_cost_saved_usd: Number | None  # None where undefined (no runs)
    average_time_saved_seconds: Number | None  # None where undefined (no runs)
    average_cost_saved_usd: Number | None  # None where undefined (no runs)
    roi_percentage: Number | None  # None where undefined (no runs)
    last_updated: str | None
    status: str | None = None
    confidence: Number | None = None
    effectiveness_rating: str | None = None
    success_rate_interval: list[Number] | None = None


class Effectiveness(_Open):
    """The source's effectiveness response."""

    pattern_id: str
    effectiveness_rating: str
    success_rate: Number | None  # None where undefined (no runs)
    roi_percentage: Number | None  # None where undefined (no runs)
    total_executions: int
    recommendation: str


class Digest(_Open):
    """The head of the log: keep it elsewhere to prove the log later."""

    seq: int
    hash: str


class Health(_Open):
    """The server is up and its ledger answers (its head, unless tokens are set)."""

    ok: bool
    seq: int | None = None
    hash: str | None = None


Num = Number | float | None
"""A figure: exact decimals come back as strings (as in the CLI's --json), ratios of
floating statistics as numbers; None where undefined."""


class Stated(_Open):
    """A report that says which head it was computed from."""

    as_of_seq: int | None = Field(None, description="The last seq the figures include.")
    as_of_hash: str | None = Field(None, description="That event's hash.")


class RoiReport(Stated):
    """Summary, rating, recent executions, recommendations and alerts of one pattern."""

    pattern_id: str
    summary: dict[str, Any]
    effectiveness: dict[str, Any]
    executions: list[dict[str, Any]]
    recommendations: list[Any]
    alerts: list[dict[str, Any]]


class Dashboard(Stated):
    """The portfolio at a glance for the current UTC month."""

    month: str
    total_patterns: int
    executions_this_month: int
    cost_saved_this_month_usd: Num
    average_success_rate: Num
    top_performers: list[dict[str, Any]]
    needs_attention: list[dict[str, Any]]
    last_30_days: dict[str, Any]
    previous_30_days: dict[str, Any]
    change: dict[str, Any]
    window: dict[str, Any]
    now: str


class Alert(_Open):
    """A pattern that needs attention."""

    pattern_id: str
    alert_type: str
    severity: str
    message: str


class TrendPoint(_Open):
    """One day, ISO week or month of a pattern's runs."""

    period: str
    start: str
    total_executions: int
    successful_executions: int
    success_rate: Num
    time_saved_seconds: Num
    cost_saved_usd: Num
    roi_percentage: Num


class Pattern(_Open):
    """A pattern in the registry."""

    pattern_id: str
    status: str
    estimated_time_seconds: Num
    estimated_cost: Num
    approved_by: str | None = None
    description: str | None = None
    confidence: Num = None
    confidence_rating: str | None = None
    approved_at: str | None = None
    revoked_at: str | None = None
    revoke_reason: str | None = None
    updated_at: str | None = None
    failed_runs_lose_time: bool = False


class ConfidenceChange(_Open):
    """What `update-confidence` did for one pattern."""

    pattern_id: str


class Conversion(_Open):
    """Conversion figures of one source, type or (source, type)."""

    total_decisions: int
    conversion_rate: Num
    response_rate: Num = None
    total_revenue: Num = None
    avg_revenue_per_decision: Num = None
    conversion_rate_interval: list[Num] | None = None


class RevenueByType(_Open):
    """Revenue of one opportunity type, and by source within it."""

    opportunity_type: str
    total_revenue: Num
    avg_revenue_per_decision: Num
    total_decisions: int
    deals_closed: int
    by_source: list[dict[str, Any]]


class Insight(_Open):
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


class Prediction(_Open):
    """An opportunity's predicted outcome from history."""

    predicted_outcome: str
    conversion_probability: Num
    predicted_revenue: Num
    confidence: Num
    reasoning: str
    similar_count: int
    model_version: str


class Scored(_Open):
    """An opportunity as given, with its adjusted score and prediction."""

    opportunity_id: str
    adjusted_score: Num
    conversion_probability: Num
    recommendation: str


class Envelope(_Open):
    """One event as stored: its envelope, its payload as an object, its hashes."""

    seq: int
    stream_id: str
    stream_version: int
    event_type: str
    schema_version: int
    occurred_at: str
    recorded_at: str
    payload: dict[str, Any]
    idempotency_key: str | None
    prev_hash: str
    hash: str


class Verification(_Open):
    """What `verify` found: `ok` says it all."""

    ok: bool
    checked: int
    first_bad_seq: int | None
    problem: str | None
    head: dict[str, Any]
