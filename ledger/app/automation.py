"""Automation ROI flows that are more than one command or one read: an execution's answer,
the confidence loop, and the Markdown report (README "Automation ROI")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from commands import patterns as pattern_commands
from ledger.validation import build_command
from projections import patterns as pattern_queries
from projections import roi_analytics, roi_queries

if TYPE_CHECKING:
    from ledger.app.facade import Ledger
    from ledger.core.moments import AsOf, Now
    from ledger.core.service import LedgerCore
    from ledger.store.eventlog import Head


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


def update_confidence(service: LedgerCore, pattern_id: str | None = None) -> list[dict[str, Any]]:
    """The closed loop: set each approved pattern's confidence from its rating, in one
    transaction; only changed values are recorded (as PatternConfidenceUpdated)."""
    with service.reading() as db:
        if pattern_id is None:
            targets = [
                p["pattern_id"]
                for p in pattern_queries.list_patterns(db)
                if p["status"] == "approved"
            ]
        else:
            targets = [pattern_id]
    results = []
    with service.unit_of_work() as uow:
        for target in targets:
            cmd = build_command(pattern_commands.UpdateConfidence, {"pattern_id": target})
            before = uow.pattern(target)
            events, _ = service.dispatch(uow, cmd)  # through the bus, like every command
            uow.flush()
            row = roi_queries.pattern_roi(uow.db, target)
            results.append(
                {
                    "pattern_id": target,
                    "effectiveness_rating": row["effectiveness_rating"] if row else None,
                    "total_executions": row["total_executions"] if row else 0,
                    "old_confidence": before.confidence,
                    "new_confidence": uow.pattern(target).confidence,
                    "changed": bool(events),
                    "seq": events[0].seq if events else None,
                }
            )
    return results


def markdown(ledger: Ledger, now: Now, as_of: AsOf) -> tuple[str, Head]:
    """The Markdown report and the head it states, read in one snapshot (a write landing
    between its queries could otherwise make the figures newer than the stated head)."""
    from ledger.present.reports.roi_markdown import render

    when = ledger.service.point_shown(now, as_of)
    with ledger.snapshot(as_of) as view:  # every query below joins this one read transaction
        head = view.head()
        summary = view.roi_summary()
        text = render(
            {
                "generated_at": when.isoformat().replace("+00:00", "Z"),
                "as_of_seq": head.seq,
                "as_of_hash": head.hash,
                "summary": summary,
                "effectiveness": [roi_analytics.effectiveness_of(r) for r in summary],
                "dashboard": view.dashboard(now=when),
                "top_performers": view.top_performers(10),
                "underperformers": view.underperformers(10),
                "alerts": view.alerts(now=when),
                "trend": view.portfolio_trend("month"),
            }
        )
    return text, head
