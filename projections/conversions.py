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
    from projections.window_comparison import compare_windows

    return compare_windows(
        current,
        previous,
        keys=("source_type", "opportunity_type"),
        figures=COMPARED,
        counts={k for k in COMPARED if k.startswith("total_") and k != "total_revenue"},
        test="conversion_rate_test",
        successes="total_customers",
        trials="total_decisions",
    )
