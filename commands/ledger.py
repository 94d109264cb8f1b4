"""Corrections: the only way to undo a mistake is to retract it with a reason."""

from dataclasses import dataclass

from pydantic import AliasChoices, Field

from commands.base import Command, DomainError, NotFoundError
from commands.fields import Count, Position, RequiredText
from events.base import Event
from events.ledger_events import EventRetracted, ReportGenerated, report_stream

UNRETRACTABLE = frozenset({"EventRetracted", "ReportGenerated"})


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
