"""`roi-ledger roi …`: is each automation paying off?"""

from collections.abc import Callable
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
    FORMAT,
    change,
    echo,
    fmt,
    money,
    p_value,
    percent,
    percent_range,
    print_fields,
    print_json,
    print_list,
    print_table,
)
from projections.formats import to_the_second
from projections.rules import MIN_RATED, MIN_TOP

app = App(
    rich_markup_mode=None,
    help="ROI of automated patterns: summaries, ratings, reports.",
    no_args_is_help=True,
)

PatternArg = Annotated[str, typer.Argument(metavar="ID", help="The pattern id.")]

SUMMARY_COLUMNS: list[tuple[str, Any]] = [
    ("pattern", lambda r: r["pattern_id"]),
    ("runs", lambda r: str(r["total_executions"])),
    ("success", lambda r: percent(r["success_rate"], scale=100)),
    ("time saved (s)", lambda r: fmt(r["total_time_saved_seconds"], 1)),
    ("cost saved", lambda r: money(r["total_cost_saved_usd"])),
    ("ROI", lambda r: percent(r["roi_percentage"])),
    ("rating", lambda r: r["effectiveness_rating"]),
    ("status", lambda r: r["status"]),
]


COMPARE_COLUMNS: list[tuple[str, Any]] = [
    ("pattern", lambda r: r["pattern_id"]),
    ("runs", lambda r: f"{r['runs']} ({change(r['runs_change'])})"),
    ("cost saved", lambda r: f"{money(r['saved'])} ({change(r['saved_change'], '$')})"),
    ("ROI", lambda r: f"{percent(r['roi'])} ({change(r['roi_change'], 'pt%')})"),
    (
        "success",
        lambda r: f"{percent(r['rate'], scale=100)} ({change(r['rate_change'], 'pt')})",
    ),
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


def pattern_fields(row: dict[str, Any]) -> list[tuple[str, str]]:
    """A pattern's summary as label/value pairs for the terminal."""
    interval = row["success_rate_interval"]
    return [
        ("status", row["status"]),
        ("executions", f"{row['total_executions']} ({row['successful_executions']} successful)"),
        ("success rate", percent(row["success_rate"], scale=100)),
        (
            "95% interval",
            "–" if interval is None else percent_range(interval[0], interval[1], 1, scale=100),
        ),
        ("time saved", f"{fmt(row['total_time_saved_seconds'], 1)} s"),
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
            f"{fmt(row['net_time_saved_seconds'], 1)} s (failed runs' "
            f"{fmt(row['total_failed_time_seconds'], 1)} s lost)",
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


@app.command()
@handle_errors
def pattern(
    ctx: typer.Context,
    pattern_id: PatternArg,
    since: SinceOpt = None,
    until: UntilOpt = None,
    period: PeriodOpt = None,
    now: NowOpt = None,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    form: FormatOpt = None,
) -> None:
    """One pattern's ROI summary: all time, or its executions that happened in a window."""
    with open_ledger(ctx, create=False) as ledger:
        row = ledger.pattern_roi(
            pattern_id, as_of=parse_as_of(as_of), since=since, until=until, period=period, now=now
        )
    if as_json:
        print_json(row)
    else:
        shown = window_title(since, until, period)
        print_fields(f"ROI of {pattern_id}{shown}", pattern_fields(row))


@app.command()
@handle_errors
def explain(
    ctx: typer.Context,
    pattern_id: PatternArg,
    since: SinceOpt = None,
    until: UntilOpt = None,
    period: PeriodOpt = None,
    now: NowOpt = None,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    form: FormatOpt = None,
) -> None:
    """A receipt for a pattern's ROI: each figure's formula with its numbers filled in, the
    executions it comes from (their seqs) and the head of the log it was computed at."""
    with open_ledger(ctx, create=False) as ledger:
        data = ledger.explain_roi(
            pattern_id, parse_as_of(as_of), since=since, until=until, period=period, now=now
        )
    if as_json:
        print_json(data)
        return
    print_receipt(f"ROI of {data['pattern_id']}, {data['window']['period']}", data)


def _receipt_value(figure: dict[str, Any]) -> str:
    """A receipt's figure: money as money (a sub-cent saving is never `0.0000`), an
    interval as its two ends, any other figure to four decimals."""
    value = figure["value"]
    if isinstance(value, list):
        return " – ".join(fmt(v, 2) for v in value)
    return money(value) if str(figure["figure"]).endswith("_usd") else fmt(value, 4)


def print_receipt(title: str, data: dict[str, Any]) -> None:
    """A receipt on the terminal: the figures, then where they come from."""
    print_table(
        title,
        [
            ("figure", lambda f: f["figure"]),
            ("formula", lambda f: f["formula"]),
            ("filled in", lambda f: f["filled_in"]),
            ("value", _receipt_value),
        ],
        data["figures"],
    )  # fmt: skip
    events = ", ".join(f"{k} {v}" for k, v in data["events"].items())
    echo(f"From: {events}")
    echo(f"At the head seq {data['as_of_seq']} ({data['as_of_hash']}).")
    echo(f"Recompute from the log: {data['recompute']}")


@app.command()
@handle_errors
def summary(
    ctx: typer.Context,
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
    """Every pattern's ROI, by total cost saved: all time, or only the executions that
    happened (executed_at) in a window: --period 2026-11, or --since/--until; --compare puts
    another window beside it. --as-of is the other clock: the ledger as it stood at a seq or
    recording time."""
    if compare is not None:
        with open_ledger(ctx, create=False) as ledger:
            both = ledger.roi_summary_compared(
                compare, parse_as_of(as_of), since=since, until=until, period=period, now=now
            )
        if as_json:
            print_json(both)
        else:
            title = (
                f"Pattern ROI, {both['window']['period']} against "
                f"{both['compared_with']['period']} (executed_at)"
            )
            print_table(title, COMPARE_COLUMNS, compared_rows(both))
        return
    with open_ledger(ctx, create=False) as ledger:
        rows = ledger.roi_summary(
            as_of=parse_as_of(as_of), since=since, until=until, period=period, now=now
        )
    if as_json:
        print_json(rows)
    else:
        title = "Pattern ROI summary (by cost saved)" + window_title(since, until, period)
        print_table(title, SUMMARY_COLUMNS, rows)


LimitOpt = Annotated[int, typer.Option(metavar="N", help="How many, 1..50.")]


@app.command()
@handle_errors
def restatement(
    ctx: typer.Context,
    as_of: Annotated[
        str,
        typer.Option(
            "--as-of",
            metavar="SEQ|TIMESTAMP",
            help="What the ledger knew then (a seq, or a recording time): held against now.",
        ),
    ],
    since: SinceOpt = None,
    until: UntilOpt = None,
    period: PeriodOpt = None,
    now: NowOpt = None,
    limit: Annotated[
        int, typer.Option(metavar="N", help="How many of the changing events to list, 1..50.")
    ] = 20,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    form: FormatOpt = None,
) -> None:
    """A window's ROI as the ledger knew it at --as-of beside what it knows now, and the
    events recorded since that changed it (late executions, retractions): what an auditor
    of an ROI claim asks. E.g. --period 2026-10 --as-of 2026-11-05."""
    with open_ledger(ctx, create=False) as ledger:
        told = ledger.roi_restatement(
            parse_as_of(as_of), since=since, until=until, period=period, now=now, limit=limit
        )
    if as_json:
        print_json(told)
        return
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
        [
            ("pattern", lambda r: r["pattern_id"]),
            ("runs then → now", lambda r: r["runs"]),
            ("cost saved then → now", lambda r: r["saved"]),
            ("ROI then → now", lambda r: r["roi"]),
        ],
        rows,
    )
    print_table(
        f"Recorded since, changing it ({told['changed_by_total']} in all)",
        [
            ("seq", lambda c: str(c["seq"])),
            ("recorded", lambda c: c["recorded_at"]),
            ("pattern", lambda c: c["pattern_id"]),
            ("happened", lambda c: c["happened_at"]),
            ("what", lambda c: c["what"]),
        ],
        told["changed_by"],
    )


@app.command()
@handle_errors
def effectiveness(
    ctx: typer.Context,
    pattern_id: PatternArg,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    form: FormatOpt = None,
) -> None:
    """A pattern's effectiveness rating and what to do about it."""
    with open_ledger(ctx, create=False) as ledger:
        row = ledger.effectiveness(pattern_id, as_of=parse_as_of(as_of))
    if as_json:
        print_json(row)
        return
    echo(f"{pattern_id}: {row['effectiveness_rating'].upper()}")
    echo(row["recommendation"])


@app.command()
@handle_errors
def report(
    ctx: typer.Context,
    pattern_id: PatternArg,
    executions: Annotated[
        int, typer.Option(min=0, max=100_000, help="How many recent executions to list.")
    ] = 20,
    now: NowOpt = None,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    form: FormatOpt = None,
) -> None:
    """Everything about one pattern: summary, rating, executions, recommendations."""
    with open_ledger(ctx, create=False) as ledger:
        data = ledger.roi_report(
            pattern_id, as_of=parse_as_of(as_of), now=now, executions=executions
        )
    if as_json:
        print_json(data)
        return
    print_fields(f"ROI report: {pattern_id}", pattern_fields(data["summary"]))
    print_list("Recommendations", data["recommendations"])
    print_table(
        f"\nLatest {len(data['executions'])} executions",
        [
            ("id", lambda e: str(e["execution_id"])),
            ("executed (UTC)", lambda e: to_the_second(e["executed_at"])),
            ("ok", lambda e: "yes" if e["success"] else "no"),
            ("seconds", lambda e: f"{e['execution_time_seconds']} / {e['estimated_time_seconds']}"),
            ("cost", lambda e: f"{money(e['actual_cost'])} / {money(e['estimated_cost'])}"),
            ("workflow", lambda e: fmt(e["workflow_id"])),
            ("error", lambda e: fmt(e["error_message"])),
        ],
        data["executions"],
    )
    if FORMAT.get() == "markdown":
        echo(f"As of seq {data['as_of_seq']} (`{data['as_of_hash']}`).")
    else:
        echo(f"\nAs of seq {data['as_of_seq']} ({data['as_of_hash'][:16]}…)")


def _ranking(
    ctx: typer.Context,
    query: str,
    title: str,
    limit: int,
    as_of: str | None,
    as_json: bool,
    window: dict[str, str | None],
) -> None:
    with open_ledger(ctx, create=False) as ledger:
        rows = getattr(ledger, query)(limit, as_of=parse_as_of(as_of), **window)
    if as_json:
        print_json(rows)
    else:
        shown = window_title(window["since"], window["until"], window["period"])
        print_table(title + shown, SUMMARY_COLUMNS, rows)


@app.command("top-performers", help=f"Patterns with at least {MIN_TOP} executions, by ROI.")
@handle_errors
def top_performers(
    ctx: typer.Context,
    limit: LimitOpt = 10,
    since: SinceOpt = None,
    until: UntilOpt = None,
    period: PeriodOpt = None,
    now: NowOpt = None,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    form: FormatOpt = None,
) -> None:
    """Patterns with at least rules.MIN_TOP executions, by ROI."""
    _ranking(
        ctx, "top_performers", f"Top performers (≥ {MIN_TOP} executions, by ROI)", limit, as_of,
        as_json,
        dict(since=since, until=until, period=period, now=now),
    )  # fmt: skip


@app.command(
    help=f"Patterns with at least {MIN_RATED} executions rated poor or failed, worst first."
)
@handle_errors
def underperformers(
    ctx: typer.Context,
    limit: LimitOpt = 10,
    since: SinceOpt = None,
    until: UntilOpt = None,
    period: PeriodOpt = None,
    now: NowOpt = None,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    form: FormatOpt = None,
) -> None:
    """Patterns with at least rules.MIN_RATED executions rated poor or failed, worst first."""
    _ranking(
        ctx,
        "underperformers",
        "Underperformers (poor or failed, worst first)",
        limit,
        as_of,
        as_json,
        dict(since=since, until=until, period=period, now=now),
    )


@app.command()
@handle_errors
def dashboard(
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
    """The portfolio at a glance for the current UTC month, and over a window of business
    time (executed_at; the last 30 days unless --period or --since/--until name another)
    beside the window before it."""
    with open_ledger(ctx, create=False) as ledger:
        data = ledger.dashboard(
            now=now, as_of=parse_as_of(as_of), since=since, until=until, period=period
        )
    if as_json:
        print_json(data)
        return
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
            ("average success rate", percent(data["average_success_rate"], scale=100)),
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
                f"{percent(current['success_rate'], scale=100)}{signed('success_rate', 'pt')}",
            ),
            (
                f"ROI, {name}",
                f"{percent(current['roi_percentage'])}{signed('roi_percentage', 'pt%')}",
            ),
        ],
    )
    print_table("Top 5 by ROI", SUMMARY_COLUMNS, data["top_performers"])
    print_table(
        "Needs attention",
        [
            ("pattern", lambda r: r["pattern_id"]),
            ("rating", lambda r: r["effectiveness_rating"]),
            ("recommendation", lambda r: r["recommendation"]),
        ],
        data["needs_attention"],
    )


