"""`roi-ledger decisions …`: which decisions turn into customers and revenue?"""

from pathlib import Path
from typing import Annotated, Any

import typer

from ledger.interfaces.cli.common import (
    App,
    AsOfOpt,
    CompareOpt,
    DbOpt,
    FormatOpt,
    JsonOpt,
    NowOpt,
    PeriodOpt,
    SinceOpt,
    UntilOpt,
    handle_errors,
    open_ledger,
    output_file,
    parse_as_of,
    window_title,
)
from ledger.interfaces.cli.output import (
    change,
    cut,
    echo,
    fmt,
    money,
    number,
    p_value,
    percent,
    percent_range,
    print_fields,
    print_json,
    print_table,
)
from projections.insights import describe_evidence
from projections.rules import MIN_DECISIONS

app = App(
    rich_markup_mode=None,
    help="Decisions and outcomes: conversions, ROI by type, insights, predictions.",
    no_args_is_help=True,
)

CONVERSION_COLUMNS: list[tuple[str, Any]] = [
    ("source", lambda r: fmt(r["source_type"])),
    ("type", lambda r: fmt(r["opportunity_type"])),
    ("decisions", lambda r: str(r["total_decisions"])),
    ("responses", lambda r: percent(r["response_rate"])),
    ("conversion", lambda r: percent(r["conversion_rate"])),
    (
        "95% interval",
        lambda r: percent_range(*(r["conversion_rate_interval"] or (None, None))),
    ),
    ("deals", lambda r: str(r["total_deals_closed"])),
    ("revenue", lambda r: money(r["total_revenue"])),
    ("per decision", lambda r: money(r["avg_revenue_per_decision"])),
    ("hours to convert", lambda r: fmt(r["avg_time_to_conversion_hours"], 1)),
]


COMPARE_EXTRA: list[tuple[str, Any]] = [
    ("Δ decisions", lambda r: change(r["change"]["total_decisions"]["absolute"])),
    ("Δ conversion", lambda r: change(r["change"]["conversion_rate"]["absolute"], "pt%")),
    ("Δ revenue", lambda r: change(r["change"]["total_revenue"]["absolute"], "$")),
    ("p (conversion)", lambda r: p_value(r["conversion_rate_test"]["p_value"])),
]  # fmt: skip
"""Beside each group under --compare: the change of its decisions, conversion rate (in
points) and revenue, and the two-proportion test's p-value of the conversion rates."""


def conversion_columns(by: str) -> list[tuple[str, Any]]:
    """The table's columns; a roll-up leaves out the key it summed over."""
    hidden = {"source": "type", "type": "source"}.get(by)
    return [c for c in CONVERSION_COLUMNS if c[0] != hidden]


def reports_dir() -> Path:
    """--reports-dir's default (ledger/settings.py: reports_dir)."""
    from ledger.settings import reports_dir as configured

    return Path(configured())


@app.command()
@handle_errors
def conversions(
    ctx: typer.Context,
    by: Annotated[str, typer.Option(help="combination, source or type.")] = "combination",
    since: SinceOpt = None,
    until: UntilOpt = None,
    period: PeriodOpt = None,
    compare: CompareOpt = None,
    now: NowOpt = None,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    form: FormatOpt = None,
) -> None:
    """Conversion and response rates, revenue and time to convert, per source and type: all
    time, or the decisions decided (decided_at) in a window, each with its outcomes whenever
    they arrived (a cohort view); --compare puts another window beside it."""
    if compare is not None:
        with open_ledger(ctx, create=False) as ledger:
            both = ledger.conversion_metrics_compared(
                compare, by, parse_as_of(as_of), since=since, until=until, period=period, now=now
            )
        if as_json:
            print_json(both)
            return
        title = (
            f"Conversion metrics by {by}, {both['window']['period']} against "
            f"{both['compared_with']['period']} (decided_at)"
        )
        rows = [{**r, **c} for r, c in zip(both["current"], both["change"], strict=True)]
        print_table(title, [*conversion_columns(by)[:5], *COMPARE_EXTRA], rows)
        return
    with open_ledger(ctx, create=False) as ledger:
        rows = ledger.conversion_metrics(
            by, parse_as_of(as_of), since=since, until=until, period=period, now=now
        )
    if as_json:
        print_json(rows)
    else:
        from ledger.present.charts import bar_text

        chart = ("0–100%", lambda r: bar_text(r["conversion_rate"], 100, 12))
        title = f"Conversion metrics by {by}" + window_title(since, until, period, "decided_at")
        print_table(title, [*conversion_columns(by), chart], rows)


