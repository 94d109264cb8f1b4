"""The `roi-ledger` command line: a thin layer over `ledger.Ledger`.

Start-up is kept cheap: `main` builds only the command group the arguments name (the full
tree only for help or an unknown command), and heavy modules — rich tables, FastAPI,
APScheduler, psycopg — are imported inside the commands that use them.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Annotated, Any

import typer

GROUPS = {
    "pattern": "ledger.cli.pattern",
    "record": "ledger.cli.record",
    "roi": "ledger.cli.roi",
    "decisions": "ledger.cli.decisions",
    "schedule": "ledger.cli.schedule",
}
"""Sub-apps, one module each, mounted with add_typer under their key."""

TOP_LEVEL = ("ledger.cli.audit", "ledger.cli.demo", "ledger.cli.decisions")
"""Modules whose `register(app)` adds root-level commands."""


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
) -> None:
    """roi-ledger: is each automation paying off, and which decisions turn into revenue?"""
    ctx.obj = {"db": db}


def build_app(only: str | None = None) -> typer.Typer:
    """The CLI; with `only` naming a group, just that group is imported and mounted."""
    app = typer.Typer(
        name="roi-ledger",
        help="An event-sourced, tamper-evident ledger for automation ROI and decision outcomes.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    app.callback()(root)
    for name, module in GROUPS.items():
        if only is None or only == name:
            app.add_typer(importlib.import_module(module).app, name=name)
    if only is None or only not in GROUPS:
        for module in TOP_LEVEL:
            importlib.import_module(module).register(app)
    return app


def _command_word(argv: list[str]) -> str | None:
    """The first argument that is a command (skipping the global --db and its value)."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--db":
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def __getattr__(name: str) -> Any:
    if name == "app":
        return build_app()
    raise AttributeError(name)


def _click_exceptions() -> Any:
    """click's exception classes (typer ≥ 0.20 vendors its own copy of click)."""
    try:
        return importlib.import_module("typer._click.exceptions")
    except ImportError:  # older typer runs on click itself
        return importlib.import_module("click.exceptions")


def main() -> None:
    """Console-script entry point; usage errors honour --json too."""
    # The CLI uses no pydantic plugins; looking for them scans every installed package's
    # entry points, which would cost a one-event append more than its own work.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    argv = sys.argv[1:]
    word = _command_word(argv)
    only = None if word is None else word if word in GROUPS else ""
    command = typer.main.get_command(build_app(only))
    errors = _click_exceptions()
    try:
        code = command.main(args=argv, prog_name="roi-ledger", standalone_mode=False)
    except errors.UsageError as exc:
        if "--json" in argv:
            from ledger.cli.output import print_error

            path = exc.ctx.command_path if exc.ctx else None
            print_error(exc.format_message(), {"usage": path}, True)
        else:
            exc.show()
        sys.exit(2)
    except typer.Abort:
        sys.stderr.write("Aborted.\n")
        sys.exit(1)
    except errors.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
