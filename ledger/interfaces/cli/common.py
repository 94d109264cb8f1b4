"""What every command shares: the options (added to a command by `shell.py`), opening the
ledger, and errors to exit codes.

Exit codes: 0 success; 2 bad input or a refused command (nothing written); 1 anything else.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar, cast

import typer
from typer.core import TyperCommand

from commands.fields import MAX_SAFE_INT
from ledger.core.periods import HELP as WINDOW_HELP
from ledger.interfaces.cli.output import print_error

if TYPE_CHECKING:
    from ledger.app.facade import Ledger
    from ledger.interfaces.logs import LogFormat


Function = TypeVar("Function", bound=Callable[..., Any])


class Command(TyperCommand):
    """A command whose usage line names its arguments as `--help` lists them: `ID`, `FILE`,
    optional ones in brackets (typer 0.29 writes required ones as `{ID}`, which reads like
    a literal to type)."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = param.metavar or (param.name or "").upper()
                name += "..." if param.nargs != 1 else ""
                pieces.append(name if param.required or name.startswith("[") else f"[{name}]")
        return pieces


class App(typer.Typer):
    """`typer.Typer` whose commands are `Command`s (a group's usage keeps typer's)."""

    def command(
        self, name: str | None = None, *, cls: type[TyperCommand] | None = None, **kwargs: Any
    ) -> Callable[[Function], Function]:
        return super().command(name, cls=cls or Command, **kwargs)


DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        metavar="PATH|URL",
        help="Ledger file or postgresql:// URL (also before the command, or ROI_LEDGER_DB).",
    ),
]
JsonOpt = Annotated[
    bool, typer.Option("--json", help="Machine-readable JSON on stdout (errors on stderr).")
]
FORMATS = ("table", "json", "csv", "markdown")
FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        metavar="table|json|csv|markdown",
        help="Output as a table (the default), json (as --json), csv (the raw values) or markdown.",
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="SEQ|TIMESTAMP",
        help="Answer from the log as it stood then (events with seq ≤ SEQ or recorded ≤ TS).",
    ),
]
SinceOpt = Annotated[str | None, typer.Option("--since", metavar="DATE", help=WINDOW_HELP["since"])]
UntilOpt = Annotated[str | None, typer.Option("--until", metavar="DATE", help=WINDOW_HELP["until"])]
PeriodOpt = Annotated[
    str | None, typer.Option("--period", metavar="PERIOD", help=WINDOW_HELP["period"])
]


CompareOpt = Annotated[
    str | None,
    typer.Option(
        "--compare",
        metavar="previous|PERIOD",
        help="Show the window beside another: 'previous' (the month before a month, the equal "
        "span before a range) or a period such as 2025-11; each figure's change, and a test of "
        "the rates.",
    ),
]
"""--compare, the same on every read that takes it."""

NowOpt = Annotated[
    str | None,
    typer.Option(
        "--now", metavar="TIMESTAMP", help="Evaluate relative to this time (default now)."
    ),
]
AfterOpt = Annotated[int, typer.Option(min=0, max=MAX_SAFE_INT, help="Only events after this seq.")]
"""--after on the log's reads (history, export): a seq, 0 for the whole log."""
KeyOpt = Annotated[
    str | None,
    typer.Option(
        "--idempotency-key",
        metavar="KEY",  # help: the command model's idempotency_key
    ),
]
ExpectedOpt = Annotated[
    int | None,
    typer.Option(
        "--expected-version",
        metavar="N",  # help: the command model's expected_version
    ),
]

P = ParamSpec("P")
R = TypeVar("R")


def db_location(ctx: typer.Context) -> str | None:
    """The --db value given after the command, else before it (or None: env / default)."""
    here = ctx.params.get("db")
    if isinstance(here, str):
        return here
    root = ctx.find_root()
    obj = root.obj if isinstance(root.obj, dict) else {}
    value = obj.get("db")
    return value if isinstance(value, str) else None


def ledger_location(ctx: typer.Context) -> str:
    """The ledger the command runs on (--db, else ROI_LEDGER_DB, else ./roi-ledger.db), known
    before it is opened, so an output path can be refused before any work is done."""
    from ledger.store import resolve_location

    return resolve_location(db_location(ctx))


def output_file(ctx: typer.Context, path: Path, field: str = "output") -> Path:
    """An --output path checked up front: never the ledger, never a SQLite database."""
    from ledger.core.outputs import check_target

    return check_target(path, ledger_location(ctx), field, make_parents=True)


