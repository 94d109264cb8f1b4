"""Commands (validated intents) and the pure decisions that turn them into events."""

from commands.base import Command, ConflictError, DomainError, NotFoundError

__all__ = ["Command", "ConflictError", "DomainError", "NotFoundError"]
