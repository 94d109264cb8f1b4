"""Events of the decision loop: a decision taken on an opportunity, its outcomes, its score.

Decisions live in `decision:<decision_id>`, predictions in `opportunity:<opportunity_id>`.
"""

from decimal import Decimal
from typing import Literal

from pydantic import Field

from events.base import Event, Identifier, JsonObject, Money, Probability, Text


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
    action_taken: Text = Field(min_length=1)
    context: JsonObject = Field(default_factory=dict)
    decision_id: Identifier
    decision_maker: Text | None = None
    opportunity_content: Text | None = None
    opportunity_id: Identifier | None = None
    opportunity_score: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)
    opportunity_source: str = Label
    opportunity_type: str = Label
    sender: Text | None = None


OutcomeStatus = Literal["success", "failed", "pending"]


class OutcomeRecorded(Event):
    """Something came of a decision: a response, a customer, a deal, revenue."""

    type: Literal["OutcomeRecorded"] = "OutcomeRecorded"
    customer_acquired: bool = False
    deal_closed: bool = False
    decision_id: Identifier
    notes: Text | None = None
    outcome_status: OutcomeStatus
    outcome_type: str = Label
    response_received: bool = False
    revenue_generated: Money = Decimal(0)


class OpportunityScored(Event):
    """The prediction made for an opportunity, kept so it can later be held against outcomes."""

    type: Literal["OpportunityScored"] = "OpportunityScored"
    adjusted_score: float = Field(ge=0, le=100, allow_inf_nan=False)
    confidence: Probability
    conversion_probability: float = Field(ge=0, le=100, allow_inf_nan=False)
    model_version: str
    opportunity_id: Identifier
    opportunity_source: str | None = None
    opportunity_type: str | None = None
    original_score: float = Field(allow_inf_nan=False)
    predicted_revenue: Money
    similar_count: int = Field(ge=0)
