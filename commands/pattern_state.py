"""What deciding a pattern command needs to know about the pattern, folded from its events.

The one lifecycle rule (approved, revised, revoked, confidence): the command side folds a
pattern's stream with `evolve` before deciding, and the registry projection folds the same
events with it into its rows.
"""

from decimal import Decimal
from typing import Literal, NamedTuple

from events.base import Event
from events.patterns import (
    PatternApproved,
    PatternConfidenceUpdated,
    PatternEstimatesRevised,
    PatternRevoked,
)

PatternStatus = Literal["unknown", "approved", "revoked"]


class PatternState(NamedTuple):
    """What deciding a pattern command needs to know."""

    pattern_id: str
    status: PatternStatus = "unknown"
    estimated_time_seconds: Decimal | None = None
    estimated_cost: Decimal | None = None
    confidence: Decimal | None = None
    revoke_reason: str | None = None


STATE_EVENTS = (PatternApproved, PatternEstimatesRevised, PatternRevoked, PatternConfidenceUpdated)
"""The pattern events `evolve` folds: the ones that change what commands decide on."""


def evolve(state: PatternState, event: Event) -> PatternState:
    """The state after one of the pattern's own events."""
    if isinstance(event, PatternApproved):
        return state._replace(
            status="approved",
            estimated_time_seconds=event.estimated_time_seconds,
            estimated_cost=event.estimated_cost,
            confidence=event.confidence,
            revoke_reason=None,
        )
    if isinstance(event, PatternEstimatesRevised):
        return state._replace(
            estimated_time_seconds=event.estimated_time_seconds,
            estimated_cost=event.estimated_cost,
        )
    if isinstance(event, PatternRevoked):
        return state._replace(status="revoked", revoke_reason=event.reason)
    if isinstance(event, PatternConfidenceUpdated):
        return state._replace(confidence=event.new)
    return state
