"""What a request passes through around the routes: the limits on its size (body and URL)
and, for a GET of the API asking `?format=csv`, the JSON answer turned into CSV."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class CsvOnRequest:
    """`?format=csv` on any GET of the API: the JSON answer as CSV (ledger/present/tabular.py, the
    CLI's own rule), to download — the dashboard links each table to it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        query = scope.get("query_string", b"")
        wanted = (
            scope["type"] == "http"
            and scope.get("method") == "GET"
            and scope.get("path", "").startswith("/api/")
            and b"format=csv" in query.split(b"&")
        )
        if not wanted:
            await self.app(scope, receive, send)
            return
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def hold(message: Any) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            else:
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, hold)
        body = b"".join(chunks)
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in
                   (b"content-length", b"content-type")]  # fmt: skip
        if start.get("status") == 200:
            import json

            from ledger.present.tabular import to_csv

            body = to_csv(json.loads(body)).encode("utf-8")
            name = scope["path"].strip("/").replace("/", "-")[:80] or "answer"
            headers += [
                (b"content-type", b"text/csv; charset=utf-8"),
                (b"content-disposition", f'attachment; filename="{name}.csv"'.encode()),
            ]
        else:
            headers.append((b"content-type", b"application/json"))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": start.get("status", 500),
                    "headers": headers})  # fmt: skip
        await send({"type": "http.response.body", "body": body})


class BodyLimit:
    """Refuses a request body over `max_body` bytes with 413, whether it declares its length
    or arrives in chunks (it is read, up to the limit, before the app sees it), and a URL
    over 8,192 characters with 414; `error` makes the refusal (the app's one error shape)."""

    def __init__(self, app: Any, max_body: int, error: Callable[..., Any]) -> None:
        self.app = app
        self.max_body = max_body
        self.error = error

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if len(scope.get("raw_path", b"")) + len(scope.get("query_string", b"")) > 8192:
            await self.error(414, "request URL longer than 8,192 characters")(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await self._too_large(scope, receive, send)
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_body:
                await self._too_large(scope, receive, send)
                return
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Any, receive: Any, send: Any) -> None:
        limit = self.max_body
        response = self.error(413, f"request body larger than {limit:,} bytes", {"limit": limit})
        await response(scope, receive, send)
