"""The source document's ROI tracking API (`/api/roi-tracking/…`), exactly as it specifies
the requests and answers, each one call to the `Ledger` the CLI uses."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from commands.patterns import RecordExecution
from ledger.app.automation import execution_result
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
from ledger.interfaces.http.params import ERRORS, ledger_of
from ledger.interfaces.http.reads import (
    AS_OF,
    COMPARED,
    NOW,
    PATTERN_ID,
    PERIOD,
    SINCE,
    UNTIL,
    WINDOW,
    Param,
    Read,
    add_reads,
    limit,
)
from ledger.interfaces.http.writes import SentD, command, post_command
from projections.rules import MIN_RATED, MIN_TOP

AS_OF_THEN = Param(
    "as_of",
    Annotated[
        str, Query(max_length=64, description="What the ledger knew then: a seq or a timestamp.")
    ],
)
BUCKET = Param("period", Annotated[str, Query(max_length=10)], "day")

ROI_READS = (
    Read(
        "/pattern/{pattern_id:path}", "pattern", "pattern_roi", (PATTERN_ID, *WINDOW),
        PatternRoi, "One pattern's ROI summary: all time, or over a window of business time.",
    ),
    Read(
        "/summary", "summary", "roi_summary", WINDOW, list[PatternRoi],
        """Every pattern's ROI summary, by cost saved: all time, or only the executions that
        happened (executed_at) in a window (`period`, or `since`/`until`); the window read
        is stated in the `X-Window-Since` and `X-Window-Until` headers.""",
    ),
    Read(
        "/report/{pattern_id:path}", "report", "roi_report", (PATTERN_ID, AS_OF, NOW),
        RoiReport, "Summary, rating, recent executions and recommendations, with the head read.",
    ),
    Read(
        "/explain/{pattern_id:path}", "explain", "explain_roi", (PATTERN_ID, *WINDOW),
        dict[str, Any],
        """A receipt for a pattern's ROI: formulas with their numbers, the executions they
        come from (count and seq range) and the head they were computed at.""",
    ),
    Read(
        "/summary/compare", "summary_compare", "roi_summary_compared", COMPARED,
        dict[str, Any],
        """The ROI summary of a window beside another: `{"window", "compared_with",
        "current", "previous", "change"}`, each figure's absolute and relative change and a
        two-proportion test of each pattern's success rates.""",
    ),
    Read(
        "/restatement", "restatement", "roi_restatement",
        (AS_OF_THEN, SINCE, UNTIL, PERIOD, NOW, limit(20)), dict[str, Any],
        """A window's ROI as known at `as_of` beside now, the change, and the events
        recorded since that changed it.""",
        stated=False,
    ),
    Read(
        "/top-performers", "top", "top_performers", (limit(10), *WINDOW), list[PatternRoi],
        f"Best ROI among patterns with at least {MIN_TOP} executions.",
    ),
    Read(
        "/underperformers", "under", "underperformers", (limit(10), *WINDOW),
        list[PatternRoi],
        f"Lowest success rate and ROI among patterns with at least {MIN_RATED} executions.",
    ),
    Read(
        "/effectiveness/{pattern_id:path}", "effectiveness", "effectiveness",
        (PATTERN_ID, AS_OF), Effectiveness, "Effectiveness rating and recommendation.",
    ),
    Read(
        "/dashboard", "dashboard", "dashboard", WINDOW, Dashboard,
        """The portfolio at a glance for the current UTC month; under `window`, the
        portfolio over a window of business time (the last 30 days by default) beside the
        window before it.""",
    ),
    Read(
        "/alerts", "alerts", "alerts", (NOW, AS_OF), list[Alert],
        "Patterns that need attention.",
    ),
    Read(
        "/trend/{pattern_id:path}", "trend", "trend", (PATTERN_ID, BUCKET, AS_OF),
        list[TrendPoint], "Success rate, savings and ROI per day, week or month.",
    ),
)  # fmt: skip
"""The ROI reads, in the order of the schema."""


def roi_routes(writer: Any) -> APIRouter:
    r = APIRouter(prefix="/api/roi-tracking", tags=["roi-tracking"], responses=ERRORS)

    @post_command(r, "/executions", RecordExecution, writer, status=201, answer=ExecutionRecorded)
    def record_execution(request: Request, sent: SentD) -> dict[str, Any]:
        """Record a pattern execution (the source's request and response)."""
        cmd = command(RecordExecution, sent)
        result = ledger_of(request).execute(cmd)
        return execution_result(result, cmd.pattern_id)  # type: ignore[attr-defined]

    add_reads(r, ROI_READS)

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
