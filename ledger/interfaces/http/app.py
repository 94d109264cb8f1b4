"""The HTTP API (README "HTTP API"): FastAPI over the same `Ledger` as the CLI and the Python API.

Request bodies are the command models themselves (their fields, aliases, ranges and help are
the contract, in `/openapi.json` too); a refusal is `{"error", "details"}` in the CLI's own
words: 422 bad input naming the field, 404 unknown id, 409 conflict, 413 body too large, 401
without the token when `ROI_LEDGER_API_TOKEN` is set. Imported only by `roi-ledger serve`
(the `api` extra) and the tests.
"""

from __future__ import annotations

import os
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from commands.base import ConflictError, DomainError, NotFoundError
from ledger.app.facade import Ledger
from ledger.errors import InputError, IntegrityError, LedgerError, StorageError, details_object
from ledger.interfaces.http.middleware import BodyLimit, CsvOnRequest
from ledger.interfaces.http.security import (
    LOOPBACK_NAMES,
    Busy,
    Forbidden,
    Guard,
    Tokens,
    Unauthorized,
    host_names,
    origins,
)
from ledger.present.encoding import jsonable
from ledger.validation import clip, describe

MAX_BODY = 1_000_000
"""Largest request body accepted (bytes); more is 413."""


class LedgerJSON(JSONResponse):
    """JSON with Decimals as numbers and no NaN or Infinity (the CLI's encoding)."""

    def render(self, content: Any) -> bytes:
        import json

        return json.dumps(
            jsonable(content), ensure_ascii=False, allow_nan=False, separators=(",", ":")
        ).encode("utf-8")


def error(status: int, message: str, details: Any = None) -> LedgerJSON:
    """The one error shape: `{"error": ..., "details": {...}}` (details always an object)."""
    return LedgerJSON({"error": message, "details": details_object(details)}, status_code=status)


STATUS: tuple[tuple[Any, int], ...] = (
    (Unauthorized, 401), (Forbidden, 403), (Busy, 429), (NotFoundError, 404),
    (ConflictError | IntegrityError, 409), (DomainError | InputError, 422), (StorageError, 503),
)  # fmt: skip
"""The HTTP status of each kind of refusal (README "HTTP API"), the first that matches."""


def status_of(exc: Exception) -> int:
    """The HTTP status of a refusal: by its kind (`STATUS`), else 500."""
    return next((status for kind, status in STATUS if isinstance(exc, kind)), 500)


EXPOSED = ["X-As-Of-Seq", "X-As-Of-Hash", "Link", "X-Next-After", "Retry-After"]
"""Response headers of ours a browser script may read (CORS)."""

ALLOWED_REQUEST_HEADERS = ["Authorization", "Content-Type", "Idempotency-Key", "If-Match"]


