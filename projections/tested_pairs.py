"""The comparisons the insights try, each with its test: two groups' conversion rates
(`Pair`: `stats.rates_test`) and the revenue leader's revenue per decision against the
runner-up's (`MeanPair`: Welch's t-test). Every pair tried is one family (`tried`), its
p-values adjusted together by Holm's method; projections/insights.py says what they show.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NamedTuple

from projections.conversion_math import Contribution, metrics, rate, revenue_spread
from projections.conversions import Group, rollup
from projections.rules import ALPHA, MIN_DECISIONS, MIN_EACH
from projections.stats import (
    difference_interval,
    holm,
    rates_test,
    student_t_ppf,
    welch_test,
)


def two_places(value: float) -> float:
    """A figure of the evidence to two decimals, never a negative zero (JSON would carry
    -0.0 for a difference that rounds to nothing)."""
    return round(value, 2) + 0.0


class TestedPair:
    """Two groups compared by `test`: `a` the better (or equal) one; `p` its p-value (1 when
    it cannot be tested), `adjusted` the same after Holm's adjustment over the family."""

    def __init__(
        self, a: str, ca: Contribution, b: str, cb: Contribution, test: str, p: float | None
    ) -> None:
        self.a, self.ca, self.b, self.cb = a, ca, b, cb
        self.test = test
        self.p = 1.0 if p is None else p
        self.adjusted = self.p

    @property
    def enough(self) -> bool:
        """Each side has the decisions a claim needs (`rules.MIN_EACH`)."""
        return min(self.ca.decisions, self.cb.decisions) >= MIN_EACH

    @property
    def supported(self) -> bool:
        """The difference clears the bar: enough decisions, adjusted p below `rules.ALPHA`."""
        return self.enough and self.adjusted < ALPHA

    def effect(self) -> dict[str, Any]:
        """What the difference is, its size and its 95 % interval (keys per kind of pair)."""
        raise NotImplementedError


class Pair(TestedPair):
    """Two groups' conversion rates, tested: `a` the better (or equal) one."""

    def __init__(self, a: str, ca: Contribution, b: str, cb: Contribution) -> None:
        test, p = rates_test(ca.customers, ca.decisions, cb.customers, cb.decisions)
        super().__init__(a, ca, b, cb, test, p)

    def effect(self) -> dict[str, Any]:
        """The difference in points, with its interval (Newcombe)."""
        ca, cb = self.ca, self.cb
        interval = difference_interval(ca.customers, ca.decisions, cb.customers, cb.decisions)
        rate_a = ca.customers / ca.decisions
        rate_b = cb.customers / cb.decisions
        return {
            "effect": "difference in conversion rate, percentage points",
            "difference_points": two_places((rate_a - rate_b) * 100),
            "interval_points": None
            if interval is None
            else [two_places(interval[0] * 100), two_places(interval[1] * 100)],
        }


class MeanPair(TestedPair):
    """Two groups' revenue per decision, tested by Welch's t-test: `a` the higher one."""

    def __init__(self, a: str, ca: Contribution, b: str, cb: Contribution) -> None:
        va, vb = revenue_spread(ca), revenue_spread(cb)
        self.ma, self.mb = float(ca.revenue) / ca.decisions, float(cb.revenue) / cb.decisions
        p = None
        if va is not None and vb is not None:
            p = welch_test(self.ma, va, ca.decisions, self.mb, vb, cb.decisions)
        super().__init__(a, ca, b, cb, "Welch's t-test", p)
        self.va, self.vb = va or 0.0, vb or 0.0

    def effect(self) -> dict[str, Any]:
        """The difference in USD per decision, with its Welch interval."""
        na, nb = self.ca.decisions, self.cb.decisions
        spread = self.va / na + self.vb / nb
        interval = None
        if spread > 0 and na > 1 and nb > 1:
            df = spread**2 / ((self.va / na) ** 2 / (na - 1) + (self.vb / nb) ** 2 / (nb - 1))
            half = student_t_ppf(0.975, df) * spread**0.5
            interval = [two_places(self.ma - self.mb - half), two_places(self.ma - self.mb + half)]
        return {
            "effect": "difference in revenue per decision, USD",
            "difference_usd": two_places(self.ma - self.mb),
            "interval_usd": interval,
        }


def conversion_rate(c: Contribution) -> Decimal:
    """A group's conversion rate, in percent."""
    return rate(c.customers, c.decisions)


def _best_against_the_rest(members: Sequence[tuple[str, Contribution]]) -> list[Pair]:
    """The best converting member against each other one, runner-up first."""
    ranked = sorted(members, key=lambda mc: (-conversion_rate(mc[1]), mc[0]))
    if len(ranked) < 2:
        return []
    (best, b), rest = ranked[0], ranked[1:]
    return [Pair(best, b, other, o) for other, o in rest]


def _eligible(
    rows: Sequence[tuple[str | None, str | None, Contribution]], index: int
) -> list[tuple[str, Contribution]]:
    return [(str(row[index]), row[2]) for row in rows if row[2].decisions >= MIN_DECISIONS]


def earning(groups: Sequence[Group]) -> list[tuple[str, Contribution]]:
    """The types with revenue, highest revenue per decision first."""
    types = _eligible(rollup(groups, "type"), 1)
    earning = [(t, c) for t, c in types if c.revenue > 0]
    return sorted(earning, key=lambda tc: (-metrics(tc[1])["avg_revenue_per_decision"], tc[0]))


def _revenue_pair(groups: Sequence[Group]) -> list[MeanPair]:
    """The revenue leader against the runner-up, the comparison its insight would make."""
    ranked = earning(groups)
    if len(ranked) < 2:
        return []
    (top, t), (other, o) = ranked[0], ranked[1]
    return [MeanPair(top, t, other, o)]


class Family(NamedTuple):
    """Every comparison tried, its p-values adjusted together: the best source against
    each other source, within each source its best type against each other type, and the
    revenue leader against the runner-up."""

    sources: list[Pair]
    within: dict[str, list[Pair]]
    earners: list[MeanPair]
    size: int


def tried(groups: Sequence[Group]) -> Family:
    """The family of comparisons the groups allow (each side with rules.MIN_DECISIONS
    decisions at least), Holm-adjusted."""
    sources = _best_against_the_rest(_eligible(rollup(groups, "source"), 0))
    within: dict[str, list[Pair]] = {}
    by_source: dict[str, list[tuple[str, Contribution]]] = {}
    for source, kind, c in groups:
        if c.decisions >= MIN_DECISIONS:
            by_source.setdefault(source, []).append((kind, c))
    for source in sorted(by_source):
        within[source] = _best_against_the_rest(by_source[source])
    earners = _revenue_pair(groups)
    family: list[TestedPair] = [
        *sources, *(p for pairs in within.values() for p in pairs), *earners,
    ]  # fmt: skip
    for pair, adjusted in zip(family, holm([p.p for p in family]), strict=True):
        pair.adjusted = adjusted
    return Family(sources, within, earners, len(family))
