"""The reports of the source's review rhythm, over windows of business time: the monthly
portfolio review ("Monthly: full portfolio review") and the weekly list of new
underperformers ("Weekly: check for new underperformers").

Each is gathered from one snapshot of the ledger (so its stated head is exact) and rendered
as JSON and Markdown. The scheduler files one per period, idempotently
(ledger/interfaces/scheduler/producers.py: PeriodReview, through ledger/app/filing.py).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from ledger.present.reports.markdown import inline, table
from ledger.present.reports.roi_markdown import rate, roi
from projections.formats import change, money, p_value
from projections.rules import MIN_RATED

if TYPE_CHECKING:
    from ledger.app.facade import Ledger


def portfolio_review(
    ledger: Ledger, month: str, as_of: Any = None, now: Any = None
) -> dict[str, Any]:
    """A month's portfolio (`month` any period name, e.g. 2026-11) beside the period before:
    the portfolio's totals and their change, each pattern's figures with its change and the
    test of its success rates, the month's underperformers and the patterns whose success
    rate changed significantly."""
    with ledger.snapshot(as_of) as view:
        head = view.head()
        compared = view.roi_summary_compared("previous", period=month, now=now)
        totals = view.dashboard(period=month, now=now)["window"]
        under = view.underperformers(50, period=month, now=now)
    changes = {c["pattern_id"]: c for c in compared["change"]}
    significant = [
        c["pattern_id"]
        for c in compared["change"]
        if c["success_rate_test"]["differs_at_5_percent"]
    ]
    return {
        "kind": "portfolio-review",
        "period": compared["window"]["period"],
        "window": compared["window"],
        "compared_with": compared["compared_with"],
        "as_of_seq": head.seq,
        "as_of_hash": head.hash,
        "portfolio": totals,
        "patterns": [
            {
                **row,
                "change": changes[row["pattern_id"]]["change"],
                "success_rate_test": changes[row["pattern_id"]]["success_rate_test"],
            }
            for row in compared["current"]
        ],
        "underperformers": under,
        "significant_changes": significant,
    }


def week_before(day: date) -> str:
    """The latest whole ISO week that ended before `day` (on a Monday: the week just over;
    on a Sunday: the week before, as the day's own week is not over yet)."""
    year, week, _ = (day - timedelta(days=day.isoweekday())).isocalendar()
    return f"{year}-W{week:02d}"


def new_underperformers(
    ledger: Ledger, week: str, as_of: Any = None, now: Any = None
) -> dict[str, Any]:
    """A week's underperformers (at least rules.MIN_RATED runs in the week, rated poor or
    failed on them) split into the new ones (not underperforming the week before), the ones
    still underperforming, and the ones that recovered."""
    from ledger.core.periods import parse_period, previous

    span = parse_period(week, ledger.service.point_shown(now, as_of))
    before = previous(span)
    with ledger.snapshot(as_of) as view:
        head = view.head()
        now = {r["pattern_id"]: r for r in view.underperformers(50, period=span.label)}
        then = {r["pattern_id"]: r for r in view.underperformers(50, period=before.label)}
    return {
        "kind": "new-underperformers",
        "period": span.label,
        "window": span.as_json(),
        "compared_with": before.as_json(),
        "as_of_seq": head.seq,
        "as_of_hash": head.hash,
        "new": [r for p, r in now.items() if p not in then],
        "still": [r for p, r in now.items() if p in then],
        "recovered": sorted(p for p in then if p not in now),
    }


def render_review(data: dict[str, Any]) -> str:
    """The monthly portfolio review as Markdown."""
    shown, before = data["period"], data["compared_with"]["period"]
    totals = data["portfolio"]
    now, changes = totals["current"], totals["change"] or {}
    lines = [
        f"# Portfolio review {shown}",
        "",
        f"Executions that happened in {shown} (executed_at), beside {before}; from the ledger "
        f"as of seq {data['as_of_seq']} (hash `{data['as_of_hash']}`). Reproduce it with "
        f"`roi-ledger roi summary --period {shown} --compare previous --as-of "
        f"{data['as_of_seq']}`.",
        "",
        "## At a glance",
        "",
        f"- Executions: {now['total_executions']} ({change(changes.get('total_executions'))})",
        f"- Cost saved: {money(now['cost_saved_usd'])} "
        f"({change(changes.get('cost_saved_usd'), '$')})",
        f"- Success rate: {rate(now['success_rate'])} "
        f"({change(changes.get('success_rate'), 'pt')})",
        f"- ROI: {roi(now['roi_percentage'])}",
        "",
        "## Patterns (by cost saved)",
        "",
    ]
    lines += table(
        ["Pattern", "Runs", "Success", "Cost saved", "ROI", "Rating", "Δ cost saved", "p"],
        [
            [
                r["pattern_id"],
                f"{r['total_executions']} ({change(r['change']['total_executions']['absolute'])})",
                rate(r["success_rate"]),
                money(r["total_cost_saved_usd"]),
                roi(r["roi_percentage"]),
                r["effectiveness_rating"],
                change(r["change"]["total_cost_saved_usd"]["absolute"], "$"),
                p_value(r["success_rate_test"]["p_value"]),
            ]
            for r in data["patterns"]
        ],
    )
    lines += [
        "p: two-proportion z-test of the pattern's success rates in the two periods (a "
        "p-value, not a verdict).",
        "",
        f"## Underperformers in {shown} (≥ {MIN_RATED} runs in it, poor or failed)",
        "",
    ]
    lines += table(
        ["Pattern", "Runs", "Success", "ROI", "Rating"],
        [
            [r["pattern_id"], str(r["total_executions"]), rate(r["success_rate"]),
             roi(r["roi_percentage"]), r["effectiveness_rating"]]
            for r in data["underperformers"]
        ],
    )  # fmt: skip
    lines += ["## Success rates that changed (p < 0.05)", ""]
    lines += [f"- {inline(p)}" for p in data["significant_changes"]] or ["_None._"]
    return "\n".join(lines).rstrip() + "\n"


def render_underperformers(data: dict[str, Any]) -> str:
    """The weekly new-underperformers list as Markdown."""
    shown, before = data["period"], data["compared_with"]["period"]
    lines = [
        f"# New underperformers {shown}",
        "",
        f"Patterns with ≥ {MIN_RATED} runs in {shown} (executed_at) rated poor or failed on "
        f"them, against {before}; from the ledger as of seq {data['as_of_seq']} (hash "
        f"`{data['as_of_hash']}`).",
        "",
        "## New this week",
        "",
    ]
    rows = [
        ["Pattern", "Runs", "Success", "ROI", "Rating"],
    ]
    for key, title in (("new", None), ("still", "## Still underperforming")):
        if title:
            lines += [title, ""]
        lines += table(
            rows[0],
            [
                [r["pattern_id"], str(r["total_executions"]), rate(r["success_rate"]),
                 roi(r["roi_percentage"]), r["effectiveness_rating"]]
                for r in data[key]
            ],
        )  # fmt: skip
    lines += ["## Recovered since last week", ""]
    lines += [f"- {inline(p)}" for p in data["recovered"]] or ["_None._"]
    return "\n".join(lines).rstrip() + "\n"
