"""`roi-ledger record …`: executions (and, in bulk, any command) into the log."""

from pathlib import Path
from typing import Annotated

import typer

from commands.patterns import RecordExecution
from ledger.errors import InputError
from ledger.interfaces.cli.common import App
from ledger.interfaces.cli.model_options import from_model
from ledger.interfaces.cli.output import QUIET, echo, print_json, print_warning
from ledger.interfaces.cli.shell import Shell, shell_options

app = App(
    rich_markup_mode=None, help="Record executions, decisions and outcomes.", no_args_is_help=True
)


@app.command()
@from_model("commands.patterns:RecordExecution")
@shell_options(recording=True)
def execution(
    pattern_id: Annotated[str, typer.Option()],
    execution_time_seconds: Annotated[str, typer.Option(metavar="SECONDS")],
    actual_cost: Annotated[str, typer.Option(metavar="USD")],
    success: Annotated[bool, typer.Option("--success/--failure")],
    workflow_id: Annotated[int | None, typer.Option()] = None,
    estimated_time_seconds: Annotated[str | None, typer.Option(metavar="SECONDS")] = None,
    estimated_cost: Annotated[str | None, typer.Option(metavar="USD")] = None,
    error_message: Annotated[str | None, typer.Option()] = None,
    executed_at: Annotated[str | None, typer.Option(metavar="TS")] = None,
    *,
    shell: Shell,
) -> None:
    """Record one execution of an approved pattern."""
    with shell.recording() as ledger:
        result = ledger.record_execution(**shell.given(RecordExecution))
    print_warning(result)
    if shell.as_json:
        print_json(result)
    elif not QUIET.get():
        echo(f"{result['message']}: {pattern_id}, seq {result['execution_id']} of the log")


@app.command()
@shell_options()
def batch(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE", help="JSON Lines, a JSON array, CSV or TSV; - for standard input."
        ),
    ],
    chunk_size: Annotated[
        int, typer.Option(min=1, max=100_000, help="Commands per committed transaction.")
    ] = 5000,
    input_format: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="auto|jsonl|json|csv|tsv",
            help="The file's format; auto goes by its extension, else by its first line.",
        ),
    ] = "auto",
    *,
    shell: Shell,
) -> None:
    """Record many commands: JSON Lines (one {"command": ..., ...} object per line), a JSON
    array of such objects, or CSV/TSV whose header row names the fields (`command` first,
    say; a `context` cell holds JSON; empty cells are left out).

    Commands: approve, revise, revoke, execution, cost, decision, outcome, prediction,
    retract; the other keys are that command's options in snake_case. Lines (rows, items)
    that fail are reported by number and skipped; valid ones commit in chunks, so a killed
    run leaves a clean prefix and, with idempotency keys, re-running the file completes it
    without duplicates. Exit code 2 when any line was refused.
    """
    from ledger.app.batch import FORMATS, read_batch
    from ledger.core.inputs import count_lines, open_input
    from ledger.interfaces.cli.progress import ProgressBar, stderr_is_terminal

    if input_format not in FORMATS:
        raise InputError(
            f"format: {input_format[:40]!r} is not one of {', '.join(FORMATS)}",
            {"field": "format"},
        )

    with open_input(file, "file") as handle, shell.recording() as ledger:
        drawn = stderr_is_terminal() and not shell.as_json and str(file) != "-"
        with ProgressBar("recording", count_lines(file) if drawn else 0, drawn) as bar:
            commands = read_batch(handle, input_format, str(file))
            outcome = ledger.execute_batch(
                commands, chunk_size=chunk_size, on_chunk=bar.advance if drawn else None
            )
    if outcome.warning:
        echo(f"Warning: {outcome.warning}", err=True)
    if shell.as_json:
        print_json(outcome.as_dict())
    else:
        for error in outcome.rejected:
            echo(f"line {error['line']}: {error['error']}", err=True)
        echo(
            f"{outcome.accepted} recorded, {outcome.duplicates} duplicate(s) skipped, "
            f"{len(outcome.rejected)} refused (head seq {outcome.last_seq or '-'})"
        )
    if outcome.rejected:
        raise typer.Exit(2)


@app.command()
@from_model("commands.decisions:LogDecision")
@shell_options(recording=True)
def decision(
    decision_id: Annotated[str, typer.Option()],
    opportunity_type: Annotated[str, typer.Option("--type")],
    source: Annotated[str, typer.Option()],
    action: Annotated[str, typer.Option()],
    content: Annotated[str | None, typer.Option()] = None,
    score: Annotated[str | None, typer.Option(metavar="0..100")] = None,
    sender: Annotated[str | None, typer.Option()] = None,
    decision_maker: Annotated[str | None, typer.Option()] = None,
    context: Annotated[str | None, typer.Option(metavar="JSON")] = None,
    opportunity_id: Annotated[str | None, typer.Option()] = None,
    decided_at: Annotated[str | None, typer.Option(metavar="TS")] = None,
    *,
    shell: Shell,
) -> None:
    """Log a decision taken on an opportunity."""
    from commands.decisions import LogDecision
    from ledger.core.inputs import parse_json

    fields = shell.given(LogDecision)
    if context is not None:
        fields["context"] = parse_json(context, "context")
    with shell.recording() as ledger:
        result = ledger.log_decision(**fields)
    shell.recorded(result, "Decision recorded")


@app.command()
@from_model("commands.decisions:RecordOutcome")
@shell_options(recording=True)
def outcome(
    decision_id: Annotated[str, typer.Option()],
    outcome_type: Annotated[str, typer.Option()],
    status: Annotated[str, typer.Option(metavar="success|failed|pending")],
    revenue: Annotated[str | None, typer.Option(metavar="USD")] = None,
    customer_acquired: Annotated[bool, typer.Option("--customer-acquired")] = False,
    deal_closed: Annotated[bool, typer.Option("--deal-closed")] = False,
    response_received: Annotated[bool, typer.Option("--response-received")] = False,
    notes: Annotated[str | None, typer.Option()] = None,
    occurred_at: Annotated[str | None, typer.Option(metavar="TS")] = None,
    *,
    shell: Shell,
) -> None:
    """Record what came of a decision (a decision may have several outcomes)."""
    from commands.decisions import RecordOutcome

    with shell.recording() as ledger:
        result = ledger.record_outcome(**shell.given(RecordOutcome))
    shell.recorded(result, "Outcome recorded")
