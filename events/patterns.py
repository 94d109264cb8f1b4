"""Events of the automation loop: a pattern's approval, estimates, confidence and executions.

Every event lives in the stream `pattern:<pattern_id>`.
"""

from typing import ClassVar, Literal

from events.base import Event, Identifier, Money, Probability, Seconds, Text


def pattern_stream(pattern_id: str) -> str:
    """The stream holding a pattern's history."""
    return f"pattern:{pattern_id}"


class PatternApproved(Event):
    """A pattern was approved for automation with the time and cost it is expected to take."""

    schema_version: ClassVar[int] = 3
    type: Literal["PatternApproved"] = "PatternApproved"
    approved_by: Text | None = None
    confidence: Probability | None = None
    description: Text | None = None
    estimated_cost: Money
    estimated_time_seconds: Seconds
    failed_runs_lose_time: bool = False
    """Whether a failed run's own time is time lost (someone waited on it or cleaned up
    after it): the net time saved then subtracts it."""
    pattern_id: Identifier


class PatternEstimatesRevised(Event):
    """The pattern's expected time and cost were revised; later executions default to these."""

    type: Literal["PatternEstimatesRevised"] = "PatternEstimatesRevised"
    estimated_cost: Money
    estimated_time_seconds: Seconds
    pattern_id: Identifier
    reason: Text | None = None


class PatternRevoked(Event):
    """The pattern may no longer run; executions are refused from now on."""

    type: Literal["PatternRevoked"] = "PatternRevoked"
    pattern_id: Identifier
    reason: Text


class PatternConfidenceUpdated(Event):
    """The closed loop moved the pattern's confidence, from its effectiveness rating."""

    type: Literal["PatternConfidenceUpdated"] = "PatternConfidenceUpdated"
    new: Probability
    old: Probability | None
    pattern_id: Identifier
    rating: str
    reason: Text


class PatternExecutionRecorded(Event):
    """One run of an automated pattern, with what it actually took against the estimate."""

    type: Literal["PatternExecutionRecorded"] = "PatternExecutionRecorded"
    actual_cost: Money
    error_message: Text | None = None
    estimated_cost: Money
    estimated_time_seconds: Seconds
    execution_time_seconds: Seconds
    pattern_id: Identifier
    success: bool
    workflow_id: int | None = None


class PatternCostRecorded(Event):
    """What a pattern costs to have, apart from its runs: a one-off amount (building it) on
    the event's date, or a monthly one (a licence, maintenance) charged each month on the
    day of the month it started, until `until` (exclusive; open when None)."""

    type: Literal["PatternCostRecorded"] = "PatternCostRecorded"
    amount: Money
    label: Text
    pattern_id: Identifier
    recurrence: Literal["one-off", "monthly"]
    until: Text | None = None
