"""Corrections: the only way to undo a mistake is to retract it with a reason."""

from dataclasses import dataclass

from pydantic import AliasChoices, Field

from commands.base import Command, DomainError, NotFoundError
from commands.fields import Count, Position, RequiredText
from events.base import Event
from events.ledger_events import (
    AlertDelivered,
    AlertRaised,
    AlertResolved,
    EventRetracted,
    ReportGenerated,
    alert_stream,
    report_stream,
)

UNRETRACTABLE = frozenset(
    {"EventRetracted", "ReportGenerated", "AlertRaised", "AlertResolved", "AlertDelivered"}
)
"""The ledger's own records: what the scheduler produced, raised and delivered."""


@dataclass(frozen=True, slots=True)
class RetractionTarget:
    """What deciding a retraction needs to know about its target."""

    seq: int
    stream_id: str
    event_type: str
    already_retracted_by: int | None


class Retract(Command):
    """Withdraw a recorded event: projections drop its effect, the log keeps both."""

    produces = EventRetracted
    target_seq: Position = Field(
        validation_alias=AliasChoices("target_seq", "seq"), description="The event to retract."
    )
    reason: RequiredText = Field(description="Why it was a mistake.")


def retract(target: RetractionTarget | None, cmd: Retract) -> list[Event]:
    """Retract an existing event that is not itself a retraction or a report record."""
    if target is None:
        raise NotFoundError(f"no event with seq {cmd.target_seq} in the log", field="target_seq")
    if target.event_type in UNRETRACTABLE:
        raise DomainError(
            f"seq {target.seq} is a {target.event_type}, which cannot be retracted",
            field="target_seq",
        )
    if target.already_retracted_by is not None:
        raise DomainError(
            f"seq {target.seq} was already retracted by seq {target.already_retracted_by}",
            field="target_seq",
        )
    return [EventRetracted(target_seq=cmd.target_seq, reason=cmd.reason)]


class RecordReport(Command):
    """Note in the log that a periodic report was produced, and from which head."""

    produces = ReportGenerated
    kind: str = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9-]+$")
    period: str = Field(min_length=1, max_length=100, pattern=r"^[^\s:]+$")
    as_of_seq: Count
    as_of_hash: str = Field(min_length=64, max_length=64)
    files: tuple[str, ...] = ()

    def stream_id(self) -> str:
        return report_stream(self.kind, self.period)


def record_report(cmd: RecordReport) -> list[Event]:
    """A report record; producing the same (kind, period) twice is prevented by its key."""
    return [
        ReportGenerated(
            kind=cmd.kind,
            period=cmd.period,
            as_of_seq=cmd.as_of_seq,
            as_of_hash=cmd.as_of_hash,
            files=cmd.files,
        )
    ]


_AlertType = Field(min_length=1, max_length=100, pattern=r"^[a-z0-9_]+$")
_Period = Field(min_length=1, max_length=100, pattern=r"^[^\s:]+$")


class _AlertCommand(Command):
    pattern_id: str = Field(min_length=1, max_length=200, pattern=r"^[^\s]+$")
    alert_type: str = _AlertType

    def stream_id(self) -> str:
        return alert_stream(self.pattern_id, self.alert_type)


class RaiseAlert(_AlertCommand):
    """An alert the `roi-alerts` run of `period` found, which was not firing."""

    produces = AlertRaised
    severity: str = Field(min_length=1, max_length=100)
    message: RequiredText
    period: str = _Period


class ResolveAlert(_AlertCommand):
    """A firing alert the `roi-alerts` run of `period` no longer found."""

    produces = AlertResolved
    period: str = _Period


class RecordAlertDelivery(_AlertCommand):
    """A raising or resolution reached a webhook (answered 2xx)."""

    produces = AlertDelivered
    transition_seq: Position
    target: str = Field(min_length=1, max_length=2000)
    attempts: int = Field(ge=1, le=1000)
    status_code: int = Field(ge=200, le=299)


@dataclass(frozen=True, slots=True)
class AlertState:
    """One alert's lifecycle as far as deciding needs: is it firing, which of its
    transitions (seqs) exist, which were delivered."""

    firing: bool = False
    transitions: frozenset[int] = frozenset()
    delivered: frozenset[int] = frozenset()


def raise_alert(state: AlertState, cmd: RaiseAlert) -> list[Event]:
    """Raise an alert that is not already firing."""
    if state.firing:
        raise DomainError(f"alert {cmd.stream_id()} is already firing", field="alert_type")
    return [
        AlertRaised(
            pattern_id=cmd.pattern_id,
            alert_type=cmd.alert_type,
            severity=cmd.severity,
            message=cmd.message,
            period=cmd.period,
        )
    ]


def resolve_alert(state: AlertState, cmd: ResolveAlert) -> list[Event]:
    """Resolve a firing alert."""
    if not state.firing:
        raise DomainError(f"alert {cmd.stream_id()} is not firing", field="alert_type")
    return [AlertResolved(pattern_id=cmd.pattern_id, alert_type=cmd.alert_type, period=cmd.period)]


def record_delivery(state: AlertState, cmd: RecordAlertDelivery) -> list[Event]:
    """Record the delivery of one of this alert's transitions, once."""
    if cmd.transition_seq not in state.transitions:
        raise NotFoundError(
            f"seq {cmd.transition_seq} is no raising or resolution of alert {cmd.stream_id()}",
            field="transition_seq",
        )
    if cmd.transition_seq in state.delivered:
        raise DomainError(f"seq {cmd.transition_seq} was already delivered", field="transition_seq")
    return [
        AlertDelivered(
            transition_seq=cmd.transition_seq,
            target=cmd.target,
            attempts=cmd.attempts,
            status_code=cmd.status_code,
        )
    ]
