"""Commands of the automation loop and the pure decisions behind them.

A decision takes the little it needs to know about a pattern (whether it is approved, its
current estimates), folded from the pattern's own events (commands/pattern_state.py).
"""

from decimal import Decimal
from typing import ClassVar, Literal, NamedTuple, Self, TypedDict

from pydantic import Field, model_validator

from commands.base import Command, DomainError, NotFoundError
from commands.fields import Amount, Count, Duration, Fraction, Id, RequiredText, Text, Timestamp

# STATE_EVENTS, PatternState and evolve are imported from here by projections/patterns.py,
# ledger/core/uow.py and ledger/core/pattern_handlers.py
from commands.pattern_state import STATE_EVENTS as STATE_EVENTS
from commands.pattern_state import PatternState as PatternState
from commands.pattern_state import evolve as evolve
from events.base import Event
from events.patterns import (
    PatternApproved,
    PatternConfidenceUpdated,
    PatternCostRecorded,
    PatternEstimatesRevised,
    PatternExecutionRecorded,
    PatternRevoked,
    pattern_stream,
)


class PatternCommand(Command):
    """A command on one pattern's stream."""

    pattern_id: Id = Field(description="The pattern id.")

    def stream_id(self) -> str:
        return pattern_stream(self.pattern_id)


class ApprovePattern(PatternCommand):
    """Approve a pattern for automation with the time and cost one run should take."""

    produces = PatternApproved
    occurred_field: ClassVar[str | None] = "approved_at"

    estimated_time_seconds: Duration = Field(description="Expected seconds per run.")
    estimated_cost: Amount = Field(description="Expected cost per run, in USD.")
    approved_by: Text | None = Field(None, description="Who approved it.")
    description: Text | None = Field(None, description="What the pattern does.")
    confidence: Fraction | None = Field(None, description="Initial confidence (0..1).")
    failed_runs_lose_time: bool = Field(
        False,
        description="A failed run's own time is time lost (someone waits on it or cleans up"
        " after it): the net time saved subtracts it.",
    )
    approved_at: Timestamp | None = Field(None, description="When it was approved (default now).")


class RevisePatternEstimates(PatternCommand):
    """Change an approved pattern's estimates; later executions default to the new ones."""

    produces = PatternEstimatesRevised
    occurred_field: ClassVar[str | None] = "revised_at"

    estimated_time_seconds: Duration | None = Field(
        None, description="New expected seconds per run (default: keep the current one)."
    )
    estimated_cost: Amount | None = Field(
        None, description="New expected cost per run in USD (default: keep the current one)."
    )
    reason: Text | None = Field(None, description="Why the estimates changed.")
    revised_at: Timestamp | None = Field(None, description="When they changed (default now).")

    @model_validator(mode="after")
    def _something_to_revise(self) -> Self:
        if self.estimated_time_seconds is None and self.estimated_cost is None:
            raise ValueError("give estimated_time_seconds, estimated_cost or both")
        return self


class RevokePattern(PatternCommand):
    """Stop a pattern: executions are refused from now on."""

    produces = PatternRevoked
    occurred_field: ClassVar[str | None] = "revoked_at"

    reason: RequiredText = Field(description="Why the pattern must stop.")
    revoked_at: Timestamp | None = Field(None, description="When it stopped (default now).")


class RecordExecution(PatternCommand):
    """Record one run of an approved pattern; estimates default to the pattern's current ones."""

    produces = PatternExecutionRecorded
    occurred_field: ClassVar[str | None] = "executed_at"

    execution_time_seconds: Duration = Field(description="Actual time, in seconds.")
    actual_cost: Amount = Field(description="Actual cost in USD.")
    success: bool = Field(description="Did the run succeed?")
    workflow_id: Count | None = Field(None, description="The workflow it ran in.")
    estimated_time_seconds: Duration | None = Field(
        None, description="Expected seconds (default: the pattern's estimate)."
    )
    estimated_cost: Amount | None = Field(
        None, description="Expected cost in USD (default: the pattern's estimate)."
    )
    error_message: Text | None = Field(None, description="What went wrong.")
    executed_at: Timestamp | None = Field(None, description="When it ran (default now).")


class RecordPatternCost(PatternCommand):
    """Record what a pattern costs to have, apart from its runs: a one-off cost (building
    it) or a monthly one (a licence, maintenance), counted in the window it falls in."""

    produces = PatternCostRecorded
    occurred_field: ClassVar[str | None] = "incurred_at"

    amount: Amount = Field(description="The cost in USD (for a monthly cost, per month).")
    label: RequiredText = Field(description="What it is, e.g. 'build' or 'licence'.")
    recurrence: Literal["one-off", "monthly"] = Field(
        "one-off",
        description="one-off (once, at incurred_at) or monthly (charged each month on the day "
        "of the month of incurred_at, until `until`).",
    )
    until: Timestamp | None = Field(
        None, description="A monthly cost's end: no charge on or after it (default: ongoing)."
    )
    incurred_at: Timestamp | None = Field(
        None, description="When it was spent, or a monthly cost's first charge (default now)."
    )


