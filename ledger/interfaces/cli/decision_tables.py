"""How the `decisions …` answers read for people: each table's columns (as data), and the
reads printed as more than one table or as sentences (ROI by type, insights, a prediction,
calibration). `--json` and `--format csv` print the values themselves instead."""

from typing import Any

from ledger.interfaces.cli.output import (
    FORMAT,
    Column,
    change,
    column,
    cut,
    echo,
    fmt,
    fraction,
    money,
    number,
    p_value,
    percent,
    percent_range,
    tenths,
)
from ledger.interfaces.cli.tables import print_fields, print_table
from projections.insights import describe_evidence
from projections.rules import MIN_DECISIONS

CONVERSION_COLUMNS: list[Column] = [
    column("source", "source_type", fmt),
    column("type", "opportunity_type", fmt),
    column("decisions", "total_decisions", str),
    column("responses", "response_rate", percent),
    column("conversion", "conversion_rate", percent),
    (
        "95% interval",
        lambda r: percent_range(*(r["conversion_rate_interval"] or (None, None))),
    ),
    column("deals", "total_deals_closed", str),
    column("revenue", "total_revenue", money),
    column("per decision", "avg_revenue_per_decision", money),
    column("hours to convert", "avg_time_to_conversion_hours", tenths),
]
"""A group of decisions (source × type) in a row: `decisions conversions`, the demo."""

COMPARE_EXTRA: list[Column] = [
    ("Δ decisions", lambda r: change(r["change"]["total_decisions"]["absolute"])),
    ("Δ conversion", lambda r: change(r["change"]["conversion_rate"]["absolute"], "pt%")),
    ("Δ revenue", lambda r: change(r["change"]["total_revenue"]["absolute"], "$")),
    ("p (conversion)", lambda r: p_value(r["conversion_rate_test"]["p_value"])),
]  # fmt: skip
"""Beside each group under --compare: the change of its decisions, conversion rate (in
points) and revenue, and the two-proportion test's p-value of the conversion rates."""


def _conversion_bar(row: dict[str, Any]) -> str:
    from ledger.present.charts import bar_text

    return bar_text(row["conversion_rate"], 100, 12)


CONVERSION_BAR: Column = ("0–100%", _conversion_bar)


def rolled_up(columns: list[Column], by: str) -> list[Column]:
    """The columns of a table by `by`: a roll-up by source leaves out the type it summed
    over, and one by type the source."""
    hidden = {"source": "type", "type": "source"}.get(by)
    return [c for c in columns if c[0] != hidden]


def conversion_columns(by: str) -> list[Column]:
    """The conversion table's columns; a roll-up leaves out the key it summed over."""
    return rolled_up(CONVERSION_COLUMNS, by)


def print_conversions_compared(by: str, both: dict[str, Any]) -> None:
    """`decisions conversions --compare`: each group's figures with their changes."""
    title = (
        f"Conversion metrics by {by}, {both['window']['period']} against "
        f"{both['compared_with']['period']} (decided_at)"
    )
    rows = [{**r, **c} for r, c in zip(both["current"], both["change"], strict=True)]
    print_table(title, [*conversion_columns(by)[:5], *COMPARE_EXTRA], rows)


SEARCH_COLUMNS: list[Column] = [
    column("decision", "decision_id"),
    ("decided", lambda r: r["decided_at"][:10]),
    column("type", "opportunity_type"),
    column("source", "opportunity_source"),
    ("content", lambda r: cut(r.get("opportunity_content"), 48)),
    ("action", lambda r: cut(r["action_taken"], 40)),
    ("converted", lambda r: "yes" if r["converted"] else "no"),
    column("revenue", "revenue", money),
]


def _within(row: dict[str, Any], days: int) -> str:
    shown = next(w for w in row["converted_within"] if w["days"] == days)
    if shown["percent"] is None:
        return "– (none followed so long)"
    low, high = shown["interval"]
    return f"{percent(shown['percent'])} ({percent_range(low, high)})"


def _median(row: dict[str, Any]) -> str:
    m = row["median_days"]
    if m["days"] is None:
        return "not reached (fewer than half converted)"
    top = "…" if m["upper"] is None else str(m["upper"])
    return f"{m['days']} days ({m['lower']}–{top})"


TIME_TO_CONVERT_COLUMNS: list[Column] = [
    column("source", "source_type", fmt),
    column("type", "opportunity_type", fmt),
    column("decisions", "decisions", str),
    column("still open", "still_open", str),
    ("median", _median),
    ("within 7 days", lambda r: _within(r, 7)),
    ("within 14 days", lambda r: _within(r, 14)),
    ("within 30 days", lambda r: _within(r, 30)),
]

