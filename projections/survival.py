"""Time to conversion with open decisions counted (Kaplan–Meier), standard library only.

A decision converts on the day its first customer arrives, counted in whole days after it
was decided (a customer 36 hours later converts on day 1). A decision with no customer yet
is censored at the whole days from its decision day to the point shown (`--now`, or the
as-of recording time): it is at risk until then and never counted as a failure. At a day
with both, conversions come first (the censored decisions were still at risk that day).

The estimate `converted_by(t)` = 1 − Π over days u ≤ t of (1 − conversions(u) / at risk(u))
is the share of decisions converted within t days, had every decision been followed that
long. Its 95 % interval uses Greenwood's variance on the log(−log) scale (as R's survfit
and scipy's `ecdf(...).sf.confidence_interval(method="log-log")` do). The median time is the
first day by which half have converted ("not reached" while fewer have), with the
Brookmeyer–Crowley interval read off the same band.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from projections.stats import Z95

HORIZONS = (7, 14, 30)
"""The days a person asks about: converted within a week, two weeks, a month."""


@dataclass(frozen=True)
class Step:
    """One day of the curve: who was at risk, who converted, who left still open."""

    day: int
    at_risk: int
    converted: int
    censored: int
    surviving: float
    """The share not yet converted after this day (the Kaplan–Meier survival)."""
    variance_sum: float
    """Greenwood's Σ d / (n (n − d)) up to this day."""


def kaplan_meier(
    conversions: Iterable[tuple[int, int]], open_for: Iterable[tuple[int, int]]
) -> list[Step]:
    """The curve from (whole days a conversion took, how many) and (whole days an open
    decision has been followed, how many); one step per day with a conversion or a
    censoring. Counts, not one entry per decision: the work grows with days, not decisions."""
    converted: dict[int, int] = {}
    for day, n in conversions:
        converted[day] = converted.get(day, 0) + n
    censored: dict[int, int] = {}
    for day, n in open_for:
        censored[day] = censored.get(day, 0) + n
    at_risk = sum(converted.values()) + sum(censored.values())
    surviving, variance = 1.0, 0.0
    steps = []
    for day in sorted(set(converted) | set(censored)):
        d, c = converted.get(day, 0), censored.get(day, 0)
        if d:
            surviving *= 1 - d / at_risk
            variance += d / (at_risk * (at_risk - d)) if at_risk > d else math.inf
        steps.append(Step(day, at_risk, d, c, surviving, variance))
        at_risk -= d + c
    return steps


def surviving_at(steps: list[Step], day: int) -> Step | None:
    """The last step on or before `day` (None before the first)."""
    found = None
    for step in steps:
        if step.day > day:
            break
        found = step
    return found


def band(step: Step | None, z: float = Z95) -> tuple[float, float, float]:
    """(survival, lower, upper) after a step, the interval on the log(−log) scale."""
    if step is None:
        return 1.0, 1.0, 1.0
    s = step.surviving
    if s <= 0.0:
        return 0.0, 0.0, 0.0
    if s >= 1.0 or step.variance_sum == 0:
        return s, s, s
    if math.isinf(step.variance_sum):
        return s, 0.0, 1.0
    spread = z * math.sqrt(step.variance_sum) / abs(math.log(s))
    return s, s ** math.exp(spread), s ** math.exp(-spread)


def converted_within(steps: list[Step], days: int) -> dict[str, Any]:
    """The share converted within `days` (percent) with its 95 % interval, and how many
    decisions were followed at least that long. None while no decision has been followed
    that long (the curve says nothing past its last day). With no conversion by then, the
    interval's top is the exact binomial bound for 0 of the decisions followed that long."""
    followed = next((s.at_risk for s in steps if s.day >= days), 0)
    if not steps or steps[-1].day < days:
        return {"days": days, "percent": None, "interval": None, "followed": followed}
    s, low, high = band(surviving_at(steps, days))
    if s >= 1.0:
        top = 1 - 0.025 ** (1 / followed) if followed else 1.0
        return {"days": days, "percent": 0.0, "interval": [0.0, round(top * 100, 2)],
                "followed": followed}  # fmt: skip
    return {
        "days": days,
        "percent": round((1 - s) * 100, 2),
        "interval": [round((1 - high) * 100, 2), round((1 - low) * 100, 2)],
        "followed": followed,
    }


def median(steps: list[Step]) -> dict[str, int | None]:
    """The first day by which half have converted, and its 95 % interval (each None where
    the curve, or its band, never reaches one half)."""
    estimate = lower = upper = None
    for step in steps:
        s, low, high = band(step)
        if estimate is None and s <= 0.5:
            estimate = step.day
        if lower is None and low <= 0.5:
            lower = step.day
        if upper is None and high <= 0.5:
            upper = step.day
    return {"days": estimate, "lower": lower, "upper": upper}


def time_to_conversion(
    decided: Iterable[tuple[str, int, int]],
    durations: Iterable[tuple[str, int, int]],
    today: str,
) -> dict[str, Any]:
    """One group's figures from its days — (ISO day decided, decisions, customers) — and its
    conversions — (ISO day decided, whole days taken, customers) — at the point shown, the
    ISO day `today`: decisions made after it are left out, and a customer that came after
    it leaves its decision open, followed until then."""
    from datetime import date

    point = date.fromisoformat(today)
    made = converted = 0
    open_for: list[tuple[int, int]] = []
    for day, n, customers in decided:
        followed = (point - date.fromisoformat(day)).days
        if followed < 0:
            continue  # decided after the point shown: not yet there
        made += n
        converted += customers
        if n > customers:
            open_for.append((followed, n - customers))
    took = []
    for day, days, n in durations:
        followed = (point - date.fromisoformat(day)).days
        if followed < 0:
            continue
        if days > followed:  # its customer came after the point shown: open then
            converted -= n
            open_for.append((followed, n))
        else:
            took.append((days, n))
    steps = kaplan_meier(took, open_for)
    total_days = sum(days * n for days, n in took)
    return {
        "decisions": made,
        "converted": converted,
        "still_open": made - converted,
        "median_days": median(steps),
        "converted_within": [converted_within(steps, h) for h in HORIZONS],
        "average_days_of_converted": None if not converted else round(total_days / converted, 2),
    }
