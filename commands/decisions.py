"""Commands of the decision loop: log a decision, record its outcomes, keep a prediction.

Field names follow the spec and the source document (`opportunity_type`, `outcome_status`,
`revenue_generated`); the CLI's shorter names (`type`, `status`, `revenue`, …) are accepted
as aliases, so a `record batch` line may use either.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

from pydantic import AliasChoices, Field

from commands.base import Command, ConflictError, DomainError, NotFoundError
from commands.fields import (
    Amount,
    Count,
    Fraction,
    Id,
    JsonObject,
    Label,
    RequiredText,
    Score,
    Text,
    Timestamp,
)
from events.base import Event
from events.decisions import (
    DecisionLogged,
    OpportunityScored,
    OutcomeRecorded,
    OutcomeStatus,
    decision_stream,
    opportunity_stream,
)


def _alias(*names: str) -> Any:
    return AliasChoices(*names)


@dataclass(frozen=True, slots=True)
class DecisionState:
    """What deciding on a decision's stream needs: whether it exists, and when it was made."""

    decision_id: str
    decided_at: datetime | None = None
    logged_seq: int | None = None

    @property
    def exists(self) -> bool:
        return self.decided_at is not None


class DecisionCommand(Command):
    """A command on one decision's stream."""

    decision_id: Id = Field(description="The decision's id.")

    def stream_id(self) -> str:
        return decision_stream(self.decision_id)


class LogDecision(DecisionCommand):
    """Log a decision taken on an opportunity, with its context."""

    produces = DecisionLogged
    occurred_field: ClassVar[str | None] = "decided_at"

    decision_id: Id = Field(description="A new id for the decision (unique in the ledger).")

    opportunity_type: Label = Field(
        validation_alias=_alias("opportunity_type", "type"),
        description="e.g. golf_coaching, partnership.",
    )
    opportunity_source: Label = Field(
        validation_alias=_alias("opportunity_source", "source"),
        description="Where it came from: twitter, email, …",
    )
    action_taken: RequiredText = Field(
        validation_alias=_alias("action_taken", "action"), description="What was done about it."
    )
    opportunity_content: Text | None = Field(
        default=None,
        validation_alias=_alias("opportunity_content", "content"),
        description="The opportunity's text.",
    )
    opportunity_score: Score | None = Field(
        default=None,
        validation_alias=_alias("opportunity_score", "score"),
        description="Its base score (0..100).",
    )
    sender: Text | None = Field(None, description="Who sent it.")
    decision_maker: Text | None = Field(None, description="Who decided.")
    context: JsonObject = Field(default_factory=dict, description="Metadata, a JSON object.")
    opportunity_id: Id | None = Field(
        None, description="Links the decision to a scored opportunity."
    )
    decided_at: Timestamp | None = Field(
        default=None,
        validation_alias=_alias("decided_at", "timestamp"),
        description="When it was decided (default now).",
    )


class RecordOutcome(DecisionCommand):
    """Record what came of a decision (several outcomes per decision are fine)."""

    produces = OutcomeRecorded
    occurred_field: ClassVar[str | None] = "occurred_at"

    decision_id: Id = Field(description="The logged decision this outcome belongs to.")

    outcome_type: Label = Field(description="e.g. response, conversion.")
    outcome_status: OutcomeStatus = Field(
        validation_alias=_alias("outcome_status", "status"),
        description="success, failed or pending.",
    )
    revenue_generated: Amount = Field(
        default=Decimal(0),
        validation_alias=_alias("revenue_generated", "revenue"),
        description="Revenue it brought, in USD.",
    )
    customer_acquired: bool = Field(False, description="It won a customer.")
    deal_closed: bool = Field(False, description="It closed a deal.")
    response_received: bool = Field(False, description="The other side answered.")
    notes: Text | None = Field(None, description="Anything worth keeping about it.")
    occurred_at: Timestamp | None = Field(None, description="When it happened (default now).")


class RecordPrediction(Command):
    """Keep the prediction made for an opportunity, to hold it against outcomes later."""

    produces = OpportunityScored
    occurred_field: ClassVar[str | None] = "scored_at"

    opportunity_id: Id
    opportunity_type: Label | None = None
    opportunity_source: Label | None = None
    original_score: Score
    adjusted_score: Score
    conversion_probability: Score
    predicted_revenue: Amount
    confidence: Fraction
    similar_count: Count
    model_version: Label
    scored_at: Timestamp | None = Field(None, description="When it was scored (default now).")

    def stream_id(self) -> str:
        return opportunity_stream(self.opportunity_id)


def log_decision(state: DecisionState, cmd: LogDecision) -> list[Event]:
    """A decision id is logged once (a retry with the same idempotency key is not an error)."""
    if state.exists:
        raise ConflictError(
            f"decision {cmd.decision_id!r} was already logged (seq {state.logged_seq}); "
            "record what came of it with `roi-ledger record outcome`",
            field="decision_id",
        )
    return [
        DecisionLogged(
            decision_id=cmd.decision_id,
            opportunity_type=cmd.opportunity_type,
            opportunity_source=cmd.opportunity_source,
            action_taken=cmd.action_taken,
            opportunity_content=cmd.opportunity_content,
            opportunity_score=cmd.opportunity_score,
            sender=cmd.sender,
            decision_maker=cmd.decision_maker,
            context=cmd.context,
            opportunity_id=cmd.opportunity_id or _context_id(cmd.context),
        )
    ]


def _context_id(context: dict[str, Any]) -> str | None:
    """An opportunity id carried in the decision's context links it to its prediction."""
    value = context.get("opportunity_id")
    return str(value) if isinstance(value, str | int) and str(value).strip() else None


def record_outcome(state: DecisionState, cmd: RecordOutcome, occurred_at: datetime) -> list[Event]:
    """An outcome needs a logged decision and cannot precede it."""
    if not state.exists:
        raise NotFoundError(
            f"unknown decision {cmd.decision_id!r}: log it first with `roi-ledger record decision`",
            field="decision_id",
        )
    assert state.decided_at is not None
    if occurred_at < state.decided_at:
        raise DomainError(
            f"the outcome ({occurred_at.isoformat()}) would precede its decision "
            f"({state.decided_at.isoformat()})",
            field="occurred_at",
        )
    return [
        OutcomeRecorded(
            decision_id=cmd.decision_id,
            outcome_type=cmd.outcome_type,
            outcome_status=cmd.outcome_status,
            revenue_generated=cmd.revenue_generated,
            customer_acquired=cmd.customer_acquired,
            deal_closed=cmd.deal_closed,
            response_received=cmd.response_received,
            notes=cmd.notes,
        )
    ]


def record_prediction(cmd: RecordPrediction) -> list[Event]:
    """Predictions are facts about what the ledger said; nothing to refuse once valid."""
    fields = set(OpportunityScored.model_fields) - {"type"}
    return [OpportunityScored.model_validate(cmd.model_dump(include=fields))]
