"""A stored row of the log as the backends return it: the type of each column (an altered
row has another), and the row decoded into its envelope and event."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from events import RecordedEvent

ROW_TYPES: tuple[type | tuple[type, ...], ...] = (
    int, str, int, str, int, str, str, str, (str, type(None)), str, str,
)  # fmt: skip
"""The Python type of each stored column (`EVENT_COLUMNS` order) as the backends return it."""

_ROW_SHAPES = frozenset(
    (int, str, int, str, int, str, str, str, key, str, str) for key in (str, type(None))
)


def well_typed(row: Sequence[Any]) -> bool:
    """Whether every column of a stored row has its type (a payload stored as a BLOB, text
    that was not UTF-8, a NULL hash: all altered rows, whatever their bytes)."""
    return tuple(map(type, row)) in _ROW_SHAPES


def decode_row(row: Sequence[Any]) -> RecordedEvent:
    """A stored row to its envelope with the decoded, upcast event.

    A current-version row is parsed from its stored text by its own class's validator (the
    type column already says which class); older versions are upcast and go through the
    registry's discriminated union.
    """
    from events.registry import EVENT_CLASSES, decode_event  # not needed on appends

    seq, stream_id, version, event_type, schema_version = row[0], row[1], row[2], row[3], row[4]
    payload = row[7]
    cls = EVENT_CLASSES.get(event_type)
    try:
        if not well_typed(row):
            kinds = {bytes: "a BLOB", type(None): "missing or not UTF-8 text"}
            raise TypeError(
                "a column holds " + (kinds.get(type(payload)) or "a value of the wrong type")
            )
        if cls is not None and schema_version == cls.schema_version:
            event = cls.model_validate_json(payload)
        else:
            event = decode_event(event_type, schema_version, json.loads(payload))
    except (ValueError, TypeError, KeyError) as exc:
        from pydantic import ValidationError

        from ledger.errors import UnreadableEvent
        from ledger.validation import clip, describe, field_errors

        if isinstance(exc, ValidationError):
            first = describe(field_errors(exc)).removeprefix("invalid input: ")
        else:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        reason = clip(ascii(first)[1:-1], 200)
        raise UnreadableEvent(
            f"seq {seq!r}: the stored row is not an event ({reason}); it was altered: run "
            "`roi-ledger verify`",
            {"seq": seq, "reason": reason},
        ) from None
    return RecordedEvent(
        seq,
        stream_id,
        version,
        event_type,
        schema_version,
        row[5],
        row[6],
        payload,
        row[8],
        row[9],
        row[10],
        event,
    )


def undecodable(exc: Exception) -> bool:
    """Whether a read failed on stored text that is not UTF-8 (SQLite stores any bytes it is
    given as TEXT; reading them back fails the whole statement)."""
    return type(exc).__module__ == "sqlite3" and "decode" in str(exc).lower()
