"""`roi-ledger roi …`: is each automation paying off? (How the answers read for people:
`roi_tables.py`.)"""

from pathlib import Path
from typing import Annotated, Any

import typer

from ledger.interfaces.cli.common import (
    App,
    NowOpt,
    PeriodOpt,
    SinceOpt,
    UntilOpt,
    output_file,
    parse_as_of,
)
from ledger.interfaces.cli.output import echo, print_json
from ledger.interfaces.cli.receipt import print_receipt
from ledger.interfaces.cli.roi_tables import (
    ALERT_COLUMNS,
    CONFIDENCE_COLUMNS,
    SUMMARY_COLUMNS,
    pattern_fields,
    print_compared,
    print_dashboard,
    print_report,
    print_restatement,
    print_trend,
)
from ledger.interfaces.cli.shell import Shell, shell_options
from ledger.interfaces.cli.tables import print_fields
from projections.rules import MIN_RATED, MIN_TOP

app = App(
    rich_markup_mode=None,
    help="ROI of automated patterns: summaries, ratings, reports.",
    no_args_is_help=True,
)

PatternArg = Annotated[str, typer.Argument(metavar="ID", help="The pattern id.")]
LimitOpt = Annotated[int, typer.Option(metavar="N", help="How many, 1..50.")]


@app.command()
@shell_options(window=True, as_of=True, form=True)
def pattern(pattern_id: PatternArg, *, shell: Shell) -> None:
    """One pattern's ROI summary: all time, or its executions that happened in a window."""
    with shell.reading() as ledger:
        row = ledger.pattern_roi(pattern_id, as_of=shell.point, **shell.window)
    title = f"ROI of {pattern_id}{shell.window_title()}"
    shell.show(row, lambda shown: print_fields(title, pattern_fields(shown)))


@app.command()
@shell_options(window=True, as_of=True, form=True)
def explain(pattern_id: PatternArg, *, shell: Shell) -> None:
    """A receipt for a pattern's ROI: each figure's formula with its numbers filled in, the
    executions it comes from (their seqs) and the head of the log it was computed at."""
    with shell.reading() as ledger:
        data = ledger.explain_roi(pattern_id, shell.point, **shell.window)
    shell.show(data, lambda shown: print_receipt(f"ROI of {shown['pattern_id']}", shown))


@app.command()
@shell_options(window=True, compare=True, as_of=True, form=True)
def summary(*, shell: Shell) -> None:
    """Every pattern's ROI, by total cost saved: all time, or only the executions that
    happened (executed_at) in a window: --period 2026-11, or --since/--until; --compare puts
    another window beside it. --as-of is the other clock: the ledger as it stood at a seq or
    recording time."""
    if shell.compare is not None:
        with shell.reading() as ledger:
            both = ledger.roi_summary_compared(shell.compare, shell.point, **shell.window)
        shell.show(both, print_compared)
        return
    with shell.reading() as ledger:
        rows = ledger.roi_summary(as_of=shell.point, **shell.window)
    title = "Pattern ROI summary (by cost saved)" + shell.window_title()
    shell.table(title, SUMMARY_COLUMNS, rows)


@app.command()
@shell_options(form=True)
def restatement(
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
    *,
    shell: Shell,
) -> None:
    """A window's ROI as the ledger knew it at --as-of beside what it knows now, and the
    events recorded since that changed it (late executions, retractions): what an auditor
    of an ROI claim asks. E.g. --period 2026-10 --as-of 2026-11-05."""
    window = {"since": since, "until": until, "period": period, "now": now}
    with shell.reading() as ledger:
        told = ledger.roi_restatement(parse_as_of(as_of), **window, limit=limit)
    shell.show(told, print_restatement)


@app.command()
@shell_options(as_of=True, form=True)
def effectiveness(pattern_id: PatternArg, *, shell: Shell) -> None:
    """A pattern's effectiveness rating and what to do about it."""
    with shell.reading() as ledger:
        row = ledger.effectiveness(pattern_id, as_of=shell.point)
    shell.show(row, lambda shown: echo(f"{pattern_id}: {_rated(shown)}"))


def _rated(row: dict[str, Any]) -> str:
    """A rating in capitals, and under it what to do about it."""
    return f"{row['effectiveness_rating'].upper()}\n{row['recommendation']}"


