"""The ROI reads: one pattern's figures and what it costs to have, the summary, ratings,
best and worst, alerts, reports and comparisons of windows (README "Automation ROI")."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from events.sql import Sql
from ledger.core.periods import compared
from ledger.queries.context import Read, Span, check_limit, window_days
from ledger.queries.patterns import known_row, lookup, unknown
from projections import daily_stats, roi_analytics, roi_queries
from projections import executions as execution_queries
from projections import patterns as pattern_queries

Rows = list[dict[str, Any]]


def summary_rows(db: Sql, span: Span | None) -> Rows:
    """The ROI summary rows: all time, or of the days of `span` (first, last)."""
    if span is None:
        return roi_queries.roi_summary(db)
    return roi_queries.roi_summary_between(db, *span)


def roi_summary(read: Read) -> Rows:
    """Every pattern's ROI summary, by total cost saved: all time, or only the executions
    whose `executed_at` falls in the window."""
    return summary_rows(read.db, read.span)


def pattern_roi(read: Read, pattern_id: str) -> dict[str, Any]:
    """One pattern's ROI summary with status, confidence, rating and interval, and what it
    cost to have: all time, or only its executions that happened in the window."""
    pattern_id = lookup(pattern_id)
    if read.span is None:
        row = roi_queries.pattern_roi(read.db, pattern_id)
    else:
        rows = roi_queries.roi_summary_between(read.db, *read.span, pattern_id=pattern_id)
        row = rows[0] if rows else None
    if row is None:
        raise unknown(read.db, pattern_id)
    return {**row, "ownership": ownership(read.db, row, read.span, read.point)}


def ownership(db: Sql, row: dict[str, Any], span: Span | None, point: datetime) -> dict[str, Any]:
    """What the pattern cost to have in the window (its recorded one-off and monthly costs
    charged by the point shown), its savings and ROI after them, and its payback date."""
    from projections import costs
    from projections.roi_math import roi_percentage

    mine = costs.costs_of(db, row["pattern_id"])
    if not mine:  # nothing to charge: the figures are the run figures (no day read)
        return {
            "costs_recorded": 0,
            "costs_usd": Decimal(0),
            "net_savings_after_costs_usd": row["total_cost_saved_usd"],
            "roi_with_costs_percentage": row["roi_percentage"],
            "payback_date": None,
        }
    lo, hi = span or (date.min.isoformat(), date.max.isoformat())
    first = None if lo == date.min.isoformat() else date.fromisoformat(lo)
    last = None if hi == date.max.isoformat() else date.fromisoformat(hi)
    days = daily_stats.pattern_days(db, row["pattern_id"])
    inside = daily_stats.totals(d for d in days if lo <= d["day"] <= hi)
    saved, spent = inside.total_cost_saved_usd, inside.total_investment_usd
    charged = costs.total(mine, first, last, point)
    payback = costs.payback_day([(d["day"], d["cost_saved_usd"]) for d in days], mine, point)
    return {
        "costs_recorded": len(mine),
        "costs_usd": charged,
        "net_savings_after_costs_usd": saved - charged,
        "roi_with_costs_percentage": roi_percentage(saved - charged, spent + charged),
        "payback_date": None if payback is None else payback.isoformat(),
    }


def effectiveness(read: Read, pattern_id: str) -> dict[str, Any]:
    """The pattern's rating and the recommendation that quotes its figures."""
    return roi_analytics.effectiveness_of(known_row(read.db, pattern_id))


def top_performers(read: Read, limit: int = 10) -> Rows:
    """Patterns with at least rules.MIN_TOP executions, by ROI (limit 1..50)."""
    return roi_analytics.top_performers(roi_summary(read), check_limit(limit))


def underperformers(read: Read, limit: int = 10) -> Rows:
    """Patterns with at least rules.MIN_RATED executions rated poor or failed, worst first
    (limit 1..50)."""
    return roi_analytics.underperformers(roi_summary(read), check_limit(limit))


def alerts(read: Read) -> Rows:
    """failure_spike, negative_roi, underutilization, performance_degradation."""
    when = read.point
    rows = roi_queries.roi_summary(read.db)
    registry = {p["pattern_id"]: p for p in pattern_queries.list_patterns(read.db)}
    days = daily_stats.daily_rows(
        read.db, (when.date() - timedelta(days=36)).isoformat(), when.date().isoformat()
    )
    return roi_analytics.alerts(rows, registry, days, when)


def roi_report(read: Read, pattern_id: str, executions: int = 50) -> dict[str, Any]:
    """Summary, rating, recent executions and recommendations, stamped with the head."""
    pattern_id = lookup(pattern_id)
    db, when, head = read.db, read.point, read.head
    row = known_row(db, pattern_id)
    days = daily_stats.pattern_days(db, pattern_id)
    registry = pattern_queries.get_pattern(db, pattern_id)
    recent = execution_queries.list_executions(db, pattern_id, min(max(0, executions), 10**6))
    mine = roi_analytics.alerts([row], {pattern_id: registry} if registry else {}, days, when)
    current = registry["confidence"] if registry else None
    return {
        "pattern_id": pattern_id,
        "summary": row,
        "effectiveness": roi_analytics.effectiveness_of(row),
        "executions": recent,
        "recommendations": roi_analytics.recommendations(row, days, mine, current),
        "alerts": mine,
        "as_of_seq": head.seq,
        "as_of_hash": head.hash,
    }


def comparison(
    read: Read,
    compare: str,
    rows_of: Callable[[Sql, Span | None], Rows],
    change: Callable[[Rows, Rows], Rows],
) -> dict[str, Any]:
    """The window's rows beside another's (`compare`: 'previous' or any period), both read
    from this one snapshot: `{"window", "compared_with", "current", "previous", "change"}`."""
    assert read.window is not None, "a comparison reads a window"
    other = compared(read.window, compare, read.point)
    rows = [rows_of(read.db, span) for span in (read.span, window_days(other))]
    return {
        "window": read.window.as_json(),
        "compared_with": other.as_json(),
        "current": rows[0],
        "previous": rows[1],
        "change": change(rows[0], rows[1]),
    }


def roi_summary_compared(read: Read, compare: str = "previous") -> dict[str, Any]:
    """The ROI summary of the window beside another: `compare` is 'previous' (the period of
    the same kind before, or the window of equal length before) or any period."""
    return comparison(read, compare, summary_rows, roi_queries.compare_summaries)
