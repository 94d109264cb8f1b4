"""`roi-ledger record …`: executions (and, in bulk, any command) into the log."""

from pathlib import Path
from typing import Annotated

import typer

from commands.patterns import RecordExecution
from ledger.errors import InputError
from ledger.interfaces.cli.common import (
    App,
    DbOpt,
    ExpectedOpt,
    JsonOpt,
    KeyOpt,
    handle_errors,
    open_ledger,
    stderr_is_terminal,
)
from ledger.interfaces.cli.model_options import from_model, given
from ledger.interfaces.cli.output import QUIET, echo, print_json, print_recorded, print_warning

app = App(
    rich_markup_mode=None, help="Record executions, decisions and outcomes.", no_args_is_help=True
)


@app.command()
@from_model("commands.patterns:RecordExecution")
@handle_errors
def execution(
    ctx: typer.Context,
    pattern_id: Annotated[str, typer.Option()],
    execution_time_seconds: Annotated[str, typer.Option(metavar="SECONDS")],
    actual_cost: Annotated[str, typer.Option(metavar="USD")],
    success: Annotated[bool, typer.Option("--success/--failure")],
    workflow_id: Annotated[int | None, typer.Option()] = None,
    estimated_time_seconds: Annotated[str | None, typer.Option(metavar="SECONDS")] = None,
    estimated_cost: Annotated[str | None, typer.Option(metavar="USD")] = None,
    error_message: Annotated[str | None, typer.Option()] = None,
    executed_at: Annotated[str | None, typer.Option(metavar="TS")] = None,
    idempotency_key: KeyOpt = None,
    expected_version: ExpectedOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record one execution of an approved pattern."""
    with open_ledger(ctx) as ledger:
        result = ledger.record_execution(**given(ctx, RecordExecution))
    print_warning(result)
    if as_json:
        print_json(result)
    elif not QUIET.get():
        echo(f"{result['message']}: {pattern_id}, seq {result['execution_id']} of the log")


@app.command()
@handle_errors
def batch(
    ctx: typer.Context,
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
    db: DbOpt = None,
    as_json: JsonOpt = False,
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
    from ledger.core.inputs import open_input

    if input_format not in FORMATS:
        raise InputError(
            f"format: {input_format[:40]!r} is not one of {', '.join(FORMATS)}",
            {"field": "format"},
        )

    with open_input(file, "file") as handle, open_ledger(ctx) as ledger:
        if stderr_is_terminal() and not as_json and str(file) != "-":
            from ledger.core.inputs import count_lines
            from ledger.interfaces.cli.output import ProgressBar

            with ProgressBar("recording", count_lines(file), True) as bar:
                outcome = ledger.execute_batch(
                    read_batch(handle, input_format, str(file)),
                    chunk_size=chunk_size,
                    on_chunk=bar.advance,
                )
        else:
            outcome = ledger.execute_batch(
                read_batch(handle, input_format, str(file)), chunk_size=chunk_size
            )
    if outcome.warning:
        echo(f"Warning: {outcome.warning}", err=True)
    if as_json:
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
@handle_errors
def decision(
    ctx: typer.Context,
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
    idempotency_key: KeyOpt = None,
    expected_version: ExpectedOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Log a decision taken on an opportunity."""
    from commands.decisions import LogDecision
    from ledger.core.inputs import parse_json

    fields = given(ctx, LogDecision)
    if context is not None:
        fields["context"] = parse_json(context, "context")
    with open_ledger(ctx) as ledger:
        result = ledger.log_decision(**fields)
    print_recorded(result, as_json, "Decision recorded")


@app.command()
@from_model("commands.decisions:RecordOutcome")
@handle_errors
def outcome(
    ctx: typer.Context,
    decision_id: Annotated[str, typer.Option()],
    outcome_type: Annotated[str, typer.Option()],
    status: Annotated[str, typer.Option(metavar="success|failed|pending")],
    revenue: Annotated[str | None, typer.Option(metavar="USD")] = None,
    customer_acquired: Annotated[bool, typer.Option("--customer-acquired")] = False,
    deal_closed: Annotated[bool, typer.Option("--deal-closed")] = False,
    response_received: Annotated[bool, typer.Option("--response-received")] = False,
    notes: Annotated[str | None, typer.Option()] = None,
    occurred_at: Annotated[str | None, typer.Option(metavar="TS")] = None,
    idempotency_key: KeyOpt = None,
    expected_version: ExpectedOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record what came of a decision (a decision may have several outcomes)."""
    from commands.decisions import RecordOutcome

    with open_ledger(ctx) as ledger:
        result = ledger.record_outcome(**given(ctx, RecordOutcome))
    print_recorded(result, as_json, "Outcome recorded")
