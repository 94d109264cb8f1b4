"""`roi-ledger roi …`: is each automation paying off?"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ledger.cli.common import AsOfOpt, JsonOpt, handle_errors, open_ledger, parse_as_of
from ledger.cli.output import fmt, money, pct, print_fields, print_json, print_table

app = typer.Typer(
    help="ROI of automated patterns: summaries, ratings, reports.", no_args_is_help=True
)

PatternArg = Annotated[str, typer.Argument(metavar="ID", help="The pattern id.")]

SUMMARY_COLUMNS: list[tuple[str, Any]] = [
    ("pattern", lambda r: r["pattern_id"]),
    ("runs", lambda r: str(r["total_executions"])),
    ("success", lambda r: pct(r["success_rate"], 100)),
    ("time saved (s)", lambda r: fmt(r["total_time_saved_seconds"], 1)),
    ("cost saved", lambda r: money(r["total_cost_saved_usd"])),
    ("ROI", lambda r: pct(r["roi_percentage"])),
    ("rating", lambda r: r["effectiveness_rating"]),
    ("status", lambda r: r["status"]),
]


def pattern_fields(row: dict[str, Any]) -> list[tuple[str, str]]:
    """A pattern's summary as label/value pairs for the terminal."""
    interval = row["success_rate_interval"]
    return [
        ("status", row["status"]),
        ("executions", f"{row['total_executions']} ({row['successful_executions']} successful)"),
        ("success rate", pct(row["success_rate"], 100)),
        (
            "95% interval",
            "–" if interval is None else f"{interval[0] * 100:.1f}% – {interval[1] * 100:.1f}%",
        ),
        ("time saved", f"{fmt(row['total_time_saved_seconds'], 1)} s"),
        ("cost saved", money(row["total_cost_saved_usd"])),
        ("avg time saved", f"{fmt(row['average_time_saved_seconds'], 2)} s per execution"),
        ("avg cost saved", f"{money(row['average_cost_saved_usd'])} per execution"),
        ("ROI", pct(row["roi_percentage"])),
        ("rating", row["effectiveness_rating"]),
        ("confidence", fmt(row["confidence"])),
        ("last updated", row["last_updated"]),
    ]


@app.command()
@handle_errors
def pattern(
    ctx: typer.Context, pattern_id: PatternArg, as_of: AsOfOpt = None, as_json: JsonOpt = False
) -> None:
    """One pattern's ROI summary."""
    with open_ledger(ctx, create=False) as ledger:
        row = ledger.pattern_roi(pattern_id, as_of=parse_as_of(as_of))
    if as_json:
        print_json(row)
    else:
        print_fields(f"ROI of {pattern_id}", pattern_fields(row))


@app.command()
@handle_errors
def summary(ctx: typer.Context, as_of: AsOfOpt = None, as_json: JsonOpt = False) -> None:
    """Every pattern's ROI, by total cost saved."""
    with open_ledger(ctx, create=False) as ledger:
        rows = ledger.roi_summary(as_of=parse_as_of(as_of))
    if as_json:
        print_json(rows)
    else:
        print_table("Pattern ROI summary (by cost saved)", SUMMARY_COLUMNS, rows)
