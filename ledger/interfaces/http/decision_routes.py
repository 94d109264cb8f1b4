"""The decision loop (`/api/decisions/…`, `/api/opportunities/…`): log, record outcomes,
read conversions, insights, predictions and summaries."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response

from commands.decisions import LogDecision, RecordOutcome
from ledger.app.scoring import labels_of
from ledger.errors import InputError
from ledger.interfaces.http.decision_models import (
    Calibration,
    Conversion,
    DecisionSummary,
    Insight,
    Prediction,
    RevenueByType,
    Scored,
)
from ledger.interfaces.http.params import ERRORS, AsOfQ, ledger_of, stated
from ledger.interfaces.http.reads import AS_OF, COMPARED, WINDOW, Param, Read, add_reads, by
from ledger.interfaces.http.writes import Write, add_commands

if TYPE_CHECKING:
    from ledger.app.facade import Ledger
    from ledger.core.moments import AsOf


def decision_summary(led: Ledger, date: str | None, weekly: bool, as_of: AsOf) -> dict[str, Any]:
    """The daily decision summary, or the weekly one."""
    return (led.weekly_summary if weekly else led.daily_summary)(date, as_of)


SOURCE = Param("source", Annotated[str, Query(min_length=1, max_length=200)])
TYPE = Param("type", Annotated[str | None, Query(max_length=200)], None, "opportunity_type")

DECISION_READS = (
    Read(
        "/decisions/conversions", "conversions", "conversion_metrics",
        (by("combination"), *WINDOW), list[Conversion],
        """Conversion rates (with Wilson intervals) by source, type or both: all time, or the
        decisions decided in a window (each with its outcomes, whenever they arrived).""",
    ),
    Read(
        "/decisions/conversions/compare", "conversions_compare",
        "conversion_metrics_compared", (by("combination"), *COMPARED), dict[str, Any],
        """The conversion metrics of the decisions decided in a window beside another:
        `{"window", "compared_with", "current", "previous", "change"}`, each group's change
        and a two-proportion test of its conversion rates.""",
    ),
    Read(
        "/decisions/explain", "explain_conversion", "explain_conversion",
        (SOURCE, TYPE, *WINDOW), dict[str, Any],
        "A receipt for a source's (or source and type's) conversion figures.",
    ),
    Read(
        "/decisions/time-to-conversion", "time_to_conversion", "time_to_conversion",
        (by("type"), *WINDOW), list[dict[str, Any]],
        """How long decisions take to win a customer, the open ones counted (Kaplan–Meier):
        the median days and the share converted within 7, 14 and 30 days, with intervals.""",
    ),
    Read(
        "/decisions/roi", "roi", "roi_by_type", WINDOW, list[RevenueByType],
        "Revenue by opportunity type (all time, or the decisions decided in a window).",
    ),
    Read(
        "/decisions/insights", "insights", "insights", WINDOW, list[Insight],
        """What the outcomes say: best sources and types, and where to look again (all time,
        or the decisions decided in a window).""",
    ),
    Read(
        "/decisions/calibration", "calibration", "calibration", (AS_OF,), Calibration,
        "How well past predictions matched outcomes (reliability and Brier score).",
    ),
    Read(
        "/decisions/summary", "summary", decision_summary,
        (
            Param("date", Annotated[str | None, Query(max_length=40)], None),
            Param("weekly", bool, False),
            AS_OF,
        ),
        DecisionSummary, "The daily (or weekly) decision summary.",
    ),
)  # fmt: skip
"""The decision reads, in the order of the schema."""


DECISION_WRITES = (
    Write("/decisions", "log_decision", LogDecision,
          "Log a decision taken on an opportunity (its id must be new: 409 otherwise).",
          status=201),
    Write("/decisions/{decision_id:path}/outcomes", "record_outcome", RecordOutcome,
          "Record what came of a decision.", status=201, path_id="decision_id"),
)  # fmt: skip
"""The decision commands, in the order of the schema."""


def decision_routes(writer: Any) -> APIRouter:
    r = APIRouter(prefix="/api", tags=["decisions"], responses=ERRORS)

    add_commands(r, writer, DECISION_WRITES)
    add_reads(r, DECISION_READS)

    @r.post("/decisions/predict", response_model=Prediction, response_model_exclude_unset=True)
    def predict(
        request: Request,
        response: Response,
        body: Annotated[Any, Body()] = None,
        as_of: AsOfQ = None,
    ) -> dict[str, Any]:
        """Predict an opportunity's outcome from history: `{"type", "source", "content"}`."""
        if not isinstance(body, dict):
            raise InputError("input: the body must be a JSON object", None)
        kind, source = labels_of(body)  # the ledger checks both
        return stated(
            request,
            response,
            as_of,
            lambda at: ledger_of(request).predict(kind, source, body.get("content"), at),
        )

    @r.post(
        "/opportunities/score",
        dependencies=[writer],
        response_model=list[Scored],
        response_model_exclude_unset=True,
    )
    def score(
        request: Request, body: Annotated[Any, Body()] = None, record: bool = True
    ) -> list[dict[str, Any]]:
        """Score a JSON array of opportunities; the predictions are recorded unless
        `record=false`."""
        return ledger_of(request).score_opportunities(body, record=record)

    return r