@app.command()
@handle_errors
def alerts(
    ctx: typer.Context,
    now: NowOpt = None,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    form: FormatOpt = None,
) -> None:
    """Failure spikes, negative ROI, underused and degrading patterns."""
    with open_ledger(ctx, create=False) as ledger:
        rows = ledger.alerts(now=now, as_of=parse_as_of(as_of))
    if as_json:
        print_json(rows)
        return
    print_table(
        "ROI alerts",
        [
            ("severity", lambda a: a["severity"]),
            ("pattern", lambda a: a["pattern_id"]),
            ("alert", lambda a: a["alert_type"]),
            ("message", lambda a: a["message"]),
        ],
        rows,
    )


@app.command("update-confidence")
@handle_errors
def update_confidence(
    ctx: typer.Context,
    pattern_id: Annotated[
        str | None, typer.Option(help="Only this pattern (default: every approved one).")
    ] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set each pattern's confidence from its rating; records only the values that change."""
    with open_ledger(ctx) as ledger:
        rows = ledger.update_confidence(pattern_id)
    if as_json:
        print_json(rows)
        return
    print_table(
        "Confidence updates",
        [
            ("pattern", lambda r: r["pattern_id"]),
            ("rating", lambda r: fmt(r["effectiveness_rating"])),
            ("runs", lambda r: str(r["total_executions"])),
            ("confidence", lambda r: f"{fmt(r['old_confidence'])} → {fmt(r['new_confidence'])}"),
            ("recorded", lambda r: f"seq {r['seq']}" if r["changed"] else "unchanged"),
        ],
        rows,
    )


@app.command()
@handle_errors
def trend(
    ctx: typer.Context,
    pattern_id: PatternArg,
    period: Annotated[str, typer.Option(help="day, week (ISO) or month.")] = "day",
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    form: FormatOpt = None,
) -> None:
    """Success rate, savings and ROI of a pattern over time."""
    with open_ledger(ctx, create=False) as ledger:
        rows = ledger.trend(pattern_id, period, as_of=parse_as_of(as_of))
    if as_json:
        print_json(rows)
        return
    from ledger.present.charts import bar_text, sparkline

    spark = sparkline([t["success_rate"] for t in rows])
    print_table(
        f"{pattern_id} by {period}" + (f" — success rate {spark}" if spark else ""),
        [
            ("period", lambda t: t["period"]),
            ("runs", lambda t: str(t["total_executions"])),
            ("success", lambda t: percent(t["success_rate"], scale=100)),
            ("", lambda t: bar_text(t["success_rate"], 1, 10)),
            ("time saved (s)", lambda t: fmt(t["time_saved_seconds"], 1)),
            ("cost saved", lambda t: money(t["cost_saved_usd"])),
            ("ROI", lambda t: percent(t["roi_percentage"])),
        ],
        rows,
    )


@app.command()
@handle_errors
def markdown(
    ctx: typer.Context,
    output: Annotated[Path, typer.Option(metavar="FILE", help="Where to write it.")] = Path(
        "roi_report.md"
    ),
    now: NowOpt = None,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the portfolio report (summary, ratings, performers, alerts, trend) as Markdown."""
    from ledger.core.outputs import write_atomically

    output_file(ctx, output)
    with open_ledger(ctx, create=False) as ledger:
        text, head = ledger.roi_markdown_with_head(now=now, as_of=parse_as_of(as_of))
        write_atomically(output, text, ledger=ledger.location)
    if as_json:
        print_json({"file": str(output), "as_of_seq": head.seq, "as_of_hash": head.hash})
    else:
        echo(f"Wrote {output} (as of seq {head.seq})")
