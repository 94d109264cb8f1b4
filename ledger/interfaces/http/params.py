"""What every endpoint shares: query and header parameters, how a JSON body becomes a
command, how a read states the head it answered from, the error shape in the schema."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, NamedTuple, TypeVar

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request, Response
from pydantic import BaseModel

from commands.base import Command
from events.timeutil import format_timestamp
from ledger.app.facade import Ledger
from ledger.core.periods import HELP as WINDOW_HELP
from ledger.core.service import AsOf, as_of_value
from ledger.errors import InputError, LedgerError
from ledger.interfaces.http.models import (
    CommandResult,
)
from ledger.interfaces.http.security import Busy
from ledger.validation import build_command, clip


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
WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    403: error_response("A read-only token sent to a write"),
    409: error_response("Conflict: a stale version, a duplicate id or a reused idempotency key"),
    413: error_response("Request body larger than 1 MB"),
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
