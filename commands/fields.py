"""The field types commands accept: every range, size and character rule of the input, stated
once, in words a user can act on (docs/RELIABILITY.md lists them).

Events keep looser types of their own: a stored event must always decode, whatever the rules
for new input become. These types guard the way in.
"""

# Model modules (this one and every events/ and commands/ module) do without `from __future__
# import annotations`: pydantic would otherwise evaluate each annotation from its string when a
# class is defined, which costs a one-event shell append a few milliseconds.

import math
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field

from events.canonical import canonical_json

MAX_AMOUNT = Decimal(10) ** 12
"""The largest amount in USD a command accepts (one trillion)."""
AMOUNT_PLACES = 10
MAX_SECONDS = Decimal(366 * 24 * 3600)
"""The longest duration a command accepts: a leap year, in seconds."""
SECONDS_PLACES = 6
MAX_SAFE_INT = 2**53 - 1
"""The largest whole number JSON carries exactly (RFC 8785 / I-JSON); ids and counts stay
within it so every stored payload has one canonical form."""
MAX_LABEL = 200
MAX_TEXT = 10_000
MAX_CONTEXT = 10_000
"""The largest `context` a decision may carry, as canonical JSON characters."""
MAX_DEPTH = 16
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
AHEAD = timedelta(days=366)
"""How far past the current time a timestamp may lie (a scheduled or planned event)."""

_ALLOWED_CONTROLS = frozenset("\t\n\r")
_INVISIBLE = frozenset(
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"  # bidi controls
)


def _controls(text: str, allowed: frozenset[str] = frozenset()) -> list[str]:
    return [
        c for c in text if c not in allowed and (unicodedata.category(c) == "Cc" or c in _INVISIBLE)
    ]


def _named(text: str) -> str:
    """Control characters named so a message can show them: '\\x1b', '\\u202e'."""
    return ", ".join(sorted({repr(c)[1:-1] for c in text}))


def _plain(value: str) -> bool:
    """Printable ASCII only (space included): already NFC, no control, invisible or
    format character, so the per-character checks below have nothing to find. The usual
    id and label takes this path, about 10x faster than asking Unicode per character."""
    return value.isascii() and value.isprintable()


def check_label(value: str) -> str:
    """1–200 characters of one line, no control characters; returned in Unicode's composed
    form (NFC), so `café` typed either way is one label."""
    if _plain(value) and 0 < len(value) <= MAX_LABEL:
        return value
    value = unicodedata.normalize("NFC", value)
    if not value:
        raise ValueError("must not be empty")
    if len(value) > MAX_LABEL:
        raise ValueError(f"must be at most {MAX_LABEL} characters (got {len(value)})")
    bad = _controls(value)
    if bad:
        raise ValueError(f"must not contain control characters (found {_named(''.join(bad))})")
    return value


def check_id(value: str) -> str:
    """A label without spaces or invisible characters: 1–200 characters, NFC."""
    if _plain(value) and 0 < len(value) <= MAX_LABEL and " " not in value:
        return value
    value = check_label(value)
    if any(c.isspace() for c in value):
        raise ValueError("must not contain spaces; use - or _ instead")
    hidden = [c for c in value if unicodedata.category(c) == "Cf"]
    if hidden:
        raise ValueError(f"must not contain invisible characters (found {_named(''.join(hidden))})")
    return value


def normal_id(value: str) -> str:
    """An id as stored (NFC), for looking one up as given by a user."""
    return unicodedata.normalize("NFC", value)


def check_text(value: str) -> str:
    """Free text up to 10,000 characters; tabs and line breaks are fine, other controls not."""
    if len(value) > MAX_TEXT:
        raise ValueError(f"must be at most {MAX_TEXT:,} characters (got {len(value):,})")
    if _plain(value):
        return value
    bad = _controls(value, _ALLOWED_CONTROLS)
    if bad:
        raise ValueError(
            f"must not contain control characters other than tab and line breaks "
            f"(found {_named(''.join(bad))})"
        )
    return value


def _required(value: str) -> str:
    if not value:
        raise ValueError("must not be empty")
    return value


def check_timestamp(value: datetime) -> datetime:
    """Aware UTC, from 1970-01-01 to a year past now."""
    try:
        stamp = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    except OverflowError:
        raise ValueError("falls outside the calendar once moved to UTC") from None
    if stamp < EARLIEST:
        raise ValueError("must be on or after 1970-01-01T00:00:00Z")
    latest = datetime.now(UTC) + AHEAD
    if stamp > latest:
        raise ValueError(f"must be at most a year ahead (on or before {latest:%Y-%m-%d})")
    return stamp


