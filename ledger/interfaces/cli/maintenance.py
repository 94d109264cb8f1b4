"""Ledger maintenance: create one (init), move its log out and in (export, import), copy it
whole (backup)."""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ledger.core.inputs import MAX_IMPORT
from ledger.errors import InputError
from ledger.interfaces.cli.common import AfterOpt, ledger_location
from ledger.interfaces.cli.output import echo
from ledger.interfaces.cli.shell import Shell, shell_options
from ledger.store import shown


def register(app: typer.Typer) -> None:
    """Add the maintenance commands to the root app."""

    @app.command()
    @shell_options()
    def init(*, shell: Shell) -> None:
        """Create an empty ledger (the log, its guards and the projections)."""
        with shell.recording() as ledger:
            head = ledger.digest()
            location = shown(ledger.location)
        shown_head = {"db": location, **head}
        shell.show(shown_head, lambda v: echo(f"Ledger ready at {v['db']} (head seq {v['seq']})"))

    @app.command()
    @shell_options(as_of=True)
    def export(
        output: Annotated[
            Path | None, typer.Option(metavar="FILE", help="Default: standard output.")
        ] = None,
        after: AfterOpt = 0,
        analytics: Annotated[
            Path | None,
            typer.Option(
                metavar="FILE.db",
                help="Instead: the projections in a new SQLite file for Datasette (keys, "
                "full-text search, FILE.metadata.json beside it).",
            ),
        ] = None,
        *,
        shell: Shell,
    ) -> None:
        """Write the log as JSON Lines (one event envelope per line), as it stood --as-of;
        or, with --analytics, its projections as a SQLite file to explore with Datasette."""
        from ledger.audit.chain import export_events
        from ledger.core.outputs import atomic_file, check_target

        if analytics is not None:
            from ledger.app.analytics import export as export_analytics

            if output is not None or after:
                raise InputError(
                    "analytics: --analytics writes the projections; --output and --after are "
                    "for the log's JSON Lines (use one or the other)",
                    {"field": "analytics"},
                )
            with shell.reading() as ledger:
                result = export_analytics(ledger, analytics, shell.point)
            shell.show(result, lambda v: _print_analytics(analytics, v))
            return

        if output is not None:
            check_target(output, ledger_location(shell.ctx), "output", make_parents=False)
        with shell.reading(catch_up=False) as ledger:
            upto = ledger.service.resolve_as_of(shell.point)
            if output is None:
                count = export_events(ledger.service, sys.stdout, after, upto)
                return
            with atomic_file(output, ledger.location) as handle:
                count = export_events(ledger.service, handle, after, upto)
        exported = {"exported": count, "file": str(output)}
        shell.show(exported, lambda v: echo(f"Exported {v['exported']} events to {v['file']}"))

    @app.command("import")
    @shell_options()
    def import_(
        file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
        max_size: Annotated[
            int,
            typer.Option(
                min=1,
                metavar="BYTES",
                help="Refuse a file larger than this (it is copied aside once, so that "
                "what is checked is what is appended).",
            ),
        ] = MAX_IMPORT,
        *,
        shell: Shell,
    ) -> None:
        """Append exported events, all or none: the file's chain must continue this ledger's
        exactly, and each event must be what its command would record at that point (the
        same limits and rules as a recorded one)."""
        from ledger.app.importing import import_events
        from ledger.core.inputs import count_lines
        from ledger.interfaces.cli.progress import ProgressBar, stderr_is_terminal

        drawn = stderr_is_terminal() and not shell.as_json
        total = (count_lines(file) or 0) if drawn else 0
        with shell.recording() as ledger, ProgressBar("importing", total, drawn) as bar:
            result = import_events(ledger.service, str(file), bar.advance, max_size=max_size)
        shell.show(
            result,
            lambda v: echo(
                f"Imported {v['imported']} events ({v['already_present']} already present); head "
                f"{v['seq']}:{v['hash']}"
            ),
        )

    @app.command()
    @shell_options()
    def backup(
        file: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write the copy.")],
        *,
        shell: Shell,
    ) -> None:
        """Copy the whole SQLite ledger, consistently, while others keep writing."""
        from ledger.core.outputs import check_target
        from ledger.errors import InputError

        check_target(file, ledger_location(shell.ctx), "file", make_parents=False)
        if file.exists():
            raise InputError(f"file: {file} exists; choose a new path", {"field": "file"})
        with shell.reading(catch_up=False) as ledger:
            head = ledger.backup(file)
        copied = {"file": str(file), **head}
        shell.show(
            copied, lambda v: echo(f"Backed up to {v['file']} (head {v['seq']}:{v['hash']})")
        )


def _print_analytics(analytics: Path, result: dict[str, Any]) -> None:
    """`export --analytics` for people: what was written, and how to explore it."""
    counts = ", ".join(f"{n} {t}" for t, n in result["tables"].items())
    echo(
        f"Wrote {analytics} (as of seq {result['as_of_seq']}: {counts}) and "
        f"{result['metadata']}; explore it with `datasette {analytics} --metadata "
        f"{result['metadata']}`"
    )
