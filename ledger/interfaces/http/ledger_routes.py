"""The ledger itself (`/api/ledger/…`): events, a stream's trail, digests, verify, retract."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from commands.ledger import Retract
from ledger.interfaces.http.models import (
    Digest,
    Envelope,
    Verification,
)
from ledger.interfaces.http.params import (
    ERRORS,
    After,
    AsOfQ,
    PageLimit,
    SentD,
    command,
    error_response,
    ledger_of,
    paged,
    post_command,
    stated,
    verification,
)
from ledger.interfaces.http.security import Forbidden


def ledger_routes(writer: Any) -> APIRouter:
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
        responses={
            429: error_response("A verification is already running: retry after a few seconds")
        },
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
