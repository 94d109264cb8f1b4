"""Events of the decision loop: a decision taken on an opportunity, its outcomes, its score.

Decisions live in `decision:<decision_id>`, predictions in `opportunity:<opportunity_id>`.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from events.base import Event, Identifier, Money, Probability, Text


def decision_stream(decision_id: str) -> str:
    """The stream holding a decision and its outcomes."""
    return f"decision:{decision_id}"


def opportunity_stream(opportunity_id: str) -> str:
    """The stream holding the predictions made for an opportunity."""
    return f"opportunity:{opportunity_id}"


Label = Field(min_length=1, max_length=200)


class DecisionLogged(Event):
    """A decision was taken on an opportunity (a tweet, an email, a dashboard signal)."""

    type: Literal["DecisionLogged"] = "DecisionLogged"
    decision_id: Identifier
    opportunity_type: str = Label
    opportunity_source: str = Label
    opportunity_content: Text | None = None
    opportunity_score: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)
    sender: Text | None = None
    action_taken: Text = Field(min_length=1)
    decision_maker: Text | None = None
    context: dict[str, Any] = Field(default_factory=dict)
    opportunity_id: Identifier | None = None


OutcomeStatus = Literal["success", "failed", "pending"]


class OutcomeRecorded(Event):
    """Something came of a decision: a response, a customer, a deal, revenue."""

    type: Literal["OutcomeRecorded"] = "OutcomeRecorded"
    decision_id: Identifier
    outcome_type: str = Label
    outcome_status: OutcomeStatus
    revenue_generated: Money = Decimal(0)
    customer_acquired: bool = False
    deal_closed: bool = False
    response_received: bool = False
    notes: Text | None = None


class OpportunityScored(Event):
    """The prediction made for an opportunity, kept so it can later be held against outcomes."""

    type: Literal["OpportunityScored"] = "OpportunityScored"
    opportunity_id: Identifier
    opportunity_type: str | None = None
    opportunity_source: str | None = None
    original_score: float = Field(allow_inf_nan=False)
    adjusted_score: float = Field(ge=0, le=100, allow_inf_nan=False)
    conversion_probability: float = Field(ge=0, le=100, allow_inf_nan=False)
    predicted_revenue: Money
    confidence: Probability
    similar_count: int = Field(ge=0)
    model_version: str
