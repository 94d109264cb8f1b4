"""The CLI's reads, each declared once: `@read(app, "ledger_method", ...)` over a function
whose parameters are the command's own (typer's `Annotated` arguments and options), whose
docstring is its help and whose body prints the answer for people. The command it makes
opens the ledger to read, calls the `Ledger` method with those parameters, `--as-of` and
the window, and answers JSON under --json (CSV rows under --format csv), else a table of
`columns` or what the body prints (as `ledger/interfaces/http/reads.py` makes a GET route
of each `Read`).
"""

import inspect
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from ledger.interfaces.cli.output import Column
from ledger.interfaces.cli.shell import Shell, shell_options


class Answer(NamedTuple):
    """What a read's body prints: the answer, its title, and whether it is the --compare
    read's."""

    value: Any
    title: str
    compared: bool = False


def read(
    app: Any,
    method: str,
    *,
    title: str = "",
    columns: Sequence[Column] | None = None,
    window: bool = False,
    now: bool = False,
    axis: str = "executed_at",
    compared: str | None = None,
    keywords: tuple[str, ...] = (),
    **command: Any,
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Make the function a read command of `app` calling `Ledger.<method>`: its parameters
    by position (those in `keywords` by name), then `as_of` and the shared window.

    `title`: a template of the parameters and `{window}` (the window as titles say it, on
    `axis`); `columns`: print the rows as a table of these, else the body prints
    `answer: Answer`; `window`: --since/--until/--period/--now; `now`: --now alone;
    `compared`: the method --compare calls instead (the compared window first); `command`:
    `app.command`'s own arguments (a name, a help)."""

    from ledger.app.facade import Ledger  # the names are checked as the command is declared

    for name in (method, compared):
        if name is not None and name not in vars(Ledger):
            raise AttributeError(f"no Ledger.{name}: a read command must call a Ledger read")

    def declare(body: Callable[..., None]) -> Callable[..., None]:
        own = [p for p in inspect.signature(body).parameters.values() if p.name != "answer"]

        def run(*, shell: Shell, **given: Any) -> None:
            span = shell.window if window else {"now": shell.now} if now else {}
            args = [given[p.name] for p in own if p.name not in keywords]
            named = {name: given[name] for name in keywords}
            called, against = method, shell.compare is not None and compared is not None
            if against:
                called, args = str(compared), [shell.compare, *args]
            with shell.reading() as ledger:
                value = getattr(ledger, called)(*args, as_of=shell.point, **named, **span)
            shown = title.format(**given, window=shell.window_title(axis))
            if columns is not None and not against:
                shell.table(shown, columns, value)
            else:
                shell.show(value, lambda v: body(**given, answer=Answer(v, shown, against)))

        shell = inspect.Parameter("shell", inspect.Parameter.KEYWORD_ONLY, annotation=Shell)
        run.__signature__ = inspect.Signature([*own, shell])  # type: ignore[attr-defined]
        run.__name__ = run.__qualname__ = body.__name__
        run.__doc__ = body.__doc__
        options = shell_options(
            window=window, compare=compared is not None, now=now, as_of=True, form=True
        )
        app.command(**command)(options(run))
        return body

    return declare