@app.command()
@handle_errors
def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="Words every result holds (word* for a prefix).")],
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many.")] = 20,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    form: FormatOpt = None,
) -> None:
    """Full-text search over decisions' content, action and sender and their outcomes'
    notes (SQLite FTS5), newest first, with each one's conversion and revenue."""
    with open_ledger(ctx, create=False) as ledger:
        rows = ledger.search_decisions(query, limit, as_of=parse_as_of(as_of))
    if as_json:
        print_json(rows)
        return
    print_table(
        f"Decisions matching {query!r}",
        [
            ("decision", lambda r: r["decision_id"]),
            ("decided", lambda r: r["decided_at"][:10]),
            ("type", lambda r: r["opportunity_type"]),
            ("source", lambda r: r["opportunity_source"]),
            ("content", lambda r: cut(r.get("opportunity_content"), 48)),
            ("action", lambda r: cut(r["action_taken"], 40)),
            ("converted", lambda r: "yes" if r["converted"] else "no"),
            ("revenue", lambda r: money(r["revenue"])),
        ],
        rows,
    )


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


@app.command()
@handle_errors
def explain(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(metavar="SOURCE")],
    opportunity_type: Annotated[str | None, typer.Argument(metavar="[TYPE]")] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    period: PeriodOpt = None,
    now: NowOpt = None,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    form: FormatOpt = None,
) -> None:
    """A receipt for a source's (or a source and type's) conversion figures: formulas with
    their numbers, the decisions and outcomes they come from, and the head of the log."""
    from ledger.interfaces.cli.roi import print_receipt

    with open_ledger(ctx, create=False) as ledger:
        data = ledger.explain_conversion(
            source, opportunity_type, parse_as_of(as_of), since=since, until=until,
            period=period, now=now,
        )  # fmt: skip
    if as_json:
        print_json(data)
        return
    what = source if opportunity_type is None else f"{opportunity_type} from {source}"
    print_receipt(f"Conversions of {what}, {data['window']['period']}", data)


@app.command("time-to-convert")
@handle_errors
def time_to_convert(
    ctx: typer.Context,
    by: Annotated[str, typer.Option(help="type, source or combination.")] = "type",
    since: SinceOpt = None,
    until: UntilOpt = None,
    period: PeriodOpt = None,
    now: NowOpt = None,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    form: FormatOpt = None,
) -> None:
    """How long decisions take to win a customer, with the ones still open counted
    (Kaplan–Meier, censored at --now or the --as-of point): the median days and the share
    converted within 7, 14 and 30 days, each with its 95% interval."""
    with open_ledger(ctx, create=False) as ledger:
        rows = ledger.time_to_conversion(
            by, parse_as_of(as_of), since=since, until=until, period=period, now=now
        )
    if as_json:
        print_json(rows)
        return
    hidden = {"source": "type", "type": "source"}.get(by)
    columns = [
        ("source", lambda r: fmt(r["source_type"])),
        ("type", lambda r: fmt(r["opportunity_type"])),
        ("decisions", lambda r: str(r["decisions"])),
        ("still open", lambda r: str(r["still_open"])),
        ("median", _median),
        ("within 7 days", lambda r: _within(r, 7)),
        ("within 14 days", lambda r: _within(r, 14)),
        ("within 30 days", lambda r: _within(r, 30)),
    ]
    title = "Time to conversion, open decisions counted" + window_title(
        since, until, period, "decided_at"
    )
    print_table(title, [c for c in columns if c[0] != hidden], rows)


