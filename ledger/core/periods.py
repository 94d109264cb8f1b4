"""Windows of business time (`executed_at`, `decided_at`): what `--since`, `--until`,
`--period` and `--compare` mean, in one place for every interface.

A window is half-open, `[since, until)`, in UTC, on the clock of when things happened. It is
never the recording clock: that is `--as-of` (a seq or a `recorded_at`), which combines with
any window ("October as the ledger knew it on Nov 5").

`--period` names a calendar span: `2026` (a year), `2026-Q4`, `2026-11`, `2026-W45` (an ISO
week, Monday to Monday), `2026-11-02` (a day), `last-7d` / `last-30d` / `last-90d` (any
`last-Nd`: the N UTC days ending with `--now`'s day, that day included), or `this-month`,
`last-month` (and week, quarter, year): the calendar period holding `--now`, or the one
before it, named as itself (`this-month` on 2026-12-05 is `2026-12`). Every period starts
and ends at a UTC midnight, so it is answered from per-day aggregates. `--since` and `--until`
take a date (that day's UTC midnight) or a timestamp.

`--compare previous` is the period of the same kind before a named calendar period (October
before November, W44 before W45), and otherwise the window of equal length just before;
`--compare PERIOD` names any period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from events.timeutil import format_timestamp, parse_timestamp
from ledger.errors import InputError

FIRST_YEAR, LAST_YEAR = 1970, 9998
"""Periods from 1970 (the earliest time a command records) to 9998 (so every end exists)."""

MAX_LAST_DAYS = 36_500

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("year", re.compile(r"([0-9]{4})")),
    ("quarter", re.compile(r"([0-9]{4})-[Qq]([1-4])")),
    ("month", re.compile(r"([0-9]{4})-([0-9]{2})")),
    ("week", re.compile(r"([0-9]{4})-[Ww]([0-9]{2})")),
    ("day", re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")),
    ("last", re.compile(r"last-([0-9]{1,6})d")),
)
_RELATIVE = re.compile(r"(this|last)-(week|month|quarter|year)")
EXAMPLES = "2026, 2026-Q4, 2026-11, 2026-W45, 2026-11-02, last-30d or this-month"

HELP = {
    "since": "Count only what happened (executed_at) on or after this date (UTC); business "
    "time, not the recording clock (that is --as-of).",
    "until": "Count only what happened before this date (UTC, exclusive).",
    "period": f"Count only what happened in this period: {EXAMPLES} (last-Nd: the N UTC "
    "days ending with --now's day; this-/last- week, month, quarter or year: the calendar "
    "period holding --now, or the one before it).",
}
"""Each window option's help, the same on the CLI and HTTP."""


@dataclass(frozen=True)
class Window:
    """`[since, until)` of business time; None is an open end. `kind` is the calendar span a
    `--period` named (year, quarter, month, week, day, last) or "range"."""

    since: datetime | None
    until: datetime | None
    kind: str = "range"
    label: str = "all time"

    def holds(self, when: datetime) -> bool:
        """Whether a moment of business time falls in the window."""
        return (self.since is None or when >= self.since) and (
            self.until is None or when < self.until
        )

    @property
    def day_aligned(self) -> bool:
        """Both ends (where set) at a UTC midnight: per-day aggregates answer it exactly."""
        return all(
            end is None or end == datetime(end.year, end.month, end.day, tzinfo=UTC)
            for end in (self.since, self.until)
        )

    def days(self) -> tuple[str | None, str | None]:
        """The first and last UTC day inside a day-aligned window, as ISO dates (None where
        open), for reading per-day aggregates."""
        if not self.day_aligned:
            raise ValueError("only a window with both ends at UTC midnights maps onto days")
        first = None if self.since is None else self.since.date().isoformat()
        last = None if self.until is None else (self.until.date() - timedelta(days=1)).isoformat()
        return first, last

    def as_json(self) -> dict[str, Any]:
        """The window as JSON keys that say which clock they read."""
        return {
            "axis": "business time (executed_at, decided_at)",
            "period": self.label,
            "since": None if self.since is None else format_timestamp(self.since),
            "until": None if self.until is None else format_timestamp(self.until),
        }


ALL_TIME = Window(None, None)


def option_text(value: str | date | datetime | None) -> str | None:
    """A window option as the text `window` reads (a date or datetime as its ISO form)."""
    if value is None or isinstance(value, str):
        return value
    return value.isoformat()


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _year(text: str, year: int, field: str) -> None:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InputError(
            f"{field}: {text!r} is outside the years {FIRST_YEAR} … {LAST_YEAR}",
            {"field": field, "value": text},
        )


def parse_period(text: str, now: datetime, field: str = "period") -> Window:
    """A `--period` as its window; an error naming `field` and the accepted forms."""
    shown = text.strip()
    relative = _RELATIVE.fullmatch(shown.lower())
    if relative is not None:
        return parse_period(_name(relative[1], relative[2], now.astimezone(UTC).date()), now, field)
    for kind, pattern in _PATTERNS:
        match = pattern.fullmatch(shown)
        if match is None:
            continue
        numbers = [int(g) for g in match.groups()]
        if kind == "last":
            return _last(shown, numbers[0], now, field)
        _year(shown, numbers[0], field)
        try:
            return _calendar(kind, numbers, shown)
        except ValueError:
            break  # 2026-13, 2026-02-30, 2026-W54: the shape is right, the date is not
    raise InputError(
        f"{field}: {shown[:40]!r} is not a period; give {EXAMPLES}",
        {"field": field, "value": shown[:40]},
    )


