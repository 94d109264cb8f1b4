"""The decision loop's and the ledger's own handlers (imported on first use of one of these
commands: recording an execution from the shell does not pay for defining these models)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from commands import decisions
from commands import ledger as ledger_commands
from commands.base import Command
from commands.decisions import DecisionState
from events import RecordedEvent
from events.decisions import decision_stream
from events.sql import Sql
from events.timeutil import parse_timestamp
from ledger.core.pattern_handlers import (
    Handler,
    append_decided,
    append_events,
    check_happened,
    check_table,
    route,
)
from ledger.core.uow import UnitOfWork
from projections.decision_rows import decision_state


def _decision_state(uow: UnitOfWork, decision_id: str) -> decisions.DecisionState:

    def load(db: Sql) -> DecisionState:
        decided_at, seq = decision_state(db, decision_id)
        return DecisionState(decision_id, decided_at, seq)

    state: DecisionState = uow.state(decision_stream(decision_id), load)
    return state


def log_decision(uow: UnitOfWork, cmd: decisions.LogDecision) -> list[RecordedEvent]:
    """Log a decision (its id must be new)."""

    check_happened(uow, cmd.decided_at, "decided_at")
    state = _decision_state(uow, cmd.decision_id)
    out = append_decided(uow, cmd, decisions.log_decision(state, cmd))
    decided = parse_timestamp(out[0].occurred_at)
    uow.set_state(out[0].stream_id, decisions.DecisionState(cmd.decision_id, decided, out[0].seq))
    return out


def record_outcome(uow: UnitOfWork, cmd: decisions.RecordOutcome) -> list[RecordedEvent]:
    """Record an outcome of a logged decision."""

    check_happened(uow, cmd.occurred_at, "occurred_at")
    state = _decision_state(uow, cmd.decision_id)
    occurred = parse_timestamp(cmd.occurred_at or parse_timestamp(uow.recorded_at))
    return append_events(
        uow, decision_stream(cmd.decision_id), decisions.record_outcome(state, cmd, occurred),
        cmd, occurred,
    )  # fmt: skip


C = TypeVar("C", bound=Command)


def stateless(decide: Callable[[C], list[Any]]) -> Callable[[UnitOfWork, C], list[RecordedEvent]]:
    """The handler of a command that needs no state (a prediction kept for calibration, the
    scheduler's record of a report): decide, append to its stream at its time."""

    def handle(uow: UnitOfWork, cmd: C) -> list[RecordedEvent]:
        return append_decided(uow, cmd, decide(cmd))

    handle.__doc__ = decide.__doc__
    return handle


def retract(uow: UnitOfWork, cmd: ledger_commands.Retract) -> list[RecordedEvent]:
    """Retract an event; projections drop its effect in this same transaction."""

    uow.flush()
    stored = uow.read_event(cmd.target_seq)
    target = None
    if stored is not None:
        target = ledger_commands.RetractionTarget(
            stored.seq, stored.stream_id, stored.event_type, uow.retracted_by(stored)
        )
    events = ledger_commands.retract(target, cmd)
    assert stored is not None
    out = append_events(uow, stored.stream_id, events, cmd, None)
    uow.forget_state()
    return out


def _alert_state(
    uow: UnitOfWork,
    cmd: ledger_commands.RaiseAlert
    | ledger_commands.ResolveAlert
    | ledger_commands.RecordAlertDelivery,
) -> ledger_commands.AlertState:
    from projections.alerts import alert_state

    uow.flush()  # this transaction's own transitions count
    return alert_state(uow.db, cmd.pattern_id, cmd.alert_type)


A = TypeVar(
    "A", ledger_commands.RaiseAlert, ledger_commands.ResolveAlert,
    ledger_commands.RecordAlertDelivery,
)  # fmt: skip


def on_alert(
    decide: Callable[[ledger_commands.AlertState, A], list[Any]],
) -> Callable[[UnitOfWork, A], list[RecordedEvent]]:
    """The handler of an alert command (stream alert:<pattern>:<type>): the alert's state
    with this transaction's own transitions, decide, append."""

    def handle(uow: UnitOfWork, cmd: A) -> list[RecordedEvent]:
        return append_decided(uow, cmd, decide(_alert_state(uow, cmd), cmd))

    handle.__doc__ = decide.__doc__
    return handle


HANDLERS: dict[type[Command], Handler] = {}
route(HANDLERS, decisions.LogDecision, log_decision)
route(HANDLERS, decisions.RecordOutcome, record_outcome)
route(HANDLERS, decisions.RecordPrediction, stateless(decisions.record_prediction))
route(HANDLERS, ledger_commands.Retract, retract)
route(HANDLERS, ledger_commands.RecordReport, stateless(ledger_commands.record_report))
route(HANDLERS, ledger_commands.RaiseAlert, on_alert(ledger_commands.raise_alert))
route(HANDLERS, ledger_commands.ResolveAlert, on_alert(ledger_commands.resolve_alert))
route(HANDLERS, ledger_commands.RecordAlertDelivery, on_alert(ledger_commands.record_delivery))
check_table(HANDLERS, decisions, ledger_commands)
