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


def alert_stream(pattern_id: str, alert_type: str) -> str:
    """The stream of one alert's lifecycle: its raisings, resolutions and deliveries."""
    return f"alert:{pattern_id}:{alert_type}"


class AlertRaised(Event):
    """An alert started firing: the `roi-alerts` run of `period` found it and it was not
    firing before (a still-firing alert records nothing)."""

    type: Literal["AlertRaised"] = "AlertRaised"
    alert_type: str = Field(min_length=1, max_length=100)
    message: Text
    pattern_id: str = Field(min_length=1, max_length=200)
    period: str = Field(min_length=1, max_length=100)
    severity: str = Field(min_length=1, max_length=100)


class AlertResolved(Event):
    """A firing alert stopped: the `roi-alerts` run of `period` no longer found it."""

    type: Literal["AlertResolved"] = "AlertResolved"
    alert_type: str = Field(min_length=1, max_length=100)
    pattern_id: str = Field(min_length=1, max_length=200)
    period: str = Field(min_length=1, max_length=100)


class AlertDelivered(Event):
    """A raising or resolution (`transition_seq`) reached a webhook: recorded once the
    receiver answered 2xx, so it is never sent again and the delivery can be audited."""

    type: Literal["AlertDelivered"] = "AlertDelivered"
    attempts: int = Field(ge=1)
    status_code: int = Field(ge=100, le=599)
    target: str = Field(min_length=1, max_length=2000)
    transition_seq: int = Field(ge=1)
