"""Insights regenerated from the conversion metrics: deterministic for a log position, and
only from groups with at least 3 decisions (SPEC §4)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from projections.conversion_math import Contribution, metrics
from projections.conversions import Group, rollup
from projections.stats import sample_confidence

MIN_DECISIONS = 3
NOTABLE_POINTS = Decimal(10)


def label(name: str) -> str:
    """'golf_coaching' → 'Golf coaching', 'email' → 'Email'."""
    text = name.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def _one(value: Decimal, places: str = "0.1") -> str:
    return str(value.quantize(Decimal(places), rounding=ROUND_HALF_UP))


def _insight(kind: str, title: str, description: str, n: int) -> dict[str, Any]:
    return {
        "insight_type": kind,
        "title": title,
        "description": description,
        "confidence_score": round(sample_confidence(n), 4),
        "data_points": n,
    }


def generate(groups: Sequence[Group]) -> list[dict[str, Any]]:
    """conversion, revenue, timing and comparison insights, in that order."""
    return [*_conversion(groups), *_revenue(groups), *_timing(groups), *_comparison(groups)]


def _eligible(
    rows: Sequence[tuple[str | None, str | None, Contribution]], index: int
) -> list[tuple[str, Contribution]]:
    return [(str(row[index]), row[2]) for row in rows if row[2].decisions >= MIN_DECISIONS]


def _conversion(groups: Sequence[Group]) -> list[dict[str, Any]]:
    """The best converting source against the runner-up (or one that has not converted)."""
    sources = _eligible(rollup(groups, "source"), 0)
    if len(sources) < 2:
        return []
    ranked = sorted(sources, key=lambda sc: (-metrics(sc[1])["conversion_rate"], sc[0]))
    (best, b), (other, o) = ranked[0], ranked[1]
    best_rate, other_rate = metrics(b)["conversion_rate"], metrics(o)["conversion_rate"]
    if best_rate == other_rate:
        return []
    n = b.decisions + o.decisions
    detail = (
        f"{label(best)}: {_one(best_rate)}% of {b.decisions} decisions became customers; "
        f"{label(other)}: {_one(other_rate)}% of {o.decisions}."
    )
    if other_rate == 0:
        title = f"{label(best)} converts at {_one(best_rate)}%; {label(other)} has not converted"
    else:
        title = f"{label(best)} converts {_one(best_rate / other_rate)}x better than {label(other)}"
    return [_insight("conversion", title, detail, n)]


def _revenue(groups: Sequence[Group]) -> list[dict[str, Any]]:
    """The type with the most revenue per decision."""
    types = _eligible(rollup(groups, "type"), 1)
    earning = [(t, c) for t, c in types if c.revenue > 0]
    if not earning:
        return []
    kind, c = sorted(earning, key=lambda tc: (-metrics(tc[1])["avg_revenue_per_decision"], tc[0]))[
        0
    ]
    average = metrics(c)["avg_revenue_per_decision"]
    return [
        _insight(
            "revenue",
            f"{label(kind)} generates the most revenue",
            f"${average:,.2f} average per decision over {c.decisions} decisions "
            f"(${c.revenue:,.2f} total).",
            c.decisions,
        )
    ]


def _timing(groups: Sequence[Group]) -> list[dict[str, Any]]:
    """Average days from decision to customer, per type that has converted."""
    out = []
    for kind, c in _eligible(rollup(groups, "type"), 1):
        hours = metrics(c)["avg_time_to_conversion_hours"]
        if hours is None:
            continue
        days = hours / 24
        title = (
            f"{label(kind)} closes in ~{_one(days)} days"
            if days < 7
            else f"{label(kind)} takes ~{_one(days, '1')} days on average"
        )
        out.append(
            _insight(
                "timing",
                title,
                f"{c.conversions_timed} conversions took {_one(hours)} hours on average.",
                c.conversions_timed,
            )
        )
    return out


def _comparison(groups: Sequence[Group]) -> list[dict[str, Any]]:
    """Within a source, its best and worst converting types, when ≥ 10 points apart."""
    by_source: dict[str, list[tuple[str, Contribution]]] = {}
    for source, kind, c in groups:
        if c.decisions >= MIN_DECISIONS:
            by_source.setdefault(source, []).append((kind, c))
    out = []
    for source in sorted(by_source):
        members = by_source[source]
        if len(members) < 2:
            continue
        ranked = sorted(members, key=lambda kc: (-metrics(kc[1])["conversion_rate"], kc[0]))
        (top, t), (low, w) = ranked[0], ranked[-1]
        top_rate, low_rate = metrics(t)["conversion_rate"], metrics(w)["conversion_rate"]
        if top_rate - low_rate < NOTABLE_POINTS:
            continue
        out.append(
            _insight(
                "comparison",
                f"{label(source)} {top} converts at {_one(top_rate, '1')}% vs "
                f"{_one(low_rate, '1')}% for {low}",
                f"On {label(source)}, {top} ({t.decisions} decisions) converts "
                f"{_one(top_rate - low_rate)} points better than {low} ({w.decisions}).",
                t.decisions + w.decisions,
            )
        )
    return out
