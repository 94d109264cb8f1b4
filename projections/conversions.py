"""Conversion metrics per (source, type) with roll-ups, and ROI by type (SPEC §4)."""

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
    """SPEC §4's conversion metrics rows."""
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
