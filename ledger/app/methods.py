"""How the facade declares a method in one line: `Method` hands the ledger's service to a
function (`head = Method(LedgerCore.head)`), `Reader` runs a query of `ledger/queries` in one
read (`pattern_roi = Reader(roi.pattern_roi, window=True)`). Either is a real method of the
class — bound on an instance, callable on the class with the ledger first — whose help and
signature are the function's, less the service (or the read) it is handed."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from types import MethodType
from typing import Any, Generic, ParamSpec, TypeVar, cast

from ledger.queries.context import WindowArgs, run

P = ParamSpec("P")
T = TypeVar("T")
WINDOW = {"since": "Day", "until": "Day", "period": "str | None", "now": "Now"}
"""A windowed read's keyword-only parameters: the clock of when things happened."""


class Method(Generic[T]):
    """A facade method that calls `function(ledger.service, ...)`."""

    def __init__(self, function: Callable[..., T]) -> None:
        self.function = function
        shown = inspect.signature(function)
        self.signature = shown.replace(parameters=list(shown.parameters.values())[1:])
        self.plain: Callable[..., T] = function  # replaced by the named method in __set_name__

    def __set_name__(self, owner: type, name: str) -> None:
        def method(ledger: Any, *args: Any, **named: Any) -> T:
            return self.invoke(ledger, *args, **named)

        method.__name__ = name
        method.__qualname__ = f"{owner.__name__}.{name}"
        method.__doc__ = self.function.__doc__
        itself = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
        method.__signature__ = self.signature.replace(  # type: ignore[attr-defined]
            parameters=[itself, *self.signature.parameters.values()]
        )
        self.plain = method

    def __get__(self, ledger: Any, kind: type | None = None) -> Callable[..., T]:
        return self.plain if ledger is None else MethodType(self.plain, ledger)

    def invoke(self, ledger: Any, *args: Any, **named: Any) -> T:
        return self.function(ledger.service, *args, **named)


class Reader(Method[T]):
    """A facade read: the query's own parameters, then `as_of` (the recording clock: a seq or
    recording time), then for a windowed read `since`/`until`/`period`/`now`, keyword only."""

    def __init__(self, query: Callable[..., T], *, window: bool = False) -> None:
        super().__init__(query)
        kind = inspect.Parameter.KEYWORD_ONLY
        extra = [inspect.Parameter("as_of", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                   default=None, annotation="AsOf")]  # fmt: skip
        if window:
            extra += [inspect.Parameter(n, kind, default=None, annotation=a)
                      for n, a in WINDOW.items()]  # fmt: skip
        self.window = window
        self.signature = self.signature.replace(
            parameters=[*self.signature.parameters.values(), *extra]
        )

    def invoke(self, ledger: Any, *args: Any, **named: Any) -> T:
        try:
            bound = self.signature.bind(*args, **named)
        except TypeError as exc:  # named like Python names a wrong call of a method
            raise TypeError(f"{self.plain.__qualname__}() {exc}") from None
        bound.apply_defaults()
        values = dict(bound.arguments)
        as_of = values.pop("as_of")
        window = {n: values.pop(n) for n in WINDOW} if self.window else None
        return run(ledger.service, self.function, as_of, cast(WindowArgs | None, window),
                   *values.values())  # fmt: skip
