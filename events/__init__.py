"""Immutable, versioned events: the only facts roi-ledger stores."""

from events.base import Event
from events.envelope import GENESIS_HASH, RecordedEvent, canonical_json, chain_hash

__all__ = ["GENESIS_HASH", "Event", "RecordedEvent", "canonical_json", "chain_hash"]
