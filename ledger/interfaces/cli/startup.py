"""Every measure the CLI takes to start fast, in one place (budget: a one-event append from
the shell within 1.5x `import typer, pydantic`; `bench/startup.py` measures it).

1. **Lazy commands** — click's documented lazy-loading pattern: a group that knows its
   commands' names (`COMMANDS` in `ledger/interfaces/cli/__init__.py`) and imports and builds only
   the
   one being run. typer reads a command's whole signature to build it, a few ms each.
2. **No plugin search** — pydantic looks for plugins through every installed package's entry
   points the first time a model is built; importing its loader pulls in
   `importlib.metadata`, `email`, `socket`, `csv` and `zipfile` (about 15 ms) to find none.
   The CLI uses no pydantic plugins, so on the pydantic releases it is tested with it answers
   the loader's one question itself ("no plugins"). Any other release, or a user who set
   `PYDANTIC_DISABLE_PLUGINS` themselves, gets pydantic's normal path. Nothing is set in the
   environment, so child processes see pydantic as configured.
3. Heavy modules (rich tables, FastAPI, APScheduler, psycopg) are imported inside the
   commands that use them; command modules do without `from __future__ import annotations`
   (typer would have to evaluate every string annotation on each run).
"""

import importlib
import os
import sys
import types
from collections.abc import Callable, Mapping
from typing import Any

import typer
import typer.core
import typer.main

PYDANTIC_TESTED = ((2, 6), (3, 0))
"""pydantic releases [from, to) whose plugin loader the stand-in answers for (the tests run
appends through it; a release outside the range takes pydantic's own path)."""

LOADER = "pydantic.plugin._loader"


def skip_plugin_search(version: str | None = None) -> bool:
    """Stand in for pydantic's plugin loader before any model is built; whether it did."""
    text = version if version is not None else _pydantic_version()
    try:
        release = tuple(int(part) for part in text.split(".")[:2])
    except ValueError:
        return False
    if not PYDANTIC_TESTED[0] <= release < PYDANTIC_TESTED[1]:
        return False
    if LOADER in sys.modules or "PYDANTIC_DISABLE_PLUGINS" in os.environ:
        return False
    stand_in = types.ModuleType(LOADER, "roi-ledger's CLI runs without pydantic plugins.")
    stand_in.get_plugins = lambda: ()  # type: ignore[attr-defined]
    sys.modules[LOADER] = stand_in
    return True


def _pydantic_version() -> str:
    from pydantic.version import VERSION  # cheap: builds no model

    return str(VERSION)


Loader = Callable[[], Any]
"""Imports what defines a command and returns it: a `typer.Typer` group, or a command's
`CommandInfo`."""


class LazyGroup(typer.core.TyperGroup):
    """A command group that builds a command only when it is looked up (click's pattern:
    override `list_commands` and `get_command`)."""

    def __init__(self, *, lazy: Mapping[str, Loader] | None = None, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.lazy = dict(lazy or {})

    def list_commands(self, ctx: Any) -> list[str]:
        return [*self.lazy, *(n for n in super().list_commands(ctx) if n not in self.lazy)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in self.lazy:
            self.commands[cmd_name] = build(cmd_name, self.lazy[cmd_name]())
        return super().get_command(ctx, cmd_name)


def build(name: str, target: Any) -> Any:
    """A click command from a sub-app (itself lazy) or a registered command, checked against
    its command model (`ledger/interfaces/cli/model_options.py`)."""
    from ledger.interfaces.cli.model_options import describe

    if isinstance(target, typer.Typer):
        infos = {command_name(c): c for c in target.registered_commands}
        return LazyGroup(
            name=name,
            help=target.info.help if isinstance(target.info.help, str) else None,
            no_args_is_help=True,
            rich_markup_mode=None,
            lazy={n: _given(info) for n, info in infos.items()},
        )
    assert target.callback is not None
    describe(target.callback)
    return typer.main.get_command_from_info(
        target, pretty_exceptions_short=True, rich_markup_mode=None
    )


def _given(info: Any) -> Loader:
    return lambda: info


def command_name(info: Any) -> str:
    """A registered command's name as typed on the command line."""
    return str(info.name or info.callback.__name__.lower().replace("_", "-"))


def registered(module: str, name: str) -> Loader:
    """A loader for a root-level command that `module.register(app)` defines."""

    def load() -> Any:
        from ledger.interfaces.cli.common import App

        scratch = App()
        importlib.import_module(module).register(scratch)
        return next(c for c in scratch.registered_commands if command_name(c) == name)

    return load


def group(module: str) -> Loader:
    """A loader for the sub-app `module.app`."""
    return lambda: importlib.import_module(module).app


def run(command: Any, argv: list[str]) -> None:
    """Run the CLI: usage errors as one clipped line (JSON with --json), exit codes kept.
    `--wide` and `--quiet` (`-q`), anywhere on the line, show every column of the tables
    printed and silence a recording command's confirmation."""
    for flag in ("--wide", "--quiet", "-q"):
        if flag in argv:
            from ledger.interfaces.cli.output import QUIET, WIDE

            (WIDE if flag == "--wide" else QUIET).set(True)
            argv = [a for a in argv if a != flag]
    try:
        code = command.main(args=argv, prog_name="roi-ledger", standalone_mode=False)
    except typer.Abort:
        sys.stderr.write("Aborted.\n")
        sys.exit(1)
    except typer.TyperException as exc:  # click's exceptions, as typer ships them
        if type(exc).__name__ == "NoArgsIsHelpError":  # a group typed alone: its help
            sys.stdout.write(exc.ctx.get_help() + "\n")  # type: ignore[attr-defined]
            sys.exit(0)
        if getattr(exc, "exit_code", None) == 2 and hasattr(exc, "ctx"):  # a usage error
            usage_error(exc, exc.ctx, argv)
        show = getattr(exc, "show", None)
        if show is None:
            raise
        show()
        sys.exit(getattr(exc, "exit_code", 1))
    sys.exit(code if isinstance(code, int) else 0)


def usage_error(exc: Any, ctx: Any, argv: list[str]) -> None:
    """A usage error: the usage line and a hint on a terminal, the message clipped (click
    quotes the bad value whole: a 100 kB argument would come back as a 100 kB error)."""
    from ledger.interfaces.cli.output import print_error
    from ledger.validation import clip

    message = clip(exc.format_message(), 300) + _hint(exc, ctx, argv)
    path = ctx.command_path if ctx is not None else None
    if "--json" not in argv and ctx is not None:
        sys.stderr.write(f"{ctx.get_usage()}\nTry '{path} --help' for help.\n\n")
    print_error(message, {"usage": path}, "--json" in argv)
    sys.exit(2)


def _hint(exc: Any, ctx: Any, argv: list[str]) -> str:
    """What a usage error leaves out: the command meant by a mistyped one, the other half
    of a --yes/--no pair."""
    import difflib

    param = getattr(exc, "param", None)
    if type(exc).__name__ == "MissingParameter" and param is not None and param.secondary_opts:
        return f" Give {param.opts[0]} or {param.secondary_opts[0]}."
    message = exc.format_message()
    if message.startswith("No such command") and ctx is not None:
        typed = next((a for a in argv if a in message), "")
        names = ctx.command.list_commands(ctx)
        close = difflib.get_close_matches(typed, names, n=1, cutoff=0.6)
        if close:
            return f" Did you mean '{close[0]}'?"
        return f" Commands here: {', '.join(names)}."
    return ""
