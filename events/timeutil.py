"""UTC timestamps: parse anything ISO-8601 (naive means UTC), store as `...Z` with microseconds.

One fixed width format means stored timestamps sort as text in time order.
"""

from __future__ import annotations

from datetime import UTC, date, datetime


def utc_now() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)


def parse_timestamp(value: str | datetime | date) -> datetime:
    """Read an ISO-8601 timestamp or date as an aware UTC datetime; naive input is UTC."""
    if isinstance(value, datetime):
        dt = value
    elif isinstance(value, date):
        dt = datetime(value.year, value.month, value.day)
    else:
        text = value.strip()
        if not text:
            raise ValueError("timestamp is empty; use ISO-8601, e.g. 2024-12-08T12:00:00Z")
        if text.endswith(("z", "Z")):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"{value!r} is not an ISO-8601 timestamp; use e.g. 2024-12-08T12:00:00Z"
            ) from None
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    try:
        return dt.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{value!s} falls outside the calendar once moved to UTC") from None


def format_timestamp(dt: datetime) -> str:
    """Render a datetime as stored: UTC (naive is taken as UTC), microseconds, trailing Z."""
    if dt.tzinfo is not None and dt.utcoffset():
        dt = dt.astimezone(UTC)
    # What isoformat(timespec="microseconds") writes, without its offset; a third cheaper.
    return _STORED % (dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second, dt.microsecond)


_STORED = "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ"


def normalize_timestamp(value: str | datetime | date) -> str:
    """Parse then format: the stored form of any accepted timestamp."""
    return format_timestamp(parse_timestamp(value))
