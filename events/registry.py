"""Decoding stored events: upcast old schema versions, then one discriminated-union adapter.

Stored events are never rewritten. An upcaster is a small pure function from the payload of
version N to version N + 1, registered under (event_type, N).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, reduce
from operator import or_
from typing import Annotated, Any

from pydantic import Field, TypeAdapter

from events import decisions, ledger_events, patterns
from events.base import Event

EVENT_MODULES = (patterns, decisions, ledger_events)
"""The modules that define events: every `Event` class each one defines is an event type."""

EVENT_CLASSES: dict[str, type[Event]] = {
    cls.__name__: cls
    for module in EVENT_MODULES
    for cls in vars(module).values()
    if isinstance(cls, type) and issubclass(cls, Event) and cls.__module__ == module.__name__
}
"""Each event type by its name (its `type` tag), in the order its module defines it."""

Payload = dict[str, Any]
Upcaster = Callable[[Payload], Payload]
UPCASTERS: dict[tuple[str, int], Upcaster] = {}


def upcaster(event_type: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
    """Register a function lifting `event_type` payloads from `from_version` to the next."""

    def register(fn: Upcaster) -> Upcaster:
        UPCASTERS[(event_type, from_version)] = fn
        return fn

    return register


@upcaster("PatternApproved", 1)
def upcast_pattern_approved_v1_v2(payload: Payload) -> Payload:
    """Version 1 approvals had no description or confidence: both start unknown."""
    return {"description": None, "confidence": None, **payload}


@upcaster("PatternApproved", 2)
def upcast_pattern_approved_v2_v3(payload: Payload) -> Payload:
    """Version 2 approvals did not say whether failed runs lose time: they do not."""
    return {"failed_runs_lose_time": False, **payload}


def upcast(event_type: str, schema_version: int, payload: Payload) -> Payload:
    """Lift a stored payload to the current schema version of its event type."""
    current = EVENT_CLASSES[event_type].schema_version
    version = schema_version
    while version < current:
        step = UPCASTERS.get((event_type, version))
        if step is None:
            raise ValueError(f"no upcaster for {event_type} v{version} -> v{version + 1}")
        payload = step(payload)
        version += 1
    if version > current:
        raise ValueError(
            f"{event_type} v{schema_version} is newer than this roi-ledger knows (v{current});"
            " upgrade roi-ledger"
        )
    return payload


@cache
def event_adapter() -> TypeAdapter[Event]:
    """The one adapter that turns a tagged dict into its event class (built on first use):
    a union of every event class, told apart by its `type` tag."""
    any_event: Any = reduce(or_, EVENT_CLASSES.values())
    return TypeAdapter(Annotated[any_event, Field(discriminator="type")])


def decode_event(event_type: str, schema_version: int, payload: Payload) -> Event:
    """Turn a stored (type, version, payload) into the current event class."""
    if event_type not in EVENT_CLASSES:
        raise ValueError(f"unknown event type {event_type!r}")
    lifted = upcast(event_type, schema_version, payload)
    return event_adapter().validate_python({**lifted, "type": event_type})