def _json_value(value: Any, depth: int, path: str) -> None:
    if depth > MAX_DEPTH:
        raise ValueError(f"nests deeper than {MAX_DEPTH} levels (at {path})")
    if value is None or isinstance(value, bool | str):
        return
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INT:
            raise ValueError(
                f"{path} is {value}, beyond ±{MAX_SAFE_INT:,} (the largest whole number JSON "
                "carries exactly); store it as a string"
            )
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{path} is {value}; JSON numbers must be finite")
        # RFC 8785 writes whole numbers below 1e21 without an exponent, so such a float would
        # come back as an integer beyond what JSON carries exactly
        if value.is_integer() and MAX_SAFE_INT < abs(value) < 1e21:
            raise ValueError(
                f"{path} is {value:.17g}, a whole number beyond ±{MAX_SAFE_INT:,} (the largest "
                "JSON carries exactly); store it as a string"
            )
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _json_value(item, depth + 1, f"{path}[{index}]")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError(f"{path} has a key that is not a string ({key!r})")
            _json_value(item, depth + 1, f"{path}.{key}")
        return
    raise ValueError(f"{path} is a {type(value).__name__}, which JSON cannot carry")


def nesting(value: Any) -> int:
    """How deep lists and objects nest in a JSON value (0 for a scalar), counted without
    recursion, so a value nested thousands deep is measured, not a RecursionError."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list | tuple):
            stack.extend((v, depth + 1) for v in item)
        else:
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth + 1)
    return deepest


def check_context(value: dict[str, Any]) -> dict[str, Any]:
    """A JSON object of at most 10,000 characters, 16 levels deep, exact numbers only."""
    _json_value(value, 1, "context")
    size = len(canonical_json(value))
    if size > MAX_CONTEXT:
        raise ValueError(
            f"must be at most {MAX_CONTEXT:,} characters as JSON (got {size:,}); "
            "keep bulky data elsewhere and store a reference"
        )
    return value


def _not_bool(value: Any) -> Any:
    """JSON `true` is not a number: refuse it where an amount or a count is expected."""
    if isinstance(value, bool):
        raise ValueError("must be a number, not true or false")
    return value


def _exact(places: int, limit: Decimal) -> Callable[[Any], Any]:
    """A binary float (a Python float, a JSON number) is already an approximation: round it
    half-even to the field's precision. Text and Decimals must fit the precision as given."""
    step = Decimal(10) ** -places

    def convert(value: Any) -> Any:
        value = _not_bool(value)
        if isinstance(value, float) and math.isfinite(value) and abs(value) <= limit:
            return Decimal(repr(value)).quantize(step, rounding=ROUND_HALF_EVEN)
        return value

    return convert


Id = Annotated[str, AfterValidator(check_id)]
"""A pattern, decision or opportunity id: 1–200 characters, no spaces or control characters."""

Label = Annotated[str, AfterValidator(check_label)]
"""An opportunity type or source, an outcome type: 1–200 characters on one line."""

Text = Annotated[str, AfterValidator(check_text)]
"""Free text (notes, content, reasons): up to 10,000 characters."""

RequiredText = Annotated[str, AfterValidator(check_text), AfterValidator(_required)]
"""Free text that must not be empty (an action, a reason)."""

IdempotencyKey = Annotated[str, AfterValidator(check_label)]
"""A retry key: 1–200 characters on one line."""

# Constraints (Field) come before the BeforeValidator: pydantic then checks them in its native
# validator instead of in Python per value (decimal places were 7 % of a batch's time); the
# BeforeValidator still runs first, and the messages are the same.
Amount = Annotated[
    Decimal,
    Field(ge=0, le=MAX_AMOUNT, decimal_places=AMOUNT_PLACES, allow_inf_nan=False),
    BeforeValidator(_exact(AMOUNT_PLACES, MAX_AMOUNT)),
]
"""USD, exact: 0 to 1,000,000,000,000 with at most 10 decimal places (a binary float is
rounded to 10 places; text with more is refused)."""

Duration = Annotated[
    Decimal,
    Field(ge=0, le=MAX_SECONDS, decimal_places=SECONDS_PLACES, allow_inf_nan=False),
    BeforeValidator(_exact(SECONDS_PLACES, MAX_SECONDS)),
]
"""Seconds, exact: 0 to 31,622,400 (a leap year) with at most 6 decimal places (a binary
float is rounded to the microsecond; text with more places is refused)."""

Fraction = Annotated[
    Decimal,
    Field(ge=0, le=1, decimal_places=AMOUNT_PLACES, allow_inf_nan=False),
    BeforeValidator(_exact(AMOUNT_PLACES, Decimal(1))),
]
"""A confidence or probability from 0 to 1."""

Score = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False), BeforeValidator(_not_bool)]
"""A score or a percentage from 0 to 100."""

Count = Annotated[int, Field(ge=0, le=MAX_SAFE_INT), BeforeValidator(_not_bool)]
"""A whole number from 0 to 9,007,199,254,740,991."""

Position = Annotated[int, Field(ge=1, le=MAX_SAFE_INT), BeforeValidator(_not_bool)]
"""A seq of the log: 1 or more."""

Timestamp = Annotated[datetime, AfterValidator(check_timestamp)]
"""An ISO-8601 timestamp or date (naive means UTC), from 1970 to a year past now."""

JsonObject = Annotated[dict[str, Any], AfterValidator(check_context)]
"""Free-form metadata: a JSON object of at most 10,000 characters."""
