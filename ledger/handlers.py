"""The handler table: for each command, load its state, decide, append. One dict, no magic.

The decision loop's and the ledger's own commands are imported by their handlers, not here:
recording one execution from the shell should not pay for defining every other model.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from commands import patterns
from commands.base import Command
from events import RecordedEvent
from events.patterns import pattern_stream
from events.sql import Sql
from events.timeutil import format_timestamp, parse_timestamp
from ledger.uow import UnitOfWork
from projections import effectiveness, roi_queries

if TYPE_CHECKING:
    from commands import decisions
    from commands import ledger as ledger_commands

Result = dict[str, Any]
Handler = Callable[[UnitOfWork, Any], list[RecordedEvent]]


def approve_pattern(uow: UnitOfWork, cmd: patterns.ApprovePattern) -> list[RecordedEvent]:
    """Approve a pattern."""
    events = patterns.approve_pattern(uow.pattern(cmd.pattern_id), cmd)
    return _append(uow, pattern_stream(cmd.pattern_id), events, cmd, cmd.approved_at)


def revise_pattern(uow: UnitOfWork, cmd: patterns.RevisePatternEstimates) -> list[RecordedEvent]:
    """Revise a pattern's estimates."""
    events = patterns.revise_estimates(uow.pattern(cmd.pattern_id), cmd)
    return _append(uow, pattern_stream(cmd.pattern_id), events, cmd, cmd.revised_at)


def revoke_pattern(uow: UnitOfWork, cmd: patterns.RevokePattern) -> list[RecordedEvent]:
    """Revoke a pattern."""
    events = patterns.revoke_pattern(uow.pattern(cmd.pattern_id), cmd)
    return _append(uow, pattern_stream(cmd.pattern_id), events, cmd, cmd.revoked_at)


def record_execution(uow: UnitOfWork, cmd: patterns.RecordExecution) -> list[RecordedEvent]:
    """Record one execution."""
    events = patterns.record_execution(uow.pattern(cmd.pattern_id), cmd)
    return _append(uow, pattern_stream(cmd.pattern_id), events, cmd, cmd.executed_at)


def update_confidence(uow: UnitOfWork, cmd: patterns.UpdateConfidence) -> list[RecordedEvent]:
    """Closed loop: rate the pattern on its current figures, record a confidence change."""
    uow.flush()  # the ROI projection must include this transaction's own executions
    row = roi_queries.pattern_roi(uow.db, cmd.pattern_id)
    total = row["total_executions"] if row else 0
    rating: effectiveness.Rating = row["effectiveness_rating"] if row else "insufficient_data"
    target = patterns.ConfidenceTarget(rating, total, effectiveness.confidence_for(rating, total))
    events = patterns.update_confidence(uow.pattern(cmd.pattern_id), cmd, target)
    return _append(uow, pattern_stream(cmd.pattern_id), events, cmd, None) if events else []


def _decision_state(uow: UnitOfWork, decision_id: str) -> decisions.DecisionState:
    from commands.decisions import DecisionState
    from events.decisions import decision_stream
    from projections.decision_rows import decision_state

    def load(db: Sql) -> DecisionState:
        decided_at, seq = decision_state(db, decision_id)
        return DecisionState(decision_id, decided_at, seq)

    state: DecisionState = uow.state(decision_stream(decision_id), load)
    return state


def log_decision(uow: UnitOfWork, cmd: decisions.LogDecision) -> list[RecordedEvent]:
    """Log a decision (its id must be new)."""
    from commands import decisions
    from events.decisions import decision_stream

    state = _decision_state(uow, cmd.decision_id)
    events = decisions.log_decision(state, cmd)
    out = _append(uow, decision_stream(cmd.decision_id), events, cmd, cmd.decided_at)
    decided = parse_timestamp(out[0].occurred_at)
    uow.set_state(out[0].stream_id, decisions.DecisionState(cmd.decision_id, decided, out[0].seq))
    return out


