"""Conversion metrics per (source, type) with roll-ups, and ROI by type (README "Decisions and
outcomes")."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Literal

from projections.conversion_math import Contribution, metrics
from projections.roi_math import CTX

Group = tuple[str, str, Contribution]
By = Literal["combination", "source", "type"]
BY: tuple[By, ...] = ("combination", "source", "type")


def rollup(groups: Sequence[Group], by: By) -> list[tuple[str | None, str | None, Contribution]]:
    """(source, type, totals) per combination, or summed per source / per type (the other
    key None), sorted by name."""
    if by == "combination":
        return [(s, t, c) for s, t, c in groups]
    out: dict[str, Contribution] = {}
    for source, kind, c in groups:
        key = source if by == "source" else kind
        out[key] = out.get(key, Contribution()) + c
    if by == "source":
        return [(k, None, out[k]) for k in sorted(out)]
    return [(None, k, out[k]) for k in sorted(out)]


def conversion_metrics(groups: Sequence[Group], by: By = "combination") -> list[dict[str, Any]]:
    """README "Decisions and outcomes": the conversion metrics rows."""
    return [
        {"source_type": source, "opportunity_type": kind, **metrics(c)}
        for source, kind, c in rollup(groups, by)
    ]


def roi_by_type(groups: Sequence[Group]) -> list[dict[str, Any]]:
    """Revenue per opportunity type (and per source within it), highest revenue first."""
    by_type: dict[str, list[tuple[str, Contribution]]] = {}
    for source, kind, c in groups:
        by_type.setdefault(kind, []).append((source, c))
    out = []
    for kind, members in by_type.items():
        total = sum((c for _, c in members), Contribution())
        out.append(
            {
                "opportunity_type": kind,
                **_revenue(total),
                "by_source": sorted(
                    ({"source_type": s, **_revenue(c)} for s, c in members),
                    key=lambda r: (-r["total_revenue"], r["source_type"]),
                ),
            }
        )
    out.sort(key=lambda r: (-r["total_revenue"], r["opportunity_type"]))
    return out


def _revenue(c: Contribution) -> dict[str, Any]:
    return {
        "total_revenue": c.revenue,
        "avg_revenue_per_decision": CTX.divide(c.revenue, Decimal(c.decisions))
        if c.decisions
        else Decimal(0),
        "total_decisions": c.decisions,
        "deals_closed": c.deals,
    }


COMPARED = (
    "total_decisions",
    "total_responses",
    "total_customers",
    "total_deals_closed",
    "total_revenue",
    "conversion_rate",
    "response_rate",
    "avg_revenue_per_decision",
)
"""The conversion figures a comparison of two windows states the change of."""


def compare_conversions(
    current: Sequence[dict[str, Any]], previous: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Per row of `current` (its source and type), each figure's absolute change and its
    relative change in percent of the previous value (None where the group is absent from
    the previous window or the previous value is 0), and the two-proportion test of the two
    conversion rates (None without decisions in both)."""
    from projections.stats import two_proportion_test

    before = {(r["source_type"], r["opportunity_type"]): r for r in previous}
    out = []
    for row in current:
        old = before.get((row["source_type"], row["opportunity_type"]))
        change: dict[str, Any] = {}
        for key in COMPARED:
            if old is None:
                change[key] = {"absolute": None, "relative_percent": None}
                continue
            absolute = Decimal(row[key]) - Decimal(old[key])
            relative = None if old[key] == 0 else CTX.divide(absolute * 100, abs(Decimal(old[key])))
            change[key] = {
                "absolute": absolute if not key.startswith("total_") or key == "total_revenue"
                else int(absolute),
                "relative_percent": relative,
            }  # fmt: skip
        p_value = None if old is None else two_proportion_test(
            row["total_customers"], row["total_decisions"],
            old["total_customers"], old["total_decisions"],
        )  # fmt: skip
        out.append(
            {
                "source_type": row["source_type"],
                "opportunity_type": row["opportunity_type"],
                "change": change,
                "conversion_rate_test": {
                    "test": "two-proportion z-test, two-sided",
                    "p_value": p_value,
                    "differs_at_5_percent": None if p_value is None else p_value < 0.05,
                },
            }
        )
    return out
