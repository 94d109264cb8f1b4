"""The pattern registry's reads: patterns, one pattern's changes, costs, executions and
trends (README "Automation ROI")."""

from __future__ import annotations

from datetime import date
from typing import Any

from commands.base import NotFoundError
from commands.fields import normal_id
from events.sql import Sql
from ledger.errors import InputError
from ledger.queries.context import Read
from projections import daily_stats, roi_analytics, roi_queries
from projections import executions as execution_queries
from projections import patterns as pattern_queries


def lookup(pattern_id: str) -> str:
    """An id as stored (NFC); one no database can hold (a lone surrogate) is unknown."""
    pattern_id = normal_id(pattern_id)
    try:
        pattern_id.encode("utf-8")
    except UnicodeEncodeError:
        raise NotFoundError(f"unknown pattern {pattern_id!r}", field="pattern_id") from None
    return pattern_id


def unknown(db: Sql, pattern_id: str) -> NotFoundError:
    """The refusal of an unknown pattern, with the closest known id when one is close."""
    from ledger.core.suggest import with_hint

    refusal = NotFoundError(f"unknown pattern {pattern_id!r}", field="pattern_id")
    return with_hint(refusal, db, pattern_id)


def known_row(db: Sql, pattern_id: str) -> dict[str, Any]:
    """A pattern's all-time ROI row, or the refusal of an unknown pattern."""
    pattern_id = lookup(pattern_id)
    row = roi_queries.pattern_roi(db, pattern_id)
    if row is None:
        raise unknown(db, pattern_id)
    return row


def list_patterns(read: Read) -> list[dict[str, Any]]:
    """The pattern registry."""
    return pattern_queries.list_patterns(read.db)


def pattern_detail(read: Read, pattern_id: str) -> dict[str, Any]:
    """One pattern as the registry has it, with every change to it in order: approvals,
    estimate revisions, revocations, confidence updates and costs (each with when it
    happened and when the ledger learned it), and how many executions it has."""
    from ledger.store.eventlog import SELECT_EVENTS, decode_row

    pattern_id = lookup(pattern_id)
    db = read.db
    row = pattern_queries.get_pattern(db, pattern_id)
    if row is None:
        raise unknown(db, pattern_id)
    found = db.execute(
        f"{SELECT_EVENTS} WHERE stream_id = ? AND event_type <> 'PatternExecutionRecorded'"
        " AND seq <= ? ORDER BY seq",
        (f"pattern:{pattern_id}", read.head.seq),
    ).fetchall()
    runs = execution_queries.execution_counts(db, pattern_id)[0]
    changes = []
    for recorded in map(decode_row, found):
        fields = recorded.event.payload()
        fields.pop("pattern_id", None)
        changes.append({
            "seq": recorded.seq, "event_type": recorded.event_type,
            "occurred_at": recorded.occurred_at, "recorded_at": recorded.recorded_at,
            "fields": fields,
        })  # fmt: skip
    return {**row, "executions": int(runs), "changes": changes}


def pattern_costs(read: Read, pattern_id: str) -> list[dict[str, Any]]:
    """The costs recorded for a pattern (not its runs), oldest first."""
    from projections import costs

    pattern_id = lookup(pattern_id)
    if pattern_queries.get_pattern(read.db, pattern_id) is None:
        raise unknown(read.db, pattern_id)
    return [c.as_json() for c in costs.costs_of(read.db, pattern_id)]


def executions(read: Read, pattern_id: str, limit: int | None = None) -> list[dict[str, Any]]:
    """A pattern's executions, newest first (the first `limit` of them; all when None)."""
    if limit is not None and (
        isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit < 2**62
    ):
        raise InputError(
            f"limit: must be a whole number from 0 to {2**62 - 1:,}, or None for all "
            f"(got {limit!r})",
            {"field": "limit"},
        )
    return execution_queries.list_executions(read.db, lookup(pattern_id), limit)


def trend(read: Read, pattern_id: str, period: str = "day") -> list[dict[str, Any]]:
    """Success rate, savings and ROI per day, ISO week or month."""
    pattern_id = lookup(pattern_id)
    if period not in roi_analytics.PERIODS:
        raise InputError(
            f"period: must be one of {', '.join(roi_analytics.PERIODS)} (got {period!r})",
            {"field": "period"},
        )
    known_row(read.db, pattern_id)
    return roi_analytics.trend(daily_stats.pattern_days(read.db, pattern_id), period)


def portfolio_trend(read: Read, period: roi_analytics.Period = "month") -> list[dict[str, Any]]:
    """The trend of all patterns together."""
    days = daily_stats.daily_rows(read.db, date.min.isoformat(), date.max.isoformat())
    return roi_analytics.trend(days, period)
