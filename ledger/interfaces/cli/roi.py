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
from ledger.interfaces.cli.output import echo
from ledger.interfaces.cli.reads import Answer, read
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


@read(app, "pattern_roi", title="ROI of {pattern_id}{window}", window=True)
def pattern(pattern_id: PatternArg, *, answer: Answer) -> None:
    """One pattern's ROI summary: all time, or its executions that happened in a window."""
    print_fields(answer.title, pattern_fields(answer.value))


@read(app, "explain_roi", window=True)
def explain(pattern_id: PatternArg, *, answer: Answer) -> None:
    """A receipt for a pattern's ROI: each figure's formula with its numbers filled in, the
    executions it comes from (their seqs) and the head of the log it was computed at."""
    print_receipt(f"ROI of {answer.value['pattern_id']}", answer.value)


@read(
    app,
    "roi_summary",
    title="Pattern ROI summary (by cost saved){window}",
    columns=SUMMARY_COLUMNS,
    window=True,
    compared="roi_summary_compared",
)
def summary(*, answer: Answer) -> None:
    """Every pattern's ROI, by total cost saved: all time, or only the executions that
    happened (executed_at) in a window: --period 2026-11, or --since/--until; --compare puts
    another window beside it. --as-of is the other clock: the ledger as it stood at a seq or
    recording time."""
    print_compared(answer.value)  # --compare's answer; the rows alone are a table


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


@read(app, "effectiveness")
def effectiveness(pattern_id: PatternArg, *, answer: Answer) -> None:
    """A pattern's effectiveness rating and what to do about it."""
    echo(f"{pattern_id}: {_rated(answer.value)}")


def _rated(row: dict[str, Any]) -> str:
    """A rating in capitals, and under it what to do about it."""
    return f"{row['effectiveness_rating'].upper()}\n{row['recommendation']}"


@read(app, "roi_report", now=True, keywords=("executions",))
def report(
    pattern_id: PatternArg,
    executions: Annotated[
        int, typer.Option(min=0, max=100_000, help="How many recent executions to list.")
    ] = 20,
    *,
    answer: Answer,
) -> None:
    """Everything about one pattern: summary, rating, executions, recommendations."""
    print_report(pattern_id, answer.value)


@read(
    app,
    "top_performers",
    title=f"Top performers (≥ {MIN_TOP} executions, by ROI){{window}}",
    columns=SUMMARY_COLUMNS,
    window=True,
    help=f"Patterns with at least {MIN_TOP} executions, by ROI.",
)
def top_performers(limit: LimitOpt = 10) -> None:
    """Patterns with at least rules.MIN_TOP executions, by ROI."""


@read(
    app,
    "underperformers",
    title="Underperformers (poor or failed, worst first){window}",
    columns=SUMMARY_COLUMNS,
    window=True,
    help=f"Patterns with at least {MIN_RATED} executions rated poor or failed, worst first.",
)
def underperformers(limit: LimitOpt = 10) -> None:
    """Patterns with at least rules.MIN_RATED executions rated poor or failed, worst first."""


@read(app, "dashboard", window=True)
def dashboard(*, answer: Answer) -> None:
    """The portfolio at a glance for the current UTC month, and over a window of business
    time (executed_at; the last 30 days unless --period or --since/--until name another)
    beside the window before it."""
    print_dashboard(answer.value)


@read(app, "alerts", title="ROI alerts", columns=ALERT_COLUMNS, now=True)
def alerts() -> None:
    """Failure spikes, negative ROI, underused and degrading patterns."""


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


@read(app, "trend")
def trend(
    pattern_id: PatternArg,
    period: Annotated[str, typer.Option(help="day, week (ISO) or month.")] = "day",
    *,
    answer: Answer,
) -> None:
    """Success rate, savings and ROI of a pattern over time."""
    print_trend(f"{pattern_id} by {period}", answer.value)


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
    written = {"file": str(output), "as_of_seq": head.seq, "as_of_hash": head.hash}
    shell.show(written, lambda v: echo(f"Wrote {v['file']} (as of seq {v['as_of_seq']})"))
