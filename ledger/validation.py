"""Turning user input into commands, with errors that name the field."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import AliasChoices, ValidationError

from commands.base import Command
from ledger.errors import InputError

C = TypeVar("C", bound=Command)


ECHO_LIMIT = 60
"""How much of a bad input an error message repeats."""


def clip(value: Any, limit: int = ECHO_LIMIT) -> Any:
    """A bad input as an error may echo it: long text cut, with its length said."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[: limit - 20]}… ({len(value):,} characters)"
    return value


def field_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """pydantic's errors as [{field, message, input}] (the input clipped)."""
    out = []
    for err in exc.errors(include_url=False):
        loc = ".".join(str(part) for part in err["loc"]) or "input"
        message = err["msg"]
        if message.startswith("Value error, "):
            message = message[len("Value error, ") :]
        if err["type"].startswith(("datetime", "date")):
            message += "; use ISO-8601, e.g. 2024-12-08T12:00:00Z"
        item: dict[str, Any] = {"field": loc, "message": message}
        if err["type"] != "missing" and isinstance(err.get("input"), str | int | float | bool):
            item["input"] = clip(err["input"])
        out.append(item)
    return out


def describe(errors: list[dict[str, Any]]) -> str:
    """One line naming every bad field."""
    parts = []
    for e in errors:
        got = f" (got {e['input']!r})" if "input" in e and "(got" not in e["message"] else ""
        parts.append(f"{e['field']}: {e['message']}{got}")
    return "invalid input: " + "; ".join(parts)


def build_command(cls: type[C], data: dict[str, Any]) -> C:
    """Validate `data` as a `cls` command or raise `InputError` naming each bad field."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        errors = field_errors(exc)
        error = InputError(describe(errors), errors)
        error.aliases = aliases(cls)
        raise error from None


def aliases(cls: type[Command]) -> dict[str, tuple[str, ...]]:
    """Each field's other accepted names (`opportunity_source` → `source`), from the model."""
    out: dict[str, tuple[str, ...]] = {}
    for name, field in cls.model_fields.items():
        alias = field.validation_alias
        if isinstance(alias, AliasChoices):
            out[name] = tuple(c for c in alias.choices if isinstance(c, str) and c != name)
    return out
