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

from projections.conversion_math import Contribution, metrics, revenue_spread
from projections.conversions import Group, rollup
from projections.formats import change, money, number, p_is, percent_range
from projections.rules import ALPHA, MIN_DECISIONS, MIN_EACH, NOTABLE_POINTS
from projections.stats import (
    decisions_needed,
    difference_interval,
    holm,
    rates_test,
    sample_confidence,
    student_t_ppf,
    welch_test,
)

BAR = (
    f"Holm-adjusted p < {ALPHA} over every comparison tried, and at least {MIN_EACH} "
    "decisions on each side"
)
"""The documented bar a comparison must clear before an insight claims it."""


def label(name: str) -> str:
    """'golf_coaching' → 'Golf coaching', 'email' → 'Email'."""
    text = name.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def _r(value: float) -> float:
    """A figure of the evidence to two decimals, never a negative zero (JSON would carry
    -0.0 for a difference that rounds to nothing)."""
    return round(value, 2) + 0.0


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


class Pair:
    """Two groups' conversion rates, tested: `a` the better (or equal) one."""

    def __init__(self, a: str, ca: Contribution, b: str, cb: Contribution) -> None:
        self.a, self.ca, self.b, self.cb = a, ca, b, cb
        self.test, p = rates_test(ca.customers, ca.decisions, cb.customers, cb.decisions)
        self.p = 1.0 if p is None else p
        self.adjusted = self.p

    @property
    def enough(self) -> bool:
        return min(self.ca.decisions, self.cb.decisions) >= MIN_EACH

    @property
    def supported(self) -> bool:
        return self.enough and self.adjusted < ALPHA

    def evidence(self, family: int) -> dict[str, Any]:
        ca, cb = self.ca, self.cb
        interval = difference_interval(ca.customers, ca.decisions, cb.customers, cb.decisions)
        rate_a = ca.customers / ca.decisions
        rate_b = cb.customers / cb.decisions
        return {
            "test": self.test,
            "p_value": shown_p(self.p),
            "p_value_adjusted": shown_p(self.adjusted),
            "adjustment": f"Holm, over {family} comparison(s) tried",
            "effect": "difference in conversion rate, percentage points",
            "difference_points": _r((rate_a - rate_b) * 100),
            "interval_points": None
            if interval is None
            else [_r(interval[0] * 100), _r(interval[1] * 100)],
            "supported": self.supported,
            "bar": BAR,
        }


class MeanPair:
    """Two groups' revenue per decision, tested by Welch's t-test: `a` the higher one."""

    def __init__(self, a: str, ca: Contribution, b: str, cb: Contribution) -> None:
        self.a, self.ca, self.b, self.cb = a, ca, b, cb
        va, vb = revenue_spread(ca), revenue_spread(cb)
        self.ma, self.mb = float(ca.revenue) / ca.decisions, float(cb.revenue) / cb.decisions
        p = None
        if va is not None and vb is not None:
            p = welch_test(self.ma, va, ca.decisions, self.mb, vb, cb.decisions)
        self.p = 1.0 if p is None else p
        self.adjusted = self.p
        self.va, self.vb = va or 0.0, vb or 0.0

    @property
    def enough(self) -> bool:
        return min(self.ca.decisions, self.cb.decisions) >= MIN_EACH

    @property
    def supported(self) -> bool:
        return self.enough and self.adjusted < ALPHA

    def evidence(self, family: int) -> dict[str, Any]:
        na, nb = self.ca.decisions, self.cb.decisions
        spread = self.va / na + self.vb / nb
        interval = None
        if spread > 0 and na > 1 and nb > 1:
            df = spread**2 / ((self.va / na) ** 2 / (na - 1) + (self.vb / nb) ** 2 / (nb - 1))
            half = student_t_ppf(0.975, df) * spread**0.5
            interval = [_r(self.ma - self.mb - half), _r(self.ma - self.mb + half)]
        return {
            "test": "Welch's t-test",
            "p_value": shown_p(self.p),
            "p_value_adjusted": shown_p(self.adjusted),
            "adjustment": f"Holm, over {family} comparison(s) tried",
            "effect": "difference in revenue per decision, USD",
            "difference_usd": _r(self.ma - self.mb),
            "interval_usd": interval,
            "supported": self.supported,
            "bar": BAR,
        }


