"""How the `roi …` answers read for people: each table's columns (as data), a pattern's
fields, and the reads printed as more than one table (report, restatement, dashboard,
trend). `--json` and `--format csv` print the values themselves instead."""

from collections.abc import Callable
from typing import Any

from ledger.interfaces.cli.output import (
    FORMAT,
    Column,
    change,
    column,
    echo,
    fmt,
    fraction,
    money,
    p_value,
    percent,
    percent_range,
    tenths,
)
from ledger.interfaces.cli.tables import print_fields, print_list, print_table
from projections.formats import to_the_second

SUMMARY_COLUMNS: list[Column] = [
    column("pattern", "pattern_id"),
    column("runs", "total_executions", str),
    column("success", "success_rate", fraction),
    column("time saved (s)", "total_time_saved_seconds", tenths),
    column("cost saved", "total_cost_saved_usd", money),
    column("ROI", "roi_percentage", percent),
    column("rating", "effectiveness_rating"),
    column("status", "status"),
]
"""A pattern's ROI in a row: `roi summary`, the rankings, the dashboard's top 5, the demo."""

COMPARE_COLUMNS: list[Column] = [
    column("pattern", "pattern_id"),
    ("runs", lambda r: f"{r['runs']} ({change(r['runs_change'])})"),
    ("cost saved", lambda r: f"{money(r['saved'])} ({change(r['saved_change'], '$')})"),
    ("ROI", lambda r: f"{percent(r['roi'])} ({change(r['roi_change'], 'pt%')})"),
    ("success", lambda r: f"{fraction(r['rate'])} ({change(r['rate_change'], 'pt')})"),
    ("p (success)", lambda r: p_value(r["p"])),
]
"""A comparison's table: each figure with its change against the other window in brackets
(ROI and success rate in points), and the two-proportion test's p-value of the rates."""


