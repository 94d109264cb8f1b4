"""One read of the ledger: the snapshot every query function reads, with the two clocks
resolved once before it runs — the recording point (`as_of`: a seq or recording time) and the
window of business time (`since`/`until`/`period`, measured from `now`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypedDict, TypeVar

from ledger.core.moments import Day, Now
from ledger.core.periods import Window, option_text, window
from ledger.errors import InputError

if TYPE_CHECKING:
    from events.sql import Sql
    from ledger.core.moments import AsOf
    from ledger.core.service import LedgerCore
    from ledger.store.eventlog import Head

P = ParamSpec("P")
T = TypeVar("T")
Span = tuple[str, str]
"""The first and last UTC day (ISO dates) a window of business time covers."""

MAX_LIMIT = 50


class WindowArgs(TypedDict, total=False):
    """A window of business time as a read is asked for it: `since` (inclusive), `until`
    (exclusive), or a `period` such as 2026-11 or last-30d ending at `now`."""

    since: Day
    until: Day
    period: str | None
    now: Now


class Read:
    """The ledger at one point, inside one read transaction, with the window asked for."""

    def __init__(
        self,
        service: LedgerCore,
        db: Sql,
        as_of: AsOf,
        args: WindowArgs,
        chosen: Window | None,
    ) -> None:
        self.service = service
        self.db = db
        self.as_of = as_of
        self.args = args
        self.window = chosen
        """The window parsed (None for a read that takes none)."""

    @cached_property
    def point(self) -> datetime:
        """The moment the read measures from: `now`, else the as-of recording time, else
        the clock (see LedgerCore.point_shown)."""
        return self.service.point_shown(self.args.get("now"), self.as_of)

    @property
    def today(self) -> str:
        """The UTC day of the point, as an ISO date (where open decisions are censored)."""
        return self.point.date().isoformat()

    @cached_property
    def span(self) -> Span | None:
        """The window's first and last UTC day; None for all time."""
        return None if self.window is None else window_days(self.window)

    @cached_property
    def head(self) -> Head:
        """The head of the log this read sees."""
        return self.service.log.head(self.db)


def chosen_window(service: LedgerCore, args: WindowArgs, as_of: AsOf) -> Window:
    """The window `args` name, measured from the point shown."""
    point = service.point_shown(args.get("now"), as_of)
    return window(option_text(args.get("since")), option_text(args.get("until")),
                  args.get("period"), point)  # fmt: skip


def run(
    service: LedgerCore,
    query: Callable[Concatenate[Read, P], T],
    as_of: AsOf,
    args: WindowArgs | None,
    /,
    *params: P.args,
    **named: P.kwargs,
) -> T:
    """Run one query in one read transaction as of `as_of`; with `args`, over the window of
    business time they name (parsed and checked first: whole UTC days, naming the option)."""
    chosen = None
    if args is not None:
        chosen = chosen_window(service, args, as_of)
        window_days(chosen)  # a window not on UTC midnights is refused before any read
    with service.reading(as_of) as db:
        return query(Read(service, db, as_of, args or {}, chosen), *params, **named)


def run_at(
    service: LedgerCore,
    query: Callable[Concatenate[Read, P], T],
    as_of: AsOf,
    now: Now,
    /,
    *params: P.args,
    **named: P.kwargs,
) -> T:
    """`run` for a read measured from a point (`now`, else the as-of point) without a window
    of its own to parse (alerts, a pattern's report; the dashboard parses its own)."""
    with service.reading(as_of) as db:
        return query(Read(service, db, as_of, {"now": now}, None), *params, **named)


def window_days(span: Window) -> Span | None:
    """The first and last UTC day a window of business time covers (None: all time). A
    window read from per-day aggregates starts and ends at UTC midnights: a timestamp in the
    middle of a day is refused naming its option (give a date)."""
    if span.since is None and span.until is None:
        return None
    for field, end in (("since", span.since), ("until", span.until)):
        if end is not None and end != datetime(end.year, end.month, end.day, tzinfo=UTC):
            raise InputError(
                f"{field}: {end:%Y-%m-%dT%H:%M:%SZ} is not a UTC midnight; windows are counted "
                "in whole UTC days: give a date (e.g. 2026-11-01)",
                {"field": field},
            )
    first, last = span.days()
    return first or date.min.isoformat(), last or date.max.isoformat()


def check_limit(limit: int) -> int:
    """The limit every list takes (README "The ROI commands"): 1..50, anything else is an input
    error naming the field."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InputError(
            f"limit: must be a whole number from 1 to {MAX_LIMIT} (got {limit!r})",
            {"field": "limit", "min": 1, "max": MAX_LIMIT},
        )
    return limit
