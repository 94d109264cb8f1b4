"""The `roi-ledger` command line: a thin layer over `ledger.Ledger`.

Start-up is kept cheap: `main` builds only the command group the arguments name (the full
tree only for help or an unknown command), and heavy modules — rich tables, FastAPI,
APScheduler, psycopg — are imported inside the commands that use them. Command modules do
without `from __future__ import annotations`: typer reads each command's signature on every
run, and string annotations would have to be evaluated first.
"""

import copy
import importlib
import os
import sys
import types
from typing import Annotated, Any

import typer

from ledger.cli.model_options import describe

GROUPS = {
    "pattern": "ledger.cli.pattern",
    "record": "ledger.cli.record",
    "roi": "ledger.cli.roi",
    "decisions": "ledger.cli.decisions",
    "schedule": "ledger.cli.schedule",
}
"""Sub-apps, one module each, mounted with add_typer under their key."""

TOP_LEVEL = (
    "ledger.cli.maintenance",
    "ledger.cli.audit",
    "ledger.cli.demo",
    "ledger.cli.decisions",
)
"""Modules whose `register(app)` adds root-level commands."""


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
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_show_version, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """roi-ledger: is each automation paying off, and which decisions turn into revenue?"""
    ctx.obj = {"db": db}


def build_app(only: str | None = None, command: str | None = None) -> typer.Typer:
    """The CLI; with `only` naming a group, just that group is imported and mounted, and with
    `command` naming one of its commands, just that command (typer reads the signature of
    every command it mounts: a few ms each, on every run)."""
    app = typer.Typer(
        rich_markup_mode=None,
        name="roi-ledger",
        help="An event-sourced, tamper-evident ledger for automation ROI and decision outcomes.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    app.callback()(root)
    for name, module in GROUPS.items():
        if only is None or only == name:
            group: typer.Typer = importlib.import_module(module).app
            app.add_typer(_just(group, command) if only == name else group, name=name)
    if only is None or only not in GROUPS:
        for module in TOP_LEVEL:
            importlib.import_module(module).register(app)
    for callback in _callbacks(app, only, command):
        describe(callback)
    return app


def _callbacks(app: typer.Typer, only: str | None, command: str | None) -> list[Any]:
    """The callbacks of the commands this app mounts (just the one being run, when known)."""
    mounted = [c for c in app.registered_commands if only is None or command in (None, _name(c))]
    for group in app.registered_groups:
        assert group.typer_instance is not None
        mounted += group.typer_instance.registered_commands
    return [c.callback for c in mounted if c.callback is not None]


def _just(group: typer.Typer, command: str | None) -> typer.Typer:
    """A copy of the group holding only the named command (the whole group if it has none
    by that name, so that an unknown command is answered with the full list)."""
    chosen = [c for c in group.registered_commands if _name(c) == command]
    if not chosen:
        return group
    narrowed = copy.copy(group)
    narrowed.registered_commands = chosen
    return narrowed


def _name(info: Any) -> str:
    """A registered command's name as typed on the command line."""
    return str(info.name or info.callback.__name__.lower().replace("_", "-"))


def _command_words(argv: list[str]) -> list[str]:
    """The arguments that name a command: group, then subcommand (skipping the global --db
    and its value, and every option)."""
    words: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--db":
            skip = True
        elif not arg.startswith("-"):
            words.append(arg)
            if len(words) == 2:
                break
    return words


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


def _skip_plugin_loader() -> None:
    """With plugins off, stand in for pydantic's plugin loader before pydantic imports it.

    The loader finds no plugins when PYDANTIC_DISABLE_PLUGINS is set, but importing it
    imports `importlib.metadata`, and with it `email`, `socket`, `csv` and `zipfile`: about
    15 ms of a 250 ms append, for nothing. The stand-in answers what the loader would (no
    plugins). tests/test_startup.py runs real appends with it, so a pydantic release that
    needed more from the loader would fail there, not in a user's shell.
    """
    name = "pydantic.plugin._loader"
    if name in sys.modules or os.environ.get("PYDANTIC_DISABLE_PLUGINS") not in _ALL:
        return
    stand_in = types.ModuleType(name, "No pydantic plugins: the CLI runs with them disabled.")
    stand_in.get_plugins = lambda: ()  # type: ignore[attr-defined]
    sys.modules[name] = stand_in


_ALL = ("__all__", "1", "true")
"""PYDANTIC_DISABLE_PLUGINS values that turn every plugin off (as pydantic reads them)."""


def main() -> None:
    """Console-script entry point; usage errors honour --json too."""
    # The CLI uses no pydantic plugins; looking for them scans every installed package's
    # entry points, which would cost a one-event append more than its own work.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    _skip_plugin_loader()
    argv = sys.argv[1:]
    words = _command_words(argv)
    only = None if not words else words[0] if words[0] in GROUPS else ""
    sub = words[1] if len(words) > 1 and "--help" not in argv and "-h" not in argv else None
    command = typer.main.get_command(build_app(only, sub))
    errors = _click_exceptions()
    try:
        code = command.main(args=argv, prog_name="roi-ledger", standalone_mode=False)
    except errors.UsageError as exc:
        from ledger.cli.output import print_error
        from ledger.validation import clip

        # click quotes the bad value whole: a 100 kB argument would come back as a 100 kB error
        message = clip(exc.format_message(), 300)
        path = exc.ctx.command_path if exc.ctx else None
        if "--json" not in argv and exc.ctx is not None:
            sys.stderr.write(f"{exc.ctx.get_usage()}\nTry '{path} --help' for help.\n\n")
        print_error(message, {"usage": path}, "--json" in argv)
        sys.exit(2)
    except typer.Abort:
        sys.stderr.write("Aborted.\n")
        sys.exit(1)
    except errors.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)
