"""Effectiveness ratings (README "Automation ROI", checked in order) and their recommendation
sentences."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from projections.formats import percent
from projections.rules import MIN_RATED

Rating = Literal["insufficient_data", "failed", "excellent", "good", "acceptable", "poor"]

TIERS: tuple[tuple[Rating, Decimal, Decimal], ...] = (
    ("excellent", Decimal("0.95"), Decimal(200)),
    ("good", Decimal("0.85"), Decimal(100)),
    ("acceptable", Decimal("0.70"), Decimal(50)),
)
CONFIDENCE_BASE: dict[str, Decimal] = {
    "excellent": Decimal("0.95"),
    "good": Decimal("0.85"),
    "acceptable": Decimal("0.70"),
    "poor": Decimal("0.50"),
    "failed": Decimal("0.30"),
}


def effective_roi(roi: Decimal | None, cost_saved: Decimal) -> Decimal | None:
    """ROI for the thresholds: a null ROI (nothing spent) with savings clears every bar
    (returned as None = unbounded); with no savings it counts as 0."""
    if roi is not None:
        return roi
    return None if cost_saved > 0 else Decimal(0)


def _at_least(roi: Decimal | None, bar: Decimal) -> bool:
    return roi is None or roi >= bar


def rate(
    total_executions: int, success_rate: Decimal, roi: Decimal | None, cost_saved: Decimal
) -> Rating:
    """The pattern's effectiveness rating."""
    if total_executions < MIN_RATED:
        return "insufficient_data"
    value = effective_roi(roi, cost_saved)
    if success_rate < Decimal("0.50") and value is not None and value < 0:
        return "failed"
    for name, min_rate, min_roi in TIERS:
        if success_rate >= min_rate and _at_least(value, min_roi):
            return name
    return "poor"


def figures_phrase(success_rate: Decimal, roi: Decimal | None) -> str:
    """'98.7% success rate and 312.0% ROI' (or 'no spend, so ROI is undefined')."""
    rate_text = f"{percent(success_rate, scale=100)} success rate"
    if roi is None:
        return f"{rate_text} and no spend recorded (ROI undefined)"
    return f"{rate_text} and {percent(roi)} ROI"


def recommendation(
    rating: Rating, total_executions: int, success_rate: Decimal, roi: Decimal | None
) -> str:
    """What to do about a pattern, quoting its figures."""
    figures = figures_phrase(success_rate, roi)
    if rating == "insufficient_data":
        return (
            f"Not enough data yet: {total_executions} execution(s), {MIN_RATED} needed "
            "for a rating. Keep recording executions."
        )
    if rating == "excellent":
        return (
            f"Exceptional performance! Pattern achieves {figures}. Continue automation and "
            "consider expanding it to similar workflows."
        )
    if rating == "good":
        return (
            f"Good performance: {figures}. Keep the automation running and monitor for "
            "continued effectiveness."
        )
    if rating == "acceptable":
        return (
            f"Acceptable performance: {figures}. Investigate the failure cases and consider "
            "refinements."
        )
    if rating == "poor":
        return (
            f"Poor performance: {figures}. Review the pattern logic; refine it or consider "
            "revoking it."
        )
    return (
        f"Failed: {figures}. Revoke the pattern now and investigate the failures before "
        "approving it again."
    )


def confidence_for(rating: Rating, total_executions: int) -> Decimal | None:
    """The closed loop's confidence: base by rating plus a sample-size boost, capped at 1.0;
    None for insufficient data (nothing changes)."""
    if rating == "insufficient_data":
        return None
    boost = (
        Decimal("0.05")
        if total_executions >= 50
        else Decimal("0.02")
        if total_executions >= 20
        else Decimal(0)
    )
    return min(CONFIDENCE_BASE[rating] + boost, Decimal("1.0"))
