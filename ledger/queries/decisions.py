"""The decision loop's reads: conversions, time to convert, revenue by type, insights,
predictions, search and calibration (README "Decisions and outcomes")."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from ledger.errors import InputError
from ledger.queries.context import Read, Span
from ledger.queries.roi import comparison

if TYPE_CHECKING:
    from events.sql import Sql
    from projections.conversion_math import Contribution
    from projections.conversions import By

Rows = list[dict[str, Any]]


def groups(db: Sql, span: Span | None = None) -> list[tuple[str, str, Contribution]]:
    """Every (source, type) group with its totals (the row queries load on first use); with
    `span` (first and last UTC day), only the decisions decided on those days."""
    from projections import decision_rows

    if span is None:
        return decision_rows.groups(db)
    first, last = span
    return decision_rows.groups_between(
        db,
        None if first == date.min.isoformat() else first,
        None if last == date.max.isoformat() else last,
    )


def check_by(by: str) -> By:
    """`by` as the roll-up of the groups it names (combination, source or type), or refused."""
    from projections import conversions

    if by not in conversions.BY:
        raise InputError(
            f"by: must be one of {', '.join(conversions.BY)} (got {by!r})", {"field": "by"}
        )
    return by


def time_rows(db: Sql, by: str, span: Span | None, today: str) -> Rows:
    """`time_to_conversion`'s rows from the per-day aggregates of the decisions decided in
    `span` (all when None), censored at the ISO day `today`."""
    from projections.decision_rows import days_between, durations_between
    from projections.survival import time_to_conversion

    first, last = span or (None, None)

    def key(source: str, kind: str) -> tuple[str | None, str | None]:
        return {"type": (None, kind), "source": (source, None), "combination": (source, kind)}[by]

    decided: dict[tuple[str | None, str | None], list[tuple[str, int, int]]] = {}
    for source, kind, day, n, customers in days_between(db, first, last):
        decided.setdefault(key(source, kind), []).append((day, n, customers))
    took: dict[tuple[str | None, str | None], list[tuple[str, int, int]]] = {}
    for source, kind, day, d, n in durations_between(db, first, last):
        took.setdefault(key(source, kind), []).append((day, d, n))
    rows = [
        {
            "source_type": group[0],
            "opportunity_type": group[1],
            **time_to_conversion(decided[group], took.get(group, []), today),
            "censored_at": today,
        }
        for group in sorted(decided, key=lambda g: (g[0] or "", g[1] or ""))
    ]
    return [row for row in rows if row["decisions"]]  # none decided by the point: no row


def conversion_metrics(read: Read, by: str = "combination") -> Rows:
    """Conversion metrics per (source, type), or rolled up per source or per type: all
    time, or the decisions decided in the window (each with its outcomes, whenever they
    arrived); beside the raw rate, `converted_within_30_days`, the matured view
    (Kaplan–Meier, counted at the point shown)."""
    from projections import conversions

    rollup = check_by(by)
    rows = conversions.conversion_metrics(groups(read.db, read.span), rollup)
    matured = {
        (t["source_type"], t["opportunity_type"]): t["converted_within"][-1]
        for t in time_rows(read.db, by, read.span, read.today)
    }
    for row in rows:
        # the matured view beside the raw rate: converted within 30 days (Kaplan–Meier,
        # the open decisions counted until the point shown); None before any was followed
        # that long
        key = (
            row["source_type"] if by != "type" else None,
            row["opportunity_type"] if by != "source" else None,
        )
        row["converted_within_30_days"] = matured.get(key)
    return rows


def conversion_metrics_compared(
    read: Read, compare: str = "previous", by: str = "combination"
) -> dict[str, Any]:
    """Conversion metrics of the decisions decided in the window beside those of another
    (`compare`: 'previous' or any period), each group's change and a test of its rates."""
    from projections import conversions

    rollup = check_by(by)
    return comparison(
        read, compare,
        lambda db, span: conversions.conversion_metrics(groups(db, span), rollup),
        conversions.compare_conversions,
    )  # fmt: skip


def time_to_conversion(read: Read, by: str = "type") -> Rows:
    """How long decisions take to win a customer, per type, source or both, with the
    decisions still open counted (Kaplan–Meier, censored at the point shown): the median
    days with its interval and the share converted within 7, 14 and 30 days."""
    return time_rows(read.db, check_by(by), read.span, read.today)


def roi_by_type(read: Read) -> Rows:
    """Revenue per opportunity type, and per source within it."""
    from projections import conversions

    return conversions.roi_by_type(groups(read.db, read.span))


def insights(read: Read) -> Rows:
    """Insights regenerated from the metrics (deterministic for a log position)."""
    from projections.insights import generate

    found = groups(read.db, read.span)
    return generate(found, time_rows(read.db, "type", read.span, read.today))


def predict(
    read: Read, opportunity_type: str, opportunity_source: str, content: str | None = None
) -> dict[str, Any]:
    """What similar past decisions say about a new opportunity. (`content` is accepted for
    the source's signature; the model does not read text.)"""
    from projections import prediction_math as prediction

    for name, value in (("type", opportunity_type), ("source", opportunity_source)):
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"{name}: required, a non-empty string", {"field": name})
    return prediction.predict(groups(read.db), opportunity_type.strip(), opportunity_source.strip())


def search_decisions(read: Read, query: str, limit: int = 20) -> Rows:
    """Decisions whose content, action, sender or outcome notes hold every word of `query`
    (a word ending in * as a prefix), newest first, with their conversion and revenue."""
    from ledger.store import search
    from ledger.store.as_of import AsOfSql

    if not isinstance(query, str) or not query.split():
        raise InputError("query: give at least one word to search for", {"field": "query"})
    if len(query) > 1000:
        raise InputError("query: at most 1,000 characters", {"field": "query"})
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 10_000:
        raise InputError("limit: must be a whole number from 1 to 10,000", {"field": "limit"})
    live = read.service.projector.kind == "sqlite" and not isinstance(read.db, AsOfSql)
    return search.search(read.db, query, limit, indexed=live)


def calibration(read: Read) -> dict[str, Any]:
    """Brier score and reliability table of recorded predictions against outcomes."""
    from projections.calibration import calibration as brier
    from projections.predictions import scored_decisions

    pairs = scored_decisions(read.db)
    result = brier([(p["probability"], p["converted"]) for p in pairs])
    head = read.head
    return {**result, "decisions": pairs, "as_of_seq": head.seq, "as_of_hash": head.hash}
