"""How the facade declares a method in one line: `Method` hands the ledger's service to a
function (`head = Method(LedgerCore.head)`), `Reader` runs a query of `ledger/queries` in one
read (`pattern_roi = Reader("queries.roi.pattern_roi", window=True)`). Either is a real
method of the class — bound on an instance, callable on the class with the ledger first —
whose help and signature are the function's, less the service (or the read) it is handed.

A function named by its path under `ledger` is imported when the method is first used, so
recording an execution imports no read (tests/interfaces/test_startup.py);
tests/app/test_facade.py resolves every one."""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from types import MethodType
from typing import Any, Generic, TypeVar, cast

from ledger.queries.context import WindowArgs, run

T = TypeVar("T")
WINDOW = {"since": "Day", "until": "Day", "period": "str | None", "now": "Now"}
"""A windowed read's keyword-only parameters: the clock of when things happened."""


class Method(Generic[T]):
    """A facade method that calls `function(ledger.service, ...)`."""

    def __init__(self, function: Callable[..., T] | str) -> None:
        self.source = function
        self.qualname = ""
        self.resolved: tuple[Callable[..., T], inspect.Signature, Callable[..., T]] | None = None

    def __set_name__(self, owner: type, name: str) -> None:
        self.qualname = f"{owner.__name__}.{name}"

    def __get__(self, ledger: Any, kind: type | None = None) -> Callable[..., T]:
        plain = self.parts()[2]
        return plain if ledger is None else MethodType(plain, ledger)

    def parts(self) -> tuple[Callable[..., T], inspect.Signature, Callable[..., T]]:
        """The function, the method's signature (less `self`) and the method itself, made on
        first use."""
        if self.resolved is None:
            function = self.source
            if isinstance(function, str):  # "queries.roi.pattern_roi", under `ledger`
                module, _, name = function.rpartition(".")
                function = getattr(importlib.import_module(f"ledger.{module}"), name)
            function = cast("Callable[..., T]", function)
            shown = inspect.signature(function)
            signature = self.shown(shown.replace(parameters=list(shown.parameters.values())[1:]))

            def method(ledger: Any, *args: Any, **named: Any) -> T:
                return self.invoke(ledger, *args, **named)

            method.__name__ = self.qualname.rpartition(".")[2]
            method.__qualname__ = self.qualname
            method.__doc__ = function.__doc__
            itself = inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)
            method.__signature__ = signature.replace(  # type: ignore[attr-defined]
                parameters=[itself, *signature.parameters.values()]
            )
            self.resolved = (function, signature, method)
        return self.resolved

    def shown(self, signature: inspect.Signature) -> inspect.Signature:
        """The signature the method shows, from the function's less its first parameter."""
        return signature

    def invoke(self, ledger: Any, *args: Any, **named: Any) -> T:
        """Call the function with the ledger's service first."""
        return self.parts()[0](ledger.service, *args, **named)


class Reader(Method[T]):
    """A facade read: the query's own parameters, then `as_of` (the recording clock: a seq or
    recording time), then for a windowed read `since`/`until`/`period`/`now`, keyword only."""

    def __init__(self, query: Callable[..., T] | str, *, window: bool = False) -> None:
        super().__init__(query)
        self.window = window

    def shown(self, signature: inspect.Signature) -> inspect.Signature:
        own = list(signature.parameters.values())
        if any(p.kind is not inspect.Parameter.POSITIONAL_OR_KEYWORD for p in own):
            raise TypeError(f"{self.qualname}: a query's parameters are plain ones")
        extra = [inspect.Parameter("as_of", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                   default=None, annotation="AsOf")]  # fmt: skip
        if self.window:
            extra += [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=None,
                                        annotation=a) for n, a in WINDOW.items()]  # fmt: skip
        return signature.replace(parameters=[*own, *extra])

    def invoke(self, ledger: Any, *args: Any, **named: Any) -> T:
        """Bind the call to the signature shown, then run the query in one read."""
        query, signature, _ = self.parts()
        try:
            bound = signature.bind(*args, **named)
        except TypeError as exc:  # named like Python names a wrong call of a method
            raise TypeError(f"{self.qualname}() {exc}") from None
        bound.apply_defaults()
        values = dict(bound.arguments)
        as_of = values.pop("as_of")
        window = {n: values.pop(n) for n in WINDOW} if self.window else None
        return run(ledger.service, query, as_of, cast(WindowArgs | None, window), **values)