def compared_rows(both: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of COMPARE_COLUMNS from `roi_summary_compared`."""
    out = []
    for row, delta in zip(both["current"], both["change"], strict=True):
        change = delta["change"]
        out.append(
            {
                "pattern_id": row["pattern_id"],
                "runs": row["total_executions"],
                "runs_change": change["total_executions"]["absolute"],
                "saved": row["total_cost_saved_usd"],
                "saved_change": change["total_cost_saved_usd"]["absolute"],
                "roi": row["roi_percentage"],
                "roi_change": change["roi_percentage"]["absolute"],
                "rate": row["success_rate"],
                "rate_change": change["success_rate"]["absolute"],
                "p": delta["success_rate_test"]["p_value"],
            }
        )
    return out


def print_compared(both: dict[str, Any]) -> None:
    """`roi summary --compare`: the two windows side by side."""
    title = (
        f"Pattern ROI, {both['window']['period']} against "
        f"{both['compared_with']['period']} (executed_at)"
    )
    print_table(title, COMPARE_COLUMNS, compared_rows(both))


def pattern_fields(row: dict[str, Any]) -> list[tuple[str, str]]:
    """A pattern's summary as label/value pairs for the terminal."""
    interval = row["success_rate_interval"]
    return [
        ("status", row["status"]),
        ("executions", f"{row['total_executions']} ({row['successful_executions']} successful)"),
        ("success rate", fraction(row["success_rate"])),
        (
            "95% interval",
            "–" if interval is None else percent_range(interval[0], interval[1], 1, scale=100),
        ),
        ("time saved", f"{tenths(row['total_time_saved_seconds'])} s"),
        ("cost saved", money(row["total_cost_saved_usd"])),
        ("avg time saved", f"{fmt(row['average_time_saved_seconds'], 2)} s per execution"),
        ("avg cost saved", f"{money(row['average_cost_saved_usd'])} per execution"),
        ("ROI", percent(row["roi_percentage"])),
        ("failed runs cost", money(row.get("total_failed_cost_usd"))),
        ("net saved", f"{money(row.get('net_cost_saved_usd'))} (failed runs' cost counted)"),
        ("net ROI", percent(row.get("net_roi_percentage"))),
        *_lost_time_fields(row),
        ("rating", f"{row['effectiveness_rating']} (on ROI, the source's figure)"),
        ("confidence", fmt(row["confidence"])),
        ("last updated", row["last_updated"]),
        *_ownership_fields(row.get("ownership")),
    ]


def _lost_time_fields(row: dict[str, Any]) -> list[tuple[str, str]]:
    """Net time saved, for a pattern whose approval says failed runs lose time."""
    if not row.get("failed_runs_lose_time"):
        return []
    return [
        (
            "net time saved",
            f"{tenths(row['net_time_saved_seconds'])} s (failed runs' "
            f"{tenths(row['total_failed_time_seconds'])} s lost)",
        )
    ]


def _ownership_fields(owned: dict[str, Any] | None) -> list[tuple[str, str]]:
    """The costs of having the pattern, when any are recorded (`pattern cost`)."""
    if not owned or not owned["costs_recorded"]:
        return []
    return [
        ("costs to have it", f"{money(owned['costs_usd'])} (charged in the window shown)"),
        ("saved after costs", money(owned["net_savings_after_costs_usd"])),
        ("ROI with costs", percent(owned["roi_with_costs_percentage"])),
        ("paid back", owned["payback_date"] or "not yet (savings do not cover the costs)"),
    ]


RESTATED_COLUMNS: list[Column] = [
    column("pattern", "pattern_id"),
    column("runs then → now", "runs"),
    column("cost saved then → now", "saved"),
    column("ROI then → now", "roi"),
]
CHANGED_BY_COLUMNS: list[Column] = [
    column("seq", "seq", str),
    column("recorded", "recorded_at"),
    column("pattern", "pattern_id"),
    column("happened", "happened_at"),
    column("what", "what"),
]


def print_restatement(told: dict[str, Any]) -> None:
    """`roi restatement`: each pattern's figures then → now, and the events that changed
    them."""
    then = {r["pattern_id"]: r for r in told["then"]}

    def both(r: dict[str, Any], key: str, show: Callable[[Any], str]) -> str:
        old = then.get(r["pattern_id"])
        return f"{'–' if old is None else show(old[key])} → {show(r[key])}"

    rows = [
        {
            "pattern_id": r["pattern_id"],
            "runs": both(r, "total_executions", str),
            "saved": both(r, "total_cost_saved_usd", money),
            "roi": both(r, "roi_percentage", percent),
        }
        for r in told["now"]
    ]
    print_table(
        f"ROI of {told['window']['period']}: as known at seq {told['as_of_seq']} "
        f"({told['as_of_recorded_at'] or 'empty'}) → now (seq {told['now_seq']})",
        RESTATED_COLUMNS,
        rows,
    )
    title = f"Recorded since, changing it ({told['changed_by_total']} in all)"
    print_table(title, CHANGED_BY_COLUMNS, told["changed_by"])


EXECUTION_COLUMNS: list[Column] = [
    column("id", "execution_id", str),
    column("executed (UTC)", "executed_at", to_the_second),
    ("ok", lambda e: "yes" if e["success"] else "no"),
    ("seconds", lambda e: f"{e['execution_time_seconds']} / {e['estimated_time_seconds']}"),
    ("cost", lambda e: f"{money(e['actual_cost'])} / {money(e['estimated_cost'])}"),
    column("workflow", "workflow_id", fmt),
    column("error", "error_message", fmt),
]


def print_report(pattern_id: str, data: dict[str, Any]) -> None:
    """`roi report`: the summary, the recommendations, the latest executions."""
    print_fields(f"ROI report: {pattern_id}", pattern_fields(data["summary"]))
    print_list("Recommendations", data["recommendations"])
    print_table(
        f"\nLatest {len(data['executions'])} executions", EXECUTION_COLUMNS, data["executions"]
    )
    if FORMAT.get() == "markdown":
        echo(f"As of seq {data['as_of_seq']} (`{data['as_of_hash']}`).")
    else:
        echo(f"\nAs of seq {data['as_of_seq']} ({data['as_of_hash'][:16]}…)")


NEEDS_ATTENTION_COLUMNS: list[Column] = [
    column("pattern", "pattern_id"),
    column("rating", "effectiveness_rating"),
    column("recommendation", "recommendation"),
]


def print_dashboard(data: dict[str, Any]) -> None:
    """`roi dashboard`: this month, the window beside the one before, the top 5 and the
    patterns that need attention."""
    shown = data["window"]
    span, before = shown["window"], shown["compared_with"]
    current, changes = shown["current"], shown["change"] or {}
    name = span["period"]
    against = "" if before is None else f" on {before['period'].removesuffix(' ' + name)}"

    def signed(key: str, unit: str = "") -> str:
        value = changes.get(key)
        return "" if value is None else f" ({change(value, unit)}{against})"

    print_fields(
        f"Dashboard — {data['month']}",
        [
            ("patterns tracked", str(data["total_patterns"])),
            ("executions this month", str(data["executions_this_month"])),
            ("cost saved this month", money(data["cost_saved_this_month_usd"])),
            ("average success rate", fraction(data["average_success_rate"])),
            (
                f"executions, {name}",
                f"{current['total_executions']}{signed('total_executions')}",
            ),
            (
                f"cost saved, {name}",
                f"{money(current['cost_saved_usd'])}{signed('cost_saved_usd', '$')}",
            ),
            (
                f"success rate, {name}",
                f"{fraction(current['success_rate'])}{signed('success_rate', 'pt')}",
            ),
            (
                f"ROI, {name}",
                f"{percent(current['roi_percentage'])}{signed('roi_percentage', 'pt%')}",
            ),
        ],
    )
    print_table("Top 5 by ROI", SUMMARY_COLUMNS, data["top_performers"])
    print_table("Needs attention", NEEDS_ATTENTION_COLUMNS, data["needs_attention"])


ALERT_COLUMNS: list[Column] = [
    column("severity", "severity"),
    column("pattern", "pattern_id"),
    column("alert", "alert_type"),
    column("message", "message"),
]
CONFIDENCE_COLUMNS: list[Column] = [
    column("pattern", "pattern_id"),
    column("rating", "effectiveness_rating", fmt),
    column("runs", "total_executions", str),
    ("confidence", lambda r: f"{fmt(r['old_confidence'])} → {fmt(r['new_confidence'])}"),
    ("recorded", lambda r: f"seq {r['seq']}" if r["changed"] else "unchanged"),
]


def _success_bar(row: dict[str, Any]) -> str:
    from ledger.present.charts import bar_text

    return bar_text(row["success_rate"], 1, 10)


TREND_COLUMNS: list[Column] = [
    column("period", "period"),
    column("runs", "total_executions", str),
    column("success", "success_rate", fraction),
    ("", _success_bar),
    column("time saved (s)", "time_saved_seconds", tenths),
    column("cost saved", "cost_saved_usd", money),
    column("ROI", "roi_percentage", percent),
]


def print_trend(title: str, rows: list[dict[str, Any]]) -> None:
    """`roi trend`: a row a period, the success rate as a sparkline in the title."""
    from ledger.present.charts import sparkline

    spark = sparkline([t["success_rate"] for t in rows])
    print_table(title + (f" — success rate {spark}" if spark else ""), TREND_COLUMNS, rows)
