"""Commands are validated intents; deciding one yields events or a `DomainError`."""

# Model modules (this one and every events/ and commands/ module) do without `from __future__
# import annotations`: pydantic would otherwise evaluate each annotation from its string when a
# class is defined, which costs a one-event shell append a few milliseconds.

from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from commands.fields import Count, IdempotencyKey, Timestamp
from events.base import Event
from events.envelope import RecordedEvent
from events.timeutil import format_timestamp


class DomainError(Exception):
    """A command refused against current state, with a message a user can act on."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotFoundError(DomainError):
    """The command names a pattern, decision or event the ledger does not know."""


class ConflictError(DomainError):
    """The stream moved on since the caller read it (expected version mismatch)."""


class Command(BaseModel):
    """Base of every command: frozen, no unknown fields, optional retry key and version."""

    model_config = ConfigDict(
        frozen=True, extra="forbid", str_strip_whitespace=True, defer_build=True
    )

    idempotency_key: IdempotencyKey | None = Field(
        None, description="Retry-safe key: a second command with the same key appends nothing."
    )
    expected_version: Count | None = Field(
        None,
        description="Refuse unless the stream is at this version (optimistic concurrency).",
    )

    produces: ClassVar[type[Event]] = Event
    """The event this command appends (what the stored event of a retry must be)."""
    occurred_field: ClassVar[str | None] = None
    """The field saying when it happened in the world (stored as the event's occurred_at)."""

    def stream_id(self) -> str | None:
        """The stream it appends to (None when only the log can say, as for a retraction)."""
        return None

    def retry_mismatch(self, stored: RecordedEvent) -> str | None:
        """How the event first stored under this command's idempotency key differs from what
        this command asks for, or None for the exact retry.

        Only what the caller gave is compared: a retry may leave out an option (a default
        estimate, the time) and still name the same command. Numbers compare by value.
        """
        stream = self.stream_id()
        if stream is not None and stored.stream_id != stream:
            return f"another stream ({stream})"
        if stored.event_type != self.produces.__name__:
            return f"another event type ({self.produces.__name__})"
        fields = type(stored.event).model_fields
        for name in sorted(self.model_fields_set - _NOT_COMPARED):
            value = getattr(self, name)
            if value is None:
                continue
            if name == self.occurred_field:
                assert isinstance(value, datetime)
                if format_timestamp(value) != stored.occurred_at:
                    return f"{name} {stored.occurred_at} there, {format_timestamp(value)} here"
            elif name in fields and not _same(getattr(stored.event, name), value):
                return f"{name} {_shown(getattr(stored.event, name))} there, {_shown(value)} here"
        return None


_NOT_COMPARED = frozenset({"idempotency_key", "expected_version"})


def _same(stored: Any, given: Any) -> bool:
    if isinstance(stored, tuple | list) and isinstance(given, tuple | list):
        return list(stored) == list(given)
    return bool(stored == given)


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 40 else text[:30] + "…"


__all__ = ["Command", "ConflictError", "DomainError", "NotFoundError", "Timestamp"]