@app.command()
@handle_errors
def roi(
    ctx: typer.Context,
    since: SinceOpt = None,
    until: UntilOpt = None,
    period: PeriodOpt = None,
    now: NowOpt = None,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    form: FormatOpt = None,
) -> None:
    """Revenue per opportunity type, and per source within it (all time, or the decisions
    decided in a window)."""
    with open_ledger(ctx, create=False) as ledger:
        rows = ledger.roi_by_type(
            parse_as_of(as_of), since=since, until=until, period=period, now=now
        )
    if as_json:
        print_json(rows)
        return
    flat = [{**s, "opportunity_type": r["opportunity_type"]} for r in rows for s in r["by_source"]]
    print_table(
        "ROI by type" + window_title(since, until, period, "decided_at"),
        [
            ("type", lambda r: r["opportunity_type"]),
            ("decisions", lambda r: str(r["total_decisions"])),
            ("deals", lambda r: str(r["deals_closed"])),
            ("revenue", lambda r: money(r["total_revenue"])),
            ("per decision", lambda r: money(r["avg_revenue_per_decision"])),
        ],
        rows,
    )
    print_table(
        "… by source",
        [
            ("type", lambda r: r["opportunity_type"]),
            ("source", lambda r: r["source_type"]),
            ("decisions", lambda r: str(r["total_decisions"])),
            ("deals", lambda r: str(r["deals_closed"])),
            ("revenue", lambda r: money(r["total_revenue"])),
            ("per decision", lambda r: money(r["avg_revenue_per_decision"])),
        ],
        flat,
    )


@app.command()
@handle_errors
def insights(
    ctx: typer.Context,
    since: SinceOpt = None,
    until: UntilOpt = None,
    period: PeriodOpt = None,
    now: NowOpt = None,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    form: FormatOpt = None,
) -> None:
    """What the outcomes say: best source, revenue leader, timing, notable comparisons (all
    time, or the decisions decided in a window)."""
    with open_ledger(ctx, create=False) as ledger:
        rows = ledger.insights(parse_as_of(as_of), since=since, until=until, period=period, now=now)
    if as_json:
        print_json(rows)
        return
    if form in ("csv", "markdown"):
        print_table(
            "Insights",
            [
                ("type", lambda i: i["insight_type"]),
                ("title", lambda i: i["title"]),
                ("description", lambda i: i["description"]),
                ("evidence", lambda i: describe_evidence(i["evidence"])),
                ("sample sufficiency", lambda i: f"{i['confidence_score']:.2f}"),
                ("data points", lambda i: str(i["data_points"])),
            ],
            rows,
        )
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


@app.command()
@handle_errors
def predict(
    ctx: typer.Context,
    opportunity_type: Annotated[str, typer.Option("--type", help="The opportunity's type.")],
    source: Annotated[str, typer.Option(help="Where it came from.")],
    content: Annotated[str | None, typer.Option(help="Its text (not used by the model).")] = None,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    form: FormatOpt = None,
) -> None:
    """Predict the outcome of a new opportunity from similar past decisions."""
    with open_ledger(ctx, create=False) as ledger:
        result = ledger.predict(opportunity_type, source, content, as_of=parse_as_of(as_of))
    if as_json:
        print_json(result)
        return
    interval = result["historical_conversion_rate_interval"]
    historical = result["historical_conversion_rate"]
    print_fields(
        f"Prediction: {opportunity_type} from {source}",
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
            ("days to close", fmt(result["avg_time_to_close_days"], 1)),
            ("sample sufficiency", fmt(result["confidence"])),
            ("based on", f"{result['similar_count']} decisions ({result['basis']})"),
        ],
    )
    echo(result["reasoning"])


