"""The shell's side of a command, said once: the options commands share, and what they do.

`@shell_options(...)` adds the shared options a command takes (the fields of `Shell`, in the
order `--help` lists them) after its own parameters, turns errors into exit codes
(`common.handle_errors`), and hands the command one `Shell`: the values given, its ledger,
and how it answers — JSON for programs (`--json`, `--format json|csv`), else a table or
lines for people.
"""

import functools
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from ledger.interfaces.cli.common import (
    AsOfOpt,
    CompareOpt,
    DbOpt,
    ExpectedOpt,
    FormatOpt,
    JsonOpt,
    KeyOpt,
    NowOpt,
    PeriodOpt,
    SinceOpt,
    UntilOpt,
    handle_errors,
    open_ledger,
    parse_as_of,
)
from ledger.interfaces.cli.output import Column, print_json, print_recorded

if TYPE_CHECKING:
    from pydantic import BaseModel

    from ledger.app.facade import Ledger


@dataclass(frozen=True)
class Shell:
    """One run of a command: its context and the options commands share, as given. Each
    option is declared once, here: its name, its type with flag and help, its default; the
    fields' order is the order `--help` lists them in, after a command's own."""

    ctx: typer.Context
    since: SinceOpt = None
    until: UntilOpt = None
    period: PeriodOpt = None
    compare: CompareOpt = None
    now: NowOpt = None
    as_of: AsOfOpt = None
    idempotency_key: KeyOpt = None
    expected_version: ExpectedOpt = None
    db: DbOpt = None
    as_json: JsonOpt = False
    form: FormatOpt = None

    @property
    def point(self) -> int | str | None:
        """--as-of as the ledger reads it: a seq when it is all digits, else a timestamp."""
        return parse_as_of(self.as_of)

    @property
    def window(self) -> dict[str, str | None]:
        """--since, --until, --period and --now, as the ledger's windowed reads take them."""
        return {"since": self.since, "until": self.until, "period": self.period, "now": self.now}

    def window_title(self, axis: str = "executed_at") -> str:
        """', 2026-11 (executed_at)' or ', 2026-10-01 to … (executed_at)' for a title; ''
        for all time."""
        if self.period:
            return f", {self.period.strip()} ({axis})"
        if self.since or self.until:
            return f", {self.since or '…'} to {self.until or '…'} ({axis})"
        return ""

    def reading(self, *, catch_up: bool = True) -> "Ledger":
        """The ledger, opened to read (never created); the log's own commands pass
        `catch_up=False`."""
        return open_ledger(self.ctx, create=False, catch_up=catch_up)

    def recording(self) -> "Ledger":
        """The ledger, opened (created if need be) to record."""
        return open_ledger(self.ctx)

    def given(self, model: "type[BaseModel]") -> dict[str, Any]:
        """The command model's fields as the command line gave them (model_options.given)."""
        from ledger.interfaces.cli.model_options import given

        return given(self.ctx, model)

    def show(self, value: Any, for_people: Callable[[Any], None]) -> None:
        """What a command answers: `value` as JSON under --json (CSV rows under --format
        csv), else `for_people(value)`."""
        if self.as_json:
            print_json(value)
        else:
            for_people(value)

    def table(self, title: str, columns: Sequence[Column], rows: Sequence[Any]) -> None:
        """Rows as JSON under --json, else as a table of these columns."""
        from ledger.interfaces.cli.tables import print_table  # not on a recording's path

        self.show(rows, lambda shown: print_table(title, columns, shown))

    def recorded(self, result: dict[str, Any], what: str) -> None:
        """What a recording command answers: its JSON, or one line for people."""
        print_recorded(result, self.as_json, what)


Function = TypeVar("Function", bound=Callable[..., None])


def shell_options(
    *,
    window: bool = False,
    compare: bool = False,
    now: bool = False,
    as_of: bool = False,
    recording: bool = False,
    form: bool = False,
) -> Callable[[Function], Function]:
    """Give a command the shared options it takes after its own parameters — `--db` and
    `--json` always; `window`: --since, --until, --period and --now (the window of business
    time a read is over, and the moment it counts back from); `recording`: the idempotency
    key and expected version — and its errors as exit codes. The command takes
    `shell: Shell` (keyword-only) instead of the context and those options."""
    takes = {
        "since": window, "until": window, "period": window, "compare": compare,
        "now": window or now, "as_of": as_of, "idempotency_key": recording,
        "expected_version": recording, "db": True, "as_json": True, "form": form,
    }  # fmt: skip
    added = [
        inspect.Parameter(
            o.name, inspect.Parameter.KEYWORD_ONLY, default=o.default, annotation=o.type
        )
        for o in fields(Shell)
        if o.name != "ctx" and takes[o.name]
    ]
    context = inspect.Parameter(
        "ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=typer.Context
    )

    def decorate(fn: Function) -> Function:
        own = [p for p in inspect.signature(fn).parameters.values() if p.name != "shell"]

        @functools.wraps(fn)
        def command(*args: Any, ctx: typer.Context, **kwargs: Any) -> None:
            shared = {p.name: kwargs.pop(p.name) for p in added}
            fn(*args, **kwargs, shell=Shell(ctx, **shared))

        parameters = [context, *own, *added]
        command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in parameters}
        return handle_errors(command)  # type: ignore[return-value]

    return decorate
