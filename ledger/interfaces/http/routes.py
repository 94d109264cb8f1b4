"""The endpoints: the source document's ROI tracking API exactly, then patterns, decisions,
opportunities and the ledger itself. Each is one call to the `Ledger` the CLI uses.

Commands take their JSON body as the command model's fields (documented in `/openapi.json`
by the model's own schema) and are built by `build_command`, so a refusal reads as the
Python API's and the CLI's. `Idempotency-Key` and `If-Match` headers stand for the
`idempotency_key` and `expected_version` fields.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, NamedTuple, TypeVar

from fastapi import APIRouter, Body, Depends, FastAPI, Header, Path, Query, Request, Response
from pydantic import BaseModel

from commands.base import Command
from commands.decisions import LogDecision, RecordOutcome
from commands.ledger import Retract
from commands.patterns import (
    ApprovePattern,
    RecordExecution,
    RecordPatternCost,
    RevisePatternEstimates,
    RevokePattern,
)
from events.timeutil import format_timestamp
from ledger.app.automation import execution_result
from ledger.app.facade import Ledger
from ledger.core.periods import HELP as WINDOW_HELP
from ledger.core.service import AsOf, as_of_value
from ledger.errors import InputError, LedgerError
from ledger.interfaces.http.models import (
    Alert,
    Calibration,
    CommandResult,
    ConfidenceChange,
    Conversion,
    Dashboard,
    DecisionSummary,
    Digest,
    Effectiveness,
    Envelope,
    ExecutionRecorded,
    Health,
    Insight,
    Pattern,
    PatternRoi,
    Prediction,
    RevenueByType,
    RoiReport,
    Scored,
    TrendPoint,
    Verification,
)
from ledger.interfaces.http.security import Busy, Forbidden
from ledger.validation import build_command, clip
from projections.rules import MIN_RATED, MIN_TOP


class ErrorBody(BaseModel):
    """Every refusal: what is wrong, in words, and its details — always an object (the field
    it names; `errors`, one per field, when the input had several)."""

    error: str
    details: dict[str, Any] = {}


def _err(text: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": text}


ERRORS: dict[int | str, dict[str, Any]] = {
    400: _err("The Host header does not name this server"),
    401: _err("No token, or not this server's (only when ROI_LEDGER_API_TOKEN is set)"),
    404: _err("Unknown pattern, decision or event"),
    422: _err("Bad input (or a body that is not JSON), naming the field"),
    503: _err("The database cannot be reached (or was replaced)"),
}
"""What any route may answer besides success."""
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    403: _err("A read-only token sent to a write"),
    409: _err("Conflict: a stale version, a duplicate id or a reused idempotency key"),
    413: _err("Request body larger than 1 MB"),
}
"""What a write may answer besides those."""


AsOfQ = Annotated[
    str | None,
    Query(max_length=64, description="Answer as the log stood then: a seq or a timestamp."),
]
NowQ = Annotated[
    str | None, Query(max_length=64, description="Evaluate relative to this time (UTC).")
]
SinceQ = Annotated[str | None, Query(max_length=64, description=WINDOW_HELP["since"])]
UntilQ = Annotated[str | None, Query(max_length=64, description=WINDOW_HELP["until"])]
PeriodQ = Annotated[str | None, Query(max_length=64, description=WINDOW_HELP["period"])]
CompareQ = Annotated[
    str,
    Query(
        max_length=64,
        description="'previous' (the period of the same kind before, or the equal span "
        "before) or a period such as 2025-11.",
    ),
]
Limit = Annotated[int, Query(ge=1, le=50, description="How many (1..50).")]
Id = Annotated[str, Path(max_length=200)]
KeyH = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, description="Retry-safe key."),
]
MatchH = Annotated[
    str | None,
    Header(alias="If-Match", max_length=40, description="The stream version expected."),
]


def body_of(model: type[Command], *, without: tuple[str, ...] = ()) -> dict[str, Any]:
    """OpenAPI for a JSON body holding `model`'s fields (less those the path gives)."""
    schema = model.model_json_schema()
    schema["properties"] = {
        k: v for k, v in schema.get("properties", {}).items() if k not in without
    }
    schema["required"] = [r for r in schema.get("required", []) if r not in without]
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


