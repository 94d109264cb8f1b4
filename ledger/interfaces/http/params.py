"""What every endpoint shares: the query and path parameters, how a read states the head it
answered from (and the window it read), pages of events, the error shape in the schema. How
a JSON body becomes a command, and the commands' routes: writes.py."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Annotated, Any, TypeVar

from fastapi import Path, Query, Request, Response
from pydantic import BaseModel

from events.timeutil import format_timestamp
from ledger.app.facade import Ledger
from ledger.core.moments import AsOf, as_of_value
from ledger.core.periods import HELP as WINDOW_HELP
from ledger.errors import LedgerError
from ledger.interfaces.http.security import Busy


class ErrorBody(BaseModel):
    """Every refusal: what is wrong, in words, and its details — always an object (the field
    it names; `errors`, one per field, when the input had several)."""

    error: str
    details: dict[str, Any] = {}


def error_response(text: str) -> dict[str, Any]:
    return {"model": ErrorBody, "description": text}


ERRORS: dict[int | str, dict[str, Any]] = {
    400: error_response("The Host header does not name this server"),
    401: error_response("No token, or not this server's (only when ROI_LEDGER_API_TOKEN is set)"),
    404: error_response("Unknown pattern, decision or event"),
    422: error_response("Bad input (or a body that is not JSON), naming the field"),
    503: error_response("The database cannot be reached (or was replaced)"),
}
"""What any route may answer besides success."""
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
T = TypeVar("T")


def stated(request: Request, response: Response, as_of: str | None, read: Callable[[AsOf], T]) -> T:
    """Run a read and state the head it answered from (`X-As-Of-Seq`, `X-As-Of-Hash`).

    Live, the head and the figures come from one read transaction (later reads join it); as
    of a point, the point is resolved to its seq first, and the log up to a seq never changes.
    """
    led = ledger_of(request)
    value = as_of_value(as_of)
    if value is None:
        with led.service.reading():
            head = led.head()
            result = read(None)
    else:
        seq = led.service.resolve_as_of(value)
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
        span = window(since, until, period, led.service.point_shown(now, as_of_value(as_of)))
        for name, end in (("Since", span.since), ("Until", span.until)):
            response.headers[f"X-Window-{name}"] = "" if end is None else format_timestamp(end)
    return {"since": since, "until": until, "period": period, "now": now}


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


F = TypeVar("F", bound=Callable[..., Any])


def route_function(function: F, name: str, doc: str, params: Sequence[inspect.Parameter]) -> F:
    """`function` as FastAPI reads a route made from a description (reads.py, writes.py):
    named `name` (the operation's id and summary), described by `doc`, taking `params`,
    each parsed, checked and documented as declared."""
    function.__name__ = function.__qualname__ = name
    function.__doc__ = doc
    function.__signature__ = inspect.Signature(list(params))  # type: ignore[attr-defined]
    return function


def parameter(name: str, kind: Any, default: Any = inspect.Parameter.empty) -> inspect.Parameter:
    """A parameter of a route's function, by name (FastAPI passes each so)."""
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=kind)


def ledger_of(request: Request) -> Ledger:
    ledger: Ledger = request.app.state.ledger
    return ledger
