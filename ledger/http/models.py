"""Response bodies of the HTTP API, as pydantic models (so `/openapi.json` says what comes
back). Amounts are exact decimal strings, as in the CLI's `--json`; extra keys a newer
ledger adds are passed through."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class CommandResult(_Open):
    """Where a command's first event landed, and whether it was the exact retry."""

    seq: int = Field(description="The event's position in the log.")
    stream_id: str
    stream_version: int
    event_type: str
    duplicate: bool = Field(description="True: a retry with the same key; nothing appended.")
    occurred_at: str
    recorded_at: str
    hash: str = Field(description="The event's link in the hash chain.")
    warning: str | None = Field(None, description="Set when the chain was found broken.")


class ExecutionRecorded(CommandResult):
    """The source's response to `POST /api/roi-tracking/executions`, plus the common keys."""

    message: str
    execution_id: int
    pattern_id: str


class PatternRoi(_Open):
    """The source's per-pattern ROI summary, with status, confidence and rating."""

    pattern_id: str
    total_executions: int
    successful_executions: int
    success_rate: Decimal | None  # None where undefined (no runs)
    total_time_saved_seconds: Decimal | None  # None where undefined (no runs)
    total_cost_saved_usd: Decimal | None  # None where undefined (no runs)
    average_time_saved_seconds: Decimal | None  # None where undefined (no runs)
    average_cost_saved_usd: Decimal | None  # None where undefined (no runs)
    roi_percentage: Decimal | None  # None where undefined (no runs)
    last_updated: str | None
    status: str | None = None
    confidence: Decimal | None = None
    effectiveness_rating: str | None = None
    success_rate_interval: list[Decimal] | None = None


class Effectiveness(_Open):
    """The source's effectiveness response."""

    pattern_id: str
    effectiveness_rating: str
    success_rate: Decimal | None  # None where undefined (no runs)
    roi_percentage: Decimal | None  # None where undefined (no runs)
    total_executions: int
    recommendation: str


class Digest(_Open):
    """The head of the log: keep it elsewhere to prove the log later."""

    seq: int
    hash: str


class Health(Digest):
    """The server is up and its ledger answers."""

    ok: bool