class Sent(NamedTuple):
    """What a command's request carries besides its path: the JSON body and the headers."""

    body: Any
    key: str | None
    match: str | None


def sent(body: Annotated[Any, Body()] = None, key: KeyH = None, match: MatchH = None) -> Sent:
    return Sent(body, key, match)


SentD = Annotated[Sent, Depends(sent)]


def command(model: type[Command], request: Sent, **path: Any) -> Command:
    """The command from the body, the path and the headers, refused in the ledger's words."""
    body, key, match = request
    if not isinstance(body, dict):
        raise InputError("input: the body must be a JSON object of the command's fields", None)
    for name, value in path.items():
        if name in body and body[name] != value:
            raise InputError(
                f"{name}: the body says {clip(body[name])!r} but the path {clip(value)!r}; "
                "leave it out of the body",
                {"field": name},
            )
    fields = {**body, **path}
    if key is not None:
        fields["idempotency_key"] = key
    if match is not None:
        version = match.strip().strip('"')
        if not version.isdigit():
            raise InputError(
                f"If-Match: {match!r} is not a stream version (a whole number)",
                {"field": "expected_version"},
            )
        fields["expected_version"] = int(version)
    return build_command(model, fields)


T = TypeVar("T")


def stated(request: Request, response: Response, as_of: str | None, read: Callable[[AsOf], T]) -> T:
    """Run a read and state the head it answered from (`X-As-Of-Seq`, `X-As-Of-Hash`).

    Live, the head and the figures come from one read transaction (later reads join it); as
    of a point, the point is resolved to its seq first, and the log up to a seq never changes.
    """
    led = ledger_of(request)
    value = as_of_value(as_of)
    if value is None:
        with led.reading():
            head = led.head()
            result = read(None)
    else:
        seq = led.resolve_as_of(value)
        head = led.head(seq)
        result = read(seq)
    response.headers["X-As-Of-Seq"] = str(head.seq)
    response.headers["X-As-Of-Hash"] = head.hash
    return result


def state_window(
    request: Request,
    response: Response,
    since: str | None,
    until: str | None,
    period: str | None,
    now: str | None,
    as_of: str | None,
) -> dict[str, str | None]:
    """A read's window of business time, checked, and stated in the `X-Window-Since` and
    `X-Window-Until` headers (empty for an open end); the read's keyword arguments."""
    if since is not None or until is not None or period is not None:
        from ledger.core.periods import window

        led = ledger_of(request)
        span = window(since, until, period, led.point_shown(now, as_of_value(as_of)))
        for name, end in (("Since", span.since), ("Until", span.until)):
            response.headers[f"X-Window-{name}"] = "" if end is None else format_timestamp(end)
    return {"since": since, "until": until, "period": period, "now": now}


