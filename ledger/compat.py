"""Drop-in facades: code written against the source documents runs with only its import
line changed. Amounts come back as floats and objects as the sources show them; underneath,
every call goes through the ledger (validated, hash-chained, projected).

Each constructor takes an optional path or URL; without one, `ROI_LEDGER_DB`, else
`./roi-ledger.db`.
"""

from __future__ import annotations

import os
from decimal import Decimal
from types import TracebackType
from typing import Any, Self

from ledger.api import Ledger


def plain(value: Any) -> Any:
    """Decimals to floats, recursively: the sources' REAL columns."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


class Record(dict[str, Any]):
    """A row that reads both ways: `row.total_executions` and `row["total_executions"]`."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


class _Facade:
    """Holds one open ledger for the facade's lifetime."""

    def __init__(self, db_path: str | os.PathLike[str] | None = None) -> None:
        self.ledger = Ledger.open(db_path)

    def close(self) -> None:
        """Close the ledger."""
        self.ledger.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class RoiTrackingService(_Facade):
    """The ROI Tracking System's service (`roi_tracking_service`), on the ledger."""

    def record_execution(
        self,
        pattern_id: str,
        execution_time_seconds: float,
        estimated_time_seconds: float | None = None,
        actual_cost: float = 0.0,
        estimated_cost: float | None = None,
        success: bool = True,
        workflow_id: int | None = None,
        error_message: str | None = None,
        executed_at: str | None = None,
    ) -> dict[str, Any]:
        """Record one execution; answers as the source's POST /executions."""
        options = {
            "workflow_id": workflow_id,
            "estimated_time_seconds": estimated_time_seconds,
            "estimated_cost": estimated_cost,
            "error_message": error_message,
            "executed_at": executed_at,
        }
        result = self.ledger.record_execution(
            pattern_id,
            execution_time_seconds,
            actual_cost,
            success,
            **{k: v for k, v in options.items() if v is not None},
        )
        return {k: result[k] for k in ("message", "execution_id", "pattern_id")}

    def get_pattern_roi(self, pattern_id: str) -> Record | None:
        """The pattern's summary (attribute access), or None if unknown."""
        from commands.base import NotFoundError

        try:
            return Record(plain(self.ledger.pattern_roi(pattern_id)))
        except NotFoundError:
            return None

    def get_all_summaries(self) -> list[Record]:
        """Every pattern's summary, by cost saved."""
        return [Record(plain(r)) for r in self.ledger.roi_summary()]

    def generate_roi_report(self, pattern_id: str) -> dict[str, Any]:
        """Executions, summary, effectiveness rating and recommendations."""
        return dict(plain(self.ledger.roi_report(pattern_id)))

    def get_top_performers(self, limit: int = 10) -> list[Record]:
        """Patterns with ≥ 5 executions, by ROI."""
        return [Record(plain(r)) for r in self.ledger.top_performers(limit)]

    def get_underperformers(self, limit: int = 10) -> list[Record]:
        """Patterns with ≥ 3 executions rated poor or failed, worst first."""
        return [Record(plain(r)) for r in self.ledger.underperformers(limit)]

    def calculate_effectiveness(self, pattern_id: str) -> str:
        """The rating's name, e.g. "good" (the source's confidence example keys a dict by it)."""
        return str(self.ledger.effectiveness(pattern_id)["effectiveness_rating"])


def track_pattern_execution(
    pattern_id: str,
    workflow_id: int | None,
    execution_time_seconds: float,
    estimated_time_seconds: float,
    actual_cost: float,
    estimated_cost: float,
    success: bool,
    error_message: str | None = None,
) -> dict[str, Any]:
    """The observability module's one-call recorder, on the default ledger."""
    with RoiTrackingService() as service:
        return service.record_execution(
            pattern_id,
            execution_time_seconds,
            estimated_time_seconds,
            actual_cost,
            estimated_cost,
            success,
            workflow_id=workflow_id,
            error_message=error_message,
        )
