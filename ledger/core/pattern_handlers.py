"""The automation loop's handlers: for each pattern command, load its state, decide, append.

Each handler table (this one and `ledger/core/decision_handlers.py`) is a dict keyed by the command
classes themselves, built with `route`, so mypy checks each pairing and a renamed class fails
at import. The bus that dispatches through them is in `ledger/core/bus.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from types import ModuleType
from typing import Any, TypeVar

from commands import patterns
from commands.base import Command, DomainError
from events import RecordedEvent
from events.timeutil import format_timestamp
from ledger.core.uow import UnitOfWork
from projections import effectiveness, roi_queries

Handler = Callable[[UnitOfWork, Any], list[RecordedEvent]]
C = TypeVar("C", bound=Command)


def route(
    table: dict[type[Command], Handler],
    cls: type[C],
    handler: Callable[[UnitOfWork, C], list[RecordedEvent]],
) -> None:
    """Add one entry to a handler table; mypy checks that the handler takes that command."""
    table[cls] = handler


def check_table(table: dict[type[Command], Handler], *modules: ModuleType) -> None:
    """Every concrete command these modules define has a handler (checked when a table is
    imported: a command without one fails at start, not when a user first sends it)."""
    missing = [
        cls.__name__
        for module in modules
        for cls in vars(module).values()
        if isinstance(cls, type)
        and issubclass(cls, Command)
        and cls.__module__ == module.__name__
        and "produces" in vars(cls)
        and cls not in table
    ]
    if missing:
        raise TypeError(f"commands without a handler: {', '.join(missing)}")


def append_decided(uow: UnitOfWork, cmd: Command, events: list[Any]) -> list[RecordedEvent]:
    """Append what a command decided: to the stream it names, at the time its own field
    says it happened (`Command.stream_id`, `Command.occurred_field`)."""
    stream = cmd.stream_id()
    assert stream is not None, f"{type(cmd).__name__} names no stream"
    field = cmd.occurred_field
    return append_events(uow, stream, events, cmd, None if field is None else getattr(cmd, field))


P = TypeVar("P", bound=patterns.PatternCommand)


def on_pattern(
    decide: Callable[[patterns.PatternState, P], list[Any]],
) -> Callable[[UnitOfWork, P], list[RecordedEvent]]:
    """The handler of a pattern command that needs nothing but its pattern's state: load
    it, decide (the pure rule in commands/patterns.py), append."""

    def handle(uow: UnitOfWork, cmd: P) -> list[RecordedEvent]:
        return append_decided(uow, cmd, decide(uow.pattern(cmd.pattern_id), cmd))

    handle.__doc__ = decide.__doc__
    return handle


def record_cost(uow: UnitOfWork, cmd: patterns.RecordPatternCost) -> list[RecordedEvent]:
    """Record a pattern's one-off or monthly cost."""
    when = uow.recorded_at if cmd.incurred_at is None else format_timestamp(cmd.incurred_at)
    return append_decided(uow, cmd, patterns.record_cost(uow.pattern(cmd.pattern_id), cmd, when))


def record_execution(uow: UnitOfWork, cmd: patterns.RecordExecution) -> list[RecordedEvent]:
    """Record one execution (not dated after the ledger's clock; one dated before its
    pattern's approval is recorded, with a warning: a backfill does that, so may a typo)."""
    check_happened(uow, cmd.executed_at, "executed_at")
    out = _append_execution(uow, cmd)
    if cmd.executed_at is not None and out:
        row = uow.db.execute(
            "SELECT approved_at FROM patterns WHERE pattern_id = ?", (cmd.pattern_id,)
        ).fetchone()
        if row is not None and out[0].occurred_at < row[0]:
            uow.notes.append(
                f"executed_at {out[0].occurred_at} is before {cmd.pattern_id}'s approval "
                f"({row[0]}); recorded. If that is a mistake, `roi-ledger retract "
                f"{out[0].seq} --reason ...`"
            )
    return out


_append_execution = on_pattern(patterns.record_execution)
"""Built once: recording an execution is the hot path."""

FUTURE_SLACK = timedelta(days=1)
"""How far past the ledger's clock a time of something that happened may be (time zones,
clocks a little fast); later is refused."""


def check_happened(uow: UnitOfWork, when: datetime | None, field: str) -> None:
    """Refuse a time something happened that is more than a day after the ledger's clock:
    it has not happened yet (`executed_at`, `decided_at`, `occurred_at`: README "Periods: what
    happened when, and what the ledger knew when")."""
    if when is None:
        return
    now = datetime.fromisoformat(uow.recorded_at.replace("Z", "+00:00"))
    if when > now + FUTURE_SLACK:
        raise DomainError(
            f"{format_timestamp(when)} is after the ledger's clock ({uow.recorded_at[:19]}Z) "
            "by more than a day: it has not happened yet. Check the date (and this machine's "
            "clock)",
            field=field,
        )


def update_confidence(uow: UnitOfWork, cmd: patterns.UpdateConfidence) -> list[RecordedEvent]:
    """Closed loop: rate the pattern on its current figures, record a confidence change."""
    uow.flush()  # the ROI projection must include this transaction's own executions
    row = roi_queries.pattern_roi(uow.db, cmd.pattern_id)
    total = row["total_executions"] if row else 0
    rating: effectiveness.Rating = row["effectiveness_rating"] if row else "insufficient_data"
    target = patterns.ConfidenceTarget(rating, total, effectiveness.confidence_for(rating, total))
    events = patterns.update_confidence(uow.pattern(cmd.pattern_id), cmd, target)
    return append_decided(uow, cmd, events) if events else []


def append_events(
    uow: UnitOfWork, stream_id: str, events: list[Any], cmd: Command, occurred_at: datetime | None
) -> list[RecordedEvent]:
    return uow.append(
        stream_id,
        events,
        occurred_at=None if occurred_at is None else format_timestamp(occurred_at),
        idempotency_key=cmd.idempotency_key,
        expected_version=cmd.expected_version,
    )


HANDLERS: dict[type[Command], Handler] = {}
route(HANDLERS, patterns.ApprovePattern, on_pattern(patterns.approve_pattern))
route(HANDLERS, patterns.RevisePatternEstimates, on_pattern(patterns.revise_estimates))
route(HANDLERS, patterns.RevokePattern, on_pattern(patterns.revoke_pattern))
route(HANDLERS, patterns.RecordExecution, record_execution)
route(HANDLERS, patterns.RecordPatternCost, record_cost)
route(HANDLERS, patterns.UpdateConfidence, update_confidence)
check_table(HANDLERS, patterns)
