"""`Ledger`: every feature's commands and queries on one object (README "Python").

A facade composed over the service (`ledger.core.service.LedgerCore`: transactions, the bus,
as-of points, the log) and the query functions (`ledger.queries`): a read is one line naming
its query (ledger/app/methods.py), a command a method building its model. The plumbing
(units of work, reads, the log's rows) stays on `ledger.service`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, Unpack

from commands import patterns as pattern_commands
from commands.base import Command
from ledger.app.automation import execution_result, markdown, update_confidence
from ledger.app.methods import Method, Reader
from ledger.core import checks
from ledger.core.moments import AsOf
from ledger.core.service import LedgerCore
from ledger.queries.context import WindowArgs, run_at
from ledger.validation import build_command

if TYPE_CHECKING:
    from ledger.app.batch import BatchOutcome, Numbered
    from ledger.core.moments import Day, Now
    from ledger.core.projector import Progress
    from ledger.store.eventlog import Head

Rows = list[dict[str, Any]]
Result = dict[str, Any]


class Ledger:
    """An open ledger. `Ledger.open(path_or_url=None)`, best used as a context manager."""

    __slots__ = ("service",)  # the service's settings (clock, observer) are set on it

    def __init__(self, service: LedgerCore) -> None:
        self.service = service

    @classmethod
    def open(
        cls, path_or_url: str | os.PathLike[str] | None = None, *, create: bool = True,
        progress: Progress | None = None, catch_up: bool = True,
    ) -> Self:  # fmt: skip
        """Open (creating if allowed) the ledger at a path or URL; projections catch up
        unless `catch_up` is false (for verify, rebuild, log, export: they must work even
        when a projection cannot)."""
        return cls(LedgerCore.open(path_or_url, create=create, progress=progress,
                                   catch_up=catch_up))  # fmt: skip

    def view(self, as_of: AsOf) -> Ledger:
        """This ledger, or a read-only view of it as of a past point (LedgerCore.view)."""
        seen = self.service.view(as_of)
        return self if seen is self.service else Ledger(seen)

    @contextmanager
    def snapshot(self, as_of: AsOf = None) -> Iterator[Ledger]:
        """This ledger (as of a point) with every read inside one read transaction: a page's
        or a report's figures and the head they state come from the same ledger."""
        view = self.view(as_of)
        with view.service.reading():
            yield view

    @property
    def location(self) -> str:
        """Where the ledger lives: its file path or database URL."""
        return self.service.location

    def close(self) -> None:
        """Close the database (an as-of view shares its ledger's: closing it does nothing)."""
        self.service.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- commands (README "Automation ROI", "Decisions and outcomes") ---------------------
    execute = Method(LedgerCore.execute)

    def _run(self, cls: type[Command], **fields: Any) -> Result:
        return self.service.execute(build_command(cls, fields))

    def execute_batch(
        self,
        items: Numbered,
        *,
        chunk_size: int = 5000,
        on_chunk: Callable[[int], None] | None = None,
    ) -> BatchOutcome:
        """Run numbered commands (`record batch`), committing every `chunk_size`; bad ones are
        reported and skipped (ledger/app/batch.py)."""
        from ledger.app.batch import run_batch

        return run_batch(self.service, items, chunk_size, on_chunk)

    def approve_pattern(
        self, pattern_id: str, estimated_time_seconds: Any, estimated_cost: Any, **options: Any
    ) -> Result:
        """Approve a pattern (options: approved_by, description, confidence, approved_at)."""
        return self._run(pattern_commands.ApprovePattern, pattern_id=pattern_id,
                         estimated_time_seconds=estimated_time_seconds,
                         estimated_cost=estimated_cost, **options)  # fmt: skip

    def revise_pattern(self, pattern_id: str, **options: Any) -> Result:
        """Revise a pattern's estimated_time_seconds and/or estimated_cost."""
        return self._run(pattern_commands.RevisePatternEstimates, pattern_id=pattern_id, **options)

    def revoke_pattern(self, pattern_id: str, reason: str, **options: Any) -> Result:
        """Revoke a pattern."""
        return self._run(pattern_commands.RevokePattern, pattern_id=pattern_id, reason=reason,
                         **options)  # fmt: skip

    def record_execution(
        self,
        pattern_id: str,
        execution_time_seconds: Any,
        actual_cost: Any,
        success: bool,
        **options: Any,
    ) -> Result:
        """Record one execution; estimates default to the pattern's current ones."""
        result = self._run(pattern_commands.RecordExecution, pattern_id=pattern_id,
                           execution_time_seconds=execution_time_seconds,
                           actual_cost=actual_cost, success=success, **options)  # fmt: skip
        return execution_result(result, pattern_id)

    def record_cost(self, pattern_id: str, amount: Any, label: str, **options: Any) -> Result:
        """Record what a pattern costs to have, apart from its runs: `recurrence` "one-off"
        (default; at `incurred_at`) or "monthly" (from `incurred_at`, until `until`)."""
        return self._run(pattern_commands.RecordPatternCost, pattern_id=pattern_id,
                         amount=amount, label=label, **options)  # fmt: skip

    update_confidence = Method(update_confidence)

    def log_decision(
        self,
        decision_id: str,
        opportunity_type: str,
        opportunity_source: str,
        action_taken: str,
        **options: Any,
    ) -> Result:
        """Log a decision (options: opportunity_content, opportunity_score, sender,
        decision_maker, context, opportunity_id, decided_at, idempotency_key)."""
        from commands import decisions as decision_commands  # not on a pattern's path

        return self._run(decision_commands.LogDecision, decision_id=decision_id,
                         opportunity_type=opportunity_type, opportunity_source=opportunity_source,
                         action_taken=action_taken, **options)  # fmt: skip

    def record_outcome(
        self, decision_id: str, outcome_type: str, outcome_status: str, **options: Any
    ) -> Result:
        """Record an outcome (options: revenue_generated, customer_acquired, deal_closed,
        response_received, notes, occurred_at, idempotency_key)."""
        from commands import decisions as decision_commands

        return self._run(decision_commands.RecordOutcome, decision_id=decision_id,
                         outcome_type=outcome_type, outcome_status=outcome_status,
                         **options)  # fmt: skip

    def score_opportunities(
        self, opportunities: Sequence[dict[str, Any]], *, record: bool = True
    ) -> Rows:
        """Each opportunity enhanced with its prediction and adjusted score, best first; with
        `record`, one OpportunityScored event each (an unchanged re-score appends nothing)."""
        from ledger.app.scoring import score_opportunities

        return score_opportunities(self.service, opportunities, record=record)

    def retract(self, target_seq: int, reason: str, **options: Any) -> Result:
        """Retract an event by seq: its effect leaves every projection, the log keeps it."""
        from commands.ledger import Retract

        return self._run(Retract, target_seq=target_seq, reason=reason, **options)

    # -- reads: each runs one query of ledger/queries in one read transaction; called with
    # the query's own parameters, then `as_of` (the recording clock), then for a windowed
    # read `since`/`until`/`period`/`now` (when things happened) — see app/methods.py
    list_patterns = Reader[Rows]("queries.patterns.list_patterns")
    pattern_detail = Reader[Result]("queries.patterns.pattern_detail")
    pattern_costs = Reader[Rows]("queries.patterns.pattern_costs")
    executions = Reader[Rows]("queries.patterns.executions")
    trend = Reader[Rows]("queries.patterns.trend")
    portfolio_trend = Reader[Rows]("queries.patterns.portfolio_trend")
    pattern_roi = Reader[Result]("queries.roi.pattern_roi", window=True)
    roi_summary = Reader[Rows]("queries.roi.roi_summary", window=True)
    roi_summary_compared = Reader[Result]("queries.roi.roi_summary_compared", window=True)
    effectiveness = Reader[Result]("queries.roi.effectiveness")
    top_performers = Reader[Rows]("queries.roi.top_performers", window=True)
    underperformers = Reader[Rows]("queries.roi.underperformers", window=True)
    conversion_metrics = Reader[Rows]("queries.decisions.conversion_metrics", window=True)
    conversion_metrics_compared = Reader[Result](
        "queries.decisions.conversion_metrics_compared", window=True
    )
    time_to_conversion = Reader[Rows]("queries.decisions.time_to_conversion", window=True)
    roi_by_type = Reader[Rows]("queries.decisions.roi_by_type", window=True)
    insights = Reader[Rows]("queries.decisions.insights", window=True)
    predict = Reader[Result]("queries.decisions.predict")
    search_decisions = Reader[Rows]("queries.decisions.search_decisions")
    calibration = Reader[Result]("queries.decisions.calibration")

    roi_restatement = Method[Result]("queries.restatement.roi_restatement")
    daily_summary = Method[Result]("queries.summaries.daily")
    weekly_summary = Method[Result]("queries.summaries.weekly")

    def roi_report(
        self, pattern_id: str, as_of: AsOf = None, now: Now = None, executions: int = 50
    ) -> Result:
        """Summary, rating, recent executions and recommendations, stamped with the head."""
        from ledger.queries import roi

        return run_at(self.service, roi.roi_report, as_of, now, pattern_id, executions)

    def alerts(self, now: Now = None, as_of: AsOf = None) -> Rows:
        """failure_spike, negative_roi, underutilization, performance_degradation."""
        from ledger.queries import roi

        return run_at(self.service, roi.alerts, as_of, now)

    def dashboard(
        self,
        now: Now = None,
        as_of: AsOf = None,
        *,
        since: Day = None,
        until: Day = None,
        period: str | None = None,
    ) -> Result:
        """This month's figures, the best and the worst, and a window (default the last 30
        days) beside the one before it."""
        from ledger.queries import portfolio

        return run_at(self.service, portfolio.dashboard, as_of, now, since, until, period)

    def explain_roi(
        self, pattern_id: str, as_of: AsOf = None, **window: Unpack[WindowArgs]
    ) -> Result:
        """A receipt for a pattern's ROI: each figure's formula with its numbers, the
        executions it comes from (count and seq range) and the head it was computed at."""
        from ledger.app import explain

        return explain.roi(self, pattern_id, as_of, **window)

    def roi_markdown(self, now: Now = None, as_of: AsOf = None) -> str:
        """The portfolio report as Markdown, stating the head it was computed from."""
        return self.roi_markdown_with_head(now, as_of)[0]

    def roi_markdown_with_head(self, now: Now = None, as_of: AsOf = None) -> tuple[str, Head]:
        """The Markdown report and the head it states, read in one snapshot."""
        return markdown(self, now, as_of)

    def explain_conversion(
        self,
        source: str,
        opportunity_type: str | None = None,
        as_of: AsOf = None,
        **window: Unpack[WindowArgs],
    ) -> Result:
        """A receipt for a source's (or source and type's) conversion figures: formulas with
        their numbers, the decisions and outcomes they come from, the head."""
        from ledger.app import explain

        return explain.conversion(self, source, opportunity_type, as_of, **window)

    def save_summary(self, summary: Result, directory: str | Path) -> tuple[Path, Path]:
        """Write a summary as JSON and Markdown into `directory`; returns both paths."""
        from ledger.present.reports.decision_summary import write

        return write(summary, Path(directory), self.location)

    # -- the log and its audit (ledger/core/reading.py, checks.py) ------------------------
    head = Method(LedgerCore.head)
    history = Method(LedgerCore.history)
    history_pages = Method(LedgerCore.history_pages)
    events = Method(LedgerCore.events)
    verify = Method(checks.verify)
    rebuild = Method(checks.rebuild)
    backup = Method(checks.backup)

    def digest(self, as_of: AsOf = None) -> Result:
        """The head as `{"seq", "hash"}`; keep it outside the database, like a notary."""
        head = self.service.head(as_of)
        return {"seq": head.seq, "hash": head.hash}
