"""`roi-ledger pattern …`: approve, revise, revoke and list automated patterns."""

from typing import Annotated, Any

import typer

from commands.patterns import (
    ApprovePattern,
    RecordPatternCost,
    RevisePatternEstimates,
    RevokePattern,
)
from ledger.interfaces.cli.common import (
    App,
    AsOfOpt,
    DbOpt,
    ExpectedOpt,
    FormatOpt,
    JsonOpt,
    KeyOpt,
    handle_errors,
    open_ledger,
    parse_as_of,
)
from ledger.interfaces.cli.model_options import from_model, given
from ledger.interfaces.cli.output import (
    fmt,
    money,
    print_fields,
    print_json,
    print_recorded,
    print_table,
)
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
@handle_errors
def approve(
    ctx: typer.Context,
    pattern_id: PatternArg,
    estimated_time_seconds: Seconds,
    estimated_cost: Cost,
    approved_by: Annotated[str | None, typer.Option()] = None,
    description: Annotated[str | None, typer.Option()] = None,
    confidence: Annotated[str | None, typer.Option(metavar="0..1")] = None,
    failed_runs_lose_time: Annotated[bool, typer.Option("--failed-runs-lose-time")] = False,
    approved_at: Annotated[str | None, typer.Option(metavar="TS")] = None,
    idempotency_key: KeyOpt = None,
    expected_version: ExpectedOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Approve a pattern with the time and cost one run should take."""
    with open_ledger(ctx) as ledger:
        result = ledger.approve_pattern(**given(ctx, ApprovePattern))
    print_recorded(result, as_json, "Approved")


@app.command()
@from_model("commands.patterns:RevisePatternEstimates")
@handle_errors
def revise(
    ctx: typer.Context,
    pattern_id: PatternArg,
    estimated_time_seconds: Annotated[str | None, typer.Option(metavar="SECONDS")] = None,
    estimated_cost: Annotated[str | None, typer.Option(metavar="USD")] = None,
    reason: Annotated[str | None, typer.Option()] = None,
    revised_at: Annotated[str | None, typer.Option(metavar="TS")] = None,
    idempotency_key: KeyOpt = None,
    expected_version: ExpectedOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revise a pattern's estimates; later executions default to the new ones."""
    with open_ledger(ctx) as ledger:
        result = ledger.revise_pattern(**given(ctx, RevisePatternEstimates))
    print_recorded(result, as_json, "Revised")


@app.command()
@from_model("commands.patterns:RevokePattern")
@handle_errors
def revoke(
    ctx: typer.Context,
    pattern_id: PatternArg,
    reason: Annotated[str, typer.Option()],
    revoked_at: Annotated[str | None, typer.Option(metavar="TS")] = None,
    idempotency_key: KeyOpt = None,
    expected_version: ExpectedOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Revoke a pattern: its executions are refused from now on."""
    with open_ledger(ctx) as ledger:
        result = ledger.revoke_pattern(**given(ctx, RevokePattern))
    print_recorded(result, as_json, "Revoked")


@app.command()
@from_model("commands.patterns:RecordPatternCost")
@handle_errors
def cost(
    ctx: typer.Context,
    pattern_id: PatternArg,
    amount: Annotated[str, typer.Option(metavar="USD")],
    label: Annotated[str, typer.Option()],
    recurrence: Annotated[str, typer.Option(metavar="one-off|monthly")] = "one-off",
    until: Annotated[str | None, typer.Option(metavar="TS")] = None,
    incurred_at: Annotated[str | None, typer.Option(metavar="TS")] = None,
    idempotency_key: KeyOpt = None,
    expected_version: ExpectedOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Record what a pattern costs to have, apart from its runs: a one-off cost (building
    it) or a monthly one (a licence, maintenance). `roi pattern` sets its ROI with and
    without them, and its payback date."""
    with open_ledger(ctx) as ledger:
        result = ledger.record_cost(**given(ctx, RecordPatternCost))
    print_recorded(result, as_json, "Cost recorded")


@app.command()
@handle_errors
def costs(
    ctx: typer.Context,
    pattern_id: PatternArg,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    form: FormatOpt = None,
) -> None:
    """List the costs recorded for a pattern (not its runs), oldest first."""
    with open_ledger(ctx, create=False) as ledger:
        rows = ledger.pattern_costs(pattern_id, as_of=parse_as_of(as_of))
    if as_json:
        print_json(rows)
        return
    print_table(
        f"Costs of {pattern_id}",
        [
            ("seq", lambda r: str(r["seq"])),
            ("label", lambda r: r["label"]),
            ("amount", lambda r: money(r["amount_usd"])),
            ("recurrence", lambda r: r["recurrence"]),
            ("from", lambda r: r["incurred_at"][:10]),
            ("until", lambda r: "–" if r["until"] is None else r["until"][:10]),
        ],
        rows,
    )


@app.command()
@handle_errors
def show(
    ctx: typer.Context,
    pattern_id: PatternArg,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    form: FormatOpt = None,
) -> None:
    """One pattern: its approval, estimates, status and confidence now, and every change to
    them (revisions, revocation, confidence updates, costs) with when it happened."""
    with open_ledger(ctx, create=False) as ledger:
        data = ledger.pattern_detail(pattern_id, as_of=parse_as_of(as_of))
    if as_json:
        print_json(data)
        return
    print_fields(
        f"Pattern {data['pattern_id']}",
        [
            ("status", data["status"] + (f" ({data['revoke_reason']})" if data["revoke_reason"]
                                         else "")),
            ("description", fmt(data["description"])),
            ("estimates", f"{fmt(data['estimated_time_seconds'], 1)} s, "
                          f"{money(data['estimated_cost'])} per run"),
            ("confidence", f"{fmt(data['confidence'])}"
                           + (f" ({data['confidence_rating']})" if data["confidence_rating"]
                              else "")),
            ("approved", f"{data['approved_at']} by {fmt(data['approved_by'])}"),
            ("failed runs lose time", "yes" if data["failed_runs_lose_time"] else "no"),
            ("executions", f"{data['executions']:,} (roi-ledger roi pattern {data['pattern_id']})"),
        ],
    )  # fmt: skip
    print_table(
        "Changes",
        [
            ("seq", lambda c: str(c["seq"])),
            ("happened (UTC)", lambda c: to_the_second(c["occurred_at"])),
            ("recorded (UTC)", lambda c: to_the_second(c["recorded_at"])),
            ("event", lambda c: c["event_type"].removeprefix("Pattern")),
            ("what", lambda c: _change(c)),
        ],
        data["changes"],
    )


def _change(change: dict[str, Any]) -> str:
    """A change's fields in a line: name=value, the unset ones left out."""
    return ", ".join(f"{k}={v}" for k, v in change["fields"].items() if v not in (None, False))


@app.command("list")
@handle_errors
def list_(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
    form: FormatOpt = None,
) -> None:
    """List every pattern with its status, estimates and confidence."""
    with open_ledger(ctx, create=False) as ledger:
        rows = ledger.list_patterns(as_of=parse_as_of(as_of))
    if as_json:
        print_json(rows)
        return
    print_table(
        "Patterns",
        [
            ("pattern", lambda r: r["pattern_id"]),
            ("status", lambda r: r["status"]),
            ("est. seconds", lambda r: fmt(r["estimated_time_seconds"], 1)),
            ("est. cost", lambda r: money(r["estimated_cost"])),
            ("confidence", lambda r: fmt(r["confidence"])),
            ("approved", lambda r: r["approved_at"][:10]),
            ("by", lambda r: fmt(r["approved_by"])),
        ],
        rows,
    )