def _known(state: PatternState) -> None:
    if state.status == "unknown":
        raise NotFoundError(
            f"unknown pattern {state.pattern_id!r}: approve it first with "
            f"`roi-ledger pattern approve {state.pattern_id} ...`",
            field="pattern_id",
        )


def _active(state: PatternState) -> None:
    _known(state)
    if state.status == "revoked":
        raise DomainError(
            f"pattern {state.pattern_id!r} is revoked ({state.revoke_reason}); "
            "approve it again before recording against it",
            field="pattern_id",
        )


def approve_pattern(state: PatternState, cmd: ApprovePattern) -> list[Event]:
    """Approve a new (or previously revoked) pattern."""
    if state.status == "approved":
        raise DomainError(
            f"pattern {cmd.pattern_id!r} is already approved; "
            "use `roi-ledger pattern revise` to change its estimates",
            field="pattern_id",
        )
    return [
        PatternApproved(
            pattern_id=cmd.pattern_id,
            estimated_time_seconds=cmd.estimated_time_seconds,
            estimated_cost=cmd.estimated_cost,
            approved_by=cmd.approved_by,
            description=cmd.description,
            confidence=cmd.confidence,
            failed_runs_lose_time=cmd.failed_runs_lose_time,
        )
    ]


class Estimates(TypedDict):
    """The time and cost a run is expected to take."""

    estimated_time_seconds: Decimal
    estimated_cost: Decimal


def _estimates(state: PatternState, cmd: RevisePatternEstimates | RecordExecution) -> Estimates:
    """The command's estimates of time and cost, each defaulting to the active pattern's
    current one (refused for a pattern not approved)."""
    _active(state)
    assert state.estimated_time_seconds is not None and state.estimated_cost is not None
    seconds, cost = cmd.estimated_time_seconds, cmd.estimated_cost
    return Estimates(
        estimated_time_seconds=state.estimated_time_seconds if seconds is None else seconds,
        estimated_cost=state.estimated_cost if cost is None else cost,
    )


def revise_estimates(state: PatternState, cmd: RevisePatternEstimates) -> list[Event]:
    """Revise an approved pattern's estimates, keeping whichever one is not given."""
    return [
        PatternEstimatesRevised(
            pattern_id=cmd.pattern_id, **_estimates(state, cmd), reason=cmd.reason
        )
    ]


def revoke_pattern(state: PatternState, cmd: RevokePattern) -> list[Event]:
    """Revoke an approved pattern."""
    _known(state)
    if state.status == "revoked":
        raise DomainError(f"pattern {cmd.pattern_id!r} is already revoked", field="pattern_id")
    return [PatternRevoked(pattern_id=cmd.pattern_id, reason=cmd.reason)]


def record_cost(state: PatternState, cmd: RecordPatternCost, incurred_at: str) -> list[Event]:
    """Record a cost of a known pattern (approved or revoked: a licence may outlive it)."""
    from events.timeutil import format_timestamp

    _known(state)
    if cmd.amount == 0:
        raise DomainError("a cost of 0 changes nothing; give the amount in USD", field="amount")
    until = None if cmd.until is None else format_timestamp(cmd.until)
    if until is not None and cmd.recurrence == "one-off":
        raise DomainError(
            "only a monthly cost has an end (--recurrence monthly); a one-off cost has none",
            field="until",
        )
    if until is not None and until <= incurred_at:
        raise DomainError(
            f"{until} is not after the first charge ({incurred_at}); a monthly cost ends after"
            " it starts",
            field="until",
        )
    return [
        PatternCostRecorded(
            pattern_id=cmd.pattern_id,
            amount=cmd.amount,
            label=cmd.label,
            recurrence=cmd.recurrence,
            until=until,
        )
    ]


def record_execution(state: PatternState, cmd: RecordExecution) -> list[Event]:
    """Record an execution of an approved, not revoked, pattern."""
    return [
        PatternExecutionRecorded(
            pattern_id=cmd.pattern_id,
            workflow_id=cmd.workflow_id,
            execution_time_seconds=cmd.execution_time_seconds,
            actual_cost=cmd.actual_cost,
            success=cmd.success,
            error_message=cmd.error_message,
            **_estimates(state, cmd),
        )
    ]


class UpdateConfidence(PatternCommand):
    """Move a pattern's confidence to what its effectiveness rating says (the closed loop)."""

    produces = PatternConfidenceUpdated


class ConfidenceTarget(NamedTuple):
    """What the ROI figures say the confidence should be (None: not enough data to say)."""

    rating: str
    total_executions: int
    confidence: Decimal | None


def update_confidence(
    state: PatternState, cmd: UpdateConfidence, target: ConfidenceTarget
) -> list[Event]:
    """Record a confidence change; an unchanged value, or too little data, records nothing."""
    _active(state)
    if target.confidence is None or target.confidence == state.confidence:
        return []
    return [
        PatternConfidenceUpdated(
            pattern_id=cmd.pattern_id,
            old=state.confidence,
            new=target.confidence,
            rating=target.rating,
            reason=f"rated {target.rating} after {target.total_executions} executions",
        )
    ]
