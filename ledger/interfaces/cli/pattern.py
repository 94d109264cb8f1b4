"""`roi-ledger pattern …`: approve, revise, revoke and list automated patterns."""

from typing import Annotated, Any

import typer

from commands.patterns import (
    ApprovePattern,
    RecordPatternCost,
    RevisePatternEstimates,
    RevokePattern,
)
from ledger.interfaces.cli.common import App
from ledger.interfaces.cli.model_options import from_model
from ledger.interfaces.cli.output import Column, column, fmt, money, tenths
from ledger.interfaces.cli.reads import Answer, read
from ledger.interfaces.cli.shell import Shell, shell_options
from ledger.interfaces.cli.tables import print_fields, print_table
from projections.formats import to_the_second

app = App(
    rich_markup_mode=None,
    help="Approve, revise, revoke and list automated patterns.",
    no_args_is_help=True,
)

PatternArg = Annotated[str, typer.Argument(metavar="ID")]
Seconds = Annotated[str, typer.Option(metavar="SECONDS")]
Cost = Annotated[str, typer.Option(metavar="USD")]
# Help texts: each field's description in commands/patterns.py
# (ledger/interfaces/cli/model_options.py).


@app.command()
@from_model("commands.patterns:ApprovePattern")
@shell_options(recording=True)
def approve(
    pattern_id: PatternArg,
    estimated_time_seconds: Seconds,
    estimated_cost: Cost,
    approved_by: Annotated[str | None, typer.Option()] = None,
    description: Annotated[str | None, typer.Option()] = None,
    confidence: Annotated[str | None, typer.Option(metavar="0..1")] = None,
    failed_runs_lose_time: Annotated[bool, typer.Option("--failed-runs-lose-time")] = False,
    approved_at: Annotated[str | None, typer.Option(metavar="TS")] = None,
    *,
    shell: Shell,
) -> None:
    """Approve a pattern with the time and cost one run should take."""
    with shell.recording() as ledger:
        result = ledger.approve_pattern(**shell.given(ApprovePattern))
    shell.recorded(result, "Approved")


@app.command()
@from_model("commands.patterns:RevisePatternEstimates")
@shell_options(recording=True)
def revise(
    pattern_id: PatternArg,
    estimated_time_seconds: Annotated[str | None, typer.Option(metavar="SECONDS")] = None,
    estimated_cost: Annotated[str | None, typer.Option(metavar="USD")] = None,
    reason: Annotated[str | None, typer.Option()] = None,
    revised_at: Annotated[str | None, typer.Option(metavar="TS")] = None,
    *,
    shell: Shell,
) -> None:
    """Revise a pattern's estimates; later executions default to the new ones."""
    with shell.recording() as ledger:
        result = ledger.revise_pattern(**shell.given(RevisePatternEstimates))
    shell.recorded(result, "Revised")


@app.command()
@from_model("commands.patterns:RevokePattern")
@shell_options(recording=True)
def revoke(
    pattern_id: PatternArg,
    reason: Annotated[str, typer.Option()],
    revoked_at: Annotated[str | None, typer.Option(metavar="TS")] = None,
    *,
    shell: Shell,
) -> None:
    """Revoke a pattern: its executions are refused from now on."""
    with shell.recording() as ledger:
        result = ledger.revoke_pattern(**shell.given(RevokePattern))
    shell.recorded(result, "Revoked")


@app.command()
@from_model("commands.patterns:RecordPatternCost")
@shell_options(recording=True)
def cost(
    pattern_id: PatternArg,
    amount: Annotated[str, typer.Option(metavar="USD")],
    label: Annotated[str, typer.Option()],
    recurrence: Annotated[str, typer.Option(metavar="one-off|monthly")] = "one-off",
    until: Annotated[str | None, typer.Option(metavar="TS")] = None,
    incurred_at: Annotated[str | None, typer.Option(metavar="TS")] = None,
    *,
    shell: Shell,
) -> None:
    """Record what a pattern costs to have, apart from its runs: a one-off cost (building
    it) or a monthly one (a licence, maintenance). `roi pattern` sets its ROI with and
    without them, and its payback date."""
    with shell.recording() as ledger:
        result = ledger.record_cost(**shell.given(RecordPatternCost))
    shell.recorded(result, "Cost recorded")


def _day(stamp: str | None) -> str:
    """A timestamp's UTC day; a dash for none."""
    return "–" if stamp is None else stamp[:10]


COST_COLUMNS: list[Column] = [
    column("seq", "seq", str),
    column("label", "label"),
    column("amount", "amount_usd", money),
    column("recurrence", "recurrence"),
    ("from", lambda r: r["incurred_at"][:10]),
    column("until", "until", _day),
]


@read(app, "pattern_costs", title="Costs of {pattern_id}", columns=COST_COLUMNS)
def costs(pattern_id: PatternArg) -> None:
    """List the costs recorded for a pattern (not its runs), oldest first."""


@read(app, "pattern_detail")
def show(pattern_id: PatternArg, *, answer: Answer) -> None:
    """One pattern: its approval, estimates, status and confidence now, and every change to
    them (revisions, revocation, confidence updates, costs) with when it happened."""
    print_detail(answer.value)


def _change(change: dict[str, Any]) -> str:
    """A change's fields in a line: name=value, the unset ones left out."""
    return ", ".join(f"{k}={v}" for k, v in change["fields"].items() if v not in (None, False))


CHANGE_COLUMNS: list[Column] = [
    column("seq", "seq", str),
    column("happened (UTC)", "occurred_at", to_the_second),
    column("recorded (UTC)", "recorded_at", to_the_second),
    ("event", lambda c: c["event_type"].removeprefix("Pattern")),
    ("what", _change),
]


def print_detail(data: dict[str, Any]) -> None:
    """`pattern show` for people: the pattern now, then its changes."""
    print_fields(
        f"Pattern {data['pattern_id']}",
        [
            ("status", data["status"] + (f" ({data['revoke_reason']})" if data["revoke_reason"]
                                         else "")),
            ("description", fmt(data["description"])),
            ("estimates", f"{tenths(data['estimated_time_seconds'])} s, "
                          f"{money(data['estimated_cost'])} per run"),
            ("confidence", f"{fmt(data['confidence'])}"
                           + (f" ({data['confidence_rating']})" if data["confidence_rating"]
                              else "")),
            ("approved", f"{data['approved_at']} by {fmt(data['approved_by'])}"),
            ("failed runs lose time", "yes" if data["failed_runs_lose_time"] else "no"),
            ("executions", f"{data['executions']:,} (roi-ledger roi pattern {data['pattern_id']})"),
        ],
    )  # fmt: skip
    print_table("Changes", CHANGE_COLUMNS, data["changes"])


PATTERN_COLUMNS: list[Column] = [
    column("pattern", "pattern_id"),
    column("status", "status"),
    column("est. seconds", "estimated_time_seconds", tenths),
    column("est. cost", "estimated_cost", money),
    column("confidence", "confidence", fmt),
    ("approved", lambda r: r["approved_at"][:10]),
    column("by", "approved_by", fmt),
]


@read(app, "list_patterns", title="Patterns", columns=PATTERN_COLUMNS, name="list")
def list_() -> None:
    """List every pattern with its status, estimates and confidence."""
