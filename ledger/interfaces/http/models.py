"""Response bodies of the HTTP API, as pydantic models (so `/openapi.json` says what comes
back). Every figure — money, rates, intervals — is a JSON number, as in the CLI's `--json`
(one representation on every surface; the ledger computes in exact Decimals and converts at
this edge only); extra keys a newer ledger adds are passed through. The decision loop's
answers are in decision_models."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, get_type_hints

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    WithJsonSchema,
    create_model,
    model_serializer,
)

from events import RecordedEvent
from ledger.present.encoding import jsonable

Number = Annotated[
    Decimal,
    PlainSerializer(jsonable, return_type=Any, when_used="json"),
    WithJsonSchema({"type": "number"}),
]
"""A figure: an exact Decimal inside, a JSON number on the wire (never a string)."""


class Answer(BaseModel):
    """A response body: the keys it declares, and any a newer ledger adds passed through."""

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


class CommandResult(Answer):
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


class PatternRoi(Answer):
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


class Effectiveness(Answer):
    """The source's effectiveness response."""

    pattern_id: str
    effectiveness_rating: str
    success_rate: Number | None  # None where undefined (no runs)
    roi_percentage: Number | None  # None where undefined (no runs)
    total_executions: int
    recommendation: str


class Digest(Answer):
    """The head of the log: keep it elsewhere to prove the log later."""

    seq: int
    hash: str


class Health(Answer):
    """The server is up and its ledger answers (its head, unless tokens are set)."""

    ok: bool
    seq: int | None = None
    hash: str | None = None


Num = Number | float | None
"""A figure that may be undefined: an exact decimal or a floating statistic, a JSON number
either way (`Answer`); None where undefined."""


class Stated(Answer):
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


class Alert(Answer):
    """A pattern that needs attention."""

    pattern_id: str
    alert_type: str
    severity: str
    message: str


class TrendPoint(Answer):
    """One day, ISO week or month of a pattern's runs."""

    period: str
    start: str
    total_executions: int
    successful_executions: int
    success_rate: Num
    time_saved_seconds: Num
    cost_saved_usd: Num
    roi_percentage: Num


class Pattern(Answer):
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


class ConfidenceChange(Answer):
    """What `update-confidence` did for one pattern."""

    pattern_id: str


def _envelope_fields() -> dict[str, Any]:
    """An event's envelope as the log declares it (events/envelope.py: `RecordedEvent`), its
    payload the object the stored JSON text decodes to, without the decoded event."""
    declared = get_type_hints(RecordedEvent)
    return {
        name: (dict[str, Any] if name == "payload" else kind, ...)
        for name, kind in declared.items()
        if name != "event"
    }


Envelope = create_model(
    "Envelope",
    __base__=Answer,
    __doc__="One event as stored: its envelope, its payload as an object, its hashes.",
    __module__=__name__,
    **_envelope_fields(),
)


class Verification(Answer):
    """What `verify` found: `ok` says it all."""

    ok: bool
    checked: int
    first_bad_seq: int | None
    problem: str | None
    head: dict[str, Any]
