"""The `roi-ledger` command line: a thin layer over `ledger.Ledger`.

`COMMANDS` is the whole tree: each name to what defines it. The root group is lazy (see
`ledger/interfaces/cli/startup.py`, which holds every start-up measure): a run imports and builds
only
the command it names; `--help` builds the list.
"""

import sys
from typing import Annotated, Any

import typer

from ledger.interfaces.cli import startup
from ledger.interfaces.cli.startup import group, registered

COMMANDS: dict[str, startup.Loader] = {
    "init": registered("ledger.interfaces.cli.maintenance", "init"),
    "demo": registered("ledger.interfaces.cli.demo", "demo"),
    "pattern": group("ledger.interfaces.cli.pattern"),
    "record": group("ledger.interfaces.cli.record"),
    "roi": group("ledger.interfaces.cli.roi"),
    "decisions": group("ledger.interfaces.cli.decisions"),
    "score": registered("ledger.interfaces.cli.score", "score"),
    "schedule": group("ledger.interfaces.cli.schedule"),
    "log": registered("ledger.interfaces.cli.audit", "log"),
    "history": registered("ledger.interfaces.cli.audit", "history"),
    "verify": registered("ledger.interfaces.cli.audit", "verify"),
    "digest": registered("ledger.interfaces.cli.audit", "digest"),
    "retract": registered("ledger.interfaces.cli.audit", "retract"),
    "rebuild": registered("ledger.interfaces.cli.audit", "rebuild"),
    "export": registered("ledger.interfaces.cli.maintenance", "export"),
    "import": registered("ledger.interfaces.cli.maintenance", "import"),
    "backup": registered("ledger.interfaces.cli.maintenance", "backup"),
    "serve": registered("ledger.interfaces.cli.serve", "serve"),
}
"""Every command and group of the CLI, by name, to the module that defines it."""


def _show_version(value: bool) -> None:
    """--version: print the installed version and stop."""
    if value:
        from importlib.metadata import version

        sys.stdout.write(f"roi-ledger {version('roi-ledger')}\n")
        raise typer.Exit()


def root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            metavar="PATH|URL",
            envvar="ROI_LEDGER_DB",
            help="Ledger file (default ./roi-ledger.db) or postgresql:// URL.",
        ),
    ] = None,
    wide: Annotated[
        bool,
        typer.Option(
            "--wide",
            help="Show every column of the tables printed, however narrow the terminal (may "
            "also follow the command: roi summary --wide).",
        ),
    ] = False,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet",
            "-q",
            help="Say nothing when a command records successfully (warnings and errors still "
            "go to stderr; --json still prints). May also follow the command.",
        ),
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_show_version, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """roi-ledger: is each automation paying off, and which decisions turn into revenue?"""
    ctx.obj = {"db": db}


def build_app() -> typer.Typer:
    """The CLI as a typer app whose root group loads commands on demand."""

    from ledger.interfaces.cli.common import App

    class Root(startup.LazyGroup):
        def __init__(self, **attrs: Any) -> None:
            super().__init__(lazy=COMMANDS, **attrs)

    app = App(
        cls=Root,
        rich_markup_mode=None,
        name="roi-ledger",
        help="An event-sourced, tamper-evident ledger for automation ROI and decision outcomes.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=True,  # --install-completion / --show-completion (bash, zsh, fish)
        context_settings={"help_option_names": ["-h", "--help"]},
    )
    app.callback()(root)
    return app


def main() -> None:
    """Console-script entry point; usage errors honour --json too."""
    startup.skip_plugin_search()
    startup.run(typer.main.get_command(build_app()), sys.argv[1:])
