"""The decision loop (`/api/decisions/…`, `/api/opportunities/…`): log, record outcomes,
read conversions, insights, predictions and summaries."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, Response

from commands.decisions import LogDecision, RecordOutcome
from ledger.errors import InputError
from ledger.interfaces.http.models import (
    Calibration,
    Conversion,
    DecisionSummary,
    Insight,
    Prediction,
    RevenueByType,
    Scored,
)
from ledger.interfaces.http.params import (
    ERRORS,
    AsOfQ,
    CompareQ,
    Id,
    NowQ,
    PeriodQ,
    SentD,
    SinceQ,
    UntilQ,
    command,
    ledger_of,
    post_command,
    state_window,
    stated,
)


def decision_routes(writer: Any) -> APIRouter:
    r = APIRouter(prefix="/api", tags=["decisions"], responses=ERRORS)

    @post_command(r, "/decisions", LogDecision, writer, status=201)
    def log_decision(
        request: Request,
        sent: SentD,
    ) -> dict[str, Any]:
        """Log a decision taken on an opportunity (its id must be new: 409 otherwise)."""
        return ledger_of(request).execute(command(LogDecision, sent))

    @post_command(
        r,
        "/decisions/{decision_id:path}/outcomes",
        RecordOutcome,
        writer,
        status=201,
        without=("decision_id",),
    )
    def record_outcome(
        request: Request,
        decision_id: Id,
        sent: SentD,
    ) -> dict[str, Any]:
        """Record what came of a decision."""
        cmd = command(RecordOutcome, sent, decision_id=decision_id)
        return ledger_of(request).execute(cmd)

    @r.get(
        "/decisions/conversions", response_model=list[Conversion], response_model_exclude_unset=True
    )
    def conversions(
        request: Request,
        response: Response,
        by: Annotated[str, Query(max_length=20)] = "combination",
        since: SinceQ = None,
        until: UntilQ = None,
        period: PeriodQ = None,
        now: NowQ = None,
        as_of: AsOfQ = None,
    ) -> list[dict[str, Any]]:
        """Conversion rates (with Wilson intervals) by source, type or both: all time, or the
        decisions decided in a window (each with its outcomes, whenever they arrived)."""
        window = state_window(request, response, since, until, period, now, as_of)
        led = ledger_of(request)
        return stated(request, response, as_of, lambda at: led.conversion_metrics(by, at, **window))

    @r.get("/decisions/conversions/compare")
    def conversions_compare(
        request: Request,
        response: Response,
        by: Annotated[str, Query(max_length=20)] = "combination",
        since: SinceQ = None,
        until: UntilQ = None,
        period: PeriodQ = None,
        compare: CompareQ = "previous",
        now: NowQ = None,
        as_of: AsOfQ = None,
    ) -> dict[str, Any]:
        """The conversion metrics of the decisions decided in a window beside another:
        `{"window", "compared_with", "current", "previous", "change"}`, each group's change
        and a two-proportion test of its conversion rates."""
        window = state_window(request, response, since, until, period, now, as_of)
        led = ledger_of(request)
        return stated(
            request,
            response,
            as_of,
            lambda at: led.conversion_metrics_compared(compare, by, at, **window),
        )

    @r.get("/decisions/explain")
    def explain_conversion(
        request: Request,
        response: Response,
        source: Annotated[str, Query(min_length=1, max_length=200)],
        type: Annotated[str | None, Query(max_length=200)] = None,
        since: SinceQ = None,
        until: UntilQ = None,
        period: PeriodQ = None,
        now: NowQ = None,
        as_of: AsOfQ = None,
    ) -> dict[str, Any]:
        """A receipt for a source's (or source and type's) conversion figures."""
        window = state_window(request, response, since, until, period, now, as_of)
        led = ledger_of(request)
        return stated(
            request, response, as_of,
            lambda at: led.explain_conversion(source, type, at, **window),
        )  # fmt: skip

    @r.get("/decisions/time-to-conversion")
    def time_to_conversion(
        request: Request,
        response: Response,
        by: Annotated[str, Query(max_length=20)] = "type",
        since: SinceQ = None,
        until: UntilQ = None,
        period: PeriodQ = None,
        now: NowQ = None,
        as_of: AsOfQ = None,
    ) -> list[dict[str, Any]]:
        """How long decisions take to win a customer, the open ones counted (Kaplan–Meier):
        the median days and the share converted within 7, 14 and 30 days, with intervals."""
        window = state_window(request, response, since, until, period, now, as_of)
        led = ledger_of(request)
        return stated(request, response, as_of, lambda at: led.time_to_conversion(by, at, **window))

    @r.get("/decisions/roi", response_model=list[RevenueByType], response_model_exclude_unset=True)
    def roi(
        request: Request,
        response: Response,
        since: SinceQ = None,
        until: UntilQ = None,
        period: PeriodQ = None,
        now: NowQ = None,
        as_of: AsOfQ = None,
    ) -> list[dict[str, Any]]:
        """Revenue by opportunity type (all time, or the decisions decided in a window)."""
        window = state_window(request, response, since, until, period, now, as_of)
        led = ledger_of(request)
        return stated(request, response, as_of, lambda at: led.roi_by_type(at, **window))

    @r.get("/decisions/insights", response_model=list[Insight], response_model_exclude_unset=True)
    def insights(
        request: Request,
        response: Response,
        since: SinceQ = None,
        until: UntilQ = None,
        period: PeriodQ = None,
        now: NowQ = None,
        as_of: AsOfQ = None,
    ) -> list[dict[str, Any]]:
        """What the outcomes say: best sources and types, and where to look again (all time,
        or the decisions decided in a window)."""
        window = state_window(request, response, since, until, period, now, as_of)
        led = ledger_of(request)
        return stated(request, response, as_of, lambda at: led.insights(at, **window))

    @r.get("/decisions/calibration", response_model=Calibration, response_model_exclude_unset=True)
    def calibration(request: Request, response: Response, as_of: AsOfQ = None) -> dict[str, Any]:
        """How well past predictions matched outcomes (reliability and Brier score)."""
        return stated(request, response, as_of, lambda at: ledger_of(request).calibration(at))

    @r.get("/decisions/summary", response_model=DecisionSummary, response_model_exclude_unset=True)
    def summary(
        request: Request,
        response: Response,
        date: Annotated[str | None, Query(max_length=40)] = None,
        weekly: bool = False,
        as_of: AsOfQ = None,
    ) -> dict[str, Any]:
        """The daily (or weekly) decision summary."""
        led = ledger_of(request)
        made = led.weekly_summary if weekly else led.daily_summary
        return stated(request, response, as_of, lambda at: made(date, at))

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
        kind: Any = body.get("type", body.get("opportunity_type"))  # the ledger checks both
        source: Any = body.get("source", body.get("opportunity_source"))
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