def _name(which: str, kind: str, today: date) -> str:
    """The calendar period's name (e.g. 2026-11) holding `today` ('this') or before it."""
    back = which == "last"
    if kind == "week":
        year, week, _ = (today - timedelta(days=7 * back)).isocalendar()
        return f"{year}-W{week:02d}"
    if kind == "year":
        return str(today.year - back)
    months = {"month": 1, "quarter": 3}[kind]
    index = today.year * 12 + (today.month - 1) // months * months - months * back
    year, month = divmod(index, 12)
    return f"{year}-{month + 1:02d}" if kind == "month" else f"{year}-Q{month // 3 + 1}"


def _calendar(kind: str, n: list[int], label: str) -> Window:
    year = n[0]
    if kind == "year":
        start, end = date(year, 1, 1), date(year + 1, 1, 1)
    elif kind == "quarter":
        start = date(year, 3 * n[1] - 2, 1)
        end = date(year + 1, 1, 1) if n[1] == 4 else date(year, 3 * n[1] + 1, 1)
    elif kind == "month":
        start = date(year, n[1], 1)
        end = date(year + 1, 1, 1) if n[1] == 12 else date(year, n[1] + 1, 1)
    elif kind == "week":
        start = date.fromisocalendar(year, n[1], 1)
        end = start + timedelta(days=7)
    else:
        start = date(year, n[1], n[2])
        end = start + timedelta(days=1)
    return Window(_midnight(start), _midnight(end), kind, label.upper() if "-" in label else label)


def _last(text: str, days: int, now: datetime, field: str) -> Window:
    if not 1 <= days <= MAX_LAST_DAYS:
        raise InputError(
            f"{field}: {text!r} must name from 1 to {MAX_LAST_DAYS:,} days (e.g. last-30d)",
            {"field": field, "value": text},
        )
    end = now.astimezone(UTC).date() + timedelta(days=1)
    start = end - timedelta(days=days)
    if start.year < FIRST_YEAR:
        start = date(FIRST_YEAR, 1, 1)
    return Window(_midnight(start), _midnight(end), "last", f"last-{days}d")


def _bound(text: str, field: str) -> datetime:
    try:
        stamp = parse_timestamp(text)
    except (ValueError, OverflowError) as exc:
        raise InputError(
            f"{field}: {str(text)[:40]!r} is not a date or timestamp ({exc})",
            {"field": field},
        ) from None
    if stamp.year < FIRST_YEAR:
        raise InputError(
            f"{field}: {str(text)[:40]!r} is before {FIRST_YEAR}, the earliest time recorded",
            {"field": field, "value": str(text)[:40]},
        )
    return stamp


def window(
    since: str | datetime | None = None,
    until: str | datetime | None = None,
    period: str | None = None,
    now: datetime | None = None,
) -> Window:
    """The window the options name: `period`, or `since`/`until` (either may be open), or all
    time. A period with since/until, or since not before until, is refused naming the option."""
    when = now or datetime.now(UTC)
    if period is not None:
        if since is not None or until is not None:
            field = "since" if since is not None else "until"
            raise InputError(
                f"{field}: give either --period or --since/--until, not both",
                {"field": field},
            )
        return parse_period(period, when)
    if since is None and until is None:
        return ALL_TIME
    start = None if since is None else _bound(str(since), "since")
    end = None if until is None else _bound(str(until), "until")
    if start is not None and end is not None and start >= end:
        raise InputError(
            f"since: {format_timestamp(start)} is not before until ({format_timestamp(end)});"
            " --until is exclusive, so a window needs since < until",
            {"field": "since"},
        )
    label = f"{_shown(start)} to {_shown(end)}"
    return Window(start, end, "range", label)


def _shown(end: datetime | None) -> str:
    """A window's end as its label shows it: a date for a UTC midnight, else the timestamp."""
    if end is None:
        return "…"
    if end == _midnight(end.date()):
        return end.date().isoformat()
    return format_timestamp(end)


def previous(current: Window) -> Window:
    """The window before `current`: the same kind of calendar period, or equal length."""
    if current.since is None or current.until is None:
        raise InputError(
            "compare: 'previous' needs a window with both ends (a --period, or --since and "
            "--until)",
            {"field": "compare"},
        )
    if current.kind in ("year", "quarter", "month"):
        months = {"year": 12, "quarter": 3, "month": 1}[current.kind]
        start = current.since.date()
        index = start.year * 12 + start.month - 1 - months
        if index // 12 < FIRST_YEAR:
            raise InputError(
                f"compare: no period before {current.label} (the years start at {FIRST_YEAR})",
                {"field": "compare"},
            )
        first = date(index // 12, index % 12 + 1, 1)
        label = {
            "year": f"{first.year}",
            "quarter": f"{first.year}-Q{(first.month - 1) // 3 + 1}",
            "month": f"{first:%Y-%m}",
        }[current.kind]
        return Window(_midnight(first), current.since, current.kind, label)
    length = current.until - current.since
    start = current.since - length
    if start.year < FIRST_YEAR:
        raise InputError(
            f"compare: no window before {current.label} (the years start at {FIRST_YEAR})",
            {"field": "compare"},
        )
    if current.kind == "week":
        year, week, _ = start.date().isocalendar()
        label = f"{year}-W{week:02d}"
    elif current.kind == "day":
        label = start.date().isoformat()
    elif current.kind == "last":
        label = f"the {length.days} days before {current.label}"
    else:
        label = f"{_shown(start)} to {_shown(current.since)}"
    return Window(start, current.since, current.kind, label)


def compared(current: Window, compare: str, now: datetime | None = None) -> Window:
    """The window `--compare` names: 'previous', or any period."""
    if compare.strip().lower() == "previous":
        return previous(current)
    return parse_period(compare, now or datetime.now(UTC), field="compare")