TYPE_COLUMNS: list[Column] = [
    column("type", "opportunity_type"),
    column("decisions", "total_decisions", str),
    column("deals", "deals_closed", str),
    column("revenue", "total_revenue", money),
    column("per decision", "avg_revenue_per_decision", money),
]
"""Revenue per opportunity type; with `source` after the type, per source within it."""


def print_roi_by_type(title: str, rows: list[dict[str, Any]]) -> None:
    """`decisions roi`: revenue per type, then per source within each type."""
    print_table(title, TYPE_COLUMNS, rows)
    flat = [{**s, "opportunity_type": r["opportunity_type"]} for r in rows for s in r["by_source"]]
    by_source = [TYPE_COLUMNS[0], column("source", "source_type"), *TYPE_COLUMNS[1:]]
    print_table("… by source", by_source, flat)


INSIGHT_COLUMNS: list[Column] = [
    column("type", "insight_type"),
    column("title", "title"),
    column("description", "description"),
    column("evidence", "evidence", describe_evidence),
    ("sample sufficiency", lambda i: f"{i['confidence_score']:.2f}"),
    column("data points", "data_points", str),
]


def print_insights(rows: list[dict[str, Any]]) -> None:
    """`decisions insights`: a table under --format markdown, else a few lines each."""
    if FORMAT.get() in ("csv", "markdown"):
        print_table("Insights", INSIGHT_COLUMNS, rows)
        return
    if not rows:
        echo(f"No insights yet: they need groups with at least {MIN_DECISIONS} decisions.")
    for insight in rows:
        echo(f"💡 [{insight['insight_type']}] {insight['title']}")
        echo(f"   {insight['description']}")
        echo(
            f"   {describe_evidence(insight['evidence'])}; {insight['data_points']} data points "
            f"(sample sufficiency {insight['confidence_score']:.2f})"
        )


def print_prediction(title: str, result: dict[str, Any]) -> None:
    """`decisions predict`: the prediction's figures, then its reasoning."""
    interval = result["historical_conversion_rate_interval"]
    historical = result["historical_conversion_rate"]
    print_fields(
        title,
        [
            ("predicted outcome", result["predicted_outcome"]),
            (
                "conversion probability",
                percent(result["conversion_probability"])
                + (
                    " (no similar decisions: the hierarchy's prior)"
                    if result["basis"] == "none"
                    else f" (rate of similar decisions; {result['basis']})"
                ),
            ),
            (
                "historical rate",
                "– (no similar decisions)"
                if historical is None
                else f"{percent(historical)} of {result['similar_count']} "
                f"(95% {percent_range(interval[0], interval[1], 1)})",
            ),
            (
                "shrunk estimate",
                f"{percent(result['shrunk_conversion_probability'])} (toward "
                f"{percent(result['parent_conversion_rate'])} from its type, source and the "
                f"ledger; prior strength {result['prior_strength']})",
            ),
            ("predicted revenue", money(result["predicted_revenue"])),
            ("days to close", tenths(result["avg_time_to_close_days"])),
            ("sample sufficiency", fmt(result["confidence"])),
            ("based on", f"{result['similar_count']} decisions ({result['basis']})"),
        ],
    )
    echo(result["reasoning"])


RELIABILITY_COLUMNS: list[Column] = [
    column("predicted", "range"),
    column("decisions", "count", str),
    column("mean predicted", "mean_predicted", fraction),
    column("observed", "observed_rate", fraction),
]


def print_calibration(result: dict[str, Any]) -> None:
    """`decisions calibration`: the Brier score and its parts, the reliability table."""
    if not result["count"]:
        echo(
            "Nothing to calibrate yet: score opportunities (`roi-ledger score`), log decisions "
            "with --opportunity-id, and record their outcomes."
        )
        return
    echo(
        f"Brier score {result['brier_score']:.4f} over {result['count']} decisions "
        "(0 is perfect; always guessing 50% scores 0.25)"
    )
    echo(
        f"  = reliability {result['reliability']:.4f} (lower is better) − resolution "
        f"{result['resolution']:.4f} (higher is better) + uncertainty "
        f"{result['uncertainty']:.4f} (the outcomes' own) + within buckets "
        f"{result['within_bucket_spread']:.4f}"
    )
    echo(
        f"Expected calibration error {number(result['expected_calibration_error'] * 100)} points "
        "(the average gap between predicted and observed, weighted by decisions)"
    )
    print_table("Reliability", RELIABILITY_COLUMNS, result["buckets"])