def create_app(
    location: str | None = None,
    *,
    token: str | None = None,
    read_token: str | None = None,
    max_body: int = MAX_BODY,
    cors_origins: list[str] | None = None,
    allowed_hosts: frozenset[str] | None = LOOPBACK_NAMES,
    ledger: Ledger | None = None,
) -> FastAPI:
    """An app serving the ledger at `location` (default: ROI_LEDGER_DB, else
    ./roi-ledger.db), opened once and shared by the requests, closed on shutdown; or serving
    an already open `ledger`, which its owner closes.

    `token` may do anything, `read_token` only read (ledger/interfaces/http/security.py); with
    either,
    every path but /healthz needs one. `allowed_hosts` are the Host names it answers to
    (None: any); `cors_origins` the browser origins that may call it.
    """
    tokens = Tokens(token, read_token)

    from ledger.interfaces.http.telemetry import Telemetry, observe
    from ledger.interfaces.metrics import Metrics

    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if ledger is not None:
            ledger.service.observer = observe(metrics, status_of)
            yield
            return
        app.state.ledger = Ledger.open(location)
        app.state.ledger.service.observer = observe(metrics, status_of)
        try:
            yield
        finally:
            app.state.ledger.close()

    app = FastAPI(
        title="roi-ledger",
        summary="Automation ROI and decision outcomes on a tamper-evident ledger.",
        version=_version(),
        lifespan=lifespan,
        default_response_class=LedgerJSON,
        docs_url=None,  # FastAPI's pages load their scripts from a CDN; ours work offline
        redoc_url=None,
        # response schemas as declared: the models serialize every figure as a number
        # (ledger/interfaces/http/models.py), which the serialization-mode schema cannot see through
        separate_input_output_schemas=False,
    )
    app.state.tokens = tokens
    app.state.ledger = ledger
    app.state.verifying = threading.Lock()
    app.add_middleware(BodyLimit, max_body=max_body, error=error)
    if cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=ALLOWED_REQUEST_HEADERS,
            expose_headers=EXPOSED,
        )
    app.add_middleware(Guard, tokens=tokens, hosts=allowed_hosts, error=error)
    app.add_middleware(CsvOnRequest)
    app.add_middleware(Telemetry, metrics=metrics)  # outermost: refusals are counted too
    app.state.metrics = metrics
    metrics.watch(lambda: app.state.ledger)

    def answer(request: Request, status: int, message: str, details: Any) -> Any:
        """A refusal: an HTML page to a person on a dashboard page, JSON to the API."""
        if _is_page(request):
            from ledger.interfaces.http.page_frame import error_page

            field = details_object(details).get("field")
            return error_page(status, message, field if isinstance(field, str) else None)
        return error(status, message, details)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Any:
        errors = _field_errors(exc.errors())
        return answer(request, 422, describe(errors), errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Any:
        # FastAPI's own refusals (a body that is not JSON, an unknown path) in our shape
        response = answer(request, exc.status_code, str(exc.detail), None)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(LedgerError)
    async def refused(request: Request, exc: LedgerError) -> Any:
        response = answer(request, status_of(exc), exc.message, exc.details)
        if isinstance(exc, Busy):
            response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(DomainError)
    async def domain(request: Request, exc: DomainError) -> Any:
        message = f"{exc.field}: {exc.message}" if exc.field else exc.message
        details = {"field": exc.field, "kind": type(exc).__name__}
        return answer(request, status_of(exc), message, details)

    from ledger.interfaces.http import routes

    routes.mount(app, Depends(require_write))

    from ledger.interfaces.http import pages

    pages.mount(app)

    @app.get("/metrics", include_in_schema=False)
    def prometheus() -> Response:
        """Prometheus text format: the server's counters and the ledger's figures (README,
        "Running it for a team"); behind the read token when tokens are set."""
        from prometheus_client import CONTENT_TYPE_LATEST

        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        from ledger.interfaces.http.docs import page

        return HTMLResponse(page(app.openapi()))

    return app


PAGES = ("/", "/decisions", "/ledger")


def _is_page(request: Request) -> bool:
    """A dashboard page (answered in HTML, errors too), as opposed to the API."""
    path = request.url.path
    return path in PAGES or path.startswith("/patterns/")


def _field_errors(errors: Any) -> list[dict[str, Any]]:
    """FastAPI's validation errors in the ledger's shape, the location's `body`/`query`/`path`
    left out (the field is what the user wrote)."""
    out = []
    for err in errors:
        loc = [str(p) for p in err.get("loc", ())]
        if loc and loc[0] in ("body", "query", "path", "header"):
            loc = loc[1:]
        message = str(err.get("msg", "invalid"))
        message = message.removeprefix("Value error, ")
        if err.get("type") == "json_invalid":
            loc, message = [], "not valid JSON"
        item: dict[str, Any] = {"field": ".".join(loc) or "input", "message": message}
        value = err.get("input")
        if err.get("type") != "missing" and isinstance(value, str | int | float | bool):
            item["input"] = clip(value)
        out.append(item)
    return out


async def require_write(request: Request) -> None:
    """A write needs the read-write token (as a Bearer header) when tokens are set."""
    if request.app.state.tokens.required and request.state.scope != "write":
        raise Forbidden() if request.state.scope == "read" else Unauthorized()


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("roi-ledger")
    except PackageNotFoundError:
        return "0"


def app_from_env() -> FastAPI:
    """The app `roi-ledger serve` runs (uvicorn's factory, one per worker process): its
    settings come from the environment `serve` sets."""
    hosts = os.environ.get("ROI_LEDGER_ALLOWED_HOSTS", "").split(",")
    return create_app(
        os.environ.get("ROI_LEDGER_DB"),
        token=os.environ.get("ROI_LEDGER_API_TOKEN") or None,
        read_token=os.environ.get("ROI_LEDGER_API_READ_TOKEN") or None,
        cors_origins=origins(os.environ.get("ROI_LEDGER_CORS_ORIGINS")) or None,
        allowed_hosts=host_names(os.environ.get("ROI_LEDGER_BIND"), hosts),
    )
