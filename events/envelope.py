"""The recorded-event envelope: an event together with its place in the log."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from events.base import Event

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 text: the one serialisation hashes are taken over."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


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
    body = json.dumps(
        [
            seq,
            stream_id,
            stream_version,
            event_type,
            schema_version,
            occurred_at,
            recorded_at,
            payload,
            idempotency_key,
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """One row of the log with its decoded event."""

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
        return (
            self.seq,
            self.stream_id,
            self.stream_version,
            self.event_type,
            self.schema_version,
            self.occurred_at,
            self.recorded_at,
            self.payload,
            self.idempotency_key,
            self.prev_hash,
            self.hash,
        )

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
