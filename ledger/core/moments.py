"""The times users hand to reads and jobs (`--now`, `--date`, and `--as-of` as typed: a seq or
a recording time), the first two checked against one window:
from 1970 to a year past the current time, as for the times commands record. A command that
*records* something as of `--now` (a report, a summary the scheduler files) may not run
ahead of the ledger's clock, beyond a small allowance for clock skew.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from commands.fields import AHEAD, EARLIEST
from events.timeutil import parse_timestamp, utc_now
from ledger.errors import InputError

SKEW = timedelta(minutes=5)
"""How far `--now` may run ahead of the ledger's clock on a command that records."""

Now = datetime | str | None
Day = date | datetime | str | None
AsOf = int | str | None
"""A point of the recording clock: a seq, a recording timestamp, or None for the head."""


def _window(stamp: datetime, field: str, shown: str) -> None:
    latest = utc_now() + AHEAD
    if stamp < EARLIEST or stamp > latest:
        raise InputError(
            f"{field}: {shown} is outside 1970-01-01 … {latest:%Y-%m-%d} "
            "(from 1970 to a year ahead)",
            {"field": field, "value": shown},
        )


def moment(now: Now, *, recording: bool = False, clock: datetime | None = None) -> datetime:
    """--now as an aware UTC datetime (default: the current time); with `recording`, no later
    than the ledger's `clock` (default now) plus a few minutes' skew."""
    current = clock or utc_now()
    if now is None:
        return current
    try:
        stamp = parse_timestamp(now)
    except (ValueError, OverflowError) as exc:
        raise InputError(f"now: {exc}", {"field": "now"}) from None
    _window(stamp, "now", str(now))
    if recording and stamp > current + SKEW:
        raise InputError(
            f"now: {stamp:%Y-%m-%dT%H:%M:%SZ} is ahead of the ledger's clock "
            f"({current:%Y-%m-%dT%H:%M:%SZ}); a command that records may not run in the "
            "future (its reports would miss what happens before then)",
            {"field": "now", "clock": current.isoformat()},
        )
    return stamp


def summary_day(value: Day) -> date:
    """--date as a day (default: today, UTC), within the window."""
    if value is None:
        return utc_now().date()
    if isinstance(value, datetime):
        day = value.astimezone(UTC).date() if value.tzinfo else value.date()
    elif isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            raise InputError(
                f"date: {value!r} is not a date; use YYYY-MM-DD", {"field": "date"}
            ) from None
    _window(datetime(day.year, day.month, day.day, tzinfo=UTC), "date", day.isoformat())
    return day


def is_seq(text: str) -> bool:
    """Whether text is a seq: ASCII digits only (not '²' or '٣', which str.isdigit takes)."""
    text = text.strip()
    return bool(text) and text.isascii() and text.isdigit()


def as_of_value(text: str | None) -> AsOf:
    """An `as_of` as typed (CLI, query string): a seq when it is all digits, else a timestamp."""
    if text is None:
        return None
    text = text.strip()
    seq = seq_of(text) if is_seq(text) else -1
    return seq if seq >= 0 else text  # too long a number stays text: beyond the head


def seq_of(digits: str) -> int:
    """A seq typed as digits, leading zeros and all (`0005` is seq 5); one too large for any
    log (over 18 digits once the zeros are gone) as -1, which is beyond every head."""
    significant = digits.strip().lstrip("0") or "0"
    return int(significant) if len(significant) <= 18 else -1
