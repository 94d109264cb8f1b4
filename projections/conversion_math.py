"""Conversion arithmetic, exact: a decision's contribution to its group, and group metrics.

Revenue is Decimal; time to conversion is kept in whole seconds, so sums never depend on the
order they are taken in and a rebuild equals the incremental fold exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from projections.roi_math import CTX, HUNDRED, ZERO
from projections.stats import wilson_interval

SECONDS_PER_HOUR = Decimal(3600)


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one decision adds to its (source, type) group."""

    decisions: int = 0
    responses: int = 0
    customers: int = 0
    deals: int = 0
    revenue: Decimal = ZERO
    conversion_seconds: int = 0
    conversions_timed: int = 0
    revenue_squares: Decimal = ZERO
    """Σ over decisions of (its revenue)²: with `revenue` and `decisions`, the spread of
    revenue per decision, for its interval and tests."""

    def __add__(self, other: Contribution) -> Contribution:
        return Contribution(
            self.decisions + other.decisions,
            self.responses + other.responses,
            self.customers + other.customers,
            self.deals + other.deals,
            self.revenue + other.revenue,
            self.conversion_seconds + other.conversion_seconds,
            self.conversions_timed + other.conversions_timed,
            self.revenue_squares + other.revenue_squares,
        )

    def __neg__(self) -> Contribution:
        return Contribution(
            -self.decisions,
            -self.responses,
            -self.customers,
            -self.deals,
            -self.revenue,
            -self.conversion_seconds,
            -self.conversions_timed,
            -self.revenue_squares,
        )

    def __sub__(self, other: Contribution) -> Contribution:
        return self + (-other)


def revenue_spread(c: Contribution) -> float | None:
    """The sample variance of revenue per decision (None under 2 decisions)."""
    if c.decisions < 2:
        return None
    n = Decimal(c.decisions)
    return max(0.0, float((c.revenue_squares - c.revenue * c.revenue / n) / (n - 1)))


def revenue_interval(c: Contribution) -> list[float] | None:
    """The 95 % Student-t interval of the mean revenue per decision (None under 2
    decisions): mean ± t(0.975, n − 1) × s / √n. Revenue is skewed (most decisions bring 0):
    read it as rough with few decisions."""
    from projections.stats import student_t_ppf

    spread = revenue_spread(c)
    if spread is None:
        return None
    mean = float(c.revenue) / c.decisions
    half = student_t_ppf(0.975, c.decisions - 1) * (spread / c.decisions) ** 0.5
    return [mean - half, mean + half]


def rate(part: int, whole: int) -> Decimal:
    """part / whole × 100, 0 for an empty group."""
    return CTX.multiply(CTX.divide(Decimal(part), Decimal(whole)), HUNDRED) if whole else ZERO


def metrics(c: Contribution) -> dict[str, Any]:
    """README "Decisions and outcomes": the keys for a group's totals."""
    interval = wilson_interval(c.customers, c.decisions)
    avg_hours = (
        CTX.divide(Decimal(c.conversion_seconds), Decimal(c.conversions_timed) * SECONDS_PER_HOUR)
        if c.conversions_timed
        else None
    )
    return {
        "total_decisions": c.decisions,
        "total_responses": c.responses,
        "total_customers": c.customers,
        "total_deals_closed": c.deals,
        "total_revenue": c.revenue,
        "avg_time_to_conversion_hours": avg_hours,
        "conversion_rate": rate(c.customers, c.decisions),
        "response_rate": rate(c.responses, c.decisions),
        "avg_revenue_per_decision": CTX.divide(c.revenue, Decimal(c.decisions))
        if c.decisions
        else ZERO,
        "avg_revenue_per_decision_interval": revenue_interval(c),
        "conversion_rate_interval": None
        if interval is None
        else [interval[0] * 100, interval[1] * 100],
    }
