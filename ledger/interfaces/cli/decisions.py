"""`roi-ledger decisions …`: which decisions turn into customers and revenue? (How the
answers read for people: `decision_tables.py`.)"""

from pathlib import Path
from typing import Annotated, Any

import typer

from ledger.interfaces.cli.common import App
from ledger.interfaces.cli.decision_tables import (
    CONVERSION_BAR,
    SEARCH_COLUMNS,
    TIME_TO_CONVERT_COLUMNS,
    conversion_columns,
    print_calibration,
    print_conversions_compared,
    print_insights,
    print_prediction,
    print_roi_by_type,
    rolled_up,
)
from ledger.interfaces.cli.output import echo
from ledger.interfaces.cli.reads import Answer, read
from ledger.interfaces.cli.receipt import print_receipt
from ledger.interfaces.cli.shell import Shell, shell_options
from ledger.interfaces.cli.tables import print_table

app = App(
    rich_markup_mode=None,
    help="Decisions and outcomes: conversions, ROI by type, insights, predictions.",
    no_args_is_help=True,
)


def reports_dir() -> Path:
    """--reports-dir's default (ledger/settings.py: reports_dir)."""
    from ledger.settings import reports_dir as configured

    return Path(configured())


@read(
    app,
    "conversion_metrics",
    title="Conversion metrics by {by}{window}",
    window=True,
    axis="decided_at",
    compared="conversion_metrics_compared",
)
def conversions(
    by: Annotated[str, typer.Option(help="combination, source or type.")] = "combination",
    *,
    answer: Answer,
) -> None:
    """Conversion and response rates, revenue and time to convert, per source and type: all
    time, or the decisions decided (decided_at) in a window, each with its outcomes whenever
    they arrived (a cohort view); --compare puts another window beside it."""
    if answer.compared:
        print_conversions_compared(by, answer.value)
    else:
        print_table(answer.title, [*conversion_columns(by), CONVERSION_BAR], answer.value)


@read(app, "search_decisions", title="Decisions matching {query!r}", columns=SEARCH_COLUMNS)
def search(
    query: Annotated[str, typer.Argument(help="Words every result holds (word* for a prefix).")],
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many.")] = 20,
) -> None:
    """Full-text search over decisions' content, action and sender and their outcomes'
    notes (SQLite FTS5), newest first, with each one's conversion and revenue."""


@read(app, "explain_conversion", window=True)
def explain(
    source: Annotated[str, typer.Argument(metavar="SOURCE")],
    opportunity_type: Annotated[str | None, typer.Argument(metavar="[TYPE]")] = None,
    *,
    answer: Answer,
) -> None:
    """A receipt for a source's (or a source and type's) conversion figures: formulas with
    their numbers, the decisions and outcomes they come from, and the head of the log."""
    what = source if opportunity_type is None else f"{opportunity_type} from {source}"
    print_receipt(f"Conversions of {what}", answer.value)


@read(
    app,
    "time_to_conversion",
    title="Time to conversion, open decisions counted{window}",
    window=True,
    axis="decided_at",
)
def time_to_convert(
    by: Annotated[str, typer.Option(help="type, source or combination.")] = "type",
    *,
    answer: Answer,
) -> None:
    """How long decisions take to win a customer, with the ones still open counted
    (Kaplan–Meier, censored at --now or the --as-of point): the median days and the share
    converted within 7, 14 and 30 days, each with its 95% interval."""
    print_table(answer.title, rolled_up(TIME_TO_CONVERT_COLUMNS, by), answer.value)


@read(app, "roi_by_type", title="ROI by type{window}", window=True, axis="decided_at")
def roi(*, answer: Answer) -> None:
    """Revenue per opportunity type, and per source within it (all time, or the decisions
    decided in a window)."""
    print_roi_by_type(answer.title, answer.value)


@read(app, "insights", window=True)
def insights(*, answer: Answer) -> None:
    """What the outcomes say: best source, revenue leader, timing, notable comparisons (all
    time, or the decisions decided in a window)."""
    print_insights(answer.value)


@read(app, "predict", title="Prediction: {opportunity_type} from {source}")
def predict(
    opportunity_type: Annotated[str, typer.Option("--type", help="The opportunity's type.")],
    source: Annotated[str, typer.Option(help="Where it came from.")],
    content: Annotated[str | None, typer.Option(help="Its text (not used by the model).")] = None,
    *,
    answer: Answer,
) -> None:
    """Predict the outcome of a new opportunity from similar past decisions."""
    print_prediction(answer.title, answer.value)


@read(app, "calibration")
def calibration(*, answer: Answer) -> None:
    """How well recorded predictions matched outcomes: Brier score, reliability table."""
    print_calibration(answer.value)


@app.command()
@shell_options(as_of=True)
def summary(
    date: Annotated[
        str | None, typer.Option(metavar="YYYY-MM-DD", help="Default: today (UTC).")
    ] = None,
    weekly: Annotated[bool, typer.Option("--weekly", help="The 7 days ending on --date.")] = False,
    output_dir: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Default: $ROI_LEDGER_REPORTS_DIR/decision-summaries."),
    ] = None,
    *,
    shell: Shell,
) -> None:
    """The daily (or weekly) summary, printed and written as JSON and Markdown."""
    with shell.reading() as ledger:
        point = shell.point
        result = (
            ledger.weekly_summary(date, as_of=point)
            if weekly
            else ledger.daily_summary(date, as_of=point)
        )
        ledger.save_summary(result, output_dir or reports_dir() / "decision-summaries")
    shell.show(result, _print_summary)


def _print_summary(result: dict[str, Any]) -> None:
    """A decisions summary for people: its text, and the files it was written to."""
    echo(result["performance_summary"])
    echo(f"\nWrote {' and '.join(result['files'])} (as of seq {result['as_of_seq']})")
