"""Patterns (`/api/patterns/…`): approve, revise, revoke, record a cost, list, their costs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from commands.patterns import (
    ApprovePattern,
    RecordPatternCost,
    RevisePatternEstimates,
    RevokePattern,
)
from ledger.interfaces.http.models import Pattern
from ledger.interfaces.http.params import ERRORS
from ledger.interfaces.http.reads import AS_OF, PATTERN_ID, Read, add_reads
from ledger.interfaces.http.writes import Write, add_commands

PATTERN_READS = (
    Read(
        "/{pattern_id:path}/costs", "costs", "pattern_costs", (PATTERN_ID, AS_OF),
        list[dict[str, Any]], "The costs recorded for a pattern, oldest first.",
    ),
    Read(
        "", "patterns", "list_patterns", (AS_OF,), list[Pattern],
        "Every pattern with its status, estimates and confidence.",
    ),
)  # fmt: skip
"""The pattern reads, in the order of the schema."""


PATTERN_WRITES = (
    Write("", "approve", ApprovePattern,
          "Approve a pattern with the time and cost one run should take.", status=201),
    Write("/{pattern_id:path}/revise", "revise", RevisePatternEstimates,
          "Revise a pattern's estimates.", path_id="pattern_id"),
    Write("/{pattern_id:path}/revoke", "revoke", RevokePattern,
          "Revoke a pattern: its executions are refused from now on.", path_id="pattern_id"),
    Write("/{pattern_id:path}/costs", "record_cost", RecordPatternCost,
          "Record a one-off or monthly cost of having the pattern (not a run).", status=201,
          path_id="pattern_id"),
)  # fmt: skip
"""The pattern commands, in the order of the schema."""


def pattern_routes(writer: Any) -> APIRouter:
    r = APIRouter(prefix="/api/patterns", tags=["patterns"], responses=ERRORS)
    add_commands(r, writer, PATTERN_WRITES)
    add_reads(r, PATTERN_READS)
    return r
