"""The source document's ROI tracking API (`/api/roi-tracking/…`), exactly as it specifies
the requests and answers, each one call to the `Ledger` the CLI uses."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from commands.patterns import (
    RecordExecution,
)
from ledger.app.automation import execution_result
from ledger.core.service import as_of_value
from ledger.interfaces.http.models import (
    Alert,
    ConfidenceChange,
    Dashboard,
    Effectiveness,
    ExecutionRecorded,
    PatternRoi,
    RoiReport,
    TrendPoint,
)
from ledger.interfaces.http.params import (
    ERRORS,
    AsOfQ,
    CompareQ,
    Id,
    Limit,
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
from projections.rules import MIN_RATED, MIN_TOP


def roi_routes(writer: Any) -> APIRouter:
    r = APIRouter(prefix="/api/roi-tracking", tags=["roi-tracking"], responses=ERRORS)

    @post_command(r, "/executions", RecordExecution, writer, status=201, answer=ExecutionRecorded)
    def record_execution(
        request: Request,
        sent: SentD,
    ) -> dict[str, Any]:
        """Record a pattern execution (the source's request and response)."""
        cmd = command(RecordExecution, sent)
        result = ledger_of(request).execute(cmd)
        return execution_result(result, cmd.pattern_id)  # type: ignore[attr-defined]

    @r.get(
        "/pattern/{pattern_id:path}", response_model=PatternRoi, response_model_exclude_unset=True
    )
    def pattern(
        request: Request,
        response: Response,
        pattern_id: Id,
        since: SinceQ = None,
        until: UntilQ = None,
        period: PeriodQ = None,
        now: NowQ = None,
        as_of: AsOfQ = None,
    ) -> dict[str, Any]:
        """One pattern's ROI summary: all time, or over a window of business time."""
        window = state_window(request, response, since, until, period, now, as_of)
        return stated(
            request,
            response,
            as_of,
            lambda at: ledger_of(request).pattern_roi(pattern_id, at, **window),
        )

    @r.get("/summary", response_model=list[PatternRoi], response_model_exclude_unset=True)
    def summary(
        request: Request,
        response: Response,
        since: SinceQ = None,
        until: UntilQ = None,
        period: PeriodQ = None,
        now: NowQ = None,
        as_of: AsOfQ = None,
    ) -> list[dict[str, Any]]:
        """Every pattern's ROI summary, by cost saved: all time, or only the executions that
        happened (executed_at) in a window (`period`, or `since`/`until`); the window read
        is stated in the `X-Window-Since` and `X-Window-Until` headers."""
        window = state_window(request, response, since, until, period, now, as_of)
        return stated(
            request, response, as_of, lambda at: ledger_of(request).roi_summary(at, **window)
        )

    @r.get("/report/{pattern_id:path}", response_model=RoiReport, response_model_exclude_unset=True)
    def report(
        request: Request, response: Response, pattern_id: Id, as_of: AsOfQ = None, now: NowQ = None
    ) -> dict[str, Any]:
        """Summary, rating, recent executions and recommendations, with the head read."""
        return stated(
            request, response, as_of, lambda at: ledger_of(request).roi_report(pattern_id, at, now)
        )

    @r.get("/explain/{pattern_id:path}")
    def explain(
        request: Request,
        response: Response,
        pattern_id: Id,
        since: SinceQ = None,
        until: UntilQ = None,
        period: PeriodQ = None,
        now: NowQ = None,
        as_of: AsOfQ = None,
    ) -> dict[str, Any]:
        """A receipt for a pattern's ROI: formulas with their numbers, the executions they
        come from (count and seq range) and the head they were computed at."""
        window = state_window(request, response, since, until, period, now, as_of)
        led = ledger_of(request)
        return stated(
            request, response, as_of, lambda at: led.explain_roi(pattern_id, at, **window)
        )

    @r.get("/summary/compare")
    def summary_compare(
        request: Request,
        response: Response,
        since: SinceQ = None,
        until: UntilQ = None,
        period: PeriodQ = None,
        compare: CompareQ = "previous",
        now: NowQ = None,
        as_of: AsOfQ = None,
    ) -> dict[str, Any]:
        """The ROI summary of a window beside another: `{"window", "compared_with",
        "current", "previous", "change"}`, each figure's absolute and relative change and a
        two-proportion test of each pattern's success rates."""
        window = state_window(request, response, since, until, period, now, as_of)
        led = ledger_of(request)
        return stated(
            request, response, as_of, lambda at: led.roi_summary_compared(compare, at, **window)
        )

    @r.get("/restatement")
    def restatement(
        request: Request,
        response: Response,
        as_of: Annotated[
            str,
            Query(max_length=64, description="What the ledger knew then: a seq or a timestamp."),
        ],
        since: SinceQ = None,
        until: UntilQ = None,
        period: PeriodQ = None,
        now: NowQ = None,
        limit: Limit = 20,
    ) -> dict[str, Any]:
        """A window's ROI as known at `as_of` beside now, the change, and the events
        recorded since that changed it."""
        window = state_window(request, response, since, until, period, now, as_of)
        return ledger_of(request).roi_restatement(as_of_value(as_of), limit=limit, **window)

    @r.get(
        "/top-performers", response_model=list[PatternRoi], response_model_exclude_unset=True,
        description=f"Best ROI among patterns with at least {MIN_TOP} executions.",
    )  # fmt: skip
    def top(
        request: Request,
        response: Response,
        limit: Limit = 10,
        since: SinceQ = None,
        until: UntilQ = None,
        period: PeriodQ = None,
        now: NowQ = None,
        as_of: AsOfQ = None,
    ) -> list[dict[str, Any]]:
        """Best ROI among patterns with at least rules.MIN_TOP executions."""
        window = state_window(request, response, since, until, period, now, as_of)
        return stated(
            request,
            response,
            as_of,
            lambda at: ledger_of(request).top_performers(limit, at, **window),
        )

    @r.get(
        "/underperformers", response_model=list[PatternRoi], response_model_exclude_unset=True,
        description="Lowest success rate and ROI among patterns with at least "
        f"{MIN_RATED} executions.",
    )  # fmt: skip
    def under(
        request: Request,
        response: Response,
        limit: Limit = 10,
        since: SinceQ = None,
        until: UntilQ = None,
        period: PeriodQ = None,
        now: NowQ = None,
        as_of: AsOfQ = None,
    ) -> list[dict[str, Any]]:
        """Lowest success rate and ROI among patterns with at least rules.MIN_RATED
        executions."""
        window = state_window(request, response, since, until, period, now, as_of)
        return stated(
            request,
            response,
            as_of,
            lambda at: ledger_of(request).underperformers(limit, at, **window),
        )

    @r.get(
        "/effectiveness/{pattern_id:path}",
        response_model=Effectiveness,
        response_model_exclude_unset=True,
    )
    def effectiveness(
        request: Request,
        response: Response,
        pattern_id: Id,
        as_of: AsOfQ = None,
    ) -> dict[str, Any]:
        """Effectiveness rating and recommendation."""
        return stated(
            request, response, as_of, lambda at: ledger_of(request).effectiveness(pattern_id, at)
        )

    @r.get("/dashboard", response_model=Dashboard, response_model_exclude_unset=True)
    def dashboard(
        request: Request,
        response: Response,
        since: SinceQ = None,
        until: UntilQ = None,
        period: PeriodQ = None,
        now: NowQ = None,
        as_of: AsOfQ = None,
    ) -> dict[str, Any]:
        """The portfolio at a glance for the current UTC month; under `window`, the
        portfolio over a window of business time (the last 30 days by default) beside the
        window before it."""
        window = state_window(request, response, since, until, period, now, as_of)
        return stated(
            request, response, as_of, lambda at: ledger_of(request).dashboard(as_of=at, **window)
        )

    @r.get("/alerts", response_model=list[Alert], response_model_exclude_unset=True)
    def alerts(
        request: Request,
        response: Response,
        now: NowQ = None,
        as_of: AsOfQ = None,
    ) -> list[dict[str, Any]]:
        """Patterns that need attention."""
        return stated(request, response, as_of, lambda at: ledger_of(request).alerts(now, at))

    @r.get(
        "/trend/{pattern_id:path}",
        response_model=list[TrendPoint],
        response_model_exclude_unset=True,
    )
    def trend(
        request: Request,
        response: Response,
        pattern_id: Id,
        period: Annotated[str, Query(max_length=10)] = "day",
        as_of: AsOfQ = None,
    ) -> list[dict[str, Any]]:
        """Success rate, savings and ROI per day, week or month."""
        return stated(
            request, response, as_of, lambda at: ledger_of(request).trend(pattern_id, period, at)
        )

    @r.post(
        "/update-confidence",
        dependencies=[writer],
        response_model=list[ConfidenceChange],
        response_model_exclude_unset=True,
    )
    def update_confidence(
        request: Request,
        pattern_id: Annotated[str | None, Query(max_length=200)] = None,
    ) -> list[dict[str, Any]]:
        """Set each approved pattern's confidence from its rating (only changes recorded)."""
        return ledger_of(request).update_confidence(pattern_id)

    return r