def record_outcome(uow: UnitOfWork, cmd: decisions.RecordOutcome) -> list[RecordedEvent]:
    """Record an outcome of a logged decision."""
    from commands import decisions
    from events.decisions import decision_stream

    state = _decision_state(uow, cmd.decision_id)
    occurred = parse_timestamp(cmd.occurred_at or parse_timestamp(uow.recorded_at))
    events = decisions.record_outcome(state, cmd, occurred)
    return _append(uow, decision_stream(cmd.decision_id), events, cmd, occurred)


def record_prediction(uow: UnitOfWork, cmd: decisions.RecordPrediction) -> list[RecordedEvent]:
    """Keep a prediction for later calibration."""
    from commands import decisions
    from events.decisions import opportunity_stream

    events = decisions.record_prediction(cmd)
    return _append(uow, opportunity_stream(cmd.opportunity_id), events, cmd, None)


def record_report(uow: UnitOfWork, cmd: ledger_commands.RecordReport) -> list[RecordedEvent]:
    """The scheduler's record of a produced report (key and stream report:<kind>:<period>)."""
    from commands import ledger as ledger_commands
    from events.ledger_events import report_stream

    events = ledger_commands.record_report(cmd)
    return _append(uow, report_stream(cmd.kind, cmd.period), events, cmd, None)


def retract(uow: UnitOfWork, cmd: ledger_commands.Retract) -> list[RecordedEvent]:
    """Retract an event; projections drop its effect in this same transaction."""
    from commands import ledger as ledger_commands

    uow.flush()
    stored = uow.log.read_event(uow.db, cmd.target_seq)
    target = None
    if stored is not None:
        target = ledger_commands.RetractionTarget(
            stored.seq, stored.stream_id, stored.event_type, uow.log.retracted_by(uow.db, stored)
        )
    events = ledger_commands.retract(target, cmd)
    assert stored is not None
    out = _append(uow, stored.stream_id, events, cmd, None)
    uow.forget_state()
    return out


def _append(
    uow: UnitOfWork, stream_id: str, events: list[Any], cmd: Command, occurred_at: datetime | None
) -> list[RecordedEvent]:
    return uow.append(
        stream_id,
        events,
        occurred_at=None if occurred_at is None else format_timestamp(occurred_at),
        idempotency_key=cmd.idempotency_key,
        expected_version=cmd.expected_version,
    )


HANDLERS: dict[str, Handler] = {
    "commands.patterns.ApprovePattern": approve_pattern,
    "commands.patterns.RevisePatternEstimates": revise_pattern,
    "commands.patterns.RevokePattern": revoke_pattern,
    "commands.patterns.RecordExecution": record_execution,
    "commands.patterns.UpdateConfidence": update_confidence,
    "commands.decisions.LogDecision": log_decision,
    "commands.decisions.RecordOutcome": record_outcome,
    "commands.decisions.RecordPrediction": record_prediction,
    "commands.ledger.Retract": retract,
    "commands.ledger.RecordReport": record_report,
}
"""Each command class, by its full name (so this table imports none of them), to its handler."""

_RESOLVED: dict[type, Handler] = {}


def handler_for(command: Command) -> Handler:
    """The handler of a command (or of the command class a batch-line model extends)."""
    kind = type(command)
    handler = _RESOLVED.get(kind)
    if handler is None:
        names = (f"{c.__module__}.{c.__qualname__}" for c in kind.__mro__)
        handler = next((HANDLERS[n] for n in names if n in HANDLERS), None)
        if handler is None:
            raise TypeError(f"no handler for {kind.__name__}")
        _RESOLVED[kind] = handler
    return handler


@cache
def batch_commands() -> dict[str, type[Command]]:
    """The `command` names `record batch` accepts, to their command classes."""
    from commands import decisions
    from commands import ledger as ledger_commands

    return {
        "approve": patterns.ApprovePattern,
        "revise": patterns.RevisePatternEstimates,
        "revoke": patterns.RevokePattern,
        "execution": patterns.RecordExecution,
        "decision": decisions.LogDecision,
        "outcome": decisions.RecordOutcome,
        "prediction": decisions.RecordPrediction,
        "retract": ledger_commands.Retract,
    }