@app.command()
@shell_options(now=True, as_of=True, form=True)
def report(
    pattern_id: PatternArg,
    executions: Annotated[
        int, typer.Option(min=0, max=100_000, help="How many recent executions to list.")
    ] = 20,
    *,
    shell: Shell,
) -> None:
    """Everything about one pattern: summary, rating, executions, recommendations."""
    with shell.reading() as ledger:
        data = ledger.roi_report(
            pattern_id, as_of=shell.point, now=shell.now, executions=executions
        )
    shell.show(data, lambda shown: print_report(pattern_id, shown))


@app.command("top-performers", help=f"Patterns with at least {MIN_TOP} executions, by ROI.")
@shell_options(window=True, as_of=True, form=True)
def top_performers(limit: LimitOpt = 10, *, shell: Shell) -> None:
    """Patterns with at least rules.MIN_TOP executions, by ROI."""
    with shell.reading() as ledger:
        rows = ledger.top_performers(limit, as_of=shell.point, **shell.window)
    title = f"Top performers (≥ {MIN_TOP} executions, by ROI)" + shell.window_title()
    shell.table(title, SUMMARY_COLUMNS, rows)


@app.command(
    help=f"Patterns with at least {MIN_RATED} executions rated poor or failed, worst first."
)
@shell_options(window=True, as_of=True, form=True)
def underperformers(limit: LimitOpt = 10, *, shell: Shell) -> None:
    """Patterns with at least rules.MIN_RATED executions rated poor or failed, worst first."""
    with shell.reading() as ledger:
        rows = ledger.underperformers(limit, as_of=shell.point, **shell.window)
    title = "Underperformers (poor or failed, worst first)" + shell.window_title()
    shell.table(title, SUMMARY_COLUMNS, rows)


@app.command()
@shell_options(window=True, as_of=True, form=True)
def dashboard(*, shell: Shell) -> None:
    """The portfolio at a glance for the current UTC month, and over a window of business
    time (executed_at; the last 30 days unless --period or --since/--until name another)
    beside the window before it."""
    with shell.reading() as ledger:
        data = ledger.dashboard(as_of=shell.point, **shell.window)
    shell.show(data, print_dashboard)


@app.command()
@shell_options(now=True, as_of=True, form=True)
def alerts(*, shell: Shell) -> None:
    """Failure spikes, negative ROI, underused and degrading patterns."""
    with shell.reading() as ledger:
        rows = ledger.alerts(now=shell.now, as_of=shell.point)
    shell.table("ROI alerts", ALERT_COLUMNS, rows)


@app.command("update-confidence")
@shell_options()
def update_confidence(
    pattern_id: Annotated[
        str | None, typer.Option(help="Only this pattern (default: every approved one).")
    ] = None,
    *,
    shell: Shell,
) -> None:
    """Set each pattern's confidence from its rating; records only the values that change."""
    with shell.recording() as ledger:
        rows = ledger.update_confidence(pattern_id)
    shell.table("Confidence updates", CONFIDENCE_COLUMNS, rows)


@app.command()
@shell_options(as_of=True, form=True)
def trend(
    pattern_id: PatternArg,
    period: Annotated[str, typer.Option(help="day, week (ISO) or month.")] = "day",
    *,
    shell: Shell,
) -> None:
    """Success rate, savings and ROI of a pattern over time."""
    with shell.reading() as ledger:
        rows = ledger.trend(pattern_id, period, as_of=shell.point)
    shell.show(rows, lambda shown: print_trend(pattern_id, period, shown))


@app.command()
@shell_options(now=True, as_of=True)
def markdown(
    output: Annotated[Path, typer.Option(metavar="FILE", help="Where to write it.")] = Path(
        "roi_report.md"
    ),
    *,
    shell: Shell,
) -> None:
    """Write the portfolio report (summary, ratings, performers, alerts, trend) as Markdown."""
    from ledger.core.outputs import write_atomically

    output_file(shell.ctx, output)
    with shell.reading() as ledger:
        text, head = ledger.roi_markdown_with_head(now=shell.now, as_of=shell.point)
        write_atomically(output, text, ledger=ledger.location)
    if shell.as_json:
        print_json({"file": str(output), "as_of_seq": head.seq, "as_of_hash": head.hash})
    else:
        echo(f"Wrote {output} (as of seq {head.seq})")
