"""`roi-ledger demo`: fill a ledger with sample data and show what the ledger tells you."""

from typing import Annotated

import typer

from ledger.interfaces.cli.common import NowOpt
from ledger.interfaces.cli.output import echo, print_json
from ledger.interfaces.cli.shell import Shell, shell_options
from ledger.interfaces.cli.tables import print_table


def register(app: typer.Typer) -> None:
    """Add `demo` to the root app."""

    @app.command()
    @shell_options()
    def demo(
        days: Annotated[int, typer.Option(help="Days of history to create.")] = 30,
        seed: Annotated[int, typer.Option(help="Random seed: same seed, same data.")] = 7,
        now: NowOpt = None,
        force: Annotated[
            bool, typer.Option("--force", help="Add demo data to a ledger holding real events.")
        ] = False,
        *,
        shell: Shell,
    ) -> None:
        """Create realistic sample data (reproducible by seed) and print the dashboards."""
        from ledger.core.moments import moment
        from ledger.interfaces.cli.decision_tables import conversion_columns
        from ledger.interfaces.cli.roi_tables import SUMMARY_COLUMNS
        from ledger.interfaces.demo import run_demo
        from ledger.store import shown

        when = moment(now, recording=True)
        with shell.recording() as ledger:
            outcome = run_demo(ledger, seed=seed, days=days, now=when, force=force)
            summary = ledger.roi_summary()
            conversions = ledger.conversion_metrics("source")
            insights = ledger.insights()
            calibration = ledger.calibration()
            location = shown(ledger.location)
        if shell.as_json:
            print_json(
                {
                    "db": location,
                    **outcome.as_dict(),
                    "roi_summary": summary,
                    "conversions_by_source": conversions,
                    "insights": insights,
                    "calibration": {k: calibration[k] for k in ("count", "brier_score")},
                }
            )
            return
        echo(
            f"Demo ledger at {location}: {outcome.accepted} events recorded"
            f" ({outcome.duplicates} already there)."
        )
        print_table("Pattern ROI summary (by cost saved)", SUMMARY_COLUMNS, summary)
        print_table("Decisions by source", conversion_columns("source"), conversions)
        for insight in insights:
            echo(f"💡 {insight['title']} — {insight['description']}")
        if calibration["count"]:
            echo(
                f"🎯 Predictions so far: Brier score {calibration['brier_score']:.4f} over "
                f"{calibration['count']} scored decisions"
            )
        echo(
            "\nTry: roi-ledger roi dashboard · roi-ledger roi alerts · "
            "roi-ledger decisions insights · roi-ledger decisions summary · roi-ledger verify"
        )
