"""Immutable, versioned events: the only facts roi-ledger stores."""

from events.base import Event
from events.canonical import canonical_json
from events.envelope import GENESIS_HASH, RecordedEvent, chain_hash

__all__ = ["GENESIS_HASH", "Event", "RecordedEvent", "canonical_json", "chain_hash"]
