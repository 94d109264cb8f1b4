"""The recorded-event envelope: an event together with its place in the log."""

from __future__ import annotations

import hashlib
import json
from typing import Any, NamedTuple

from events.base import Event

GENESIS_HASH = "0" * 64
_ROW = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
"""The chain's row encoder: what json.dumps(row, separators=(",", ":"), ensure_ascii=False)
gives, without building an encoder per event."""


def chain_hash(
    prev_hash: str,
    seq: int,
    stream_id: str,
    stream_version: int,
    event_type: str,
    schema_version: int,
    occurred_at: str,
    recorded_at: str,
    payload: str,
    idempotency_key: str | None,
) -> str:
    """sha256(prev_hash ‖ canonical JSON array of the row's fields), as hex.

    The array is [seq, stream_id, stream_version, event_type, schema_version, occurred_at,
    recorded_at, payload, idempotency_key], with payload as its stored JSON text.
    """
    body = _ROW.encode(
        [
            int(seq),
            stream_id,
            int(stream_version),
            event_type,
            int(schema_version),
            occurred_at,
            recorded_at,
            payload,
            idempotency_key,
        ]
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


class RecordedEvent(NamedTuple):
    """One row of the log (its first eleven fields, in column order) with its decoded event."""

    seq: int
    stream_id: str
    stream_version: int
    event_type: str
    schema_version: int
    occurred_at: str
    recorded_at: str
    payload: str
    idempotency_key: str | None
    prev_hash: str
    hash: str
    event: Event

    def as_row(self) -> tuple[Any, ...]:
        """The row as stored in `events`, column order of the public schema."""
        return self[:11]

    def envelope(self) -> dict[str, Any]:
        """The JSON shape `log` and `history` print."""
        return {
            "seq": self.seq,
            "stream_id": self.stream_id,
            "stream_version": self.stream_version,
            "event_type": self.event_type,
            "schema_version": self.schema_version,
            "occurred_at": self.occurred_at,
            "recorded_at": self.recorded_at,
            "payload": json.loads(self.payload),
            "idempotency_key": self.idempotency_key,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }
