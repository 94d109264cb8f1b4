"""The ledger itself (`/api/ledger/…`): events, a stream's trail, digests, verify, retract."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from commands.ledger import Retract
from ledger.interfaces.http.models import Digest, Envelope, Verification
from ledger.interfaces.http.params import ERRORS, After, PageLimit, error_response, verification
from ledger.interfaces.http.reads import AS_OF, Param, Read, add_reads
from ledger.interfaces.http.security import Forbidden
from ledger.interfaces.http.writes import Write, add_commands

AFTER = Param("after", After, 0)

LOG_READS = (
    Read(
        "/events", "events", "events",
        (
            AFTER,
            Param("limit", PageLimit, 100),
            Param("type", Annotated[str | None, Query(max_length=100)], None, "event_type"),
            Param("stream", Annotated[str | None, Query(max_length=300)], None, "stream_id"),
            AS_OF,
        ),
        list[Envelope],
        """Events after a seq, oldest first, each with its hash; at most `limit` (1..1000) a
        page, the next page's address in the `Link` header (rel="next").""",
        paged=True,
    ),
    Read(
        "/history/{stream_id:path}", "history", "events",
        (
            Param("stream_id", Annotated[str, Path(max_length=300)]),
            AFTER,
            Param("limit", PageLimit, 1000),
            AS_OF,
        ),
        list[Envelope],
        """A stream's audit trail, oldest first: at most `limit` (1..1000) events after
        `after`, the next page's address in the `Link` header (rel="next").""",
        paged=True,
    ),
    Read(
        "/digest", "digest", "digest", (AS_OF,), Digest,
        "The head as seq and hash: keep it elsewhere to prove the log later.",
    ),
)  # fmt: skip
"""The log's reads, in the order of the schema."""


RETRACT = Write(
    "/retract", "retract", Retract,
    "Withdraw a mistaken event: projections drop it, the log keeps both.", status=201,
)  # fmt: skip


def ledger_routes(writer: Any) -> APIRouter:
    r = APIRouter(prefix="/api/ledger", tags=["ledger"], responses=ERRORS)

    add_reads(r, LOG_READS)

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

    add_commands(r, writer, [RETRACT])

    return r
