"""The API's reads, each described once (`Read`): its path, the `Ledger` method it calls,
its parameters in the order `/openapi.json` lists them, and what it answers. `add_reads`
makes a GET route of each, which states the head it read (`stated`) and, for a read over a
window of business time, the window (`state_window`); the parameters reach the method by
name, so a read is one entry of a table, not a function repeating the window's five
parameters.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from functools import partial
from typing import Annotated, Any, NamedTuple

from fastapi import APIRouter, Query, Request, Response

from ledger.app.facade import Ledger
from ledger.core.moments import as_of_value
from ledger.interfaces.http.params import (
    AsOfQ,
    CompareQ,
    Id,
    Limit,
    NowQ,
    PeriodQ,
    SinceQ,
    UntilQ,
    ledger_of,
    paged,
    parameter,
    route_function,
    state_window,
    stated,
)

REQUIRED = inspect.Parameter.empty


class Param(NamedTuple):
    """A parameter of a read: its name in the URL, its type (with its `Query` or `Path`),
    its default (`REQUIRED`: none), and the keyword of the `Ledger` method it fills when that
    is named otherwise."""

    name: str
    kind: Any
    default: Any = REQUIRED
    keyword: str | None = None

    def declared(self) -> inspect.Parameter:
        """The parameter as the route's signature declares it (FastAPI reads that)."""
        return parameter(self.name, self.kind, self.default)


PATTERN_ID = Param("pattern_id", Id)
AS_OF = Param("as_of", AsOfQ, None)
NOW = Param("now", NowQ, None)
SINCE = Param("since", SinceQ, None)
UNTIL = Param("until", UntilQ, None)
PERIOD = Param("period", PeriodQ, None)
WINDOW = (SINCE, UNTIL, PERIOD, NOW, AS_OF)
"""A window of business time (`period`, or `since`/`until`, counted back from `now`) read
as the log stood at `as_of`."""
COMPARED = (SINCE, UNTIL, PERIOD, Param("compare", CompareQ, "previous"), NOW, AS_OF)
"""A window beside the one it is compared with."""


def by(default: str) -> Param:
    """How rows are grouped (source, type or both)."""
    return Param("by", Annotated[str, Query(max_length=20)], default)


def limit(default: int) -> Param:
    return Param("limit", Limit, default)


class Read(NamedTuple):
    """One GET route: its path; its name (the operation's id and summary in the schema);
    `reads`, the name of the `Ledger` method it calls (or a function of the ledger), which
    takes the parameters by name and `as_of`; its parameters; the answer's model; the
    description. `paged`: a page of events, the next page's address in the `Link` header.
    `stated=False`: a read that compares two heads states neither and gets `as_of` as
    typed."""

    path: str
    name: str
    reads: str | Callable[..., Any]
    params: tuple[Param, ...]
    answer: Any
    doc: str
    paged: bool = False
    stated: bool = True


def add_reads(router: APIRouter, reads: Sequence[Read]) -> None:
    """A GET route for each read, in order (the order of `/openapi.json`); a read naming no
    method of `Ledger` is refused here, when the app is built."""
    for read in reads:
        if isinstance(read.reads, str) and not callable(getattr(Ledger, read.reads, None)):
            raise TypeError(f"{read.path}: `Ledger` has no read {read.reads!r}")
        route = router.get(
            read.path, name=read.name, response_model=read.answer, response_model_exclude_unset=True
        )
        route(read_endpoint(read))


def read_endpoint(read: Read) -> Callable[..., Any]:
    """The route's function, taking the request, the response (for its headers) and the
    read's parameters."""
    keywords = {p.name: p.keyword or p.name for p in read.params if p.name != "as_of"}
    windowed = "since" in keywords  # with until, period and now: a window of business time

    def answer(request: Request, response: Response, **given: Any) -> Any:
        as_of = given.get("as_of")
        if windowed:
            since, until, period, now = (given[k] for k in ("since", "until", "period", "now"))
            state_window(request, response, since, until, period, now, as_of)
        args = {keywords[name]: value for name, value in given.items() if name in keywords}
        led = ledger_of(request)
        method = (
            getattr(led, read.reads) if isinstance(read.reads, str) else partial(read.reads, led)
        )
        if not read.stated:
            return method(as_of=as_of_value(as_of), **args)
        found = stated(request, response, as_of, lambda at: method(as_of=at, **args))
        return paged(request, response, found, given["limit"]) if read.paged else found

    context = [parameter("request", Request), parameter("response", Response)]
    return route_function(
        answer, read.name, read.doc, context + [p.declared() for p in read.params]
    )
