"""Commands are validated intents; deciding one yields events or a `DomainError`."""

# Model modules (this one and every events/ and commands/ module) do without `from __future__
# import annotations`: pydantic would otherwise evaluate each annotation from its string when a
# class is defined, which costs a one-event shell append a few milliseconds.

from pydantic import BaseModel, ConfigDict

from commands.fields import Count, IdempotencyKey, Timestamp


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

    idempotency_key: IdempotencyKey | None = None
    expected_version: Count | None = None


__all__ = ["Command", "ConflictError", "DomainError", "NotFoundError", "Timestamp"]
