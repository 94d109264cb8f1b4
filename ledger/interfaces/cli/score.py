"""`roi-ledger score`: a file of opportunities scored from the decisions' history (and the
predictions kept in the log for calibration)."""

from pathlib import Path
from typing import Annotated

import typer

from ledger.interfaces.cli.common import output_file
from ledger.interfaces.cli.output import Column, column, money, percent
from ledger.interfaces.cli.shell import Shell, shell_options
from ledger.interfaces.cli.tables import print_table

SCORED_COLUMNS: list[Column] = [
    column("adjusted", "adjusted_score", str),
    column("was", "original_score", str),
    ("type", lambda o: str(o.get("type", o.get("opportunity_type")))),
    ("source", lambda o: str(o.get("source", o.get("opportunity_source")))),
    column("p(convert)", "conversion_probability", percent),
    column("revenue", "predicted_revenue", money),
    column("recommendation", "recommendation"),
]


def register(root: typer.Typer) -> None:
    """Add `score` to the root app."""

    @root.command()
    @shell_options()
    def score(
        input_file: Annotated[
            Path,
            typer.Argument(
                metavar="[INPUT]",
                help="Opportunities: a JSON array, JSON Lines, or CSV/TSV with a header row.",
            ),
        ] = Path("data/opportunities.json"),
        input_format: Annotated[
            str,
            typer.Option(
                "--format",
                metavar="auto|json|jsonl|csv|tsv",
                help="The input's format; auto goes by its extension, else its first line.",
            ),
        ] = "auto",
        output: Annotated[
            Path, typer.Option(metavar="FILE", help="Where the scored array goes.")
        ] = Path("data/opportunities_scored.json"),
        no_record: Annotated[
            bool, typer.Option("--no-record", help="Do not keep the predictions in the log.")
        ] = False,
        *,
        shell: Shell,
    ) -> None:
        """Score opportunities with historical data: adjusted score, probability, priority."""
        from ledger.app.scored_file import score_and_write
        from ledger.core.inputs import read_records

        output_file(shell.ctx, output)
        opportunities = read_records(
            input_file,
            "input",
            input_format,
            "give the JSON, CSV or TSV file of opportunities to score: id, type, source, score",
        )
        with shell.recording() as ledger:
            scored = score_and_write(ledger, opportunities, output, record=not no_record)
        title = f"Scored {len(scored)} opportunities → {output}"
        shell.show(scored, lambda shown: print_table(title, SCORED_COLUMNS, shown[:20]))