def open_ledger(ctx: typer.Context, *, create: bool = True, catch_up: bool = True) -> Ledger:
    """Open the ledger --db (or ROI_LEDGER_DB) names; the log's own commands pass
    `catch_up=False`, so they work even when a projection cannot catch up."""
    from ledger.app.facade import Ledger
    from ledger.interfaces.cli import output

    ledger = Ledger.open(db_location(ctx), create=create, catch_up=catch_up)
    params = getattr(ctx, "params", None) or {}
    wants_json = bool(params.get("as_json")) or params.get("form") in ("json", "csv")
    # JSON stays JSON; `record …` (the shell's hot path) gets the warning with its result,
    # from the transaction that appends, so it reads nothing more here
    recording = " record " in f" {getattr(ctx, 'command_path', '')} "
    alarm = None if wants_json or recording else ledger.service.alarm()
    if alarm is not None and not output.WARNED.get():
        # every answer from a log known to be broken says so, reads as much as writes
        output.WARNED.set(True)
        output.echo(
            f"Warning: this ledger's log is known to be broken: it failed verification at seq "
            f"{alarm['first_bad_seq']} ({alarm['problem']}; found {alarm['noted_at']}), so "
            "figures from it cannot be trusted. Run `roi-ledger verify` and restore the "
            "ledger from a backup",
            err=True,
        )
    return ledger


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn ledger and domain errors into the exit codes and messages README "A first session"
    lists ("Exit codes: …")."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from commands.base import DomainError
        from ledger.errors import LedgerError
        from ledger.interfaces.cli import output

        form = kwargs.get("form")
        if form is not None and form not in FORMATS:
            print_error(
                f"format: {str(form)[:40]!r} is not one of {', '.join(FORMATS)}",
                {"field": "format"},
                bool(kwargs.get("as_json", False)),
            )
            raise typer.Exit(2)
        if form not in (None, "json") and kwargs.get("as_json"):
            print_error(
                f"format: --json and --format {form} ask for two outputs; give one",
                {"field": "format"},
                True,
            )
            raise typer.Exit(2)
        if form == "json":
            kwargs["as_json"] = True
        as_json = bool(kwargs.get("as_json", False))  # errors as JSON too
        token = output.FORMAT.set("table" if form is None or as_json else str(form))
        if form == "csv" and "as_json" in kwargs:
            # CSV is the command's JSON, as rows (ledger/interfaces/cli/output.py: csv_blocks): the
            # same rows whatever the command, so a csv reader gets what --json gives
            kwargs["as_json"] = True
        blocks = output.BLOCKS.set(0)
        warned = output.WARNED.set(False)
        # typer passes the context by keyword, as click's own Context class (which
        # typer.Context only extends): recognise it by what is used of it
        found = kwargs.get("ctx", args[0] if args else None)
        ctx: Any = found if hasattr(found, "command") and hasattr(found, "params") else None
        try:
            return fn(*args, **kwargs)
        except DomainError as exc:
            details = {"field": exc.field, "kind": type(exc).__name__}
            message = f"{exc.field}: {exc.message}" if exc.field else exc.message
            print_error(message, details, as_json)
            raise typer.Exit(2) from None
        except LedgerError as exc:
            message = _with_parameters(ctx, exc.message, exc.details, exc.aliases)
            print_error(message, exc.details, as_json)
            raise typer.Exit(exc.exit_code) from None
        except BrokenPipeError:
            # the reader stopped early (`| head`): not an error of ours; say nothing more
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(0) from None
        except (OSError, ValueError) as exc:
            print_error(str(exc), None, as_json)
            raise typer.Exit(1) from None
        finally:
            output.FORMAT.reset(token)
            output.BLOCKS.reset(blocks)
            output.WARNED.reset(warned)

    return wrapper


def _with_parameters(
    ctx: typer.Context | None, message: str, details: Any, aliases: dict[str, tuple[str, ...]]
) -> str:
    """Name each bad field by the command line's own parameter too:
    `actual_cost (--actual-cost): ...`, `pattern_id (the ID argument): ...`."""
    if ctx is None or not isinstance(details, list):
        return message
    for item in details:
        name = item.get("field") if isinstance(item, dict) else None
        if not isinstance(name, str):
            continue
        label = parameter_label(ctx, (name, *aliases.get(name, ())))
        if label:
            message = message.replace(f"{name}:", f"{name} ({label}):", 1)
    return message


def parameter_label(ctx: typer.Context, names: tuple[str, ...]) -> str | None:
    """How the running command takes a field: its option (`--type`) or its argument."""
    for param in ctx.command.params:
        if param.name in names:
            if param.param_type_name == "argument":
                shown = param.metavar or (param.name or "").upper()
                return f"the {shown.strip('[]{}')} argument"
            longest = max(param.opts, key=len)
            return longest
    return None


def checked_log_format(value: str | None) -> LogFormat:
    """--log-format as given, else the settings file's, else text; refused unless the logs
    know it (`serve`, `schedule run`)."""
    from ledger.errors import InputError
    from ledger.interfaces.logs import FORMATS
    from ledger.settings import setting

    chosen = value or setting("log_format") or "text"
    if chosen not in FORMATS:
        raise InputError(
            f"log_format: {chosen[:40]!r} is not one of {', '.join(FORMATS)}",
            {"field": "log_format"},
        )
    return cast("LogFormat", chosen)


def parse_as_of(value: str | None) -> int | str | None:
    """--as-of as a seq number when it is all digits, else a timestamp string."""
    from ledger.core.moments import as_of_value

    return as_of_value(value)
