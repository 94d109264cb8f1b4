"""Per-pattern ROI as users read it: the summary row, the registry's status and confidence,
the effectiveness rating and a Wilson interval for the success rate."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from events.sql import Sql
from projections import effectiveness
from projections.patterns import get_pattern, list_patterns
from projections.roi_math import net
from projections.roi_summary import COLUMNS, all_summaries, get_summary
from projections.stats import wilson_interval

SUMMARY_KEYS = tuple(c for c in COLUMNS if c != "total_investment_usd")
"""The source's summary keys: every stored column but the investment ROI is divided by."""


def enrich(summary: dict[str, Any], registry: dict[str, Any] | None) -> dict[str, Any]:
    """A summary row with status, confidence, rating and success-rate interval added."""
    total = summary["total_executions"]
    rating = effectiveness.rate(
        total, summary["success_rate"], summary["roi_percentage"], summary["total_cost_saved_usd"]
    )
    interval = wilson_interval(summary["successful_executions"], total)
    out = {key: summary[key] for key in SUMMARY_KEYS}
    out.update(
        status=registry["status"] if registry else "unknown",
        confidence=registry["confidence"] if registry else None,
        effectiveness_rating=rating,
        success_rate_interval=None if interval is None else list(interval),
        total_investment_usd=summary["total_investment_usd"],
        failed_runs_lose_time=bool(registry and registry["failed_runs_lose_time"]),
        **net(
            summary["total_cost_saved_usd"],
            summary["total_investment_usd"],
            summary["total_failed_cost_usd"],
            summary["total_time_saved_seconds"],
            summary["total_failed_time_seconds"],
            bool(registry and registry["failed_runs_lose_time"]),
        ),
    )
    return out


def pattern_roi(db: Sql, pattern_id: str) -> dict[str, Any] | None:
    """One pattern's ROI summary, or None for a pattern the registry does not know: never
    approved, or its approval retracted (the one rule `pattern list` follows too; its
    executions stay in the log and count again once it is approved)."""
    registry = get_pattern(db, pattern_id)
    summary = None if registry is None else get_summary(db, pattern_id)
    if summary is None:
        return None
    return enrich(summary, registry)


def roi_summary(db: Sql) -> list[dict[str, Any]]:
    """Every pattern the registry knows, by total cost saved (highest first), then id."""
    registry = {p["pattern_id"]: p for p in list_patterns(db)}
    rows = [
        enrich(s, registry[s["pattern_id"]])
        for s in all_summaries(db)
        if s["pattern_id"] in registry
    ]
    rows.sort(key=lambda r: r["pattern_id"])
    rows.sort(key=lambda r: r["total_cost_saved_usd"], reverse=True)
    return rows


def roi_summary_between(
    db: Sql, first_day: str, last_day: str, pattern_id: str | None = None
) -> list[dict[str, Any]]:
    """`roi_summary` counting only executions whose `executed_at` falls on a UTC day from
    `first_day` to `last_day` (ISO dates, inclusive): the same patterns, keys and formulas,
    summed from the per-day aggregates (their number grows with patterns x days, not with
    executions). A pattern that did not run in the window has zero totals."""
    from projections.daily_stats import daily_rows, totals
    from projections.roi_math import figures

    registry = {p["pattern_id"]: p for p in list_patterns(db)}
    days: dict[str, list[dict[str, Any]]] = {}
    for d in daily_rows(db, first_day, last_day, pattern_id):
        days.setdefault(d["pattern_id"], []).append(d)
    rows = []
    for stored in all_summaries(db):
        pid = stored["pattern_id"]
        if pid not in registry or pattern_id not in (None, pid):
            continue
        windowed = {**stored, **figures(totals(days.get(pid, ())))}
        rows.append(enrich(windowed, registry[pid]))
    rows.sort(key=lambda r: r["pattern_id"])
    rows.sort(key=lambda r: r["total_cost_saved_usd"], reverse=True)
    return rows


def roi_sort_key(row: dict[str, Any]) -> Decimal:
    """ROI for ranking: no spend with savings ranks above any finite ROI, no savings as 0."""
    value = effectiveness.effective_roi(row["roi_percentage"], row["total_cost_saved_usd"])
    return Decimal("Infinity") if value is None else value


COMPARED = tuple(c for c in COLUMNS if c not in ("pattern_id", "last_updated"))
"""The figures a comparison of two windows states the change of."""


def compare_summaries(
    current: list[dict[str, Any]], previous: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per pattern (in the current order), each figure's absolute change and its relative
    change in percent of the previous value (None where either is unknown or the previous
    is 0), and the two-proportion test of its success rates (p-value; None without runs in
    both windows)."""
    from projections.window_comparison import compare_windows

    return compare_windows(
        current,
        previous,
        keys=("pattern_id",),
        figures=COMPARED,
        counts=("total_executions", "successful_executions"),
        test="success_rate_test",
        successes="successful_executions",
        trials="total_executions",
    )
