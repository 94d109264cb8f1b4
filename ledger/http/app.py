"""The HTTP API (SPEC §6.2): FastAPI over the same `Ledger` as the CLI and the Python API.

Request bodies are the command models themselves (their fields, aliases, ranges and help are
the contract, in `/openapi.json` too); a refusal is `{"error", "details"}` in the CLI's own
words: 422 bad input naming the field, 404 unknown id, 409 conflict, 413 body too large, 401
without the token when `ROI_LEDGER_API_TOKEN` is set. Imported only by `roi-ledger serve`
(the `api` extra) and the tests.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from commands.base import ConflictError, DomainError, NotFoundError
from ledger.api import Ledger
from ledger.encoding import jsonable
from ledger.errors import InputError, IntegrityError, LedgerError, StorageError
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
    """The one error shape: `{"error": ..., "details": ...}`."""
    return LedgerJSON({"error": message, "details": details}, status_code=status)


def status_of(exc: Exception) -> int:
    """The HTTP status of a refusal (SPEC §6.2)."""
    if isinstance(exc, Unauthorized):
        return 401
    if isinstance(exc, NotFoundError):
        return 404
    if isinstance(exc, ConflictError | IntegrityError):
        return 409
    if isinstance(exc, DomainError | InputError):
        return 422
    if isinstance(exc, StorageError):
        return 503
    return 500


def create_app(
    location: str | None = None,
    *,
    token: str | None = None,
    max_body: int = MAX_BODY,
    cors_origins: list[str] | None = None,
    ledger: Ledger | None = None,
) -> FastAPI:
    """An app serving the ledger at `location` (default: ROI_LEDGER_DB, else
    ./roi-ledger.db), opened once and shared by the requests, closed on shutdown; or serving
    an already open `ledger`, which its owner closes."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if ledger is not None:
            yield
            return
        app.state.ledger = Ledger.open(location)
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
    )
    app.state.token = token
    app.state.ledger = ledger
    if cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=cors_origins, allow_methods=["*"])

    @app.middleware("http")
    async def limits(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        length = request.headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > max_body):
            response: Response = error(
                413, f"request body larger than {max_body:,} bytes", {"limit": max_body}
            )
        elif len(str(request.url)) > 8192:
            response = error(414, "request URL longer than 8,192 characters", None)
        else:
            response = await call_next(request)
        return response  # uvicorn's access log has one line per request, no bodies

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> LedgerJSON:
        errors = _field_errors(exc.errors())
        return error(422, describe(errors), errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> LedgerJSON:
        # FastAPI's own refusals (a body that is not JSON, an unknown path) in our shape
        response = error(exc.status_code, str(exc.detail), None)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(LedgerError)
    async def refused(request: Request, exc: LedgerError) -> LedgerJSON:
        return error(status_of(exc), exc.message, exc.details)

    @app.exception_handler(DomainError)
    async def domain(request: Request, exc: DomainError) -> LedgerJSON:
        message = f"{exc.field}: {exc.message}" if exc.field else exc.message
        return error(status_of(exc), message, {"field": exc.field, "kind": type(exc).__name__})

    from ledger.http import routes

    routes.mount(app, Depends(require_token))

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        from ledger.http.docs import page

        return HTMLResponse(page(app.openapi()))

    return app


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
        item: dict[str, Any] = {"field": ".".join(loc) or "input", "message": message}
        value = err.get("input")
        if err.get("type") != "missing" and isinstance(value, str | int | float | bool):
            item["input"] = clip(value)
        out.append(item)
    return out


async def require_token(request: Request) -> None:
    """With a token configured, a write needs `Authorization: Bearer <token>` (compared in
    constant time; the token is never logged)."""
    token: str | None = request.app.state.token
    if not token:
        return
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.encode(), token.encode()):
        raise Unauthorized()


class Unauthorized(LedgerError):
    """A write without the API token."""

    def __init__(self) -> None:
        super().__init__(
            "authorization: this server needs `Authorization: Bearer <token>` for writes",
            {"field": "authorization"},
        )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("roi-ledger")
    except PackageNotFoundError:
        return "0"


def app_from_env() -> FastAPI:
    """The app `roi-ledger serve` runs (uvicorn's factory, one per worker process)."""
    origins = [o for o in os.environ.get("ROI_LEDGER_CORS_ORIGINS", "").split(",") if o]
    return create_app(
        os.environ.get("ROI_LEDGER_DB"),
        token=os.environ.get("ROI_LEDGER_API_TOKEN") or None,
        cors_origins=origins or None,
    )
