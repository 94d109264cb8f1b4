"""`roi-ledger decisions …`: which decisions turn into customers and revenue? (How the
answers read for people: `decision_tables.py`.)"""

from pathlib import Path
from typing import Annotated

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
from ledger.interfaces.cli.output import echo, print_json
from ledger.interfaces.cli.receipt import print_receipt
from ledger.interfaces.cli.shell import Shell, shell_options

app = App(
    rich_markup_mode=None,
    help="Decisions and outcomes: conversions, ROI by type, insights, predictions.",
    no_args_is_help=True,
)


def reports_dir() -> Path:
    """--reports-dir's default (ledger/settings.py: reports_dir)."""
    from ledger.settings import reports_dir as configured

    return Path(configured())


@app.command()
@shell_options(window=True, compare=True, as_of=True, form=True)
def conversions(
    by: Annotated[str, typer.Option(help="combination, source or type.")] = "combination",
    *,
    shell: Shell,
) -> None:
    """Conversion and response rates, revenue and time to convert, per source and type: all
    time, or the decisions decided (decided_at) in a window, each with its outcomes whenever
    they arrived (a cohort view); --compare puts another window beside it."""
    if shell.compare is not None:
        with shell.reading() as ledger:
            both = ledger.conversion_metrics_compared(
                shell.compare, by, shell.point, **shell.window
            )
        shell.show(both, lambda shown: print_conversions_compared(by, shown))
        return
    with shell.reading() as ledger:
        rows = ledger.conversion_metrics(by, shell.point, **shell.window)
    title = f"Conversion metrics by {by}" + shell.window_title("decided_at")
    shell.table(title, [*conversion_columns(by), CONVERSION_BAR], rows)


@app.command()
@shell_options(as_of=True, form=True)
def search(
    query: Annotated[str, typer.Argument(help="Words every result holds (word* for a prefix).")],
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="At most this many.")] = 20,
    *,
    shell: Shell,
) -> None:
    """Full-text search over decisions' content, action and sender and their outcomes'
    notes (SQLite FTS5), newest first, with each one's conversion and revenue."""
    with shell.reading() as ledger:
        rows = ledger.search_decisions(query, limit, as_of=shell.point)
    shell.table(f"Decisions matching {query!r}", SEARCH_COLUMNS, rows)


@app.command()
@shell_options(window=True, as_of=True, form=True)
def explain(
    source: Annotated[str, typer.Argument(metavar="SOURCE")],
    opportunity_type: Annotated[str | None, typer.Argument(metavar="[TYPE]")] = None,
    *,
    shell: Shell,
) -> None:
    """A receipt for a source's (or a source and type's) conversion figures: formulas with
    their numbers, the decisions and outcomes they come from, and the head of the log."""
    with shell.reading() as ledger:
        data = ledger.explain_conversion(source, opportunity_type, shell.point, **shell.window)
    what = source if opportunity_type is None else f"{opportunity_type} from {source}"
    shell.show(data, lambda shown: print_receipt(f"Conversions of {what}", shown))


@app.command("time-to-convert")
@shell_options(window=True, as_of=True, form=True)
def time_to_convert(
    by: Annotated[str, typer.Option(help="type, source or combination.")] = "type",
    *,
    shell: Shell,
) -> None:
    """How long decisions take to win a customer, with the ones still open counted
    (Kaplan–Meier, censored at --now or the --as-of point): the median days and the share
    converted within 7, 14 and 30 days, each with its 95% interval."""
    with shell.reading() as ledger:
        rows = ledger.time_to_conversion(by, shell.point, **shell.window)
    title = "Time to conversion, open decisions counted" + shell.window_title("decided_at")
    shell.table(title, rolled_up(TIME_TO_CONVERT_COLUMNS, by), rows)


@app.command()
@shell_options(window=True, as_of=True, form=True)
def roi(*, shell: Shell) -> None:
    """Revenue per opportunity type, and per source within it (all time, or the decisions
    decided in a window)."""
    with shell.reading() as ledger:
        rows = ledger.roi_by_type(shell.point, **shell.window)
    title = "ROI by type" + shell.window_title("decided_at")
    shell.show(rows, lambda shown: print_roi_by_type(title, shown))


@app.command()
@shell_options(window=True, as_of=True, form=True)
def insights(*, shell: Shell) -> None:
    """What the outcomes say: best source, revenue leader, timing, notable comparisons (all
    time, or the decisions decided in a window)."""
    with shell.reading() as ledger:
        rows = ledger.insights(shell.point, **shell.window)
    shell.show(rows, print_insights)


@app.command()
@shell_options(as_of=True, form=True)
def predict(
    opportunity_type: Annotated[str, typer.Option("--type", help="The opportunity's type.")],
    source: Annotated[str, typer.Option(help="Where it came from.")],
    content: Annotated[str | None, typer.Option(help="Its text (not used by the model).")] = None,
    *,
    shell: Shell,
) -> None:
    """Predict the outcome of a new opportunity from similar past decisions."""
    with shell.reading() as ledger:
        result = ledger.predict(opportunity_type, source, content, as_of=shell.point)
    title = f"Prediction: {opportunity_type} from {source}"
    shell.show(result, lambda shown: print_prediction(title, shown))


@app.command()
@shell_options(as_of=True, form=True)
def calibration(*, shell: Shell) -> None:
    """How well recorded predictions matched outcomes: Brier score, reliability table."""
    with shell.reading() as ledger:
        result = ledger.calibration(as_of=shell.point)
    shell.show(result, print_calibration)


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
    if shell.as_json:
        print_json(result)
    else:
        echo(result["performance_summary"])
        echo(f"\nWrote {' and '.join(result['files'])} (as of seq {result['as_of_seq']})")
