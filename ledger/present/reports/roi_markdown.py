"""The ROI portfolio report in Markdown: a pure function of the figures it is given."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledger.present.reports.markdown import inline, table
from projections.formats import money, number, percent
from projections.rules import MIN_RATED, MIN_TOP

STARS = {
    "excellent": "⭐⭐⭐",
    "good": "⭐⭐",
    "acceptable": "⭐",
    "poor": "⚠️",
    "failed": "❌",
    "insufficient_data": "…",
}


def rate(value: Decimal | None) -> str:
    """A rate between 0 and 1 as a percentage (projections/formats.py: percent)."""
    return percent(value, scale=100)


def roi(value: Decimal | None) -> str:
    """An ROI in percent; without spend it is undefined, and says so."""
    return "n/a (no spend)" if value is None else percent(value)


def render(data: dict[str, Any]) -> str:
    """The whole report."""
    dash = data["dashboard"]
    lines = [
        "# Pattern ROI report",
        "",
        f"Generated {data['generated_at']} from the ledger as of seq {data['as_of_seq']} "
        f"(hash `{data['as_of_hash']}`). Reproduce it with "
        f"`roi-ledger roi markdown --as-of {data['as_of_seq']} --now {data['generated_at']}`.",
        "",
        "ROI is cost saved ÷ actual spend on successful runs × 100.",
        "",
        "## At a glance",
        "",
        f"- Patterns tracked: {dash['total_patterns']}",
        f"- Executions in {dash['month']}: {dash['executions_this_month']}",
        f"- Cost saved in {dash['month']}: {money(dash['cost_saved_this_month_usd'])}",
        f"- Average success rate: {rate(dash['average_success_rate'])}",
        "",
        "## Summary (by cost saved)",
        "",
    ]
    lines += table(
        ["Pattern", "Runs", "Success", "Time saved", "Cost saved", "ROI", "Rating"],
        [
            [
                r["pattern_id"],
                f"{r['total_executions']} ({r['successful_executions']} ok)",
                rate(r["success_rate"]),
                f"{number(r['total_time_saved_seconds'], 0)} s",
                money(r["total_cost_saved_usd"]),
                roi(r["roi_percentage"]),
                f"{r['effectiveness_rating'].upper()} {STARS[r['effectiveness_rating']]}",
            ]
            for r in data["summary"]
        ],
    )
    lines += ["## Ratings and recommendations", ""]
    lines += [
        f"- **{inline(e['pattern_id'])}** — {e['effectiveness_rating']}: "
        f"{inline(e['recommendation'])}"
        for e in data["effectiveness"]
    ] or ["_No patterns yet._"]
    lines += ["", f"## Top performers (≥ {MIN_TOP} executions, by ROI)", ""]
    lines += table(
        ["#", "Pattern", "ROI", "Success", "Cost saved"],
        [
            [
                str(i),
                r["pattern_id"],
                roi(r["roi_percentage"]),
                rate(r["success_rate"]),
                money(r["total_cost_saved_usd"]),
            ]
            for i, r in enumerate(data["top_performers"], 1)
        ],
    )
    lines += [f"## Underperformers (≥ {MIN_RATED} executions, poor or failed)", ""]
    lines += table(
        ["Pattern", "Success", "ROI", "Rating"],
        [
            [
                r["pattern_id"],
                rate(r["success_rate"]),
                roi(r["roi_percentage"]),
                r["effectiveness_rating"],
            ]
            for r in data["underperformers"]
        ],
    )
    lines += ["## Alerts", ""]
    lines += table(
        ["Severity", "Pattern", "Alert", "Message"],
        [[a["severity"], a["pattern_id"], a["alert_type"], a["message"]] for a in data["alerts"]],
    )
    lines += ["## Monthly trend (all patterns)", ""]
    lines += table(
        ["Month", "Runs", "Success", "Cost saved", "ROI"],
        [
            [
                t["period"],
                str(t["total_executions"]),
                rate(t["success_rate"]),
                money(t["cost_saved_usd"]),
                roi(t["roi_percentage"]),
            ]
            for t in data["trend"]
        ],
    )
    return "\n".join(lines).rstrip() + "\n"
