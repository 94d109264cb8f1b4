"""Patterns (`/api/patterns/…`): approve, revise, revoke, record a cost, list, their costs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from commands.patterns import (
    ApprovePattern,
    RecordPatternCost,
    RevisePatternEstimates,
    RevokePattern,
)
from ledger.interfaces.http.models import (
    Pattern,
)
from ledger.interfaces.http.params import (
    ERRORS,
    AsOfQ,
    Id,
    SentD,
    command,
    ledger_of,
    post_command,
    stated,
)


def pattern_routes(writer: Any) -> APIRouter:
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