def post_command(
    r: APIRouter,
    path: str,
    model: type[Command],
    writer: Any,
    *,
    status: int = 200,
    without: tuple[str, ...] = (),
    answer: type[BaseModel] = CommandResult,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The route of a command: a POST guarded by the token, its body documented by the
    command model (less the fields the path gives), answering `answer` — with `status`
    (201: something was recorded), or 200 for an idempotent retry that recorded nothing."""
    route = r.post(
        path,
        status_code=status,
        dependencies=[writer],
        openapi_extra=body_of(model, without=without),
        response_model=answer,
        response_model_exclude_unset=True,
        responses={
            **WRITE_ERRORS,
            **({200: {"description": "An idempotent retry: already recorded, nothing "
                      "appended (`duplicate` is true)."}} if status == 201 else {}),
        },
    )  # fmt: skip

    def register(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(endpoint)
        def answered(*args: Any, **kwargs: Any) -> Any:
            out = endpoint(*args, **kwargs)
            if status == 201 and isinstance(out, dict) and out.get("duplicate"):
                from fastapi.responses import JSONResponse

                shown = answer.model_validate(out).model_dump(mode="json", exclude_unset=True)
                return JSONResponse(shown, status_code=200)
            return out

        return route(answered)

    return register


After = Annotated[int, Query(ge=0, le=2**53 - 1, description="Only events after this seq.")]
PageLimit = Annotated[int, Query(ge=1, le=1000, description="Events a page (1..1000).")]


def paged(
    request: Request, response: Response, found: list[Any], limit: int
) -> list[dict[str, Any]]:
    """A page of events as envelopes; when it is full, the next page's address in the
    `Link` header (rel="next") and its `after` in `X-Next-After`."""
    if len(found) == limit:
        after = found[-1].seq
        query = {k: v for k, v in request.query_params.multi_items() if k != "after"}
        query["after"] = str(after)
        url = request.url.replace_query_params(**query)
        response.headers["Link"] = f'<{url.path}?{url.query}>; rel="next"'
        response.headers["X-Next-After"] = str(after)
    return [e.envelope() for e in found]


def verification(request: Request, projections: bool, digest: list[str] | None) -> dict[str, Any]:
    """Run a verification on a connection of its own (a long one must not hold the one the
    other requests share), one at a time."""
    state = request.app.state
    if not state.verifying.acquire(blocking=False):
        raise Busy("a verification is already running; ask again when it is done")
    try:
        shared = ledger_of(request)
        try:
            own = Ledger.open(shared.location, create=False, catch_up=False)
        except LedgerError:
            own = None  # an in-memory ledger cannot be opened twice: use the shared one
        if own is None:
            return shared.verify(projections=projections, digest=digest)
        with own:
            return own.verify(projections=projections, digest=digest)
    finally:
        state.verifying.release()


def path_segment(value: str) -> str:
    """An id as one path segment: every reserved character escaped (`/` too: the routes
    take ids holding it), and an id that is just `.` or `..` as %2E, which no client
    mistakes for a dot segment to resolve."""
    from urllib.parse import quote

    return "%2E" * len(value) if value in (".", "..") else quote(value, safe="")


def ledger_of(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger


def mount(app: FastAPI, writer: Any) -> None:
    """Add every endpoint; `writer` guards the ones that write (the API token)."""
    app.include_router(_roi(writer))
    app.include_router(_patterns(writer))
    app.include_router(_decisions(writer))
    app.include_router(_ledger(writer))

    @app.get("/healthz", tags=["ledger"], response_model=Health, response_model_exclude_unset=True)
    def healthz(request: Request) -> dict[str, Any]:
        """The server is up and its ledger answers (503 when it does not): its head, or
        when tokens are set (this path needs none) only that it is up."""
        head = ledger_of(request).digest()
        return {"ok": True} if request.app.state.tokens.required else {"ok": True, **head}


def _roi(writer: Any) -> APIRouter:
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


def _patterns(writer: Any) -> APIRouter:
    r = APIRouter(prefix="/api/patterns", tags=["patterns"], responses=ERRORS)

    @post_command(r, "", ApprovePattern, writer, status=201)
    def approve(
        request: Request,
        sent: SentD,
    ) -> dict[str, Any]:
        """Approve a pattern with the time and cost one run should take."""
        return ledger_of(request).execute(command(ApprovePattern, sent))

    @post_command(
        r, "/{pattern_id:path}/revise", RevisePatternEstimates, writer, without=("pattern_id",)
    )
    def revise(
        request: Request,
        pattern_id: Id,
        sent: SentD,
    ) -> dict[str, Any]:
        """Revise a pattern's estimates."""
        cmd = command(RevisePatternEstimates, sent, pattern_id=pattern_id)
        return ledger_of(request).execute(cmd)

    @post_command(r, "/{pattern_id:path}/revoke", RevokePattern, writer, without=("pattern_id",))
    def revoke(
        request: Request,
        pattern_id: Id,
        sent: SentD,
    ) -> dict[str, Any]:
        """Revoke a pattern: its executions are refused from now on."""
        cmd = command(RevokePattern, sent, pattern_id=pattern_id)
        return ledger_of(request).execute(cmd)

    @post_command(
        r, "/{pattern_id:path}/costs", RecordPatternCost, writer, status=201,
        without=("pattern_id",),
    )  # fmt: skip
    def record_cost(
        request: Request,
        pattern_id: Id,
        sent: SentD,
    ) -> dict[str, Any]:
        """Record a one-off or monthly cost of having the pattern (not a run)."""
        cmd = command(RecordPatternCost, sent, pattern_id=pattern_id)
        return ledger_of(request).execute(cmd)

    @r.get("/{pattern_id:path}/costs")
    def costs(
        request: Request, response: Response, pattern_id: Id, as_of: AsOfQ = None
    ) -> list[dict[str, Any]]:
        """The costs recorded for a pattern, oldest first."""
        return stated(
            request, response, as_of, lambda at: ledger_of(request).pattern_costs(pattern_id, at)
        )

    @r.get("", response_model=list[Pattern], response_model_exclude_unset=True)
    def patterns(request: Request, response: Response, as_of: AsOfQ = None) -> list[dict[str, Any]]:
        """Every pattern with its status, estimates and confidence."""
        return stated(request, response, as_of, lambda at: ledger_of(request).list_patterns(at))

    return r


def _decisions(writer: Any) -> APIRouter:
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


def _ledger(writer: Any) -> APIRouter:
    r = APIRouter(prefix="/api/ledger", tags=["ledger"], responses=ERRORS)

    @r.get("/events", response_model=list[Envelope], response_model_exclude_unset=True)
    def events(
        request: Request,
        response: Response,
        after: After = 0,
        limit: PageLimit = 100,
        type: Annotated[str | None, Query(max_length=100)] = None,
        stream: Annotated[str | None, Query(max_length=300)] = None,
        as_of: AsOfQ = None,
    ) -> list[dict[str, Any]]:
        """Events after a seq, oldest first, each with its hash; at most `limit` (1..1000) a
        page, the next page's address in the `Link` header (rel="next")."""
        found = stated(
            request,
            response,
            as_of,
            lambda at: ledger_of(request).events(after, limit, type, stream, at),
        )
        return paged(request, response, found, limit)

    @r.get(
        "/history/{stream_id:path}",
        response_model=list[Envelope],
        response_model_exclude_unset=True,
    )
    def history(
        request: Request,
        response: Response,
        stream_id: Annotated[str, Path(max_length=300)],
        after: After = 0,
        limit: PageLimit = 1000,
        as_of: AsOfQ = None,
    ) -> list[dict[str, Any]]:
        """A stream's audit trail, oldest first: at most `limit` (1..1000) events after
        `after`, the next page's address in the `Link` header (rel="next")."""
        found = stated(
            request,
            response,
            as_of,
            lambda at: ledger_of(request).events(after, limit, stream_id=stream_id, as_of=at),
        )
        return paged(request, response, found, limit)

    @r.get("/digest", response_model=Digest, response_model_exclude_unset=True)
    def digest(request: Request, response: Response, as_of: AsOfQ = None) -> dict[str, Any]:
        """The head as seq and hash: keep it elsewhere to prove the log later."""
        return stated(request, response, as_of, lambda at: ledger_of(request).digest(at))

    @r.get(
        "/verify",
        response_model=Verification,
        response_model_exclude_unset=True,
        responses={429: _err("A verification is already running: retry after a few seconds")},
    )
    def verify(
        request: Request,
        projections: bool = False,
        digest: Annotated[list[str] | None, Query(max_length=100)] = None,
    ) -> dict[str, Any]:
        """Recompute the hash chain (or prove digests) and what the ledger remembers of its
        head; `projections=true` also refolds every projection and compares it (with tokens
        set, that takes the read-write token). One verification at a time, on a connection
        of its own, so other requests are not kept waiting (429 while one runs)."""
        if projections and request.app.state.tokens.required and request.state.scope != "write":
            raise Forbidden()
        return verification(request, projections, digest)

    @post_command(r, "/retract", Retract, writer, status=201)
    def retract(
        request: Request,
        sent: SentD,
    ) -> dict[str, Any]:
        """Withdraw a mistaken event: projections drop it, the log keeps both."""
        return ledger_of(request).execute(command(Retract, sent))

    return r
