"""The ROI Tracking System's analyses as pure functions of projection rows (and `now`).

Windows are whole UTC days of execution: "the last 7 days" are now's date and the six before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

from projections import effectiveness
from projections.daily_stats import totals
from projections.formats import money, number, percent
from projections.roi_math import CTX, roi_percentage, success_rate
from projections.roi_queries import roi_sort_key
from projections.rules import (
    DEGRADATION_HIGH,
    DEGRADATION_POINTS,
    DEGRADATION_RUNS,
    ESTIMATE_RUNS,
    IDLE_AFTER_DAYS,
    IDLE_RUNS,
    MIN_RATED,
    MIN_TOP,
    SPIKE_HIGH,
    SPIKE_RATE,
    SPIKE_RUNS,
)

Row = dict[str, Any]
Period = Literal["day", "week", "month"]
PERIODS: tuple[Period, ...] = ("day", "week", "month")
ATTENTION = ("poor", "failed")
SEVERITY_ORDER = {"high": 0, "medium": 1, "low": 2}


def effectiveness_of(row: Row) -> Row:
    """The `roi effectiveness` answer for one enriched summary row."""
    rating = row["effectiveness_rating"]
    return {
        "pattern_id": row["pattern_id"],
        "effectiveness_rating": rating,
        "success_rate": row["success_rate"],
        "roi_percentage": row["roi_percentage"],
        "total_executions": row["total_executions"],
        "recommendation": effectiveness.recommendation(
            rating, row["total_executions"], row["success_rate"], row["roi_percentage"]
        ),
    }


def top_performers(rows: Iterable[Row], limit: int) -> list[Row]:
    """Patterns with at least rules.MIN_TOP executions, highest ROI first (no spend with
    savings ranks first)."""
    eligible = [r for r in rows if r["total_executions"] >= MIN_TOP]
    eligible.sort(key=lambda r: r["pattern_id"])
    eligible.sort(key=roi_sort_key, reverse=True)
    return eligible[:limit]


def underperformers(rows: Iterable[Row], limit: int) -> list[Row]:
    """Patterns with at least rules.MIN_RATED executions rated poor or failed: lowest
    success rate, then ROI."""
    eligible = [
        r
        for r in rows
        if r["total_executions"] >= MIN_RATED and r["effectiveness_rating"] in ATTENTION
    ]
    eligible.sort(key=lambda r: (r["success_rate"], roi_sort_key(r), r["pattern_id"]))
    return eligible[:limit]


def window(days: Iterable[Row], first: date, last: date) -> Row:
    """Totals of the daily rows with first ≤ day ≤ last."""
    lo, hi = first.isoformat(), last.isoformat()
    t = totals(d for d in days if lo <= d["day"] <= hi)
    return {
        "total_executions": t.total_executions,
        "successful_executions": t.successful_executions,
        "success_rate": success_rate(t.successful_executions, t.total_executions),
        "time_saved_seconds": t.total_time_saved_seconds,
        "cost_saved_usd": t.total_cost_saved_usd,
        "roi_percentage": roi_percentage(t.total_cost_saved_usd, t.total_investment_usd),
    }


COMPARED_DAYS = 30
"""The dashboard sets the last 30 days (to now's date) beside the 30 before them."""


def dashboard_days(now: datetime) -> tuple[date, date]:
    """The first and last day whose figures the dashboard reads."""
    today = now.date()
    return min(today.replace(day=1), today - timedelta(days=2 * COMPARED_DAYS - 1)), today


def change(current: Row, previous: Row) -> Row:
    """Each figure's difference from the previous period (None where either is unknown; a
    success rate is unknown in a period with no runs, not 0 %)."""
    out = {
        k: None if current[k] is None or previous[k] is None else current[k] - previous[k]
        for k in current
    }
    if "success_rate" in out and 0 in (
        current.get("total_executions"),
        previous.get("total_executions"),
    ):
        out["success_rate"] = None
    return out


def dashboard(rows: Sequence[Row], month_days: Sequence[Row], now: datetime) -> Row:
    """The portfolio at a glance, for the UTC month of `now` (its days up to now's date),
    and the last 30 days beside the 30 before them, with the change."""
    today = now.date()
    month = window(month_days, today.replace(day=1), today)
    last = window(month_days, today - timedelta(days=COMPARED_DAYS - 1), today)
    before = window(
        month_days,
        today - timedelta(days=2 * COMPARED_DAYS - 1),
        today - timedelta(days=COMPARED_DAYS),
    )
    rated = [r["success_rate"] for r in rows if r["total_executions"] > 0]
    average = CTX.divide(sum(rated, Decimal(0)), Decimal(len(rated))) if rated else None
    return {
        "month": today.strftime("%Y-%m"),
        "total_patterns": len(rows),
        "executions_this_month": month["total_executions"],
        "cost_saved_this_month_usd": month["cost_saved_usd"],
        "average_success_rate": average,
        "top_performers": top_performers(rows, 5),
        "needs_attention": [
            effectiveness_of(r) for r in rows if r["effectiveness_rating"] in ATTENTION
        ],
        "last_30_days": last,
        "previous_30_days": before,
        "change": change(last, before),
    }


def alerts(
    rows: Sequence[Row], registry: dict[str, Row], days: Sequence[Row], now: datetime
) -> list[Row]:
    """The four alert kinds of README "Automation ROI" for every approved (not revoked)
    pattern, at the thresholds in projections/rules.py."""
    today = now.date()
    out: list[Row] = []
    by_pattern: dict[str, list[Row]] = {}
    for d in days:
        by_pattern.setdefault(d["pattern_id"], []).append(d)
    for row in rows:
        pid = row["pattern_id"]
        pattern = registry.get(pid)
        if pattern is None or pattern["status"] != "approved":
            continue
        mine = by_pattern.get(pid, [])
        recent = window(mine, today - timedelta(days=6), today)
        before = window(mine, today - timedelta(days=36), today - timedelta(days=7))
        month = window(mine, today - timedelta(days=29), today)
        rate = recent["success_rate"]
        if recent["total_executions"] >= SPIKE_RUNS and rate < SPIKE_RATE:
            out.append(
                _alert(
                    pid,
                    "failure_spike",
                    "high" if rate < SPIKE_HIGH else "medium",
                    f"Success rate {percent(rate, scale=100)} over the last 7 days "
                    f"({recent['successful_executions']} of {recent['total_executions']} runs), "
                    f"below {percent(SPIKE_RATE, 0, scale=100)}",
                )
            )
        if row["total_cost_saved_usd"] < 0:
            out.append(
                _alert(
                    pid,
                    "negative_roi",
                    "high",
                    f"Total cost saved is {money(row['total_cost_saved_usd'])}: the automation "
                    "costs more than it saves",
                )
            )
        approved = datetime.fromisoformat(pattern["approved_at"].replace("Z", "+00:00"))
        if (
            approved <= now - timedelta(days=IDLE_AFTER_DAYS)
            and month["total_executions"] < IDLE_RUNS
        ):
            age = (now - approved).days
            out.append(
                _alert(
                    pid,
                    "underutilization",
                    "low",
                    f"Approved {age} days ago but ran {month['total_executions']} time(s) "
                    "in the last 30 days",
                )
            )
        if min(recent["total_executions"], before["total_executions"]) >= DEGRADATION_RUNS:
            drop = (before["success_rate"] - rate) * 100
            if drop >= DEGRADATION_POINTS:
                out.append(
                    _alert(
                        pid,
                        "performance_degradation",
                        "high" if drop >= DEGRADATION_HIGH else "medium",
                        f"Success rate fell from {percent(before['success_rate'], scale=100)} "
                        f"(the 30 days before) to {percent(rate, scale=100)} (last 7 days): "
                        f"{number(drop)} points down",
                    )
                )
    out.sort(key=lambda a: (SEVERITY_ORDER[a["severity"]], a["pattern_id"], a["alert_type"]))
    return out


def _alert(pattern_id: str, kind: str, severity: str, message: str) -> Row:
    return {"pattern_id": pattern_id, "alert_type": kind, "severity": severity, "message": message}


def period_of(day: str, period: Period) -> tuple[str, str]:
    """(label, first day) of the day/ISO week/month a day belongs to."""
    d = date.fromisoformat(day)
    if period == "day":
        return day, day
    if period == "week":
        year, week, weekday = d.isocalendar()
        return f"{year}-W{week:02d}", (d - timedelta(days=weekday - 1)).isoformat()
    return d.strftime("%Y-%m"), d.replace(day=1).isoformat()


def trend(days: Sequence[Row], period: Period) -> list[Row]:
    """Success rate, savings and ROI per day, ISO week or month, oldest first."""
    buckets: dict[tuple[str, str], list[Row]] = {}
    for d in days:
        buckets.setdefault(period_of(d["day"], period), []).append(d)
    out = []
    for (label, start), members in sorted(buckets.items(), key=lambda kv: kv[0][1]):
        first = date.fromisoformat(start)
        totals = window(members, first, date.max)
        out.append({"period": label, "start": start, **totals})
    return out


def recommendations(
    row: Row, days: Sequence[Row], pattern_alerts: Sequence[Row], current_confidence: Any
) -> list[str]:
    """What to do about one pattern: its rating's advice, estimate drift, alerts, confidence."""
    rating = row["effectiveness_rating"]
    advice = [effectiveness_of(row)["recommendation"]]
    successful = sum(d["successful_executions"] for d in days)
    if successful >= ESTIMATE_RUNS:
        for key, what, flag in (
            ("slower_than_estimate", "time", "--estimated-time-seconds"),
            ("costlier_than_estimate", "cost", "--estimated-cost"),
        ):
            over = sum(d[key] for d in days)
            if over * 2 > successful:
                share = percent(Decimal(over * 100) / successful, 0)
                advice.append(
                    f"Actual {what} exceeded the estimate in {share} of successful runs: "
                    f"revise it with `roi-ledger pattern revise {row['pattern_id']} {flag} …`"
                )
    advice.extend(f"Alert ({a['severity']}): {a['message']}" for a in pattern_alerts)
    target = effectiveness.confidence_for(rating, row["total_executions"])
    if target is not None and target != current_confidence:
        advice.append(
            f"Confidence {current_confidence if current_confidence is not None else 'unset'} "
            f"is due to become {target} ({rating}, {row['total_executions']} executions): "
            "run `roi-ledger roi update-confidence`"
        )
    return advice
