"""The portfolio at a glance: the dashboard's figures for this month and for a window of
business time beside the one before (README "Automation ROI")."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from ledger.core.moments import Day
from ledger.core.periods import option_text, previous, window
from ledger.errors import InputError
from ledger.queries.context import Read, Span, window_days
from projections import daily_stats, roi_analytics, roi_queries


def figures(days: list[dict[str, Any]], span: Span | None) -> dict[str, Any]:
    """The portfolio's executions, success rate, savings and ROI over the days of `span`
    (all time when None), from daily rows."""
    first, last = span or (date.min.isoformat(), date.max.isoformat())
    return roi_analytics.window(days, date.fromisoformat(first), date.fromisoformat(last))


def dashboard(
    read: Read, since: Day = None, until: Day = None, period: str | None = None
) -> dict[str, Any]:
    """Patterns tracked, this month's executions and savings, the best and the worst; and
    under "window" the portfolio's figures over a window of business time (`period`, or
    `since`/`until`; the last 30 days by default) beside the window before it, with the
    change (no comparison for a window open at either end)."""
    when, db = read.point, read.db
    chosen = window(
        option_text(since),
        option_text(until),
        period or (None if since or until else "last-30d"),
        when,
    )
    before = None  # no comparison for a window open at either end, or one at 1970
    if chosen.since and chosen.until:
        with contextlib.suppress(InputError):
            before = previous(chosen)
    spans = [window_days(chosen), None if before is None else window_days(before)]
    head = read.head
    rows = roi_queries.roi_summary(db)
    first, last = roi_analytics.dashboard_days(when)
    known = {r["pattern_id"] for r in rows}
    # one read of the daily rows covers the month, the window and the one before
    # (by default the last 30 days and the 30 before: the month's own span)
    wanted = [first.isoformat(), last.isoformat()]
    for span in spans:
        lo, hi = span or (date.min.isoformat(), date.max.isoformat())
        wanted = [min(wanted[0], lo), max(wanted[1], hi)]
    days = [d for d in daily_stats.daily_rows(db, *wanted) if d["pattern_id"] in known]
    month = [d for d in days if first.isoformat() <= d["day"] <= last.isoformat()]
    current = figures(days, spans[0])
    prior = None if before is None else figures(days, spans[1])
    return {
        **roi_analytics.dashboard(rows, month, when),
        "window": {
            "window": chosen.as_json(),
            "compared_with": None if before is None else before.as_json(),
            "current": current,
            "previous": prior,
            "change": None if prior is None else roi_analytics.change(current, prior),
        },
        "now": when.isoformat().replace("+00:00", "Z"),
        "as_of_seq": head.seq,
        "as_of_hash": head.hash,
    }