@app.command()
@handle_errors
def calibration(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    form: FormatOpt = None,
) -> None:
    """How well recorded predictions matched outcomes: Brier score, reliability table."""
    with open_ledger(ctx, create=False) as ledger:
        result = ledger.calibration(as_of=parse_as_of(as_of))
    if as_json:
        print_json(result)
        return
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
    print_table(
        "Reliability",
        [
            ("predicted", lambda b: b["range"]),
            ("decisions", lambda b: str(b["count"])),
            ("mean predicted", lambda b: percent(b["mean_predicted"], scale=100)),
            ("observed", lambda b: percent(b["observed_rate"], scale=100)),
        ],
        result["buckets"],
    )


@app.command()
@handle_errors
def summary(
    ctx: typer.Context,
    date: Annotated[
        str | None, typer.Option(metavar="YYYY-MM-DD", help="Default: today (UTC).")
    ] = None,
    weekly: Annotated[bool, typer.Option("--weekly", help="The 7 days ending on --date.")] = False,
    output_dir: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Default: $ROI_LEDGER_REPORTS_DIR/decision-summaries."),
    ] = None,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The daily (or weekly) summary, printed and written as JSON and Markdown."""
    with open_ledger(ctx, create=False) as ledger:
        point = parse_as_of(as_of)
        result = (
            ledger.weekly_summary(date, as_of=point)
            if weekly
            else ledger.daily_summary(date, as_of=point)
        )
        ledger.save_summary(result, output_dir or reports_dir() / "decision-summaries")
    if as_json:
        print_json(result)
    else:
        echo(result["performance_summary"])
        echo(f"\nWrote {' and '.join(result['files'])} (as of seq {result['as_of_seq']})")


def register(root: typer.Typer) -> None:
    """Add `score` to the root app."""

    @root.command()
    @handle_errors
    def score(
        ctx: typer.Context,
        input_file: Annotated[
            Path,
            typer.Argument(
                metavar="[INPUT]",
                help="Opportunities: a JSON array, JSON Lines, or CSV/TSV with a header row.",
            ),
        ] = Path("data/opportunities.json"),
        input_format: Annotated[
            str,
            typer.Option(
                "--format",
                metavar="auto|json|jsonl|csv|tsv",
                help="The input's format; auto goes by its extension, else its first line.",
            ),
        ] = "auto",
        output: Annotated[
            Path, typer.Option(metavar="FILE", help="Where the scored array goes.")
        ] = Path("data/opportunities_scored.json"),
        no_record: Annotated[
            bool, typer.Option("--no-record", help="Do not keep the predictions in the log.")
        ] = False,
        db: DbOpt = None,
        as_json: JsonOpt = False,
    ) -> None:
        """Score opportunities with historical data: adjusted score, probability, priority."""
        import json

        from ledger.core.inputs import read_records
        from ledger.core.outputs import write_atomically
        from ledger.present.encoding import jsonable

        output_file(ctx, output)
        opportunities = read_records(
            input_file,
            "input",
            input_format,
            "give the JSON, CSV or TSV file of opportunities to score: id, type, source, score",
        )
        with open_ledger(ctx) as ledger:
            scored = ledger.score_opportunities(opportunities, record=not no_record)
            text = json.dumps(jsonable(scored), indent=2, ensure_ascii=False) + "\n"
            write_atomically(output, text, ledger=ledger.location)
        if as_json:
            print_json(scored)
            return
        print_table(
            f"Scored {len(scored)} opportunities → {output}",
            [
                ("adjusted", lambda o: str(o["adjusted_score"])),
                ("was", lambda o: str(o["original_score"])),
                ("type", lambda o: str(o.get("type", o.get("opportunity_type")))),
                ("source", lambda o: str(o.get("source", o.get("opportunity_source")))),
                ("p(convert)", lambda o: percent(o["conversion_probability"])),
                ("revenue", lambda o: money(o["predicted_revenue"])),
                ("recommendation", lambda o: o["recommendation"]),
            ],
            scored[:20],
        )
