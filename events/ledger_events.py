"""Events about the ledger itself: corrections and the scheduler's record of its reports."""

from typing import Literal

from pydantic import Field

from events.base import Event, Text


class EventRetracted(Event):
    """A mistaken event is withdrawn: projections drop its effect, the log keeps it.

    Stored in the target event's own stream, so the stream's history shows the correction.
    """

    type: Literal["EventRetracted"] = "EventRetracted"
    reason: Text = Field(min_length=1)
    target_seq: int = Field(ge=1)


def report_stream(kind: str, period: str) -> str:
    """The stream (and idempotency key) of one produced report."""
    return f"report:{kind}:{period}"


class ReportGenerated(Event):
    """A periodic report was produced from the log as it stood at `as_of_seq`."""

    type: Literal["ReportGenerated"] = "ReportGenerated"
    as_of_hash: str
    as_of_seq: int = Field(ge=0)
    files: tuple[str, ...] = ()
    kind: str
    period: str
