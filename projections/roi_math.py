"""The ROI arithmetic of README "Automation ROI", exact in Decimal, as pure functions.

ROI is return on what was actually spent: saved / Σ actual cost of successful runs × 100.
The source divided by the *estimated* cost, which caps ROI at 100 % and makes its own
"excellent" (≥ 200 %) and "good" (≥ 100 %) tiers unreachable.
"""

from __future__ import annotations

from decimal import Context, Decimal
from typing import Any, NamedTuple

from events.patterns import PatternExecutionRecorded

CTX = Context(prec=28)
ZERO = Decimal(0)
HUNDRED = Decimal(100)


class RoiTotals(NamedTuple):
    """The additive state of one pattern's ROI: counts and exact sums."""

    total_executions: int = 0
    successful_executions: int = 0
    total_time_saved_seconds: Decimal = ZERO
    total_cost_saved_usd: Decimal = ZERO
    total_investment_usd: Decimal = ZERO
    total_failed_cost_usd: Decimal = ZERO
    """What failed runs actually cost: spent money the source's ROI leaves out."""
    total_failed_time_seconds: Decimal = ZERO
    """How long failed runs took: time lost where the pattern's approval says so."""


def savings(e: PatternExecutionRecorded) -> tuple[Decimal, Decimal, Decimal] | None:
    """What one recorded execution saved and invested (the rule is `saved`)."""
    return saved(
        e.success,
        e.execution_time_seconds,
        e.estimated_time_seconds,
        e.actual_cost,
        e.estimated_cost,
    )


def saved(
    success: bool,
    execution_time_seconds: Decimal,
    estimated_time_seconds: Decimal,
    actual_cost: Decimal,
    estimated_cost: Decimal,
) -> tuple[Decimal, Decimal, Decimal] | None:
    """README "Automation ROI": the one rule for a run: (time saved, cost saved, investment), or
    None if it failed.

    Saved = estimate − actual, counted only for a successful run; its actual cost is what was
    invested. A failed run adds to the execution count and to nothing else.
    """
    if not success:
        return None
    return (
        estimated_time_seconds - execution_time_seconds,
        estimated_cost - actual_cost,
        actual_cost,
    )


def execution_delta(
    *,
    success: bool,
    execution_time_seconds: Decimal,
    estimated_time_seconds: Decimal,
    actual_cost: Decimal,
    estimated_cost: Decimal,
    sign: int = 1,
) -> RoiTotals:
    """What one execution adds to the totals (sign −1: what its retraction takes away)."""
    figures = saved(
        success, execution_time_seconds, estimated_time_seconds, actual_cost, estimated_cost
    )
    return signed(figures, sign, actual_cost, execution_time_seconds)


def signed(
    figures: tuple[Decimal, Decimal, Decimal] | None,
    sign: int = 1,
    actual_cost: Decimal = ZERO,
    execution_time_seconds: Decimal = ZERO,
) -> RoiTotals:
    """The totals one execution with these `saved` figures adds (sign −1: takes away); a
    failed run (no figures) adds its `actual_cost` to the failed runs' cost and its
    `execution_time_seconds` to their time."""
    if figures is None:
        return RoiTotals(
            total_executions=sign,
            total_failed_cost_usd=actual_cost * sign,
            total_failed_time_seconds=execution_time_seconds * sign,
        )
    time, cost, investment = figures
    return RoiTotals(sign, sign, time * sign, cost * sign, investment * sign)


def combine(a: RoiTotals, b: RoiTotals) -> RoiTotals:
    """Sum two sets of totals."""
    return RoiTotals(
        total_executions=a.total_executions + b.total_executions,
        successful_executions=a.successful_executions + b.successful_executions,
        total_time_saved_seconds=a.total_time_saved_seconds + b.total_time_saved_seconds,
        total_cost_saved_usd=a.total_cost_saved_usd + b.total_cost_saved_usd,
        total_investment_usd=a.total_investment_usd + b.total_investment_usd,
        total_failed_cost_usd=a.total_failed_cost_usd + b.total_failed_cost_usd,
        total_failed_time_seconds=a.total_failed_time_seconds + b.total_failed_time_seconds,
    )


def success_rate(successful: int, total: int) -> Decimal:
    """successful / total, 0 when there were none."""
    return CTX.divide(Decimal(successful), Decimal(total)) if total else ZERO


def roi_percentage(cost_saved: Decimal, investment: Decimal) -> Decimal | None:
    """cost saved / actual investment × 100; None when nothing was spent."""
    if investment == 0:
        return None
    return CTX.multiply(CTX.divide(cost_saved, investment), HUNDRED)


def average(total: Decimal, count: int) -> Decimal:
    """total / count (over all executions, as the source's worked example), 0 for none."""
    return CTX.divide(total, Decimal(count)) if count else ZERO


def figures(t: RoiTotals) -> dict[str, Any]:
    """Every derived key of the per-pattern summary, from the totals."""
    return {
        "total_executions": t.total_executions,
        "successful_executions": t.successful_executions,
        "success_rate": success_rate(t.successful_executions, t.total_executions),
        "total_time_saved_seconds": t.total_time_saved_seconds,
        "total_cost_saved_usd": t.total_cost_saved_usd,
        "average_time_saved_seconds": average(t.total_time_saved_seconds, t.total_executions),
        "average_cost_saved_usd": average(t.total_cost_saved_usd, t.total_executions),
        "roi_percentage": roi_percentage(t.total_cost_saved_usd, t.total_investment_usd),
        "total_investment_usd": t.total_investment_usd,
        "total_failed_cost_usd": t.total_failed_cost_usd,
        "total_failed_time_seconds": t.total_failed_time_seconds,
    }


def net(
    cost_saved: Decimal,
    investment: Decimal,
    failed_cost: Decimal,
    time_saved: Decimal = ZERO,
    failed_time: Decimal = ZERO,
    failed_runs_lose_time: bool = False,
) -> dict[str, Any]:
    """The net figures, which count a failed run's actual cost as money spent: net savings
    = cost saved − failed runs' cost; net ROI = net savings / (investment + failed runs'
    cost) × 100 (None when nothing was spent); net time saved = time saved − failed runs'
    time where the pattern's approval says failed runs lose time, else the time saved."""
    return {
        "net_cost_saved_usd": cost_saved - failed_cost,
        "net_roi_percentage": roi_percentage(cost_saved - failed_cost, investment + failed_cost),
        "net_time_saved_seconds": time_saved - failed_time if failed_runs_lose_time else time_saved,
    }
