"""The endpoints, mounted: the source document's ROI tracking API exactly (roi_routes), then
patterns, decisions and opportunities, and the ledger itself (pattern_, decision_,
ledger_routes), with what they share in params. Each is one call to the `Ledger` the CLI
uses.

Commands take their JSON body as the command model's fields (documented in `/openapi.json`
by the model's own schema) and are built by `build_command`, so a refusal reads as the
Python API's and the CLI's. `Idempotency-Key` and `If-Match` headers stand for the
`idempotency_key` and `expected_version` fields.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request

from ledger.interfaces.http.decision_routes import decision_routes
from ledger.interfaces.http.ledger_routes import ledger_routes
from ledger.interfaces.http.models import Health
from ledger.interfaces.http.params import ledger_of
from ledger.interfaces.http.pattern_routes import pattern_routes
from ledger.interfaces.http.roi_routes import roi_routes


def mount(app: FastAPI, writer: Any) -> None:
    """Add every endpoint; `writer` guards the ones that write (the API token)."""
    app.include_router(roi_routes(writer))
    app.include_router(pattern_routes(writer))
    app.include_router(decision_routes(writer))
    app.include_router(ledger_routes(writer))

    @app.get("/healthz", tags=["ledger"], response_model=Health, response_model_exclude_unset=True)
    def healthz(request: Request) -> dict[str, Any]:
        """The server is up and its ledger answers (503 when it does not): its head, or
        when tokens are set (this path needs none) only that it is up."""
        head = ledger_of(request).digest()
        return {"ok": True} if request.app.state.tokens.required else {"ok": True, **head}