def generate(
    groups: Sequence[Group], timing: Sequence[dict[str, Any]] = ()
) -> list[dict[str, Any]]:
    """conversion, revenue, timing and comparison insights, in that order; `timing` holds
    each type's time to conversion with its open decisions counted (`Ledger.
    time_to_conversion(by="type")`), from which the timing insights come."""
    sources = _best_against_the_rest(_eligible(rollup(groups, "source"), 0))
    within: dict[str, list[Pair]] = {}
    by_source: dict[str, list[tuple[str, Contribution]]] = {}
    for source, kind, c in groups:
        if c.decisions >= MIN_DECISIONS:
            by_source.setdefault(source, []).append((kind, c))
    for source in sorted(by_source):
        within[source] = _best_against_the_rest(by_source[source])
    earners = _revenue_pair(groups)
    family: list[Pair | MeanPair] = [
        *sources, *(p for pairs in within.values() for p in pairs), *earners,
    ]  # fmt: skip
    for pair, adjusted in zip(family, holm([p.p for p in family]), strict=True):
        pair.adjusted = adjusted
    return [
        *_conversion(sources, len(family)),
        *_revenue(groups, earners, len(family)),
        *_timing(timing),
        *_comparison(within, len(family)),
    ]


def _rate(c: Contribution) -> Decimal:
    return Decimal(metrics(c)["conversion_rate"])


def _best_against_the_rest(members: Sequence[tuple[str, Contribution]]) -> list[Pair]:
    """The best converting member against each other one, runner-up first."""
    ranked = sorted(members, key=lambda mc: (-_rate(mc[1]), mc[0]))
    if len(ranked) < 2:
        return []
    (best, b), rest = ranked[0], ranked[1:]
    return [Pair(best, b, other, o) for other, o in rest]


def _eligible(
    rows: Sequence[tuple[str | None, str | None, Contribution]], index: int
) -> list[tuple[str, Contribution]]:
    return [(str(row[index]), row[2]) for row in rows if row[2].decisions >= MIN_DECISIONS]


def _conversion(pairs: list[Pair], family: int) -> list[dict[str, Any]]:
    """The best converting source against the closest source it clearly beats; or, when it
    beats none, that it cannot yet be told apart from the runner-up."""
    if not pairs:
        return []
    beaten = [p for p in pairs if p.supported]
    pair = beaten[0] if beaten else pairs[0]
    best, other, b, o = pair.a, pair.b, pair.ca, pair.cb
    best_rate, other_rate = _rate(b), _rate(o)
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
        return [_insight("conversion", title, detail, n, pair.evidence(family))]
    if pair is not pairs[0]:
        runner = pairs[0]
        detail += (
            f" It is not clearly ahead of {label(runner.b)} ({number(_rate(runner.cb))}% of "
            f"{runner.cb.decisions}; adjusted {p_is(runner.adjusted)})."
        )
    if other_rate == 0:
        title = f"{label(best)} converts at {number(best_rate)}%; {label(other)} has not converted"
    else:
        title = (
            f"{label(best)} converts {number(best_rate / other_rate)}x better than {label(other)}"
        )
    return [_insight("conversion", title, detail, n, pair.evidence(family))]


def _earning(groups: Sequence[Group]) -> list[tuple[str, Contribution]]:
    """The types with revenue, highest revenue per decision first."""
    types = _eligible(rollup(groups, "type"), 1)
    earning = [(t, c) for t, c in types if c.revenue > 0]
    return sorted(earning, key=lambda tc: (-metrics(tc[1])["avg_revenue_per_decision"], tc[0]))


def _revenue_pair(groups: Sequence[Group]) -> list[MeanPair]:
    """The revenue leader against the runner-up, the comparison its insight would make."""
    ranked = _earning(groups)
    if len(ranked) < 2:
        return []
    (top, t), (other, o) = ranked[0], ranked[1]
    return [MeanPair(top, t, other, o)]


def _revenue(groups: Sequence[Group], pairs: list[MeanPair], family: int) -> list[dict[str, Any]]:
    """The type with the most revenue per decision: claimed against the runner-up only when
    Welch's test clears the bar; otherwise said to be no clear difference, or (with no
    runner-up) described as the leader so far."""
    ranked = _earning(groups)
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
                     pair.evidence(family))]  # fmt: skip


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
        top_rate, low_rate = _rate(t), _rate(w)
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
                pair.evidence(family),
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
