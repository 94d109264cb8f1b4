"""The server's view of itself: every request gets an id (the client's `X-Request-ID` when it
is a sane one, else a new one, echoed in the response), is counted and timed by route
template and status, and logged in one line (ledger/interfaces/logs.py) — never with its body, its
query string or its credentials."""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import Any

from ledger.interfaces.metrics import Metrics

log = logging.getLogger("roi_ledger.http")

_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

current: ContextVar[dict[str, Any] | None] = ContextVar("roi_ledger_request", default=None)
"""The request being answered: the command observer notes the seq it appended here."""


def observe(metrics: Metrics, status_of: Any) -> Any:
    """A `LedgerCore.observer` (`ledger.service.observer`) that counts each command and
    notes its seq on the request."""

    def observer(name: str, result: dict[str, Any] | None, exc: Exception | None) -> None:
        metrics.command(name, result, None if exc is None else status_of(exc))
        holder = current.get()
        if holder is not None and result is not None:
            holder["seq"] = result.get("seq")

    return observer


class Telemetry:
    """ASGI middleware, outermost: id, count, time and log each HTTP request."""

    def __init__(self, app: Any, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = ""
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                given = value.decode("latin-1")
        request_id = given if _SANE_ID.fullmatch(given) else uuid.uuid4().hex
        holder: dict[str, Any] = {"request_id": request_id, "status": 500, "seq": None}
        token = current.set(holder)
        started = time.perf_counter()

        async def send_with_id(message: Any) -> None:
            if message["type"] == "http.response.start":
                holder["status"] = message["status"]
                headers = list(message.get("headers", ()))
                for name, value in headers:
                    if name == b"x-as-of-seq" and holder["seq"] is None:
                        holder["seq"] = int(value)
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            current.reset(token)
            elapsed = time.perf_counter() - started
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method, status = scope.get("method", ""), holder["status"]
            self.metrics.requests.labels(template, method, str(status)).inc()
            self.metrics.latency.labels(template, method).observe(elapsed)
            log.info(
                "%s %s %s %.1fms", method, template, status, elapsed * 1000,
                extra={
                    "request_id": request_id, "method": method, "route": template,
                    "status": status, "duration_ms": round(elapsed * 1000, 3),
                    "seq": holder["seq"],
                },
            )  # fmt: skip
