"""Automation ROI on the ledger: pattern commands and every ROI query (SPEC §3)."""

from __future__ import annotations

from typing import Any

from commands import patterns as pattern_commands
from commands.base import NotFoundError
from ledger.service import AsOf, LedgerCore
from projections import executions as execution_queries
from projections import patterns as pattern_queries
from projections import roi_queries


class PatternLedger(LedgerCore):
    """Approve, revise, revoke and run patterns; read their ROI."""

    def approve_pattern(
        self,
        pattern_id: str,
        estimated_time_seconds: Any,
        estimated_cost: Any,
        **options: Any,
    ) -> dict[str, Any]:
        """Approve a pattern (options: approved_by, description, confidence, approved_at)."""
        return self._run(
            pattern_commands.ApprovePattern,
            dict(
                pattern_id=pattern_id,
                estimated_time_seconds=estimated_time_seconds,
                estimated_cost=estimated_cost,
                **options,
            ),
        )

    def revise_pattern(self, pattern_id: str, **options: Any) -> dict[str, Any]:
        """Revise a pattern's estimated_time_seconds and/or estimated_cost."""
        return self._run(
            pattern_commands.RevisePatternEstimates, dict(pattern_id=pattern_id, **options)
        )

    def revoke_pattern(self, pattern_id: str, reason: str, **options: Any) -> dict[str, Any]:
        """Revoke a pattern."""
        return self._run(
            pattern_commands.RevokePattern, dict(pattern_id=pattern_id, reason=reason, **options)
        )

    def record_execution(
        self,
        pattern_id: str,
        execution_time_seconds: Any,
        actual_cost: Any,
        success: bool,
        **options: Any,
    ) -> dict[str, Any]:
        """Record one execution; estimates default to the pattern's current ones."""
        result = self._run(
            pattern_commands.RecordExecution,
            dict(
                pattern_id=pattern_id,
                execution_time_seconds=execution_time_seconds,
                actual_cost=actual_cost,
                success=success,
                **options,
            ),
        )
        return execution_result(result, pattern_id)

    def list_patterns(self, as_of: AsOf = None) -> list[dict[str, Any]]:
        """The pattern registry."""
        with self.reading(as_of) as db:
            return pattern_queries.list_patterns(db)

    def pattern_roi(self, pattern_id: str, as_of: AsOf = None) -> dict[str, Any]:
        """One pattern's ROI summary with status, confidence, rating and interval."""
        with self.reading(as_of) as db:
            row = roi_queries.pattern_roi(db, pattern_id)
        if row is None:
            raise NotFoundError(f"unknown pattern {pattern_id!r}", field="pattern_id")
        return row

    def roi_summary(self, as_of: AsOf = None) -> list[dict[str, Any]]:
        """Every pattern's ROI summary, by total cost saved."""
        with self.reading(as_of) as db:
            return roi_queries.roi_summary(db)

    def executions(
        self, pattern_id: str, limit: int | None = None, as_of: AsOf = None
    ) -> list[dict[str, Any]]:
        """A pattern's executions, newest first."""
        with self.reading(as_of) as db:
            return execution_queries.list_executions(db, pattern_id, limit)


def execution_result(result: dict[str, Any], pattern_id: str) -> dict[str, Any]:
    """The source's response for a recorded execution, on top of the common keys."""
    return {
        **result,
        "execution_id": result["seq"],
        "pattern_id": pattern_id,
        "message": (
            "Execution already recorded (same idempotency key); nothing appended"
            if result["duplicate"]
            else "Execution recorded successfully"
        ),
    }
