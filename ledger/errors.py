"""The errors the ledger raises, by what a user should do about them.

`InputError` and `DomainError` (bad input, a refused command) map to exit code 2 and HTTP
422/404/409; everything else is exit code 1.
"""

from __future__ import annotations

from typing import Any

from commands.base import ConflictError, DomainError, NotFoundError


class LedgerError(Exception):
    """Anything the ledger refuses or cannot do; exit code 1 unless a subclass says 2."""

    exit_code = 1

    def __init__(self, message: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details
        self.aliases: dict[str, tuple[str, ...]] = {}
        """Other names a bad field goes by (the CLI's shorter options), when known."""


class InputError(LedgerError):
    """The input is malformed: a field is missing, of the wrong kind or out of range."""

    exit_code = 2


class StorageError(LedgerError):
    """The database could not be opened or written."""


class IntegrityError(LedgerError):
    """The log failed verification (hash chain, contiguity, digest)."""


class UnreadableEvent(IntegrityError, ValueError):
    """A stored row is not an event (altered around the database's guards): what reads it
    refuse, naming its seq; `verify` reports it as altered."""


__all__ = [
    "ConflictError",
    "DomainError",
    "InputError",
    "IntegrityError",
    "LedgerError",
    "NotFoundError",
    "StorageError",
    "UnreadableEvent",
]


def details_object(details: Any) -> dict[str, Any]:
    """A refusal's `details` in its one shape, an object: a list of field errors becomes
    `{"field": the first one's field, "errors": [...]}`, nothing becomes `{}`."""
    if isinstance(details, dict):
        return details
    if details is None:
        return {}
    if isinstance(details, list | tuple):
        items = list(details)
        first = next((d.get("field") for d in items if isinstance(d, dict)), None)
        return {"field": first or "input", "errors": items}
    return {"value": details}
