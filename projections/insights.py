"""Insights regenerated from the conversion metrics: deterministic for a log position, and
only from groups with at least rules.MIN_DECISIONS decisions (README "Decisions and outcomes").

A comparison is stated only when the data supports it (README "What the statistics mean"). Every
pair of conversion
rates the generator tries — the best source against each other source, and within each
source its best type against each other type — is one family: each pair gets its test
(`stats.rates_test`: the two-proportion z-test, or Fisher's exact test on small counts),
the family's p-values are adjusted by Holm's method, and a difference is claimed only when
the adjusted p-value is below 0.05 and each side has at least 10 decisions (`BAR`). Each
insight carries that evidence: the test, `p_value`, `p_value_adjusted`, the effect (the
difference in points) with its 95 % interval (Newcombe), and `supported`. Where the best
source cannot be told apart from the runner-up, the conversion insight says so, with about
how many decisions each would need.

`confidence_score` keeps the source document's meaning: how much data an insight rests on
(sample sufficiency, `stats.sample_confidence`), not the strength of its evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from projections.conversion_math import metrics
from projections.conversions import Group
from projections.formats import change, money, number, p_is, percent_range
from projections.rules import ALPHA, MIN_DECISIONS, MIN_EACH, NOTABLE_POINTS
from projections.stats import decisions_needed, sample_confidence
from projections.tested_pairs import MeanPair, Pair, TestedPair, conversion_rate, earning, tried

BAR = (
    f"Holm-adjusted p < {ALPHA} over every comparison tried, and at least {MIN_EACH} "
    "decisions on each side"
)
"""The documented bar a comparison must clear before an insight claims it."""


def label(name: str) -> str:
    """'golf_coaching' → 'Golf coaching', 'email' → 'Email'."""
    text = name.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def _insight(
    kind: str, title: str, description: str, n: int, evidence: dict[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "insight_type": kind,
        "title": title,
        "description": description,
        "confidence_score": round(sample_confidence(n), 4),
        "data_points": n,
        "evidence": evidence or {"test": None, "supported": None, "bar": None},
    }


def shown_p(p: float) -> float:
    """A p-value to six decimals, unless rounding would carry it across the bar (0.0499996
    shows as 0.05, which reads as "not below 0.05" beside a supported claim): then as is."""
    rounded = round(p, 6)
    return rounded if (rounded < ALPHA) == (p < ALPHA) else p


def evidence_of(pair: TestedPair, family: int) -> dict[str, Any]:
    """What an insight comparing `pair` rests on: its test, p-values (as tried alone, and
    adjusted over the `family` of comparisons tried), its effect, and whether it clears the
    bar."""
    return {
        "test": pair.test,
        "p_value": shown_p(pair.p),
        "p_value_adjusted": shown_p(pair.adjusted),
        "adjustment": f"Holm, over {family} comparison(s) tried",
        **pair.effect(),
        "supported": pair.supported,
        "bar": BAR,
    }


def generate(
    groups: Sequence[Group], timing: Sequence[dict[str, Any]] = ()
) -> list[dict[str, Any]]:
    """conversion, revenue, timing and comparison insights, in that order; `timing` holds
    each type's time to conversion with its open decisions counted (`Ledger.
    time_to_conversion(by="type")`), from which the timing insights come."""
    family = tried(groups)
    return [
        *_conversion(family.sources, family.size),
        *_revenue(groups, family.earners, family.size),
        *_timing(timing),
        *_comparison(family.within, family.size),
    ]


def _conversion(pairs: list[Pair], family: int) -> list[dict[str, Any]]:
    """The best converting source against the closest source it clearly beats; or, when it
    beats none, that it cannot yet be told apart from the runner-up."""
    if not pairs:
        return []
    beaten = [p for p in pairs if p.supported]
    pair = beaten[0] if beaten else pairs[0]
    best, other, b, o = pair.a, pair.b, pair.ca, pair.cb
    best_rate, other_rate = conversion_rate(b), conversion_rate(o)
    n = b.decisions + o.decisions
    detail = (
        f"{label(best)}: {number(best_rate)}% of {b.decisions} decisions became customers; "
        f"{label(other)}: {number(other_rate)}% of {o.decisions}."
    )
    if not pair.supported:
        if best_rate == other_rate:
            return []
        needed = decisions_needed(float(best_rate) / 100, float(other_rate) / 100)
        more = "" if needed is None else (
            f" About {needed:,} decisions each would tell a difference this size apart "
            "from chance."
        )  # fmt: skip
        title = f"No clear difference yet between {label(best)} and {label(other)}"
        detail += (
            f" The difference could be chance (adjusted {p_is(pair.adjusted)})."
            if pair.enough
            else f" Too few decisions to compare (each side needs {MIN_EACH})."
        ) + more
        return [_insight("conversion", title, detail, n, evidence_of(pair, family))]
    if pair is not pairs[0]:
        runner = pairs[0]
        detail += (
            f" It is not clearly ahead of {label(runner.b)} "
            f"({number(conversion_rate(runner.cb))}% of {runner.cb.decisions}; adjusted "
            f"{p_is(runner.adjusted)})."
        )
    if other_rate == 0:
        title = f"{label(best)} converts at {number(best_rate)}%; {label(other)} has not converted"
    else:
        title = (
            f"{label(best)} converts {number(best_rate / other_rate)}x better than {label(other)}"
        )
    return [_insight("conversion", title, detail, n, evidence_of(pair, family))]


def _revenue(groups: Sequence[Group], pairs: list[MeanPair], family: int) -> list[dict[str, Any]]:
    """The type with the most revenue per decision: claimed against the runner-up only when
    Welch's test clears the bar; otherwise said to be no clear difference, or (with no
    runner-up) described as the leader so far."""
    ranked = earning(groups)
    if not ranked:
        return []
    kind, c = ranked[0]
    average = metrics(c)["avg_revenue_per_decision"]
    facts = (
        f"{money(average)} average per decision over {c.decisions} decisions "
        f"({money(c.revenue)} total)"
    )
    if not pairs:
        return [
            _insight(
                "revenue",
                f"{label(kind)} has brought the most revenue per decision so far",
                f"{facts}. No other type has revenue to compare with.",
                c.decisions,
                {"test": None, "supported": None, "bar": "none: a description, not a comparison"},
            )
        ]
    pair = pairs[0]
    other = metrics(pair.cb)["avg_revenue_per_decision"]
    detail = f"{facts}; {label(pair.b)}: {money(other)} over {pair.cb.decisions}."
    if pair.supported:
        title = f"{label(kind)} brings more revenue per decision than {label(pair.b)}"
    else:
        title = (
            f"No clear difference yet in revenue per decision between {label(kind)} and "
            f"{label(pair.b)}"
        )
        detail += (
            f" The difference could be chance (adjusted {p_is(pair.adjusted)})."
            if pair.enough
            else f" Too few decisions to compare (each side needs {MIN_EACH})."
        )
    return [_insight("revenue", title, detail, c.decisions + pair.cb.decisions,
                     evidence_of(pair, family))]  # fmt: skip


def _timing(rows: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per type with conversions: when half convert (Kaplan–Meier, the open decisions
    counted), or, while fewer have, the share converted by the longest horizon observed."""
    out = []
    for row in rows:
        kind = row["opportunity_type"]
        if row["decisions"] < MIN_DECISIONS or not row["converted"]:
            continue
        m = row["median_days"]
        shown = [w for w in row["converted_within"] if w["percent"] is not None]
        method = (
            f"Kaplan–Meier over {row['decisions']} decisions, {row['still_open']} still open "
            f"(counted until {row['censored_at']}, not dropped)"
        )
        if m["days"] is not None:
            top = "…" if m["upper"] is None else str(m["upper"])
            title = f"Half of {label(kind).lower()} decisions convert within {m['days']} days"
            detail = f"95% interval {m['lower']}–{top} days; {method}."
        elif shown:
            w = shown[-1]
            share = number(Decimal(str(w["percent"])), 0)
            title = f"{label(kind)}: {share}% convert within {w['days']} days"
            detail = (
                f"95% interval {percent_range(*w['interval'])}; fewer than half "
                f"have converted, so there is no median yet; {method}."
            )
        else:
            continue
        out.append(
            _insight(
                "timing", title, detail, row["decisions"],
                {"test": None, "supported": None, "bar": "none: a description, not a comparison",
                 "method": "Kaplan–Meier", "median_days": m,
                 "converted_within": row["converted_within"]},
            )
        )  # fmt: skip
    return out


def _comparison(within: dict[str, list[Pair]], family: int) -> list[dict[str, Any]]:
    """Within a source, its best type against the lowest converting type it clearly beats,
    when they are at least 10 points apart; nothing when no difference clears the bar."""
    out = []
    for source, pairs in within.items():
        clear = [p for p in pairs if p.supported]
        if not clear:
            continue
        pair = clear[-1]  # the lowest converting one it beats
        top, low, t, w = pair.a, pair.b, pair.ca, pair.cb
        top_rate, low_rate = conversion_rate(t), conversion_rate(w)
        if top_rate - low_rate < NOTABLE_POINTS:
            continue
        out.append(
            _insight(
                "comparison",
                f"{label(source)} {top} converts at {number(top_rate, 0)}% vs "
                f"{number(low_rate, 0)}% for {low}",
                f"On {label(source)}, {top} ({t.decisions} decisions) converts "
                f"{number(top_rate - low_rate)} points better than {low} ({w.decisions}).",
                t.decisions + w.decisions,
                evidence_of(pair, family),
            )
        )
    return out


def describe_evidence(evidence: dict[str, Any]) -> str:
    """An insight's evidence in a line: its test, adjusted p-value and the effect's interval;
    or that it describes the data without comparing."""
    if evidence.get("test") is None:
        return "a description of the data, not a tested comparison"
    interval = evidence.get("interval_points")
    effect = (
        ""
        if interval is None
        else f", difference {change(evidence['difference_points'], 'pt%')} "
        f"(95% {change(interval[0], 'pt%')} to {change(interval[1], 'pt%')})"
    )
    usd = evidence.get("interval_usd")
    if usd is not None:
        effect = (
            f", difference {change(evidence['difference_usd'], '$')} per decision "
            f"(95% {change(usd[0], '$')} to {change(usd[1], '$')})"
        )
    verdict = "clears the bar" if evidence["supported"] else "does not clear the bar"
    return (
        f"{evidence['test']}, {p_is(evidence['p_value'])}, adjusted "
        f"{p_is(evidence['p_value_adjusted'])}{effect}: {verdict}"
    )
